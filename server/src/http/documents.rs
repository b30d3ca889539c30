//! `GET /api/invoices/{id}/{pdf|ubl|cii}` and `/api/credit-notes/{id}/{pdf|ubl|cii}`: an issued
//! document as a download, made by [`crate::documents`].

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use remit_core::ids::{CreditNoteId, InvoiceId};
use remit_core::mail::{MailedDocument, MailedKind};

use super::session::CurrentSession;
use super::{AppError, AppState};
use crate::documents::{DocumentError, IssuedDocument};

/// `GET /api/invoices/{id}/{pdf|ubl|cii}`: an issued invoice as a file; 404 for another organisation's.
pub async fn invoice_file(
    State(state): State<AppState>,
    session: CurrentSession,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = InvoiceId::parse(&id).map_err(|_| AppError::NotFound)?;
    file_of(&state, &session, MailedKind::Invoice, id.as_uuid(), &file).await
}

/// `GET /api/credit-notes/{id}/{pdf|ubl|cii}`: an issued credit note as a file; 404 for another
/// organisation's.
pub async fn credit_note_file(
    State(state): State<AppState>,
    session: CurrentSession,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = CreditNoteId::parse(&id).map_err(|_| AppError::NotFound)?;
    file_of(
        &state,
        &session,
        MailedKind::CreditNote,
        id.as_uuid(),
        &file,
    )
    .await
}

async fn file_of(
    state: &AppState,
    session: &CurrentSession,
    kind: MailedKind,
    id: uuid::Uuid,
    file: &str,
) -> Result<Response, AppError> {
    if !matches!(file, "pdf" | "ubl" | "cii") {
        return Err(AppError::NotFound);
    }
    let document = MailedDocument { kind, id };
    let issued = IssuedDocument::find(&state.store, session.organisation.id, document)
        .await?
        .ok_or(AppError::NotFound)?;
    let (bytes, content_type, extension) = match file {
        "pdf" => (issued.pdf(&state.store).await?, "application/pdf", "pdf"),
        "ubl" => (issued.ubl()?.into_bytes(), "application/xml", "ubl.xml"),
        _ => (issued.cii()?.into_bytes(), "application/xml", "cii.xml"),
    };
    let disposition = format!("attachment; filename=\"{}\"", issued.file_name(extension));
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

impl From<DocumentError> for AppError {
    fn from(e: DocumentError) -> Self {
        match e {
            DocumentError::Store(e) => AppError::Store(e),
            e @ DocumentError::NotAnEInvoice { .. } => AppError::NotAnEInvoice(e),
            e => AppError::Document(e),
        }
    }
}
