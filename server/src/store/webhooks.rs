//! Webhook endpoints and the queue of deliveries to them.

use remit_core::ids::OrganisationId;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::{Backend, Store, StoreResult};

/// Where an organisation's events are sent, and the key they are signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub id: Uuid,
    pub organisation_id: OrganisationId,
    pub url: String,
    pub secret: String,
}

/// A delivery a dispatcher claimed, with where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: Uuid,
    pub event: String,
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: u32,
    pub url: String,
    pub secret: String,
}

pub async fn insert_endpoint(
    conn: &mut AnyConnection,
    endpoint: &Endpoint,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, organisation_id, url, secret, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(endpoint.id.to_string())
    .bind(endpoint.organisation_id.to_string())
    .bind(&endpoint.url)
    .bind(&endpoint.secret)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// The ids of the organisation's endpoints, oldest first.
pub async fn endpoint_ids(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
) -> StoreResult<Vec<Uuid>> {
    let rows = sqlx::query(
        "SELECT id FROM webhook_endpoints WHERE organisation_id = $1 ORDER BY created_at_ms, id",
    )
    .bind(organisation.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Uuid::parse_str(&r.try_get::<String, _>("id")?)
                .map_err(|e| super::StoreError::corrupt("webhook endpoint id", e))
        })
        .collect()
}

/// A delivery to queue, due at once.
pub struct NewDelivery<'a> {
    pub id: Uuid,
    pub organisation_id: OrganisationId,
    pub endpoint_id: Uuid,
    pub event: &'a str,
    pub payload: &'a str,
    pub due_at_ms: i64,
}

pub async fn insert_delivery(
    conn: &mut AnyConnection,
    delivery: &NewDelivery<'_>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO webhook_deliveries \
           (id, organisation_id, endpoint_id, event, payload, attempts, next_attempt_at_ms) \
         VALUES ($1, $2, $3, $4, $5, 0, $6)",
    )
    .bind(delivery.id.to_string())
    .bind(delivery.organisation_id.to_string())
    .bind(delivery.endpoint_id.to_string())
    .bind(delivery.event)
    .bind(delivery.payload)
    .bind(delivery.due_at_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes the delivery due longest at `now_ms`, counts the attempt and moves it out of reach of other
/// dispatchers until `claimed_until_ms`, in one committed statement. On PostgreSQL, `SKIP LOCKED` lets
/// two server processes claim at the same moment without waiting for each other or taking the same
/// delivery; SQLite has one writer at a time.
pub async fn claim_due(
    store: &Store,
    now_ms: i64,
    claimed_until_ms: i64,
) -> StoreResult<Option<Claimed>> {
    let claim = match store.backend() {
        Backend::Postgres => {
            "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at_ms = $2 \
             WHERE id = (SELECT id FROM webhook_deliveries WHERE next_attempt_at_ms <= $1 \
                         ORDER BY next_attempt_at_ms, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
             RETURNING id, endpoint_id, event, payload, attempts"
        }
        Backend::Sqlite => {
            "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at_ms = $2 \
             WHERE id = (SELECT id FROM webhook_deliveries WHERE next_attempt_at_ms <= $1 \
                         ORDER BY next_attempt_at_ms, id LIMIT 1) \
             RETURNING id, endpoint_id, event, payload, attempts"
        }
    };
    let mut tx = store.write().await?;
    let row = sqlx::query(claim)
        .bind(now_ms)
        .bind(claimed_until_ms)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let endpoint: String = row.try_get("endpoint_id")?;
    let target = sqlx::query("SELECT url, secret FROM webhook_endpoints WHERE id = $1")
        .bind(&endpoint)
        .fetch_one(&mut *tx)
        .await?;
    let claimed = Claimed {
        id: Uuid::parse_str(&row.try_get::<String, _>("id")?)
            .map_err(|e| super::StoreError::corrupt("webhook delivery id", e))?,
        event: row.try_get("event")?,
        payload: row.try_get("payload")?,
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?)
            .map_err(|e| super::StoreError::corrupt("webhook delivery attempts", e))?,
        url: target.try_get("url")?,
        secret: target.try_get("secret")?,
    };
    tx.commit().await?;
    Ok(Some(claimed))
}

/// Records a delivery the receiver accepted.
pub async fn mark_delivered(store: &Store, id: Uuid, now_ms: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE webhook_deliveries SET delivered_at_ms = $1, next_attempt_at_ms = NULL, \
         last_error = NULL WHERE id = $2",
    )
    .bind(now_ms)
    .bind(id.to_string())
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Records a failed attempt: the delivery is due again at `retry_at_ms`, or never (`None`).
pub async fn mark_failed(
    store: &Store,
    id: Uuid,
    error: &str,
    retry_at_ms: Option<i64>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE webhook_deliveries SET last_error = $1, next_attempt_at_ms = $2 WHERE id = $3",
    )
    .bind(error)
    .bind(retry_at_ms)
    .bind(id.to_string())
    .execute(store.pool())
    .await?;
    Ok(())
}
