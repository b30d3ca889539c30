//! `GET /api/invoices/{id}/{pdf|ubl|cii}` and `/api/credit-notes/{id}/{pdf|ubl|cii}`: an issued
//! document as a download; `GET /api/payments/{id}/receipt`: a payment's receipt. Each made by
//! [`crate::documents`].

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use remit_core::ids::{CreditNoteId, InvoiceId, PaymentId};
use remit_core::mail::{MailedDocument, MailedKind};

use super::session::CurrentSession;
use super::{AppError, AppState};
use crate::documents::{self as files, DocumentError, DocumentFile, IssuedDocument};

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
    let file = DocumentFile {
        file_name: issued.file_name(extension),
        bytes,
    };
    Ok(download(file, content_type))
}

/// `GET /api/payments/{id}/receipt`: the payment's receipt as PDF, kept after its first rendering; 404
/// for another organisation's.
pub async fn receipt(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = PaymentId::parse(&id).map_err(|_| AppError::NotFound)?;
    let file = files::receipt_pdf(&state.store, session.organisation.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(download(file, "application/pdf"))
}

/// `file` as an attachment of `content_type`, under its name.
pub fn download(file: DocumentFile, content_type: &'static str) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", file.file_name);
    let mut response = file.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

impl From<DocumentError> for AppError {
    fn from(e: DocumentError) -> Self {
        match e {
            DocumentError::Store(e) => AppError::Store(e),
            DocumentError::Statement(e) => AppError::from(e),
            e @ DocumentError::NotAnEInvoice { .. } => AppError::NotAnEInvoice(e),
            e => AppError::Document(e),
        }
    }
}
