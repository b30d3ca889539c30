//! The sender: a task of `remit serve --smtp-url …` that sends due mail, one at a time, and records what
//! became of each. Nothing is lost: a mail leaves the queue only when the relay accepted it or refused
//! it for good (a 5xx reply), or when every retry was used up; each ending is written to the mail's
//! synced record. A mail the relay accepted but whose outcome could not be recorded (the database went
//! away in between) is sent again once its claim runs out, under the same `Message-ID`, so a receiver
//! can tell the copy.

use std::sync::Arc;
use std::time::Duration;

use lettre::transport::smtp::Error as SmtpError;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::watch;

use super::Attachments;
use super::compose::Envelope;
use crate::clock::Clock;
use crate::documents::{DocumentError, default_mail_text};
use crate::store::mail::{self as stored, Claimed, Outcome};
use crate::store::{Store, StoreResult};
use crate::webhooks::backoff;

/// How long the relay may take to answer one command.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// How long a claimed mail stays out of other senders' reach: longer than a send can take.
pub const CLAIM: Duration = Duration::from_secs(5 * 60);
/// How often `remit serve` looks for due mail.
pub const POLL: Duration = Duration::from_secs(5);

/// Where mail goes: an SMTP relay.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(
        "the SMTP URL is not one lettre reads (smtp://host:port, smtps://…, ?tls=required): {0}"
    )]
    Url(#[source] SmtpError),
}

/// The relay at `url`: `smtp://host:port` without TLS, `smtp://…?tls=required` with STARTTLS,
/// `smtps://host:port` with TLS from the start (rustls).
pub fn relay(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, RelayError> {
    Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(RelayError::Url)?
        .timeout(Some(TIMEOUT))
        .build())
}

/// Why one attempt did not send the mail.
#[derive(Debug)]
enum Failure {
    /// Worth trying again: the relay is down, busy (4xx) or timed out, or attachments could not be made.
    Transient(String),
    /// It will never be sent as it is: the relay refused it (5xx), or the message cannot be built.
    Permanent(String),
}

#[derive(Debug, Clone)]
pub struct Sender {
    store: Store,
    clock: Clock,
    relay: AsyncSmtpTransport<Tokio1Executor>,
    envelope: Arc<Envelope>,
    attachments: Arc<dyn Attachments>,
    poll: Duration,
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Sender {
    pub fn new(
        store: Store,
        clock: Clock,
        relay: AsyncSmtpTransport<Tokio1Executor>,
        envelope: Envelope,
        attachments: Arc<dyn Attachments>,
        poll: Duration,
    ) -> Self {
        Self {
            store,
            clock,
            relay,
            envelope: Arc::new(envelope),
            attachments,
            poll,
        }
    }

    /// Sends every mail due at `now_ms`; how many were attempted. One that fails is due again after its
    /// backoff, so it is not tried twice in one call.
    pub async fn send_due(&self, now_ms: i64) -> StoreResult<usize> {
        let mut attempted = 0;
        while let Some(mail) =
            stored::claim_due(&self.store, now_ms, now_ms + millis(CLAIM)).await?
        {
            attempted += 1;
            match self.send(&mail, now_ms).await {
                Ok(()) => {
                    let sent = Outcome::Sent { at_ms: now_ms };
                    stored::settle(&self.store, &mail, &sent, now_ms).await?;
                }
                Err(Failure::Permanent(error)) => {
                    tracing::warn!(mail = %mail.id, %error, "mail refused");
                    let failed = Outcome::Failed { error };
                    stored::settle(&self.store, &mail, &failed, now_ms).await?;
                }
                Err(Failure::Transient(error)) => match backoff::delay_after(mail.attempts) {
                    Some(delay) => {
                        tracing::warn!(mail = %mail.id, attempts = mail.attempts, %error, "mail not sent, will retry");
                        stored::mark_retry(&self.store, mail.id, &error, now_ms + millis(delay))
                            .await?;
                    }
                    None => {
                        tracing::warn!(mail = %mail.id, attempts = mail.attempts, %error, "mail given up on");
                        let error = format!("gave up after {} attempts: {error}", mail.attempts);
                        let failed = Outcome::Failed { error };
                        stored::settle(&self.store, &mail, &failed, now_ms).await?;
                    }
                },
            }
        }
        Ok(attempted)
    }

    async fn send(&self, mail: &Claimed, now_ms: i64) -> Result<(), Failure> {
        let mail = &self.worded(mail).await?;
        let attachments = if mail.document.kind.has_attachments() {
            self.attachments
                .attachments(mail.organisation_id, mail.document)
                .await
                .map_err(|e| Failure::Transient(e.to_string()))?
        } else {
            Vec::new()
        };
        let message = self
            .envelope
            .compose(mail, attachments, now_ms)
            .map_err(|e| Failure::Permanent(e.to_string()))?;
        match self.relay.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(Failure::Permanent(e.to_string())),
            Err(e) => Err(Failure::Transient(e.to_string())),
        }
    }

    /// The mail with the default subject and body, in the customer's language, where it has none (mail
    /// queued by earlier versions has its English default already and is sent as it is).
    async fn worded(&self, mail: &Claimed) -> Result<Claimed, Failure> {
        let blank = |text: &str| text.trim().is_empty();
        if !blank(&mail.subject) && !blank(&mail.text) {
            return Ok(mail.clone());
        }
        let default = default_mail_text(&self.store, mail.organisation_id, mail.document)
            .await
            .map_err(|e| match e {
                DocumentError::Store(_) => Failure::Transient(e.to_string()),
                _ => Failure::Permanent(e.to_string()),
            })?
            .ok_or_else(|| {
                Failure::Permanent(format!(
                    "the {} to mail is not there",
                    mail.document.kind.name()
                ))
            })?;
        let or_default = |given: &str, default: String| {
            if blank(given) {
                default
            } else {
                given.to_owned()
            }
        };
        Ok(Claimed {
            subject: or_default(&mail.subject, default.subject),
            text: or_default(&mail.text, default.body),
            ..mail.clone()
        })
    }

    /// Sends due mail every `poll` until `stop` turns true (or its sender is dropped); a send in
    /// progress finishes first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow_and_update() {
            if let Err(e) = self.send_due(self.clock.now_ms()).await {
                tracing::warn!("cannot send mail: {e}");
            }
            tokio::select! {
                () = tokio::time::sleep(self.poll) => {}
                changed = stop.changed() => if changed.is_err() { break },
            }
        }
        tracing::info!("mail sender stopped");
    }
}
