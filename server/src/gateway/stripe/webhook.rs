//! `POST /hooks/stripe/{organisation_id}`: Stripe's signed events for an organisation. The signature is
//! checked against the raw body before anything in it is read; then each report goes through
//! [`crate::gateway::settle`]. Answers: 200 when settled or ignored, 503 when Stripe should send it
//! again later (a refund of a payment not recorded yet), 400 for a bad signature or an unreadable
//! event, 404 for an organisation without a Stripe account, 500 when the server failed. Nothing logged
//! here holds a secret, a signature or the payload.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use remit_core::gateway::Provider;
use remit_core::ids::OrganisationId;

use super::objects::{self, Event, ReadError};
use super::signature::verify;
use super::stripe_account;
use crate::gateway::settle;
use crate::http::AppState;

/// Stripe's events are a few kilobytes; a larger body is not Stripe's.
pub const MAX_EVENT_BYTES: usize = 256 * 1024;

/// The route Stripe sends an organisation's events to.
pub fn router() -> Router<AppState> {
    Router::new().route(
        "/hooks/stripe/{organisation_id}",
        post(receive).layer(DefaultBodyLimit::max(MAX_EVENT_BYTES)),
    )
}

type Answer = (StatusCode, &'static str);

const OK: Answer = (StatusCode::OK, "received");
const UNKNOWN: Answer = (StatusCode::NOT_FOUND, "no Stripe account here");
const FAILED: Answer = (StatusCode::INTERNAL_SERVER_ERROR, "the server failed");

async fn receive(
    State(state): State<AppState>,
    Path(organisation_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let Ok(organisation) = OrganisationId::parse(&organisation_id) else {
        return UNKNOWN;
    };
    let (account, zone) = match stripe_account(&state.store, organisation).await {
        Ok(Some(found)) => found,
        Ok(None) => return UNKNOWN,
        Err(error) => {
            tracing::error!(%organisation, %error, "stripe webhook: cannot load the account");
            return FAILED;
        }
    };
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    if let Err(error) = verify(
        signature,
        &body,
        &account.webhook_secrets,
        state.clock.now_ms(),
        state.gateways.webhook_tolerance,
    ) {
        tracing::warn!(%organisation, %error, "stripe webhook refused");
        return (StatusCode::BAD_REQUEST, "the signature is not valid");
    }
    let read = serde_json::from_slice::<Event>(&body)
        .map_err(ReadError::Json)
        .and_then(|event| Ok((objects::event_reports(&event, zone)?, event)));
    let (reports, event) = match read {
        Ok(read) => read,
        Err(error) => {
            tracing::warn!(%organisation, %error, "stripe webhook: unreadable event");
            return (StatusCode::BAD_REQUEST, "the event cannot be read");
        }
    };
    let mut later = false;
    for report in &reports {
        match settle(
            &state.store,
            &state.clock,
            (organisation, Provider::Stripe),
            report,
        )
        .await
        {
            Ok(settled) => later |= settled.later(),
            Err(error) => {
                tracing::error!(
                    %organisation, event = event.id, kind = event.kind, error = %error,
                    "stripe webhook: cannot settle the event"
                );
                return FAILED;
            }
        }
    }
    tracing::info!(
        %organisation, event = event.id, kind = event.kind, reports = reports.len(), later,
        "stripe webhook"
    );
    if later {
        (StatusCode::SERVICE_UNAVAILABLE, "send it again later")
    } else {
        OK
    }
}
