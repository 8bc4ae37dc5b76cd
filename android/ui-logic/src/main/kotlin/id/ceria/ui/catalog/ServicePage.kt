/*
 * A service's page: its "standar pelayanan" (what it is, who may apply, what to bring, how long
 * it takes, what it costs) before the citizen starts the form.
 */
package id.ceria.ui.catalog

import id.ceria.core.CeriaClientInterface
import id.ceria.core.model.ServiceSource
import id.ceria.ui.common.Bilingual
import id.ceria.ui.common.bilingual

/** When a document must be attached. */
enum class Need {
    /** Always. */
    ALWAYS,

    /** Only in some situations (the hint says which); the form tells once filled in. */
    SOMETIMES,

    /** Never required; helps the review. */
    OPTIONAL,
}

/** One document to attach. */
data class RequirementLine(
    /** Attachment requirement id. */
    val id: String,
    /** What to attach. */
    val label: Bilingual,
    /** Guidance, e.g. which pages. */
    val hint: Bilingual?,
    /** When it is needed. */
    val need: Need,
    /** Most pages (files) accepted. */
    val maxFiles: Int,
)

/** The reporting deadline of an event (a birth within 60 days, ...). */
data class Deadline(
    /** Days after the event. */
    val days: Int,
    /** The label of the event's date field ("Tanggal lahir anak"). */
    val eventLabel: Bilingual,
)

/** What the service page shows. */
data class ServicePage(
    /** Service id. */
    val id: String,
    /** Name. */
    val name: Bilingual,
    /** What the service is. */
    val description: Bilingual,
    /** Who may apply. */
    val eligibility: Bilingual,
    /** What the citizen receives. */
    val output: Bilingual,
    /** Documents to attach, in catalog order. */
    val requirements: List<RequirementLine>,
    /** Service-level time in working days. */
    val serviceDays: Int,
    /** Fee in rupiah (0: free by law). */
    val feeRupiah: Long,
    /** Regulations it rests on. */
    val legalBasis: List<String>,
    /** Paper forms the request replaces (F-1.02, ...). */
    val forms: List<String>,
    /** The reporting deadline, if the law sets one. */
    val deadline: Deadline?,
    /** Number of questions in the form. */
    val fieldCount: Int,
) {
    /** True when the service costs nothing. */
    val free: Boolean get() = feeRupiah == 0L

    companion object {
        /** The page of [serviceId], or null when the catalog has no such service. */
        fun load(client: CeriaClientInterface, serviceId: String): ServicePage? {
            val service = client.service(serviceId) ?: return null
            val defaultMax = client.limits().maxFilesPerRequirement.toInt()
            return of(service, defaultMax)
        }

        /** Builds the page from a catalog service. */
        fun of(service: ServiceSource, defaultMaxFiles: Int): ServicePage = ServicePage(
            id = service.id,
            name = service.name.bilingual(),
            description = service.description.bilingual(),
            eligibility = service.eligibility.bilingual(),
            output = service.output.bilingual(),
            requirements = service.attachments.map { a ->
                RequirementLine(
                    id = a.id,
                    label = a.label.bilingual(),
                    hint = a.hint?.bilingual(),
                    need = when {
                        a.required -> Need.ALWAYS
                        a.requiredIf != null -> Need.SOMETIMES
                        else -> Need.OPTIONAL
                    },
                    maxFiles = a.maxFiles?.toInt() ?: defaultMaxFiles,
                )
            },
            serviceDays = service.serviceDays.toInt(),
            feeRupiah = service.fee.toLong(),
            legalBasis = service.legalBasis,
            forms = service.forms,
            deadline = service.deadline?.let { d ->
                val event = service.fields.firstOrNull { it.id == d.eventField }
                Deadline(d.days.toInt(), event?.label?.bilingual() ?: Bilingual(d.eventField, d.eventField))
            },
            fieldCount = service.fields.size,
        )
    }
}
