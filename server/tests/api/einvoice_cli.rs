//! `remit einvoice totals|check FILE...`: one JSON line per document, totals computed by core, and an
//! exit status other tools rely on.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("REMIT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus"))
        });
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: e-invoice corpus not found at {} (set REMIT_CORPUS)",
            dir.display()
        );
        None
    }
}

fn remit(args: &[&str]) -> (i32, Vec<Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_remit"))
        .args(args)
        .output()
        .expect("remit runs");
    let lines = String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    (out.status.code().expect("exit code"), lines)
}

const EXAMPLE5: &str = "ConnectingEurope+eInvoicing-EN16931/ubl/examples/ubl-tc434-example5.xml";

#[test]
fn totals_prints_what_core_computes_for_each_document() {
    let Some(corpus) = corpus() else { return };
    let file = corpus.join(EXAMPLE5);
    let (status, lines) = remit(&["einvoice", "totals", file.to_str().unwrap()]);
    assert_eq!(status, 0);
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert_eq!(line["index"], 0);
    assert_eq!(line["syntax"], "UBL");
    assert_eq!(line["kind"], "Invoice");
    assert_eq!(line["currency"], "DKK");
    for key in [
        "BT-106", "BT-107", "BT-108", "BT-109", "BT-110", "BT-112", "BT-113", "BT-114", "BT-115",
    ] {
        assert!(line["totals"][key].is_string(), "{key} in {line}");
    }
    assert!(line["violations"].as_array().unwrap().is_empty());
}

#[test]
fn check_fails_when_a_changed_line_breaks_the_totals_and_goes_on_past_unreadable_files() {
    let Some(corpus) = corpus() else { return };
    let original = std::fs::read_to_string(corpus.join(EXAMPLE5)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_, before) = remit(&[
        "einvoice",
        "totals",
        corpus.join(EXAMPLE5).to_str().unwrap(),
    ]);

    // Raise the first line's net amount by 10 in a copy: BT-106 moves and BR-CO-10 fires.
    let marker = "<cbc:LineExtensionAmount currencyID=\"DKK\">";
    let start = original.find("<cac:InvoiceLine>").expect("a line");
    let at = start + original[start..].find(marker).expect("a line amount") + marker.len();
    let end = at + original[at..].find('<').unwrap();
    let amount: rust_decimal::Decimal = original[at..end].trim().parse().unwrap();
    let changed = format!(
        "{}{}{}",
        &original[..at],
        amount + rust_decimal::Decimal::TEN,
        &original[end..]
    );
    let copy = dir.path().join("changed.xml");
    std::fs::write(&copy, changed).unwrap();
    let garbage = dir.path().join("garbage.xml");
    std::fs::write(&garbage, "<not an invoice").unwrap();

    let (status, lines) = remit(&["einvoice", "check", copy.to_str().unwrap()]);
    assert_eq!(status, 1);
    let bt106 = |l: &Value| {
        l["totals"]["BT-106"]
            .as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap()
    };
    assert_eq!(
        bt106(&lines[0]) - bt106(&before[0]),
        rust_decimal::Decimal::TEN
    );
    let rules: Vec<&str> = lines[0]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"BR-CO-10"), "{rules:?}");

    let (status, lines) = remit(&[
        "einvoice",
        "check",
        garbage.to_str().unwrap(),
        copy.to_str().unwrap(),
    ]);
    assert_eq!(status, 2);
    assert_eq!(lines.len(), 2, "the readable file is still reported");
    assert!(lines[0]["index"].is_null() && lines[0]["error"].is_string());
}
