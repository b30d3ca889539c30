//! Invoice documents over REST: drafts, with the totals core computes on every read from the stored
//! lines, and issued invoices exactly as they were frozen.

use axum::Json;
use axum::extract::{Path, State};
use remit_core::document::issued::{CreditNote, Invoice};
use remit_core::document::{DocumentTotals, InvoiceDraft, compute};
use remit_core::ids::InvoiceId;
use serde::Serialize;

use super::query::CustomerFilter;
use super::session::CurrentSession;
use super::{ApiQuery, AppError, AppState};
use crate::store::{credit_notes, drafts, invoices};

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
    let draft = drafts::find_draft(&mut conn, session.organisation.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let totals = compute(&draft).map_err(|source| AppError::Stored {
        what: format!("draft {id}"),
        source,
    })?;
    Ok(Json(DraftView {
        version: draft.version,
        draft,
        totals,
    }))
}

/// An issued invoice (its snapshot, digest and void mark) with the credit notes issued against it.
#[derive(Debug, Serialize)]
pub struct InvoiceView {
    pub invoice: Invoice,
    pub credit_notes: Vec<CreditNote>,
}

/// `GET /api/invoices[?customer_id=]`: the organisation's issued invoices by issue date and number.
pub async fn list(
    State(state): State<AppState>,
    session: CurrentSession,
    ApiQuery(filter): ApiQuery<CustomerFilter>,
) -> Result<Json<Vec<Invoice>>, AppError> {
    let customer = filter.customer()?;
    let mut conn = state.store.read().await?;
    Ok(Json(
        invoices::list_invoices(&mut conn, session.organisation.id, customer).await?,
    ))
}

/// `GET /api/invoices/{id}`: an issued invoice of the signed-in user's organisation; 404 for any other id.
pub async fn show(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
) -> Result<Json<InvoiceView>, AppError> {
    let id = InvoiceId::parse(&id).map_err(|_| AppError::NotFound)?;
    let organisation = session.organisation.id;
    let mut conn = state.store.read().await?;
    let invoice = invoices::find_invoice(&mut conn, organisation, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let credit_notes = credit_notes::credit_notes_of(&mut conn, organisation, id).await?;
    Ok(Json(InvoiceView {
        invoice,
        credit_notes,
    }))
}
