//! The one writer of an upload across every instance: a lease in the upload's row of the
//! shared database, taken by a PATCH (for its whole body and the completion that may follow),
//! a termination or a sweep, and given back at the end.
//!
//! Why a lease row rather than the alternatives:
//! - a PostgreSQL advisory lock lives in one database session, so it would hold a pooled
//!   connection for the whole streaming body (a 1 MiB PATCH over 3G takes a minute), and does
//!   not exist on SQLite;
//! - a conditional offset update alone (`… WHERE upload_offset = ?`) lets two writers stream
//!   into the same bytes of the partial file at once and only tells the loser afterwards: on
//!   S3 both would write the part object at one offset, the loser's last.
//!
//! The lease costs two short writes per PATCH (take, give back), plus a renewal every
//! [`RENEW_EVERY`] of a long body; no connection is held in between. It runs out after
//! [`LEASE`], so an instance killed mid-PATCH does not wedge the upload: the client's next
//! attempt after that goes through. The offset is recorded only while the lease is still held
//! (`set_leased_upload_offset`), so a writer that lost it (stalled past its lease) never moves
//! the offset. Within one process the upload's mutex (`AppState::lock_upload`) still orders
//! requests first, so there a second PATCH waits and then meets the moved offset (409) as
//! before; the lease decides between processes. SQLite runs the same code (one process: the
//! mutex alone would do, but one code path is tested on both engines).
//!
//! The loser of a race gets 423 Locked (`upload.locked`) with `Retry-After`: tus 1.0 does not
//! define concurrent access, and 423 is what tusd answers and tus clients retry; a 409 would
//! tell our client to ask the offset and send again at once, a busy loop while the other
//! PATCH streams. Leases are stamped with each instance's clock (`now_ms`): instances need
//! clocks within a fraction of [`LEASE`] of each other, which NTP gives.

use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::store::uploads::{UploadLease, UploadRow};
use crate::store::{new_id, now_ms};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use std::time::Duration;

/// How long a lease lasts without renewal: past the longest silence a PATCH tolerates between
/// two chunks ([`super::CHUNK_TIMEOUT`]) plus a renewal period, so a live writer never loses it.
pub(crate) const LEASE: Duration = Duration::from_secs(120);

/// How often a writer streaming a long body extends its lease.
const RENEW_EVERY: Duration = Duration::from_secs(30);

/// Seconds a refused client is told to wait before trying again.
const RETRY_AFTER_SECONDS: &str = "2";

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// 423 `upload.locked`: another request is writing this upload.
pub(crate) fn locked() -> ApiError {
    ApiError::new(StatusCode::LOCKED, "upload.locked").header(
        HeaderName::from_static("retry-after"),
        HeaderValue::from_static(RETRY_AFTER_SECONDS),
    )
}

/// A lease held on one upload; give it back with [`Lease::release`].
pub(crate) struct Lease {
    id: String,
    holder: String,
    renewed_ms: i64,
}

impl Lease {
    /// Takes the lease of upload `id`: the upload as it stands under it, or 423 while another
    /// writer holds it, or 404 when there is no such upload.
    pub(crate) async fn take(state: &AppState, id: &str) -> Result<(UploadRow, Lease), ApiError> {
        let (key, holder) = (id.to_string(), new_id());
        let stamp = holder.clone();
        let now = now_ms();
        let found = state
            .db_call(move |db| db.lease_upload(&key, &stamp, now, now.saturating_add(ms(LEASE))))
            .await?;
        match found {
            UploadLease::Taken(row) => Ok((
                row,
                Lease {
                    id: id.to_string(),
                    holder,
                    renewed_ms: now,
                },
            )),
            UploadLease::Busy => Err(locked()),
            UploadLease::Missing => Err(ApiError::not_found()),
        }
    }

    /// Extends the lease if [`RENEW_EVERY`] has passed; 423 when it was lost meanwhile (this
    /// writer stalled past its lease and another took over: it must stop writing).
    pub(crate) async fn keep(&mut self, state: &AppState) -> Result<(), ApiError> {
        let now = now_ms();
        if now.saturating_sub(self.renewed_ms) < ms(RENEW_EVERY) {
            return Ok(());
        }
        let (id, holder) = (self.id.clone(), self.holder.clone());
        let until = now.saturating_add(ms(LEASE));
        let kept = state
            .db_call(move |db| db.renew_upload_lease(&id, &holder, until))
            .await?;
        if !kept {
            return Err(locked());
        }
        self.renewed_ms = now;
        Ok(())
    }

    /// Records that the upload's bytes up to `offset` are durable; 423 when the lease was lost
    /// (the offset stays where the new holder has it).
    pub(crate) async fn record_offset(
        &self,
        state: &AppState,
        offset: u64,
    ) -> Result<(), ApiError> {
        let (id, holder) = (self.id.clone(), self.holder.clone());
        let recorded = state
            .db_call(move |db| db.set_leased_upload_offset(&id, &holder, offset))
            .await?;
        if recorded { Ok(()) } else { Err(locked()) }
    }

    /// Gives the lease back. Should that fail (the database unreachable), the lease runs out
    /// by itself; the failure is logged, not the request's.
    pub(crate) async fn release(self, state: &AppState) {
        let Lease { id, holder, .. } = self;
        let upload = id.clone();
        let released = state
            .db_call(move |db| db.release_upload_lease(&id, &holder))
            .await;
        if released.is_err() {
            tracing::warn!(upload = %upload, "upload lease not released; it runs out by itself");
        }
    }
}
