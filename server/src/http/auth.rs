//! Authentication of HTTP callers: the bearer token of a request, the [`Caller`] extractor
//! every protected handler takes, and the login rate limiter. Hashing of passwords and tokens
//! is in `crate::credentials`.

use crate::credentials::token_hash;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use ceria_core::protocol::UserInfo;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Sliding-window counter of failed logins per key (account name or client address).
#[derive(Debug)]
pub(crate) struct LoginLimiter {
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
pub(crate) struct Caller {
    /// The account.
    pub user: UserInfo,
    /// Hash of the token used (for logout).
    pub token_hash: String,
}

/// The bearer token of a request, if any.
pub(crate) fn bearer(parts: &Parts) -> Option<&str> {
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
            .db_call(move |db| db.session_user(&lookup, crate::store::now_ms()))
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
