//! Issued documents as files: the PDF a customer receives (a Factur-X hybrid with its CII embedded),
//! and the e-invoice as UBL 2.1 or CII for the customer's systems. Everything is made from the snapshot
//! alone. A PDF is rendered once: the first rendering's bytes are kept and served ever after. The XML is
//! written anew on each request; core's writers are deterministic.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use remit_core::document::issue::Snapshot;
use remit_core::einvoice::{snapshot_to_cii, snapshot_to_ubl};
use remit_core::ids::{CreditNoteId, CustomerId, InvoiceId, OrganisationId};
use remit_documents::{EmbeddedInvoice, Language, RenderOptions, invoice_pdf};
use uuid::Uuid;

use super::session::CurrentSession;
use super::{AppError, AppState};
use crate::store::renderings::{self, Format};
use crate::store::{credit_notes, customers, invoices};

/// The files an issued document comes as: the last segment of its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum File {
    Pdf,
    Ubl,
    Cii,
}

impl File {
    fn parse(text: &str) -> Result<Self, AppError> {
        match text {
            "pdf" => Ok(File::Pdf),
            "ubl" => Ok(File::Ubl),
            "cii" => Ok(File::Cii),
            _ => Err(AppError::NotFound),
        }
    }
}

/// `GET /api/invoices/{id}/{pdf|ubl|cii}`: an issued invoice as a file; 404 for another organisation's.
pub async fn invoice_file(
    State(state): State<AppState>,
    session: CurrentSession,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = InvoiceId::parse(&id).map_err(|_| AppError::NotFound)?;
    let file = File::parse(&file)?;
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
    document.file(&state, file).await
}

/// `GET /api/credit-notes/{id}/{pdf|ubl|cii}`: an issued credit note as a file; 404 for another
/// organisation's.
pub async fn credit_note_file(
    State(state): State<AppState>,
    session: CurrentSession,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = CreditNoteId::parse(&id).map_err(|_| AppError::NotFound)?;
    let file = File::parse(&file)?;
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
    document.file(&state, file).await
}

/// An issued document of the organisation's.
struct Document {
    organisation: OrganisationId,
    id: Uuid,
    customer: CustomerId,
    snapshot: Snapshot,
}

impl Document {
    async fn file(self, state: &AppState, file: File) -> Result<Response, AppError> {
        let export = |what: &'static str| {
            let number = self.snapshot.number.to_string();
            move |source| AppError::NotAnEInvoice {
                what: format!("{number} as {what}"),
                source,
            }
        };
        match file {
            File::Pdf => self.pdf(state).await,
            File::Ubl => {
                let xml = snapshot_to_ubl(&self.snapshot).map_err(export("UBL"))?;
                Ok(download(
                    xml.into_bytes(),
                    "application/xml",
                    &self.snapshot,
                    "ubl.xml",
                ))
            }
            File::Cii => {
                let xml = snapshot_to_cii(&self.snapshot).map_err(export("CII"))?;
                Ok(download(
                    xml.into_bytes(),
                    "application/xml",
                    &self.snapshot,
                    "cii.xml",
                ))
            }
        }
    }

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
                let rendered = self.render(language).await?;
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
        Ok(download(bytes, "application/pdf", &self.snapshot, "pdf"))
    }

    /// The PDF with the CII embedded (Factur-X, EN 16931 profile). A snapshot issued before core
    /// refused what the e-invoice rules reject may not export: its PDF is then a plain one, and the
    /// reason is logged.
    async fn render(&self, language: Language) -> Result<Vec<u8>, AppError> {
        let what = || self.snapshot.number.to_string();
        let embedded_invoice = match snapshot_to_cii(&self.snapshot) {
            Ok(xml) => Some(EmbeddedInvoice::factur_x(xml.into_bytes())),
            Err(e) => {
                tracing::warn!(document = %what(), error = %e, "rendered without its e-invoice");
                None
            }
        };
        let options = RenderOptions {
            language,
            embedded_invoice,
            ..RenderOptions::default()
        };
        let snapshot = self.snapshot.clone();
        // Rendering is CPU work (tens of milliseconds for a long invoice): off the async workers.
        tokio::task::spawn_blocking(move || invoice_pdf(&snapshot, &options))
            .await
            .map_err(|source| AppError::RenderTask {
                what: what(),
                source,
            })?
            .map_err(|source| AppError::Render {
                what: what(),
                source,
            })
    }
}

/// A download named after the document's number (`INV-2026-000001.pdf`, `INV-2026-000001.ubl.xml`).
fn download(
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
