/*
 * Screen model of the sync banner and the "sync now" button. It follows the network (the app
 * feeds it from ConnectivityManager) and syncs as soon as the phone comes online with requests
 * waiting.
 */
package id.ceria.ui.sync

import id.ceria.core.CeriaClientInterface
import id.ceria.core.model.SyncListener
import id.ceria.core.model.SyncProgress
import id.ceria.core.model.SyncStep
import id.ceria.ui.common.CoreRunner
import id.ceria.ui.common.ErrorKind
import id.ceria.ui.common.Outcome
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** The banner and what the last pass did. */
data class SyncState(
    /** What the banner says. */
    val banner: SyncBanner = SyncBanner.UpToDate(null),
    /** True while a pass runs (the button is disabled). */
    val running: Boolean = false,
    /** The last finished pass; screens refresh their lists when it changes. */
    val lastRun: SyncRun? = null,
)

/**
 * Drives the banner. [online] is the network as the OS sees it; [clock] gives ms since the
 * Unix epoch (for "up to date since").
 */
class SyncModel(
    private val client: CeriaClientInterface,
    private val runner: CoreRunner,
    private val scope: CoroutineScope,
    private val online: StateFlow<Boolean>,
    private val clock: () -> Long = System::currentTimeMillis,
) {
    private val sync = BackgroundSync(client, runner)
    private val _state = MutableStateFlow(SyncState())
    private var pendingAtStart = 0
    private var current: Job? = null

    /** The banner state. */
    val state: StateFlow<SyncState> = _state.asStateFlow()

    init {
        scope.launch {
            online.collect { isOnline ->
                val pending = sync.pending()
                if (isOnline && pending > 0) {
                    syncNow()
                } else if (!_state.value.running) {
                    val banner = idle(pending, isOnline)
                    _state.update { it.copy(banner = banner) }
                }
            }
        }
    }

    /** Recomputes the banner from the store (after finalising a request, for example). */
    fun refresh(): Job = scope.launch {
        if (_state.value.running) return@launch
        val banner = idle(sync.pending(), online.value)
        _state.update { it.copy(banner = banner) }
    }

    /** Starts a pass now, unless one is running (then that one's [Job] is returned). */
    fun syncNow(): Job {
        current?.takeIf { it.isActive }?.let { return it }
        val job = scope.launch {
            pendingAtStart = sync.pending()
            _state.update {
                it.copy(running = true, banner = SyncBanner.Sending(SyncStep.SESSION, 0, pendingAtStart, 0, 0))
            }
            val run = sync.run(listener)
            _state.value = SyncState(banner = after(run), running = false, lastRun = run)
        }
        current = job
        return job
    }

    /** Stops the running pass at its next safe point; what was sent stays sent. */
    fun cancel() {
        client.cancelSync()
    }

    private val listener = object : SyncListener {
        override fun onProgress(progress: SyncProgress) {
            // Called on the syncing thread; StateFlow updates are thread-safe.
            _state.update {
                if (!it.running) {
                    it
                } else {
                    it.copy(
                        banner = SyncBanner.Sending(
                            step = progress.step,
                            sent = progress.operationsPushed.toInt(),
                            total = maxOf(progress.operationsTotal.toInt(), pendingAtStart),
                            bytesSent = progress.bytesSent.toLong(),
                            bytesTotal = progress.bytesTotal.toLong(),
                        ),
                    )
                }
            }
        }
    }

    private suspend fun after(run: SyncRun): SyncBanner = when (val o = run.outcome) {
        is SyncOutcome.Done -> if (run.pending == 0) {
            SyncBanner.UpToDate(clock())
        } else {
            SyncBanner.Waiting(run.pending, o.report.nextRetryMs, null)
        }
        is SyncOutcome.RetryLater ->
            if (o.error.kind == ErrorKind.OFFLINE) {
                SyncBanner.Offline(run.pending)
            } else {
                SyncBanner.Waiting(run.pending, null, o.error)
            }
        is SyncOutcome.LoginNeeded -> SyncBanner.LoginNeeded(run.pending, o.error)
        is SyncOutcome.Stopped ->
            if (o.error.kind == ErrorKind.CANCELLED) {
                idle(run.pending, online.value)
            } else {
                SyncBanner.Broken(o.error)
            }
    }

    private suspend fun idle(pending: Int, isOnline: Boolean): SyncBanner {
        val account = when (val acc = runner.call { client.currentAccount() }) {
            is Outcome.Ok -> acc.value
            is Outcome.Failed -> null
        }
        return when {
            !isOnline -> SyncBanner.Offline(pending)
            // Until the person logs in again nothing can be sent: say so, not "waiting".
            account?.needsLogin == true -> SyncBanner.LoginNeeded(pending, null)
            pending > 0 -> SyncBanner.Waiting(pending, null, null)
            else -> SyncBanner.UpToDate(account?.lastSyncMs)
        }
    }
}
