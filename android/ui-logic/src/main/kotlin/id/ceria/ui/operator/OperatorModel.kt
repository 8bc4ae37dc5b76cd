/*
 * Nagari-operator mode: the operator of a village office files requests for several citizens
 * (each identified by NIK) from one phone, and follows them per citizen.
 */
package id.ceria.ui.operator

import id.ceria.core.CeriaClientInterface
import id.ceria.core.validateNik
import id.ceria.ui.common.CoreRunner
import id.ceria.ui.common.Level
import id.ceria.ui.common.Message
import id.ceria.ui.common.Outcome
import id.ceria.ui.common.UiError
import id.ceria.ui.common.toMessage
import id.ceria.ui.requests.RequestRow
import id.ceria.ui.requests.toRow
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** The requests filed for one citizen. */
data class CitizenRequests(
    /** The citizen's NIK. */
    val nik: String,
    /** Their requests, newest first. */
    val requests: List<RequestRow>,
) {
    /** How many need fixing. */
    val needingAction: Int get() = requests.count { it.needsAction }
}

/** The operator home screen. */
data class OperatorState(
    /** The NIK typed for the next citizen. */
    val nik: String = "",
    /** What is wrong with it (checked offline by the core). */
    val nikMessages: List<Message> = emptyList(),
    /** The operator's village code (requests are filed there). */
    val village: String? = null,
    /** Requests per citizen, citizens with something to fix first. */
    val citizens: List<CitizenRequests> = emptyList(),
    /** A failure to show. */
    val error: UiError? = null,
) {
    /** True when the typed NIK may be used to start a form (no error, 16 digits). */
    val canStart: Boolean
        get() = nik.length == 16 && nikMessages.none { it.level == Level.ERROR }
}

/** Screen model of operator mode; forms are [id.ceria.ui.form.FormModel]s started with the NIK. */
class OperatorModel(
    private val client: CeriaClientInterface,
    private val runner: CoreRunner,
    private val scope: CoroutineScope,
) {
    private val _state = MutableStateFlow(OperatorState())

    /** The state. */
    val state: StateFlow<OperatorState> = _state.asStateFlow()

    /** Sets the citizen's NIK (spaces removed) and checks it. */
    fun enterNik(input: String): Job {
        val nik = input.filterNot { it.isWhitespace() }
        _state.update { it.copy(nik = nik) }
        return scope.launch {
            val messages = when (val r = runner.call { validateNik(nik, null, null) }) {
                is Outcome.Ok -> r.value.map { it.toMessage() }
                is Outcome.Failed -> listOf(Message(r.error.code, Level.ERROR, r.error.text, "nik"))
            }
            _state.update { if (it.nik == nik) it.copy(nikMessages = messages) else it }
        }
    }

    /** Reloads the requests filed from this phone, grouped by citizen. */
    fun refresh(): Job = scope.launch {
        val loaded = runner.call {
            val village = client.currentAccount()?.village
            val rows = client.requests().map { summary ->
                val nik = client.request(summary.id).onBehalfOf.orEmpty()
                nik to summary.toRow(client)
            }
            village to rows
        }
        when (loaded) {
            is Outcome.Failed -> _state.update { it.copy(error = loaded.error) }
            is Outcome.Ok -> {
                val (village, rows) = loaded.value
                val citizens = rows.groupBy({ it.first }, { it.second })
                    .map { (nik, list) -> CitizenRequests(nik, list.sortedByDescending { it.updatedMs }) }
                    .sortedWith(
                        compareByDescending<CitizenRequests> { it.needingAction }
                            .thenByDescending { c -> c.requests.maxOfOrNull { it.updatedMs } ?: 0L },
                    )
                _state.update { it.copy(village = village, citizens = citizens, error = null) }
            }
        }
    }
}
