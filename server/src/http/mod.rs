//! The HTTP shell: JSON API under `/api/`, the built app everywhere else.

pub mod assets;
pub mod customers;
pub mod error;
pub mod invoices;
pub mod session;
pub mod setup;
pub mod sync;

use std::path::PathBuf;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use error::AppError;

use crate::store::Store;

/// What every request handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    /// The built app (Trunk's `dist` folder).
    pub dist: PathBuf,
}

/// The header every state-changing API request must carry. A page on another site cannot add a custom
/// header to a cross-site request without a CORS preflight, and this server answers no preflight: so the
/// header proves the request came from Remit's own pages, whatever cookies the browser attaches.
pub const CSRF_HEADER: HeaderName = HeaderName::from_static("x-remit-request");

/// A push carries whole drafts (up to core's limit of lines each); other API bodies keep axum's 2 MB.
pub const MAX_PUSH_BYTES: usize = 32 * 1024 * 1024;

pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/setup", get(setup::status).post(setup::set_up))
        .route(
            "/session",
            get(session::current)
                .post(session::sign_in)
                .delete(session::sign_out),
        )
        .route(
            "/sync/push",
            post(sync::push).layer(DefaultBodyLimit::max(MAX_PUSH_BYTES)),
        )
        .route("/sync/pull", post(sync::pull))
        .route("/invoice-drafts/{id}", get(invoices::draft))
        .route("/customers", get(customers::list))
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(middleware::from_fn(require_csrf_header));
    Router::new()
        .nest("/api", api)
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
        .layer(TraceLayer::new_for_http())
        .with_state(state)
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
