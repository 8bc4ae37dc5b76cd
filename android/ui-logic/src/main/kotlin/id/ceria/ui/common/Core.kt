/*
 * How screen models call the core: off the main thread, with failures turned into values.
 */
package id.ceria.ui.common

import id.ceria.core.model.CeriaException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.withContext

/** The outcome of a core call: its value or a [UiError]. */
sealed interface Outcome<out T> {
    /** The call succeeded. */
    data class Ok<T>(val value: T) : Outcome<T>

    /** The call failed; [error] says why, worded. */
    data class Failed(val error: UiError) : Outcome<Nothing>
}

/**
 * Runs blocking core calls on [io] (the core does disk and network I/O on the calling
 * thread). Screen models hold one and never call the client from the main thread.
 */
class CoreRunner(
    /** The dispatcher for blocking calls (`Dispatchers.IO` in the app). */
    val io: CoroutineDispatcher,
) {
    /** Runs [block] on [io]; a [CeriaException] becomes [Outcome.Failed]. */
    suspend fun <T> call(block: () -> T): Outcome<T> = withContext(io) {
        try {
            Outcome.Ok(block())
        } catch (e: CeriaException) {
            Outcome.Failed(UiError.from(e))
        }
    }
}
