//! Portal links over REST: `POST /api/customers/{id}/portal-links` makes one (the only answer that
//! holds its token), `GET` lists a customer's (never a token), `DELETE /api/portal-links/{id}` revokes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use remit_core::ids::{CustomerId, PortalLinkId};
use remit_core::portal::{CreatedPortalLink, NewPortalLink, PortalLinkSummary};

use super::session::CurrentSession;
use super::{ApiJson, AppError, AppState};
use crate::clock;
use crate::portal::links::{self, LinkError};

fn customer_id(id: &str) -> Result<CustomerId, AppError> {
    CustomerId::parse(id).map_err(|_| AppError::NotFound)
}

/// `POST /api/customers/{id}/portal-links`
pub async fn create(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<NewPortalLink>,
) -> Result<(StatusCode, Json<CreatedPortalLink>), AppError> {
    let customer = customer_id(&id)?;
    let made = links::create(&state.store, &state.clock, &session, customer, &request).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedPortalLink {
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
) -> Result<Json<Vec<PortalLinkSummary>>, AppError> {
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
            .map(|l| PortalLinkSummary {
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
