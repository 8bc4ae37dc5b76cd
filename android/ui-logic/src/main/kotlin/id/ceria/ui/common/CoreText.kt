/*
 * Conversions from the bindings' records to the presentation module's texts and messages.
 */
package id.ceria.ui.common

import id.ceria.core.model.Issue
import id.ceria.core.model.Localized
import id.ceria.core.model.Severity

/** This catalog text as a [Bilingual]. */
fun Localized.bilingual(): Bilingual = Bilingual(id, en)

/** A validation issue as a [Message] on its field (or on its attachment requirement). */
fun Issue.toMessage(): Message = Message(
    code = code,
    level = if (severity == Severity.ERROR) Level.ERROR else Level.WARNING,
    text = Bilingual(messageId, messageEn),
    target = field ?: params["attachment"],
)
