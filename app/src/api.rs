//! The server's HTTP API, as typed calls. Only transport lives here: what a reply means is decided by
//! core (sync) or shown as the server worded it (errors).
//!
//! Every non-GET request carries `X-Remit-Request: 1`, the server's CSRF guard: a cross-site form cannot
//! set a custom header. The session cookie is HttpOnly and same-origin, so the browser sends it itself.

use std::fmt;

use gloo_net::http::{Request, RequestBuilder, Response};
use remit_core::numbering::report::SequenceReport;
use remit_core::sync::{PullRequest, PullResponse, PushRequest, PushResponse};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use remit_core::organisation::SessionInfo;

const CSRF_HEADER: &str = "X-Remit-Request";

/// The server's error body: `{"error", "message", "field"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServerError {
    pub error: String,
    pub message: String,
    #[serde(default)]
    pub field: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No reply at all: offline, server down, connection cut. Worth retrying later.
    Network(String),
    /// 401: no session, or it expired.
    Unauthorized(ServerError),
    /// Any other failure status.
    Server { status: u16, error: ServerError },
}

impl ApiError {
    /// The input field the server blames, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            ApiError::Unauthorized(e) | ApiError::Server { error: e, .. } => e.field.as_deref(),
            ApiError::Network(_) => None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Network(detail) => write!(f, "the server cannot be reached ({detail})"),
            ApiError::Unauthorized(e) | ApiError::Server { error: e, .. } => {
                f.write_str(&e.message)
            }
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// `POST /api/setup`: the first-run form that creates the organisation and its owner.
#[derive(Debug, Clone, Serialize)]
pub struct Setup {
    pub organisation_name: String,
    pub time_zone: String,
    pub currency: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

#[derive(Serialize)]
struct Credentials<'a> {
    email: &'a str,
    password: &'a str,
}

#[derive(Deserialize)]
struct SetupStatus {
    needed: bool,
}

/// Whether the server still waits for its first organisation.
pub async fn setup_needed() -> ApiResult<bool> {
    let status: SetupStatus = read(send(Request::get("/api/setup")).await?).await?;
    Ok(status.needed)
}

pub async fn set_up(form: &Setup) -> ApiResult<SessionInfo> {
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
    let error = response
        .json::<ServerError>()
        .await
        .unwrap_or_else(|_| ServerError {
            error: format!("http_{status}"),
            message: format!("the server answered {status} {}", response.status_text()),
            field: None,
        });
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
            error: ServerError {
                error: "unreadable_reply".into(),
                message: format!("the server's reply cannot be read: {e}"),
                field: None,
            },
        })
}
