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
                issue_date: None,
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

fn stated_totals(snapshot: &Snapshot, document: &Document) -> Result<StatedTotals, ExportError> {
    let t = &snapshot.totals;
    let mut reasons: BTreeMap<(TaxCategory, Option<TaxRate>), Vec<&str>> = BTreeMap::new();
    for line in &snapshot.document.lines {
        let reason = line.exemption_reason.trim();
        let entry = reasons
            .entry((line.vat.category, line.vat.rate))
            .or_default();
        if !reason.is_empty() && !entry.contains(&reason) {
            entry.push(reason);
        }
    }
    let vat = t
        .vat
        .iter()
        .map(|v| {
            let exemption_reason = reasons
                .get(&(v.category, v.rate))
                .filter(|r| !r.is_empty())
                .map(|r| r.join("; "));
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
