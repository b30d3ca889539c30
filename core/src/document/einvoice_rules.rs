//! What the official EN 16931 rules require of an issued document beyond its shape, checked on the
//! snapshot an issue would freeze: every invoice Remit issues can be sent as an e-invoice the receiving
//! system accepts (the CEN validation artefacts report no fatal rule).
//!
//! Each refusal names the field where the value is entered — the organisation's settings
//! (`settings.seller.tax_id`, `settings.bank_account`), the customer (`customer.tax_id`) or the draft
//! (`draft.delivery`, `draft.lines[2].tax_category`) — and the rule it breaks, in words.
//!
//! The rules enforced here: BR-CO-09 (VAT identifiers start with a country code), BR-CO-26 (the seller
//! is identified), BR-S-02, BR-Z-02, BR-E-02, BR-G-02, BR-AF-02, BR-AG-02 (the seller's VAT identifier
//! on a document with VAT), BR-AE-02 and BR-IC-02 (both VAT identifiers on reverse charge and
//! intra-community supply), BR-IC-11 (the delivery of an intra-community supply), BR-O-02 (no VAT
//! identifier outside the scope of VAT) and BR-O-11 (no other category beside O), BR-B-01 (split
//! payment only in Italy), BR-AF-05 and BR-AF-06 as the CII artefacts check them (IGIC above 0 %),
//! the exemption reason of each category's VAT breakdown (BR-E-10, BR-AE-10,
//! BR-IC-10, BR-G-10, BR-O-10), BR-61 (credit transfer names the account), the BR-DEC rules (at most
//! two decimals in an amount) and BR-CO-17 with BR-S-09 (VAT rounded per line stays within one unit of
//! the category's taxable amount × rate).

use rust_decimal::Decimal;

use super::en16931::{AllowanceCharge, DOCUMENT_ROUNDING, DocumentKind};
use super::issue::{Party, Snapshot};
use crate::codes;
use crate::money::{Currency, Money};
use crate::tax::TaxCategory;
use crate::validation::{Rule, ValidationError};

const SELLER_VAT: &str = "settings.seller.tax_id";
const BUYER_VAT: &str = "customer.tax_id";

fn refuse(field: impl Into<String>, expected: impl Into<String>) -> ValidationError {
    ValidationError::new(
        field,
        Rule::Matches {
            expected: expected.into(),
        },
    )
}

/// A VAT category on the document, where it was entered.
struct Use<'a> {
    field: String,
    category: TaxCategory,
    percent: Decimal,
    allowance: Option<&'a AllowanceCharge>,
}

fn uses(snapshot: &Snapshot) -> Vec<Use<'_>> {
    let doc = &snapshot.document;
    let lines = doc.lines.iter().enumerate().map(|(i, l)| Use {
        field: format!("draft.lines[{i}].tax_category"),
        category: l.vat.category,
        percent: l.vat.percent(),
        allowance: None,
    });
    let adjustments = [("allowances", &doc.allowances), ("charges", &doc.charges)]
        .into_iter()
        .flat_map(|(name, list)| {
            list.iter().enumerate().map(move |(i, a)| Use {
                field: format!("draft.{name}[{i}].tax_category"),
                category: a.vat.map(|v| v.category).unwrap_or_default(),
                percent: a.vat.map(|v| v.percent()).unwrap_or_default(),
                allowance: Some(a),
            })
        });
    lines.chain(adjustments).collect()
}

/// Checks an invoice or credit note about to be issued against the EN 16931 rules core would otherwise
/// let through; the first broken rule is reported.
pub fn check(snapshot: &Snapshot) -> Result<(), ValidationError> {
    check_parties(snapshot)?;
    check_categories(snapshot)?;
    check_exemptions(snapshot)?;
    check_payment(snapshot)?;
    check_amounts(snapshot)
}

fn check_parties(snapshot: &Snapshot) -> Result<(), ValidationError> {
    let gaps = seller_gaps(&snapshot.seller).into_iter();
    match gaps.chain(buyer_gaps(&snapshot.buyer)).next() {
        Some(gap) => Err(gap),
        None => Ok(()),
    }
}

/// BR-CO-09: a VAT identifier, when given, starts with its country's code.
fn vat_prefix(field: &str, vat_id: &str) -> Option<ValidationError> {
    let vat_id = vat_id.trim();
    (!vat_id.is_empty() && !codes::has_vat_prefix(vat_id)).then(|| {
        refuse(
            field,
            "a VAT identifier beginning with its country code, such as NO999999999MVA (BR-CO-09)",
        )
    })
}

/// Every rule of the seller alone that the organisation's settings break, each naming its field: what
/// the settings screen flags before any invoice is issued (issuing refuses the first of them).
pub fn seller_gaps(seller: &Party) -> Vec<ValidationError> {
    let mut gaps: Vec<_> = vat_prefix(SELLER_VAT, &seller.tax_id).into_iter().collect();
    if seller.tax_id.trim().is_empty() && seller.legal_id.trim().is_empty() {
        gaps.push(refuse(
            SELLER_VAT,
            "given, or the seller's legal registration identifier (settings.seller.legal_id): an \
             e-invoice identifies its seller by one of them (BR-CO-26)",
        ));
    }
    gaps
}

/// Every rule of the buyer alone that a customer breaks, naming its field: what the customer screen
/// flags before the customer is invoiced (issuing refuses the first of them).
pub fn buyer_gaps(buyer: &Party) -> Vec<ValidationError> {
    vat_prefix(BUYER_VAT, &buyer.tax_id).into_iter().collect()
}

fn check_categories(snapshot: &Snapshot) -> Result<(), ValidationError> {
    let uses = uses(snapshot);
    let seller_vat = !snapshot.seller.tax_id.trim().is_empty();
    let buyer_vat = !snapshot.buyer.tax_id.trim().is_empty();
    if uses.iter().any(|u| u.category == TaxCategory::O) {
        return check_outside_scope(&uses, seller_vat, buyer_vat);
    }
    for u in &uses {
        let c = u.category;
        let (needs_seller, needs_buyer, rule, what) = match c {
            TaxCategory::S => (true, false, "BR-S-02", "standard-rated (S)"),
            TaxCategory::Z => (true, false, "BR-Z-02", "zero-rated (Z)"),
            TaxCategory::E => (true, false, "BR-E-02", "VAT-exempt (E)"),
            TaxCategory::G => (true, false, "BR-G-02", "export (G)"),
            TaxCategory::L => (true, false, "BR-AF-02", "IGIC (L)"),
            TaxCategory::M => (true, false, "BR-AG-02", "IPSI (M)"),
            TaxCategory::AE => (true, true, "BR-AE-02", "reverse-charge (AE)"),
            TaxCategory::K => (true, true, "BR-IC-02", "intra-community (K)"),
            TaxCategory::B | TaxCategory::O => (false, false, "", ""),
        };
        if needs_seller && !seller_vat {
            return Err(refuse(
                SELLER_VAT,
                format!(
                    "given: a document with {what} VAT states the seller's VAT identifier ({rule})"
                ),
            ));
        }
        if c == TaxCategory::L && u.percent.is_zero() {
            return Err(refuse(
                u.field.replace("tax_category", "tax_rate"),
                "greater than zero: EN 16931 allows IGIC (L) at 0 %, but the official rules for \
                 CII reject it (BR-AF-05, BR-AF-06)",
            ));
        }
        if needs_buyer && !buyer_vat {
            return Err(refuse(
                BUYER_VAT,
                format!(
                    "given: a document with {what} VAT states the buyer's VAT identifier ({rule})"
                ),
            ));
        }
    }
    if uses.iter().any(|u| u.category == TaxCategory::K) {
        let delivery = snapshot.references.delivery;
        if snapshot.kind == DocumentKind::Invoice
            && delivery.is_none_or(|d| d.date.is_none() && d.period.is_none())
        {
            return Err(refuse(
                "draft.delivery",
                "given (a delivery date or period): an intra-community supply (K) states when it \
                 was delivered (BR-IC-11)",
            ));
        }
    }
    if uses.iter().any(|u| u.category == TaxCategory::B) {
        for (field, country) in [
            (
                "settings.seller.address.country",
                &snapshot.seller.address.country,
            ),
            ("customer.address.country", &snapshot.buyer.address.country),
        ] {
            if country != "IT" {
                return Err(refuse(
                    field,
                    "IT: split payment (B) is for Italian invoices only (BR-B-01)",
                ));
            }
        }
    }
    Ok(())
}

/// A document outside the scope of VAT (O) has no other category and states no VAT identifier.
fn check_outside_scope(
    uses: &[Use<'_>],
    seller_vat: bool,
    buyer_vat: bool,
) -> Result<(), ValidationError> {
    if let Some(u) = uses.iter().find(|u| u.category != TaxCategory::O) {
        return Err(refuse(
            &u.field,
            "O like the rest of the document: a document outside the scope of VAT has no other VAT \
             category (BR-O-11)",
        ));
    }
    for (field, present) in [(SELLER_VAT, seller_vat), (BUYER_VAT, buyer_vat)] {
        if present {
            return Err(refuse(
                field,
                "empty: a document outside the scope of VAT (O) states no VAT identifier; the seller \
                 is identified by its legal registration identifier (BR-O-02)",
            ));
        }
    }
    Ok(())
}

/// Each VAT breakdown of a category that needs an exemption reason takes it from its lines: a document
/// allowance or charge in such a category and rate needs a line of the same that states one.
fn check_exemptions(snapshot: &Snapshot) -> Result<(), ValidationError> {
    let doc = &snapshot.document;
    for u in uses(snapshot) {
        let Some(vat) = u.allowance.and_then(|a| a.vat) else {
            continue;
        };
        if !vat.category.requires_exemption() {
            continue;
        }
        let stated = doc
            .lines
            .iter()
            .any(|l| l.vat == vat && !l.exemption_reason.trim().is_empty());
        if !stated {
            let rule = vat.category.rules().exemption_rule.unwrap_or_default();
            return Err(refuse(
                u.field,
                format!(
                    "the VAT category and rate of a line that states its exemption reason: the VAT \
                     breakdown of category {} needs one ({rule})",
                    vat.category
                ),
            ));
        }
    }
    Ok(())
}

fn check_payment(snapshot: &Snapshot) -> Result<(), ValidationError> {
    let r = &snapshot.references;
    let code = r.payment_means_code.trim();
    if matches!(code, "30" | "58") && r.bank_account.is_none() {
        return Err(refuse(
            "settings.bank_account",
            format!(
                "given: payment means {code} (credit transfer) names the account to pay to (BR-61)"
            ),
        ));
    }
    Ok(())
}

fn check_amounts(snapshot: &Snapshot) -> Result<(), ValidationError> {
    let two_decimals = |field: &str, currency: Currency, rule: &str| {
        if currency.minor_units() > 2 {
            Err(refuse(
                field,
                format!(
                    "a currency of at most two decimals: EN 16931 states amounts with two decimals at \
                     most, and {currency} has {} ({rule})",
                    currency.minor_units()
                ),
            ))
        } else {
            Ok(())
        }
    };
    two_decimals("draft.currency", snapshot.document.currency, "BR-DEC-09")?;
    if let Some(accounting) = &snapshot.references.accounting {
        two_decimals(
            "settings.accounting_currency",
            accounting.currency,
            "BR-DEC-15",
        )?;
    }
    let currency = snapshot.document.currency;
    for v in &snapshot.totals.vat {
        let percent = v.rate.map(|r| r.percent()).unwrap_or_default();
        let exact = v
            .taxable
            .amount()
            .abs()
            .checked_mul(percent)
            .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED))
            .ok_or_else(|| ValidationError::new("draft", Rule::Overflow))?;
        let expected = Money::rounded(exact, currency, DOCUMENT_ROUNDING).amount();
        if (v.tax.amount().abs() - expected).abs() >= Decimal::ONE {
            return Err(refuse(
                "draft.tax_rounding",
                format!(
                    "per document: rounded per line, the VAT of category {} at {percent} % is {} \
                     where the taxable amount × rate gives {expected}, one unit or more apart \
                     (BR-CO-17)",
                    v.category,
                    v.tax.amount()
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    use super::*;
    use crate::bank::BankAccount;
    use crate::document::issue::Address;
    use crate::document::parts::{Delivery, Exemption};
    use crate::document::{InvoiceDraft, TaxRounding};
    use crate::fixtures;
    use crate::numbering::InvoiceNumber;
    use crate::tax::TaxRate;
    use crate::terms::{PaymentPlan, PaymentTerms};

    fn party(tax_id: &str, country: &str) -> Party {
        Party {
            name: "Fjord Consulting AS".into(),
            tax_id: tax_id.into(),
            legal_id: String::new(),
            address: Address {
                country: country.into(),
                ..Address::default()
            },
        }
    }

    fn line(category: TaxCategory, rate: Decimal) -> crate::document::InvoiceLine {
        let mut l = fixtures::line("Work", dec!(1), dec!(100), rate);
        l.tax_category = category;
        if category.requires_exemption() {
            l.exemption = Some(Exemption {
                code: String::new(),
                text: "Reason".into(),
            });
        }
        l
    }

    fn issue(draft: &InvoiceDraft, seller: Party, buyer: Party) -> Snapshot {
        Snapshot::issue(
            draft,
            InvoiceNumber::parse("INV-1").unwrap(),
            seller,
            buyer,
            PaymentPlan::single(PaymentTerms::DueOnReceipt),
        )
        .unwrap()
    }

    fn refusal(s: &Snapshot) -> (String, String) {
        let e = check(s).unwrap_err();
        let rule = e.to_string();
        let id = rule
            .rsplit_once('(')
            .map(|(_, id)| id.trim_end_matches(')').to_owned())
            .unwrap_or(rule);
        (e.field, id)
    }

    fn standard() -> InvoiceDraft {
        fixtures::draft("NOK", vec![line(TaxCategory::S, dec!(25))])
    }

    #[test]
    fn a_complete_standard_rated_invoice_passes() {
        let s = issue(&standard(), party("NO999999999MVA", "NO"), party("", "NO"));
        assert_eq!(check(&s), Ok(()));
    }

    #[test]
    #[allow(clippy::too_many_lines, reason = "one case per rule, in a table")]
    fn each_rule_the_official_validation_would_break_is_refused_naming_field_and_rule() {
        let seller = || party("NO999999999MVA", "NO");
        let buyer = || party("", "NO");
        let with = |category, rate| fixtures::draft("EUR", vec![line(category, rate)]);
        let legal_only = Party {
            legal_id: "999999999".into(),
            ..party("", "NO")
        };
        let mut cases: Vec<(Snapshot, &str, &str)> = vec![
            (
                issue(&standard(), party("999999999", "NO"), buyer()),
                SELLER_VAT,
                "BR-CO-09",
            ),
            (
                issue(&standard(), seller(), party("123", "NO")),
                BUYER_VAT,
                "BR-CO-09",
            ),
            (
                issue(&with(TaxCategory::O, dec!(0)), party("", "NO"), buyer()),
                SELLER_VAT,
                "BR-CO-26",
            ),
            (
                issue(&standard(), legal_only.clone(), buyer()),
                SELLER_VAT,
                "BR-S-02",
            ),
            (
                issue(&with(TaxCategory::Z, dec!(0)), legal_only.clone(), buyer()),
                SELLER_VAT,
                "BR-Z-02",
            ),
            (
                issue(&with(TaxCategory::AE, dec!(0)), seller(), buyer()),
                BUYER_VAT,
                "BR-AE-02",
            ),
            (
                issue(&with(TaxCategory::K, dec!(0)), seller(), buyer()),
                BUYER_VAT,
                "BR-IC-02",
            ),
            (
                issue(
                    &with(TaxCategory::K, dec!(0)),
                    seller(),
                    party("DE123456789", "DE"),
                ),
                "draft.delivery",
                "BR-IC-11",
            ),
            (
                issue(&with(TaxCategory::O, dec!(0)), seller(), buyer()),
                SELLER_VAT,
                "BR-O-02",
            ),
            (
                issue(
                    &with(TaxCategory::O, dec!(0)),
                    legal_only.clone(),
                    party("NO123456789", "NO"),
                ),
                BUYER_VAT,
                "BR-O-02",
            ),
            (
                issue(
                    &fixtures::draft(
                        "EUR",
                        vec![line(TaxCategory::O, dec!(0)), line(TaxCategory::Z, dec!(0))],
                    ),
                    legal_only,
                    buyer(),
                ),
                "draft.lines[1].tax_category",
                "BR-O-11",
            ),
            (
                issue(&with(TaxCategory::L, dec!(0)), seller(), buyer()),
                "draft.lines[0].tax_rate",
                "BR-AF-05, BR-AF-06",
            ),
            (
                issue(&with(TaxCategory::B, dec!(22)), seller(), buyer()),
                "settings.seller.address.country",
                "BR-B-01",
            ),
            (
                issue(
                    &fixtures::draft("KWD", vec![line(TaxCategory::S, dec!(5))]),
                    seller(),
                    buyer(),
                ),
                "draft.currency",
                "BR-DEC-09",
            ),
        ];
        let mut charge = with(TaxCategory::S, dec!(25));
        charge
            .charges
            .push(crate::document::parts::DocumentAdjustment {
                adjustment: crate::document::parts::Adjustment {
                    amount: Some(dec!(5)),
                    reason: "Handling".into(),
                    ..Default::default()
                },
                tax_category: TaxCategory::E,
                tax_rate: TaxRate::new(dec!(0)).unwrap(),
            });
        cases.push((
            issue(&charge, seller(), buyer()),
            "draft.charges[0].tax_category",
            "BR-E-10",
        ));
        // Eleven lines of 1 JPY at 25 %: 0.25 each rounds to 0 per line, 2.75 → 3 over the group.
        let mut per_line = fixtures::draft(
            "JPY",
            (0..11)
                .map(|_| fixtures::line("Pin", dec!(1), dec!(1), dec!(25)))
                .collect(),
        );
        per_line.tax_rounding = TaxRounding::PerLine;
        cases.push((
            issue(&per_line, seller(), buyer()),
            "draft.tax_rounding",
            "BR-CO-17",
        ));
        let mut credit_transfer = issue(&standard(), seller(), buyer());
        credit_transfer.references.payment_means_code = "30".into();
        cases.push((credit_transfer.clone(), "settings.bank_account", "BR-61"));
        for (snapshot, field, rule) in cases {
            assert_eq!(refusal(&snapshot), (field.to_owned(), rule.to_owned()));
        }
        credit_transfer.references.bank_account = Some(BankAccount {
            iban: "NO9386011117947".into(),
            bic: String::new(),
            name: "Fjord Consulting AS".into(),
        });
        assert_eq!(check(&credit_transfer), Ok(()));
    }

    #[test]
    fn an_intra_community_supply_with_both_vat_ids_and_a_delivery_passes() {
        let mut d = fixtures::draft("EUR", vec![line(TaxCategory::K, dec!(0))]);
        d.delivery = Some(Delivery {
            date: NaiveDate::from_ymd_opt(2026, 11, 20),
            period: None,
        });
        let s = issue(
            &d,
            party("NO999999999MVA", "NO"),
            party("DE123456789", "DE"),
        );
        assert_eq!(check(&s), Ok(()));
    }

    #[test]
    fn the_screens_flag_every_party_gap_that_issuing_would_refuse() {
        let fields = |gaps: Vec<ValidationError>| -> Vec<String> {
            gaps.into_iter().map(|g| g.field).collect()
        };
        assert!(seller_gaps(&party("NO999999999MVA", "NO")).is_empty());
        assert_eq!(fields(seller_gaps(&party("999999999", "NO"))), [SELLER_VAT]);
        let mut unidentified = party("", "NO");
        assert_eq!(fields(seller_gaps(&unidentified)), [SELLER_VAT]);
        unidentified.legal_id = "999999999".into();
        assert!(
            seller_gaps(&unidentified).is_empty(),
            "identified by BR-CO-26's other way"
        );
        assert!(buyer_gaps(&party("", "DE")).is_empty());
        assert_eq!(fields(buyer_gaps(&party("123456789", "DE"))), [BUYER_VAT]);
    }
}
