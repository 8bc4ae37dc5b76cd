/*
 * The two languages of the app: Bahasa Indonesia first, English second.
 */
package id.ceria.ui.common

/** A display language. Every text from the core comes in both; the screen picks one. */
enum class Language(
    /** The code the core's `text(lang)` and `messageIn(lang)` take. */
    val code: String,
) {
    /** Bahasa Indonesia, the default. */
    ID("id"),

    /** English. */
    EN("en"),
    ;

    companion object {
        /** The language for a locale tag such as `en-GB` or `in-ID`; Indonesian unless English. */
        fun fromTag(tag: String): Language =
            if (tag.lowercase().startsWith("en")) EN else ID
    }
}

/** A text in both languages, as shown to a person. */
data class Bilingual(
    /** Bahasa Indonesia. */
    val id: String,
    /** English. */
    val en: String,
) {
    /** The text in [language]. */
    fun text(language: Language): String = if (language == Language.EN) en else id
}
