//! Authentication: argon2id password hashes, opaque bearer tokens (256 random bits, stored only
//! as their SHA-256), the login rate limiter, and the [`Caller`] extractor every protected
//! handler takes.

use crate::error::ApiError;
use crate::state::AppState;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine;
use ceria_core::protocol::UserInfo;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted (argon2 cost does not depend on it, but memory does).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
#[error("password hashing: {0}")]
pub struct HashError(String);

/// Hashes a password with argon2id (default parameters) and a random salt.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| HashError(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash used to spend the same time on unknown accounts as on known ones, so response
/// time does not tell which user names exist.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password, never valid").unwrap_or_default())
}

/// A new bearer token (256 random bits, base64url).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored for a token: its SHA-256 in hex (a database leak gives no usable token).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Sliding-window counter of failed logins per key (account name or client address).
#[derive(Debug)]
pub struct LoginLimiter {
    limit: u32,
    window: Duration,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginLimiter {
    /// Allows `limit` failures per key in each `window`.
    pub fn new(limit: u32, window: Duration) -> LoginLimiter {
        LoginLimiter {
            limit,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Some(seconds to wait)` when any of `keys` has used up its failures.
    pub fn blocked(&self, keys: &[&str], now: Instant) -> Option<u64> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let mut wait: Option<Duration> = None;
        for key in keys {
            let Some(q) = map.get_mut(*key) else { continue };
            while q
                .front()
                .is_some_and(|t| now.duration_since(*t) >= self.window)
            {
                q.pop_front();
            }
            if q.len() >= self.limit as usize
                && let Some(oldest) = q.front()
            {
                let left = self.window.saturating_sub(now.duration_since(*oldest));
                wait = Some(wait.map_or(left, |w| w.max(left)));
            }
        }
        // Round up: `Retry-After: 0` would invite an immediate retry.
        wait.map(|w| w.as_secs() + u64::from(w.subsec_nanos() > 0))
            .map(|s| s.max(1))
    }

    /// Records a failed attempt for each key.
    pub fn failed(&self, keys: &[&str], now: Instant) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        // Bound memory under a flood of distinct names: forget idle keys first.
        if map.len() > 100_000 {
            map.retain(|_, q| {
                q.back()
                    .is_some_and(|t| now.duration_since(*t) < self.window)
            });
        }
        for key in keys {
            map.entry((*key).to_string()).or_default().push_back(now);
        }
    }
}

/// The authenticated account of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account.
    pub user: UserInfo,
    /// Hash of the token used (for logout).
    pub token_hash: String,
}

/// The bearer token of a request, if any.
pub fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or_else(ApiError::unauthenticated)?;
        if token.len() > 256 {
            return Err(ApiError::unauthenticated());
        }
        let hash = token_hash(token);
        let lookup = hash.clone();
        let user = state
            .db_call(move |db| db.session_user(&lookup, crate::db::now_ms()))
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        Ok(Caller {
            user,
            token_hash: hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("rahasia-123").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("rahasia-123", &h));
        assert!(!verify_password("rahasia-124", &h));
        assert!(!verify_password("rahasia-123", "not a hash"));
        assert_ne!(hash_password("rahasia-123").unwrap(), h, "salted");
        assert!(!verify_password("x", decoy_hash()));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let a = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_token());
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn limiter_blocks_after_the_limit_and_forgets_after_the_window() {
        let l = LoginLimiter::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..3 {
            assert_eq!(l.blocked(&["user", "1.2.3.4"], t0), None, "attempt {i}");
            l.failed(&["user", "1.2.3.4"], t0);
        }
        assert_eq!(l.blocked(&["user"], t0), Some(60));
        assert_eq!(
            l.blocked(&["other", "1.2.3.4"], t0 + Duration::from_secs(30)),
            Some(30)
        );
        assert_eq!(l.blocked(&["other"], t0), None);
        assert_eq!(l.blocked(&["user"], t0 + Duration::from_secs(60)), None);
    }
}
