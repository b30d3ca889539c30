//! Issued documents as files: the PDF of an invoice and of a credit note, rendered once from the
//! snapshot and served from the kept bytes ever after, a Factur-X hybrid with the CII inside; the UBL and
//! CII, which read back to the snapshot's totals. A customer's statement as PDF, with the figures of the
//! JSON statement; a payment's receipt, kept like an invoice.

use std::process::Command;

use remit_core::customer::Language;
use remit_core::document::issued::Invoice;
use remit_core::einvoice::{self, Syntax};
use remit_core::ids::{InvoiceId, PaymentId};
use remit_core::receivables::allocation::Instruction;
use remit_server::auth::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;
use crate::on_both_backends;

async fn download(api: &Api, path: &str) -> (String, String, Vec<u8>) {
    let response = api.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let (kind, disposition) = (header("content-type"), header("content-disposition"));
    (kind, disposition, response.bytes().await.unwrap().to_vec())
}

async fn an_issued_invoices_pdf_is_rendered_once_and_its_bytes_served_ever_after(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    set_up_seller(&owner, org).await;
    let nordlys = customer(org, "Nordlys AS");
    let invoice: InvoiceId = new_id();
    let reply = owner
        .push(
            new_client(),
            vec![
                upsert(1, &nordlys),
                issue_numbered(2, invoice, &draft(&nordlys)),
                credit(3, org, invoice, "2026-11-24"),
            ],
        )
        .await;
    assert_applied(&reply);

    let path = format!("/api/invoices/{invoice}/pdf");
    let (kind, disposition, first) = download(&owner, &path).await;
    assert_eq!(kind, "application/pdf");
    assert_eq!(disposition, "attachment; filename=\"INV-2026-000001.pdf\"");
    assert!(first.starts_with(b"%PDF-"), "a PDF");

    // The hybrid's embedded factur-x.xml is the invoice's CII (poppler's pdfdetach extracts it).
    let shown = owner.get(&format!("/api/invoices/{invoice}")).await;
    let shown: serde_json::Value = shown.json().await.unwrap();
    let issued: Invoice = serde_json::from_value(shown["invoice"].clone()).unwrap();
    let (_, _, cii) = download(&owner, &format!("/api/invoices/{invoice}/cii")).await;
    if let Some(embedded) = embedded_xml(&first) {
        assert_eq!(embedded, cii);
    }

    // The UBL and the CII state the snapshot's totals, and their names say which is which.
    for (file, syntax) in [("ubl", Syntax::Ubl), ("cii", Syntax::Cii)] {
        let (kind, disposition, xml) =
            download(&owner, &format!("/api/invoices/{invoice}/{file}")).await;
        assert_eq!(kind, "application/xml");
        assert_eq!(
            disposition,
            format!("attachment; filename=\"INV-2026-000001.{file}.xml\"")
        );
        let read = einvoice::parse(&xml).unwrap().remove(0);
        assert_eq!(read.header.syntax, syntax);
        assert_eq!(
            read.stated.amount_due,
            Some(issued.snapshot.totals.amount_due.amount())
        );
        assert_eq!(
            read.stated.tax_total,
            Some(issued.snapshot.totals.tax_total.amount())
        );
    }
    let unknown = owner.get(&format!("/api/invoices/{invoice}/xls")).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    // What is served later is the kept rendering, byte for byte, not a new one: a rendering kept by an
    // earlier version of the server (here: its bytes changed in place) is what the customer gets again.
    let kept: Vec<u8> = sqlx::query_scalar(
        "SELECT bytes FROM rendered_documents WHERE organisation_id = $1 AND document_id = $2",
    )
    .bind(org.to_string())
    .bind(invoice.to_string())
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(kept, first);
    let mut older = first.clone();
    older.extend_from_slice(b"\n% kept by an earlier release\n");
    sqlx::query("UPDATE rendered_documents SET bytes = $1 WHERE document_id = $2")
        .bind(older.clone())
        .bind(invoice.to_string())
        .execute(app.store.pool())
        .await
        .unwrap();
    assert_eq!(download(&owner, &path).await.2, older);

    // The credit note against it, rendered and written the same way.
    let note = shown["credit_notes"][0]["id"].as_str().unwrap().to_owned();
    let (kind, disposition, pdf) = download(&owner, &format!("/api/credit-notes/{note}/pdf")).await;
    assert_eq!(kind, "application/pdf");
    assert!(disposition.contains(".pdf"), "{disposition}");
    assert!(pdf.starts_with(b"%PDF-"));
    for file in ["ubl", "cii"] {
        let (_, _, xml) = download(&owner, &format!("/api/credit-notes/{note}/{file}")).await;
        let read = einvoice::parse(&xml).unwrap().remove(0);
        assert_eq!(read.header.type_code.as_deref(), Some("381"), "{file}");
    }

    // An id that is no issued document of the organisation's is not found.
    let missing = owner
        .get(&format!("/api/invoices/{}/pdf", new_id::<InvoiceId>()))
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
on_both_backends!(an_issued_invoices_pdf_is_rendered_once_and_its_bytes_served_ever_after => an_issued_invoices_pdf_is_rendered_once_and_its_bytes_served_ever_after_sqlite, an_issued_invoices_pdf_is_rendered_once_and_its_bytes_served_ever_after_postgres);

/// The `factur-x.xml` embedded in `pdf`, through poppler's `pdfdetach` (a PDF without it fails the
/// test). Without poppler the check is skipped, loudly (`None`), unless `REMIT_REQUIRE_PDF_TOOLS` is set,
/// as `scripts/test` sets it after installing poppler.
fn embedded_xml(pdf: &[u8]) -> Option<Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invoice.pdf");
    std::fs::write(&path, pdf).unwrap();
    let run = Command::new("pdfdetach")
        .arg("-saveall")
        .arg("-o")
        .arg(dir.path())
        .arg(&path)
        .output();
    match run {
        Ok(out) => assert!(out.status.success(), "pdfdetach: {out:?}"),
        Err(e) if std::env::var_os("REMIT_REQUIRE_PDF_TOOLS").is_none() => {
            eprintln!("SKIPPED: the embedded e-invoice check needs poppler's pdfdetach ({e})");
            return None;
        }
        Err(e) => panic!("pdfdetach is required: {e}"),
    }
    Some(std::fs::read(dir.path().join("factur-x.xml")).expect("the PDF embeds factur-x.xml"))
}

/// The text poppler's `pdftotext` reads from `pdf`, no-break spaces as plain ones. Without poppler the
/// check is skipped, loudly (`None`), unless `REMIT_REQUIRE_PDF_TOOLS` is set.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, pdf).unwrap();
    match Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(out) => {
            assert!(out.status.success(), "pdftotext: {out:?}");
            let text = String::from_utf8(out.stdout).unwrap();
            Some(text.replace(['\u{a0}', '\u{202f}'], " "))
        }
        Err(e) if std::env::var_os("REMIT_REQUIRE_PDF_TOOLS").is_none() => {
            eprintln!("SKIPPED: reading the PDF's text needs poppler's pdftotext ({e})");
            None
        }
        Err(e) => panic!("pdftotext is required: {e}"),
    }
}

/// An amount of the JSON API (`"-10.00"`) as an English document prints it (`-EUR 10.00`).
fn in_english(amount: &Value) -> String {
    let amount = amount["amount"].as_str().unwrap();
    assert!(amount.len() < 8, "{amount} would be grouped");
    match amount.strip_prefix('-') {
        Some(positive) => format!("-EUR {positive}"),
        None => format!("EUR {amount}"),
    }
}

/// Every amount of a JSON statement, and each open item's number.
fn figures_of(statement: &Value) -> Vec<String> {
    let forward = &statement["balance_forward"][0];
    let open = &statement["open_items"][0];
    let mut figures = vec![
        in_english(&forward["opening"]),
        in_english(&forward["closing"]),
        in_english(&open["total_due"]),
    ];
    for line in forward["lines"].as_array().unwrap() {
        figures.push(in_english(&line["amount"]));
        figures.push(in_english(&line["balance"]));
    }
    for item in open["items"].as_array().unwrap() {
        figures.push(item["number"].as_str().unwrap().to_owned());
        figures.push(in_english(&item["open"]));
    }
    figures
}

async fn a_customers_statement_pdf_prints_the_figures_of_the_json_statement(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    set_up_seller(&owner, org).await;
    let nordlys = customer(org, "Nordlys AS");
    let mut fjell = customer(org, "Fjell GmbH");
    fjell.language = Some(Language::parse("de").unwrap());
    let invoice: InvoiceId = new_id();
    let reply = owner
        .push(
            new_client(),
            vec![
                upsert(1, &nordlys),
                upsert(2, &fjell),
                issue_numbered(3, invoice, &draft(&nordlys)),
                pay(4, &payment(&nordlys, "10.00", "2026-12-01")),
            ],
        )
        .await;
    assert_applied(&reply);
    let period = "from=2026-11-01&to=2026-12-31";
    let statement = get_json(
        &owner,
        &format!("/api/customers/{}/statement?{period}", nordlys.id),
    )
    .await;
    let mut figures = figures_of(&statement);
    assert!(figures.contains(&"EUR 14.67".to_owned()), "{figures:?}");
    // The open items aged on the statement's date, as the aging route ages them.
    let aged = get_json(
        &owner,
        &format!("/api/customers/{}/aging?on=2027-01-10", nordlys.id),
    )
    .await;
    for bucket in aged["reports"][0]["buckets"].as_array().unwrap() {
        let label = bucket["label"].as_str().unwrap();
        figures.push(match label {
            "Current" => "Not yet due".to_owned(),
            days => format!("{days} days"),
        });
        figures.push(in_english(&bucket["amount"]));
    }
    assert!(figures.contains(&"1–30 days".to_owned()), "{figures:?}");

    let path = format!(
        "/api/customers/{}/statement/pdf?{period}&on=2027-01-10",
        nordlys.id
    );
    let (kind, disposition, pdf) = download(&owner, &path).await;
    assert_eq!(kind, "application/pdf");
    assert_eq!(
        disposition,
        "attachment; filename=\"statement-Nordlys_AS-2026-11-01-2026-12-31.pdf\""
    );
    assert!(pdf.starts_with(b"%PDF-"));
    // A statement is of a moment: rendered again for each request, never kept.
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rendered_documents")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(kept, 0);
    if let Some(text) = pdf_text(&pdf) {
        for figure in &figures {
            assert!(
                text.contains(figure.as_str()),
                "{figure} missing in:\n{text}"
            );
        }
        // Due 23 December, 18 days overdue on 10 January; the seller from the settings.
        for expected in [
            "Statement of account",
            "Jan 10, 2027",
            " 18 ",
            "Acme GmbH",
            "Hauptstraße 1",
        ] {
            assert!(text.contains(expected), "{expected} missing in:\n{text}");
        }
    }
    // Without `on`, the statement is dated today in the organisation's time zone (Europe/Berlin): at
    // 23:30 UTC on 29 November it is already the 30th there.
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-29T23:30:00Z").unwrap();
    app.clock.set(at.timestamp_millis());
    let today = format!("/api/customers/{}/statement/pdf?{period}", nordlys.id);
    let dated = format!("{today}&on=2026-11-30");
    assert_eq!(
        download(&owner, &today).await.2,
        download(&owner, &dated).await.2
    );
    // In the customer's language.
    let german = format!(
        "/api/customers/{}/statement/pdf?{period}&on=2027-01-10",
        fjell.id
    );
    if let Some(text) = pdf_text(&download(&owner, &german).await.2) {
        assert!(text.contains("Kontoauszug"), "{text}");
        assert!(text.contains("0,00 EUR"), "{text}");
    }

    // The JSON statement's rules for the period, and `on` must be a date.
    for (query, field) in [
        ("to=2026-12-31", "from"),
        ("from=2026-12-31&to=2026-12-01", "to"),
        ("from=2026-11-01&to=2026-12-31&on=someday", "on"),
    ] {
        let path = format!("/api/customers/{}/statement/pdf?{query}", nordlys.id);
        let (status, error) = error_of(owner.get(&path).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(error["field"], field, "{query}");
    }
    // Another organisation's customer is not found.
    let (stranger, _) = app
        .user("Other Org", "bob@other.example", Role::Owner)
        .await;
    assert_eq!(stranger.get(&path).await.status(), StatusCode::NOT_FOUND);
}
on_both_backends!(a_customers_statement_pdf_prints_the_figures_of_the_json_statement => a_customers_statement_pdf_prints_the_figures_of_the_json_statement_sqlite, a_customers_statement_pdf_prints_the_figures_of_the_json_statement_postgres);

async fn a_payments_receipt_is_rendered_once_and_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    set_up_seller(&owner, org).await;
    let mut nordlys = customer(org, "Nordlys AS");
    let invoice: InvoiceId = new_id();
    let mut overpaid = payment(&nordlys, "100.00", "2026-12-01");
    overpaid.instruction = Instruction::Named(vec![invoice]);
    let reply = owner
        .push(
            new_client(),
            vec![
                upsert(1, &nordlys),
                issue_numbered(2, invoice, &draft(&nordlys)),
                pay(3, &overpaid),
            ],
        )
        .await;
    assert_applied(&reply);

    let path = format!("/api/payments/{}/receipt", overpaid.id);
    let (kind, disposition, first) = download(&owner, &path).await;
    assert_eq!(kind, "application/pdf");
    assert_eq!(
        disposition,
        format!(
            "attachment; filename=\"receipt-2026-12-01-{}.pdf\"",
            overpaid.id
        )
    );
    if let Some(text) = pdf_text(&first) {
        // 24.67 paid INV-2026-000001; the other 75.33 became credit.
        for expected in [
            "Payment receipt",
            "Nordlys AS",
            "Dec 1, 2026",
            "Bank transfer",
            "Bank ref 4711",
            "INV-2026-000001",
            "EUR 24.67",
            "EUR 75.33",
            "EUR 100.00",
        ] {
            assert!(text.contains(expected), "{expected} missing in:\n{text}");
        }
    }
    let kept: Vec<u8> = sqlx::query_scalar(
        "SELECT bytes FROM rendered_documents WHERE organisation_id = $1 AND document_id = $2",
    )
    .bind(org.to_string())
    .bind(overpaid.id.to_string())
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(kept, first);

    // The customer renamed since: the receipt is still the one given.
    nordlys.name = "Nordlys Havbruk AS".into();
    assert_applied(&owner.push(new_client(), vec![upsert(1, &nordlys)]).await);
    assert_eq!(download(&owner, &path).await.2, first);

    let (stranger, _) = app
        .user("Other Org", "bob@other.example", Role::Owner)
        .await;
    assert_eq!(stranger.get(&path).await.status(), StatusCode::NOT_FOUND);
    let unknown = format!("/api/payments/{}/receipt", new_id::<PaymentId>());
    assert_eq!(owner.get(&unknown).await.status(), StatusCode::NOT_FOUND);
}
on_both_backends!(a_payments_receipt_is_rendered_once_and_kept => a_payments_receipt_is_rendered_once_and_kept_sqlite, a_payments_receipt_is_rendered_once_and_kept_postgres);
