//! Finding catalogue items by what is typed: the items screen's search and the editor's item picker
//! share it. A query matches an item whose name, or one of the name's words, starts with it, ignoring
//! case and accents ("cafe" finds "Café au lait", "ost" finds "Brunost").

use remit_core::catalogue::Item;
use remit_core::money::Currency;

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

/// How well `name` matches `query` (both as typed): `Some(0)` when the whole name starts with it,
/// `Some(1)` when a later word does, `None` when it does not match. A blank query matches every name.
pub fn rank(name: &str, query: &str) -> Option<u8> {
    let query = fold(query.trim());
    if query.is_empty() {
        return Some(0);
    }
    let name = fold(name);
    if name.starts_with(&query) {
        return Some(0);
    }
    name.split(|c: char| !c.is_alphanumeric())
        .any(|word| word.starts_with(&query))
        .then_some(1)
}

/// The items a line in `currency` may take for `query`: on sale, priced in that currency (any currency
/// while the document has none yet), whole-name matches first, then by name; at most `limit`.
pub fn suggestions<'a>(
    items: &'a [Item],
    query: &str,
    currency: Option<Currency>,
    limit: usize,
) -> Vec<&'a Item> {
    let mut found: Vec<(u8, &Item)> = items
        .iter()
        .filter(|item| !item.archived && currency.is_none_or(|c| c == item.currency))
        .filter_map(|item| rank(&item.name, query).map(|r| (r, item)))
        .collect();
    found.sort_by_cached_key(|(r, item)| (*r, fold(&item.name)));
    found
        .into_iter()
        .take(limit)
        .map(|(_, item)| item)
        .collect()
}

/// The items screen's list for `query`: every matching item, archived ones only when asked for, by name.
pub fn listed<'a>(items: &'a [Item], query: &str, with_archived: bool) -> Vec<&'a Item> {
    items
        .iter()
        .filter(|item| (with_archived || !item.archived) && rank(&item.name, query).is_some())
        .collect()
}

#[cfg(test)]
mod tests {
    use remit_core::ids::{ItemId, OrganisationId};
    use remit_core::tax::{TaxCategory, TaxRate};
    use rust_decimal::Decimal;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn item(n: u8, name: &str, currency: &str, archived: bool) -> Item {
        Item {
            id: ItemId::parse(&format!("019a4d5e-0000-7000-8000-0000000000{n:02x}")).unwrap(),
            organisation_id: OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap(),
            name: name.into(),
            description: String::new(),
            unit_price: Decimal::ONE_HUNDRED,
            currency: Currency::parse(currency).unwrap(),
            tax_category: TaxCategory::S,
            tax_rate: TaxRate::new(Decimal::from(25)).unwrap(),
            unit: "C62".into(),
            archived,
        }
    }

    #[wasm_bindgen_test]
    fn searches_ignore_case_and_accents_and_match_any_word() {
        assert_eq!(fold("Crème BRÛLÉE Øl Straße"), "creme brulee ol strasse");
        assert_eq!(rank("Café au lait", "cafe"), Some(0));
        assert_eq!(rank("Café au lait", "LAIT"), Some(1));
        assert_eq!(rank("Brunost", "ost"), None);
        assert_eq!(rank("Hull inspection", "insp"), Some(1));
        assert_eq!(rank("Hull inspection", "  "), Some(0));
        assert_eq!(rank("Hull inspection", "spection"), None);
    }

    #[wasm_bindgen_test]
    fn the_picker_offers_items_on_sale_in_the_documents_currency_best_match_first() {
        let items = [
            item(1, "Survey of hull", "NOK", false),
            item(2, "Hull inspection", "NOK", false),
            item(3, "Hull paint", "EUR", false),
            item(4, "Hull cleaning", "NOK", true),
        ];
        let nok = Some(Currency::parse("NOK").unwrap());
        let names = |found: Vec<&Item>| found.iter().map(|i| i.name.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(suggestions(&items, "hull", nok, 10)),
            ["Hull inspection", "Survey of hull"]
        );
        assert_eq!(
            names(suggestions(&items, "hull", nok, 1)),
            ["Hull inspection"]
        );
        assert_eq!(
            names(suggestions(&items, "hull", None, 10)),
            ["Hull inspection", "Hull paint", "Survey of hull"]
        );
        assert_eq!(names(listed(&items, "hull c", true)), ["Hull cleaning"]);
        assert_eq!(names(listed(&items, "clean", true)), ["Hull cleaning"]);
        assert!(listed(&items, "clean", false).is_empty());
    }
}
