//! The e-invoices the standards bodies publish (CEN's EN 16931 validation artefacts, OpenPeppol's BIS
//! Billing 3.0), read, computed, checked and written back.
//!
//! - every complete document is reproduced: core's totals equal the ones it states, except the
//!   differences `corpus-expected.json` records (and every rule still holds within its tolerance, unless
//!   the file records the rule as failing);
//! - every fragment of a rule test set passes or fails the rule it is marked with, exactly as marked;
//! - every outcome (rules failed, BT-109/110/112/115 computed) is the one `corpus-expected.json`
//!   records, so a change of behaviour shows up as a diff of that file (`REMIT_BLESS=1` rewrites it);
//! - every document survives UBL → UBL, CII → CII and UBL → CII → UBL with the same document, header,
//!   stated totals and computed totals.

mod einvoice_common;

use std::collections::BTreeSet;

use einvoice_common::{as_written, corpus_dir, corpus_files};
use remit_core::einvoice::{
    self, Computed, EInvoice, Outcome, Syntax, check, parse, report, to_cii, to_ubl,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};

const EXPECTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus-expected.json");

fn documents() -> Option<Vec<(String, usize, EInvoice)>> {
    let dir = corpus_dir()?;
    Some(
        corpus_files(&dir)
            .into_iter()
            .flat_map(|(name, bytes)| {
                let invoices =
                    parse(&bytes).unwrap_or_else(|e| panic!("{name} cannot be read: {e}"));
                invoices
                    .into_iter()
                    .enumerate()
                    .map(move |(i, inv)| (name.clone(), i, inv))
            })
            .collect(),
    )
}

/// (BT, stated, computed) for every total the document states.
fn stated_and_computed(inv: &EInvoice, c: &Computed) -> Vec<(String, Decimal, Option<Decimal>)> {
    let s = &inv.stated;
    let amount = |m: Option<remit_core::money::Money>| m.map(|m| m.amount());
    let mut pairs = vec![
        (
            "BT-106".to_owned(),
            s.line_net_total,
            amount(c.line_net_total),
        ),
        (
            "BT-107".to_owned(),
            s.allowance_total,
            amount(c.allowance_total),
        ),
        ("BT-108".to_owned(), s.charge_total, amount(c.charge_total)),
        (
            "BT-109".to_owned(),
            s.tax_exclusive,
            amount(c.tax_exclusive),
        ),
        ("BT-110".to_owned(), s.tax_total, amount(c.tax_total)),
        (
            "BT-112".to_owned(),
            s.tax_inclusive,
            amount(c.tax_inclusive),
        ),
        ("BT-113".to_owned(), s.prepaid, amount(c.prepaid)),
        ("BT-114".to_owned(), s.rounding, amount(c.rounding)),
        ("BT-115".to_owned(), s.amount_due, amount(c.amount_due)),
    ];
    for v in &s.vat {
        let group = c.vat.iter().flatten().find(|g| {
            Some(g.category) == v.category
                && g.rate.map(|r| r.percent()).unwrap_or_default() == v.rate.unwrap_or_default()
        });
        let key = format!(
            "{}@{}",
            v.category.map_or("?", |c| c.code()),
            v.rate.unwrap_or_default().normalize()
        );
        pairs.push((
            format!("BT-116 {key}"),
            v.taxable,
            group.map(|g| g.taxable.amount()),
        ));
        pairs.push((
            format!("BT-117 {key}"),
            v.tax,
            group.map(|g| g.tax.amount()),
        ));
    }
    pairs
        .into_iter()
        .filter_map(|(bt, stated, computed)| stated.map(|s| (bt, s, computed)))
        .collect()
}

/// What `corpus-expected.json` records for one document or fragment.
fn outcome(file: &str, index: usize, inv: &EInvoice) -> Value {
    let report = check(inv);
    let violated: BTreeSet<&str> = report.violations.iter().map(|f| f.rule).collect();
    let (rule, fails) = match &inv.expectation {
        Some(e) => (Some(e.rule.clone()), violated.contains(e.rule.as_str())),
        None => (None, !violated.is_empty()),
    };
    let total = |m: Option<remit_core::money::Money>| m.map(|m| m.amount().to_string());
    let c = &report.computed;
    let differences: Vec<Value> = if inv.expectation.is_none() {
        stated_and_computed(inv, c)
            .into_iter()
            .filter(|(_, stated, computed)| Some(*stated) != *computed)
            .map(|(bt, stated, computed)| {
                json!({"term": bt, "stated": stated.to_string(), "computed": computed.map(|d| d.to_string())})
            })
            .collect()
    } else {
        Vec::new()
    };
    json!({
        "file": file,
        "index": index,
        "rule": rule,
        "outcome": if fails { "fail" } else { "pass" },
        "violations": violated,
        "BT-109": total(c.tax_exclusive),
        "BT-110": total(c.tax_total),
        "BT-112": total(c.tax_inclusive),
        "BT-115": total(c.amount_due),
        "differences": differences,
    })
}

#[test]
fn every_fragment_passes_or_fails_its_rule_exactly_as_marked() {
    let Some(docs) = documents() else { return };
    let mut fragments = 0;
    for (file, index, inv) in &docs {
        let Some(expectation) = &inv.expectation else {
            continue;
        };
        fragments += 1;
        let report = check(inv);
        let fails = report.violates(&expectation.rule);
        assert_eq!(
            fails,
            expectation.outcome == Outcome::Error,
            "{file}[{index}] should {:?} on {}: {:?}",
            expectation.outcome,
            expectation.rule,
            report.violations
        );
        assert_eq!(
            expectation.scope.as_deref(),
            Some(expectation.rule.as_str())
        );
    }
    assert!(fragments >= 90, "only {fragments} fragments were read");
}

#[test]
fn every_complete_document_reproduces_its_stated_totals() {
    let Some(docs) = documents() else { return };
    let expected = expected_outcomes();
    let mut complete = 0;
    for (file, index, inv) in docs.iter().filter(|(_, _, inv)| inv.expectation.is_none()) {
        complete += 1;
        let recorded = find(&expected, file, *index);
        let report = check(inv);
        let differences: BTreeSet<String> = stated_and_computed(inv, &report.computed)
            .into_iter()
            .filter(|(_, stated, computed)| Some(*stated) != *computed)
            .map(|(bt, _, _)| bt)
            .collect();
        let allowed: BTreeSet<String> = recorded["differences"]
            .as_array()
            .expect("differences")
            .iter()
            .map(|d| d["term"].as_str().expect("term").to_owned())
            .collect();
        assert_eq!(
            differences, allowed,
            "{file}: computed totals differ from the stated ones"
        );
        let violated: BTreeSet<&str> = report.violations.iter().map(|f| f.rule).collect();
        let recorded_violations: BTreeSet<&str> = recorded["violations"]
            .as_array()
            .expect("violations")
            .iter()
            .map(|v| v.as_str().expect("rule"))
            .collect();
        assert_eq!(
            violated, recorded_violations,
            "{file}: {:?}",
            report.violations
        );
    }
    assert!(
        complete >= 20,
        "only {complete} complete documents were read"
    );
}

fn expected_outcomes() -> Vec<Value> {
    let text = std::fs::read_to_string(EXPECTED).expect("tests/corpus-expected.json exists");
    serde_json::from_str::<Value>(&text)
        .expect("corpus-expected.json is JSON")
        .as_array()
        .expect("an array")
        .clone()
}

fn find<'a>(expected: &'a [Value], file: &str, index: usize) -> &'a Value {
    expected
        .iter()
        .find(|e| e["file"] == file && e["index"] == index)
        .unwrap_or_else(|| panic!("{file}[{index}] is not in corpus-expected.json"))
}

#[test]
fn every_outcome_is_the_recorded_one() {
    let Some(docs) = documents() else { return };
    let actual: Vec<Value> = docs
        .iter()
        .map(|(file, index, inv)| outcome(file, *index, inv))
        .collect();
    if std::env::var_os("REMIT_BLESS").is_some() {
        let text = serde_json::to_string_pretty(&actual).expect("serializes") + "\n";
        std::fs::write(EXPECTED, text).expect("corpus-expected.json is writable");
        println!("BLESSED: wrote {EXPECTED}");
        return;
    }
    let expected = expected_outcomes();
    assert_eq!(actual.len(), expected.len(), "documents and fragments read");
    for (a, e) in actual.iter().zip(&expected) {
        assert_eq!(a, e);
    }
}

fn assert_same_after(inv: &EInvoice, written: &str, syntax: Syntax, label: &str) -> EInvoice {
    let back = parse(written.as_bytes()).unwrap_or_else(|e| panic!("{label}: {e}\n{written}"));
    assert_eq!(back.len(), 1, "{label}");
    let back = back.into_iter().next().expect("one document");
    assert_eq!(
        as_written(&back, syntax),
        as_written(inv, syntax),
        "{label}: the document changed"
    );
    assert_eq!(
        check(&back).computed,
        check(inv).computed,
        "{label}: totals changed"
    );
    back
}

#[test]
fn every_document_round_trips_through_both_syntaxes() {
    let Some(docs) = documents() else { return };
    for (file, index, inv) in &docs {
        let label = format!("{file}[{index}]");
        assert_same_after(
            inv,
            &to_ubl(inv).expect("an EN 16931 document is written"),
            Syntax::Ubl,
            &format!("{label} → UBL"),
        );
        let cii = assert_same_after(
            inv,
            &to_cii(inv).expect("an EN 16931 document is written"),
            Syntax::Cii,
            &format!("{label} → CII"),
        );
        assert_same_after(
            &cii,
            &to_ubl(&cii).expect("an EN 16931 document is written"),
            Syntax::Ubl,
            &format!("{label} → CII → UBL"),
        );
    }
}

fn corpus_file(file: &str) -> Option<String> {
    let dir = corpus_dir()?;
    Some(std::fs::read_to_string(dir.join(file)).expect("corpus file"))
}

/// A copy of a corpus file with the first occurrence of `from` replaced.
fn edited(file: &str, from: &str, to: &str) -> Option<Vec<u8>> {
    let text = corpus_file(file)?;
    assert!(text.contains(from), "{file} contains {from}");
    Some(text.replacen(from, to, 1).into_bytes())
}

#[test]
fn changing_a_line_amount_changes_bt106_and_fires_br_co_10() {
    for (file, from, to, rules) in [
        (
            "ConnectingEurope+eInvoicing-EN16931/ubl/examples/ubl-tc434-example5.xml",
            r#"<cbc:LineExtensionAmount currencyID="DKK">1000.00</cbc:LineExtensionAmount>
        <cbc:AccountingCost>"#,
            r#"<cbc:LineExtensionAmount currencyID="DKK">1010.00</cbc:LineExtensionAmount>
        <cbc:AccountingCost>"#,
            // The sums over lines break, and Peppol's line rule; the relations between totals hold.
            &["BR-CO-10", "BR-S-08", "PEPPOL-EN16931-R120"][..],
        ),
        (
            "ConnectingEurope+eInvoicing-EN16931/cii/examples/CII_example5.xml",
            "<ram:LineTotalAmount>1000</ram:LineTotalAmount>",
            "<ram:LineTotalAmount>1010</ram:LineTotalAmount>",
            // On CII, Peppol's UBL rule R120 is a note.
            &["BR-CO-10", "BR-S-08"][..],
        ),
    ] {
        let Some(bytes) = edited(file, from, to) else {
            return;
        };
        let lines = report::for_file(file, &bytes);
        let json: Value = serde_json::from_str(&lines[0].to_json()).expect("JSON");
        assert_eq!(json["totals"]["BT-106"], "4010.00", "{file}");
        assert_eq!(json["totals"]["BT-109"], "4010.00", "{file}");
        let violations = json["violations"].as_array().expect("violations");
        assert!(
            violations
                .contains(&json!({"rule": "BR-CO-10", "stated": "4000.00", "computed": "4010.00"})),
            "{file}: {violations:?}"
        );
        let violated: BTreeSet<&str> = violations
            .iter()
            .map(|v| v["rule"].as_str().expect("rule"))
            .collect();
        assert_eq!(violated, rules.iter().copied().collect(), "{file}");
        assert_eq!(
            json["line_mismatches"],
            json!([{"line": "1", "stated": "1010.00", "computed": "1000.00"}]),
            "{file}"
        );
        assert_eq!(report::exit_status(&lines), 1);
    }
}

#[test]
fn the_report_line_has_the_contract_shape_for_every_document() {
    let Some(dir) = corpus_dir() else { return };
    for (name, bytes) in corpus_files(&dir) {
        let lines = report::for_file(&name, &bytes);
        for (i, line) in lines.iter().enumerate() {
            let text = line.to_json();
            assert!(!text.contains('\n'), "one line");
            let json: Value = serde_json::from_str(&text).expect("JSON");
            let keys: Vec<&str> = json
                .as_object()
                .expect("object")
                .keys()
                .map(String::as_str)
                .collect();
            let mut expected_keys = vec![
                "currency",
                "file",
                "index",
                "kind",
                "line_mismatches",
                "notes",
                "syntax",
                "totals",
                "vat",
                "violations",
            ];
            expected_keys.sort_unstable();
            assert_eq!(keys, expected_keys, "{name}");
            assert!(
                text.starts_with(&format!(
                    "{{\"file\":{},\"index\":{i},\"syntax\":",
                    serde_json::to_string(&name).expect("string")
                )),
                "{text}"
            );
            let totals: Vec<&str> = json["totals"]
                .as_object()
                .expect("totals")
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(
                totals,
                [
                    "BT-106", "BT-107", "BT-108", "BT-109", "BT-110", "BT-112", "BT-113", "BT-114",
                    "BT-115"
                ]
            );
            for v in json["vat"].as_array().expect("vat") {
                let rate = &v["rate"];
                if v["category"] == "O" {
                    assert!(rate.is_null());
                } else {
                    let rate = rate.as_str().expect("rate");
                    assert!(
                        rate.split_once('.').is_some_and(|(_, d)| d.len() >= 2),
                        "{rate}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_huf_invoice_needs_the_under_one_unit_slack_and_gets_it() {
    let Some(text) =
        corpus_file("ConnectingEurope+eInvoicing-EN16931/cii/examples/huf_example_cii.xml")
    else {
        return;
    };
    let inv = &parse(text.as_bytes()).expect("HUF")[0];
    let report = check(inv);
    assert_eq!(
        report
            .computed
            .tax_total
            .map(|m| m.amount().to_string())
            .as_deref(),
        Some("18678.60")
    );
    assert!(report.is_consistent(), "{:?}", report.violations);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.starts_with("BR-CO-17") && n.contains("tolerance"))
    );
    assert_eq!(
        report.line_mismatches.len(),
        3,
        "line nets rounded to whole forints"
    );

    let off_by_one = text.replace(
        "<ram:CalculatedAmount>18679.00<",
        "<ram:CalculatedAmount>18679.60<",
    );
    let report = check(&parse(off_by_one.as_bytes()).expect("HUF")[0]);
    assert!(report.violates("BR-CO-17") && report.violates("BR-S-09"));
}

#[test]
fn a_file_that_is_not_an_e_invoice_is_unreadable_not_a_panic() {
    let lines = report::for_file("x.xml", b"<html xmlns=\"http://www.w3.org/1999/xhtml\"/>");
    let json: Value = serde_json::from_str(&lines[0].to_json()).expect("JSON");
    assert!(json["index"].is_null());
    assert!(
        json["error"]
            .as_str()
            .expect("error")
            .contains("not a UBL Invoice")
    );
    assert!(matches!(
        einvoice::parse(b"<Invoice/>"),
        Err(einvoice::ParseError::UnknownRoot { .. })
    ));
}
