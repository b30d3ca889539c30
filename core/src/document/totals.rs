//! The totals of a draft, as the editor shows them and the server stores them.
//!
//! A draft is computed through the one EN 16931 engine ([`super::en16931::compute`]); this module only
//! presents the result in the draft's terms.

use serde::{Deserialize, Serialize};

use rust_decimal::Decimal;

use super::en16931::{
    self, AllowanceCharge, Document, DocumentKind, LineNetBasis, PayableRounding, Price, VatClass,
};
use super::parts::{Adjustment, DocumentAdjustment, Exemption};
use super::{InvoiceDraft, InvoiceLine};
use crate::money::{Currency, Money};
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

impl InvoiceLine {
    /// The line in the standard's terms; `id` is BT-126.
    pub fn to_line(&self, id: String) -> en16931::Line {
        let adjustments = |list: &[Adjustment]| {
            list.iter()
                .map(|a| a.to_allowance_charge(None, None))
                .collect()
        };
        en16931::Line {
            id,
            name: self.description.clone(),
            quantity: self.quantity,
            unit_code: self.unit_code.clone(),
            price: Price {
                net: self.unit_price,
                base_quantity: self.price_base_quantity,
                gross: self.gross_price,
                discount: self.price_discount,
            },
            allowances: adjustments(&self.allowances),
            charges: adjustments(&self.charges),
            vat: VatClass {
                category: self.tax_category,
                rate: Some(self.tax_rate),
            },
            exemption_reason: self
                .exemption
                .as_ref()
                .map(Exemption::reason)
                .unwrap_or_default(),
            exemption_code: self
                .exemption
                .as_ref()
                .map(|e| e.code.trim().to_owned())
                .unwrap_or_default(),
            period: self.period,
            ..en16931::Line::default()
        }
    }
}

impl InvoiceDraft {
    /// The draft in the standard's terms. A document-level percentage is taken of the line nets in its
    /// VAT category and rate.
    pub fn to_document(&self) -> Document {
        let lines: Vec<en16931::Line> = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| l.to_line((i + 1).to_string()))
            .collect();
        let document_level = |list: &[DocumentAdjustment]| -> Vec<AllowanceCharge> {
            list.iter()
                .map(|a| {
                    let base = a
                        .adjustment
                        .percent
                        .map(|_| group_net(&lines, a.vat(), self.currency));
                    a.adjustment.to_allowance_charge(base, Some(a.vat()))
                })
                .collect()
        };
        let payable_rounding = match self.currency.cash_increment() {
            Some(increment) if self.cash_rounding => PayableRounding::ToIncrement(increment),
            _ => PayableRounding::None,
        };
        Document {
            kind: DocumentKind::Invoice,
            currency: self.currency,
            price_basis: self.price_basis,
            tax_rounding: self.tax_rounding,
            allowances: document_level(&self.allowances),
            charges: document_level(&self.charges),
            lines,
            prepaid: self.prepaid,
            payable_rounding,
        }
    }
}

/// The sum of the line nets in one VAT category and rate. A line whose net cannot be computed adds
/// nothing here; computing the document reports it, naming the line.
fn group_net(lines: &[en16931::Line], vat: VatClass, currency: Currency) -> Decimal {
    lines
        .iter()
        .filter(|l| l.vat == vat)
        .filter_map(|l| l.computed_net(currency, "").ok())
        .fold(Decimal::ZERO, |sum, net| {
            sum.checked_add(net.amount()).unwrap_or(sum)
        })
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
    use crate::document::parts::{Adjustment, DocumentAdjustment, Exemption};
    use crate::document::{InvoiceLine, TaxRounding};
    use crate::money::{Currency, Rounding};
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

    #[test]
    fn an_old_stored_draft_decodes_with_the_new_fields_empty_and_writes_the_same_bytes() {
        let old = r#"{"id":"019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f","organisation_id":"019a4d5e-0000-7000-8000-000000000001","customer_id":"019a4d5e-0000-7000-8000-000000000002","currency":"NOK","issue_date":"2026-11-23","due_date":"2026-12-07","tax_rounding":"per_document","lines":[{"description":"Net repair","quantity":"4","unit_price":"250","tax_category":"S","tax_rate":"25"}],"note":"","version":0}"#;
        let d: InvoiceDraft = serde_json::from_str(old).unwrap();
        assert_eq!(d.lines[0].unit_code, "C62");
        assert_eq!(
            (d.prepaid, d.cash_rounding, d.delivery),
            (Decimal::ZERO, false, None)
        );
        assert!(d.allowances.is_empty() && d.lines[0].allowances.is_empty());
        assert_eq!(serde_json::to_string(&d).unwrap(), old);
    }

    fn adjustment(amount: Option<Decimal>, percent: Option<Decimal>, reason: &str) -> Adjustment {
        Adjustment {
            amount,
            percent,
            reason_code: String::new(),
            reason: reason.into(),
        }
    }

    fn document_adjustment(percent: Decimal, rate: Decimal) -> DocumentAdjustment {
        DocumentAdjustment {
            adjustment: adjustment(None, Some(percent), "Volume discount"),
            tax_category: TaxCategory::S,
            tax_rate: TaxRate::new(rate).unwrap(),
        }
    }

    #[test]
    fn line_and_document_adjustments_list_prices_and_prepaid_reach_the_totals() {
        let mut a = line(dec!(10), dec!(18), dec!(25));
        a.gross_price = Some(dec!(20));
        a.price_discount = Some(dec!(2));
        a.allowances
            .push(adjustment(None, Some(dec!(10)), "Loyalty"));
        a.charges.push(adjustment(Some(dec!(5)), None, "Packing"));
        let mut b = line(dec!(3), dec!(100), dec!(12));
        b.price_base_quantity = Some(dec!(2));
        let mut d = draft("SEK", TaxRounding::PerDocument, vec![a, b]);
        d.allowances.push(document_adjustment(dec!(3), dec!(25)));
        d.charges.push(DocumentAdjustment {
            adjustment: Adjustment {
                reason_code: "FC".into(),
                ..adjustment(Some(dec!(50)), None, "")
            },
            tax_category: TaxCategory::S,
            tax_rate: TaxRate::new(dec!(12)).unwrap(),
        });
        d.prepaid = dec!(100);
        d.cash_rounding = true;
        assert_eq!(d.validate(), Ok(()));
        let t = compute(&d).unwrap();
        // A: 180 − 18 + 5 = 167; B: 3 × 100 ÷ 2 = 150. S25: 167 − 3 % = 167 − 5.01 = 161.99 → 40.50 (40.4975);
        // S12: 150 + 50 = 200 → 24. 361.99 + 64.50 = 426.49 − 100 prepaid = 326.49 → 326 in SEK cash.
        let lines: Vec<_> = t.line_nets.iter().map(Money::amount).collect();
        assert_eq!(lines, vec![dec!(167.00), dec!(150.00)]);
        assert_eq!(t.tax_exclusive.amount(), dec!(361.99));
        assert_eq!(t.tax_total.amount(), dec!(64.50));
        assert_eq!(t.amount_due.amount(), dec!(326.00));
    }

    #[test]
    fn new_line_and_document_fields_name_the_field_that_breaks_a_rule() {
        type Edit = fn(&mut InvoiceDraft);
        let cases: [(Edit, &str); 9] = [
            (
                |d| d.lines[0].unit_code = "hour".into(),
                "lines[0].unit_code",
            ),
            (
                |d| d.lines[0].price_base_quantity = Some(dec!(0)),
                "lines[0].price_base_quantity",
            ),
            (
                |d| d.lines[0].gross_price = Some(dec!(12)),
                "lines[0].unit_price",
            ),
            (
                |d| d.lines[0].price_discount = Some(dec!(1)),
                "lines[0].gross_price",
            ),
            (
                |d| d.lines[0].charges.push(adjustment(Some(dec!(1)), None, "")),
                "lines[0].charges[0].reason",
            ),
            (
                |d| {
                    d.lines[0].exemption = Some(Exemption {
                        code: String::new(),
                        text: "Exempt".into(),
                    })
                },
                "lines[0].exemption",
            ),
            (|d| d.prepaid = dec!(0.001), "prepaid"),
            (
                |d| d.currency = Currency::parse("EUR").unwrap(),
                "cash_rounding",
            ),
            (
                |d| d.allowances.push(document_adjustment(dec!(3), dec!(0))),
                "allowances[0].tax_rate",
            ),
        ];
        for (edit, field) in cases {
            let mut d = draft(
                "CHF",
                TaxRounding::PerDocument,
                vec![line(dec!(1), dec!(10), dec!(8.1))],
            );
            d.cash_rounding = true;
            assert_eq!(d.validate(), Ok(()));
            edit(&mut d);
            assert_eq!(d.validate().unwrap_err().field, field);
        }
    }

    #[test]
    fn issuing_needs_the_exemption_reason_a_category_requires() {
        let mut exempt = line(dec!(1), dec!(10), dec!(0));
        exempt.tax_category = TaxCategory::E;
        let mut d = draft(
            "EUR",
            TaxRounding::PerDocument,
            vec![line(dec!(1), dec!(1), dec!(19)), exempt],
        );
        assert_eq!(d.validate(), Ok(()), "a draft may be unfinished");
        assert_eq!(d.check_complete().unwrap_err().field, "lines[1].exemption");
        d.lines[1].exemption = Some(Exemption {
            code: "VATEX-EU-132-1I".into(),
            text: String::new(),
        });
        assert_eq!(d.check_complete(), Ok(()));
        assert_eq!(d.to_document().lines[1].exemption_reason, "VATEX-EU-132-1I");
    }

    #[test]
    fn chosen_terms_give_the_due_date_the_discount_and_each_instalment() {
        use crate::terms::{EarlyPaymentDiscount, Instalment, PaymentPlan, PaymentTerms};
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let mut d = draft(
            "EUR",
            TaxRounding::PerDocument,
            vec![line(dec!(1), dec!(1000), dec!(19))],
        );
        d.terms = Some(PaymentPlan {
            discount: Some(EarlyPaymentDiscount {
                percent: dec!(2),
                days: 10,
                vat: Default::default(),
            }),
            ..PaymentPlan::single(PaymentTerms::Net { days: 30 })
        });
        // Issued 2026-11-23: 2/10 net 30 is due 2026-12-23, 2 % off until 2026-12-03.
        assert_eq!(d.validate().unwrap_err().field, "due_date");
        d.due_date = day(12, 23);
        assert_eq!(d.validate(), Ok(()));
        let preview = d.payment_schedule().unwrap().unwrap();
        assert_eq!(preview.due_date, day(12, 23));
        assert_eq!(preview.instalments.len(), 1);
        let (until, discount) = preview.instalments[0].discount.unwrap();
        assert_eq!((until, discount.amount()), (day(12, 3), dec!(23.80)));
        assert_eq!(d.payment_plan().unwrap(), d.terms.clone().unwrap());

        d.terms = Some(PaymentPlan {
            instalments: vec![
                Instalment {
                    percent: dec!(50),
                    terms: PaymentTerms::Net { days: 14 },
                },
                Instalment {
                    percent: dec!(50),
                    terms: PaymentTerms::EndOfFollowingMonth,
                },
            ],
            discount: None,
        });
        d.due_date = day(12, 31);
        let preview = d.payment_schedule().unwrap().unwrap();
        let rows: Vec<_> = preview
            .instalments
            .iter()
            .map(|p| (p.due_date, p.amount.amount()))
            .collect();
        assert_eq!(
            rows,
            vec![(day(12, 7), dec!(595.00)), (day(12, 31), dec!(595.00))]
        );

        // Without terms (a draft saved before they could be chosen): net the days to the due date.
        d.terms = None;
        assert_eq!(d.payment_schedule(), Ok(None));
        assert_eq!(
            d.payment_plan().unwrap(),
            PaymentPlan::single(PaymentTerms::Net { days: 38 })
        );
    }

    #[test]
    fn split_payment_is_not_mixed_with_standard_rate() {
        let mut b = line(dec!(1), dec!(100), dec!(22));
        b.tax_category = TaxCategory::B;
        let mut d = draft("EUR", TaxRounding::PerDocument, vec![b.clone(), b]);
        assert_eq!(d.validate(), Ok(()));
        assert_eq!(compute(&d).unwrap().tax_total.amount(), dec!(44.00));
        d.lines.push(line(dec!(1), dec!(1), dec!(22)));
        assert_eq!(d.validate().unwrap_err().field, "lines[2].tax_category");
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
        fn document_adjustments_land_in_their_vat_group_and_bt109_holds(
            lines in prop::collection::vec(arb_line(), 1..20),
            allowance in 0i64..50,
            charge in 0i64..1_000_000,
            rate in prop::sample::select(vec![dec!(5), dec!(19)]),
            cash in any::<bool>(),
        ) {
            let mut d = draft("CHF", TaxRounding::PerDocument, lines);
            d.allowances.push(document_adjustment(Decimal::from(allowance), rate));
            d.charges.push(DocumentAdjustment {
                adjustment: adjustment(Some(Decimal::new(charge, 2)), None, "Freight"),
                tax_category: TaxCategory::S,
                tax_rate: TaxRate::new(dec!(7)).unwrap(),
            });
            d.cash_rounding = cash;
            let doc = d.to_document();
            let t = en16931::compute(&doc, LineNetBasis::Computed).unwrap();
            let chf = d.currency;
            let group = |r: Decimal| t.vat.iter().find(|v| v.category == TaxCategory::S && v.rate.map(TaxRate::percent) == Some(r));
            let lines_in = |r: Decimal| Money::sum(chf, doc.lines.iter().zip(&t.lines)
                .filter(|(l, _)| l.vat.percent() == r).map(|(_, lt)| lt.used)).unwrap();
            // The allowance is taken from its own group only, the charge added to its own group only.
            let allowed = lines_in(rate).checked_sub(group(rate).unwrap().taxable).unwrap();
            prop_assert_eq!(allowed, t.allowance_total);
            let charged = group(dec!(7)).unwrap().taxable.checked_sub(lines_in(dec!(7))).unwrap();
            prop_assert_eq!(charged, t.charge_total);
            prop_assert_eq!(
                t.line_net_total.checked_sub(t.allowance_total).unwrap().checked_add(t.charge_total).unwrap(),
                t.tax_exclusive
            );
            prop_assert_eq!(Money::sum(chf, t.vat.iter().map(|v| v.taxable)).unwrap(), t.tax_exclusive);
            if cash {
                prop_assert!((t.amount_due.amount() % dec!(0.05)).is_zero());
                prop_assert!(t.rounding.amount().abs() <= dec!(0.025));
            }
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
