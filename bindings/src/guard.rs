//! The panic firewall of the FFI. Every exported call runs inside [`guard`], so a defect in
//! the library reaches Kotlin, Swift or Python as the typed `CeriaError.Internal` instead of
//! UniFFI's untyped internal exception; and foreign progress listeners run inside
//! [`GuardedListener`], so a listener that throws cannot abort a sync pass half-way.

use ceria_core::{Catalog, DeviceError, SyncListener, SyncProgress};
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// Runs `call`, turning a panic into `DeviceError::Internal` (code `internal`).
///
/// Unwind safety is asserted because the state a call can leave behind is the state a crash
/// at the same point would: the store commits in transactions and its locks recover from
/// poisoning.
pub(crate) fn guard<T>(call: impl FnOnce() -> Result<T, DeviceError>) -> Result<T, DeviceError> {
    match catch_unwind(AssertUnwindSafe(call)) {
        Ok(result) => result,
        Err(payload) => Err(DeviceError::internal(
            &Catalog::embedded(),
            panic_text(payload.as_ref()),
        )),
    }
}

/// The message of a panic payload (`panic!` gives a `&str` or a `String`).
fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic without a message".to_string()
    }
}

/// A foreign listener behind a panic firewall. UniFFI turns an exception thrown by the
/// foreign `onProgress` into a Rust panic; here it is caught and counted, and the pass goes
/// on (progress is informative, the sync itself must not depend on the UI code).
pub(crate) struct GuardedListener {
    inner: Arc<dyn SyncListener>,
    failures: AtomicU32,
}

impl GuardedListener {
    /// Wraps a foreign listener.
    pub(crate) fn new(inner: Arc<dyn SyncListener>) -> GuardedListener {
        GuardedListener {
            inner,
            failures: AtomicU32::new(0),
        }
    }

    /// How many progress calls failed in the foreign code.
    pub(crate) fn failures(&self) -> u32 {
        self.failures.load(Ordering::Relaxed)
    }
}

impl SyncListener for GuardedListener {
    fn on_progress(&self, progress: SyncProgress) {
        let inner = &self.inner;
        if catch_unwind(AssertUnwindSafe(|| inner.on_progress(progress))).is_err() {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ceria_core::SyncStep;
    use std::sync::Mutex;

    #[test]
    fn a_panic_becomes_the_internal_error() {
        let r: Result<(), DeviceError> = guard(|| panic!("boom {}", 42));
        match r {
            Err(DeviceError::Internal { code, detail, .. }) => {
                assert_eq!(code, "internal");
                assert_eq!(detail, "boom 42");
            }
            other => panic!("expected Internal, got {other:?}"),
        }
        let r: Result<(), DeviceError> = guard(|| std::panic::panic_any(7_u8));
        assert!(
            matches!(r, Err(DeviceError::Internal { detail, .. }) if detail.contains("without"))
        );
    }

    #[test]
    fn results_pass_through_untouched() {
        assert_eq!(guard(|| Ok(5)), Ok(5));
        let e = DeviceError::internal(&Catalog::embedded(), "x");
        assert_eq!(guard::<()>(|| Err(e.clone())), Err(e));
    }

    struct Flaky {
        seen: Mutex<Vec<SyncStep>>,
    }

    impl SyncListener for Flaky {
        fn on_progress(&self, progress: SyncProgress) {
            if progress.step == SyncStep::Pushing {
                panic!("listener bug");
            }
            self.seen.lock().unwrap().push(progress.step);
        }
    }

    fn progress(step: SyncStep) -> SyncProgress {
        SyncProgress {
            step,
            account_id: "a".into(),
            bytes_sent: 0,
            bytes_total: 0,
            operations_pushed: 0,
            operations_total: 0,
            changes_pulled: 0,
        }
    }

    #[test]
    fn a_failing_listener_is_contained_and_counted() {
        let flaky = Arc::new(Flaky {
            seen: Mutex::new(Vec::new()),
        });
        let guarded = GuardedListener::new(flaky.clone());
        for step in [SyncStep::Session, SyncStep::Pushing, SyncStep::Done] {
            guarded.on_progress(progress(step));
        }
        assert_eq!(guarded.failures(), 1);
        assert_eq!(
            *flaky.seen.lock().unwrap(),
            vec![SyncStep::Session, SyncStep::Done]
        );
    }
}
