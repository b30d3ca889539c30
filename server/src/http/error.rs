//! The one error type of the HTTP boundary. Every failure leaves as JSON:
//! `{"error": "<code>", "message": "<human text>", "field": "<path or null>"}`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use remit_core::access::RetryAfter;
use remit_core::validation::ValidationError;
use serde::Serialize;

use crate::auth::accounts::AccountError;
use crate::store::StoreError;
use crate::sync::SyncError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No session, or an expired or unknown one.
    #[error("sign in first")]
    Unauthenticated,
    #[error("wrong e-mail address or password")]
    InvalidCredentials,
    /// Sign-in refused for an account with too many recent failures; answered with `Retry-After`.
    #[error("too many failed sign-ins; try again in {} seconds", .0.seconds())]
    TooManyAttempts(RetryAfter),
    /// A state-changing API request without the `X-Remit-Request` header.
    #[error("the request lacks the X-Remit-Request header")]
    Csrf,
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    #[error("Remit is already set up")]
    AlreadySetUp,
    #[error("{0}")]
    Conflict(String),
    /// Input that breaks a rule; names the field.
    #[error(transparent)]
    Invalid(ValidationError),
    /// A body or query that cannot be read at all.
    #[error("{0}")]
    BadRequest(String),
    /// A query parameter that breaks a rule; names the parameter.
    #[error(transparent)]
    InvalidQuery(ValidationError),
    #[error("protocol version {0} is not supported; reload the app")]
    UnsupportedProtocolVersion(u32),
    /// Anything the client cannot fix; logged, answered without details.
    #[error("internal error: {0}")]
    Internal(String),
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    message: String,
    field: Option<&'a str>,
}

impl AppError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            AppError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            AppError::TooManyAttempts(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
            AppError::Csrf => (StatusCode::FORBIDDEN, "csrf"),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            AppError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            AppError::AlreadySetUp => (StatusCode::CONFLICT, "already_set_up"),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            AppError::BadRequest(_) | AppError::InvalidQuery(_) => {
                (StatusCode::BAD_REQUEST, "bad_request")
            }
            AppError::UnsupportedProtocolVersion(_) => {
                (StatusCode::BAD_REQUEST, "unsupported_protocol_version")
            }
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            AppError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                "something went wrong on the server".to_owned()
            }
            other => other.to_string(),
        };
        let field = match &self {
            AppError::Invalid(e) | AppError::InvalidQuery(e) => Some(e.field.as_str()),
            _ => None,
        };
        let mut response = (
            status,
            Json(ErrorBody {
                error: code,
                message,
                field,
            }),
        )
            .into_response();
        if let AppError::TooManyAttempts(retry_after) = self {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after.seconds()),
            );
        }
        response
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<AccountError> for AppError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Invalid(e) => AppError::Invalid(e),
            AccountError::AlreadySetUp => AppError::AlreadySetUp,
            AccountError::InvalidCredentials => AppError::InvalidCredentials,
            AccountError::TooManyAttempts(retry_after) => AppError::TooManyAttempts(retry_after),
            e @ (AccountError::EmailTaken | AccountError::AmbiguousOrganisation(_)) => {
                AppError::Conflict(e.to_string())
            }
            e @ (AccountError::Store(_) | AccountError::Password(_)) => {
                AppError::Internal(e.to_string())
            }
        }
    }
}

impl From<SyncError> for AppError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::UnsupportedProtocolVersion(v) => AppError::UnsupportedProtocolVersion(v),
            e @ SyncError::ForeignClient => AppError::Forbidden(e.to_string()),
            SyncError::Store(e) => e.into(),
        }
    }
}

impl From<JsonRejection> for AppError {
    fn from(e: JsonRejection) -> Self {
        AppError::BadRequest(e.body_text())
    }
}

impl From<QueryRejection> for AppError {
    fn from(e: QueryRejection) -> Self {
        AppError::BadRequest(e.body_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use remit_core::validation::Rule;

    async fn body(e: AppError) -> (StatusCode, serde_json::Value) {
        let response = e.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn an_invalid_input_names_its_field() {
        let (status, json) = body(AppError::Invalid(ValidationError::new(
            "email",
            Rule::Email,
        )))
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            json,
            serde_json::json!({"error": "invalid", "message": "email must be an e-mail address", "field": "email"})
        );
    }

    #[tokio::test]
    async fn a_bad_query_parameter_is_a_bad_request_naming_it() {
        let (status, json) = body(AppError::InvalidQuery(ValidationError::new(
            "from",
            Rule::Date,
        )))
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(json["error"], "bad_request");
        assert_eq!(json["field"], "from");
        assert_eq!(json["message"], "from must be a date (YYYY-MM-DD)");
    }

    #[tokio::test]
    async fn an_internal_error_hides_its_details() {
        let (status, json) = body(AppError::Internal("password=hunter2".into())).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(json["error"], "internal");
        assert!(!json["message"].as_str().unwrap().contains("hunter2"));
        assert_eq!(json["field"], serde_json::Value::Null);
    }

    #[tokio::test]
    async fn a_throttled_sign_in_says_when_to_try_again() {
        let refusal = remit_core::access::LOGIN_THROTTLE.decide(&[0; 5], 1_500);
        let remit_core::access::LoginDecision::Refuse { retry_after } = refusal else {
            panic!("{refusal:?}");
        };
        let response = AppError::TooManyAttempts(retry_after).into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "899");
        let (status, json) = body(AppError::TooManyAttempts(retry_after)).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(json["error"], "too_many_attempts");
        assert_eq!(
            json["message"],
            "too many failed sign-ins; try again in 899 seconds"
        );
    }
}
