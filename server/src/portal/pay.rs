//! Paying online from the portal. The customer ticks invoices or types an amount on the statement (or
//! presses "Pay this invoice"); `GET /p/{token}/pay` asks core how the payment would be allocated
//! ([`plan_checkout`]) and shows it, or the form again with core's refusal beside the field; the
//! preview's `POST` plans again (it never trusts the preview), throttles checkouts per link and per
//! address, stores the checkout and sends the customer to the gateway's hosted page. The gateway's
//! page returns to `/pay/{checkout}/done` or `/cancelled`, which name the checkout, never the token.
//!
//! Nothing is recorded before the gateway reports a payment: a declined or abandoned checkout leaves
//! the ledger as it was.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use remit_core::access::LoginDecision;
use remit_core::customer::Customer;
use remit_core::gateway::{
    CHECKOUT_THROTTLE_PER_ADDRESS, CHECKOUT_THROTTLE_PER_LINK, Checkout, CheckoutPlan,
    CheckoutState, PayChoice, Provider, plan_checkout,
};
use remit_core::ids::{CheckoutId, InvoiceId, NaturalKey};
use remit_core::money::Currency;
use remit_core::portal::{CurrencyStatement, portal_statement};
use remit_core::receivables::OpenItem;
use remit_core::validation::ValidationError;
use remit_documents::{Arg, Language};
use uuid::Uuid;

use super::address::ClientAddress;
use super::forms::{self, Submitted};
use super::links::Visit;
use super::pages::{self, Page};
use super::pay_pages::{self, PayForm, Problem, Returned};
use super::{CSP, Choice, Html, PortalError, language, language_of, open, with_localizer};
use crate::gateway::checkout::{self, Start};
use crate::gateway::{GatewayConfig, stripe};
use crate::http::AppState;
use crate::http::portal_links::request_origin;
use crate::store::gateway::{self as gateways, GatewayAccount};
use crate::store::{StoreError, accounts, customers, ledger};

/// What the form that starts a payment is for.
const PAY: &str = "pay";

/// The customer's choice as the form sent it: the currency, the ticked invoices and the amount typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sent {
    pub currency: Option<Currency>,
    pub invoices: Vec<String>,
    pub amount: String,
}

impl Sent {
    /// The choice a form sent; `None` when it names a currency Remit does not know (no page of the
    /// portal sends one).
    fn read(form: &Submitted) -> Option<Self> {
        let currency = match form.get("currency").trim() {
            "" => None,
            code => Some(Currency::parse(code).ok()?),
        };
        let mut invoices: Vec<String> = Vec::new();
        for id in form.all("invoice").map(str::trim) {
            // A box ticked twice (an invoice's instalments) is one invoice ticked.
            if !id.is_empty() && !invoices.iter().any(|i| i == id) {
                invoices.push(id.to_owned());
            }
        }
        Some(Self {
            currency,
            invoices,
            amount: form.get("amount").to_owned(),
        })
    }

    /// Whether the form was sent at all (a page opened without a choice shows the form only).
    fn chosen(form: &Submitted) -> bool {
        form.all("invoice").next().is_some() || form.all("amount").next().is_some()
    }

    /// The choice for core: an invoice link pays its own invoice, whatever was sent.
    fn choice(&self, visit: &Visit) -> Result<PayChoice, ValidationError> {
        let invoices = match visit.link.invoice_id {
            Some(only) => vec![only],
            None => self
                .invoices
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    InvoiceId::parse(id)
                        .map_err(|e| ValidationError::new(format!("invoices[{i}]"), e.rule))
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(PayChoice {
            invoices,
            amount: self.amount.clone(),
        })
    }
}

/// What a visit may pay: the organisation's gateway, the customer's open items and the statement of
/// the form's currency.
struct Payable {
    account: GatewayAccount,
    items: Vec<OpenItem>,
    section: CurrencyStatement,
    /// The preview page's Content-Security-Policy: its form goes on to the gateway's page, and a
    /// browser checks `form-action` on that redirect too.
    policy: String,
}

/// The portal's policy, with the origins of `provider`'s hosted pages added to `form-action`.
fn preview_policy(provider: Provider, config: &GatewayConfig) -> String {
    let hosted = match provider {
        Provider::Sandbox => return CSP.to_owned(),
        Provider::Stripe => {
            let api = reqwest::Url::parse(&config.stripe_api_url)
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_default();
            format!("{STRIPE_CHECKOUT_ORIGIN} {api}")
        }
    };
    CSP.replace(
        "form-action 'self'",
        &format!("form-action 'self' {}", hosted.trim()),
    )
}

/// Where Stripe's hosted Checkout pages are.
const STRIPE_CHECKOUT_ORIGIN: &str = "https://checkout.stripe.com";

/// The organisation's gateway and what the customer owes in `currency` (the customer's own when the
/// form names none); `None` when the organisation takes no payments online.
async fn payable(
    state: &AppState,
    visit: &Visit,
    currency: Option<Currency>,
) -> Result<Option<Payable>, PortalError> {
    let mut conn = state.store.read().await?;
    let Some(account) = gateways::account(&mut conn, visit.organisation.id).await? else {
        return Ok(None);
    };
    let position = ledger::position(&mut conn, visit.organisation.id, visit.customer.id).await?;
    let currency = currency.unwrap_or(visit.customer.currency);
    let statement = portal_statement(&position, &[], currency, visit.today, visit.link.invoice_id)
        .map_err(|e| StoreError::corrupt("customer account", e))?;
    let Some(section) = statement
        .currencies
        .into_iter()
        .find(|s| s.currency == currency)
    else {
        return Ok(None);
    };
    Ok(Some(Payable {
        policy: preview_policy(account.provider, &state.gateways),
        account,
        items: position.items().to_vec(),
        section,
    }))
}

/// Whether the organisation takes payments online (the statement and invoice pages offer it then).
pub(super) async fn offered(state: &AppState, visit: &Visit) -> Result<bool, PortalError> {
    let mut conn = state.store.read().await?;
    Ok(gateways::account(&mut conn, visit.organisation.id)
        .await?
        .is_some())
}

/// The open item of `invoice` the "Pay this invoice" button pays, when the organisation takes
/// payments online and something of the invoice is still open.
pub(super) async fn open_item(
    state: &AppState,
    visit: &Visit,
    invoice: InvoiceId,
) -> Result<Option<OpenItem>, PortalError> {
    if !offered(state, visit).await? {
        return Ok(None);
    }
    let position = ledger::position(
        &mut *state.store.read().await?,
        visit.organisation.id,
        visit.customer.id,
    )
    .await?;
    Ok(position
        .items()
        .iter()
        .find(|i| i.item.invoice_id == invoice && !i.is_settled())
        .cloned())
}

fn page<'a>(
    l10n: &'a remit_documents::Localizer,
    language: Language,
    visit: &'a Visit,
    token: &'a str,
) -> Page<'a> {
    Page {
        l10n,
        language,
        organisation: &visit.organisation.name,
        token,
    }
}

/// The portal's choice of language (`lang`) from a pay page's query.
fn choice_of(form: &Submitted) -> Choice {
    Choice {
        lang: Some(form.get("lang").to_owned()).filter(|l| !l.is_empty()),
        page: None,
        from: None,
        to: None,
        invoice: None,
    }
}

/// Writes the pay page: the form, core's plan as a preview with the form that pays, or the problem.
fn pay_page(
    visit: &Visit,
    (token, language): (&str, Language),
    payable: &Payable,
    sent: &Sent,
    (preview, problem): (Option<(&CheckoutPlan, &str)>, Option<&Problem>),
) -> Result<Response, PortalError> {
    let markup = with_localizer(language, |l10n| {
        let page = page(l10n, language, visit, token);
        pay_pages::pay(
            &page,
            &PayForm {
                section: &payable.section,
                items: &payable.items,
                sent,
                invoice_link: visit.link.invoice_id.is_some(),
                preview,
                problem,
            },
        )
    })?;
    let mut response = Html(markup.into_string()).into_response();
    if preview.is_some() {
        let policy = HeaderValue::from_str(&payable.policy)
            .unwrap_or_else(|_| HeaderValue::from_static(CSP));
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    Ok(response)
}

/// `GET /p/{token}/pay?currency=…&invoice=…&amount=…`: the form, and the preview of what was chosen.
pub(super) async fn review(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PortalError> {
    let form = Submitted::parse(query.unwrap_or_default().as_bytes());
    let choice = choice_of(&form);
    let visit = open(&state, client, &headers, &token, &choice).await?;
    let language = language(&choice, Some(&visit), &headers);
    let not_found = || PortalError::NotFound { language };
    let sent = Sent::read(&form).ok_or_else(not_found)?;
    let payable = payable(&state, &visit, sent.currency)
        .await?
        .ok_or_else(not_found)?;
    if !Sent::chosen(&form) && visit.link.invoice_id.is_none() {
        return pay_page(&visit, (&token, language), &payable, &sent, (None, None));
    }
    let planned = sent.choice(&visit).and_then(|choice| {
        plan_checkout(
            &choice,
            &payable.items,
            payable.section.currency,
            visit.today,
        )
    });
    match planned {
        Ok(plan) => {
            let form_token = forms::issue(&token, PAY, Uuid::now_v7(), state.clock.now_ms());
            pay_page(
                &visit,
                (&token, language),
                &payable,
                &sent,
                (Some((&plan, &form_token)), None),
            )
        }
        Err(e) => {
            let mut response = pay_page(
                &visit,
                (&token, language),
                &payable,
                &sent,
                (None, Some(&Problem::Rule(e))),
            )?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

/// The checkout a sent form starts: its id comes from the form's nonce and what it chose, so the same
/// form sent twice starts one checkout.
fn checkout_of(
    visit: &Visit,
    account: &GatewayAccount,
    plan: &CheckoutPlan,
    (nonce, sent): (Uuid, &Sent),
) -> Checkout {
    let key = NaturalKey::new("portal checkout")
        .ordered_after(nonce)
        .part(plan.amount.currency().code())
        .part(sent.invoices.join(","))
        .part(sent.amount.trim());
    Checkout {
        id: CheckoutId::derived(&key),
        organisation_id: visit.organisation.id,
        customer_id: visit.customer.id,
        link_id: visit.link.id,
        provider: account.provider,
        amount: plan.amount,
        instruction: plan.instruction.clone(),
        state: CheckoutState::Open,
    }
}

/// Whether another checkout may start through the visit's link from `client` now; the wait when not.
async fn throttled(
    state: &AppState,
    visit: &Visit,
    client: &ClientAddress,
) -> Result<Option<remit_core::access::RetryAfter>, PortalError> {
    let now = state.clock.now_ms();
    let window = CHECKOUT_THROTTLE_PER_LINK
        .window_ms
        .max(CHECKOUT_THROTTLE_PER_ADDRESS.window_ms);
    let (by_link, by_address) = gateways::recent_checkouts(
        &mut *state.store.read().await?,
        visit.link.id,
        &client.key(),
        now - window,
    )
    .await?;
    let decisions = [
        CHECKOUT_THROTTLE_PER_LINK.decide(&by_link, now),
        CHECKOUT_THROTTLE_PER_ADDRESS.decide(&by_address, now),
    ];
    Ok(decisions.into_iter().find_map(|d| match d {
        LoginDecision::Refuse { retry_after } => Some(retry_after),
        LoginDecision::Allow => None,
    }))
}

async fn insert(
    state: &AppState,
    checkout: &Checkout,
    client: &ClientAddress,
    now_ms: i64,
) -> Result<(), StoreError> {
    let mut tx = state.store.write().await?;
    gateways::insert_checkout(&mut tx, checkout, &client.key(), now_ms).await?;
    tx.commit().await.map_err(StoreError::from)
}

fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// `POST /p/{token}/pay`: plans again, throttles, stores the checkout and sends the customer to the
/// gateway's page.
pub(super) async fn pay(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    Path(token): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, PortalError> {
    let choice = choice_of(&Submitted::parse(query.unwrap_or_default().as_bytes()));
    let visit = open(&state, client, &headers, &token, &choice).await?;
    let language = language(&choice, Some(&visit), &headers);
    let not_found = || PortalError::NotFound { language };
    let form = Submitted::parse(&body);
    let sent = Sent::read(&form).ok_or_else(not_found)?;
    let payable = payable(&state, &visit, sent.currency)
        .await?
        .ok_or_else(not_found)?;
    let now = state.clock.now_ms();
    // A refused form again: with the preview and a fresh token when the plan stands (an expired
    // form), with the problem beside its field when core refused the choice.
    let refused = |problem: Problem, plan: Option<&CheckoutPlan>| {
        let fresh = forms::issue(&token, PAY, Uuid::now_v7(), now);
        let mut response = pay_page(
            &visit,
            (&token, language),
            &payable,
            &sent,
            (plan.map(|p| (p, fresh.as_str())), Some(&problem)),
        )?;
        *response.status_mut() = problem.status();
        Ok(response)
    };
    let plan = match sent.choice(&visit).and_then(|choice| {
        plan_checkout(
            &choice,
            &payable.items,
            payable.section.currency,
            visit.today,
        )
    }) {
        Ok(plan) => plan,
        Err(e) => return refused(Problem::Rule(e), None),
    };
    let nonce = match forms::check(&token, PAY, form.get("form"), now) {
        Ok(nonce) => nonce,
        Err(e) => {
            tracing::info!(error = %e, purpose = PAY, "a portal form was refused");
            return refused(Problem::Form(e), Some(&plan));
        }
    };
    let checkout = checkout_of(&visit, &payable.account, &plan, (nonce, &sent));
    let found = gateways::find_checkout(&mut *state.store.read().await?, checkout.id).await?;
    let tag = language.tag();
    match found.map(|f| f.checkout) {
        Some(Checkout {
            state: CheckoutState::Paid { .. },
            id,
            ..
        }) => return Ok(see_other(&format!("/pay/{id}/done?lang={tag}"))),
        Some(_) => {}
        None => {
            // The same form sent twice at once: the twin request may store the checkout while this
            // one is throttled or inserting; its checkout is this one's.
            let twin_stored = || async {
                let mut conn = state.store.read().await?;
                Ok::<bool, StoreError>(
                    gateways::find_checkout(&mut conn, checkout.id)
                        .await?
                        .is_some(),
                )
            };
            if let Some(retry_after) = throttled(&state, &visit, &client).await? {
                if !twin_stored().await? {
                    tracing::info!(link = %visit.link.id, "checkouts throttled");
                    return Err(PortalError::PayThrottled {
                        language,
                        retry_after,
                    });
                }
            } else if let Err(e) = insert(&state, &checkout, &client, now).await
                && !twin_stored().await?
            {
                return Err(e.into());
            }
        }
    }
    let description = with_localizer(language, |l10n| {
        l10n.text(
            "pay-description",
            &[("organisation", Arg::Text(&visit.organisation.name))],
        )
    })?;
    let email = Some(visit.customer.email.trim()).filter(|e| !e.is_empty());
    let origin = request_origin(&headers).unwrap_or_default();
    let hosted = checkout::start(
        &state,
        &payable.account,
        &checkout,
        &Start {
            description: &description,
            customer_email: email,
            origin: &origin,
            language,
        },
    )
    .await?;
    tracing::info!(checkout = %checkout.id, provider = checkout.provider.name(), "checkout started");
    Ok(see_other(&hosted.url))
}

/// A checkout as its return pages find it: the organisation's name and the customer, for the page.
pub(crate) struct Found {
    pub stored: gateways::StoredCheckout,
    pub organisation: String,
    pub customer: Option<Customer>,
}

/// The checkout `id`, with what its pages show; `None` for an id that names none.
pub(crate) async fn find(state: &AppState, id: &str) -> Result<Option<Found>, PortalError> {
    let Ok(id) = CheckoutId::parse(id) else {
        return Ok(None);
    };
    let mut conn = state.store.read().await?;
    let Some(stored) = gateways::find_checkout(&mut conn, id).await? else {
        return Ok(None);
    };
    let checkout = &stored.checkout;
    let organisation = accounts::organisation(&mut conn, checkout.organisation_id)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let customer =
        customers::find_customer(&mut conn, checkout.organisation_id, checkout.customer_id).await?;
    Ok(Some(Found {
        stored,
        organisation,
        customer,
    }))
}

/// The language of a page about a checkout: the one chosen, else the customer's, else the browser's.
pub(crate) fn checkout_language(
    lang: Option<&str>,
    found: Option<&Found>,
    headers: &HeaderMap,
) -> Language {
    language_of(lang, found.and_then(|f| f.customer.as_ref()), headers)
}

/// The page for an id that names no checkout.
pub(crate) fn not_found(language: Language) -> Result<Response, PortalError> {
    let markup = with_localizer(language, |l10n| {
        Ok(pages::message(
            l10n,
            language,
            "pay-not-found-title",
            "pay-not-found",
        ))
    })?;
    Ok((StatusCode::NOT_FOUND, Html(markup.into_string())).into_response())
}

fn lang_of(query: Option<String>) -> Option<String> {
    let form = Submitted::parse(query.unwrap_or_default().as_bytes());
    Some(form.get("lang").to_owned()).filter(|l| !l.is_empty())
}

/// `GET /pay/{checkout}/done`: where the gateway's page returns after paying. A Stripe checkout not
/// yet paid is asked of Stripe first (its webhook may come later); the page says paid, processing or
/// failed as the checkout stands.
pub(super) async fn done(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PortalError> {
    let lang = lang_of(query);
    let mut found = find(&state, &id).await?;
    let language = checkout_language(lang.as_deref(), found.as_ref(), &headers);
    let Some(mut shown) = found.take() else {
        return not_found(language);
    };
    if shown.stored.checkout.provider == Provider::Stripe
        && !matches!(shown.stored.checkout.state, CheckoutState::Paid { .. })
    {
        confirm_at_stripe(&state, &shown.stored).await;
        if let Some(again) = find(&state, &id).await? {
            shown = again;
        }
    }
    returned_page(language, &shown, Returned::Done)
}

/// `GET /pay/{checkout}/cancelled`: the customer left the gateway's page without paying.
pub(super) async fn cancelled(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PortalError> {
    let lang = lang_of(query);
    let found = find(&state, &id).await?;
    let language = checkout_language(lang.as_deref(), found.as_ref(), &headers);
    match found {
        Some(shown) => returned_page(language, &shown, Returned::Cancelled),
        None => not_found(language),
    }
}

fn returned_page(
    language: Language,
    found: &Found,
    returned: Returned,
) -> Result<Response, PortalError> {
    let markup = with_localizer(language, |l10n| {
        pay_pages::returned(l10n, language, found, returned)
    })?;
    Ok(Html(markup.into_string()).into_response())
}

/// Asks Stripe how the checkout's page ended and settles it; when Stripe cannot say now, the page
/// shows the payment as processing and Stripe's webhook settles it later.
async fn confirm_at_stripe(state: &AppState, stored: &gateways::StoredCheckout) {
    match stripe::confirm(&state.store, &state.clock, &state.gateways, stored).await {
        Ok(settled) => {
            tracing::info!(checkout = %stored.checkout.id, decision = ?settled.decision, "confirmed with Stripe");
        }
        Err(e) => {
            tracing::warn!(checkout = %stored.checkout.id, error = %e, "cannot confirm the payment with Stripe now");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_stripe_preview_lets_its_form_go_on_to_stripes_page_and_nowhere_else() {
        let config =
            GatewayConfig::new("http://127.0.0.1:9999/".into(), Duration::from_secs(300)).unwrap();
        let stripe = preview_policy(Provider::Stripe, &config);
        assert!(
            stripe
                .contains("form-action 'self' https://checkout.stripe.com http://127.0.0.1:9999;"),
            "{stripe}"
        );
        assert_eq!(
            stripe.replace(" https://checkout.stripe.com http://127.0.0.1:9999", ""),
            CSP
        );
        assert_eq!(preview_policy(Provider::Sandbox, &config), CSP);
    }
}
