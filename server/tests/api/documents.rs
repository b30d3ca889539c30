//! Issued documents as files: the PDF of an invoice and of a credit note, rendered once from the
//! snapshot and served from the kept bytes ever after.

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

    // The credit note against it, rendered the same way.
    let notes = owner.get(&format!("/api/invoices/{invoice}")).await;
    let notes: serde_json::Value = notes.json().await.unwrap();
    let note = notes["credit_notes"][0]["id"].as_str().unwrap().to_owned();
    let (kind, disposition, pdf) = download(&owner, &format!("/api/credit-notes/{note}/pdf")).await;
    assert_eq!(kind, "application/pdf");
    assert!(disposition.contains(".pdf"), "{disposition}");
    assert!(pdf.starts_with(b"%PDF-"));

    // An id that is no issued document of the organisation's is not found.
    let missing = owner
        .get(&format!("/api/invoices/{}/pdf", new_id::<InvoiceId>()))
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
on_both_backends!(an_issued_invoices_pdf_is_rendered_once_and_its_bytes_served_ever_after => an_issued_invoices_pdf_is_rendered_once_and_its_bytes_served_ever_after_sqlite, an_issued_invoices_pdf_is_rendered_once_and_its_bytes_served_ever_after_postgres);
