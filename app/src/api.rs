//! The server's HTTP API, as typed calls. Only transport lives here: what a reply means is decided by
//! core (sync) or shown as the server worded it (errors).
//!
//! Every non-GET request carries `X-Remit-Request: 1`, the server's CSRF guard: a cross-site form cannot
//! set a custom header. The session cookie is HttpOnly and same-origin, so the browser sends it itself.

use std::fmt;

use gloo_net::http::{Request, RequestBuilder, Response};
use remit_core::ids::{CustomerId, PortalLinkId};
use remit_core::numbering::report::SequenceReport;
use remit_core::portal::{CreatedPortalLink, NewPortalLink, PortalLinkSummary};
use remit_core::sync::{PullRequest, PullResponse, PushRequest, PushResponse};
use serde::Serialize;
use serde::de::DeserializeOwned;

use remit_core::api::ErrorBody;
use remit_core::organisation::{SessionInfo, SetupRequest, SetupStatus};

const CSRF_HEADER: &str = "X-Remit-Request";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No reply at all: offline, server down, connection cut. Worth retrying later.
    Network(String),
    /// 401: no session, or it expired.
    Unauthorized(ErrorReply),
    /// Any other failure status.
    Server { status: u16, error: ErrorReply },
}

/// What a failed reply said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorReply {
    /// The server's error body, as core defines it.
    Body(ErrorBody),
    /// A reply that cannot be read as what was asked for (a proxy's error page, a reply of another
    /// shape): what went wrong.
    Unreadable(String),
}

impl ApiError {
    /// The input field the server blames, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Unauthorized(ErrorReply::Body(e))
            | ApiError::Server {
                error: ErrorReply::Body(e),
                ..
            } => e.field.as_deref(),
            _ => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Network(detail) => write!(f, "the server cannot be reached ({detail})"),
            ApiError::Unauthorized(reply) | ApiError::Server { error: reply, .. } => match reply {
                ErrorReply::Body(e) => f.write_str(&e.message),
                ErrorReply::Unreadable(detail) => f.write_str(detail),
            },
        }
    }
}

impl std::error::Error for ApiError {}

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Serialize)]
struct Credentials<'a> {
    email: &'a str,
    password: &'a str,
}

/// Whether the server still waits for its first organisation.
pub async fn setup_needed() -> ApiResult<bool> {
    let status: SetupStatus = read(send(Request::get("/api/setup")).await?).await?;
    Ok(status.needed)
}

pub async fn set_up(form: &SetupRequest) -> ApiResult<SessionInfo> {
    read(send_json(Request::post("/api/setup"), form).await?).await
}

pub async fn sign_in(email: &str, password: &str) -> ApiResult<SessionInfo> {
    let body = Credentials { email, password };
    read(send_json(Request::post("/api/session"), &body).await?).await
}

/// The session the server holds for this browser's cookie.
pub async fn session() -> ApiResult<SessionInfo> {
    read(send(Request::get("/api/session")).await?).await
}

pub async fn sign_out() -> ApiResult<()> {
    let response = send(Request::delete("/api/session").header(CSRF_HEADER, "1")).await?;
    check(response).await.map(|_| ())
}

/// `GET /api/numbering/report`: what became of every number of every sequence, as the server recorded
/// it. A report of the server's own records, so it is read online only; nothing of it is stored.
pub async fn numbering_report() -> ApiResult<Vec<SequenceReport>> {
    read(send(Request::get("/api/numbering/report")).await?).await
}

/// `GET /api/customers/{id}/portal-links`: the customer's links, read online only (the server keeps
/// them; no token is ever in the answer).
pub async fn portal_links(customer: CustomerId) -> ApiResult<Vec<PortalLinkSummary>> {
    let path = format!("/api/customers/{customer}/portal-links");
    read(send(Request::get(&path)).await?).await
}

/// `POST /api/customers/{id}/portal-links`: a new link; its address is in this answer only.
pub async fn create_portal_link(
    customer: CustomerId,
    request: &NewPortalLink,
) -> ApiResult<CreatedPortalLink> {
    let path = format!("/api/customers/{customer}/portal-links");
    read(send_json(Request::post(&path), request).await?).await
}

/// `DELETE /api/portal-links/{id}`
pub async fn revoke_portal_link(id: PortalLinkId) -> ApiResult<()> {
    let path = format!("/api/portal-links/{id}");
    let response = send(Request::delete(&path).header(CSRF_HEADER, "1")).await?;
    check(response).await.map(|_| ())
}

pub async fn push(request: &PushRequest) -> ApiResult<PushResponse> {
    read(send_json(Request::post("/api/sync/push"), request).await?).await
}

pub async fn pull(request: &PullRequest) -> ApiResult<PullResponse> {
    read(send_json(Request::post("/api/sync/pull"), request).await?).await
}

async fn send(builder: RequestBuilder) -> ApiResult<Response> {
    builder
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))
}

async fn send_json<T: Serialize + ?Sized>(
    builder: RequestBuilder,
    body: &T,
) -> ApiResult<Response> {
    let request = builder
        .header(CSRF_HEADER, "1")
        .json(body)
        .map_err(|e| ApiError::Network(e.to_string()))?;
    request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))
}

/// The response if its status is a success, else the server's error.
async fn check(response: Response) -> ApiResult<Response> {
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let error = match response.json::<ErrorBody>().await {
        Ok(body) => ErrorReply::Body(body),
        Err(_) => ErrorReply::Unreadable(format!(
            "the server answered {status} {}",
            response.status_text()
        )),
    };
    Err(if status == 401 {
        ApiError::Unauthorized(error)
    } else {
        ApiError::Server { status, error }
    })
}

async fn read<T: DeserializeOwned>(response: Response) -> ApiResult<T> {
    let response = check(response).await?;
    let status = response.status();
    // Through a Value, as the store reads its rows (`store::from_js`): one decoder per type in the wasm.
    let value = response.json::<serde_json::Value>().await;
    value
        .and_then(|v| Ok(serde_json::from_value::<T>(v)?))
        .map_err(|e| ApiError::Server {
            status,
            error: ErrorReply::Unreadable(format!("the server's reply cannot be read: {e}")),
        })
}
