//! Outgoing webhooks: `invoice.issued`, `payment.received` and `dispute.opened`, sent to the endpoints an
//! organisation registered (`remit webhook add`), signed with each endpoint's secret.
//!
//! An event is queued as one delivery per endpoint in the same database transaction as the change that
//! caused it, so an event is sent if and only if its change committed, and a replayed push, which
//! changes nothing, queues nothing. The [`dispatch::Dispatcher`] started by `remit serve` sends what is
//! due and retries failures with [`backoff`]. The contract for receivers is in `docs/webhooks.md`.

pub mod backoff;
pub mod dispatch;
pub mod signature;

use chrono::{DateTime, SecondsFormat};
use remit_core::decide::Notice;
use remit_core::ids::OrganisationId;
use remit_core::validation::{Rule, ValidationError};
use serde_json::{Value, json};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::auth::session::new_token;
use crate::store::webhooks::{self as stored, Endpoint, NewDelivery};
use crate::store::{Store, StoreResult};

/// The body of one delivery: `data` is the record as the REST API shows it.
pub fn payload(
    delivery: Uuid,
    event: &str,
    organisation: OrganisationId,
    now_ms: i64,
    data: Value,
) -> Value {
    let created_at = DateTime::from_timestamp_millis(now_ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true);
    json!({
        "id": delivery,
        "type": event,
        "organisation_id": organisation,
        "created_at": created_at,
        "data": data,
    })
}

/// Queues a core decision's `notice` for each of the organisation's endpoints, in the caller's
/// transaction.
pub async fn enqueue(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    notice: &Notice,
    now_ms: i64,
) -> StoreResult<()> {
    let event = notice.name();
    for endpoint_id in stored::endpoint_ids(conn, organisation).await? {
        let id = Uuid::now_v7();
        let body = payload(id, event, organisation, now_ms, notice.data());
        stored::insert_delivery(
            conn,
            &NewDelivery {
                id,
                organisation_id: organisation,
                endpoint_id,
                event,
                payload: &body.to_string(),
                due_at_ms: now_ms,
            },
        )
        .await?;
    }
    Ok(())
}

/// An endpoint's URL: absolute, `http` or `https`.
pub fn check_url(text: &str) -> Result<reqwest::Url, ValidationError> {
    let invalid = || {
        ValidationError::new(
            "url",
            Rule::Format {
                detail: "an absolute http or https URL".into(),
            },
        )
    };
    let url = reqwest::Url::parse(text.trim()).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return Err(invalid());
    }
    Ok(url)
}

/// Registers an endpoint for the organisation's events with a new random secret.
pub async fn register(
    store: &Store,
    organisation: OrganisationId,
    url: &reqwest::Url,
    now_ms: i64,
) -> StoreResult<Endpoint> {
    let endpoint = Endpoint {
        id: Uuid::now_v7(),
        organisation_id: organisation,
        url: url.to_string(),
        secret: format!("whsec_{}", new_token()),
    };
    let mut conn = store.read().await?;
    stored::insert_endpoint(&mut conn, &endpoint, now_ms).await?;
    Ok(endpoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_names_its_delivery_event_organisation_and_time() {
        let delivery = Uuid::parse_str("019a4d5e-0000-7000-8000-0000000000d1").unwrap();
        let organisation = OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap();
        let body = payload(
            delivery,
            "payment.received",
            organisation,
            1_767_225_600_123,
            json!({"id": "p"}),
        );
        assert_eq!(
            body,
            json!({
                "id": "019a4d5e-0000-7000-8000-0000000000d1",
                "type": "payment.received",
                "organisation_id": "019a4d5e-0000-7000-8000-000000000001",
                "created_at": "2026-01-01T00:00:00.123Z",
                "data": {"id": "p"},
            })
        );
    }

    #[test]
    fn an_endpoint_is_an_absolute_web_url() {
        assert_eq!(
            check_url(" https://erp.example/hooks/remit ")
                .unwrap()
                .as_str(),
            "https://erp.example/hooks/remit"
        );
        assert!(check_url("http://127.0.0.1:9000/").is_ok());
        for bad in [
            "",
            "erp.example/hooks",
            "ftp://erp.example/",
            "mailto:ap@erp.example",
        ] {
            assert_eq!(check_url(bad).unwrap_err().field, "url", "{bad}");
        }
    }
}
