//! The line the CLI prints for each document (`remit einvoice totals FILE...`, `remit einvoice check
//! FILE...`): one JSON object per document, or per fragment of a rule test set. Other tools read it; its
//! shape is a contract:
//!
//! ```text
//! {"file","index","syntax":"UBL"|"CII","kind":"Invoice"|"CreditNote","currency",
//!  "totals":{"BT-106","BT-107","BT-108","BT-109","BT-110","BT-112","BT-113","BT-114","BT-115"},
//!  "vat":[{"category","rate","taxable","tax"}],
//!  "line_mismatches":[{"line","stated","computed"}],
//!  "violations":[{"rule","stated","computed"}],
//!  "notes":[…]}
//! ```
//!
//! Amounts are strings at the currency's minor units (a stated amount with more decimals keeps them);
//! a rate has at least two decimals (`"25.00"`) and is `null` for category O; a total core cannot
//! compute is `null`. `totals` and `vat` are what core computed, never the stated values. `currency` is
//! BT-5 as stated (`null` for a fragment that states none); `index` is 0 for a single document and the
//! fragment's position in a rule test set. A file that cannot be read gives
//! `{"file","index":null,"error"}`.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{Syntax, check, parse};
use crate::document::en16931::DocumentKind;
use crate::money::{Currency, Money};
use crate::tax::TaxRate;

/// BT-106 … BT-115 as core computed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    #[serde(rename = "BT-106")]
    pub line_net_total: Option<String>,
    #[serde(rename = "BT-107")]
    pub allowance_total: Option<String>,
    #[serde(rename = "BT-108")]
    pub charge_total: Option<String>,
    #[serde(rename = "BT-109")]
    pub tax_exclusive: Option<String>,
    #[serde(rename = "BT-110")]
    pub tax_total: Option<String>,
    #[serde(rename = "BT-112")]
    pub tax_inclusive: Option<String>,
    #[serde(rename = "BT-113")]
    pub prepaid: Option<String>,
    #[serde(rename = "BT-114")]
    pub rounding: Option<String>,
    #[serde(rename = "BT-115")]
    pub amount_due: Option<String>,
}

/// One VAT breakdown entry as core computed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vat {
    pub category: &'static str,
    pub rate: Option<String>,
    pub taxable: String,
    pub tax: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub line: String,
    pub stated: String,
    pub computed: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub rule: &'static str,
    pub stated: Option<String>,
    pub computed: Option<String>,
}

/// The line of one document (or fragment) that could be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentReport {
    pub file: String,
    pub index: usize,
    pub syntax: Syntax,
    pub kind: DocumentKind,
    pub currency: Option<String>,
    pub totals: Totals,
    pub vat: Vec<Vat>,
    pub line_mismatches: Vec<Mismatch>,
    pub violations: Vec<Violation>,
    pub notes: Vec<String>,
}

/// One line of output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ReportLine {
    Document(Box<DocumentReport>),
    Unreadable {
        file: String,
        /// Always `null`: no document of the file could be read.
        index: Option<usize>,
        error: String,
    },
}

impl ReportLine {
    /// The line as printed: compact JSON, keys in contract order.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| {
            // Serializing strings, numbers and options cannot fail; say so if it ever does.
            format!("{{\"error\":\"report could not be serialized: {e}\"}}")
        })
    }

    /// 0 consistent, 1 breaks a rule, 2 unreadable.
    pub fn status(&self) -> i32 {
        match self {
            ReportLine::Unreadable { .. } => 2,
            ReportLine::Document(d) if !d.violations.is_empty() => 1,
            ReportLine::Document(_) => 0,
        }
    }
}

/// The exit status for a run over several files: 2 when any file is unreadable, else 1 when any
/// document breaks a rule, else 0.
pub fn exit_status(lines: &[ReportLine]) -> i32 {
    lines.iter().map(ReportLine::status).max().unwrap_or(0)
}

/// Reads and checks one file; `name` is echoed as `file`.
pub fn for_file(name: &str, bytes: &[u8]) -> Vec<ReportLine> {
    let invoices = match parse(bytes) {
        Ok(invoices) => invoices,
        Err(e) => {
            return vec![ReportLine::Unreadable {
                file: name.to_owned(),
                index: None,
                error: e.to_string(),
            }];
        }
    };
    invoices
        .iter()
        .enumerate()
        .map(|(index, invoice)| {
            let report = check(invoice);
            let currency = invoice.document.currency;
            let c = &report.computed;
            let money = |m: Option<Money>| m.map(|m| m.amount().to_string());
            ReportLine::Document(Box::new(DocumentReport {
                file: name.to_owned(),
                index,
                syntax: invoice.header.syntax,
                kind: invoice.document.kind,
                currency: invoice.header.currency.map(|c| c.code().to_owned()),
                totals: Totals {
                    line_net_total: money(c.line_net_total),
                    allowance_total: money(c.allowance_total),
                    charge_total: money(c.charge_total),
                    tax_exclusive: money(c.tax_exclusive),
                    tax_total: money(c.tax_total),
                    tax_inclusive: money(c.tax_inclusive),
                    prepaid: money(c.prepaid),
                    rounding: money(c.rounding),
                    amount_due: money(c.amount_due),
                },
                vat: c
                    .vat
                    .iter()
                    .flatten()
                    .map(|v| Vat {
                        category: v.category.code(),
                        rate: v.rate.map(rate),
                        taxable: v.taxable.amount().to_string(),
                        tax: v.tax.amount().to_string(),
                    })
                    .collect(),
                line_mismatches: report
                    .line_mismatches
                    .iter()
                    .map(|m| Mismatch {
                        line: m.line.clone(),
                        stated: amount(m.stated, currency),
                        computed: m.computed.amount().to_string(),
                    })
                    .collect(),
                violations: report
                    .violations
                    .iter()
                    .map(|f| Violation {
                        rule: f.rule,
                        stated: f.stated.map(|d| amount(d, currency)),
                        computed: f.computed.map(|d| amount(d, currency)),
                    })
                    .collect(),
                notes: report.notes,
            }))
        })
        .collect()
}

/// An amount at the currency's minor units, or with the more decimals it was stated with.
fn amount(value: Decimal, currency: Currency) -> String {
    let mut d = value.normalize();
    if d.scale() < currency.minor_units() {
        d.rescale(currency.minor_units());
    }
    d.to_string()
}

/// A rate with at least two decimals: 25 → "25.00", 7.675 → "7.675".
fn rate(rate: TaxRate) -> String {
    let mut d = rate.percent().normalize();
    if d.scale() < 2 {
        d.rescale(2);
    }
    d.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn amounts_and_rates_have_their_contract_form() {
        let eur = Currency::parse("EUR").unwrap();
        let jpy = Currency::parse("JPY").unwrap();
        assert_eq!(amount(dec!(100), eur), "100.00");
        assert_eq!(amount(dec!(100.000), eur), "100.00");
        assert_eq!(amount(dec!(2.125), eur), "2.125");
        assert_eq!(amount(dec!(-0.5), eur), "-0.50");
        assert_eq!(amount(dec!(1200), jpy), "1200");
        assert_eq!(rate(TaxRate::new(dec!(25)).unwrap()), "25.00");
        assert_eq!(rate(TaxRate::new(dec!(4.8)).unwrap()), "4.80");
        assert_eq!(rate(TaxRate::new(dec!(7.675)).unwrap()), "7.675");
    }

    #[test]
    fn an_unreadable_file_is_one_error_line_with_a_null_index() {
        let lines = for_file("broken.xml", b"<Invoice");
        assert_eq!(lines.len(), 1);
        let json: serde_json::Value = serde_json::from_str(&lines[0].to_json()).unwrap();
        assert_eq!(json["file"], "broken.xml");
        assert!(json["index"].is_null());
        assert!(json["error"].as_str().unwrap().contains("XML"));
        assert_eq!(exit_status(&lines), 2);
    }

    #[test]
    fn the_exit_status_is_the_worst_of_the_files() {
        let unreadable = for_file("a", b"");
        let fine = for_file(
            "b",
            br#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>"#,
        );
        assert_eq!(exit_status(&fine), 0);
        assert_eq!(exit_status(&[fine.clone(), unreadable].concat()), 2);
        assert_eq!(exit_status(&[]), 0);
    }
}
