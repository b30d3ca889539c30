//! Portal links over REST: `POST /api/customers/{id}/portal-links` makes one (the only answer that
//! holds its token), `GET` lists a customer's (never a token), `DELETE /api/portal-links/{id}` revokes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use remit_core::ids::{CustomerId, InvoiceId, PortalLinkId};
use remit_core::portal::{LinkState, NewPortalLink};
use serde::Serialize;

use super::session::CurrentSession;
use super::{ApiJson, AppError, AppState};
use crate::clock;
use crate::portal::links::{self, LinkError};

/// A link just made: its address holds the token, shown this once.
#[derive(Debug, Serialize)]
pub struct CreatedLink {
    pub id: PortalLinkId,
    /// The portal's address, relative to the server (`/p/<token>`).
    pub url: String,
    pub invoice_id: Option<InvoiceId>,
    pub expires_on: NaiveDate,
}

/// A link as the workspace lists it.
#[derive(Debug, Serialize)]
pub struct LinkSummary {
    pub id: PortalLinkId,
    pub customer_id: CustomerId,
    pub invoice_id: Option<InvoiceId>,
    pub created_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub state: LinkState,
    pub views: i64,
    /// RFC 3339, UTC.
    pub last_viewed_at: Option<String>,
}

fn customer_id(id: &str) -> Result<CustomerId, AppError> {
    CustomerId::parse(id).map_err(|_| AppError::NotFound)
}

/// `POST /api/customers/{id}/portal-links`
pub async fn create(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<NewPortalLink>,
) -> Result<(StatusCode, Json<CreatedLink>), AppError> {
    let customer = customer_id(&id)?;
    let made = links::create(&state.store, &state.clock, &session, customer, &request).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedLink {
            id: made.link.id,
            url: links::path(&made.token),
            invoice_id: made.link.invoice_id,
            expires_on: made.link.expires_on,
        }),
    ))
}

/// `GET /api/customers/{id}/portal-links`
pub async fn list(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
) -> Result<Json<Vec<LinkSummary>>, AppError> {
    let customer = customer_id(&id)?;
    let organisation = &session.organisation;
    let today = state
        .clock
        .today_in(&organisation.time_zone)
        .map_err(|e| LinkError::TimeZone(e.to_string()))?;
    let listed = links::list(&state.store, organisation.id, customer).await?;
    Ok(Json(
        listed
            .into_iter()
            .map(|l| LinkSummary {
                id: l.link.id,
                customer_id: l.link.customer_id,
                invoice_id: l.link.invoice_id,
                created_on: l.link.created_on,
                expires_on: l.link.expires_on,
                state: l.link.state(today),
                views: l.views,
                last_viewed_at: l
                    .last_viewed_at_ms
                    .map(|ms| clock::instant(ms).to_rfc3339()),
            })
            .collect(),
    ))
}

/// `DELETE /api/portal-links/{id}`
pub async fn revoke(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = PortalLinkId::parse(&id).map_err(|_| AppError::NotFound)?;
    links::revoke(&state.store, &state.clock, &session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
