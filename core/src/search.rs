//! Finding records by what is typed: folded text and its words, shared by every search in Remit (the
//! app's invoice and customer lists, the catalogue's picker), so "cafe" finds "Café" everywhere alike.
//!
//! A search matches a record when every word of the query is the start of one of the record's words,
//! ignoring case and accents: "acme" and "ac gm" both find "ACME GmbH", "inv-2026" finds invoice
//! "INV-2026-0042". The record's words are stored beside it, so a database index answers the first query
//! word and [`matches`] checks the rest.

/// `text` in lower case without accents: what a search compares.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match base_letter(c) {
            Some(base) => out.push_str(base),
            None => out.push(c),
        }
    }
    out
}

/// The plain letters of an accented Latin letter (lower case), `None` for any other character.
fn base_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// The words of `text` a search can find it by: folded ([`fold`]), split at anything that is neither a
/// letter, a digit nor a hyphen, each once, in order of first appearance. A hyphen stays inside a word so
/// an invoice number like "INV-2026-0042" is one word; its parts after a hyphen are words too
/// ("2026-0042", "0042"), so typing the number's tail finds it.
pub fn words(text: &str) -> Vec<String> {
    let folded = fold(text);
    let mut out: Vec<String> = Vec::new();
    let mut push = |word: &str| {
        if !word.is_empty() && !out.iter().any(|w| w == word) {
            out.push(word.to_owned());
        }
    };
    for word in folded.split(|c: char| !(c.is_alphanumeric() || c == '-')) {
        let word = word.trim_matches('-');
        push(word);
        for (at, _) in word.match_indices('-') {
            push(word[at + 1..].trim_matches('-'));
        }
    }
    out
}

/// The words of a query as typed, folded; empty for a blank query (which matches everything).
pub fn query_words(query: &str) -> Vec<String> {
    fold(query)
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .map(|w| w.trim_matches('-'))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The query word an index should be asked with: the longest, which narrows the most.
pub fn key_word(query: &[String]) -> Option<&str> {
    query.iter().max_by_key(|w| w.len()).map(String::as_str)
}

/// Whether a record with `words` (from [`words`]) matches `query` (from [`query_words`]): every query
/// word starts one of the record's words.
pub fn matches(words: &[String], query: &[String]) -> bool {
    query
        .iter()
        .all(|q| words.iter().any(|w| w.starts_with(q.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_and_accents() {
        assert_eq!(fold("Crème BRÛLÉE Øl Straße"), "creme brulee ol strasse");
        assert_eq!(fold("Ærø"), "aero");
    }

    #[test]
    fn a_records_words_are_folded_once_each_and_keep_numbers_whole() {
        assert_eq!(words("Café Müller & Müller"), ["cafe", "muller"]);
        assert_eq!(
            words("INV-2026-0042 Nordic Sea AS"),
            ["inv-2026-0042", "2026-0042", "0042", "nordic", "sea", "as"]
        );
        assert_eq!(words("  -- "), Vec::<String>::new());
    }

    #[test]
    fn every_query_word_must_start_a_word_of_the_record() {
        let record = words("INV-2026-0042 ACME GmbH");
        let cases: &[(&str, bool)] = &[
            ("acme", true),
            ("ac gm", true),
            ("ÀCME", true),
            ("inv-2026", true),
            ("0042", true),
            ("cme", false),
            ("acme ltd", false),
            ("", true),
        ];
        for (query, expected) in cases {
            assert_eq!(matches(&record, &query_words(query)), *expected, "{query}");
        }
    }

    #[test]
    fn the_index_is_asked_with_the_longest_query_word() {
        assert_eq!(key_word(&query_words("ac gmbh")), Some("gmbh"));
        assert_eq!(key_word(&query_words(" ")), None);
    }
}
