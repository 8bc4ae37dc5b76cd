/*
 * The region picker: from the regency the catalog serves down to a district and a village
 * (nagari), one list at a time, with a search box and a way back up.
 */
package id.ceria.ui.region

import id.ceria.core.model.RegionLevel
import id.ceria.ui.common.CoreRunner
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import java.io.IOException

/** What the picker shows. */
data class RegionPickerState(
    /** The regions chosen so far, from the top (a breadcrumb). */
    val path: List<Region> = emptyList(),
    /** The choices at the current level (filtered by [query]). */
    val options: List<Region> = emptyList(),
    /** The search text. */
    val query: String = "",
    /** True while a list loads. */
    val loading: Boolean = false,
    /** True when the list could not be loaded (offline on first use): offer retry. */
    val unavailable: Boolean = false,
    /** The finished choice at the target level. */
    val picked: Region? = null,
)

/**
 * Picks a region at [target] level, starting under [root] (e.g. `13.05`, Padang Pariaman, from
 * the catalog's regency; null starts at the provinces). The directory blocks, so lists load
 * on [runner]'s dispatcher.
 */
class RegionPicker(
    private val directory: RegionDirectory,
    private val runner: CoreRunner,
    private val scope: CoroutineScope,
    private val target: RegionLevel,
    private val root: Region?,
) {
    private val _state = MutableStateFlow(RegionPickerState(path = listOfNotNull(root)))
    private var all: List<Region> = emptyList()

    /** The picker state. */
    val state: StateFlow<RegionPickerState> = _state.asStateFlow()

    init {
        load()
    }

    /** Chooses [region] from the options: goes one level down, or finishes at the target level. */
    fun choose(region: Region): Job? {
        if (region.level >= target) {
            _state.update { it.copy(path = it.path + region, picked = region, options = emptyList(), query = "") }
            return null
        }
        _state.update { it.copy(path = it.path + region, query = "") }
        return load()
    }

    /** Goes back to [index] in the path (never above the root). */
    fun backTo(index: Int): Job {
        val keep = maxOf(index + 1, if (root != null) 1 else 0)
        _state.update { it.copy(path = it.path.take(keep), picked = null, query = "") }
        return load()
    }

    /** Filters the options by name or code. */
    fun search(query: String) {
        _state.update { it.copy(query = query, options = filter(all, query)) }
    }

    /** Loads the current level again (after being offline). */
    fun retry(): Job = load()

    private fun load(): Job = scope.launch {
        val parent = _state.value.path.lastOrNull()?.code
        _state.update { it.copy(loading = true, unavailable = false) }
        val result = try {
            withContext(runner.io) { directory.children(parent) }
        } catch (e: IOException) {
            null
        }
        all = result.orEmpty()
        _state.update {
            it.copy(loading = false, unavailable = result == null, options = filter(all, it.query))
        }
    }

    private fun filter(regions: List<Region>, query: String): List<Region> {
        val needle = query.trim().lowercase()
        if (needle.isEmpty()) return regions
        return regions.filter { it.name.lowercase().contains(needle) || it.code.startsWith(needle) }
    }
}
