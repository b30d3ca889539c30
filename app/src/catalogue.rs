//! Finding catalogue items by what is typed: the items screen's search and the editor's item picker
//! share it. A query matches an item whose name, or one of the name's words, starts with it, ignoring
//! case and accents ("cafe" finds "Café au lait", "ost" finds "Brunost").

use remit_core::catalogue::Item;
use remit_core::money::Currency;

pub use remit_core::search::fold;

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
