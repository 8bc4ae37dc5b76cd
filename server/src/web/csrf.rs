//! Anti-forgery tokens for the console's forms. Every state-changing request is a POST form
//! carrying `_csrf`; the handler refuses it (403) unless the value matches.
//!
//! A signed-in page's token is derived from the session token (a keyed hash of it), so it
//! needs no storage, dies with the session, and cannot be computed by another site, which
//! never sees the `HttpOnly` cookie. The sign-in form, before any session, uses a random value
//! in a cookie of its own that the form must repeat (double submit).

use crate::web::render::WebError;
use sha2::{Digest, Sha256};

/// The form field that carries the token.
pub(crate) const FIELD: &str = "_csrf";

/// The token of the session whose cookie token is `session_token`.
pub(crate) fn for_session(session_token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"ceria web console csrf\0");
    h.update(session_token.as_bytes());
    hex::encode(h.finalize())
}

/// Whether `given` is `expected`, compared in constant time (no early exit on the first
/// differing byte).
pub(crate) fn same(expected: &str, given: &str) -> bool {
    let (a, b) = (expected.as_bytes(), given.as_bytes());
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Refuses a form whose token is missing or wrong.
pub(crate) fn check(expected: &str, given: Option<&str>) -> Result<(), WebError> {
    match given {
        Some(g) if same(expected, g) => Ok(()),
        _ => Err(WebError::Forged),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_follow_the_session() {
        let a = for_session("token-a");
        assert_eq!(a, for_session("token-a"));
        assert_ne!(a, for_session("token-b"));
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn missing_empty_or_wrong_tokens_are_refused() {
        let t = for_session("s");
        assert!(check(&t, Some(&t)).is_ok());
        assert!(check(&t, None).is_err());
        assert!(check(&t, Some("")).is_err());
        assert!(check(&t, Some(&for_session("other"))).is_err());
        assert!(check("", Some("")).is_err());
    }
}
