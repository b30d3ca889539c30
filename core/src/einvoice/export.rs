//! Remit's own issued documents as e-invoices: an issued [`Snapshot`] in the EN 16931 model, written
//! as UBL 2.1 or CII with the same writers that write back what was read.
//!
//! Everything is taken from the snapshot — parties, lines, totals, plan, references — so an export
//! states exactly the numbers the issued document states; nothing is recomputed differently and no
//! clock or setting is read.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{
    DeliveryInfo, EInvoice, Header, InvoicePeriod, MAX_ADDRESS_LINES, Party, Payment,
    PaymentAccount, PrecedingInvoice, StatedTotals, StatedVat, Syntax, to_cii, to_ubl,
};
use crate::document::en16931::{
    AllowanceCharge, DOCUMENT_ROUNDING, Document, DocumentKind, Line, PayableRounding, VatClass,
};
use crate::document::issue::{self, Snapshot};
use crate::money::{Currency, Money};
use crate::tax::{TaxCategory, TaxRate};
use crate::terms::ScheduledPayment;
use crate::validation::ValidationError;

/// BT-24: the EN 16931 core specification, without extensions.
pub const EN16931: &str = "urn:cen.eu:en16931:2017";

/// UNCL4461 30, credit transfer: the means an invoice names when the seller gave a bank account but
/// chose no payment means.
pub const CREDIT_TRANSFER: &str = "30";

/// UNCL4461 1, instrument not defined: the means an invoice names when it carries a payment reference
/// (BT-83, which UBL states inside the payment means) but neither a chosen means nor a bank account.
pub const MEANS_NOT_DEFINED: &str = "1";

/// Why an issued document could not be exported as an e-invoice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// A VAT category that needs an exemption reason (BT-120, rule -10 of the category) has no line
    /// stating one: a snapshot issued before core required it.
    #[error("the VAT breakdown of category {category} needs an exemption reason ({rule})")]
    MissingExemptionReason {
        category: TaxCategory,
        rule: &'static str,
    },
    /// An amount of the snapshot cannot be resolved (an allowance without amount or percentage, an
    /// overflow), or the document cannot be expressed in EN 16931 (taxes besides VAT).
    #[error("the issued document cannot be written as an e-invoice: {0}")]
    Document(#[source] ValidationError),
}

/// An issued invoice or credit note, as UBL 2.1.
pub fn snapshot_to_ubl(snapshot: &Snapshot) -> Result<String, ExportError> {
    to_ubl(&from_snapshot(snapshot)?).map_err(ExportError::Document)
}

/// An issued invoice or credit note, as a CII CrossIndustryInvoice.
pub fn snapshot_to_cii(snapshot: &Snapshot) -> Result<String, ExportError> {
    to_cii(&from_snapshot(snapshot)?).map_err(ExportError::Document)
}

/// The e-invoice of an issued invoice or credit note: the parties with their postal addresses, the
/// payment instructions (means, bank account, the RF reference) and terms, the references, the delivery,
/// and every amount as the snapshot computed it — each line's net (BT-131), each allowance and charge
/// resolved to its amount, the VAT breakdown with its exemption reasons, and the totals.
pub fn from_snapshot(snapshot: &Snapshot) -> Result<EInvoice, ExportError> {
    snapshot
        .document
        .check_en16931()
        .map_err(ExportError::Document)?;
    let document = export_document(snapshot)?;
    let header = header(snapshot, &document);
    let stated = stated_totals(snapshot, &document)?;
    Ok(EInvoice {
        header,
        document,
        stated,
        assumptions: Vec::new(),
        expectation: None,
    })
}

fn non_empty(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// A party as EN 16931 states it: address lines beyond the third are joined onto the third.
fn party(p: &issue::Party) -> Party {
    let lines: Vec<String> = p
        .address
        .lines
        .iter()
        .filter_map(|l| non_empty(l))
        .collect();
    let mut address_lines: Vec<String> = lines.iter().take(MAX_ADDRESS_LINES).cloned().collect();
    if lines.len() > MAX_ADDRESS_LINES
        && let Some(last) = address_lines.last_mut()
    {
        *last = lines[MAX_ADDRESS_LINES - 1..].join(", ");
    }
    Party {
        name: non_empty(&p.name),
        vat_id: non_empty(&p.tax_id),
        legal_id: non_empty(&p.legal_id),
        address_lines,
        city: non_empty(&p.address.city),
        postcode: non_empty(&p.address.postcode),
        country: non_empty(&p.address.country),
    }
}

fn header(snapshot: &Snapshot, document: &Document) -> Header {
    let r = &snapshot.references;
    let buyer = party(&snapshot.buyer);
    let intra_community = document
        .lines
        .iter()
        .any(|l| l.vat.category == TaxCategory::K);
    let delivery = r.delivery.unwrap_or_default();
    Header {
        syntax: Syntax::Ubl,
        customization_id: Some(EN16931.to_owned()),
        number: Some(snapshot.number.as_str().to_owned()),
        issue_date: Some(snapshot.issue_date),
        due_date: match snapshot.kind {
            DocumentKind::Invoice => snapshot.schedule.iter().map(|p| p.due_date).max(),
            DocumentKind::CreditNote => None,
        },
        type_code: Some(
            match snapshot.kind {
                DocumentKind::Invoice => "380",
                DocumentKind::CreditNote => "381",
            }
            .to_owned(),
        ),
        currency: Some(document.currency),
        tax_currency: r.accounting.as_ref().map(|a| a.currency),
        tax_total_in_tax_currency: r.accounting.as_ref().map(|a| a.tax_total.amount()),
        buyer_reference: non_empty(&r.buyer_reference),
        purchase_order: non_empty(&r.purchase_order),
        delivery: DeliveryInfo {
            date: delivery.date,
            period: delivery.period.map(|p| InvoicePeriod {
                start: p.start,
                end: p.end,
            }),
            // An intra-community supply must say where the goods went (BR-IC-12): to the buyer.
            country: buyer.country.clone().filter(|_| intra_community),
        },
        payment: payment(snapshot),
        notes: non_empty(&snapshot.note).into_iter().collect(),
        preceding: snapshot
            .preceding_invoice
            .iter()
            .map(|n| PrecedingInvoice {
                number: n.as_str().to_owned(),
                issue_date: r.preceding_issue_date,
            })
            .collect(),
        seller: party(&snapshot.seller),
        buyer,
    }
}

fn payment(snapshot: &Snapshot) -> Payment {
    let r = &snapshot.references;
    let remittance = r
        .payment_reference
        .as_ref()
        .map(|reference| reference.as_str().to_owned());
    let account = r.bank_account.as_ref().map(|a| PaymentAccount {
        id: a.iban.split_whitespace().collect(),
        name: non_empty(&a.name),
        bic: non_empty(&a.bic),
    });
    let means_code = match (non_empty(&r.payment_means_code), &account, &remittance) {
        (Some(code), _, _) => Some(code),
        (None, Some(_), _) => Some(CREDIT_TRANSFER.to_owned()),
        (None, None, Some(_)) => Some(MEANS_NOT_DEFINED.to_owned()),
        (None, None, None) => None,
    };
    Payment {
        means_code,
        remittance,
        account,
        terms: Some(terms_text(snapshot.kind, &snapshot.schedule)),
    }
}

/// BT-20 in words, from the schedule the snapshot froze: each instalment's date and amount, and the
/// early-payment discount on it.
fn terms_text(kind: DocumentKind, schedule: &[ScheduledPayment]) -> String {
    if kind == DocumentKind::CreditNote {
        return "Credit note: the amount is credited to the buyer".to_owned();
    }
    schedule
        .iter()
        .map(|p| {
            let due = format!(
                "{} {} due {}",
                p.amount.amount(),
                p.amount.currency().code(),
                p.due_date
            );
            match p.discount {
                Some((until, discount)) => format!(
                    "{due}, less {} {} if paid by {until}",
                    discount.amount(),
                    discount.currency().code()
                ),
                None => due,
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The VAT class as EN 16931 states it: category O carries no rate (BR-O-05).
fn vat_class(vat: VatClass) -> VatClass {
    match vat.category {
        TaxCategory::O => VatClass {
            category: TaxCategory::O,
            rate: None,
        },
        _ => vat,
    }
}

/// An allowance or charge with its amount resolved and rounded to the currency (BT-92/BT-99 and
/// BT-136/BT-141 are required and have two decimals at most); a percentage keeps its base, rounded
/// the same way.
fn resolved(
    ac: &AllowanceCharge,
    currency: Currency,
    default_base: Option<Decimal>,
    field: &str,
) -> Result<AllowanceCharge, ExportError> {
    let amount = ac
        .resolved_amount(currency, default_base, field)
        .map_err(ExportError::Document)?;
    let base = ac
        .percent
        .and(ac.base.or(default_base))
        .map(|b| Money::rounded(b, currency, DOCUMENT_ROUNDING).amount());
    Ok(AllowanceCharge {
        amount: Some(amount.amount()),
        base,
        vat: ac.vat.map(vat_class),
        ..ac.clone()
    })
}

fn export_document(snapshot: &Snapshot) -> Result<Document, ExportError> {
    let doc = &snapshot.document;
    let currency = doc.currency;
    let lines = doc
        .lines
        .iter()
        .zip(&snapshot.totals.lines)
        .enumerate()
        .map(|(i, (line, total))| {
            let field = format!("lines[{i}]");
            let gross = line_amount(line, currency, &field)?;
            let adjust = |list: &[AllowanceCharge], name: &str| {
                list.iter()
                    .enumerate()
                    .map(|(j, ac)| {
                        resolved(ac, currency, Some(gross), &format!("{field}.{name}[{j}]"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            };
            Ok(Line {
                allowances: adjust(&line.allowances, "allowances")?,
                charges: adjust(&line.charges, "charges")?,
                vat: vat_class(line.vat),
                stated_net: Some(total.computed.amount()),
                ..line.clone()
            })
        })
        .collect::<Result<Vec<_>, ExportError>>()?;
    let document_level = |list: &[AllowanceCharge], name: &str| {
        list.iter()
            .enumerate()
            .map(|(j, ac)| resolved(ac, currency, None, &format!("{name}[{j}]")))
            .collect::<Result<Vec<_>, _>>()
    };
    let rounding = snapshot.totals.rounding;
    Ok(Document {
        lines,
        allowances: document_level(&doc.allowances, "allowances")?,
        charges: document_level(&doc.charges, "charges")?,
        // What the document states, as a reader of it would take it.
        payable_rounding: if rounding.is_zero() {
            PayableRounding::None
        } else {
            PayableRounding::Stated(rounding.amount())
        },
        ..doc.clone()
    })
}

/// quantity × price ÷ base quantity: what a line's percentage allowances and charges are taken of.
fn line_amount(line: &Line, currency: Currency, field: &str) -> Result<Decimal, ExportError> {
    let bare = Line {
        allowances: Vec::new(),
        charges: Vec::new(),
        ..line.clone()
    };
    bare.computed_net(currency, field)
        .map(|m| m.amount())
        .map_err(ExportError::Document)
}

/// The exemption reasons (BT-120) and VATEX codes (BT-121) the lines of each VAT category and rate
/// state, each once, in line order.
#[derive(Default)]
struct Exemptions<'a> {
    reasons: Vec<&'a str>,
    codes: Vec<&'a str>,
}

fn exemptions(document: &Document) -> BTreeMap<(TaxCategory, Option<TaxRate>), Exemptions<'_>> {
    let mut groups: BTreeMap<_, Exemptions> = BTreeMap::new();
    for line in &document.lines {
        let group = groups
            .entry((line.vat.category, line.vat.rate))
            .or_default();
        for (text, list) in [
            (line.exemption_reason.trim(), &mut group.reasons),
            (line.exemption_code.trim(), &mut group.codes),
        ] {
            if !text.is_empty() && !list.contains(&text) {
                list.push(text);
            }
        }
    }
    groups
}

fn stated_totals(snapshot: &Snapshot, document: &Document) -> Result<StatedTotals, ExportError> {
    let t = &snapshot.totals;
    let exemptions = exemptions(&snapshot.document);
    let vat = t
        .vat
        .iter()
        .map(|v| {
            let group = exemptions.get(&(v.category, v.rate));
            let exemption_reason = group
                .filter(|g| !g.reasons.is_empty())
                .map(|g| g.reasons.join("; "));
            // BT-121 holds one code: stated when the group's lines agree on it, the reasons say the rest.
            let exemption_code = group.and_then(|g| match g.codes.as_slice() {
                [code] => Some((*code).to_owned()),
                _ => None,
            });
            let rules = v.category.rules();
            if v.category.requires_exemption() && exemption_reason.is_none() {
                return Err(ExportError::MissingExemptionReason {
                    category: v.category,
                    rule: rules.exemption_rule.unwrap_or("EN 16931"),
                });
            }
            Ok(StatedVat {
                category: Some(v.category),
                rate: match v.category {
                    TaxCategory::O => None,
                    _ => Some(v.rate.map(TaxRate::percent).unwrap_or_default()),
                },
                taxable: Some(v.taxable.amount()),
                tax: Some(v.tax.amount()),
                exemption_reason,
                exemption_code,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let unless_zero = |m: Money| (!m.is_zero()).then(|| m.amount());
    Ok(StatedTotals {
        line_net_total: Some(t.line_net_total.amount()),
        allowance_total: (!document.allowances.is_empty()).then(|| t.allowance_total.amount()),
        charge_total: (!document.charges.is_empty()).then(|| t.charge_total.amount()),
        tax_exclusive: Some(t.tax_exclusive.amount()),
        tax_total: Some(t.tax_total.amount()),
        repeated_tax_totals: Vec::new(),
        tax_inclusive: Some(t.tax_inclusive.amount()),
        prepaid: unless_zero(t.prepaid),
        rounding: unless_zero(t.rounding),
        amount_due: Some(t.amount_due.amount()),
        vat,
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    use super::*;
    use crate::bank::BankAccount;
    use crate::document::InvoiceDraft;
    use crate::document::issue::{Address, CreditScope, Payee};
    use crate::document::parts::{Adjustment, Delivery, DocumentAdjustment, Exemption, Period};
    use crate::einvoice::parse;
    use crate::fixtures;
    use crate::numbering::InvoiceNumber;
    use crate::terms::{PaymentPlan, PaymentTerms};

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn seller() -> issue::Party {
        issue::Party {
            name: "Fjord Consulting AS".into(),
            tax_id: "NO999999999MVA".into(),
            legal_id: "999999999".into(),
            address: Address {
                lines: vec![
                    "Strandgata 1".into(),
                    "3rd floor".into(),
                    "Building B".into(),
                    "Door 4".into(),
                ],
                postcode: "5013".into(),
                city: "Bergen".into(),
                country: "NO".into(),
            },
        }
    }

    fn buyer() -> issue::Party {
        issue::Party {
            name: "Havbris Fiskeri AS".into(),
            tax_id: String::new(),
            legal_id: String::new(),
            address: fixtures::address("Kaigata 1", "8006", "Bodø", "NO"),
        }
    }

    /// Net repair 4 × 250 at 25 % less 10 %; a book 1 × 120 exempt; freight 50 at 25 %; 100 prepaid.
    fn draft() -> InvoiceDraft {
        let mut repair = fixtures::line("Net repair", dec!(4), dec!(250), dec!(25));
        repair.allowances.push(Adjustment {
            percent: Some(dec!(10)),
            reason_code: "95".into(),
            ..Adjustment::default()
        });
        let mut book = fixtures::line("Manual", dec!(1), dec!(120), dec!(0));
        book.tax_category = TaxCategory::E;
        book.exemption = Some(Exemption {
            code: "VATEX-EU-132-1I".into(),
            text: "Exempt: education".into(),
        });
        let mut d = fixtures::draft("NOK", vec![repair, book]);
        d.charges.push(DocumentAdjustment {
            adjustment: Adjustment {
                amount: Some(dec!(50)),
                reason_code: "FC".into(),
                reason: "Freight".into(),
                ..Adjustment::default()
            },
            tax_category: TaxCategory::S,
            tax_rate: TaxRate::new(dec!(25)).unwrap(),
        });
        d.prepaid = dec!(100);
        d.buyer_reference = "PROJ-7".into();
        d.purchase_order = "PO-118".into();
        d.delivery = Some(Delivery {
            date: Some(date("2026-11-20")),
            period: Some(Period {
                start: date("2026-11-01"),
                end: date("2026-11-20"),
            }),
        });
        d.note = "Thank you".into();
        d
    }

    fn issued() -> Snapshot {
        let payee = Payee {
            bank_account: Some(BankAccount {
                iban: "NO93 8601 1117 947".into(),
                bic: "DNBANOKK".into(),
                name: "Fjord Consulting AS".into(),
            }),
            payment_means_code: "58".into(),
            accounting_currency: None,
        };
        Snapshot::issue_for(
            &draft(),
            InvoiceNumber::parse("INV-2026-000001").unwrap(),
            seller(),
            buyer(),
            PaymentPlan::single(PaymentTerms::Net { days: 14 }),
            &payee,
        )
        .unwrap()
    }

    #[test]
    fn an_issued_invoice_states_its_parties_payment_references_and_delivery() {
        let e = from_snapshot(&issued()).unwrap();
        let h = &e.header;
        assert_eq!(h.customization_id.as_deref(), Some(EN16931));
        assert_eq!(h.number.as_deref(), Some("INV-2026-000001"));
        assert_eq!(h.type_code.as_deref(), Some("380"));
        assert_eq!(h.due_date, Some(date("2026-12-07")));
        assert_eq!(h.seller.name.as_deref(), Some("Fjord Consulting AS"));
        assert_eq!(h.seller.vat_id.as_deref(), Some("NO999999999MVA"));
        assert_eq!(h.seller.legal_id.as_deref(), Some("999999999"));
        // A fourth address line joins the third: EN 16931 has room for three.
        assert_eq!(
            h.seller.address_lines,
            vec!["Strandgata 1", "3rd floor", "Building B, Door 4"]
        );
        assert_eq!(
            (h.seller.postcode.as_deref(), h.seller.city.as_deref()),
            (Some("5013"), Some("Bergen"))
        );
        assert_eq!(h.seller.country.as_deref(), Some("NO"));
        assert_eq!(h.buyer.name.as_deref(), Some("Havbris Fiskeri AS"));
        assert_eq!(h.buyer.vat_id, None);
        assert_eq!(h.buyer.country.as_deref(), Some("NO"));
        assert_eq!(h.buyer_reference.as_deref(), Some("PROJ-7"));
        assert_eq!(h.purchase_order.as_deref(), Some("PO-118"));
        assert_eq!(h.notes, vec!["Thank you"]);
        assert_eq!(h.delivery.date, Some(date("2026-11-20")));
        assert_eq!(
            h.delivery.period,
            Some(InvoicePeriod {
                start: date("2026-11-01"),
                end: date("2026-11-20")
            })
        );
        assert_eq!(h.delivery.country, None, "only an intra-community supply");
        let p = &h.payment;
        assert_eq!(p.means_code.as_deref(), Some("58"));
        assert_eq!(p.remittance.as_deref(), Some("RF94INV2026000001"));
        assert!(
            crate::numbering::creditor_reference::CreditorReference::is_valid("RF94INV2026000001")
        );
        assert_eq!(
            p.account,
            Some(PaymentAccount {
                id: "NO9386011117947".into(),
                name: Some("Fjord Consulting AS".into()),
                bic: Some("DNBANOKK".into()),
            })
        );
        // 4 × 250 − 100 + 50 = 950 at 25 % (237.50) + 120 exempt = 1307.50, less 100 prepaid.
        assert_eq!(p.terms.as_deref(), Some("1207.50 NOK due 2026-12-07"));
    }

    #[test]
    fn an_issued_invoice_states_every_amount_as_the_snapshot_computed_it() {
        let s = issued();
        let e = from_snapshot(&s).unwrap();
        let repair = &e.document.lines[0];
        assert_eq!(repair.stated_net, Some(dec!(900.00)));
        // The percentage is resolved to the amount EN 16931 requires, of the line amount as its base.
        assert_eq!(
            (
                repair.allowances[0].amount,
                repair.allowances[0].base,
                repair.allowances[0].percent
            ),
            (Some(dec!(100.00)), Some(dec!(1000.00)), Some(dec!(10)))
        );
        assert_eq!(e.document.charges[0].amount, Some(dec!(50)));
        let st = &e.stated;
        assert_eq!(
            (
                st.line_net_total,
                st.allowance_total,
                st.charge_total,
                st.tax_exclusive,
                st.tax_total,
                st.tax_inclusive,
                st.prepaid,
                st.rounding,
                st.amount_due
            ),
            (
                Some(dec!(1020.00)),
                None,
                Some(dec!(50.00)),
                Some(dec!(1070.00)),
                Some(dec!(237.50)),
                Some(dec!(1307.50)),
                Some(dec!(100.00)),
                None,
                Some(dec!(1207.50))
            )
        );
        let vat: Vec<_> = st
            .vat
            .iter()
            .map(|v| {
                (
                    v.category,
                    v.rate,
                    v.taxable,
                    v.tax,
                    v.exemption_reason.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            vat,
            vec![
                (
                    Some(TaxCategory::S),
                    Some(dec!(25)),
                    Some(dec!(950.00)),
                    Some(dec!(237.50)),
                    None
                ),
                (
                    Some(TaxCategory::E),
                    Some(dec!(0)),
                    Some(dec!(120.00)),
                    Some(dec!(0.00)),
                    Some("Exempt: education")
                ),
            ]
        );
        assert_eq!(s.totals.amount_due.amount(), dec!(1207.50));
    }

    #[test]
    fn a_credit_note_states_its_invoice_with_its_date_and_terms_instead_of_a_due_date() {
        let invoice = issued();
        let cn = invoice
            .credit_note(
                &[],
                InvoiceNumber::parse("CN-2026-000001").unwrap(),
                date("2026-11-25"),
                &CreditScope::Lines(vec![(1, dec!(1))]),
            )
            .unwrap();
        let e = from_snapshot(&cn).unwrap();
        assert_eq!(e.header.type_code.as_deref(), Some("381"));
        assert_eq!(e.header.preceding[0].number, "INV-2026-000001");
        assert_eq!(e.header.preceding[0].issue_date, Some(invoice.issue_date));
        assert_eq!(e.header.due_date, None);
        assert!(e.header.payment.terms.is_some(), "BR-CO-25");
        assert_eq!(e.header.purchase_order.as_deref(), Some("PO-118"));
        assert_eq!(e.stated.amount_due, Some(dec!(120.00)));
    }

    #[test]
    fn a_credit_note_carries_the_payment_means_and_the_vat_in_the_accounting_currency_of_its_invoice()
     {
        let draft = InvoiceDraft {
            accounting_rate: Some(crate::document::AccountingRate {
                rate: dec!(0.0853),
                date: date("2026-11-20"),
            }),
            ..draft()
        };
        let payee = Payee {
            bank_account: Some(BankAccount {
                iban: "DE89 3704 0044 0532 0130 00".into(),
                bic: String::new(),
                name: "Fjord Consulting AS".into(),
            }),
            payment_means_code: "58".into(),
            accounting_currency: Some(Currency::parse("EUR").unwrap()),
        };
        let invoice = Snapshot::issue_for(
            &draft,
            InvoiceNumber::parse("INV-2026-000002").unwrap(),
            seller(),
            buyer(),
            PaymentPlan::single(PaymentTerms::Net { days: 14 }),
            &payee,
        )
        .unwrap();
        let cn = invoice
            .credit_note(
                &[],
                InvoiceNumber::parse("CN-2026-000002").unwrap(),
                date("2026-11-25"),
                &CreditScope::Lines(vec![(0, dec!(2))]),
            )
            .unwrap();
        let e = from_snapshot(&cn).unwrap();
        // 2 × 250 less 10 % = 450 at 25 % = 112.50 NOK VAT, × 0.0853 = 9.60 EUR.
        assert_eq!(e.stated.tax_total, Some(dec!(112.50)));
        assert_eq!(e.header.tax_currency, Currency::parse("EUR").ok());
        assert_eq!(e.header.tax_total_in_tax_currency, Some(dec!(9.60)));
        let p = &e.header.payment;
        assert_eq!(p.means_code.as_deref(), Some("58"));
        assert_eq!(
            p.account.as_ref().map(|a| a.id.as_str()),
            Some("DE89370400440532013000")
        );
        assert_eq!(p.remittance, None, "nothing is paid against a credit note");
        for written in [snapshot_to_ubl(&cn).unwrap(), snapshot_to_cii(&cn).unwrap()] {
            let read = parse(written.as_bytes()).unwrap().remove(0);
            assert_eq!(read.header.tax_total_in_tax_currency, Some(dec!(9.60)));
            assert_eq!(read.header.payment.means_code.as_deref(), Some("58"));
            assert_eq!(
                read.header.preceding[0].issue_date,
                Some(invoice.issue_date)
            );
        }
    }

    #[test]
    fn a_line_states_its_period_and_the_vat_breakdown_its_vatex_code() {
        let mut d = draft();
        d.lines[0].period = Some(Period {
            start: date("2026-11-01"),
            end: date("2026-11-30"),
        });
        let s = Snapshot::issue(
            &d,
            InvoiceNumber::parse("INV-2026-000003").unwrap(),
            seller(),
            buyer(),
            PaymentPlan::single(PaymentTerms::DueOnReceipt),
        )
        .unwrap();
        for written in [snapshot_to_ubl(&s).unwrap(), snapshot_to_cii(&s).unwrap()] {
            let read = parse(written.as_bytes()).unwrap().remove(0);
            assert_eq!(
                read.document.lines[0].period,
                Some(Period {
                    start: date("2026-11-01"),
                    end: date("2026-11-30"),
                })
            );
            assert_eq!(read.document.lines[1].period, None);
            let exempt = &read.stated.vat[1];
            assert_eq!(exempt.exemption_code.as_deref(), Some("VATEX-EU-132-1I"));
            assert_eq!(
                exempt.exemption_reason.as_deref(),
                Some("Exempt: education")
            );
            assert_eq!(read.stated.vat[0].exemption_code, None);
        }
    }

    #[test]
    fn lines_of_one_vat_group_with_different_vatex_codes_state_their_reasons_but_no_code() {
        let mut d = draft();
        let mut second = d.lines[1].clone();
        second.exemption = Some(Exemption {
            code: "VATEX-EU-132-1J".into(),
            text: "Exempt: tuition".into(),
        });
        d.lines.push(second);
        let s = Snapshot::issue(
            &d,
            InvoiceNumber::parse("INV-2026-000004").unwrap(),
            seller(),
            buyer(),
            PaymentPlan::single(PaymentTerms::DueOnReceipt),
        )
        .unwrap();
        let e = from_snapshot(&s).unwrap();
        assert_eq!(e.stated.vat[1].exemption_code, None);
        assert_eq!(
            e.stated.vat[1].exemption_reason.as_deref(),
            Some("Exempt: education; Exempt: tuition")
        );
    }

    #[test]
    fn category_o_is_stated_without_a_rate() {
        let mut line = fixtures::line("Membership", dec!(1), dec!(100), dec!(0));
        line.tax_category = TaxCategory::O;
        line.exemption = Some(Exemption {
            code: "VATEX-EU-O".into(),
            text: String::new(),
        });
        let s = Snapshot::issue(
            &fixtures::draft("EUR", vec![line]),
            InvoiceNumber::parse("INV-9").unwrap(),
            seller(),
            buyer(),
            PaymentPlan::single(PaymentTerms::DueOnReceipt),
        )
        .unwrap();
        let e = from_snapshot(&s).unwrap();
        assert_eq!(e.document.lines[0].vat.rate, None);
        assert_eq!(e.stated.vat[0].rate, None);
        assert_eq!(
            e.stated.vat[0].exemption_reason.as_deref(),
            Some("VATEX-EU-O")
        );
    }

    #[test]
    fn a_snapshot_without_an_exemption_reason_where_its_category_needs_one_is_not_exported() {
        let mut s = issued();
        s.document.lines[1].exemption_reason.clear();
        assert_eq!(
            from_snapshot(&s).unwrap_err(),
            ExportError::MissingExemptionReason {
                category: TaxCategory::E,
                rule: "BR-E-10"
            }
        );
    }

    #[test]
    fn reading_an_export_back_reproduces_the_snapshots_totals_to_the_cent() {
        let s = issued();
        for written in [snapshot_to_ubl(&s).unwrap(), snapshot_to_cii(&s).unwrap()] {
            let read = parse(written.as_bytes()).unwrap().remove(0);
            let t = &s.totals;
            let st = &read.stated;
            assert_eq!(st.line_net_total, Some(t.line_net_total.amount()));
            assert_eq!(st.tax_exclusive, Some(t.tax_exclusive.amount()));
            assert_eq!(st.tax_total, Some(t.tax_total.amount()));
            assert_eq!(st.tax_inclusive, Some(t.tax_inclusive.amount()));
            assert_eq!(st.prepaid, Some(t.prepaid.amount()));
            assert_eq!(st.amount_due, Some(t.amount_due.amount()));
            let computed = crate::einvoice::check(&read).computed;
            assert_eq!(computed.amount_due, Some(t.amount_due));
            assert_eq!(computed.tax_total, Some(t.tax_total));
            assert_eq!(
                read.header.payment,
                from_snapshot(&s).unwrap().header.payment
            );
            assert_eq!(read.header.seller, from_snapshot(&s).unwrap().header.seller);
        }
    }
}
