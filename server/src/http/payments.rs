//! Payments over REST: every payment recorded, with how core allocated it.

use axum::Json;
use axum::extract::State;
use remit_core::receivables::payment::Payment;
use remit_core::sync::EntityKind;

use super::query::CustomerFilter;
use super::session::CurrentSession;
use super::{ApiQuery, AppError, AppState};
use crate::store::records;

/// `GET /api/payments[?customer_id=]`: the organisation's payments, in the order they were recorded.
pub async fn list(
    State(state): State<AppState>,
    session: CurrentSession,
    ApiQuery(filter): ApiQuery<CustomerFilter>,
) -> Result<Json<Vec<Payment>>, AppError> {
    let customer = filter.customer()?;
    let mut conn = state.store.read().await?;
    Ok(Json(
        records::list_records(
            &mut conn,
            session.organisation.id,
            EntityKind::Payment,
            customer,
        )
        .await?,
    ))
}
