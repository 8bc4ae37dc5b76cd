//! Attempt counters in the database (`rate_limits`), for login and registration limits.
//!
//! They live in the database rather than in one process's memory so that several server
//! instances on one database share them, and every check-and-count is one write
//! transaction holding the locks of its keys (SQLite's one writer; on PostgreSQL the keys'
//! locks, taken in key order): a burst of simultaneous attempts is counted one after the other, so no more
//! than the limit are ever let through (an attempt is counted *before* the password is
//! checked, and given back when it succeeds).
//!
//! A key has a fixed window: at most `max` attempts per `window_ms`. With `backoff`, a key
//! that used up its attempts on failures is blocked for `window_ms * 2^(strikes - 1)` (capped
//! at [`MAX_BLOCK_MS`]), and each further lockout doubles the wait; strikes are forgotten
//! when the key is reset after a success or idles for a day (see `sweep_rate_limits`).

use super::sql::Conn;
use crate::store::{Db, DbError};

/// The longest a key is blocked after repeated lockouts (one hour).
pub(crate) const MAX_BLOCK_MS: i64 = 3_600_000;
/// Rows idle this long are removed, strikes included (one day).
pub(crate) const IDLE_MS: i64 = 86_400_000;

/// One limit on one key (e.g. `login:<account>|<address>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Limit {
    /// What is counted.
    pub key: String,
    /// Attempts allowed per window.
    pub max: u32,
    /// Window length.
    pub window_ms: i64,
    /// Whether used-up attempts that failed block the key with a growing wait.
    pub backoff: bool,
}

/// The answer to [`Db::take_attempt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Counted; go ahead.
    Admitted,
    /// Nothing counted; try again after this many milliseconds.
    Refused {
        /// Milliseconds until a limit lets an attempt through again.
        retry_after_ms: i64,
    },
}

/// A key's stored counter.
#[derive(Debug, Clone, Copy)]
struct Counter {
    attempts: i64,
    window_start_ms: i64,
    strikes: i64,
    blocked_until_ms: Option<i64>,
}

fn load(tx: &Conn<'_>, key: &str, now: i64) -> Result<Counter, DbError> {
    let row = tx.query_opt(
        "SELECT attempts, window_start_ms, strikes, blocked_until_ms FROM rate_limits
         WHERE key = ?1",
        &[&key],
        |r| {
            Ok(Counter {
                attempts: r.get(0)?,
                window_start_ms: r.get(1)?,
                strikes: r.get(2)?,
                blocked_until_ms: r.get(3)?,
            })
        },
    )?;
    Ok(row.unwrap_or(Counter {
        attempts: 0,
        window_start_ms: now,
        strikes: 0,
        blocked_until_ms: None,
    }))
}

fn store(tx: &Conn<'_>, key: &str, c: &Counter, now: i64) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO rate_limits (key, attempts, window_start_ms, strikes, blocked_until_ms, touched_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (key) DO UPDATE SET attempts = excluded.attempts,
             window_start_ms = excluded.window_start_ms, strikes = excluded.strikes,
             blocked_until_ms = excluded.blocked_until_ms, touched_ms = excluded.touched_ms",
        &[
            &key,
            &c.attempts,
            &c.window_start_ms,
            &c.strikes,
            &c.blocked_until_ms,
            &now,
        ],
    )?;
    Ok(())
}

/// The counter as it stands at `now`: an ended block or window starts a fresh window.
fn current(mut c: Counter, window_ms: i64, now: i64) -> Counter {
    match c.blocked_until_ms {
        Some(until) if until > now => return c,
        Some(_) => {
            c.blocked_until_ms = None;
            c.attempts = 0;
            c.window_start_ms = now;
        }
        None => {}
    }
    if now.saturating_sub(c.window_start_ms) >= window_ms {
        c.attempts = 0;
        c.window_start_ms = now;
    }
    c
}

/// How long a key is blocked after its `strikes`-th lockout.
fn block_ms(window_ms: i64, strikes: i64) -> i64 {
    let doublings = u32::try_from(strikes.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    window_ms
        .saturating_mul(1_i64 << doublings)
        .min(MAX_BLOCK_MS.max(window_ms))
}

/// Takes the locks of `keys` in one order (so two transactions never wait for each other).
fn lock_keys<'k>(tx: &Conn<'_>, keys: impl Iterator<Item = &'k str>) -> Result<(), DbError> {
    let mut keys: Vec<&str> = keys.collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        tx.lock(&format!("rate:{key}"))?;
    }
    Ok(())
}

impl Db {
    /// Counts one attempt against every limit, or none when any limit is used up or blocked
    /// (then the longest wait), in one transaction.
    pub(crate) fn take_attempt(&self, limits: &[Limit], now: i64) -> Result<Admission, DbError> {
        self.write(|tx| {
            lock_keys(tx, limits.iter().map(|l| l.key.as_str()))?;
            let mut wait = 0_i64;
            let mut counted = Vec::with_capacity(limits.len());
            for limit in limits {
                let c = current(load(tx, &limit.key, now)?, limit.window_ms, now);
                if let Some(until) = c.blocked_until_ms {
                    wait = wait.max(until - now);
                } else if c.attempts >= i64::from(limit.max) {
                    wait = wait.max(c.window_start_ms + limit.window_ms - now);
                }
                counted.push(c);
            }
            if wait > 0 {
                return Ok(Admission::Refused {
                    retry_after_ms: wait,
                });
            }
            for (limit, mut c) in limits.iter().zip(counted) {
                c.attempts += 1;
                store(tx, &limit.key, &c, now)?;
            }
            Ok(Admission::Admitted)
        })
    }

    /// An admitted attempt failed: a back-off key whose attempts are used up is blocked, for
    /// twice as long as the previous time.
    pub(crate) fn attempt_failed(&self, limits: &[Limit], now: i64) -> Result<(), DbError> {
        self.write(|tx| {
            lock_keys(
                tx,
                limits.iter().filter(|l| l.backoff).map(|l| l.key.as_str()),
            )?;
            for limit in limits.iter().filter(|l| l.backoff) {
                let mut c = current(load(tx, &limit.key, now)?, limit.window_ms, now);
                if c.blocked_until_ms.is_none() && c.attempts >= i64::from(limit.max) {
                    c.strikes += 1;
                    c.blocked_until_ms = Some(now + block_ms(limit.window_ms, c.strikes));
                    c.attempts = 0;
                    c.window_start_ms = now;
                    store(tx, &limit.key, &c, now)?;
                }
            }
            Ok(())
        })
    }

    /// An admitted attempt succeeded: `refund` keys get their attempt back, `forget` keys are
    /// reset (strikes included).
    pub(crate) fn attempt_succeeded(
        &self,
        refund: &[&str],
        forget: &[&str],
        now: i64,
    ) -> Result<(), DbError> {
        self.write(|tx| {
            // Single statements: atomic without a lock.
            for key in refund {
                tx.execute(
                    "UPDATE rate_limits SET attempts = attempts - 1, touched_ms = ?2
                     WHERE key = ?1 AND attempts > 0",
                    &[key, &now],
                )?;
            }
            for key in forget {
                tx.execute("DELETE FROM rate_limits WHERE key = ?1", &[key])?;
            }
            Ok(())
        })
    }

    /// Removes counters idle for [`IDLE_MS`] and not blocked; returns how many.
    pub(crate) fn sweep_rate_limits(&self, now: i64) -> Result<usize, DbError> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM rate_limits WHERE touched_ms <= ?1
                 AND (blocked_until_ms IS NULL OR blocked_until_ms <= ?2)",
                &[&(now - IDLE_MS), &now],
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::store_test;

    fn limit(key: &str, max: u32, backoff: bool) -> Limit {
        Limit {
            key: key.into(),
            max,
            window_ms: 60_000,
            backoff,
        }
    }

    store_test!(counts_before_checking_and_backs_off, |db| {
        let l = [limit("a", 3, true)];
        for _ in 0..3 {
            assert_eq!(db.take_attempt(&l, 0).unwrap(), Admission::Admitted);
        }
        // Three in flight: the fourth waits for the window.
        assert_eq!(
            db.take_attempt(&l, 1_000).unwrap(),
            Admission::Refused {
                retry_after_ms: 59_000
            }
        );
        db.attempt_failed(&l, 2_000).unwrap();
        assert_eq!(
            db.take_attempt(&l, 2_000).unwrap(),
            Admission::Refused {
                retry_after_ms: 60_000
            }
        );
        // After the block, three more; the second lockout lasts twice as long.
        for _ in 0..3 {
            assert_eq!(db.take_attempt(&l, 62_000).unwrap(), Admission::Admitted);
        }
        db.attempt_failed(&l, 62_000).unwrap();
        assert_eq!(
            db.take_attempt(&l, 62_000).unwrap(),
            Admission::Refused {
                retry_after_ms: 120_000
            }
        );
        assert_eq!(block_ms(60_000, 40), MAX_BLOCK_MS);
    });

    store_test!(success_refunds_and_forgets, |db| {
        let l = [limit("ip", 2, true), limit("acct", 2, true)];
        assert_eq!(db.take_attempt(&l, 0).unwrap(), Admission::Admitted);
        db.attempt_succeeded(&["ip"], &["acct"], 0).unwrap();
        assert_eq!(db.take_attempt(&l, 0).unwrap(), Admission::Admitted);
        assert_eq!(db.take_attempt(&l, 0).unwrap(), Admission::Admitted);
        assert!(matches!(
            db.take_attempt(&l, 0).unwrap(),
            Admission::Refused { .. }
        ));
        // Without back-off the key simply waits for its window.
        let r = [limit("reg", 1, false)];
        assert_eq!(db.take_attempt(&r, 0).unwrap(), Admission::Admitted);
        db.attempt_failed(&r, 0).unwrap();
        assert_eq!(
            db.take_attempt(&r, 30_000).unwrap(),
            Admission::Refused {
                retry_after_ms: 30_000
            }
        );
        assert_eq!(db.take_attempt(&r, 60_000).unwrap(), Admission::Admitted);
        assert_eq!(db.sweep_rate_limits(60_000 + IDLE_MS).unwrap(), 3);
    });
}
