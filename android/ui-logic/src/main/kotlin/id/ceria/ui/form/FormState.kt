/*
 * What the dynamic form screen shows: fields rendered from the catalog's field specs with
 * their relevance, required marks and live messages, and the documents to attach.
 */
package id.ceria.ui.form

import id.ceria.ui.common.Bilingual
import id.ceria.ui.common.Level
import id.ceria.ui.common.Message
import id.ceria.ui.common.UiError

/** One question of the form. */
data class FieldState(
    /** Field id. */
    val id: String,
    /** Label. */
    val label: Bilingual,
    /** Help text under the input. */
    val hint: Bilingual?,
    /** The widget. */
    val input: FieldInput,
    /** The value as typed or picked (codes for pickers, `YYYY-MM-DD` for dates). */
    val value: String,
    /** The value as the core normalised or computed it (phone in +62 form, computed fields). */
    val normalised: String?,
    /** For region fields: the chosen region's name, when known ("Lubuk Alung"). */
    val regionName: String?,
    /** Shown now: its `relevant` rule holds for the current answers. */
    val visible: Boolean,
    /** Required now (gets the required mark). */
    val required: Boolean,
    /** Messages to show under the input now (errors first). */
    val messages: List<Message>,
) {
    /** True when an error is shown on this field. */
    val hasError: Boolean get() = messages.any { it.level == Level.ERROR }
}

/** A file attached to a requirement. */
data class AttachedFile(
    /** Attachment id (to remove it). */
    val id: String,
    /** Original file name. */
    val fileName: String,
    /** Size in bytes. */
    val sizeBytes: Long,
    /** Media type. */
    val mediaType: String,
    /** The managed copy, for a thumbnail. */
    val path: String,
)

/** A document to attach, with its pages so far. */
data class RequirementState(
    /** Requirement id. */
    val id: String,
    /** What to attach. */
    val label: Bilingual,
    /** Guidance. */
    val hint: Bilingual?,
    /** Required for the current answers. */
    val required: Boolean,
    /** Pages attached so far. */
    val files: List<AttachedFile>,
    /** Most pages accepted. */
    val maxFiles: Int,
    /** Messages to show (missing, refused file). */
    val messages: List<Message>,
) {
    /** True when another page may be added. */
    val canAddMore: Boolean get() = files.size < maxFiles
}

/** Where the form is in its life. */
enum class FormPhase {
    /** Opening the draft. */
    LOADING,

    /** Being filled in. */
    EDITING,

    /** Finalising. */
    SUBMITTING,

    /** Finalised: a request is queued (see [FormState.requestId]). */
    SUBMITTED,

    /** The draft could not be opened; [FormState.error] says why. */
    BROKEN,
}

/** The form screen's state. */
data class FormState(
    /** Where the form is. */
    val phase: FormPhase = FormPhase.LOADING,
    /** Service id. */
    val serviceId: String = "",
    /** Service name (screen title). */
    val serviceName: Bilingual = Bilingual("", ""),
    /** The draft being edited. */
    val draftId: String? = null,
    /** The request this draft fixes, when revising a returned one. */
    val revises: String? = null,
    /** Every field in display order; render those with [FieldState.visible]. */
    val fields: List<FieldState> = emptyList(),
    /** Documents to attach, in catalog order. */
    val requirements: List<RequirementState> = emptyList(),
    /** Messages about the form as a whole (cross-field rules without a field). */
    val formMessages: List<Message> = emptyList(),
    /** Errors in the whole form, shown or not yet. */
    val errorCount: Int = 0,
    /** True when the core would accept the form now. */
    val valid: Boolean = false,
    /** For nagari operators: the NIK of the citizen the request is for. */
    val onBehalfOf: String? = null,
    /** The last failure to show (a refused file, a refused submission). */
    val error: UiError? = null,
    /** The queued request, once [FormPhase.SUBMITTED]. */
    val requestId: String? = null,
) {
    /** The fields to render now. */
    val visibleFields: List<FieldState> get() = fields.filter { it.visible }

    /** The field with [id]. */
    fun field(id: String): FieldState? = fields.firstOrNull { it.id == id }

    /** The requirement with [id]. */
    fun requirement(id: String): RequirementState? = requirements.firstOrNull { it.id == id }

    /** Every message shown now, fields first, then documents, then the form. */
    val shownMessages: List<Message>
        get() = fields.filter { it.visible }.flatMap { it.messages } +
            requirements.flatMap { it.messages } + formMessages
}
