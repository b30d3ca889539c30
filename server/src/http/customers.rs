//! Customers over REST.

use axum::Json;
use axum::extract::State;
use remit_core::customer::Customer;

use super::session::CurrentSession;
use super::{AppError, AppState};
use crate::store::customers;

/// `GET /api/customers`: the signed-in user's organisation's customers, by name.
pub async fn list(
    State(state): State<AppState>,
    session: CurrentSession,
) -> Result<Json<Vec<Customer>>, AppError> {
    let mut conn = state.store.read().await?;
    Ok(Json(
        customers::list_customers(&mut conn, session.organisation.id).await?,
    ))
}
