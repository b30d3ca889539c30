//! `POST /api/sync/push` and `POST /api/sync/pull`.

use axum::Json;
use axum::extract::State;
use remit_core::sync::{PullRequest, PullResponse, PushRequest, PushResponse};
use serde::Deserialize;

use super::session::CurrentSession;
use super::{ApiJson, ApiQuery, AppError, AppState};
use crate::sync::{pull, push};

pub async fn push(
    State(state): State<AppState>,
    session: CurrentSession,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, AppError> {
    Ok(Json(
        push::push(&state.store, &state.clock, &session.caller(), &request).await?,
    ))
}

#[derive(Debug, Deserialize)]
pub struct PullQuery {
    limit: Option<u32>,
}

pub async fn pull(
    State(state): State<AppState>,
    session: CurrentSession,
    ApiQuery(query): ApiQuery<PullQuery>,
    ApiJson(request): ApiJson<PullRequest>,
) -> Result<Json<PullResponse>, AppError> {
    let page = pull::page_size(query.limit);
    Ok(Json(
        pull::pull(&state.store, &session.caller(), &request, page).await?,
    ))
}
