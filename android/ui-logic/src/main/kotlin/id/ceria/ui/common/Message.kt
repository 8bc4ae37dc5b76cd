/*
 * A message a person reads (validation issue, error, reviewer remark), with its stable code.
 */
package id.ceria.ui.common

/** How serious a [Message] is. */
enum class Level {
    /** Informs; nothing is blocked (a late registration, for example). */
    WARNING,

    /** Must be fixed before the request can be sent. */
    ERROR,
}

/** One message worded in both languages, with the stable machine [code] it came from. */
data class Message(
    /** Stable code, e.g. `nik.length`; tests and analytics branch on it, never on wording. */
    val code: String,
    /** Error or warning. */
    val level: Level,
    /** The wording in both languages, from the catalog's `messages`. */
    val text: Bilingual,
    /** The field or attachment requirement it concerns, if any. */
    val target: String? = null,
) {
    /** The wording in [language]. */
    fun text(language: Language): String = text.text(language)
}
