//! Starting a checkout at the organisation's gateway: the hosted page the portal sends the customer
//! to. The sandbox's page is this server's own (`/sandbox/pay/{checkout}`); Stripe's is a Checkout
//! Session. Either returns to `/pay/{checkout}/done` or `/pay/{checkout}/cancelled`, which name the
//! checkout and never the portal token. The page's id is kept with the checkout, so a gateway's report
//! about the page finds it.

use remit_core::gateway::{Checkout, Provider};
use remit_documents::Language;

use super::HostedPage;
use super::stripe::{self, CallError, SessionRequest};
use crate::http::AppState;
use crate::store::StoreError;
use crate::store::gateway::{self, GatewayAccount};

/// Why the gateway's page could not be started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the database failed")]
    Store(#[from] StoreError),
    #[error("Stripe did not start the page")]
    Stripe(#[from] CallError),
}

/// What the page is started with.
#[derive(Debug, Clone, Copy)]
pub struct Start<'a> {
    /// The line the customer sees on the gateway's page.
    pub description: &'a str,
    /// Filled in on the gateway's page when known.
    pub customer_email: Option<&'a str>,
    /// This server's origin as the customer's browser reached it (`https://pay.example`); the return
    /// addresses are under it.
    pub origin: &'a str,
    /// The language the return pages are in.
    pub language: Language,
}

/// The addresses the gateway's page returns to: paid, and left without paying.
pub fn return_urls(checkout: &Checkout, start: &Start) -> (String, String) {
    let (origin, id, tag) = (start.origin, checkout.id, start.language.tag());
    (
        format!("{origin}/pay/{id}/done?lang={tag}"),
        format!("{origin}/pay/{id}/cancelled?lang={tag}"),
    )
}

/// Starts `checkout`'s hosted page at the organisation's gateway and records the page's id with it.
pub async fn start(
    state: &AppState,
    account: &GatewayAccount,
    checkout: &Checkout,
    start: &Start<'_>,
) -> Result<HostedPage, StartError> {
    let page = match account.provider {
        Provider::Sandbox => super::sandbox::hosted_page(checkout, start),
        Provider::Stripe => {
            let (success_url, cancel_url) = return_urls(checkout, start);
            stripe::create_session(
                &state.gateways,
                &account.secret_key,
                &SessionRequest {
                    checkout,
                    description: start.description,
                    customer_email: start.customer_email,
                    success_url: &success_url,
                    cancel_url: &cancel_url,
                },
            )
            .await?
        }
    };
    let mut tx = state.store.write().await?;
    gateway::set_session(&mut tx, checkout.id, &page.session).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(page)
}
