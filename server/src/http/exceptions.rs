//! Exception items over REST: what core raised for a person to look at.

use axum::Json;
use axum::extract::State;
use remit_core::receivables::exception::ExceptionItem;
use remit_core::sync::EntityKind;

use super::session::CurrentSession;
use super::{AppError, AppState};
use crate::store::records;

/// `GET /api/exceptions`: the organisation's exception items not yet resolved, oldest first.
pub async fn open(
    State(state): State<AppState>,
    session: CurrentSession,
) -> Result<Json<Vec<ExceptionItem>>, AppError> {
    let mut conn = state.store.read().await?;
    let items: Vec<ExceptionItem> = records::list_records(
        &mut conn,
        session.organisation.id,
        EntityKind::Exception,
        None,
    )
    .await?;
    Ok(Json(
        items
            .into_iter()
            .filter(|i| i.resolution.is_none())
            .collect(),
    ))
}
