//! The totals of a draft, as the editor shows them and the server stores them.
//!
//! A draft is computed through the one EN 16931 engine ([`super::en16931::compute`]); this module only
//! presents the result in the draft's terms.

use serde::{Deserialize, Serialize};

use super::InvoiceDraft;
use super::en16931::{
    self, Document, DocumentKind, LineNetBasis, PayableRounding, Price, PriceBasis, VatClass,
};
use crate::money::Money;
use crate::tax::{TaxCategory, TaxRate};
use crate::validation::ValidationError;

pub use super::en16931::DOCUMENT_ROUNDING;

/// VAT of one category and rate (BG-23).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatBreakdown {
    pub category: TaxCategory,
    pub rate: TaxRate,
    /// BT-116: the sum of the line nets in this category and rate.
    pub taxable: Money,
    /// BT-117.
    pub tax: Money,
}

/// The totals of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentTotals {
    /// BT-131 of each line, in line order.
    pub line_nets: Vec<Money>,
    /// BT-106: sum of the line nets.
    pub line_net_total: Money,
    /// BT-109: total without VAT.
    pub tax_exclusive: Money,
    /// BG-23, ordered by category then rate.
    pub vat: Vec<VatBreakdown>,
    /// BT-110.
    pub tax_total: Money,
    /// BT-112: total with VAT.
    pub tax_inclusive: Money,
    /// BT-115: amount due for payment.
    pub amount_due: Money,
}

impl InvoiceDraft {
    /// The draft in the standard's terms.
    pub fn to_document(&self) -> Document {
        Document {
            kind: DocumentKind::Invoice,
            currency: self.currency,
            price_basis: PriceBasis::Net,
            tax_rounding: self.tax_rounding,
            lines: self
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| en16931::Line {
                    id: (i + 1).to_string(),
                    name: l.description.clone(),
                    quantity: l.quantity,
                    unit_code: "C62".into(),
                    price: Price {
                        net: l.unit_price,
                        ..Price::default()
                    },
                    vat: VatClass {
                        category: l.tax_category,
                        rate: Some(l.tax_rate),
                    },
                    ..en16931::Line::default()
                })
                .collect(),
            allowances: Vec::new(),
            charges: Vec::new(),
            prepaid: rust_decimal::Decimal::ZERO,
            payable_rounding: PayableRounding::None,
        }
    }
}

/// Computes a draft's totals. Fails, naming the line, when a product or sum cannot be represented
/// exactly (a quantity of 1e28 is an error, never a panic or a silently wrong total).
pub fn compute(draft: &InvoiceDraft) -> Result<DocumentTotals, ValidationError> {
    let t = en16931::compute(&draft.to_document(), LineNetBasis::Computed)?;
    Ok(DocumentTotals {
        line_nets: t.lines.iter().map(|l| l.used).collect(),
        line_net_total: t.line_net_total,
        tax_exclusive: t.tax_exclusive,
        vat: t
            .vat
            .into_iter()
            .map(|v| VatBreakdown {
                category: v.category,
                rate: v.rate.unwrap_or_default(),
                taxable: v.taxable,
                tax: v.tax,
            })
            .collect(),
        tax_total: t.tax_total,
        tax_inclusive: t.tax_inclusive,
        amount_due: t.amount_due,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn line(quantity: Decimal, unit_price: Decimal, rate: Decimal) -> InvoiceLine {
        fixtures::line("Consulting", quantity, unit_price, rate)
    }

    fn draft(currency: &str, tax_rounding: TaxRounding, lines: Vec<InvoiceLine>) -> InvoiceDraft {
        InvoiceDraft {
            tax_rounding,
            ..fixtures::draft(currency, lines)
        }
    }
    use crate::document::{InvoiceLine, TaxRounding};
    use crate::money::Rounding;
    use crate::validation::Rule;
    use chrono::NaiveDate;
    use proptest::prelude::*;
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    fn amounts(t: &DocumentTotals) -> (String, String, String) {
        (
            t.line_net_total.amount().to_string(),
            t.tax_total.amount().to_string(),
            t.amount_due.amount().to_string(),
        )
    }

    #[test]
    fn a_half_cent_rounds_away_from_zero_where_bankers_rounding_would_not() {
        // 1.5 × 0.35 = 0.525: half away from zero gives 0.53, banker's rounding 0.52.
        let t = compute(&draft(
            "EUR",
            TaxRounding::PerDocument,
            vec![line(dec!(1.5), dec!(0.35), dec!(0))],
        ))
        .unwrap();
        assert_eq!(t.line_nets[0].amount(), dec!(0.53));
        assert_eq!(Rounding::HalfEven.round(dec!(0.525), 2), dec!(0.52));
    }

    #[test]
    fn vat_is_computed_per_rate_over_the_sum_of_the_lines() {
        // Three lines of 0.10 at 19 %: per line each tax is 0.019 → 0.02, so 0.06 in all;
        // per document 0.30 × 19 % = 0.057 → 0.06 as well. Four lines of 0.10 differ: 0.08 vs 0.076 → 0.08.
        // Seven lines of 0.10 at 19 %: per line 7 × 0.02 = 0.14; per document 0.70 × 0.19 = 0.133 → 0.13.
        let lines = vec![line(dec!(1), dec!(0.10), dec!(19)); 7];
        let per_doc = compute(&draft("EUR", TaxRounding::PerDocument, lines.clone())).unwrap();
        let per_line = compute(&draft("EUR", TaxRounding::PerLine, lines)).unwrap();
        assert_eq!(
            amounts(&per_doc),
            ("0.70".into(), "0.13".into(), "0.83".into())
        );
        assert_eq!(
            amounts(&per_line),
            ("0.70".into(), "0.14".into(), "0.84".into())
        );
    }

    #[test]
    fn each_category_and_rate_has_its_own_breakdown() {
        let mut zero = line(dec!(2), dec!(50), dec!(0));
        zero.tax_category = TaxCategory::Z;
        let t = compute(&draft(
            "EUR",
            TaxRounding::PerDocument,
            vec![
                line(dec!(3), dec!(9.99), dec!(19)),
                line(dec!(1), dec!(100), dec!(7)),
                zero,
                line(dec!(1), dec!(0.03), dec!(19)),
            ],
        ))
        .unwrap();
        let rows: Vec<_> = t
            .vat
            .iter()
            .map(|v| {
                (
                    v.category.code(),
                    v.rate.to_string(),
                    v.taxable.amount().to_string(),
                    v.tax.amount().to_string(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                ("S", "7".into(), "100.00".into(), "7.00".into()),
                ("S", "19".into(), "30.00".into(), "5.70".into()),
                ("Z", "0".into(), "100.00".into(), "0.00".into()),
            ]
        );
        assert_eq!(
            amounts(&t),
            ("230.00".into(), "12.70".into(), "242.70".into())
        );
    }

    #[test]
    fn amounts_follow_the_currency_minor_units() {
        let t = compute(&draft(
            "JPY",
            TaxRounding::PerDocument,
            vec![line(dec!(3), dec!(333.5), dec!(10))],
        ))
        .unwrap();
        assert_eq!(amounts(&t), ("1001".into(), "100".into(), "1101".into()));
        let t = compute(&draft(
            "BHD",
            TaxRounding::PerDocument,
            vec![line(dec!(1), dec!(1.2345), dec!(10))],
        ))
        .unwrap();
        assert_eq!(
            amounts(&t),
            ("1.235".into(), "0.124".into(), "1.359".into())
        );
    }

    #[test]
    fn an_impossible_product_is_an_error_naming_the_line() {
        let huge = Decimal::from_i128_with_scale(10_i128.pow(27), 0);
        let err = compute(&draft(
            "EUR",
            TaxRounding::PerDocument,
            vec![
                line(dec!(1), dec!(1), dec!(19)),
                line(huge, dec!(1000), dec!(19)),
            ],
        ))
        .unwrap_err();
        assert_eq!(
            err,
            ValidationError::new("lines[1].quantity", Rule::Overflow)
        );
    }

    #[test]
    fn a_draft_reports_the_path_of_the_first_broken_rule() {
        let mut d = draft(
            "EUR",
            TaxRounding::PerDocument,
            vec![line(dec!(1), dec!(1), dec!(19))],
        );
        d.lines.push(line(dec!(1), dec!(-1), dec!(19)));
        assert_eq!(
            d.validate(),
            Err(ValidationError::new(
                "lines[1].unit_price",
                Rule::NotNegative
            ))
        );
        d.lines[1].unit_price = dec!(1);
        d.lines[1].tax_category = TaxCategory::E;
        assert_eq!(d.validate().unwrap_err().field, "lines[1].tax_rate");
        d.lines[1].tax_rate = TaxRate::new(dec!(0)).unwrap();
        assert_eq!(d.validate(), Ok(()));
        d.due_date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(d.validate().unwrap_err().field, "due_date");
    }

    #[test]
    fn a_standard_rated_line_at_zero_percent_is_refused_naming_the_rule() {
        let d = draft(
            "EUR",
            TaxRounding::PerDocument,
            vec![
                line(dec!(1), dec!(1), dec!(19)),
                line(dec!(1), dec!(1), dec!(0)),
            ],
        );
        assert_eq!(
            d.validate(),
            Err(ValidationError::new(
                "lines[1].tax_rate",
                Rule::Matches {
                    expected: "greater than zero for VAT category S (BR-S-05)".into()
                }
            ))
        );
    }

    fn arb_line() -> impl Strategy<Value = InvoiceLine> {
        (
            -1_000_000i64..1_000_000,
            0u32..4,
            0i64..10_000_000,
            0u32..6,
            prop::sample::select(vec![
                dec!(0),
                dec!(5),
                dec!(7),
                dec!(19),
                dec!(25),
                dec!(7.7),
            ]),
        )
            .prop_map(|(q, qs, p, ps, rate)| line(Decimal::new(q, qs), Decimal::new(p, ps), rate))
    }

    proptest! {
        #[test]
        fn the_vat_breakdown_sums_to_the_document_totals(
            lines in prop::collection::vec(arb_line(), 0..40),
            per_line in any::<bool>(),
        ) {
            let rounding = if per_line { TaxRounding::PerLine } else { TaxRounding::PerDocument };
            let t = compute(&draft("EUR", rounding, lines)).unwrap();
            let taxable = Money::sum(t.line_net_total.currency(), t.vat.iter().map(|v| v.taxable)).unwrap();
            let tax = Money::sum(t.tax_total.currency(), t.vat.iter().map(|v| v.tax)).unwrap();
            prop_assert_eq!(taxable, t.tax_exclusive);
            prop_assert_eq!(tax, t.tax_total);
            prop_assert_eq!(t.tax_exclusive.checked_add(t.tax_total).unwrap(), t.tax_inclusive);
            prop_assert_eq!(t.line_net_total, Money::sum(t.line_net_total.currency(), t.line_nets.iter().copied()).unwrap());
        }

        #[test]
        fn per_document_vat_is_within_half_a_cent_per_line_of_per_line_vat(
            lines in prop::collection::vec(arb_line(), 1..40),
        ) {
            let n = Decimal::from(lines.len());
            let a = compute(&draft("EUR", TaxRounding::PerDocument, lines.clone())).unwrap();
            let b = compute(&draft("EUR", TaxRounding::PerLine, lines)).unwrap();
            let diff = (a.tax_total.amount() - b.tax_total.amount()).abs();
            prop_assert!(diff <= dec!(0.005) * n + dec!(0.005));
        }
    }
}
