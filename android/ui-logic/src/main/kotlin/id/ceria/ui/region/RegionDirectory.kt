/*
 * Where the region pickers get Kemendagri region names from.
 */
package id.ceria.ui.region

import id.ceria.core.model.RegionLevel
import java.io.IOException

/** A region: Kemendagri code (`13.05.01.2001`) and name. */
data class Region(
    /** Dotted Kemendagri code. */
    val code: String,
    /** Name as in the decree table. */
    val name: String,
) {
    /** Its level, from the number of parts of the code. */
    val level: RegionLevel
        get() = levelOf(code)

    companion object {
        /** The level of a dotted code (1 part province ... 4 parts village). */
        fun levelOf(code: String): RegionLevel = when (code.count { it == '.' }) {
            0 -> RegionLevel.PROVINCE
            1 -> RegionLevel.REGENCY
            2 -> RegionLevel.DISTRICT
            else -> RegionLevel.VILLAGE
        }

        /** The parent code of [code], or null for a province. */
        fun parentOf(code: String): String? = code.lastIndexOf('.').takeIf { it > 0 }?.let { code.substring(0, it) }
    }
}

/** Lists regions level by level. Implementations block: call them off the main thread. */
interface RegionDirectory {
    /**
     * The children of [parent] sorted by code (the provinces when null).
     *
     * @throws IOException when they are neither stored nor reachable (offline, first use).
     */
    fun children(parent: String?): List<Region>

    /** The name of [code], or null when unknown or not reachable. */
    fun name(code: String): String? = try {
        children(Region.parentOf(code)).firstOrNull { it.code == code }?.name
    } catch (e: IOException) {
        null
    }
}
