/*
 * The service catalog screen: services grouped as the registry groups them (Pendaftaran
 * Penduduk, Pencatatan Sipil), with a search box.
 */
package id.ceria.ui.catalog

import id.ceria.core.CeriaClientInterface
import id.ceria.core.model.ServiceSource
import id.ceria.ui.common.Bilingual
import id.ceria.ui.common.bilingual
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update

/** A service in the catalog list. */
data class ServiceCard(
    /** Catalog service id, e.g. `ktp_baru`. */
    val id: String,
    /** Name. */
    val name: Bilingual,
    /** One-paragraph description. */
    val description: Bilingual,
    /** Service-level time in working days. */
    val serviceDays: Int,
    /** True when the service costs nothing (every service, by law). */
    val free: Boolean,
)

/** One group of services with its heading. */
data class CatalogSection(
    /** Group id, e.g. `pencatatan_sipil`. */
    val groupId: String,
    /** Heading. */
    val name: Bilingual,
    /** One line under the heading. */
    val description: Bilingual,
    /** Its services in catalog order (filtered by the search query). */
    val services: List<ServiceCard>,
)

/** What the catalog screen shows. */
data class CatalogState(
    /** The groups in catalog order; a group with no match for the query is left out. */
    val sections: List<CatalogSection> = emptyList(),
    /** The search text. */
    val query: String = "",
    /** The catalog version in use, e.g. `2026.11.1` (shown in the about box). */
    val version: String = "",
) {
    /** True when a search matched nothing. */
    val nothingFound: Boolean get() = query.isNotBlank() && sections.isEmpty()
}

/**
 * Screen model of the catalog. Reading the catalog only touches memory in the core, so this
 * model calls it directly; call [refresh] after a sync that installed a newer catalog.
 */
class CatalogModel(private val client: CeriaClientInterface) {
    private val _state = MutableStateFlow(CatalogState())

    /** The screen state. */
    val state: StateFlow<CatalogState> = _state.asStateFlow()

    init {
        refresh()
    }

    /** Reloads the catalog (after a sync brought a newer one). */
    fun refresh() {
        _state.update { build(it.query) }
    }

    /** Filters services by [query] (name or description, either language, any case). */
    fun search(query: String) {
        _state.value = build(query)
    }

    private fun build(query: String): CatalogState {
        val needle = query.trim().lowercase()
        val services = client.services(null)
        val sections = client.groups().mapNotNull { group ->
            val cards = services
                .filter { it.group == group.id && matches(it, needle) }
                .map { it.toCard() }
            if (cards.isEmpty()) {
                null
            } else {
                CatalogSection(group.id, group.name.bilingual(), group.description.bilingual(), cards)
            }
        }
        return CatalogState(sections, query, client.catalogVersion())
    }

    private fun matches(service: ServiceSource, needle: String): Boolean =
        needle.isEmpty() || listOf(service.name.id, service.name.en, service.description.id, service.description.en)
            .any { it.lowercase().contains(needle) }
}

/** The card for this service. */
internal fun ServiceSource.toCard(): ServiceCard = ServiceCard(
    id = id,
    name = name.bilingual(),
    description = description.bilingual(),
    serviceDays = serviceDays.toInt(),
    free = fee == 0UL,
)
