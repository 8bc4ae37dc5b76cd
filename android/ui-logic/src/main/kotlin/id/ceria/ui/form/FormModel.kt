/*
 * Screen model of the dynamic form: opens or creates a draft, saves every answer at once (a
 * killed app loses nothing), shows the core's live validation in both languages, attaches
 * documents and finalises the draft into a request queued for sync.
 */
package id.ceria.ui.form

import id.ceria.core.model.Attachment
import id.ceria.core.CeriaClientInterface
import id.ceria.core.model.Draft
import id.ceria.core.model.FieldKind
import id.ceria.core.model.ServiceSource
import id.ceria.core.model.ValidationReport
import id.ceria.ui.common.Bilingual
import id.ceria.ui.common.CoreRunner
import id.ceria.ui.common.Level
import id.ceria.ui.common.Message
import id.ceria.ui.common.Outcome
import id.ceria.ui.common.UiError
import id.ceria.ui.common.bilingual
import id.ceria.ui.common.toMessage
import id.ceria.ui.photo.PhotoPreparer
import id.ceria.ui.region.RegionDirectory
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext
import java.io.File

/**
 * The form of one draft. Every action returns the [Job] doing it (screens ignore it; tests
 * join it). Calls on one draft run one at a time, in the order they were made.
 *
 * Messages appear as a person expects: on a field once it was changed, everywhere after a
 * first attempt to send (and at once when fixing a returned request).
 */
class FormModel(
    private val client: CeriaClientInterface,
    private val runner: CoreRunner,
    private val scope: CoroutineScope,
    /** Names the chosen regions (null: the code is shown). */
    private val regions: RegionDirectory? = null,
) {
    private val _state = MutableStateFlow(FormState())
    private val serial = Mutex()

    /** The screen state. */
    val state: StateFlow<FormState> = _state.asStateFlow()

    // What the last core answers said; the state is rebuilt from these.
    private var service: ServiceSource? = null
    private var values: Map<String, String> = emptyMap()
    private var attachments: List<Attachment> = emptyList()
    private var report: ValidationReport? = null
    private var touched: Set<String> = emptySet()
    private var revealAll = false
    private var refused: Map<String, List<Message>> = emptyMap()
    private var regionNames: Map<String, String> = emptyMap()

    /** Starts a new draft of [serviceId]; for an operator, [onBehalfOf] is the citizen's NIK. */
    fun start(serviceId: String, onBehalfOf: String? = null): Job = act {
        when (val created = runner.call { client.createDraft(serviceId) }) {
            is Outcome.Failed -> broken(created.error)
            is Outcome.Ok -> {
                var draft = created.value
                if (!onBehalfOf.isNullOrBlank()) {
                    when (val ctx = runner.call { client.setDraftContext(draft.id, null, onBehalfOf) }) {
                        is Outcome.Failed -> return@act broken(ctx.error)
                        is Outcome.Ok -> draft = ctx.value
                    }
                }
                load(draft)
            }
        }
    }

    /** Opens an existing draft (one being fixed shows every message at once). */
    fun open(draftId: String): Job = act {
        when (val opened = runner.call { client.draft(draftId) }) {
            is Outcome.Failed -> broken(opened.error)
            is Outcome.Ok -> load(opened.value)
        }
    }

    /** Opens the draft that fixes the returned or refused request [requestId]. */
    fun revise(requestId: String): Job = act {
        when (val opened = runner.call { client.revise(requestId) }) {
            is Outcome.Failed -> broken(opened.error)
            is Outcome.Ok -> load(opened.value)
        }
    }

    /** Sets a field's answer; saved at once, then the whole form is checked again. */
    fun change(fieldId: String, value: String): Job {
        // Shown at once, before the core answers, so typing never lags.
        values = values + (fieldId to value)
        touched = touched + fieldId
        publish()
        return act {
            val draftId = _state.value.draftId ?: return@act
            when (val saved = runner.call { client.setValues(draftId, mapOf(fieldId to value)) }) {
                is Outcome.Failed -> _state.update { it.copy(error = saved.error) }
                is Outcome.Ok -> {
                    report = saved.value
                    nameRegions()
                    publish()
                }
            }
        }
    }

    /**
     * Attaches one page for [requirement]: photos go through [preparer] first (downscaled to a
     * long edge of about 1600 px, JPEG quality 85), PDFs as they are. A refused file (wrong
     * type, too large, too many pages) shows its message on the requirement.
     */
    fun attach(requirement: String, source: File, mediaType: String, preparer: PhotoPreparer): Job = act {
        val draftId = _state.value.draftId ?: return@act
        val prepared = try {
            // Decoding a camera photo takes a while: never on the main thread.
            withContext(runner.io) { preparer.prepare(source, mediaType) }
        } catch (e: java.io.IOException) {
            refused = refused + (requirement to listOf(unreadable(requirement, source)))
            return@act publish()
        }
        val result = try {
            runner.call { client.attach(draftId, requirement, prepared.file.path, prepared.mediaType) }
        } finally {
            prepared.release()
        }
        when (result) {
            is Outcome.Failed -> {
                val issues = result.error.issues.ifEmpty {
                    listOf(Message(result.error.code, Level.ERROR, result.error.text, requirement))
                }
                refused = refused + (requirement to issues)
                publish()
            }
            is Outcome.Ok -> {
                refused = refused - requirement
                attachments = attachments + result.value
                recheck(draftId)
            }
        }
    }

    /** Removes an attached page. */
    fun removeAttachment(attachmentId: String): Job = act {
        val draftId = _state.value.draftId ?: return@act
        when (val removed = runner.call { client.removeAttachment(attachmentId) }) {
            is Outcome.Failed -> _state.update { it.copy(error = removed.error) }
            is Outcome.Ok -> {
                val gone = attachments.firstOrNull { it.id == attachmentId }
                attachments = attachments.filterNot { it.id == attachmentId }
                gone?.let { refused = refused - it.requirement }
                recheck(draftId)
            }
        }
    }

    /** Dismisses the error shown. */
    fun dismissError() {
        _state.update { it.copy(error = null) }
    }

    /**
     * Finalises the draft into a request queued for the next sync. With errors left, nothing
     * is sent: every message is revealed and the core's summary is shown.
     */
    fun submit(): Job = act {
        val draftId = _state.value.draftId ?: return@act
        revealAll = true
        _state.update { it.copy(phase = FormPhase.SUBMITTING, error = null) }
        when (val done = runner.call { client.finalise(draftId) }) {
            is Outcome.Failed -> {
                publish()
                _state.update { it.copy(phase = FormPhase.EDITING, error = done.error) }
            }
            is Outcome.Ok -> _state.update {
                it.copy(phase = FormPhase.SUBMITTED, requestId = done.value.id, error = null)
            }
        }
    }

    /** Deletes the draft and its files. */
    fun discard(): Job = act {
        val draftId = _state.value.draftId ?: return@act
        when (val deleted = runner.call { client.deleteDraft(draftId) }) {
            is Outcome.Failed -> _state.update { it.copy(error = deleted.error) }
            is Outcome.Ok -> _state.value = FormState(phase = FormPhase.BROKEN)
        }
    }

    private fun act(block: suspend () -> Unit): Job = scope.launch { serial.withLock { block() } }

    private fun broken(error: UiError) {
        _state.update { it.copy(phase = FormPhase.BROKEN, error = error) }
    }

    private suspend fun load(draft: Draft) {
        service = client.service(draft.service)
        values = draft.values
        attachments = draft.attachments
        touched = emptySet()
        revealAll = draft.revises != null
        refused = emptyMap()
        _state.update {
            it.copy(
                phase = FormPhase.EDITING,
                serviceId = draft.service,
                serviceName = service?.name?.bilingual() ?: Bilingual(draft.service, draft.service),
                draftId = draft.id,
                revises = draft.revises,
                onBehalfOf = draft.onBehalfOf,
                error = null,
            )
        }
        recheck(draft.id)
    }

    /** Asks the core for the live validation of the saved draft (saves nothing new). */
    private suspend fun recheck(draftId: String) {
        when (val checked = runner.call { client.setValues(draftId, emptyMap()) }) {
            is Outcome.Failed -> _state.update { it.copy(error = checked.error) }
            is Outcome.Ok -> report = checked.value
        }
        nameRegions()
        publish()
    }

    /** Looks up the names of chosen region codes not named yet (may use the network). */
    private suspend fun nameRegions() {
        val directory = regions ?: return
        val codes = service?.fields.orEmpty()
            .filter { it.kind == FieldKind.REGION }
            .mapNotNull { values[it.id]?.trim()?.takeIf { v -> v.isNotEmpty() } }
            .filter { it !in regionNames }
        if (codes.isEmpty()) return
        val found = withContext(runner.io) { codes.mapNotNull { c -> directory.name(c)?.let { c to it } } }
        regionNames = regionNames + found
    }

    private fun publish() {
        val service = service ?: return
        val report = report
        val issues = report?.issues.orEmpty().map { it.toMessage() }
        val relevant = report?.relevantFields?.toSet()
        val required = report?.requiredFields?.toSet().orEmpty()
        val missing = report?.missingAttachments?.toSet().orEmpty()
        val defaultMax = client.limits().maxFilesPerRequirement.toInt()
        val fields = service.fields.map { f ->
            val shown = revealAll || f.id in touched
            FieldState(
                id = f.id,
                label = f.label.bilingual(),
                hint = f.hint?.bilingual(),
                input = FieldInput.of(f, client),
                value = values[f.id].orEmpty(),
                normalised = report?.computed?.get(f.id),
                regionName = if (f.kind == FieldKind.REGION) regionNames[values[f.id].orEmpty().trim()] else null,
                visible = relevant?.contains(f.id) ?: (f.relevant == null),
                required = f.id in required,
                messages = if (shown) ordered(issues.filter { it.target == f.id }) else emptyList(),
            )
        }
        val fieldIds = service.fields.map { it.id }.toSet()
        val requirements = service.attachments.map { a ->
            val own = issues.filter { it.target == a.id && it.target !in fieldIds }
            RequirementState(
                id = a.id,
                label = a.label.bilingual(),
                hint = a.hint?.bilingual(),
                required = a.required || a.id in missing,
                files = attachments.filter { it.requirement == a.id }.map {
                    AttachedFile(it.id, it.fileName, it.size.toLong(), it.mediaType, it.path)
                },
                maxFiles = a.maxFiles?.toInt() ?: defaultMax,
                messages = refused[a.id].orEmpty() + if (revealAll) own else emptyList(),
            )
        }
        val requirementIds = service.attachments.map { it.id }.toSet()
        val formMessages = issues.filter { it.target == null || (it.target !in fieldIds && it.target !in requirementIds) }
        _state.update {
            it.copy(
                fields = fields,
                requirements = requirements,
                formMessages = if (revealAll) formMessages else emptyList(),
                errorCount = issues.count { m -> m.level == Level.ERROR },
                valid = report?.valid ?: false,
            )
        }
    }

    private fun unreadable(requirement: String, source: File): Message {
        val text = client.message("attachment.unreadable", mapOf("path" to source.name))
        return Message("attachment.unreadable", Level.ERROR, text.bilingual(), requirement)
    }
}

/** Errors before warnings, each in the core's order. */
private fun ordered(messages: List<Message>): List<Message> = messages.sortedBy { if (it.level == Level.ERROR) 0 else 1 }
