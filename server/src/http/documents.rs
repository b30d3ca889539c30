//! Issued documents as files: the PDF a customer receives (a Factur-X hybrid for invoices). A PDF is
//! rendered from the snapshot alone, once: the first rendering's bytes are kept and served ever after.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use remit_core::document::issue::Snapshot;
use remit_core::ids::{CreditNoteId, CustomerId, InvoiceId, OrganisationId};
use remit_documents::{Language, RenderOptions, invoice_pdf};
use uuid::Uuid;

use super::session::CurrentSession;
use super::{AppError, AppState};
use crate::store::renderings::{self, Format};
use crate::store::{credit_notes, customers, invoices};

/// `GET /api/invoices/{id}/pdf`: the issued invoice as PDF; 404 for another organisation's.
pub async fn invoice_pdf_file(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = InvoiceId::parse(&id).map_err(|_| AppError::NotFound)?;
    let organisation = session.organisation.id;
    let invoice = {
        let mut conn = state.store.read().await?;
        invoices::find_invoice(&mut conn, organisation, id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let document = Document {
        organisation,
        id: id.as_uuid(),
        customer: invoice.customer_id,
        snapshot: invoice.snapshot,
    };
    document.pdf(&state).await
}

/// `GET /api/credit-notes/{id}/pdf`: the issued credit note as PDF; 404 for another organisation's.
pub async fn credit_note_pdf_file(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = CreditNoteId::parse(&id).map_err(|_| AppError::NotFound)?;
    let organisation = session.organisation.id;
    let note = {
        let mut conn = state.store.read().await?;
        credit_notes::find_credit_note(&mut conn, organisation, id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let document = Document {
        organisation,
        id: id.as_uuid(),
        customer: note.customer_id,
        snapshot: note.snapshot,
    };
    document.pdf(&state).await
}

/// An issued document of the organisation's.
struct Document {
    organisation: OrganisationId,
    id: Uuid,
    customer: CustomerId,
    snapshot: Snapshot,
}

impl Document {
    /// The kept rendering, or the first one, rendered now in the customer's language and kept.
    async fn pdf(self, state: &AppState) -> Result<Response, AppError> {
        let mut conn = state.store.read().await?;
        let kept =
            renderings::find_rendering(&mut conn, self.organisation, self.id, Format::Pdf).await?;
        let bytes = match kept {
            Some(bytes) => bytes,
            None => {
                let customer =
                    customers::find_customer(&mut conn, self.organisation, self.customer).await?;
                drop(conn);
                let language = customer
                    .and_then(|c| c.language)
                    .and_then(|l| Language::from_tag(l.code()))
                    .unwrap_or_default();
                let options = RenderOptions {
                    language,
                    ..RenderOptions::default()
                };
                let snapshot = self.snapshot.clone();
                let what = || self.snapshot.number.to_string();
                // Rendering is CPU work (tens of milliseconds for a long invoice): off the async workers.
                let rendered =
                    tokio::task::spawn_blocking(move || invoice_pdf(&snapshot, &options))
                        .await
                        .map_err(|source| AppError::RenderTask {
                            what: what(),
                            source,
                        })?
                        .map_err(|source| AppError::Render {
                            what: what(),
                            source,
                        })?;
                let mut tx = state.store.write().await?;
                let kept = renderings::keep_first_rendering(
                    &mut tx,
                    self.organisation,
                    self.id,
                    Format::Pdf,
                    rendered,
                )
                .await?;
                tx.commit().await.map_err(crate::store::StoreError::from)?;
                kept
            }
        };
        Ok(file(bytes, "application/pdf", &self.snapshot, "pdf"))
    }
}

/// A download named after the document's number (`INV-2026-000001.pdf`).
fn file(
    bytes: Vec<u8>,
    content_type: &'static str,
    snapshot: &Snapshot,
    extension: &str,
) -> Response {
    let name: String = snapshot
        .number
        .to_string()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{name}.{extension}\"");
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
