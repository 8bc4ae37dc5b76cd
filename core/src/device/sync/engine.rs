//! The sync engine: one pass serves every logged-in account (the current one first): check
//! the session (renewing it in its last week), upload pending files with tus, push queued
//! operations in batches, pull the status feed since the account's cursor; then refresh the
//! catalog when its ETag changed.
//!
//! Every step is idempotent and crash-safe: the tus URL is recorded before the first PATCH,
//! an operation's attempt is counted before it goes on the wire, and every answer is recorded
//! in the same transaction as the state change it causes. The process may die at any
//! instruction; the next pass continues without losing or duplicating anything.
//!
//! Failures are sorted into classes: retryable (network, timeout, 5xx, 429: the item gets an
//! exponential backoff with jitter and the pass stops), needs the user (401: log in again;
//! refused or outdated: the request needs fixing) and fatal (protocol mismatch: recorded and
//! reported, never looped). Network drops inside a pass are retried: at once when the failed
//! attempt still moved something (an upload's offset grew) and for the first drop in a row,
//! after a short pause with jitter for the next ones, and the pass gives up after a few drops
//! in a row without progress.

use crate::catalog::Catalog;
use crate::catalog::compare_versions;
use crate::device::config::DeviceConfig;
use crate::device::error::Error;
use crate::device::store::accounts;
use crate::device::store::db::Db;
use crate::device::store::files::FileStore;
use crate::device::store::outbox;
use crate::device::store::requests;
use crate::device::store::uploads::UploadScope;
use crate::device::sync::http_api::{Api, Failure, percent_encode};
use crate::device::sync::progress::{CancelToken, SyncListener, SyncProgress, SyncStep};
use crate::now_ms;
use crate::protocol::{LoginResponse, PULL_PAGE_SIZE, PullResponse};
use rand::Rng;
use rusqlite::{OptionalExtension, params};
use std::cmp::Ordering;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// How close to its expiry a session is renewed during sync: its last 7 days (sessions last
/// 30 days on the reference server).
const SESSION_RENEWAL_WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;

/// What a sync pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncReport {
    /// Accounts synced completely.
    pub accounts_synced: u32,
    /// Files whose upload completed in this pass.
    pub files_uploaded: u32,
    /// File bytes sent in this pass (chunk bodies).
    pub bytes_uploaded: u64,
    /// Operations the server answered in this pass.
    pub operations_pushed: u32,
    /// Of those, accepted.
    pub accepted: u32,
    /// Of those, refused (the request now needs fixing).
    pub needs_fix: u32,
    /// Of those, not applied because of the request's state on the server.
    pub conflicts: u32,
    /// Status changes received.
    pub changes_pulled: u32,
    /// True when a newer catalog was installed.
    pub catalog_updated: bool,
    /// Operations still waiting to be sent, over all accounts.
    pub pending_operations: u32,
    /// When the earliest waiting operation may be retried (ms since the Unix epoch).
    pub next_retry_ms: Option<i64>,
    /// Accounts whose session the server refused: they must log in again.
    pub needs_login: Vec<String>,
    /// Problems that did not stop the pass (for logs), e.g. a catalog that failed to load.
    pub problems: Vec<String>,
}

/// Why a pass stopped early. The engine decides on a [`Failure`] (retry, log in again, give
/// up on one operation); everything else ends the pass as is.
#[derive(Debug)]
pub(crate) enum Stop {
    Failure(Failure),
    Error(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Error(e)
    }
}

impl From<std::io::Error> for Stop {
    fn from(e: std::io::Error) -> Self {
        Stop::Error(e.into())
    }
}

impl From<Stop> for Error {
    fn from(stop: Stop) -> Error {
        match stop {
            Stop::Failure(f) => f.into(),
            Stop::Error(e) => e,
        }
    }
}

/// One sync pass in progress.
pub(crate) struct Engine<'a> {
    pub(crate) db: &'a Db,
    pub(crate) files: &'a FileStore,
    pub(crate) api: &'a Api,
    pub(crate) catalog: &'a RwLock<Arc<Catalog>>,
    pub(crate) config: &'a DeviceConfig,
    listener: Option<&'a dyn SyncListener>,
    cancel: &'a CancelToken,
    pub(crate) report: SyncReport,
    pub(crate) progress: SyncProgress,
    strikes: u32,
    /// True once the upload in hand moved its server offset in this pass (its retry counter
    /// starts again).
    pub(crate) upload_progressed: bool,
}

impl<'a> Engine<'a> {
    /// Prepares a pass.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        db: &'a Db,
        files: &'a FileStore,
        api: &'a Api,
        catalog: &'a RwLock<Arc<Catalog>>,
        config: &'a DeviceConfig,
        listener: Option<&'a dyn SyncListener>,
        cancel: &'a CancelToken,
    ) -> Engine<'a> {
        Engine {
            db,
            files,
            api,
            catalog,
            config,
            listener,
            cancel,
            report: SyncReport::default(),
            progress: SyncProgress {
                step: SyncStep::Session,
                account_id: String::new(),
                bytes_sent: 0,
                bytes_total: 0,
                operations_pushed: 0,
                operations_total: 0,
                changes_pulled: 0,
            },
            strikes: 0,
            upload_progressed: false,
        }
    }

    /// The catalog in use.
    pub(crate) fn catalog(&self) -> Arc<Catalog> {
        read_catalog(self.catalog)
    }

    /// Runs the pass.
    pub(crate) fn run(mut self) -> Result<SyncReport, Error> {
        let current_needs_login = self.run_all()?;
        self.finish_report()?;
        self.step(SyncStep::Done);
        if current_needs_login {
            return Err(Failure::Unauthorized(None).into());
        }
        Ok(self.report)
    }

    /// Returns whether the current account must log in again.
    fn run_all(&mut self) -> Result<bool, Stop> {
        let current = self.db.read(accounts::current_id)?;
        let order = self.db.read(accounts::sync_order)?;
        let mut current_needs_login = match &current {
            Some(id) => !order.contains(id),
            None => false,
        };
        for id in order {
            self.progress.account_id = id.clone();
            match self.sync_account(&id) {
                Ok(()) => {
                    self.report.accounts_synced += 1;
                    self.db
                        .write(|tx| accounts::mark_synced(tx, &id, now_ms()))?;
                }
                Err(Stop::Failure(Failure::Unauthorized(_))) => {
                    self.db.write(|tx| accounts::mark_needs_login(tx, &id))?;
                    if current.as_deref() == Some(id.as_str()) {
                        current_needs_login = true;
                    }
                    self.report.needs_login.push(id);
                }
                Err(other) => return Err(other),
            }
        }
        self.check_cancel()?;
        self.step(SyncStep::Catalog);
        match self.refresh_catalog() {
            Ok(updated) => self.report.catalog_updated |= updated,
            Err(Stop::Failure(f)) if !f.is_retryable() => self.report.problems.push(f.describe()),
            Err(other) => return Err(other),
        }
        Ok(current_needs_login)
    }

    fn sync_account(&mut self, account_id: &str) -> Result<(), Stop> {
        self.check_cancel()?;
        self.step(SyncStep::Session);
        let session = self.db.read(|c| accounts::session(c, account_id))?;
        let Some(session) = session else {
            return Err(Stop::Failure(Failure::Unauthorized(None)));
        };
        // An expired token cannot be renewed without the password: asking the server first
        // would only waste the user's data.
        if session.expires_at_ms <= now_ms() {
            return Err(Stop::Failure(Failure::Unauthorized(None)));
        }
        let token = self.renew_if_due(&session)?;
        self.upload_all(account_id, &token, UploadScope::Queued)?;
        self.push_all(account_id, &token)?;
        self.refresh_identity(account_id, &token)?;
        self.pull_all(account_id, &token)?;
        // After the sends, so that a draft's big files never hold back a request.
        self.release_uploads(account_id, &token)?;
        if self.config.background_uploads {
            self.upload_all(account_id, &token, UploadScope::Drafts)?;
        }
        Ok(())
    }

    /// Swaps a token in its last week for a new one, so that a person who syncs now and then
    /// never has to type the password again. The old token stays valid on the server until its
    /// own expiry, so a renewal lost on the way changes nothing: the pass goes on with the old
    /// token and the next pass renews again. A server without renewal (an older release) is
    /// noted in the report and the old token used until it runs out.
    fn renew_if_due(&mut self, session: &accounts::Session) -> Result<String, Stop> {
        if session.expires_at_ms.saturating_sub(now_ms()) > SESSION_RENEWAL_WINDOW_MS {
            return Ok(session.token.clone());
        }
        let api = self.api;
        let renewed = self.net(|| {
            api.json::<(), LoginResponse>(
                "POST",
                "/v1/sessions/current/refresh",
                Some(&session.token),
                None,
            )
        });
        match renewed {
            Ok(login) => {
                let stored = self
                    .db
                    .write(|tx| accounts::renew_session(tx, &session.account_id, &login))?;
                Ok(if stored {
                    login.token
                } else {
                    session.token.clone()
                })
            }
            Err(Stop::Failure(f))
                if !f.is_retryable() && !matches!(f, Failure::Unauthorized(_)) =>
            {
                self.report
                    .problems
                    .push(format!("session renewal: {}", f.describe()));
                Ok(session.token.clone())
            }
            Err(stop) => Err(stop),
        }
    }

    fn pull_all(&mut self, account_id: &str, token: &str) -> Result<(), Stop> {
        loop {
            self.check_cancel()?;
            self.step(SyncStep::Pulling);
            let cursor = self.db.read(|c| accounts::cursor(c, account_id))?;
            let path = format!(
                "/v1/sync/pull?since={}&limit={PULL_PAGE_SIZE}",
                percent_encode(&cursor)
            );
            let api = self.api;
            let page: PullResponse =
                self.net(|| api.json::<(), _>("GET", &path, Some(token), None))?;
            let now = now_ms();
            self.db.write(|tx| {
                for change in &page.changes {
                    requests::apply_change(
                        tx,
                        account_id,
                        change,
                        |id| outbox::send_pending(tx, id),
                        now,
                    )?;
                }
                accounts::set_cursor(tx, account_id, &page.next_cursor)
            })?;
            let n = u32::try_from(page.changes.len()).unwrap_or(u32::MAX);
            self.report.changes_pulled += n;
            self.progress.changes_pulled += n;
            if !page.more {
                return Ok(());
            }
            if page.next_cursor == cursor {
                return Err(Stop::Failure(Failure::Protocol(
                    "pull says more but the cursor did not move".to_string(),
                )));
            }
        }
    }

    /// Fetches the catalog unless the ETag is unchanged; installs it when it loads and is not
    /// older than the one in use. Returns true when a new catalog was installed.
    pub(crate) fn refresh_catalog(&mut self) -> Result<bool, Stop> {
        let etag: Option<String> = self.db.read(|c| {
            Ok(
                c.query_row("SELECT etag FROM catalog_cache WHERE id = 1", [], |r| {
                    r.get(0)
                })
                .optional()?,
            )
        })?;
        let mut request =
            crate::device::sync::transport::HttpRequest::new("GET", self.api.url("/v1/catalog"));
        if let Some(etag) = &etag {
            request = request.header("If-None-Match", etag.as_str());
        }
        let api = self.api;
        let response = self.net(|| api.call(request.clone()))?;
        if response.status == 304 {
            return Ok(false);
        }
        let json = String::from_utf8(response.body.clone())
            .map_err(|e| Stop::Failure(Failure::Protocol(format!("catalog is not UTF-8: {e}"))))?;
        let loaded = match Catalog::from_json(&json) {
            Ok(c) => c,
            Err(e) => {
                self.report
                    .problems
                    .push(format!("server catalog does not load: {e}"));
                return Ok(false);
            }
        };
        let current = self.catalog();
        if compare_versions(loaded.version(), current.version()) == Ordering::Less {
            self.report.problems.push(format!(
                "server catalog {} is older than {}; kept",
                loaded.version(),
                current.version()
            ));
            return Ok(false);
        }
        let new_etag = response
            .header("ETag")
            .map(str::to_string)
            .unwrap_or_else(|| format!("\"{}\"", loaded.hash()));
        let version = loaded.version().to_string();
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO catalog_cache (id, version, etag, json, fetched_ms) VALUES (1, ?1, ?2, ?3, ?4)
                 ON CONFLICT(id) DO UPDATE SET version = excluded.version, etag = excluded.etag,
                     json = excluded.json, fetched_ms = excluded.fetched_ms",
                params![version, new_etag, json, now_ms()],
            )?;
            Ok(())
        })?;
        let changed = version != current.version() || loaded.json() != current.json();
        let mut slot = self.catalog.write().unwrap_or_else(|p| p.into_inner());
        *slot = Arc::new(loaded);
        Ok(changed)
    }

    fn finish_report(&mut self) -> Result<(), Error> {
        let now = now_ms();
        let (pending, next) = self.db.read(|c| {
            let mut pending = 0u32;
            let mut next: Option<i64> = None;
            for a in accounts::list(c)? {
                pending += outbox::pending_count(c, &a.id)?;
                let waits = [
                    outbox::next_retry_ms(c, &a.id, now)?,
                    crate::device::store::uploads::next_retry_ms(c, &a.id, now)?,
                ];
                for t in waits.into_iter().flatten() {
                    next = Some(next.map_or(t, |n| n.min(t)));
                }
            }
            Ok((pending, next))
        })?;
        self.report.pending_operations = pending;
        self.report.next_retry_ms = next;
        Ok(())
    }

    /// Stops when the caller cancelled.
    pub(crate) fn check_cancel(&self) -> Result<(), Stop> {
        if self.cancel.is_cancelled() {
            Err(Stop::Error(Error::cancelled()))
        } else {
            Ok(())
        }
    }

    /// Announces a step (and the current counters).
    pub(crate) fn step(&mut self, step: SyncStep) {
        self.progress.step = step;
        self.emit();
    }

    /// Sends the current counters to the listener.
    pub(crate) fn emit(&self) {
        if let Some(listener) = self.listener {
            listener.on_progress(self.progress.clone());
        }
    }

    /// Runs a network call, retrying short network drops while the pass makes progress.
    pub(crate) fn net<T>(
        &mut self,
        mut call: impl FnMut() -> Result<T, Failure>,
    ) -> Result<T, Stop> {
        loop {
            match call() {
                Ok(v) => {
                    self.strikes = 0;
                    return Ok(v);
                }
                Err(f @ Failure::Network(_)) => self.strike(f)?,
                Err(f) => return Err(Stop::Failure(f)),
            }
        }
    }

    /// A request succeeded: the pass is making progress again.
    pub(crate) fn strikes_reset(&mut self) {
        self.strikes = 0;
    }

    /// Runs a call that checks on an attempt that just failed (the HEAD after a broken
    /// PATCH): its answer alone is no progress, so the count of drops in a row stays.
    pub(crate) fn net_probe<T>(
        &mut self,
        call: impl FnMut() -> Result<T, Failure>,
    ) -> Result<T, Stop> {
        let strikes = self.strikes;
        let answer = self.net(call)?;
        self.strikes = strikes;
        Ok(answer)
    }

    /// An attempt broke off: when it still moved something the next one starts at once (the
    /// network works, it just drops now and then); otherwise it counts as a drop without
    /// progress, see [`Engine::strike`].
    pub(crate) fn dropped(&mut self, failure: Failure, progressed: bool) -> Result<(), Stop> {
        if progressed {
            self.strikes = 0;
            return self.check_cancel();
        }
        self.strike(failure)
    }

    /// Counts a network failure without progress and gives up after `network_retries` in a
    /// row. The first retry goes at once (as tus-js-client's does): a fresh connection usually
    /// works, and after a cut PATCH the HEAD may simply have reached the server before the
    /// broken request did (they travel on different connections, so no lock can order
    /// them), making a drop look like one without progress. Further drops in a row pause
    /// `retry_pause_ms` times the drops before, with jitter so that many phones behind one
    /// cell do not retry in step.
    pub(crate) fn strike(&mut self, failure: Failure) -> Result<(), Stop> {
        self.strikes += 1;
        if self.strikes > self.config.network_retries {
            return Err(Stop::Failure(failure));
        }
        let full = self
            .config
            .retry_pause_ms
            .saturating_mul(u64::from(self.strikes - 1));
        if full > 0 {
            std::thread::sleep(Duration::from_millis(
                rand::rng().random_range(full / 2..=full),
            ));
        }
        self.check_cancel()
    }

    /// When an item that failed its `attempts`-th time may be tried again: exponential
    /// backoff with jitter (half to full delay), at least what the server asked for.
    pub(crate) fn retry_at(&self, attempts: u32, retry_after_ms: Option<u64>) -> i64 {
        let exp = attempts.saturating_sub(1).min(30);
        let full = self
            .config
            .backoff_base_ms
            .saturating_mul(1u64 << exp)
            .min(self.config.backoff_max_ms)
            .max(1);
        let delay = rand::rng()
            .random_range(full / 2..=full)
            .max(retry_after_ms.unwrap_or(0));
        now_ms().saturating_add(i64::try_from(delay).unwrap_or(i64::MAX / 2))
    }
}

/// The catalog in a lock that a panicking writer may have poisoned (the value is still whole).
pub(crate) fn read_catalog(lock: &RwLock<Arc<Catalog>>) -> Arc<Catalog> {
    lock.read()
        .map(|c| Arc::clone(&c))
        .unwrap_or_else(|p| Arc::clone(&p.into_inner()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(compare_versions("2026.11.1", "2026.9.3"), Ordering::Greater);
        assert_eq!(compare_versions("2026.11", "2026.11.0"), Ordering::Less);
        assert_eq!(compare_versions("1.2.3", "1.2.3"), Ordering::Equal);
        assert_eq!(compare_versions("1.b", "1.a"), Ordering::Greater);
    }
}
