//! `GET /api/invoices/{id}/{pdf|ubl|cii}` and `/api/credit-notes/{id}/{pdf|ubl|cii}`: an issued
//! document as a download; `GET /api/payments/{id}/receipt`: a payment's receipt. Each made by
//! [`crate::documents`].

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use remit_core::ids::{CreditNoteId, InvoiceId, PaymentId};
use remit_core::mail::{MailedDocument, MailedKind};

use super::session::CurrentSession;
use super::{AppError, AppState};
use crate::documents::{self, DocumentError, IssuedDocument};

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
    let document = MailedDocument { kind, id };
    let issued = IssuedDocument::find(&state.store, session.organisation.id, document)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(issued
        .file(&state.store, file)
        .await?
        .ok_or(AppError::NotFound)?
        .into_response())
}

/// `GET /api/payments/{id}/receipt`: the payment's receipt as PDF, kept after its first rendering; 404
/// for another organisation's.
pub async fn receipt(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = PaymentId::parse(&id).map_err(|_| AppError::NotFound)?;
    let file = documents::receipt_pdf(&state.store, session.organisation.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(file.into_response())
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
