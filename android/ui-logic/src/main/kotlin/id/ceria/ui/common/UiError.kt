/*
 * Failures of core calls, as a screen shows them: worded by the core in both languages, with
 * the stable code and what the person can do about it.
 */
package id.ceria.ui.common

import id.ceria.core.model.CeriaException

/** What kind of failure this is: decides what the screen offers (retry, log in, fix). */
enum class ErrorKind {
    /** No network or too slow; everything is kept and sent later. */
    OFFLINE,

    /** The registry server had a problem; try later. */
    SERVER,

    /** The person must log in (again). */
    LOGIN_REQUIRED,

    /** The input does not validate; [UiError.issues] says what to fix. */
    VALIDATION,

    /** The thing asked for is gone. */
    NOT_FOUND,

    /** Not possible now (e.g. cancelling a request already in process). */
    NOT_ALLOWED,

    /** The phone's storage failed (full, damaged). */
    STORAGE,

    /** The app must be updated to talk to the server. */
    UPDATE_APP,

    /** The person or the app cancelled it. */
    CANCELLED,

    /** A defect in the app; reported, never expected. */
    INTERNAL,
}

/** A failed core call, ready to show. */
data class UiError(
    /** Stable code, e.g. `sync.offline`, `draft.invalid`. */
    val code: String,
    /** What kind of failure. */
    val kind: ErrorKind,
    /** The wording from the catalog. */
    val text: Bilingual,
    /** What to fix, for [ErrorKind.VALIDATION]. */
    val issues: List<Message> = emptyList(),
) {
    /** The wording in [language]. */
    fun text(language: Language): String = text.text(language)

    /** True when trying again later can succeed without the person changing anything. */
    val retryable: Boolean
        get() = kind == ErrorKind.OFFLINE || kind == ErrorKind.SERVER

    companion object {
        /** Maps the bindings' exception to what a screen shows. */
        fun from(e: CeriaException): UiError = when (e) {
            is CeriaException.Offline -> UiError(e.code, ErrorKind.OFFLINE, Bilingual(e.messageId, e.messageEn))
            is CeriaException.Server -> UiError(e.code, ErrorKind.SERVER, Bilingual(e.messageId, e.messageEn))
            is CeriaException.Unauthorized ->
                UiError(e.code, ErrorKind.LOGIN_REQUIRED, Bilingual(e.messageId, e.messageEn))
            is CeriaException.Validation -> UiError(
                e.code,
                ErrorKind.VALIDATION,
                Bilingual(e.messageId, e.messageEn),
                e.issues.map { it.toMessage() },
            )
            is CeriaException.NotFound -> UiError(e.code, ErrorKind.NOT_FOUND, Bilingual(e.messageId, e.messageEn))
            is CeriaException.InvalidInput ->
                UiError(e.code, ErrorKind.NOT_ALLOWED, Bilingual(e.messageId, e.messageEn))
            is CeriaException.Storage -> UiError(e.code, ErrorKind.STORAGE, Bilingual(e.messageId, e.messageEn))
            is CeriaException.Protocol -> UiError(e.code, ErrorKind.UPDATE_APP, Bilingual(e.messageId, e.messageEn))
            is CeriaException.Cancelled -> UiError(e.code, ErrorKind.CANCELLED, Bilingual(e.messageId, e.messageEn))
            is CeriaException.Internal -> UiError(e.code, ErrorKind.INTERNAL, Bilingual(e.messageId, e.messageEn))
        }
    }
}
