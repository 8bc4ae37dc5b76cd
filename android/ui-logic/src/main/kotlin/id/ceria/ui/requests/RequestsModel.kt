/*
 * "Permohonan saya": the current account's requests with where each stands.
 */
package id.ceria.ui.requests

import id.ceria.core.CeriaClientInterface
import id.ceria.core.model.LocalState
import id.ceria.core.model.RequestSummary
import id.ceria.ui.common.Bilingual
import id.ceria.ui.common.CoreRunner
import id.ceria.ui.common.Outcome
import id.ceria.ui.common.UiError
import id.ceria.ui.common.bilingual
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** One request in the list. */
data class RequestRow(
    /** Local id (open the detail with it). */
    val id: String,
    /** Service id. */
    val serviceId: String,
    /** Service name. */
    val serviceName: Bilingual,
    /** Where it stands. */
    val state: LocalState,
    /** The state's label from the catalog; null for states only on this phone (use the app's). */
    val stateLabel: Bilingual?,
    /** The receipt code, once the registry accepted it. */
    val trackingCode: String?,
    /** Last change, ms since the Unix epoch. */
    val updatedMs: Long,
) {
    /** True when the citizen must act (fix and send again). */
    val needsAction: Boolean get() = state.needsAction()

    /** True while it still waits to leave the phone. */
    val waitingToSend: Boolean get() = state.isLocalOnly()

    /** True when nothing more will happen to it. */
    val finished: Boolean get() = state.isFinal()
}

/** What the list shows. */
data class RequestsState(
    /** Requests, those needing action first, then newest first. */
    val rows: List<RequestRow> = emptyList(),
    /** True while loading. */
    val loading: Boolean = false,
    /** A failure to show. */
    val error: UiError? = null,
) {
    /** How many wait to be sent. */
    val waitingCount: Int get() = rows.count { it.waitingToSend }
}

/** Screen model of "Permohonan saya". Call [refresh] on entry and after every sync. */
class RequestsModel(
    private val client: CeriaClientInterface,
    private val runner: CoreRunner,
    private val scope: CoroutineScope,
) {
    private val _state = MutableStateFlow(RequestsState())

    /** The list state. */
    val state: StateFlow<RequestsState> = _state.asStateFlow()

    /** Reloads the list from the phone's store. */
    fun refresh(): Job = scope.launch {
        _state.update { it.copy(loading = true) }
        when (val listed = runner.call { client.requests() }) {
            is Outcome.Failed -> _state.update { it.copy(loading = false, error = listed.error) }
            is Outcome.Ok -> {
                val rows = listed.value.map { it.toRow(client) }
                    .sortedWith(compareByDescending<RequestRow> { it.needsAction }.thenByDescending { it.updatedMs })
                _state.value = RequestsState(rows = rows)
            }
        }
    }
}

/** The row for this summary. */
internal fun RequestSummary.toRow(client: CeriaClientInterface): RequestRow = RequestRow(
    id = id,
    serviceId = service,
    serviceName = serviceName(client, service),
    state = state,
    stateLabel = stateLabel(client, state),
    trackingCode = trackingCode,
    updatedMs = updatedMs,
)

/** The catalog name of [serviceId] (its id when an old request names a retired service). */
internal fun serviceName(client: CeriaClientInterface, serviceId: String): Bilingual =
    client.service(serviceId)?.name?.bilingual() ?: Bilingual(serviceId, serviceId)

/** The catalog's label of [state], or null when the catalog has none (device-only states). */
internal fun stateLabel(client: CeriaClientInterface, state: LocalState): Bilingual? {
    val label = client.stateLabel(state)
    return if (label.id == label.en && label.id == state.code()) null else label.bilingual()
}

/** The stable code of a state, as in the catalog's `states` (`needs_fix`, `completed`, ...). */
fun LocalState.code(): String = when (this) {
    LocalState.QUEUED -> "queued"
    LocalState.UPLOADING -> "uploading"
    LocalState.PUSHED -> "pushed"
    LocalState.NEEDS_FIX -> "needs_fix"
    LocalState.SUBMITTED -> "submitted"
    LocalState.VERIFIED -> "verified"
    LocalState.RETURNED -> "returned"
    LocalState.PROCESSING -> "processing"
    LocalState.COMPLETED -> "completed"
    LocalState.REJECTED -> "rejected"
    LocalState.CANCELLED -> "cancelled"
}

/** True for states in which the citizen has to fix the request. */
fun LocalState.needsAction(): Boolean = this == LocalState.RETURNED || this == LocalState.NEEDS_FIX

/** True for states of a request that has not yet been accepted by the server. */
fun LocalState.isLocalOnly(): Boolean =
    this == LocalState.QUEUED || this == LocalState.UPLOADING || this == LocalState.PUSHED

/** True for states nothing follows. */
fun LocalState.isFinal(): Boolean =
    this == LocalState.COMPLETED || this == LocalState.REJECTED || this == LocalState.CANCELLED
