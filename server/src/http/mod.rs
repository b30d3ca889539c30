//! The HTTP shell: JSON API under `/api/`, the built app everywhere else.

pub mod assets;
pub mod customers;
pub mod documents;
pub mod error;
pub mod exceptions;
pub mod gateway;
pub mod invoices;
pub mod numbering;
pub mod openapi;
pub mod payments;
pub mod portal_links;
pub mod query;
pub mod session;
pub mod setup;
pub mod statements;
pub mod sync;

use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use tracing::{Span, field};

pub use error::{AppError, ErrorBody, ErrorKind};

use error::ServerFailure;

use crate::clock::Clock;
use crate::store::Store;

/// What every request handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    /// Where "now" comes from.
    pub clock: Clock,
    /// The built app (Trunk's `dist` folder).
    pub dist: PathBuf,
    /// The customer's portal.
    pub portal: crate::portal::PortalConfig,
    /// How this server reaches payment gateways.
    pub gateways: crate::gateway::GatewayConfig,
}

/// The header every state-changing API request must carry. A page on another site cannot add a custom
/// header to a cross-site request without a CORS preflight, and this server answers no preflight: so the
/// header proves the request came from Remit's own pages, whatever cookies the browser attaches.
pub const CSRF_HEADER: HeaderName = HeaderName::from_static("x-remit-request");

/// A push carries whole drafts (up to core's limit of lines each); other API bodies keep axum's 2 MB.
pub const MAX_PUSH_BYTES: usize = 32 * 1024 * 1024;

/// Where the JSON API lives; [`ROUTES`] are relative to it.
pub const API_PREFIX: &str = "/api";

/// What an API route does: one handler each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    SetupStatus,
    SetUp,
    CurrentSession,
    SignIn,
    SignOut,
    SyncPush,
    SyncPull,
    InvoiceDraft,
    Customers,
    Invoices,
    Invoice,
    InvoiceFile,
    CreditNoteFile,
    Payments,
    Statement,
    StatementPdf,
    Receipt,
    Aging,
    NumberingReport,
    Exceptions,
    PortalLinks,
    CreatePortalLink,
    RevokePortalLink,
    Gateway,
    SetGateway,
    OpenApi,
}

/// One route of the JSON API.
#[derive(Debug, Clone)]
pub struct ApiRoute {
    pub method: Method,
    /// Relative to [`API_PREFIX`], in axum's syntax (`/invoice-drafts/{id}`), which is also OpenAPI's.
    pub path: &'static str,
    pub operation: Operation,
}

const fn route(method: Method, path: &'static str, operation: Operation) -> ApiRoute {
    ApiRoute {
        method,
        path,
        operation,
    }
}

/// Every route of the JSON API, and the only place routes are declared: [`app`] is built from this
/// table, the OpenAPI document must describe exactly these, and the isolation tests must have a case for
/// each. A `GET` route also answers `HEAD`.
pub const ROUTES: &[ApiRoute] = &[
    route(Method::GET, "/setup", Operation::SetupStatus),
    route(Method::POST, "/setup", Operation::SetUp),
    route(Method::GET, "/session", Operation::CurrentSession),
    route(Method::POST, "/session", Operation::SignIn),
    route(Method::DELETE, "/session", Operation::SignOut),
    route(Method::POST, "/sync/push", Operation::SyncPush),
    route(Method::POST, "/sync/pull", Operation::SyncPull),
    route(Method::GET, "/invoice-drafts/{id}", Operation::InvoiceDraft),
    route(Method::GET, "/customers", Operation::Customers),
    route(Method::GET, "/invoices", Operation::Invoices),
    route(Method::GET, "/invoices/{id}", Operation::Invoice),
    route(Method::GET, "/invoices/{id}/{file}", Operation::InvoiceFile),
    route(
        Method::GET,
        "/credit-notes/{id}/{file}",
        Operation::CreditNoteFile,
    ),
    route(Method::GET, "/payments", Operation::Payments),
    route(Method::GET, "/payments/{id}/receipt", Operation::Receipt),
    route(
        Method::GET,
        "/customers/{id}/statement",
        Operation::Statement,
    ),
    route(
        Method::GET,
        "/customers/{id}/statement/pdf",
        Operation::StatementPdf,
    ),
    route(Method::GET, "/customers/{id}/aging", Operation::Aging),
    route(Method::GET, "/numbering/report", Operation::NumberingReport),
    route(Method::GET, "/exceptions", Operation::Exceptions),
    route(
        Method::GET,
        "/customers/{id}/portal-links",
        Operation::PortalLinks,
    ),
    route(
        Method::POST,
        "/customers/{id}/portal-links",
        Operation::CreatePortalLink,
    ),
    route(
        Method::DELETE,
        "/portal-links/{id}",
        Operation::RevokePortalLink,
    ),
    route(Method::GET, "/gateway", Operation::Gateway),
    route(Method::PUT, "/gateway", Operation::SetGateway),
    route(Method::GET, "/openapi.json", Operation::OpenApi),
];

/// The handler of a route, answering the route's method only.
fn method_router(route: &ApiRoute) -> MethodRouter<AppState> {
    let filter = MethodFilter::try_from(route.method.clone())
        .unwrap_or_else(|e| panic!("route {} {}: {e}", route.method, route.path));
    match route.operation {
        Operation::SetupStatus => on(filter, setup::status),
        Operation::SetUp => on(filter, setup::set_up),
        Operation::CurrentSession => on(filter, session::current),
        Operation::SignIn => on(filter, session::sign_in),
        Operation::SignOut => on(filter, session::sign_out),
        Operation::SyncPush => on(filter, sync::push).layer(DefaultBodyLimit::max(MAX_PUSH_BYTES)),
        Operation::SyncPull => on(filter, sync::pull),
        Operation::InvoiceDraft => on(filter, invoices::draft),
        Operation::Customers => on(filter, customers::list),
        Operation::Invoices => on(filter, invoices::list),
        Operation::Invoice => on(filter, invoices::show),
        Operation::InvoiceFile => on(filter, documents::invoice_file),
        Operation::CreditNoteFile => on(filter, documents::credit_note_file),
        Operation::Payments => on(filter, payments::list),
        Operation::Statement => on(filter, statements::statement),
        Operation::StatementPdf => on(filter, statements::statement_pdf),
        Operation::Receipt => on(filter, documents::receipt),
        Operation::Aging => on(filter, statements::aging),
        Operation::NumberingReport => on(filter, numbering::report),
        Operation::Exceptions => on(filter, exceptions::open),
        Operation::PortalLinks => on(filter, portal_links::list),
        Operation::CreatePortalLink => on(filter, portal_links::create),
        Operation::RevokePortalLink => on(filter, portal_links::revoke),
        Operation::Gateway => on(filter, gateway::show),
        Operation::SetGateway => on(filter, gateway::set),
        Operation::OpenApi => on(filter, openapi::document),
    }
}

pub fn app(state: AppState) -> Router {
    let api = ROUTES
        .iter()
        .fold(Router::new(), |api, r| api.route(r.path, method_router(r)))
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(middleware::from_fn(require_csrf_header))
        // Pull pages and reports are large JSON: compressed for browsers that accept Brotli or gzip, at the
        // fastest level (compressing must cost less than the bytes it saves on a fast network).
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest));
    Router::new()
        .nest(API_PREFIX, api)
        .merge(crate::portal::router())
        .merge(crate::gateway::stripe::webhook::router())
        .fallback(assets::serve)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(log_response),
        )
        .with_state(state)
}

/// The span of one request: its method and path, never its query, headers or body (cookies, passwords
/// and session tokens travel there), nor a portal link's token in the path. Status and latency are
/// recorded when the response leaves.
fn request_span(request: &Request) -> Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %loggable_path(request.uri().path()),
        status = field::Empty,
        latency_ms = field::Empty,
    )
}

/// `path` as it may be logged: a portal link's token (`/p/<token>/…`) is the customer's key to their
/// account, so it is written as `~` (the portal's stylesheet, the same for everyone, is kept).
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    let Some(rest) = path.strip_prefix("/p/") else {
        return path.into();
    };
    let (token, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if token == "portal.css" {
        return path.into();
    }
    format!("/p/~{tail}").into()
}

/// Logs every response once; a failure of the server's own, with its causes (never a request's data:
/// errors carry no passwords, tokens or cookies).
fn log_response(response: &Response, latency: Duration, span: &Span) {
    let status = response.status().as_u16();
    let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    span.record("status", status);
    span.record("latency_ms", latency_ms);
    match response.extensions().get::<ServerFailure>() {
        Some(failure) => tracing::error!(status, latency_ms, error = %failure, "response"),
        None => tracing::info!(status, latency_ms, "response"),
    }
}

async fn require_csrf_header(request: Request, next: Next) -> Response {
    let reads_only = matches!(*request.method(), Method::GET | Method::HEAD);
    let marked = request
        .headers()
        .get(CSRF_HEADER)
        .is_some_and(|v| v.as_bytes() == b"1");
    if reads_only || marked {
        next.run(request).await
    } else {
        AppError::Csrf.into_response()
    }
}

/// A JSON body; a body that cannot be read is answered in the API's error shape.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

/// A query string; one that cannot be read is answered in the API's error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

#[cfg(test)]
mod tests {
    use std::io;
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::fmt::MakeWriter;

    use super::*;
    use crate::store::StoreError;

    /// Log output kept in memory.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Captured {
            self.clone()
        }
    }

    fn logged(response: &Response) -> String {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            log_response(response, Duration::from_millis(3), &Span::none());
        });
        String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn a_server_failure_is_logged_once_with_its_causes() {
        let failed = AppError::Store(StoreError::corrupt("invoice", "not JSON")).into_response();
        let lines = logged(&failed);
        assert_eq!(lines.lines().count(), 1, "{lines}");
        assert!(lines.contains("ERROR"), "{lines}");
        assert!(
            lines.contains("the database failed: stored invoice cannot be read: not JSON"),
            "{lines}"
        );
        assert!(lines.contains("status=500"), "{lines}");

        let refused = AppError::NotFound.into_response();
        let lines = logged(&refused);
        assert_eq!(lines.lines().count(), 1, "{lines}");
        assert!(
            lines.contains("INFO") && lines.contains("status=404"),
            "{lines}"
        );
    }

    #[test]
    fn a_portal_token_never_reaches_the_log() {
        let cases = [
            ("/p/k3y0fthel1nk", "/p/~"),
            (
                "/p/k3y0fthel1nk/invoices/019a/invoice.pdf",
                "/p/~/invoices/019a/invoice.pdf",
            ),
            ("/p/k3y0fthel1nk/pay", "/p/~/pay"),
            ("/p/portal.css", "/p/portal.css"),
            ("/api/sync/pull", "/api/sync/pull"),
            ("/pay/019a/done", "/pay/019a/done"),
        ];
        for (path, logged) in cases {
            assert_eq!(loggable_path(path), logged, "{path}");
        }
    }
}
