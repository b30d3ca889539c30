//! Stripe Checkout over Stripe's REST API, without Stripe's crates (they take minutes to compile): a
//! form-encoded request, `Authorization: Bearer <secret key>`, an `Idempotency-Key`, and a JSON answer.
//!
//! - [`create_session`]: the hosted page a customer pays on, one per checkout (the checkout's id is the
//!   idempotency key, so a retried start gets the same page).
//! - [`confirm`]: the success page asks Stripe for the checkout's session and settles what it says
//!   through [`crate::gateway::settle`], reading the session as a webhook carries it
//!   ([`objects::session_report`]): the same payment id, and core records a payment reported again
//!   as it was first recorded, so the page and a webhook racing it record one payment.
//! - [`create_refund`]: a refund recorded in the workspace, sent back (the refund's id is the
//!   idempotency key and is kept in the refund's metadata).
//! - [`signature`] and [`webhook`]: the signed events Stripe sends (`POST /hooks/stripe/{organisation}`).
//!
//! A 4xx answer is Stripe's refusal (its error's code and message say why); a 5xx, a 429 or no answer
//! at all is transient. No error, and no `Debug` of anything here, contains a secret key.

pub mod objects;
pub mod signature;
pub mod webhook;

use chrono_tz::Tz;
use remit_core::gateway::{Checkout, GatewayDecision, Provider, minor_units};
use remit_core::ids::OrganisationId;
use remit_core::money::Money;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use serde::de::DeserializeOwned;

use super::{GatewayConfig, HostedPage, SettleError, Settled, named_checkout, settle};
use crate::clock::Clock;
use crate::store::gateway::{GatewayAccount, StoredCheckout};
use crate::store::{Store, gateway};
use objects::{ApiError, ReadError, Session, StripeRefund, ZoneError, session_report};

/// What [`create_session`] asks Stripe for.
#[derive(Debug, Clone, Copy)]
pub struct SessionRequest<'a> {
    pub checkout: &'a Checkout,
    /// The line the customer sees on Stripe's page.
    pub description: &'a str,
    /// Filled in on Stripe's page when known.
    pub customer_email: Option<&'a str>,
    /// Where Stripe sends the customer back: they name the checkout, never the portal token.
    pub success_url: &'a str,
    pub cancel_url: &'a str,
}

/// Why a call to Stripe did not give what was asked.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// No answer (connection, timeout): try again later.
    #[error("cannot reach Stripe")]
    Network(#[source] reqwest::Error),
    /// Stripe answered that it cannot now (5xx, 429): try again later.
    #[error("Stripe cannot answer now (HTTP {status})")]
    Unavailable { status: u16 },
    /// Stripe refused the request (4xx): trying again gives the same answer.
    #[error("Stripe refused the request (HTTP {status}): {reason}")]
    Refused { status: u16, reason: String },
    /// Stripe answered something this server cannot read.
    #[error("Stripe's answer cannot be read")]
    Answer(#[source] serde_json::Error),
    /// Stripe's answer lacks what the request is for.
    #[error("Stripe's answer has no {0}")]
    Incomplete(&'static str),
    /// Stripe took the request but could not do it (a refund that failed at once).
    #[error("Stripe could not do it: {reason}")]
    Declined { reason: String },
}

impl CallError {
    /// Whether the same request may succeed later.
    pub fn is_transient(&self) -> bool {
        matches!(self, CallError::Network(_) | CallError::Unavailable { .. })
    }
}

/// A form body as Stripe reads it (`line_items[0][quantity]=1`).
struct Form(Vec<(&'static str, String)>);

impl Form {
    fn new() -> Self {
        Self(Vec::new())
    }

    fn field(&mut self, name: &'static str, value: &str) -> &mut Self {
        self.0.push((name, value.to_owned()));
        self
    }

    fn finish(self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.0)
            .finish()
    }
}

/// Sends a request to Stripe and reads its answer: the object on 2xx, Stripe's error otherwise.
async fn call<T: DeserializeOwned>(request: reqwest::RequestBuilder) -> Result<T, CallError> {
    let response = request.send().await.map_err(CallError::Network)?;
    let status = response.status();
    let body = response.bytes().await.map_err(CallError::Network)?;
    if status.is_success() {
        return serde_json::from_slice(&body).map_err(CallError::Answer);
    }
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        return Err(CallError::Unavailable {
            status: status.as_u16(),
        });
    }
    let reason = serde_json::from_slice::<ApiError>(&body)
        .map(|e| e.reason())
        .unwrap_or_else(|_| format!("HTTP {status}"));
    Err(CallError::Refused {
        status: status.as_u16(),
        reason,
    })
}

/// A POST of `form` to Stripe's `path`, keyed with `secret_key`, under `idempotency_key`.
fn post(
    config: &GatewayConfig,
    secret_key: &str,
    path: &str,
    idempotency_key: &str,
    form: Form,
) -> reqwest::RequestBuilder {
    config
        .http
        .post(format!("{}{path}", config.stripe_api_url))
        // reqwest marks the header sensitive: it is never printed.
        .bearer_auth(secret_key)
        .header("Idempotency-Key", idempotency_key)
        .header(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        )
        .body(form.finish())
}

/// Creates the Stripe Checkout Session a customer pays `request.checkout` on: one line of the
/// checkout's amount, the checkout's id as the client reference, in the metadata of the session and of
/// its payment, and as the idempotency key.
pub async fn create_session(
    config: &GatewayConfig,
    secret_key: &str,
    request: &SessionRequest<'_>,
) -> Result<HostedPage, CallError> {
    let checkout = request.checkout;
    let id = checkout.id.to_string();
    let mut form = Form::new();
    form.field("mode", "payment")
        .field(
            "line_items[0][price_data][currency]",
            &checkout.amount.currency().code().to_ascii_lowercase(),
        )
        .field(
            "line_items[0][price_data][unit_amount]",
            &minor_units(checkout.amount).to_string(),
        )
        .field(
            "line_items[0][price_data][product_data][name]",
            request.description,
        )
        .field("line_items[0][quantity]", "1")
        .field("client_reference_id", &id)
        .field("metadata[checkout_id]", &id)
        .field("payment_intent_data[metadata][checkout_id]", &id)
        .field("success_url", request.success_url)
        .field("cancel_url", request.cancel_url);
    if let Some(email) = request.customer_email.filter(|e| !e.trim().is_empty()) {
        form.field("customer_email", email.trim());
    }
    let session: Session =
        call(post(config, secret_key, "/v1/checkout/sessions", &id, form)).await?;
    let url = session.url.ok_or(CallError::Incomplete("page address"))?;
    Ok(HostedPage {
        session: session.id,
        url,
    })
}

/// The Checkout Session `session` as Stripe has it now.
pub async fn retrieve_session(
    config: &GatewayConfig,
    secret_key: &str,
    session: &str,
) -> Result<Session, CallError> {
    let path: String = form_urlencoded::byte_serialize(session.as_bytes()).collect();
    call(
        config
            .http
            .get(format!(
                "{}/v1/checkout/sessions/{path}",
                config.stripe_api_url
            ))
            .bearer_auth(secret_key),
    )
    .await
}

/// A refund Stripe made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundMade {
    /// Stripe's id of it (`re_…`).
    pub id: String,
}

/// Asks Stripe to refund `amount` of its payment `payment_intent`; the idempotency key and the refund's
/// metadata are Remit's refund id, so a webhook about it names the refund Remit recorded.
pub async fn create_refund(
    config: &GatewayConfig,
    secret_key: &str,
    payment_intent: &str,
    amount: Money,
    refund_id: &str,
) -> Result<RefundMade, CallError> {
    let mut form = Form::new();
    form.field("payment_intent", payment_intent)
        .field("amount", &minor_units(amount).to_string())
        .field("metadata[remit_refund_id]", refund_id);
    let refund: StripeRefund =
        call(post(config, secret_key, "/v1/refunds", refund_id, form)).await?;
    match refund.status.as_deref() {
        Some(status @ ("failed" | "canceled")) => Err(CallError::Declined {
            reason: format!(
                "the refund {status}: {}",
                refund
                    .failure_reason
                    .as_deref()
                    .unwrap_or("no reason given")
            ),
        }),
        _ => Ok(RefundMade { id: refund.id }),
    }
}

/// The organisation's Stripe account and the time zone of its business dates, when it takes payments
/// through Stripe.
pub async fn stripe_account(
    store: &Store,
    organisation: OrganisationId,
) -> Result<Option<(GatewayAccount, Tz)>, ZoneError> {
    let mut conn = store.read().await?;
    let Some(account) = gateway::account(&mut conn, organisation)
        .await?
        .filter(|a| a.provider == Provider::Stripe)
    else {
        return Ok(None);
    };
    let zone = objects::business_zone(&mut conn, organisation).await?;
    Ok(Some((account, zone)))
}

/// Why the success page could not confirm a checkout with Stripe.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    #[error("the checkout is not paid through Stripe")]
    NotStripe,
    #[error("the checkout has no Stripe session yet")]
    NoSession,
    #[error("the organisation has no Stripe account")]
    NoAccount,
    #[error("Stripe's session belongs to another checkout")]
    OtherCheckout,
    #[error("asking Stripe for the session failed")]
    Call(#[from] CallError),
    #[error("Stripe's session cannot be read")]
    Read(#[from] ReadError),
    #[error("the organisation's business dates cannot be told")]
    Zone(#[from] ZoneError),
    #[error("settling the payment failed")]
    Settle(#[from] SettleError),
}

/// Asks Stripe for the session of `stored` and settles what it says, as a webhook about it would (paid
/// now, by `clock`, when the webhook has not reported it first). A session the customer has not
/// finished changes nothing.
pub async fn confirm(
    store: &Store,
    clock: &Clock,
    config: &GatewayConfig,
    stored: &StoredCheckout,
) -> Result<Settled, ConfirmError> {
    let checkout = &stored.checkout;
    if checkout.provider != Provider::Stripe {
        return Err(ConfirmError::NotStripe);
    }
    let session = stored
        .gateway_session
        .as_deref()
        .ok_or(ConfirmError::NoSession)?;
    let (account, zone) = stripe_account(store, checkout.organisation_id)
        .await?
        .ok_or(ConfirmError::NoAccount)?;
    let found = retrieve_session(config, &account.secret_key, session).await?;
    let Some(event) = session_report(&found, zone, clock.now_ms().div_euclid(1000))? else {
        return Ok(Settled {
            decision: GatewayDecision::Ignore {
                reason: "the customer has not finished Stripe's page",
            },
        });
    };
    if named_checkout(&event) != Some(checkout.id) {
        return Err(ConfirmError::OtherCheckout);
    }
    Ok(settle(
        store,
        clock,
        (checkout.organisation_id, Provider::Stripe),
        &event,
    )
    .await?)
}
