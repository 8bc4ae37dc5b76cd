// Coroutine helpers over the generated UniFFI bindings of the Ceria core, shared by the JVM
// tests (tests/kotlin) and the Android app. Thin on purpose: every call still goes to the one
// generated `CeriaClient`; these only move blocking calls to Dispatchers.IO, tie coroutine
// cancellation to `cancelSync()`, and expose sync progress as a Flow.
package id.ceria.core

import id.ceria.core.model.SyncListener
import id.ceria.core.model.SyncProgress
import id.ceria.core.model.SyncReport
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.channelFlow
import kotlinx.coroutines.withContext

/**
 * Runs blocking client calls on [Dispatchers.IO]:
 * `val account = client.io { login(nik, password) }`.
 * Errors arrive as the usual [id.ceria.core.model.CeriaException].
 */
suspend fun <T> CeriaClientInterface.io(block: CeriaClientInterface.() -> T): T =
    withContext(Dispatchers.IO) { block() }

/**
 * One sync pass as a suspend call on [Dispatchers.IO]. Cancelling the calling coroutine
 * cancels the pass (`cancelSync()`): it stops at its next safe point, keeping what was done.
 *
 * @param listener progress callback, called on the syncing thread (keep it quick).
 * @throws id.ceria.core.model.CeriaException as [CeriaClientInterface.sync].
 */
suspend fun CeriaClientInterface.syncAwait(listener: SyncListener? = null): SyncReport =
    coroutineScope {
        val pass = async(Dispatchers.IO) { sync(listener) }
        try {
            pass.await()
        } catch (e: CancellationException) {
            // The blocking pass does not see coroutine cancellation; ask the core to stop it.
            cancelSync()
            throw e
        }
    }

/** What a sync pass reports through [syncEvents]. */
sealed interface SyncEvent {
    /** A step started or advanced. */
    data class Progress(val progress: SyncProgress) : SyncEvent

    /** The pass finished; the last event of the flow. */
    data class Finished(val report: SyncReport) : SyncEvent
}

/**
 * Runs one sync pass when collected: progress events (conflated: a slow collector sees the
 * latest), then [SyncEvent.Finished] with the report. A failed pass ends the flow with its
 * [id.ceria.core.model.CeriaException]; cancelling the collector cancels the pass.
 */
fun CeriaClientInterface.syncEvents(): Flow<SyncEvent> {
    val client = this
    return channelFlow {
        val listener = object : SyncListener {
            override fun onProgress(progress: SyncProgress) {
                trySend(SyncEvent.Progress(progress))
            }
        }
        val report = client.syncAwait(listener)
        send(SyncEvent.Finished(report))
    }.buffer(Channel.CONFLATED)
}
