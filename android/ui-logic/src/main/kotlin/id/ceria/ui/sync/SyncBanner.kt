/*
 * The sync banner at the top of every screen: offline, waiting, sending n of m, up to date.
 */
package id.ceria.ui.sync

import id.ceria.core.model.SyncStep
import id.ceria.ui.common.UiError

/** What the banner says; the app words each variant from its string resources. */
sealed interface SyncBanner {
    /** No network: [pending] requests wait on the phone and go out by themselves later. */
    data class Offline(val pending: Int) : SyncBanner

    /**
     * Online, but [pending] requests wait: the server failed or asked to wait ([reason]);
     * the next attempt is due at [nextRetryMs] (ms since the Unix epoch) when known.
     */
    data class Waiting(val pending: Int, val nextRetryMs: Long?, val reason: UiError?) : SyncBanner

    /**
     * A sync pass is running: [sent] of [total] requests sent so far; [fraction] (0..1) for a
     * progress bar while files upload or requests are sent, null while checking for news.
     */
    data class Sending(
        /** What the pass is doing. */
        val step: SyncStep,
        /** Requests sent so far in this pass. */
        val sent: Int,
        /** Requests to send in this pass. */
        val total: Int,
        /** File bytes the server has confirmed. */
        val bytesSent: Long,
        /** File bytes to upload. */
        val bytesTotal: Long,
    ) : SyncBanner {
        /** Progress for a determinate bar, or null for an indeterminate one. */
        val fraction: Float?
            get() = when {
                step == SyncStep.UPLOADING && bytesTotal > 0 -> (bytesSent.toFloat() / bytesTotal).coerceIn(0f, 1f)
                step == SyncStep.PUSHING && total > 0 -> (sent.toFloat() / total).coerceIn(0f, 1f)
                else -> null
            }
    }

    /** Nothing waits; [lastSyncMs] is the last complete sync, when there was one. */
    data class UpToDate(val lastSyncMs: Long?) : SyncBanner

    /** The server refused the session: the person must log in again before anything is sent. */
    data class LoginNeeded(val pending: Int, val reason: UiError?) : SyncBanner

    /** Something only an app update fixes (the server speaks a newer protocol). */
    data class Broken(val reason: UiError) : SyncBanner
}
