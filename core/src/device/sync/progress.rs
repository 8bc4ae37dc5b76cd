//! Progress events for progress bars and cooperative cancellation of a sync pass. The engine
//! checks the token between steps and between upload chunks, so cancelling costs at most one
//! chunk and never leaves anything half-recorded.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What a sync pass is doing now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SyncStep {
    /// Checking the session.
    Session,
    /// Uploading attached files.
    Uploading,
    /// Sending queued operations.
    Pushing,
    /// Fetching status changes.
    Pulling,
    /// Checking for a newer catalog.
    Catalog,
    /// Finished.
    Done,
}

/// A progress event.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncProgress {
    /// The current step.
    pub step: SyncStep,
    /// The account being synced.
    pub account_id: String,
    /// File bytes confirmed by the server so far in this pass (including bytes it already
    /// had from an earlier, interrupted pass).
    pub bytes_sent: u64,
    /// File bytes to upload in this pass.
    pub bytes_total: u64,
    /// Operations answered by the server so far in this pass.
    pub operations_pushed: u32,
    /// Operations to push in this pass.
    pub operations_total: u32,
    /// Status changes received so far in this pass.
    pub changes_pulled: u32,
}

/// Receives progress events. Called on the syncing thread; keep it quick.
#[cfg_attr(feature = "uniffi", uniffi::export(with_foreign))]
pub trait SyncListener: Send + Sync {
    /// A step started or advanced.
    fn on_progress(&self, progress: SyncProgress);
}

/// Asks a running sync to stop at the next safe point. Cheap to clone; clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct CancelToken {
    flag: Arc<AtomicBool>,
}

impl CancelToken {
    /// A token that is not cancelled.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Requests cancellation.
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
    }

    /// True once cancellation was requested.
    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_cancellation() {
        let a = CancelToken::new();
        let b = a.clone();
        assert!(!b.is_cancelled());
        a.cancel();
        assert!(b.is_cancelled());
    }
}
