//! The catalogue: products and services an organisation sells, with their usual price and tax, so a line
//! can be filled in by picking an item instead of retyping it.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ids::{ItemId, OrganisationId};
use crate::money::Currency;
use crate::tax::{TaxCategory, TaxRate};
use crate::validation::{Rule, ValidationError, optional_text, required_text};

/// A catalogue item. Its price is a suggestion for new lines: changing it never touches a draft or an
/// issued document that already used it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: ItemId,
    pub organisation_id: OrganisationId,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Net price per unit, in `currency`.
    pub unit_price: Decimal,
    pub currency: Currency,
    #[serde(default)]
    pub tax_category: TaxCategory,
    pub tax_rate: TaxRate,
    /// UN/ECE Recommendation 20 unit code (`C62` one, `HUR` hour).
    #[serde(default = "Item::default_unit")]
    pub unit: String,
    /// Withdrawn from sale: no longer offered for new lines, kept for the documents that used it. Absent
    /// (and left out when written) while the item is on sale, so items stored before the flag read as
    /// on sale and read back byte for byte.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
}

impl Item {
    pub const MAX_NAME: usize = 200;
    pub const MAX_DESCRIPTION: usize = 1000;

    fn default_unit() -> String {
        "C62".into()
    }

    /// Checks every field; the first broken rule is reported with its field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        required_text("name", &self.name, Self::MAX_NAME)?;
        optional_text("description", &self.description, Self::MAX_DESCRIPTION)?;
        if self.unit_price < Decimal::ZERO {
            return Err(ValidationError::new("unit_price", Rule::NotNegative));
        }
        self.tax_category.check_rate(self.tax_rate, "tax_rate")?;
        check_unit_code("unit", &self.unit)
    }
}

/// Checks a UN/ECE Recommendation 20 unit code (BT-130): one to three upper-case letters or digits.
pub fn check_unit_code(field: &str, unit: &str) -> Result<(), ValidationError> {
    if crate::codes::is_unit(unit) {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            Rule::Format {
                detail: "a UN/ECE Rec. 20 code such as C62 or HUR".into(),
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(changes: serde_json::Value) -> Item {
        let mut value = json!({
            "id": "019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e70",
            "organisation_id": "019a4d5e-0000-7000-8000-000000000001",
            "name": "Consulting hour",
            "unit_price": "120.00",
            "currency": "EUR",
            "tax_rate": "19",
            "unit": "HUR"
        });
        for (k, v) in changes.as_object().unwrap() {
            value[k] = v.clone();
        }
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn an_item_names_the_field_that_breaks_a_rule() {
        // (change, field at fault)
        let cases = [
            (json!({}), None),
            (json!({"name": " "}), Some("name")),
            (json!({"unit_price": "-1"}), Some("unit_price")),
            (json!({"tax_category": "E"}), Some("tax_rate")),
            (json!({"tax_rate": "0"}), Some("tax_rate")),
            (json!({"tax_category": "B", "tax_rate": "22"}), None),
            (json!({"tax_category": "E", "tax_rate": "0"}), None),
            (json!({"unit": "hours"}), Some("unit")),
        ];
        for (change, field) in cases {
            let got = item(change.clone()).validate().err().map(|e| e.field);
            assert_eq!(got.as_deref(), field, "{change}");
        }
    }

    #[test]
    fn the_unit_defaults_to_one_piece() {
        let mut value = serde_json::to_value(item(json!({}))).unwrap();
        value.as_object_mut().unwrap().remove("unit");
        let item: Item = serde_json::from_value(value).unwrap();
        assert_eq!(item.unit, "C62");
        assert_eq!(serde_json::to_value(&item).unwrap()["unit_price"], "120.00");
    }

    #[test]
    fn an_item_stored_before_archiving_existed_reads_as_on_sale() {
        // An `item.upsert` argument as builds before the flag wrote it.
        let old = r#"{"id":"019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e70","organisation_id":"019a4d5e-0000-7000-8000-000000000001","name":"Hull inspection","description":"Per hour, on site","unit_price":"950.00","currency":"NOK","tax_category":"S","tax_rate":"25","unit":"HUR"}"#;
        let item: Item = serde_json::from_str(old).unwrap();
        assert!(!item.archived);
        assert_eq!(serde_json::to_string(&item).unwrap(), old);
        let archived = Item {
            archived: true,
            ..item
        };
        let text = serde_json::to_string(&archived).unwrap();
        assert!(text.ends_with(r#""unit":"HUR","archived":true}"#), "{text}");
        assert_eq!(serde_json::from_str::<Item>(&text).unwrap(), archived);
    }
}
