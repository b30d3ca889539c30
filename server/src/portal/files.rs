//! The portal's downloads: an invoice's PDF, UBL and CII (the very bytes the workspace serves), the
//! statement as a PDF for a period, and a receipt per payment. Every one answers the same 404 as an
//! unknown token for what the link may not show ([`PortalLink`](remit_core::portal::PortalLink) decides).

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use remit_core::ids::PaymentId;
use remit_core::portal::payments_since;
use remit_core::receivables::payment::Payment;
use remit_core::sync::EntityKind;

use super::address::ClientAddress;
use super::links::Visit;
use super::{Choice, PortalError, language, open, shown_invoice};
use crate::documents;
use crate::http::AppState;
use crate::statements::Period;
use crate::store::records;

fn not_found(choice: &Choice, visit: &Visit, headers: &HeaderMap) -> PortalError {
    PortalError::NotFound {
        language: language(choice, Some(visit), headers),
    }
}

/// `GET /p/{token}/invoices/{id}/{pdf|ubl|cii}`
pub(super) async fn invoice_file(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    Path((token, id, file)): Path<(String, String, String)>,
    Query(choice): Query<Choice>,
) -> Result<Response, PortalError> {
    let visit = open(&state, client, &headers, &token, &choice).await?;
    let document = shown_invoice(&state, &visit, &id, (&choice, &headers)).await?;
    match document.file(&state.store, &file).await? {
        Some(file) => Ok(file.into_response()),
        None => Err(not_found(&choice, &visit, &headers)),
    }
}

/// A day of the period form; a missing one takes `default`, one that is no date is refused, naming it.
fn day(
    field: &'static str,
    text: Option<&str>,
    default: NaiveDate,
    language: remit_documents::Language,
) -> Result<NaiveDate, PortalError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(default),
        Some(t) => t
            .parse()
            .map_err(|_| PortalError::BadPeriod { language, field }),
    }
}

/// `GET /p/{token}/statement.pdf?from=&to=`: the statement of a period (by default the last twelve
/// months), dated today; a statement link's only.
pub(super) async fn statement_pdf(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(choice): Query<Choice>,
) -> Result<Response, PortalError> {
    let visit = open(&state, client, &headers, &token, &choice).await?;
    if !visit.link.shows_account() {
        return Err(not_found(&choice, &visit, &headers));
    }
    let words = language(&choice, Some(&visit), &headers);
    let from = day(
        "from",
        choice.from.as_deref(),
        payments_since(visit.today),
        words,
    )?;
    let to = day("to", choice.to.as_deref(), visit.today, words)?;
    if to < from {
        return Err(PortalError::BadPeriod {
            language: words,
            field: "to",
        });
    }
    let (org, customer) = (visit.organisation.id, visit.customer.id);
    let period = Period { from, to };
    match documents::statement_pdf(&state.store, org, customer, period, visit.today).await? {
        Some(file) => Ok(file.into_response()),
        None => Err(not_found(&choice, &visit, &headers)),
    }
}

/// `GET /p/{token}/receipts/{payment id}`: the receipt of a payment of the link's customer.
pub(super) async fn receipt(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    Path((token, id)): Path<(String, String)>,
    Query(choice): Query<Choice>,
) -> Result<Response, PortalError> {
    let visit = open(&state, client, &headers, &token, &choice).await?;
    let Ok(id) = PaymentId::parse(&id) else {
        return Err(not_found(&choice, &visit, &headers));
    };
    let org = visit.organisation.id;
    let found = {
        let mut conn = state.store.read().await?;
        records::find_record::<Payment>(&mut conn, org, EntityKind::Payment, id.as_uuid()).await?
    };
    let shown = found.is_some_and(|p| visit.link.shows_payment(p.record.received.customer_id));
    if !shown {
        return Err(not_found(&choice, &visit, &headers));
    }
    match documents::receipt_pdf(&state.store, org, id).await? {
        Some(file) => Ok(file.into_response()),
        None => Err(not_found(&choice, &visit, &headers)),
    }
}
