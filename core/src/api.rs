//! The body every failed HTTP API request is answered with, as the server writes it and the app reads
//! it: `{"error": "<kind>", "message": "<human text>", "field": "<path or null>"}`. Part of the contract
//! with other systems (`server/src/http/openapi.json`): add kinds, never change what one means.

use serde::{Deserialize, Serialize};

/// What kind of failure a response reports: the `error` of its body, and its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Unauthenticated,
    InvalidCredentials,
    TooManyAttempts,
    Csrf,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    AlreadySetUp,
    Conflict,
    /// A body field that breaks a rule.
    Invalid,
    /// A body or query that cannot be read, or a query parameter that breaks a rule.
    BadRequest,
    UnsupportedProtocolVersion,
    /// The server's own failure: nothing the client can fix.
    Internal,
}

impl ErrorKind {
    /// The HTTP status a response of this kind carries.
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::Unauthenticated | ErrorKind::InvalidCredentials => 401,
            ErrorKind::TooManyAttempts => 429,
            ErrorKind::Csrf | ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::MethodNotAllowed => 405,
            ErrorKind::AlreadySetUp | ErrorKind::Conflict => 409,
            ErrorKind::Invalid => 422,
            ErrorKind::BadRequest | ErrorKind::UnsupportedProtocolVersion => 400,
            ErrorKind::Internal => 500,
        }
    }
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(rename = "error")]
    pub kind: ErrorKind,
    pub message: String,
    /// The body field or query parameter that breaks a rule; `null` when none is to blame.
    #[serde(default)]
    pub field: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_reads_back_as_it_is_written() {
        let body = ErrorBody {
            kind: ErrorKind::MethodNotAllowed,
            message: "this method is not allowed here".into(),
            field: None,
        };
        let text = serde_json::to_string(&body).unwrap();
        assert_eq!(
            text,
            r#"{"error":"method_not_allowed","message":"this method is not allowed here","field":null}"#
        );
        assert_eq!(serde_json::from_str::<ErrorBody>(&text).unwrap(), body);
        let without_field: ErrorBody =
            serde_json::from_str(r#"{"error":"invalid","message":"email is required"}"#).unwrap();
        assert_eq!(without_field.field, None);
        assert_eq!(without_field.kind.status(), 422);
    }
}
