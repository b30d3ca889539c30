//! Signing in and out, and the session every other API call runs under.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, extract::State};
use serde::Deserialize;

use super::{ApiJson, AppError, AppState};
use crate::auth::accounts::{self, SignedIn};
use crate::auth::session::SESSION_TTL_MS;
use crate::auth::{Organisation, User};
use crate::sync::Caller;
use remit_core::organisation::{Member, SessionInfo};

pub const COOKIE_NAME: &str = "remit_session";

/// The signed-in user of a request. Extracting it answers 401 when the session is missing or expired.
#[derive(Debug, Clone)]
pub struct CurrentSession {
    pub user: User,
    pub organisation: Organisation,
}

impl CurrentSession {
    pub fn caller(&self) -> Caller {
        Caller {
            organisation_id: self.organisation.id,
            user_id: self.user.id,
            role: self.user.role,
        }
    }
}

impl FromRequestParts<AppState> for CurrentSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let token = session_token(&parts.headers).ok_or(AppError::Unauthenticated)?;
        let (user, organisation) = accounts::session_of(&state.store, &state.clock, &token)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(Self { user, organisation })
    }
}

/// `SessionInfo`, as core defines it, for a user and their organisation.
pub fn session_info(user: User, organisation: Organisation) -> SessionInfo {
    SessionInfo {
        user: Member {
            id: user.id,
            email: user.email,
            name: user.name,
            role: user.role,
        },
        organisation,
    }
}

#[derive(Debug, Deserialize)]
pub struct Credentials {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `GET /api/session`
pub async fn current(session: CurrentSession) -> Json<SessionInfo> {
    Json(session_info(session.user, session.organisation))
}

/// `POST /api/session`
pub async fn sign_in(
    State(state): State<AppState>,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<Response, AppError> {
    let signed_in = accounts::sign_in(
        &state.store,
        &state.clock,
        &credentials.email,
        &credentials.password,
    )
    .await?;
    Ok(signed_in_response(StatusCode::OK, signed_in))
}

/// `DELETE /api/session`: ends the session, if any, and clears the cookie either way.
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if let Some(token) = session_token(&headers) {
        accounts::sign_out(&state.store, &token).await?;
    }
    let clear = HeaderValue::from_str(&format!(
        "{COOKIE_NAME}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
    ))?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}

/// A response that hands the browser its session cookie along with the `SessionInfo`.
pub fn signed_in_response(status: StatusCode, signed_in: SignedIn) -> Response {
    let cookie = format!(
        "{COOKIE_NAME}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        signed_in.token,
        SESSION_TTL_MS / 1000
    );
    match HeaderValue::from_str(&cookie) {
        Ok(cookie) => (
            status,
            [(header::SET_COOKIE, cookie)],
            Json(session_info(signed_in.user, signed_in.organisation)),
        )
            .into_response(),
        Err(e) => AppError::Cookie(e).into_response(),
    }
}

/// The session token from the request's cookies.
fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE_NAME && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_token_is_found_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("theme=dark"));
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; remit_session=abc123; b=2"),
        );
        assert_eq!(session_token(&headers).as_deref(), Some("abc123"));
    }

    #[test]
    fn no_or_an_empty_session_cookie_is_no_session() {
        let mut headers = HeaderMap::new();
        assert_eq!(session_token(&headers), None);
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("remit_session=; x=1"),
        );
        assert_eq!(session_token(&headers), None);
        headers.append(header::COOKIE, HeaderValue::from_static("remit_sessionx=1"));
        assert_eq!(session_token(&headers), None);
    }
}
