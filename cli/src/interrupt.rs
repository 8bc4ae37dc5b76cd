//! Ctrl-C during `ceria device sync`. The first press cancels the pass cooperatively: the
//! engine stops at its next step boundary (between chunks, operations, pages), so every byte
//! and operation the server already confirmed stays confirmed and the next sync resumes from
//! there. A second press quits at once, which is also safe: the store is crash-safe, it only
//! loses the chunk in flight.

use ceria_core::CancelToken;

/// Exit status after Ctrl-C (128 + SIGINT, as shells report it).
pub const INTERRUPTED: u8 = 130;

/// Cancels `token` on the first Ctrl-C and exits with [`INTERRUPTED`] on the second.
///
/// The watcher is a detached thread with its own small runtime; when the command ends the
/// process ends with it. If the handler cannot be installed, Ctrl-C keeps its default effect
/// (the process dies at once), which the store tolerates.
pub fn cancel_on_ctrl_c(token: CancelToken) {
    let watcher = move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        runtime.block_on(async {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            token.cancel();
            complain!(
                "Menghentikan setelah langkah ini... (Ctrl-C lagi untuk keluar sekarang) / \
                 stopping after this step... (Ctrl-C again to quit now)"
            );
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(i32::from(INTERRUPTED));
            }
        });
    };
    // Without the thread there is no graceful stop, but Ctrl-C still ends the process.
    let _ = std::thread::Builder::new()
        .name("ctrl-c".into())
        .spawn(watcher);
}
