/*
 * One request's page: status timeline, tracking code, what to fix when it came back, and where
 * to collect the document when it is done.
 */
package id.ceria.ui.requests

import id.ceria.core.CeriaClientInterface
import id.ceria.core.model.LocalState
import id.ceria.core.model.RequestInfo
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

/** One step of the timeline. */
data class TimelineStep(
    /** The state entered. */
    val state: LocalState,
    /** Its catalog label (null for device-only states: the app words those). */
    val label: Bilingual?,
    /** When, ms since the Unix epoch. */
    val atMs: Long,
    /** True when the registry or nagari took the step; false for steps on this phone. */
    val fromServer: Boolean,
    /** Why, when the step carries a message code (worded by the catalog). */
    val explanation: Bilingual?,
    /** What the reviewer wrote, if anything. */
    val note: String?,
)

/** One thing to fix before sending again. */
data class Fix(
    /** The field or document it concerns (null: the request as a whole). */
    val target: String?,
    /** That field's or document's label. */
    val targetLabel: Bilingual?,
    /** What to do: the reviewer's words (as written), or the catalog's message. */
    val text: Bilingual,
    /** The message code, for fixes found by validation (null for a reviewer's remark). */
    val code: String?,
)

/** Where and how to get the finished document. */
data class Pickup(
    /** The document number (e.g. of the certificate). */
    val documentNumber: String,
    /** Where and how to collect it, as the registry wrote it. */
    val instructions: String,
)

/** Why a request has not left the phone yet. */
data class Waiting(
    /** The last send failure, for "will try again". */
    val lastError: String?,
    /** When the next attempt is due, ms since the Unix epoch. */
    val nextAttemptMs: Long?,
)

/** What the request page shows. */
data class RequestDetail(
    /** Local id. */
    val id: String,
    /** Service id. */
    val serviceId: String,
    /** Service name. */
    val serviceName: Bilingual,
    /** Where it stands. */
    val state: LocalState,
    /** The state's catalog label (null for device-only states). */
    val stateLabel: Bilingual?,
    /** The receipt code, once accepted: quote it when asking at the office. */
    val trackingCode: String?,
    /** Timeline, oldest first. */
    val timeline: List<TimelineStep>,
    /** What to fix (when returned or refused). */
    val fixes: List<Fix>,
    /** Collection details (when completed). */
    val pickup: Pickup?,
    /** The reviewer's last note (e.g. the reason of a refusal). */
    val note: String?,
    /** Set while it waits to be sent. */
    val waiting: Waiting?,
    /** True when it can be cancelled now. */
    val canCancel: Boolean,
    /** True when it can be fixed now ([RequestDetailModel] opens the draft via the form). */
    val canRevise: Boolean,
    /** True while a cancellation waits to be sent. */
    val cancelPending: Boolean,
    /** For operators: the citizen it was filed for. */
    val onBehalfOf: String?,
    /** Number of attached pages. */
    val attachmentCount: Int,
) {
    companion object {
        /** Builds the page from the core's request, labels from [client]'s catalog. */
        fun of(info: RequestInfo, client: CeriaClientInterface): RequestDetail {
            val service = client.service(info.service)
            fun labelOf(target: String?): Bilingual? = target?.let { t ->
                service?.fields?.firstOrNull { it.id == t }?.label?.bilingual()
                    ?: service?.attachments?.firstOrNull { it.id == t }?.label?.bilingual()
            }
            val reasons = info.reasons.map { Fix(it.target, labelOf(it.target), Bilingual(it.message, it.message), null) }
            val issues = info.issues.map {
                val target = it.field ?: it.params["attachment"]
                Fix(target, labelOf(target), Bilingual(it.messageId, it.messageEn), it.code)
            }
            val waiting = if (info.state.isLocalOnly() || info.lastError != null) {
                Waiting(info.lastError, info.nextAttemptMs)
            } else {
                null
            }
            return RequestDetail(
                id = info.id,
                serviceId = info.service,
                serviceName = serviceName(client, info.service),
                state = info.state,
                stateLabel = stateLabel(client, info.state),
                trackingCode = info.trackingCode,
                timeline = info.timeline.map { step ->
                    TimelineStep(
                        state = step.state,
                        label = stateLabel(client, step.state),
                        atMs = step.atMs,
                        fromServer = step.fromServer,
                        explanation = step.code?.let { client.message(it, emptyMap()).bilingual() },
                        note = step.note,
                    )
                },
                fixes = if (info.state.needsAction()) reasons + issues else emptyList(),
                pickup = info.document?.takeIf { info.state == LocalState.COMPLETED }
                    ?.let { Pickup(it.number, it.pickup) },
                note = info.note,
                waiting = waiting,
                canCancel = info.canCancel,
                canRevise = info.canRevise,
                cancelPending = info.cancelPending,
                onBehalfOf = info.onBehalfOf,
                attachmentCount = info.attachments.size,
            )
        }
    }
}

/** What the detail screen shows. */
data class RequestDetailState(
    /** The request, once loaded. */
    val detail: RequestDetail? = null,
    /** True while loading or acting. */
    val busy: Boolean = false,
    /** A failure to show (e.g. `request.not_cancellable`). */
    val error: UiError? = null,
)

/** Screen model of one request. Call [refresh] on entry and after every sync. */
class RequestDetailModel(
    private val client: CeriaClientInterface,
    private val runner: CoreRunner,
    private val scope: CoroutineScope,
    /** The request's local id. */
    val requestId: String,
) {
    private val _state = MutableStateFlow(RequestDetailState())

    /** The screen state. */
    val state: StateFlow<RequestDetailState> = _state.asStateFlow()

    /** Reloads the request. */
    fun refresh(): Job = scope.launch {
        _state.update { it.copy(busy = true) }
        show(runner.call { client.request(requestId) })
    }

    /** Withdraws the request (at once if it never left the phone, else with the next sync). */
    fun cancel(): Job = scope.launch {
        _state.update { it.copy(busy = true, error = null) }
        show(runner.call { client.cancel(requestId) })
    }

    /** Dismisses the error shown. */
    fun dismissError() {
        _state.update { it.copy(error = null) }
    }

    private fun show(result: Outcome<RequestInfo>) {
        when (result) {
            is Outcome.Failed -> _state.update { it.copy(busy = false, error = result.error) }
            is Outcome.Ok -> _state.value = RequestDetailState(detail = RequestDetail.of(result.value, client))
        }
    }
}
