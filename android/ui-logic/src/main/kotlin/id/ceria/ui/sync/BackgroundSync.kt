/*
 * One sync pass with its consequences: what to tell the worker (done, retry later, log in) and
 * which requests changed state (for notifications). The WorkManager worker and the "sync now"
 * button both run this.
 */
package id.ceria.ui.sync

import id.ceria.core.CeriaClientInterface
import id.ceria.core.model.SyncListener
import id.ceria.core.model.SyncReport
import id.ceria.ui.common.Bilingual
import id.ceria.ui.common.CoreRunner
import id.ceria.ui.common.ErrorKind
import id.ceria.ui.common.Outcome
import id.ceria.ui.common.UiError
import id.ceria.ui.requests.RequestRow
import id.ceria.ui.requests.StatusNotice
import id.ceria.ui.requests.StatusWatcher
import id.ceria.ui.requests.toRow

/** How a pass ended, as a scheduler needs to know it. */
sealed interface SyncOutcome {
    /** Finished; [report] says what was done (some requests may still wait for a retry). */
    data class Done(val report: SyncReport) : SyncOutcome

    /** Offline or the server failed: nothing lost, try again later (with backoff). */
    data class RetryLater(val error: UiError) : SyncOutcome

    /** The session is gone: only logging in again helps; do not retry by timer. */
    data class LoginNeeded(val error: UiError) : SyncOutcome

    /** Cancelled, or a failure retrying will not fix (an app update is needed). */
    data class Stopped(val error: UiError) : SyncOutcome
}

/** The result of [BackgroundSync.run]. */
data class SyncRun(
    /** How the pass ended. */
    val outcome: SyncOutcome,
    /** Requests whose state changed in a way worth a notification. */
    val notices: List<StatusNotice>,
    /** Requests still waiting to leave the phone after the pass. */
    val pending: Int,
)

/** Runs sync passes for [client]; blocking work goes to [runner]'s dispatcher. */
class BackgroundSync(
    private val client: CeriaClientInterface,
    private val runner: CoreRunner,
) {
    /** One pass; [listener] gets progress on the syncing thread. */
    suspend fun run(listener: SyncListener? = null): SyncRun {
        val before = snapshot()
        val outcome = when (val result = runner.call { client.sync(listener) }) {
            is Outcome.Ok -> {
                val report = result.value
                if (report.needsLogin.isNotEmpty() && report.accountsSynced == 0u) {
                    SyncOutcome.LoginNeeded(loginError())
                } else {
                    SyncOutcome.Done(report)
                }
            }
            is Outcome.Failed -> when (result.error.kind) {
                ErrorKind.OFFLINE, ErrorKind.SERVER -> SyncOutcome.RetryLater(result.error)
                ErrorKind.LOGIN_REQUIRED -> SyncOutcome.LoginNeeded(result.error)
                else -> SyncOutcome.Stopped(result.error)
            }
        }
        val after = snapshot()
        val notices = if (before == null || after == null) emptyList() else StatusWatcher.changes(before, after)
        return SyncRun(outcome, notices, after.orEmpty().count { it.waitingToSend })
    }

    /** Requests still waiting to leave the phone (0 when nobody is logged in). */
    suspend fun pending(): Int = snapshot().orEmpty().count { it.waitingToSend }

    private suspend fun snapshot(): List<RequestRow>? =
        when (val listed = runner.call { client.requests().map { it.toRow(client) } }) {
            is Outcome.Ok -> listed.value
            is Outcome.Failed -> null
        }

    private fun loginError(): UiError {
        val text = client.message("auth.session_expired", emptyMap())
        return UiError("auth.session_expired", ErrorKind.LOGIN_REQUIRED, Bilingual(text.id, text.en))
    }
}
