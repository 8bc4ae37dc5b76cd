/*
 * Who uses the app: logging in (NIK for citizens, user name for nagari operators),
 * registering a citizen account, proving that its NIK is the citizen's own, several accounts
 * on one phone, logging out.
 */
package id.ceria.ui.account

import id.ceria.core.model.Account
import id.ceria.core.CeriaClientInterface
import id.ceria.core.model.Role
import id.ceria.core.validateNik
import id.ceria.ui.common.CoreRunner
import id.ceria.ui.common.Message
import id.ceria.ui.common.Outcome
import id.ceria.ui.common.UiError
import id.ceria.ui.common.bilingual
import id.ceria.ui.common.toMessage
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch

/** Which home screen the app shows. */
enum class Mode {
    /** Nobody logged in: the login / register screen. */
    SIGNED_OUT,

    /** A citizen: catalog, own requests. */
    CITIZEN,

    /** A nagari operator: submits for several citizens of their village. */
    OPERATOR,

    /** Registry staff: they work in the registry's web console, not in this app. */
    STAFF,
}

/** The session screen state. */
data class SessionState(
    /** Accounts on this phone. */
    val accounts: List<Account> = emptyList(),
    /** The account in use. */
    val current: Account? = null,
    /** True while a call runs. */
    val busy: Boolean = false,
    /** The last failure (wrong password, offline, NIK taken ...). */
    val error: UiError? = null,
    /**
     * Messages per field of registration (`nik`, `name`, `phone`, `password`) or of the
     * identity check (`nomor_kk`, `birth_date`, `mother_name`).
     */
    val fieldMessages: Map<String, List<Message>> = emptyMap(),
    /** The current citizen account's identity and what to do; null for staff. */
    val identity: IdentityNotice? = null,
) {
    /** The home screen to show. */
    val mode: Mode
        get() = when (current?.role) {
            null -> Mode.SIGNED_OUT
            Role.CITIZEN -> Mode.CITIZEN
            Role.OPERATOR -> Mode.OPERATOR
            Role.OFFICER, Role.ADMIN -> Mode.STAFF
        }

    /** True when the current account's session was refused: ask for the password again. */
    val mustLogInAgain: Boolean get() = current?.needsLogin == true
}

/** Screen model of accounts. */
class SessionModel(
    private val client: CeriaClientInterface,
    private val runner: CoreRunner,
    private val scope: CoroutineScope,
) {
    private val _state = MutableStateFlow(SessionState())

    /** The state. */
    val state: StateFlow<SessionState> = _state.asStateFlow()

    /** Reads the accounts on this phone (at start-up and after a sync). */
    fun refresh(): Job = scope.launch { reload() }

    /** Logs in with a NIK (citizen) or a user name (operator). */
    fun login(username: String, password: String): Job = scope.launch {
        _state.update { it.copy(busy = true, error = null) }
        when (val r = runner.call { client.login(username, password) }) {
            is Outcome.Failed -> _state.update { it.copy(busy = false, error = r.error) }
            is Outcome.Ok -> reload()
        }
    }

    /** Checks a NIK as it is typed on the registration screen (no network needed). */
    fun checkNik(nik: String): Job = scope.launch {
        val messages = when (val r = runner.call { validateNik(nik, null, null) }) {
            is Outcome.Ok -> r.value.map { it.toMessage() }
            is Outcome.Failed -> emptyList()
        }
        _state.update { it.copy(fieldMessages = it.fieldMessages + ("nik" to messages)) }
    }

    /** Registers a citizen account and logs it in; the server's issues land on their fields. */
    fun register(nik: String, name: String, phone: String, password: String): Job = scope.launch {
        _state.update { it.copy(busy = true, error = null, fieldMessages = emptyMap()) }
        when (val r = runner.call { client.register(nik, name, phone, password) }) {
            is Outcome.Failed -> showFailure(r.error)
            is Outcome.Ok -> reload()
        }
    }

    /**
     * Proves that the current citizen account's NIK is the person's own with the facts of the
     * population register: No. KK, birth date (`YYYY-MM-DD`) and mother's name. On a match the
     * account becomes verified and the next sync brings the requests staff filed for the NIK;
     * a miss says how many attempts are left (`identity.mismatch`), unreadable facts land on
     * their fields.
     */
    fun proveIdentity(nomorKk: String, birthDate: String, motherName: String): Job = scope.launch {
        _state.update { it.copy(busy = true, error = null, fieldMessages = emptyMap()) }
        when (val r = runner.call { client.proveIdentity(nomorKk, birthDate, motherName) }) {
            is Outcome.Failed -> showFailure(r.error)
            is Outcome.Ok -> reload()
        }
    }

    /** Makes another account on this phone the current one. */
    fun switchTo(accountId: String): Job = scope.launch {
        when (val r = runner.call { client.switchAccount(accountId) }) {
            is Outcome.Failed -> _state.update { it.copy(error = r.error) }
            is Outcome.Ok -> reload()
        }
    }

    /** Logs [accountId] out and wipes its data from the phone (works offline). */
    fun logout(accountId: String): Job = scope.launch {
        when (val r = runner.call { client.logout(accountId) }) {
            is Outcome.Failed -> _state.update { it.copy(error = r.error) }
            is Outcome.Ok -> reload()
        }
    }

    /** Dismisses the error shown. */
    fun dismissError() {
        _state.update { it.copy(error = null) }
    }

    /** Shows a failed call, with the server's issues on their fields. */
    private fun showFailure(error: UiError) {
        _state.update { it.copy(busy = false, error = error, fieldMessages = error.issues.groupBy { m -> m.target ?: "" }) }
    }

    private suspend fun reload() {
        val accounts = runner.call { client.accounts() }
        val current = runner.call { client.currentAccount() }
        val identity = (current as? Outcome.Ok)?.value?.identity?.let { state ->
            IdentityNotice(state, client.identityMessage(state).bilingual())
        }
        _state.update {
            it.copy(
                accounts = (accounts as? Outcome.Ok)?.value.orEmpty(),
                current = (current as? Outcome.Ok)?.value,
                identity = identity,
                busy = false,
                error = (accounts as? Outcome.Failed)?.error ?: (current as? Outcome.Failed)?.error,
            )
        }
    }
}
