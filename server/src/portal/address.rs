//! Who is asking: the client's address, for the lookup throttle and the view log. Behind a reverse
//! proxy every connection comes from the proxy, so the address is then read from `X-Forwarded-For`, but
//! only when the connection comes from the proxy `--trusted-proxy` names: anyone else could write that
//! header.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::http::AppState;

/// The client's address as far as the server can tell; `None` when the connection's peer is unknown
/// (a request handed to the router in a test).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

impl ClientAddress {
    /// The peer's address, or the last address the trusted proxy appended to `X-Forwarded-For`.
    pub fn of(peer: Option<IpAddr>, headers: &HeaderMap, trusted_proxy: Option<IpAddr>) -> Self {
        let forwarded = || {
            headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .next_back()
        };
        match (peer, trusted_proxy) {
            (Some(peer), Some(proxy)) if peer == proxy => Self(forwarded().or(Some(peer))),
            _ => Self(peer),
        }
    }

    /// The key failed lookups are counted under: the SHA-256 of the address, so the throttle's table
    /// holds no address itself.
    pub fn key(&self) -> String {
        let text = self
            .0
            .map_or_else(|| "unknown".to_owned(), |a| a.to_string());
        crate::auth::session::sha256_hex(&text)
    }
}

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip());
        Ok(Self::of(peer, &parts.headers, state.portal.trusted_proxy))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn the_forwarded_address_counts_only_from_the_trusted_proxy() {
        let headers = forwarded("203.0.113.9, 198.51.100.7");
        let proxy = Some(ip("10.0.0.1"));
        let via_proxy = ClientAddress::of(Some(ip("10.0.0.1")), &headers, proxy);
        assert_eq!(via_proxy, ClientAddress(Some(ip("198.51.100.7"))));
        let direct = ClientAddress::of(Some(ip("192.0.2.4")), &headers, proxy);
        assert_eq!(direct, ClientAddress(Some(ip("192.0.2.4"))));
        let untrusting = ClientAddress::of(Some(ip("10.0.0.1")), &headers, None);
        assert_eq!(untrusting, ClientAddress(Some(ip("10.0.0.1"))));
    }

    #[test]
    fn a_garbled_forwarded_header_leaves_the_proxys_address() {
        let headers = forwarded("not an address");
        let proxy = Some(ip("10.0.0.1"));
        let seen = ClientAddress::of(Some(ip("10.0.0.1")), &headers, proxy);
        assert_eq!(seen, ClientAddress(Some(ip("10.0.0.1"))));
    }
}
