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

/// A Remit invoice (two lines at 19 %), its CII, and its amount due.
fn remit_invoice() -> (
    remit_core::document::issue::Snapshot,
    String,
    rust_decimal::Decimal,
) {
    use remit_core::document::issue::{Party, Snapshot};
    use remit_core::fixtures;
    use rust_decimal_macros::dec;
    let party = |name: &str| Party {
        name: name.into(),
        tax_id: "DE123456789".into(),
        legal_id: String::new(),
        address: fixtures::address("Hafenstraße 12", "20457", "Hamburg", "DE"),
    };
    let snapshot = Snapshot::issue(
        &fixtures::draft(
            "EUR",
            vec![
                fixtures::line("Hull inspection", dec!(10), dec!(123.45), dec!(19)),
                fixtures::line("Mooring rope", dec!(3), dec!(4.99), dec!(19)),
            ],
        ),
        remit_core::numbering::InvoiceNumber::parse("INV-2026-000042").unwrap(),
        party("Fjord Consulting GmbH"),
        party("Hanse Logistik GmbH"),
        remit_core::terms::PaymentPlan::single(remit_core::terms::PaymentTerms::Net { days: 14 }),
    )
    .unwrap();
    let cii = remit_core::einvoice::snapshot_to_cii(&snapshot).unwrap();
    let due = snapshot.totals.amount_due.amount();
    (snapshot, cii, due)
}

/// The PDF Remit renders of `snapshot`, with `xml` embedded as `factur-x.xml` (or nothing), in `dir`.
fn remit_pdf(
    dir: &std::path::Path,
    name: &str,
    snapshot: &remit_core::document::issue::Snapshot,
    xml: Option<&[u8]>,
) -> PathBuf {
    let options = remit_documents::RenderOptions {
        embedded_invoice: xml.map(|x| remit_documents::EmbeddedInvoice::factur_x(x.to_vec())),
        ..remit_documents::RenderOptions::default()
    };
    let pdf = remit_documents::invoice_pdf(snapshot, &options).unwrap();
    let file = dir.join(name);
    std::fs::write(&file, pdf).unwrap();
    file
}

#[test]
fn check_reads_a_real_factur_x_pdf_through_the_cii_it_embeds() {
    let Some(corpus) = corpus() else { return };
    let file = corpus.join("akretion+factur-x/tests/fixtures/pdf/invoice_EN16931.pdf");
    let (status, lines) = remit(&["einvoice", "check", file.to_str().unwrap()]);
    assert_eq!(status, 0, "{lines:?}");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["file"], file.to_str().unwrap());
    assert_eq!(lines[0]["syntax"], "CII");
    assert_eq!(lines[0]["kind"], "Invoice");
    assert!(lines[0]["totals"]["BT-115"].is_string(), "{}", lines[0]);
}

#[test]
fn totals_of_a_factur_x_pdf_remit_renders_are_those_of_its_invoice() {
    let (snapshot, cii, due) = remit_invoice();
    let dir = tempfile::tempdir().unwrap();
    let pdf = remit_pdf(dir.path(), "hybrid.pdf", &snapshot, Some(cii.as_bytes()));
    let xml = dir.path().join("invoice.xml");
    std::fs::write(&xml, &cii).unwrap();
    let (status, lines) = remit(&[
        "einvoice",
        "check",
        pdf.to_str().unwrap(),
        xml.to_str().unwrap(),
    ]);
    assert_eq!(status, 0, "{lines:?}");
    assert_eq!(lines[0]["totals"]["BT-115"], due.to_string());
    // The PDF reports as its XML does, but for the file name.
    assert_eq!(lines[0]["totals"], lines[1]["totals"]);
    assert_eq!(lines[0]["vat"], lines[1]["vat"]);
}

#[test]
fn a_pdf_without_an_invoice_a_corrupt_pdf_and_broken_xml_inside_are_unreadable() {
    let (snapshot, cii, _) = remit_invoice();
    let dir = tempfile::tempdir().unwrap();
    let plain = remit_pdf(dir.path(), "plain.pdf", &snapshot, None);
    let broken = remit_pdf(dir.path(), "broken.pdf", &snapshot, Some(b"<rsm:Cross"));
    let hybrid = std::fs::read(remit_pdf(
        dir.path(),
        "hybrid.pdf",
        &snapshot,
        Some(cii.as_bytes()),
    ))
    .unwrap();
    let truncated = dir.path().join("truncated.pdf");
    std::fs::write(&truncated, &hybrid[..hybrid.len() / 3]).unwrap();
    let files = [&plain, &broken, &truncated].map(|f| f.to_str().unwrap().to_owned());
    for checking in ["totals", "check"] {
        let (status, lines) = remit(
            &[
                &["einvoice", checking],
                files.each_ref().map(String::as_str).as_slice(),
            ]
            .concat(),
        );
        assert_eq!(status, 2, "{checking}: {lines:?}");
        assert_eq!(lines.len(), 3, "one line per file");
        for line in &lines {
            assert!(line["index"].is_null(), "{line}");
        }
        let error = |i: usize| lines[i]["error"].as_str().unwrap().to_owned();
        assert!(error(0).contains("no embedded invoice"), "{}", error(0));
        assert!(error(0).contains("factur-x.xml"), "{}", error(0));
        assert!(
            error(1).starts_with("the embedded factur-x.xml: "),
            "{}",
            error(1)
        );
        assert!(error(1).contains("XML"), "{}", error(1));
        assert!(!error(2).is_empty());
    }
}
