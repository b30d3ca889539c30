//! `POST /api/sync/push` and `POST /api/sync/pull`.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use remit_core::sync::{PullRequest, PullResponse, PushRequest, PushResponse};
use serde::Deserialize;

use super::portal_links::request_origin;
use super::session::CurrentSession;
use super::{ApiJson, ApiQuery, AppError, AppState};
use crate::sync::{pull, push};

pub async fn push(
    State(state): State<AppState>,
    session: CurrentSession,
    headers: HeaderMap,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, AppError> {
    let origin = request_origin(&headers);
    Ok(Json(
        push::push_at(
            &state.store,
            &state.clock,
            &session.caller(),
            &request,
            origin.as_deref(),
        )
        .await?,
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
