//! Issued documents as files: the PDF of an invoice and of a credit note, rendered once from the
//! snapshot and served from the kept bytes ever after, a Factur-X hybrid with the CII inside; the UBL and
//! CII, which read back to the snapshot's totals.

use std::process::Command;

use remit_core::document::issued::Invoice;
use remit_core::einvoice::{self, Syntax};
use remit_core::ids::InvoiceId;
use reqwest::StatusCode;

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
