//! The refund sender: a task of `remit serve` that sends the refunds billing users recorded for gateway
//! payments to the gateway that took them, one at a time (the webhook dispatcher's shape). The refund's
//! id is the idempotency key, so a refund sent again after a crash is made once. The gateway's refusal
//! is recorded and raises an exception item (`refund.refused` through the organisation's system
//! client); a gateway that cannot answer now is asked again after a backoff, and a refund it never
//! answers is treated as refused.

use std::time::Duration;

use remit_core::decide::Stored;
use remit_core::gateway::{
    OutboundRefund, Provider, RefundRefused, gateway_payment_id, sandbox_refund,
};
use remit_core::receivables::payment::Payment;
use remit_core::sync::{Command, EntityKind, MutationStatus};
use tokio::sync::watch;

use super::GatewayConfig;
use super::stripe::{self, CallError};
use crate::clock::Clock;
use crate::store::gateway::{self as stored, ClaimedRefund, RefundAttempt};
use crate::store::{Store, StoreError, StoreResult, records};
use crate::sync::SyncError;
use crate::sync::system::SystemClient;
use crate::webhooks::backoff;

/// How often `remit serve` looks for refunds to send.
pub const POLL: Duration = Duration::from_secs(5);
/// How long a claimed refund stays out of other senders' reach: longer than a call can take.
pub const CLAIM: Duration = Duration::from_secs(60);
/// The longest reason a refusal keeps (core's limit for `refund.refused`).
const MAX_REASON_CHARS: usize = 500;

/// What the gateway answered.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Sent {
        gateway_refund: String,
    },
    Refused {
        reason: String,
    },
    /// No answer now: ask again later.
    Transient {
        error: String,
    },
}

impl From<CallError> for Answer {
    fn from(error: CallError) -> Self {
        match error {
            CallError::Refused { reason, .. } | CallError::Declined { reason } => {
                Answer::Refused { reason }
            }
            // An answer that cannot be read may be of a refund Stripe made: asked again under the same
            // idempotency key, Stripe answers the same, so it is asked again like a network failure.
            other @ (CallError::Network(_)
            | CallError::Unavailable { .. }
            | CallError::Answer(_)
            | CallError::Incomplete(_)) => Answer::Transient {
                error: other.to_string(),
            },
        }
    }
}

impl Answer {
    /// The answer with `secret` cut out of what it says, should a gateway's message ever repeat it:
    /// a refusal's reason is kept, synced and shown.
    fn without(self, secret: &str) -> Self {
        let cut = |text: String| {
            if secret.is_empty() {
                text
            } else {
                text.replace(secret, "[redacted]")
            }
        };
        match self {
            Answer::Refused { reason } => Answer::Refused {
                reason: cut(reason),
            },
            Answer::Transient { error } => Answer::Transient { error: cut(error) },
            sent @ Answer::Sent { .. } => sent,
        }
    }
}

/// Why a refund could not be handled; it is claimed again once its claim lapses.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the database failed")]
    Store(#[from] StoreError),
    #[error("the refusal could not be recorded")]
    Sync(#[from] SyncError),
}

#[derive(Debug, Clone)]
pub struct RefundSender {
    store: Store,
    clock: Clock,
    config: GatewayConfig,
    poll: Duration,
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl RefundSender {
    /// A sender that looks for refunds due by `clock` every `poll` and reaches gateways as `config`
    /// says.
    pub fn new(store: Store, clock: Clock, config: GatewayConfig, poll: Duration) -> Self {
        Self {
            store,
            clock,
            config,
            poll,
        }
    }

    /// Sends every refund due at `now_ms`; how many were attempted. One the gateway could not answer
    /// is due again after its backoff, so it is not tried twice in one call.
    pub async fn send_due(&self, now_ms: i64) -> StoreResult<usize> {
        let mut attempted = 0;
        while let Some(claimed) =
            stored::claim_due_refund(&self.store, now_ms, now_ms + millis(CLAIM)).await?
        {
            attempted += 1;
            if let Err(error) = self.handle(&claimed, now_ms).await {
                tracing::error!(
                    refund = %claimed.refund.refund_id, %error,
                    "cannot settle a gateway refund; it is tried again when its claim lapses"
                );
            }
        }
        Ok(attempted)
    }

    async fn handle(&self, claimed: &ClaimedRefund, now_ms: i64) -> Result<(), SendError> {
        let refund = &claimed.refund;
        let attempt = match self.send(refund).await? {
            Answer::Sent { gateway_refund } => RefundAttempt::Sent { gateway_refund },
            Answer::Refused { reason } => RefundAttempt::Refused { reason },
            Answer::Transient { error } => match backoff::delay_after(claimed.attempts) {
                Some(delay) => RefundAttempt::Failed {
                    error,
                    retry_at_ms: now_ms + millis(delay),
                },
                None => RefundAttempt::Refused {
                    reason: format!(
                        "the gateway did not answer after {} attempts: {error}",
                        claimed.attempts
                    ),
                },
            },
        };
        if let RefundAttempt::Refused { reason } = &attempt {
            self.raise_refusal(refund, reason).await?;
        }
        let (outcome, detail) = match &attempt {
            RefundAttempt::Sent { .. } => ("sent", ""),
            RefundAttempt::Refused { reason } => ("refused", reason.as_str()),
            RefundAttempt::Failed { error, .. } => ("retry", error.as_str()),
        };
        tracing::info!(
            refund = %refund.refund_id, organisation = %refund.organisation_id,
            provider = refund.provider.name(), attempts = claimed.attempts, outcome, detail,
            "gateway refund"
        );
        stored::settle_refund(&self.store, refund, &attempt).await?;
        Ok(())
    }

    /// Records the gateway's refusal as the organisation's fact: an exception item for a person.
    async fn raise_refusal(&self, refund: &OutboundRefund, reason: &str) -> Result<(), SendError> {
        let command = Command::RefundRefused(RefundRefused {
            organisation_id: refund.organisation_id,
            refund_id: refund.refund_id,
            reason: reason.chars().take(MAX_REASON_CHARS).collect(),
        });
        let result = SystemClient::of(refund.organisation_id)
            .apply(&self.store, &self.clock, &command)
            .await?;
        if result.status != MutationStatus::Applied {
            tracing::error!(
                refund = %refund.refund_id, status = ?result.status,
                error = ?result.error.map(|e| e.message),
                "the gateway's refusal of a refund was not recorded"
            );
        }
        Ok(())
    }

    /// Sends `refund` to its gateway.
    async fn send(&self, refund: &OutboundRefund) -> StoreResult<Answer> {
        let mut conn = self.store.read().await?;
        match refund.provider {
            Provider::Stripe => {
                let account = stored::account(&mut conn, refund.organisation_id)
                    .await?
                    .filter(|a| a.provider == Provider::Stripe);
                drop(conn);
                let Some(account) = account else {
                    return Ok(Answer::Refused {
                        reason: "the organisation no longer takes payments through Stripe".into(),
                    });
                };
                let made = stripe::create_refund(
                    &self.config,
                    &account.secret_key,
                    &refund.gateway_payment,
                    refund.amount,
                    &refund.refund_id.to_string(),
                )
                .await;
                Ok(match made {
                    Ok(made) => Answer::Sent {
                        gateway_refund: made.id,
                    },
                    Err(error) => Answer::from(error).without(&account.secret_key),
                })
            }
            Provider::Sandbox => {
                let payment = records::find_record::<Payment>(
                    &mut conn,
                    refund.organisation_id,
                    EntityKind::Payment,
                    gateway_payment_id(Provider::Sandbox, &refund.gateway_payment).as_uuid(),
                )
                .await?;
                let refunded =
                    stored::refunded_of(&mut conn, Provider::Sandbox, &refund.gateway_payment)
                        .await?;
                let Some(Stored {
                    record: payment, ..
                }) = payment
                else {
                    return Ok(Answer::Refused {
                        reason: "resource_missing: the sandbox has no such payment".into(),
                    });
                };
                Ok(
                    match sandbox_refund(payment.received.amount, &refunded, refund.amount) {
                        Ok(()) => Answer::Sent {
                            gateway_refund: format!("sandbox_re_{}", refund.refund_id),
                        },
                        Err(refusal) => Answer::Refused {
                            reason: refusal.to_string(),
                        },
                    },
                )
            }
        }
    }

    /// Sends due refunds every `poll` until `stop` turns true (or its sender is dropped); a send in
    /// progress finishes first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow_and_update() {
            if let Err(e) = self.send_due(self.clock.now_ms()).await {
                tracing::warn!("cannot send gateway refunds: {e}");
            }
            tokio::select! {
                () = tokio::time::sleep(self.poll) => {}
                changed = stop.changed() => if changed.is_err() { break },
            }
        }
        tracing::info!("refund sender stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripes_refusals_are_refusals_and_what_may_pass_is_asked_again() {
        let refused = CallError::Refused {
            status: 400,
            reason: "amount_too_large: Refund amount (5000) is greater than unrefunded amount"
                .into(),
        };
        assert_eq!(
            Answer::from(refused),
            Answer::Refused {
                reason: "amount_too_large: Refund amount (5000) is greater than unrefunded amount"
                    .into()
            }
        );
        let declined = CallError::Declined {
            reason: "the refund failed: expired_or_canceled_card".into(),
        };
        assert!(matches!(Answer::from(declined), Answer::Refused { .. }));
        for transient in [
            CallError::Unavailable { status: 503 },
            CallError::Unavailable { status: 429 },
            CallError::Incomplete("refund id"),
            CallError::Answer(serde_json::from_str::<u8>("x").unwrap_err()),
        ] {
            assert!(matches!(Answer::from(transient), Answer::Transient { .. }));
        }
    }

    #[test]
    fn a_reason_never_repeats_the_secret_key() {
        let said = Answer::Refused {
            reason: "api_key_invalid: Invalid API Key provided: sk_live_abc123".into(),
        };
        assert_eq!(
            said.without("sk_live_abc123"),
            Answer::Refused {
                reason: "api_key_invalid: Invalid API Key provided: [redacted]".into()
            }
        );
        let sent = Answer::Sent {
            gateway_refund: "re_1".into(),
        };
        assert_eq!(sent.clone().without(""), sent);
    }
}
