//! Invoice documents over REST. Totals are computed by core on every read, from the stored lines.

use axum::Json;
use axum::extract::{Path, State};
use remit_core::document::{DocumentTotals, InvoiceDraft, compute};
use remit_core::ids::InvoiceId;
use serde::Serialize;

use super::session::CurrentSession;
use super::{AppError, AppState};
use crate::store::records;

#[derive(Debug, Serialize)]
pub struct DraftView {
    pub draft: InvoiceDraft,
    pub totals: DocumentTotals,
    pub version: u64,
}

/// `GET /api/invoice-drafts/{id}`: a draft of the signed-in user's organisation; 404 for any other id.
pub async fn draft(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
) -> Result<Json<DraftView>, AppError> {
    let id = InvoiceId::parse(&id).map_err(|_| AppError::NotFound)?;
    let mut conn = state.store.read().await?;
    let draft = records::find_draft(&mut conn, session.organisation.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let totals =
        compute(&draft).map_err(|e| AppError::Internal(format!("stored draft {id}: {e}")))?;
    Ok(Json(DraftView {
        version: draft.version,
        draft,
        totals,
    }))
}
