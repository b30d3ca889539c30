//! Portal links over REST: `POST /api/customers/{id}/portal-links` makes one (the only answer that
//! holds its token), mailing it when asked (`send_to`), `GET` lists a customer's (never a token),
//! `DELETE /api/portal-links/{id}` revokes.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use remit_core::ids::{CustomerId, PortalLinkId};
use remit_core::portal::{CreatedPortalLink, NewPortalLink, PortalLinkSummary};
use remit_core::validation::{Rule, ValidationError};

use super::session::CurrentSession;
use super::{ApiJson, AppError, AppState};
use crate::clock;
use crate::portal::links::{self, LinkError};

fn customer_id(id: &str) -> Result<CustomerId, AppError> {
    CustomerId::parse(id).map_err(|_| AppError::NotFound)
}

/// Where the request was sent to, for a mailed link's full address: the browser's `Origin` (the app's,
/// as the user sees it, also behind a TLS proxy), else `http://` and the `Host` it named. Only a
/// signed-in user's request with the API's header gets here, so no other site chooses it.
pub(crate) fn request_origin(headers: &HeaderMap) -> Option<String> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    };
    let origin = text(header::ORIGIN).filter(|o| {
        ["https://", "http://"]
            .iter()
            .any(|scheme| o.strip_prefix(scheme).is_some_and(plain))
    });
    match origin {
        Some(origin) => Some(origin.to_owned()),
        None => text(header::HOST)
            .filter(|h| plain(h))
            .map(|host| format!("http://{host}")),
    }
}

/// `POST /api/customers/{id}/portal-links`
pub async fn create(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<NewPortalLink>,
) -> Result<(StatusCode, Json<CreatedPortalLink>), AppError> {
    let customer = customer_id(&id)?;
    let origin = request_origin(&headers);
    if request.send_to.is_some() && origin.is_none() {
        return Err(AppError::Invalid(ValidationError::new(
            "Host",
            Rule::Required,
        )));
    }
    let made = links::create(
        &state.store,
        &state.clock,
        &session,
        customer,
        &request,
        origin.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedPortalLink {
            id: made.link.id,
            url: links::path(&made.token),
            invoice_id: made.link.invoice_id,
            expires_on: made.link.expires_on,
            mail_id: made.mail,
        }),
    ))
}

/// `GET /api/customers/{id}/portal-links`
pub async fn list(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
) -> Result<Json<Vec<PortalLinkSummary>>, AppError> {
    let customer = customer_id(&id)?;
    let organisation = &session.organisation;
    let today = state
        .clock
        .today_in(&organisation.time_zone)
        .map_err(|e| LinkError::TimeZone(e.to_string()))?;
    let listed = links::list(&state.store, organisation.id, customer).await?;
    Ok(Json(
        listed
            .into_iter()
            .map(|l| PortalLinkSummary {
                id: l.link.id,
                customer_id: l.link.customer_id,
                invoice_id: l.link.invoice_id,
                created_on: l.link.created_on,
                expires_on: l.link.expires_on,
                state: l.link.state(today),
                views: l.views,
                last_viewed_at: l
                    .last_viewed_at_ms
                    .map(|ms| clock::instant(ms).to_rfc3339()),
            })
            .collect(),
    ))
}

/// `DELETE /api/portal-links/{id}`
pub async fn revoke(
    State(state): State<AppState>,
    session: CurrentSession,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    let id = PortalLinkId::parse(&id).map_err(|_| AppError::NotFound)?;
    links::revoke(&state.store, &state.clock, &session, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), HeaderValue::from_static(value)))
            .collect()
    }

    #[test]
    fn a_mailed_links_origin_is_the_browsers_else_the_host_it_asked() {
        let both = headers(&[
            (header::ORIGIN, "https://remit.example"),
            (header::HOST, "10.0.0.5:8080"),
        ]);
        assert_eq!(
            request_origin(&both).as_deref(),
            Some("https://remit.example")
        );
        let host = headers(&[(header::HOST, "127.0.0.1:8080")]);
        assert_eq!(
            request_origin(&host).as_deref(),
            Some("http://127.0.0.1:8080")
        );
        for bad in ["null", "https://remit.example/path", "javascript:alert(1)"] {
            let odd = headers(&[(header::ORIGIN, bad), (header::HOST, "remit.example")]);
            assert_eq!(
                request_origin(&odd).as_deref(),
                Some("http://remit.example"),
                "{bad}"
            );
        }
        assert_eq!(request_origin(&headers(&[(header::HOST, "a b")])), None);
        assert_eq!(request_origin(&HeaderMap::new()), None);
    }
}
