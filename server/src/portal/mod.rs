//! The customer's portal: server-rendered pages under `/p/{token}`, for a customer who has no account
//! and may have no JavaScript. The workspace's wasm is never loaded here.
//!
//! - A token opens one customer's statement, or one invoice of theirs ([`links::open`]). Unknown, expired
//!   and revoked tokens get the very same 404 page; failed lookups are throttled per client address.
//! - Every page carries headers for a page with a secret in its URL: no referrer, no caching, no
//!   indexing, no framing, and a Content-Security-Policy without inline script or style.
//! - The customer asks questions and disputes invoices in threads ([`threads`]): plain forms with a
//!   per-page form token ([`forms`]), decided by core as the system client's mutations.
//! - The customer pays online through the organisation's gateway ([`pay`]): core plans and previews
//!   the allocation, the gateway's hosted page takes the card, the return pages say how it ended.
//! - Every figure comes from core ([`remit_core::portal::portal_statement`], the issued snapshot) and is
//!   formatted in the customer's language by the documents' [`Localizer`].

pub mod address;
mod files;
pub mod forms;
pub mod links;
pub mod pages;
pub(crate) mod pay;
mod pay_pages;
mod thread_pages;
mod threads;
pub mod views;

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::IpAddr;
use std::rc::Rc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use remit_core::access::RetryAfter;
use remit_core::customer::Customer;
use remit_core::ids::InvoiceId;
use remit_core::mail::{MailedDocument, MailedKind};
use remit_core::portal::portal_statement;
use remit_core::receivables::payment::Payment;
use remit_core::settings::brand_colour_rule;
use remit_core::sync::EntityKind;
use remit_documents::{Language, Localizer, RenderError};
use serde::Deserialize;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::documents::{DocumentError, IssuedDocument};
use crate::http::AppState;
use crate::store::{StoreError, ledger, records};
use address::ClientAddress;
use links::{OpenError, Visit};
use views::ViewLog;

/// How the portal is set up for this server.
#[derive(Debug, Clone, Default)]
pub struct PortalConfig {
    /// The reverse proxy whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    pub trusted_proxy: Option<IpAddr>,
    pub views: ViewLog,
}

/// The portal's stylesheet: one file, so no page needs an inline style.
const STYLESHEET: &str = include_str!("portal.css");

/// Scripts, inline styles, frames, forms to elsewhere and plugins are all refused.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

pub fn router() -> Router<AppState> {
    let headers = [
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CACHE_CONTROL, "no-store"),
        (header::HeaderName::from_static("x-robots-tag"), "noindex"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    let routes = Router::new()
        .route("/p/portal.css", get(stylesheet))
        .route("/p/{token}", get(statement_page))
        .route("/p/{token}/invoices/{id}", get(invoice_page))
        .route("/p/{token}/invoices/{id}/{file}", get(files::invoice_file))
        .route("/p/{token}/statement.pdf", get(files::statement_pdf))
        .route("/p/{token}/theme.css", get(theme))
        .route("/p/{token}/receipts/{id}", get(files::receipt))
        .route("/p/{token}/threads", post(threads::ask))
        .route("/p/{token}/threads/new", get(threads::new_thread))
        .route("/p/{token}/threads/{id}", get(threads::show))
        .route(
            "/p/{token}/threads/{id}/messages",
            post(threads::write_again),
        )
        .route("/p/{token}/pay", get(pay::review).post(pay::pay))
        .route("/pay/{checkout}/done", get(pay::done))
        .route("/pay/{checkout}/cancelled", get(pay::cancelled))
        .merge(crate::gateway::sandbox::router())
        .layer(DefaultBodyLimit::max(forms::MAX_FORM_BYTES))
        // A long statement is mostly repeated markup: compressed at the fastest level.
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        // Only the payment preview widens its policy: its form goes on to the gateway's page.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ));
    headers.into_iter().fold(routes, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ))
    })
}

/// Why a portal request failed; answered as a page in the visitor's language.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("no open link")]
    NotFound { language: Language },
    #[error("too many failed lookups")]
    Throttled {
        language: Language,
        retry_after: RetryAfter,
    },
    /// A statement period that is no period: `field` is `from` or `to`.
    #[error("the period's {field} is not a day on or after its start")]
    BadPeriod {
        language: Language,
        field: &'static str,
    },
    /// Too many checkouts through the link or from the address lately.
    #[error("too many checkouts")]
    PayThrottled {
        language: Language,
        retry_after: RetryAfter,
    },
    #[error("the database failed")]
    Store(#[from] StoreError),
    #[error("the gateway's page could not be started")]
    Start(#[from] crate::gateway::checkout::StartError),
    #[error("the gateway's report could not be settled")]
    Settle(#[from] crate::gateway::SettleError),
    #[error("the question could not be pushed")]
    Sync(#[from] crate::sync::SyncError),
    #[error("the page cannot be written")]
    Render(#[from] RenderError),
    #[error("the document cannot be made")]
    Document(#[from] DocumentError),
}

impl IntoResponse for PortalError {
    fn into_response(self) -> Response {
        let (status, language, title, body) = match &self {
            PortalError::NotFound { language } => (
                StatusCode::NOT_FOUND,
                *language,
                "portal-not-found-title",
                "portal-not-found",
            ),
            PortalError::BadPeriod { language, .. } => (
                StatusCode::BAD_REQUEST,
                *language,
                "portal-bad-period-title",
                "portal-bad-period",
            ),
            PortalError::Throttled { language, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                *language,
                "portal-busy-title",
                "portal-busy",
            ),
            PortalError::PayThrottled { language, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                *language,
                "pay-busy-title",
                "pay-busy",
            ),
            _ => {
                tracing::error!(error = ?self, "a portal page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Language::default(),
                    "portal-failed-title",
                    "portal-failed",
                )
            }
        };
        let page = with_localizer(language, |l10n| {
            Ok(pages::message(l10n, language, title, body))
        })
        .map(|m| m.into_string())
        .unwrap_or_else(|_| "Remit".to_owned());
        let mut response = (status, Html(page)).into_response();
        if let PortalError::Throttled { retry_after, .. }
        | PortalError::PayThrottled { retry_after, .. } = self
        {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after.seconds()),
            );
        }
        response
    }
}

/// An HTML page.
pub(crate) struct Html(pub(crate) String);

impl IntoResponse for Html {
    fn into_response(self) -> Response {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            self.0,
        )
            .into_response()
    }
}

thread_local! {
    /// One localizer per language and worker thread: loading the catalogues and the locale data costs
    /// more than writing a page, and a localizer cannot be shared between threads.
    static LOCALIZERS: RefCell<HashMap<Language, Rc<Localizer>>> = RefCell::new(HashMap::new());
}

pub(crate) fn with_localizer<T>(
    language: Language,
    f: impl FnOnce(&Localizer) -> Result<T, RenderError>,
) -> Result<T, RenderError> {
    let l10n = LOCALIZERS.with(|cache| -> Result<Rc<Localizer>, RenderError> {
        if let Some(found) = cache.borrow().get(&language) {
            return Ok(found.clone());
        }
        let made = Rc::new(Localizer::new(language)?);
        cache.borrow_mut().insert(language, made.clone());
        Ok(made)
    })?;
    f(&l10n)
}

#[derive(Debug, Deserialize)]
pub struct Choice {
    lang: Option<String>,
    /// The page of open invoices, from 1.
    page: Option<usize>,
    /// The period of a statement PDF.
    from: Option<String>,
    to: Option<String>,
    /// The invoice a new question is about.
    invoice: Option<String>,
}

/// The language a page is in: the one chosen on the page, else the customer's, else the first of the
/// browser's (`Accept-Language`) Remit speaks, else English. A page that opens nothing never reads the
/// customer's, so it cannot tell a valid token from another.
fn language(choice: &Choice, visit: Option<&Visit>, headers: &HeaderMap) -> Language {
    language_of(choice.lang.as_deref(), visit.map(|v| &v.customer), headers)
}

/// The language chosen on the page (`lang`), else the customer's, else the browser's, else English.
pub(crate) fn language_of(
    lang: Option<&str>,
    customer: Option<&Customer>,
    headers: &HeaderMap,
) -> Language {
    let browser = || {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .into_iter()
            .flat_map(|v| v.split(','))
            .filter_map(|tag| Language::from_tag(tag.split(';').next().unwrap_or_default().trim()))
            .next()
    };
    lang.and_then(Language::from_tag)
        .or_else(|| {
            customer
                .and_then(|c| c.language)
                .and_then(|l| Language::from_tag(l.code()))
        })
        .or_else(browser)
        .unwrap_or_default()
}

/// The page a token that opens nothing gets: the same for every such token.
fn refused(e: OpenError, choice: &Choice, headers: &HeaderMap) -> PortalError {
    match e {
        OpenError::NoLink => PortalError::NotFound {
            language: language(choice, None, headers),
        },
        OpenError::Throttled(retry_after) => PortalError::Throttled {
            language: language(choice, None, headers),
            retry_after,
        },
        OpenError::Store(e) => PortalError::Store(e),
    }
}

/// Opens the token's link, recording the view; the same error for every token that opens nothing.
pub(crate) async fn open(
    state: &AppState,
    client: ClientAddress,
    headers: &HeaderMap,
    token: &str,
    choice: &Choice,
) -> Result<Visit, PortalError> {
    let visit = links::open(&state.store, &state.clock, client, token)
        .await
        .map_err(|e| refused(e, choice, headers))?;
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    state
        .portal
        .views
        .record(&state.store, &state.clock, &visit.link, client, agent);
    Ok(visit)
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

/// `GET /p/{token}/theme.css`: the organisation's colour over the stylesheet's own (nothing when it
/// has none, or when what is stored breaks core's rule: no stored text reaches the CSS unchecked).
async fn theme(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(choice): Query<Choice>,
) -> Result<Response, PortalError> {
    let visit = links::open(&state.store, &state.clock, client, &token)
        .await
        .map_err(|e| refused(e, &choice, &headers))?;
    let settings =
        records::settings(&mut *state.store.read().await?, visit.organisation.id).await?;
    let colour = settings
        .brand_colour
        .filter(|c| brand_colour_rule(c).is_ok())
        .map(|c| format!(":root {{ --accent: {c}; }}\n"))
        .unwrap_or_default();
    Ok(([(header::CONTENT_TYPE, "text/css; charset=utf-8")], colour).into_response())
}

/// `GET /p/{token}`: the statement (an invoice link's shows its invoice only).
async fn statement_page(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(choice): Query<Choice>,
) -> Result<Response, PortalError> {
    let visit = open(&state, client, &headers, &token, &choice).await?;
    let (position, payments) = {
        let mut conn = state.store.read().await?;
        let (org, customer) = (visit.organisation.id, Some(visit.customer.id));
        let position = ledger::position(&mut conn, org, visit.customer.id).await?;
        let payments: Vec<Payment> =
            records::list_records(&mut conn, org, EntityKind::Payment, customer).await?;
        (position, payments)
    };
    let statement = portal_statement(
        &position,
        &payments,
        visit.customer.currency,
        visit.today,
        visit.link.invoice_id,
    )
    .map_err(|e| StoreError::corrupt("customer account", e))?;
    let threads = threads::shown_threads(&state, &visit, None).await?;
    let offered = pay::offered(&state, &visit).await?;
    let language = language(&choice, Some(&visit), &headers);
    let page = with_localizer(language, |l10n| {
        let page = pages::Page {
            l10n,
            language,
            organisation: &visit.organisation.name,
            token: &token,
        };
        let asked = thread_pages::list(&page, "portal-threads", &threads)?;
        let ask = if visit.link.shows_account() {
            thread_pages::ask_link(&page, None)?
        } else {
            maud::html! {}
        };
        pages::statement(
            &page,
            &visit.customer.name,
            &statement,
            (
                choice.page.unwrap_or(1),
                visit.link.shows_account(),
                offered,
            ),
            maud::html! { (asked) (ask) },
        )
    })?;
    Ok(Html(page.into_string()).into_response())
}

/// The issued invoice `id` when the visit's link may show it; the same 404 as an unknown token if not.
async fn shown_invoice(
    state: &AppState,
    visit: &Visit,
    id: &str,
    (choice, headers): (&Choice, &HeaderMap),
) -> Result<IssuedDocument, PortalError> {
    let not_found = || PortalError::NotFound {
        language: language(choice, Some(visit), headers),
    };
    let id = InvoiceId::parse(id).map_err(|_| not_found())?;
    let document = MailedDocument {
        kind: MailedKind::Invoice,
        id: id.as_uuid(),
    };
    let found = IssuedDocument::find(&state.store, visit.organisation.id, document).await?;
    match found {
        Some(doc) if visit.link.shows_invoice(id, doc.customer) => Ok(doc),
        _ => Err(not_found()),
    }
}

/// `GET /p/{token}/invoices/{id}`
async fn invoice_page(
    State(state): State<AppState>,
    client: ClientAddress,
    headers: HeaderMap,
    Path((token, id)): Path<(String, String)>,
    Query(choice): Query<Choice>,
) -> Result<Response, PortalError> {
    let visit = open(&state, client, &headers, &token, &choice).await?;
    let document = shown_invoice(&state, &visit, &id, (&choice, &headers)).await?;
    let invoice = InvoiceId::try_from(document.id).ok();
    let threads = threads::shown_threads(&state, &visit, invoice).await?;
    let payable = match invoice {
        Some(invoice) => pay::open_item(&state, &visit, invoice).await?,
        None => None,
    };
    let language = language(&choice, Some(&visit), &headers);
    let page = with_localizer(language, |l10n| {
        let page = pages::Page {
            l10n,
            language,
            organisation: &visit.organisation.name,
            token: &token,
        };
        let asked = thread_pages::list(&page, "portal-threads-invoice", &threads)?;
        let ask = thread_pages::ask_link(&page, Some(&id))?;
        pages::invoice(
            &page,
            &id,
            &document.snapshot,
            (payable.as_ref(), maud::html! { (asked) (ask) }),
        )
    })?;
    Ok(Html(page.into_string()).into_response())
}
