//! The sandbox: a gateway built into Remit for trials and tests. Its hosted page
//! (`/sandbox/pay/{checkout}`) is marked TEST MODE in its title and a banner; no card is charged and no
//! money moves. The card number decides, as Stripe's test cards do ([`TestCard`]): one succeeds, one is
//! declined, one asks for an extra confirmation step (a stand-in for 3-D Secure). A payment is reported
//! exactly as a real gateway's would be, through [`super::settle`]; a declined or failed card reports
//! nothing, so nothing is recorded and the checkout stays open for another try.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};
use remit_core::gateway::{Checkout, CheckoutState, GatewayEvent, Provider};
use remit_documents::{Arg, Language, Localizer, RenderError};
use uuid::Uuid;

use super::HostedPage;
use super::checkout::Start;
use crate::clock::{today_in, zone};
use crate::http::AppState;
use crate::portal::forms::{self, FormError, Submitted};
use crate::portal::pages::layout;
use crate::portal::pay::{Found, checkout_language, find, not_found};
use crate::portal::{Html, PortalError, with_localizer};
use crate::store::{StoreError, accounts};

/// The sandbox's page for `checkout`: its id is the checkout's own.
pub fn hosted_page(checkout: &Checkout, start: &Start) -> HostedPage {
    HostedPage {
        session: format!("sbx_cs_{}", checkout.id.as_uuid().simple()),
        url: format!(
            "{}/sandbox/pay/{}?lang={}",
            start.origin,
            checkout.id,
            start.language.tag()
        ),
    }
}

/// The sandbox's routes (under the portal's headers: no script, no framing, no caching).
pub fn router() -> Router<AppState> {
    Router::new().route("/sandbox/pay/{checkout}", get(card_page).post(pay))
}

/// What the card number decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestCard {
    Succeeds,
    Declined,
    /// The extra confirmation step (3-D Secure) comes first.
    NeedsConfirmation,
}

/// The test cards: Stripe's numbers, so a tester uses the ones they know.
pub const TEST_CARDS: [(&str, TestCard); 3] = [
    ("4242424242424242", TestCard::Succeeds),
    ("4000000000000002", TestCard::Declined),
    ("4000002500003155", TestCard::NeedsConfirmation),
];

impl TestCard {
    /// The test card `number` (spaces and dashes as typed) is; `None` for any other number.
    pub fn of(number: &str) -> Option<TestCard> {
        let digits: String = number
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        TEST_CARDS
            .iter()
            .find(|(card, _)| *card == digits)
            .map(|(_, decides)| *decides)
    }
}

/// What the card form is for; the confirmation step's form is another, so it cannot be skipped to.
fn purpose(step: Step, checkout: &Checkout) -> String {
    match step {
        Step::Card => format!("sandbox card {}", checkout.id),
        Step::Confirm => format!("sandbox confirm {}", checkout.id),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Card,
    Confirm,
}

/// What the page says went wrong, and beside which field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Said {
    Declined,
    NotConfirmed,
    FormExpired,
    UseTestCard,
    Expiry,
    Cvc,
}

impl Said {
    fn message(self) -> &'static str {
        match self {
            Said::Declined => "sandbox-declined",
            Said::NotConfirmed => "sandbox-confirm-failed",
            Said::FormExpired => "pay-error-form",
            Said::UseTestCard => "sandbox-test-card",
            Said::Expiry => "sandbox-expiry-required",
            Said::Cvc => "sandbox-cvc-required",
        }
    }

    fn field(self) -> Option<&'static str> {
        match self {
            Said::UseTestCard => Some("card"),
            Said::Expiry => Some("expiry"),
            Said::Cvc => Some("cvc"),
            Said::Declined | Said::NotConfirmed | Said::FormExpired => None,
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Said::Declined | Said::NotConfirmed => StatusCode::PAYMENT_REQUIRED,
            Said::FormExpired | Said::UseTestCard | Said::Expiry | Said::Cvc => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
        }
    }
}

fn lang_of(query: Option<String>) -> Option<String> {
    let form = Submitted::parse(query.unwrap_or_default().as_bytes());
    Some(form.get("lang").to_owned()).filter(|l| !l.is_empty())
}

fn done(checkout: &Checkout, language: Language) -> Response {
    let location = format!("/pay/{}/done?lang={}", checkout.id, language.tag());
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// The sandbox checkout `id` with what its page shows, or the page to answer instead: 404 for an
/// id that names no sandbox checkout, the done page for a paid one.
async fn sandbox_checkout(
    state: &AppState,
    id: &str,
    (lang, headers): (Option<&str>, &HeaderMap),
) -> Result<Result<(Found, Language), Response>, PortalError> {
    let found = find(state, id)
        .await?
        .filter(|f| f.stored.checkout.provider == Provider::Sandbox);
    let language = checkout_language(lang, found.as_ref(), headers);
    let Some(found) = found else {
        return Ok(Err(not_found(language)?));
    };
    if let CheckoutState::Paid { .. } = found.stored.checkout.state {
        return Ok(Err(done(&found.stored.checkout, language)));
    }
    Ok(Ok((found, language)))
}

/// `GET /sandbox/pay/{checkout}`: the TEST MODE card page.
async fn card_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PortalError> {
    let lang = lang_of(query);
    let (found, language) = match sandbox_checkout(&state, &id, (lang.as_deref(), &headers)).await?
    {
        Ok(shown) => shown,
        Err(response) => return Ok(response),
    };
    page(&state, &found, language, Step::Card, None)
}

/// Writes the card page (or the confirmation step) with a fresh form token.
fn page(
    state: &AppState,
    found: &Found,
    language: Language,
    step: Step,
    said: Option<Said>,
) -> Result<Response, PortalError> {
    let checkout = &found.stored.checkout;
    let token = forms::issue(
        &checkout.id.to_string(),
        &purpose(step, checkout),
        Uuid::now_v7(),
        state.clock.now_ms(),
    );
    let markup = with_localizer(language, |l10n| {
        let shown = Shown {
            l10n,
            language,
            found,
            token: &token,
        };
        match step {
            Step::Card => card_form(&shown, said),
            Step::Confirm => confirm_form(&shown),
        }
    })?;
    let status = said.map_or(StatusCode::OK, Said::status);
    Ok((status, Html(markup.into_string())).into_response())
}

/// `POST /sandbox/pay/{checkout}`: the card (or the confirmation step) decides.
async fn pay(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Result<Response, PortalError> {
    let lang = lang_of(query);
    let (found, language) = match sandbox_checkout(&state, &id, (lang.as_deref(), &headers)).await?
    {
        Ok(shown) => shown,
        Err(response) => return Ok(response),
    };
    let checkout = &found.stored.checkout;
    let form = Submitted::parse(&body);
    let step = match form.get("step") {
        "confirm" => Step::Confirm,
        _ => Step::Card,
    };
    let key = checkout.id.to_string();
    let now = state.clock.now_ms();
    if let Err(e) = forms::check(&key, &purpose(step, checkout), form.get("form"), now) {
        tracing::info!(error = %e, "a sandbox form was refused");
        let said = match e {
            FormError::Forged | FormError::Expired => Said::FormExpired,
        };
        let mut response = page(&state, &found, language, Step::Card, Some(said))?;
        if e == FormError::Forged {
            *response.status_mut() = StatusCode::FORBIDDEN;
        }
        return Ok(response);
    }
    let decided = match step {
        Step::Confirm => match form.get("outcome") {
            "complete" => Ok(()),
            _ => Err(Some(Said::NotConfirmed)),
        },
        Step::Card => match card(&form) {
            Err(said) => Err(Some(said)),
            Ok(TestCard::Succeeds) => Ok(()),
            Ok(TestCard::Declined) => Err(Some(Said::Declined)),
            Ok(TestCard::NeedsConfirmation) => Err(None),
        },
    };
    match decided {
        Ok(()) => {
            paid(&state, checkout).await?;
            Ok(done(checkout, language))
        }
        Err(None) => page(&state, &found, language, Step::Confirm, None),
        Err(Some(said)) => {
            tracing::info!(checkout = %checkout.id, outcome = said.message(), "sandbox payment not made");
            page(&state, &found, language, Step::Card, Some(said))
        }
    }
}

/// The card form's fields read: the test card, or what is wrong, naming the field.
fn card(form: &Submitted) -> Result<TestCard, Said> {
    let decides = TestCard::of(form.get("card")).ok_or(Said::UseTestCard)?;
    if form.get("expiry").trim().is_empty() {
        return Err(Said::Expiry);
    }
    let cvc = form.get("cvc").trim();
    if !(3..=4).contains(&cvc.len()) || !cvc.chars().all(|c| c.is_ascii_digit()) {
        return Err(Said::Cvc);
    }
    Ok(decides)
}

/// The sandbox is the gateway: it reports the payment as one would, through the one path every
/// report takes. The gateway's payment id is the checkout's, so paying one checkout twice is one
/// payment.
async fn paid(state: &AppState, checkout: &Checkout) -> Result<(), PortalError> {
    let organisation =
        accounts::organisation(&mut *state.store.read().await?, checkout.organisation_id)
            .await?
            .ok_or_else(|| StoreError::corrupt("checkout", "its organisation is gone"))?;
    let zone = zone(&organisation.time_zone)
        .map_err(|e| StoreError::corrupt("organisation", e.to_string()))?;
    let event = GatewayEvent::Paid {
        checkout: checkout.id,
        gateway_payment: format!("sbx_{}", checkout.id.as_uuid().simple()),
        amount: checkout.amount,
        paid_on: today_in(zone, state.clock.now()),
        payer_email: None,
    };
    super::settle(
        &state.store,
        &state.clock,
        (checkout.organisation_id, Provider::Sandbox),
        &event,
    )
    .await?;
    Ok(())
}

/// What the sandbox's pages share.
struct Shown<'a> {
    l10n: &'a Localizer,
    language: Language,
    found: &'a Found,
    token: &'a str,
}

impl Shown<'_> {
    fn action(&self) -> String {
        format!(
            "/sandbox/pay/{}?lang={}",
            self.found.stored.checkout.id,
            self.language.tag()
        )
    }

    /// The page around `body`: TEST MODE in the title and in a banner above everything.
    fn layout(&self, body: Markup) -> Result<Markup, RenderError> {
        let organisation = &self.found.organisation;
        let title = self.l10n.text(
            "sandbox-title",
            &[("organisation", Arg::Text(organisation))],
        )?;
        let amount = self.l10n.money(self.found.stored.checkout.amount)?;
        Ok(layout(
            self.language,
            (&title, None),
            html! {
                header.test-mode role="banner" { p { strong { (self.l10n.label("sandbox-banner")?) } } }
                main.sandbox {
                    h1 { (title) }
                    dl.facts {
                        dt { (self.l10n.label("sandbox-to")?) } dd { (organisation) }
                        dt { (self.l10n.label("sandbox-amount")?) } dd.amount { strong { (amount) } }
                    }
                    (body)
                }
            },
        ))
    }
}

/// The card form; `said` beside its field, or above the form.
fn card_form(shown: &Shown, said: Option<Said>) -> Result<Markup, RenderError> {
    let l = shown.l10n;
    let amount = l.money(shown.found.stored.checkout.amount)?;
    let problem = match said {
        Some(said) => {
            let text = l.label(said.message())?;
            let text = match said.field() {
                Some(_) => l.text("pay-error", &[("problem", Arg::Text(&text))])?,
                None => text,
            };
            Some((said.field(), text))
        }
        None => None,
    };
    let beside = |field: &str| {
        problem
            .as_ref()
            .filter(|(f, _)| *f == Some(field))
            .map(|(_, text)| text.as_str())
    };
    let field = |id: &'static str, label: String, autocomplete: &'static str| {
        let error = beside(id).map(|text| (format!("{id}-problem"), text.to_owned()));
        html! {
            label for=(id) { (label) }
            input id=(id) type="text" name=(id) inputmode="numeric" autocomplete=(autocomplete) required
                aria-invalid=[error.as_ref().map(|_| "true")] aria-describedby=[error.as_ref().map(|(eid, _)| eid.clone())];
            @if let Some((eid, text)) = &error { p.error id=(eid) role="alert" { (text) } }
        }
    };
    let cancel = format!(
        "/pay/{}/cancelled?lang={}",
        shown.found.stored.checkout.id,
        shown.language.tag()
    );
    let body = html! {
        @if let Some((None, text)) = &problem { p.error #problem role="alert" { (text) } }
        form.card method="post" action=(shown.action()) {
            input type="hidden" name="form" value=(shown.token);
            input type="hidden" name="step" value="card";
            (field("card", l.label("sandbox-card")?, "cc-number"))
            (field("expiry", l.label("sandbox-expiry")?, "cc-exp"))
            (field("cvc", l.label("sandbox-cvc")?, "cc-csc"))
            button type="submit" { (l.text("sandbox-pay", &[("amount", Arg::Text(&amount))])?) }
        }
        p { a href=(cancel) { (l.label("sandbox-cancel")?) } }
    };
    shown.layout(body)
}

/// The extra confirmation step (test 3-D Secure): complete or fail.
fn confirm_form(shown: &Shown) -> Result<Markup, RenderError> {
    let l = shown.l10n;
    let amount = l.money(shown.found.stored.checkout.amount)?;
    let asks = l.text(
        "sandbox-confirm",
        &[
            ("amount", Arg::Text(&amount)),
            ("organisation", Arg::Text(&shown.found.organisation)),
        ],
    )?;
    let body = html! {
        section.confirm aria-labelledby="confirm" {
            h2 #confirm { (l.label("sandbox-confirm-title")?) }
            p { (asks) }
            form.confirm method="post" action=(shown.action()) {
                input type="hidden" name="form" value=(shown.token);
                input type="hidden" name="step" value="confirm";
                button type="submit" name="outcome" value="complete" { (l.label("sandbox-complete")?) }
                " "
                button type="submit" name="outcome" value="fail" { (l.label("sandbox-fail")?) }
            }
        }
    };
    shown.layout(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_card_number_decides_as_typed_with_spaces_or_dashes() {
        assert_eq!(
            TestCard::of("4242 4242 4242 4242"),
            Some(TestCard::Succeeds)
        );
        assert_eq!(
            TestCard::of("4000-0000-0000-0002"),
            Some(TestCard::Declined)
        );
        assert_eq!(
            TestCard::of(" 4000002500003155 "),
            Some(TestCard::NeedsConfirmation)
        );
        assert_eq!(TestCard::of("5555 5555 5555 4444"), None);
        assert_eq!(TestCard::of(""), None);
    }
}
