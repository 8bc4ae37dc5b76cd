/*
 * Region names from the registry server (`GET /v1/regions?parent=`), kept on the phone so a
 * picker that worked once keeps working offline.
 */
package id.ceria.ui.region

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import java.io.File
import java.io.IOException
import java.net.HttpURLConnection
import java.net.URI
import java.net.URLEncoder

/**
 * Reads regions from the server at [serverUrl] and stores each answer in [cacheDir] (one small
 * JSON file per parent). Stored lists are used first: the table changes by decree, a few times
 * a decade, and a new catalog or app version can clear the cache with [clear].
 */
class ServerRegionDirectory(
    private val serverUrl: String,
    private val cacheDir: File,
    private val timeoutMs: Int = 15_000,
) : RegionDirectory {
    private val memory = java.util.concurrent.ConcurrentHashMap<String, List<Region>>()

    override fun children(parent: String?): List<Region> {
        val key = parent?.trim().orEmpty()
        memory[key]?.let { return it }
        val file = File(cacheDir, "regions-${key.ifEmpty { "root" }}.json")
        val stored = if (file.isFile) runCatching { parse(file.readText()) }.getOrNull() else null
        val regions = stored ?: fetch(key).let { (text, list) ->
            store(file, text)
            list
        }
        memory[key] = regions
        return regions
    }

    /** Forgets every stored list. */
    fun clear() {
        memory.clear()
        cacheDir.listFiles { f -> f.name.startsWith("regions-") }?.forEach { it.delete() }
    }

    private fun store(file: File, text: String) {
        cacheDir.mkdirs()
        // Written aside, then renamed: a killed app never leaves half a list behind.
        val tmp = File(cacheDir, file.name + ".tmp")
        tmp.writeText(text)
        if (!tmp.renameTo(file)) tmp.delete()
    }

    private fun fetch(parent: String): Pair<String, List<Region>> {
        val query = if (parent.isEmpty()) "" else "?parent=" + URLEncoder.encode(parent, "UTF-8")
        val url = URI(serverUrl.trimEnd('/') + "/v1/regions" + query).toURL()
        val conn = url.openConnection() as HttpURLConnection
        try {
            conn.connectTimeout = timeoutMs
            conn.readTimeout = timeoutMs
            conn.setRequestProperty("Accept", "application/json")
            val status = conn.responseCode
            if (status != 200) throw IOException("regions: HTTP $status for ${parent.ifEmpty { "provinces" }}")
            val text = conn.inputStream.use { it.readBytes().toString(Charsets.UTF_8) }
            return text to parse(text)
        } finally {
            conn.disconnect()
        }
    }

    private fun parse(text: String): List<Region> {
        val array = Json.parseToJsonElement(text) as? JsonArray ?: throw IOException("regions: not a JSON array")
        return array.map { item ->
            val obj = item as? JsonObject ?: throw IOException("regions: not an object: $item")
            val code = (obj["code"] as? JsonPrimitive)?.content ?: throw IOException("regions: no code")
            val name = (obj["name"] as? JsonPrimitive)?.content ?: throw IOException("regions: no name")
            Region(code, name)
        }
    }
}
