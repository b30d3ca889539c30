//! The dispatcher: a task of `remit serve` that sends due deliveries, one at a time, and records what
//! became of each.

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderValue};
use tokio::sync::watch;

use super::{backoff, signature};
use crate::clock::Clock;
use crate::store::webhooks::{self as stored, Claimed};
use crate::store::{Store, StoreResult};

/// How long a receiver may take to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed delivery stays out of other dispatchers' reach: longer than a send can take, so
/// only a dispatcher that died mid-send lets another one try again.
pub const CLAIM: Duration = Duration::from_secs(60);
/// How often `remit serve` looks for due deliveries.
pub const POLL: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct Dispatcher {
    store: Store,
    clock: Clock,
    http: reqwest::Client,
    poll: Duration,
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Dispatcher {
    /// A dispatcher that looks for deliveries due by `clock` every `poll`. Redirects are not followed: a
    /// receiver answers at the URL it registered.
    pub fn new(store: Store, clock: Clock, poll: Duration) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Remit-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            store,
            clock,
            http,
            poll,
        })
    }

    /// Sends every delivery due at `now_ms`; how many were attempted. A failed one is due again after
    /// its backoff, so it is not tried twice in one call.
    pub async fn deliver_due(&self, now_ms: i64) -> StoreResult<usize> {
        let mut attempted = 0;
        while let Some(delivery) =
            stored::claim_due(&self.store, now_ms, now_ms + millis(CLAIM)).await?
        {
            attempted += 1;
            match self.send(&delivery, now_ms).await {
                Ok(()) => stored::mark_delivered(&self.store, delivery.id, now_ms).await?,
                Err(error) => {
                    let retry_at =
                        backoff::delay_after(delivery.attempts).map(|d| now_ms + millis(d));
                    tracing::warn!(
                        delivery = %delivery.id,
                        event = delivery.event,
                        attempts = delivery.attempts,
                        gave_up = retry_at.is_none(),
                        %error,
                        "webhook delivery failed"
                    );
                    stored::mark_failed(&self.store, delivery.id, &error, retry_at).await?;
                }
            }
        }
        Ok(attempted)
    }

    /// POSTs the delivery's payload, signed; `Ok` when the receiver answered 2xx.
    async fn send(&self, delivery: &Claimed, now_ms: i64) -> Result<(), String> {
        let signed = signature::sign(
            &delivery.secret,
            now_ms.div_euclid(1000),
            delivery.payload.as_bytes(),
        );
        let response = self
            .http
            .post(&delivery.url)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header("Remit-Event", &delivery.event)
            .header("Remit-Delivery", delivery.id.to_string())
            .header("Remit-Signature", signed)
            .body(delivery.payload.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("the receiver answered {status}"))
        }
    }

    /// Sends due deliveries every `poll` until `stop` turns true (or its sender is dropped); a send in
    /// progress finishes first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow_and_update() {
            if let Err(e) = self.deliver_due(self.clock.now_ms()).await {
                tracing::warn!("cannot deliver webhooks: {e}");
            }
            tokio::select! {
                () = tokio::time::sleep(self.poll) => {}
                changed = stop.changed() => if changed.is_err() { break },
            }
        }
        tracing::info!("webhook dispatcher stopped");
    }
}
