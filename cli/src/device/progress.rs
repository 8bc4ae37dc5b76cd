//! Progress bars for a device sync pass (indicatif, on stderr): bytes uploaded of the total
//! and operations pushed of the total. Bars appear only on a terminal; elsewhere (scripts,
//! tests) nothing is drawn and the final report says the same in one line.

use ceria_core::{SyncListener, SyncProgress, SyncStep};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::{Mutex, OnceLock};

/// A [`SyncListener`] that draws the pass's progress.
pub struct SyncBars {
    multi: MultiProgress,
    upload: OnceLock<ProgressBar>,
    push: OnceLock<ProgressBar>,
    /// The largest figures seen, so a summary can be read back after the pass.
    seen: Mutex<Seen>,
}

/// The last figures reported by the engine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seen {
    /// Upload bytes confirmed.
    pub bytes_sent: u64,
    /// Upload bytes to send.
    pub bytes_total: u64,
    /// Operations answered.
    pub operations_pushed: u32,
    /// Operations to push.
    pub operations_total: u32,
    /// Progress events received.
    pub events: u32,
}

impl std::fmt::Debug for SyncBars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncBars").finish_non_exhaustive()
    }
}

impl Default for SyncBars {
    fn default() -> Self {
        SyncBars::new(ProgressDrawTarget::stderr())
    }
}

fn style(template: &str) -> ProgressStyle {
    // The templates are constants; a bad one falls back to the default bar.
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl SyncBars {
    /// Bars drawn on `target` (hidden when it is not a terminal).
    pub fn new(target: ProgressDrawTarget) -> SyncBars {
        SyncBars {
            multi: MultiProgress::with_draw_target(target),
            upload: OnceLock::new(),
            push: OnceLock::new(),
            seen: Mutex::new(Seen::default()),
        }
    }

    fn upload_bar(&self) -> &ProgressBar {
        self.upload.get_or_init(|| {
            let bar = self.multi.add(ProgressBar::new(0));
            bar.set_style(style(
                "  unggah/upload  [{bar:32}] {bytes}/{total_bytes} {bytes_per_sec}",
            ));
            bar
        })
    }

    fn push_bar(&self) -> &ProgressBar {
        self.push.get_or_init(|| {
            let bar = self.multi.add(ProgressBar::new(0));
            bar.set_style(style(
                "  kirim/push     [{bar:32}] {pos}/{len} operasi/operations",
            ));
            bar
        })
    }

    /// The figures seen so far.
    pub fn seen(&self) -> Seen {
        *self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Completes the bars that were shown.
    pub fn finish(&self) {
        for bar in [self.upload.get(), self.push.get()].into_iter().flatten() {
            bar.finish();
        }
    }
}

impl SyncListener for SyncBars {
    fn on_progress(&self, p: SyncProgress) {
        {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            seen.bytes_sent = seen.bytes_sent.max(p.bytes_sent);
            seen.bytes_total = seen.bytes_total.max(p.bytes_total);
            seen.operations_pushed = seen.operations_pushed.max(p.operations_pushed);
            seen.operations_total = seen.operations_total.max(p.operations_total);
            seen.events = seen.events.saturating_add(1);
        }
        match p.step {
            SyncStep::Uploading if p.bytes_total > 0 => {
                let bar = self.upload_bar();
                bar.set_length(p.bytes_total);
                bar.set_position(p.bytes_sent.min(p.bytes_total));
            }
            SyncStep::Pushing if p.operations_total > 0 => {
                let bar = self.push_bar();
                bar.set_length(u64::from(p.operations_total));
                bar.set_position(u64::from(p.operations_pushed.min(p.operations_total)));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(step: SyncStep, sent: u64, total: u64, pushed: u32, ops: u32) -> SyncProgress {
        SyncProgress {
            step,
            account_id: "a".into(),
            bytes_sent: sent,
            bytes_total: total,
            operations_pushed: pushed,
            operations_total: ops,
            changes_pulled: 0,
        }
    }

    #[test]
    fn bars_follow_the_engine() {
        let bars = SyncBars::new(ProgressDrawTarget::hidden());
        bars.on_progress(event(SyncStep::Session, 0, 0, 0, 0));
        assert!(
            bars.upload.get().is_none(),
            "no bar before there is something to upload"
        );
        bars.on_progress(event(SyncStep::Uploading, 262_144, 800_000, 0, 1));
        bars.on_progress(event(SyncStep::Uploading, 800_000, 800_000, 0, 1));
        bars.on_progress(event(SyncStep::Pushing, 800_000, 800_000, 1, 1));
        bars.finish();
        let up = bars.upload.get().unwrap();
        assert_eq!((up.position(), up.length()), (800_000, Some(800_000)));
        let push = bars.push.get().unwrap();
        assert_eq!((push.position(), push.length()), (1, Some(1)));
        let seen = bars.seen();
        assert_eq!(
            (seen.bytes_sent, seen.operations_pushed, seen.events),
            (800_000, 1, 4)
        );
    }
}
