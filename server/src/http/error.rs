//! The one error type of the HTTP boundary. Every failure leaves as JSON, core's [`ErrorBody`]:
//! `{"error": "<kind>", "message": "<human text>", "field": "<path or null>"}`, which the app reads.
//!
//! An error keeps what caused it. What the client can fix is answered as it is and not logged. The
//! server's own failures are answered without details; the response carries the error, as a
//! [`ServerFailure`] extension, to the one place that logs responses (`log_response` in
//! [`super`]), which logs it once with its causes.

use std::fmt;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::header::InvalidHeaderValue;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use remit_core::access::RetryAfter;
pub use remit_core::api::{ErrorBody, ErrorKind};
use remit_core::sync::{MutationError, MutationErrorKind};
use remit_core::validation::ValidationError;

use crate::auth::accounts::AccountError;
use crate::auth::password::PasswordError;
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
    /// A sync client registered by another user.
    #[error("this client belongs to another user")]
    ForeignClient,
    #[error("not found")]
    NotFound,
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    #[error("Remit is already set up")]
    AlreadySetUp,
    #[error("a user with this e-mail address already exists")]
    EmailTaken,
    #[error("more than one organisation is named {0:?}")]
    AmbiguousOrganisation(String),
    /// Input that breaks a rule; names the field.
    #[error(transparent)]
    Invalid(ValidationError),
    /// A body that cannot be read at all.
    #[error("{}", .0.body_text())]
    UnreadableBody(#[from] JsonRejection),
    /// A query string that cannot be read at all.
    #[error("{}", .0.body_text())]
    UnreadableQuery(#[from] QueryRejection),
    /// A query parameter that breaks a rule; names the parameter.
    #[error(transparent)]
    InvalidQuery(ValidationError),
    #[error("protocol version {0} is not supported; reload the app")]
    UnsupportedProtocolVersion(u32),
    /// The database failed.
    #[error("the database failed")]
    Store(#[from] StoreError),
    #[error("a password cannot be hashed or checked")]
    Password(#[from] PasswordError),
    /// Core refuses what the server stored: a total, an account or a report cannot be computed from it.
    #[error("{what} cannot be computed from what is stored")]
    Stored {
        what: String,
        #[source]
        source: ValidationError,
    },
    /// An issued document that cannot be written as an e-invoice (issued before core refused what the
    /// EN 16931 rules reject).
    #[error(transparent)]
    NotAnEInvoice(crate::documents::DocumentError),
    /// An issued document's file cannot be made (rendering failed or stopped).
    #[error("an issued document's file cannot be made")]
    Document(#[source] crate::documents::DocumentError),
    /// The organisation's time zone is not in the server's time-zone database, so "today" is unknown.
    #[error("today's date cannot be known")]
    TimeZone(#[from] crate::clock::UnknownTimeZone),
    /// A request core refused, naming the field and the rule.
    #[error(transparent)]
    Refused(MutationError),
    /// A session cookie that is no valid header value.
    #[error("the session cookie cannot be written")]
    Cookie(#[from] InvalidHeaderValue),
}

/// What an internal error's response says instead of its details.
pub const INTERNAL_MESSAGE: &str = "something went wrong on the server";

impl AppError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            AppError::Unauthenticated => ErrorKind::Unauthenticated,
            AppError::InvalidCredentials => ErrorKind::InvalidCredentials,
            AppError::TooManyAttempts(_) => ErrorKind::TooManyAttempts,
            AppError::Csrf => ErrorKind::Csrf,
            AppError::ForeignClient => ErrorKind::Forbidden,
            AppError::NotFound => ErrorKind::NotFound,
            AppError::MethodNotAllowed => ErrorKind::MethodNotAllowed,
            AppError::AlreadySetUp => ErrorKind::AlreadySetUp,
            AppError::EmailTaken
            | AppError::AmbiguousOrganisation(_)
            | AppError::NotAnEInvoice(_) => ErrorKind::Conflict,
            AppError::Invalid(_) => ErrorKind::Invalid,
            AppError::Refused(e) => match e.kind {
                MutationErrorKind::Invalid => ErrorKind::Invalid,
                MutationErrorKind::Forbidden => ErrorKind::Forbidden,
                MutationErrorKind::Conflict => ErrorKind::Conflict,
                MutationErrorKind::UnknownMutation | MutationErrorKind::OutOfOrder => {
                    ErrorKind::BadRequest
                }
            },
            AppError::UnreadableBody(_)
            | AppError::UnreadableQuery(_)
            | AppError::InvalidQuery(_) => ErrorKind::BadRequest,
            AppError::UnsupportedProtocolVersion(_) => ErrorKind::UnsupportedProtocolVersion,
            AppError::Store(_)
            | AppError::Password(_)
            | AppError::Stored { .. }
            | AppError::Document(_)
            | AppError::TimeZone(_)
            | AppError::Cookie(_) => ErrorKind::Internal,
        }
    }

    /// The body answering this error: an internal one's details stay on the server.
    pub fn body(&self) -> ErrorBody {
        let kind = self.kind();
        let message = match kind {
            ErrorKind::Internal => INTERNAL_MESSAGE.to_owned(),
            _ => self.to_string(),
        };
        let field = match self {
            AppError::Invalid(e) | AppError::InvalidQuery(e) => Some(e.field.clone()),
            AppError::Refused(e) => e.field.clone(),
            _ => None,
        };
        ErrorBody {
            kind,
            message,
            field,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = self.body();
        let mut response = (status(body.kind), Json(body)).into_response();
        if let AppError::TooManyAttempts(retry_after) = &self {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after.seconds()),
            );
        }
        if self.kind() == ErrorKind::Internal {
            response
                .extensions_mut()
                .insert(ServerFailure(Arc::new(self)));
        }
        response
    }
}

/// The status of a response of `kind`, as core's [`ErrorKind::status`] says.
pub fn status(kind: ErrorKind) -> StatusCode {
    StatusCode::from_u16(kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// An internal error on its way out with its response, to be logged where responses are logged.
#[derive(Debug, Clone)]
pub struct ServerFailure(pub Arc<AppError>);

/// The error with each of its causes: `error: cause: cause of the cause`. A cause that its error's text
/// already ends with is not repeated.
impl fmt::Display for ServerFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = self.0.to_string();
        let mut cause = std::error::Error::source(&*self.0);
        while let Some(error) = cause {
            let more = error.to_string();
            if !text.ends_with(&more) {
                text.push_str(": ");
                text.push_str(&more);
            }
            cause = error.source();
        }
        f.write_str(&text)
    }
}

impl From<AccountError> for AppError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Invalid(e) => AppError::Invalid(e),
            AccountError::AlreadySetUp => AppError::AlreadySetUp,
            AccountError::EmailTaken => AppError::EmailTaken,
            AccountError::AmbiguousOrganisation(name) => AppError::AmbiguousOrganisation(name),
            AccountError::InvalidCredentials => AppError::InvalidCredentials,
            AccountError::TooManyAttempts(retry_after) => AppError::TooManyAttempts(retry_after),
            AccountError::Store(e) => AppError::Store(e),
            AccountError::Password(e) => AppError::Password(e),
        }
    }
}

impl From<SyncError> for AppError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::UnsupportedProtocolVersion(v) => AppError::UnsupportedProtocolVersion(v),
            SyncError::ForeignClient => AppError::ForeignClient,
            SyncError::Store(e) => AppError::Store(e),
        }
    }
}

impl From<crate::portal::links::LinkError> for AppError {
    fn from(e: crate::portal::links::LinkError) -> Self {
        use crate::mail::link::LinkMailError;
        use crate::portal::links::LinkError;
        match e {
            LinkError::NotFound => AppError::NotFound,
            LinkError::Refused(e) => AppError::Refused(e),
            LinkError::Exists(link) => AppError::Refused(MutationError {
                kind: MutationErrorKind::Conflict,
                field: Some("id".into()),
                message: format!(
                    "link {} exists already; its address was shown when it was made",
                    link.id
                ),
            }),
            LinkError::Store(e) => AppError::Store(e),
            LinkError::TimeZone(detail) => {
                AppError::Store(StoreError::corrupt("organisation time zone", detail))
            }
            LinkError::Id(source) => AppError::Stored {
                what: "a new portal link's id".into(),
                source,
            },
            LinkError::Mail(e) => match e {
                LinkMailError::Refused(e) => AppError::Refused(e),
                LinkMailError::Store(e) => AppError::Store(e),
                LinkMailError::Wording(e) => AppError::Document(e),
                LinkMailError::Id(source) => AppError::Stored {
                    what: "a new mail's id".into(),
                    source,
                },
            },
        }
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
        let (status, json) = body(AppError::Store(StoreError::corrupt(
            "user",
            "password=hunter2",
        )))
        .await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(json["error"], "internal");
        assert!(!json["message"].as_str().unwrap().contains("hunter2"));
        assert_eq!(json["field"], serde_json::Value::Null);
    }

    #[test]
    fn an_internal_error_travels_with_its_response_and_its_causes() {
        let response = AppError::Stored {
            what: "stored draft 7".into(),
            source: ValidationError::new("lines", Rule::Required),
        }
        .into_response();
        let failure = response.extensions().get::<ServerFailure>().unwrap();
        assert_eq!(
            failure.to_string(),
            "stored draft 7 cannot be computed from what is stored: lines is required"
        );
        let store = AppError::from(SyncError::Store(StoreError::corrupt("client", "gone")));
        let failure = store
            .into_response()
            .extensions()
            .get::<ServerFailure>()
            .cloned();
        assert_eq!(
            failure.unwrap().to_string(),
            "the database failed: stored client cannot be read: gone"
        );
        for client_error in [
            AppError::NotFound,
            AppError::InvalidQuery(ValidationError::new("to", Rule::Date)),
            AppError::ForeignClient,
        ] {
            let response = client_error.into_response();
            assert!(response.extensions().get::<ServerFailure>().is_none());
        }
    }

    #[tokio::test]
    async fn each_failure_keeps_its_status_kind_and_message() {
        let cases = [
            (
                AppError::from(SyncError::ForeignClient),
                StatusCode::FORBIDDEN,
                "forbidden",
                "this client belongs to another user",
            ),
            (
                AppError::from(AccountError::EmailTaken),
                StatusCode::CONFLICT,
                "conflict",
                "a user with this e-mail address already exists",
            ),
            (
                AppError::from(AccountError::AmbiguousOrganisation("Acme".into())),
                StatusCode::CONFLICT,
                "conflict",
                "more than one organisation is named \"Acme\"",
            ),
            (
                AppError::from(AccountError::AlreadySetUp),
                StatusCode::CONFLICT,
                "already_set_up",
                "Remit is already set up",
            ),
            (
                AppError::from(SyncError::UnsupportedProtocolVersion(9)),
                StatusCode::BAD_REQUEST,
                "unsupported_protocol_version",
                "protocol version 9 is not supported; reload the app",
            ),
            (
                AppError::from(AccountError::Store(StoreError::OutOfRange("change number"))),
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                INTERNAL_MESSAGE,
            ),
        ];
        for (error, status, kind, message) in cases {
            let (got_status, json) = body(error).await;
            assert_eq!(
                (got_status, json["error"].as_str(), json["message"].as_str()),
                (status, Some(kind), Some(message))
            );
        }
        // Every error kind's status, as the `error` code says it.
        assert_eq!(ErrorKind::Csrf.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            ErrorKind::Unauthenticated.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            serde_json::to_value(ErrorKind::MethodNotAllowed).unwrap(),
            "method_not_allowed"
        );
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
