//! Paying online: the gateways a customer pays through from the portal, and how what a gateway reports
//! becomes Remit's facts.
//!
//! - Each organisation picks a gateway and gives its secrets ([`crate::store::gateway`], server-only,
//!   write-only); the gateway's API address is this server's flag ([`GatewayConfig`]), never an
//!   organisation's setting.
//! - [`sandbox`]: built in, for trials and tests: a hosted card page marked TEST MODE.
//! - [`stripe`]: Stripe Checkout over its REST API, and its signed webhooks.
//! - [`settle`] is the one path every report takes (a webhook, the sandbox's page, the success page
//!   asking the gateway): it loads the facts, asks core ([`decide_gateway_event`]) and applies the
//!   commands as the organisation's system client. Their ids come from the gateway's ids, so a report
//!   that arrives twice, late, or at once with another records one payment.
//! - [`refunds`]: the queue that sends refunds recorded in the workspace to the gateway.
//! - [`settings`]: the organisation's gateway as its owner sets it; write-only.
//! - [`checkout`]: starts a checkout at the organisation's gateway (the hosted page the portal sends
//!   the customer to).

pub mod checkout;
pub mod refunds;
pub mod sandbox;
pub mod settings;
pub mod stripe;

use std::time::Duration;

use remit_core::decide::Stored;
use remit_core::gateway::{
    Checkout, GatewayDecision, GatewayEvent, GatewayFacts, Provider, decide_gateway_event,
    gateway_payment_id,
};
use remit_core::ids::{CheckoutId, OrganisationId};
use remit_core::receivables::payment::Payment;
use remit_core::sync::{Command, EntityKind, MutationStatus};

use crate::clock::Clock;
use crate::store::{Store, StoreError, customers, gateway, records};
use crate::sync::SyncError;
use crate::sync::system::SystemClient;

/// How this server reaches gateways (flags of `remit serve`, not organisation settings).
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Stripe's API address (`--stripe-api-url`): Stripe's own, or a stand-in in tests.
    pub stripe_api_url: String,
    /// How old a webhook's signed time may be (`--stripe-webhook-tolerance`).
    pub webhook_tolerance: Duration,
    /// The client every gateway call goes through.
    pub http: reqwest::Client,
}

/// Stripe's API.
pub const STRIPE_API_URL: &str = "https://api.stripe.com";

/// Stripe's own default tolerance for a webhook's timestamp.
pub const WEBHOOK_TOLERANCE: Duration = Duration::from_secs(300);

/// How long a gateway call may take.
pub const GATEWAY_TIMEOUT: Duration = Duration::from_secs(20);

/// Stripe's API with its default tolerance: what `remit serve` starts with.
impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            stripe_api_url: STRIPE_API_URL.to_owned(),
            webhook_tolerance: WEBHOOK_TOLERANCE,
            http: reqwest::Client::new(),
        }
    }
}

impl GatewayConfig {
    pub fn new(stripe_api_url: String, webhook_tolerance: Duration) -> reqwest::Result<Self> {
        Ok(Self {
            stripe_api_url: stripe_api_url.trim_end_matches('/').to_owned(),
            webhook_tolerance,
            http: reqwest::Client::builder()
                .timeout(GATEWAY_TIMEOUT)
                .build()?,
        })
    }
}

/// A gateway's hosted page a customer pays on: the gateway's id of it and its address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedPage {
    pub session: String,
    pub url: String,
}

/// Why a gateway's report could not be settled.
#[derive(Debug, thiserror::Error)]
pub enum SettleError {
    #[error("the database failed")]
    Store(#[from] StoreError),
    #[error("the system client could not apply the fact")]
    Sync(#[from] SyncError),
    /// Core refused a command made from the report: a bug, since a payment is a fact.
    #[error("the {command} made from the gateway's report was refused: {message}")]
    Refused {
        command: &'static str,
        message: String,
    },
    /// Other reports of the checkout kept changing it while this one was decided.
    #[error("the checkout kept changing while the report was settled")]
    Contended,
}

/// What settling a report did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub decision: GatewayDecision,
}

impl Settled {
    /// Whether the gateway should report again later.
    pub fn later(&self) -> bool {
        matches!(self.decision, GatewayDecision::Later { .. })
    }
}

/// The checkout an event names.
pub fn named_checkout(event: &GatewayEvent) -> Option<CheckoutId> {
    match event {
        GatewayEvent::Paid { checkout, .. }
        | GatewayEvent::Pending { checkout }
        | GatewayEvent::Failed { checkout, .. } => Some(*checkout),
        GatewayEvent::Refunded { .. } => None,
    }
}

/// How often a report is decided again when another report of the same checkout changed it meanwhile.
const SETTLE_ATTEMPTS: usize = 3;

/// What a report is decided on, as loaded.
struct Loaded {
    checkout: Option<Checkout>,
    payment: Option<Payment>,
    email: Option<String>,
}

impl Loaded {
    async fn load(
        store: &Store,
        (organisation, provider): (OrganisationId, Provider),
        event: &GatewayEvent,
    ) -> Result<Self, StoreError> {
        let mut conn = store.read().await?;
        let checkout = match named_checkout(event) {
            Some(id) => gateway::find_checkout(&mut conn, id)
                .await?
                .map(|s| s.checkout)
                .filter(|c| c.organisation_id == organisation && c.provider == provider),
            None => None,
        };
        let payment = match event {
            GatewayEvent::Refunded {
                gateway_payment, ..
            } => records::find_record::<Payment>(
                &mut conn,
                organisation,
                EntityKind::Payment,
                gateway_payment_id(provider, gateway_payment).as_uuid(),
            )
            .await?
            .map(|Stored { record, .. }| record),
            _ => None,
        };
        let email = match &checkout {
            Some(c) => customers::find_customer(&mut conn, organisation, c.customer_id)
                .await?
                .map(|customer| customer.email),
            None => None,
        };
        Ok(Self {
            checkout,
            payment,
            email,
        })
    }

    fn facts(&self, provider: Provider) -> GatewayFacts<'_> {
        GatewayFacts {
            provider,
            checkout: self.checkout.as_ref(),
            payment: self.payment.as_ref(),
            customer_email: self.email.as_deref(),
        }
    }
}

/// Settles what `provider` reported for `organisation`: loads the facts, asks core, stores the
/// checkout's new state, then applies the commands as the organisation's system client.
///
/// Two reports of one checkout may arrive at once (the webhook and the customer's return to the
/// success page). The new state is stored only over the state the decision was taken on; the report
/// that finds it changed decides again from what the other stored, so both apply the very same
/// commands, and the second changes nothing. A state stored whose commands then failed is completed by
/// the next report, which decides from it.
pub async fn settle(
    store: &Store,
    clock: &Clock,
    (organisation, provider): (OrganisationId, Provider),
    event: &GatewayEvent,
) -> Result<Settled, SettleError> {
    for _ in 0..SETTLE_ATTEMPTS {
        let loaded = Loaded::load(store, (organisation, provider), event).await?;
        let decision = decide_gateway_event(event, &loaded.facts(provider));
        match &decision {
            GatewayDecision::Apply { state, commands } => {
                if let (Some(state), Some(checkout)) = (state, &loaded.checkout) {
                    let mut tx = store.write().await?;
                    let saved = gateway::save_state(&mut tx, checkout, state).await?;
                    tx.commit().await.map_err(StoreError::from)?;
                    if !saved {
                        continue;
                    }
                }
                apply(store, clock, organisation, commands).await?;
                tracing::info!(
                    %organisation, provider = provider.name(), commands = commands.len(),
                    "gateway report settled"
                );
            }
            GatewayDecision::Ignore { reason } | GatewayDecision::Later { reason } => {
                tracing::info!(%organisation, provider = provider.name(), reason, "gateway report");
            }
        }
        return Ok(Settled { decision });
    }
    Err(SettleError::Contended)
}

/// Applies a report's commands as the organisation's system client, in order.
async fn apply(
    store: &Store,
    clock: &Clock,
    organisation: OrganisationId,
    commands: &[Command],
) -> Result<(), SettleError> {
    let system = SystemClient::of(organisation);
    for command in commands {
        let result = system.apply(store, clock, command).await?;
        if result.status != MutationStatus::Applied {
            let message = result
                .error
                .map(|e| e.message)
                .unwrap_or_else(|| format!("{:?}", result.status));
            return Err(SettleError::Refused {
                command: command.name(),
                message,
            });
        }
    }
    Ok(())
}
