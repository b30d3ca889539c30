//! First-run setup: while nobody can sign in, anyone who can reach the server creates the organisation
//! and its owner (and is signed in as them). Afterwards the endpoint refuses.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use remit_core::organisation::{SetupRequest, SetupStatus};

use super::session::signed_in_response;
use super::{ApiJson, AppError, AppState};
use crate::auth::Role;
use crate::auth::accounts::{self, NewAccount};

/// `GET /api/setup`
pub async fn status(State(state): State<AppState>) -> Result<Json<SetupStatus>, AppError> {
    Ok(Json(SetupStatus {
        needed: accounts::setup_needed(&state.store).await?,
    }))
}

/// `POST /api/setup`
pub async fn set_up(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<SetupRequest>,
) -> Result<Response, AppError> {
    let account = accounts::set_up(
        &state.store,
        &state.clock,
        NewAccount {
            organisation_name: request.organisation_name,
            time_zone: request.time_zone,
            currency: request.currency,
            name: request.name,
            email: request.email,
            password: request.password,
            role: Role::Owner,
        },
    )
    .await?;
    let signed_in = accounts::sign_in_new(&state.store, &state.clock, account).await?;
    Ok(signed_in_response(StatusCode::CREATED, signed_in))
}
