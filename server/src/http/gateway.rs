//! The organisation's payment gateway over REST, owners only: `PUT /api/gateway` sets it (the only
//! request that carries its secrets), `GET /api/gateway` answers what may be read of it, never a
//! secret ([`crate::gateway::settings`]).

use axum::Json;
use axum::extract::State;
use remit_core::sync::MutationError;

use super::session::CurrentSession;
use super::{ApiJson, AppError, AppState};
use crate::gateway::settings::{self, GatewaySettings, GatewaySummary};

/// Owners only: the gateway decides where customers' money goes.
fn owner(session: &CurrentSession) -> Result<(), AppError> {
    if session.user.role.may_change_settings() {
        Ok(())
    } else {
        Err(AppError::Refused(MutationError::forbidden(
            "role",
            "only an owner may see or set the payment gateway",
        )))
    }
}

/// `GET /api/gateway`
pub async fn show(
    State(state): State<AppState>,
    session: CurrentSession,
) -> Result<Json<GatewaySummary>, AppError> {
    owner(&session)?;
    settings::summary(&state.store, session.organisation.id)
        .await?
        .map(Json)
        .ok_or(AppError::NotFound)
}

/// `PUT /api/gateway`
pub async fn set(
    State(state): State<AppState>,
    session: CurrentSession,
    ApiJson(request): ApiJson<GatewaySettings>,
) -> Result<Json<GatewaySummary>, AppError> {
    owner(&session)?;
    let account = request.account().map_err(AppError::Invalid)?;
    let set = settings::set(
        &state.store,
        (session.organisation.id, session.user.id),
        &account,
        state.clock.now_ms(),
    )
    .await?;
    Ok(Json(set))
}
