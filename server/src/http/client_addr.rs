//! The client's address, for the login and registration limits: the socket peer, or, when
//! the server is configured to trust a reverse proxy (`trust_forwarded_for`), the address
//! that proxy appended to `X-Forwarded-For` (its last entry: the entries before it are
//! whatever the client sent and prove nothing). Off by default, because a client talking to
//! the server directly could otherwise pick a fresh address for every attempt.

use crate::http::error::ApiError;
use crate::http::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::net::{IpAddr, SocketAddr};

/// The address the limits count against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClientAddr(pub IpAddr);

/// The last address of an `X-Forwarded-For` value, if it is one.
fn last_forwarded(value: &str) -> Option<IpAddr> {
    value.rsplit(',').next()?.trim().parse().ok()
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // The extractor, not the extension: it also takes a test's `MockConnectInfo`.
        let ConnectInfo(peer) = ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
            .await
            .map_err(ApiError::internal)?;
        let peer = peer.ip();
        if !state.config.trust_forwarded_for {
            return Ok(ClientAddr(peer));
        }
        // Several headers: the proxy's entry is the last of the last.
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .next_back()
            .and_then(last_forwarded);
        Ok(ClientAddr(forwarded.unwrap_or(peer)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_entry_is_the_last() {
        assert_eq!(
            last_forwarded("10.0.0.1, 203.0.113.9"),
            Some("203.0.113.9".parse().unwrap())
        );
        assert_eq!(
            last_forwarded("2001:db8::1"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(last_forwarded("203.0.113.9, junk"), None);
    }
}
