//! `ceria device sync`: sync passes with progress bars, repeated until nothing waits (or a
//! time limit), Ctrl-C stopping the current pass at its next step.

use super::progress::{Seen, SyncBars};
use crate::exit::{self, Failure};
use crate::interrupt;
use ceria_core::{CancelToken, Device, SyncListener, SyncReport, now_ms};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Runs one sync pass with progress bars; `cancel` stops it at the next step.
pub fn sync_with_bars(
    device: &Device,
    cancel: &CancelToken,
) -> Result<(ceria_core::SyncReport, Seen), Failure> {
    let bars = Arc::new(SyncBars::default());
    let listener: Arc<dyn SyncListener> = bars.clone();
    let result = device.sync(Some(listener), cancel);
    bars.finish();
    let report = result.map_err(|e| {
        let interrupted = matches!(e, ceria_core::DeviceError::Cancelled { .. });
        let mut failure = Failure::from(e);
        if interrupted {
            failure.status = interrupt::INTERRUPTED;
        }
        failure
    })?;
    Ok((report, bars.seen()))
}

/// Sleeps for `pause`, waking early when `cancel` fires (Ctrl-C between passes).
fn sleep_unless_cancelled(
    device: &Device,
    pause: Duration,
    cancel: &CancelToken,
) -> Result<(), Failure> {
    let until = Instant::now() + pause;
    loop {
        if cancel.is_cancelled() {
            let catalog = device.catalog();
            return Err(Failure::coded(
                interrupt::INTERRUPTED,
                &catalog,
                "sync.cancelled",
                &[],
            ));
        }
        let now = Instant::now();
        if now >= until {
            return Ok(());
        }
        std::thread::sleep((until - now).min(Duration::from_millis(100)));
    }
}

/// Adds a later pass's figures to `total` (counts add up; the waiting state is the later's).
fn merge(total: &mut SyncReport, pass: SyncReport) {
    total.accounts_synced = total.accounts_synced.max(pass.accounts_synced);
    total.files_uploaded += pass.files_uploaded;
    total.bytes_uploaded += pass.bytes_uploaded;
    total.operations_pushed += pass.operations_pushed;
    total.accepted += pass.accepted;
    total.needs_fix += pass.needs_fix;
    total.conflicts += pass.conflicts;
    total.changes_pulled += pass.changes_pulled;
    total.catalog_updated |= pass.catalog_updated;
    total.pending_operations = pass.pending_operations;
    total.next_retry_ms = pass.next_retry_ms;
    total.needs_login = pass.needs_login;
    total.problems.extend(pass.problems);
}

/// Sync passes until nothing waits, or until `wait` is over (one pass without `wait`).
/// Ctrl-C stops the current pass at its next step and ends the command with status 130.
pub fn sync_until(device: &Device, wait: Option<Duration>) -> Result<SyncReport, Failure> {
    let cancel = CancelToken::new();
    interrupt::cancel_on_ctrl_c(cancel.clone());
    let deadline = wait.map(|w| Instant::now() + w);
    let mut total: Option<SyncReport> = None;
    loop {
        let pass = sync_with_bars(device, &cancel).map(|(report, _)| report);
        let now = Instant::now();
        let time_left = deadline.filter(|d| *d > now).map(|d| d - now);
        let pause = match (&pass, time_left) {
            (Ok(report), Some(left)) if report.pending_operations > 0 => {
                let until = report.next_retry_ms.unwrap_or(0);
                let ms = u64::try_from(until.saturating_sub(now_ms())).unwrap_or(0);
                Some(Duration::from_millis(ms.max(200)).min(left))
            }
            (Err(f), Some(left)) if f.status == exit::UNAVAILABLE => {
                Some(Duration::from_secs(1).min(left))
            }
            _ => None,
        };
        let report = match pass {
            Ok(report) => report,
            Err(f) if pause.is_some() => {
                complain!(
                    "{} (coba lagi / retrying)",
                    f.message.lines().next().unwrap_or("")
                );
                if let Some(p) = pause {
                    sleep_unless_cancelled(device, p, &cancel)?;
                }
                continue;
            }
            Err(f) => return Err(f),
        };
        match &mut total {
            Some(t) => merge(t, report),
            None => total = Some(report),
        }
        match pause {
            Some(p) => sleep_unless_cancelled(device, p, &cancel)?,
            None => break,
        }
    }
    total.ok_or_else(|| Failure::new(exit::INTERNAL, "sync: no pass ran"))
}
