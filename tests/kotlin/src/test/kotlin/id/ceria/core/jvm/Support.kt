// Test support: temporary directories, the catalog's example forms (core/tests/fixtures), a
// small JPEG, and a real ceria-server process with the review API that operators and
// officers use (they have no bindings: they work in the registry's web tools).
package id.ceria.core.jvm

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonArray
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.put
import java.io.File
import java.net.ServerSocket
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.time.Duration
import java.util.concurrent.TimeUnit

/** A fresh temporary directory, deleted when the JVM exits. */
fun tempDir(prefix: String): File =
    Files.createTempDirectory("ceria-$prefix-").toFile().also { dir ->
        Runtime.getRuntime().addShutdownHook(Thread { dir.deleteRecursively() })
    }

/** A 1x1 JPEG image: what a camera page looks like to the attachment checks. */
fun tinyJpeg(dir: File, name: String = "kk-halaman-1.jpg"): File {
    val bytes = intArrayOf(
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00,
        0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xDB, 0x00, 0x43, 0x00,
    ) + IntArray(64) { 1 } + intArrayOf(
        0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00,
        0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0xD2, 0xCF, 0x20,
        0xFF, 0xD9,
    )
    return File(dir, name).apply { writeBytes(ByteArray(bytes.size) { bytes[it].toByte() }) }
}

/** One example form of the catalog test fixtures: values by field and attached requirements. */
data class ExampleForm(
    val values: Map<String, String>,
    val attachments: List<String>,
    val expect: List<Pair<String?, String>> = emptyList(),
)

/** The example forms of a service (`core/tests/fixtures/services/<service>.json`). */
class ServiceExamples(service: String) {
    private val root: JsonObject = run {
        val dir = System.getProperty("ceria.fixtures")
            ?: error("system property ceria.fixtures is not set")
        Json.parseToJsonElement(File(dir, "$service.json").readText()).jsonObject
    }

    /** The day the examples were written for (ages and deadlines depend on it). */
    val today: String = root.getValue("today").jsonPrimitive.content

    /** The valid example. */
    val valid: ExampleForm = form(root.getValue("valid").jsonObject)

    /** The typical mistakes, each with the (field, code) issues it must give. */
    val mistakes: List<ExampleForm> = root["mistakes"]?.jsonArray?.map { form(it.jsonObject) }.orEmpty()

    private fun form(o: JsonObject) = ExampleForm(
        values = o.getValue("values").jsonObject.mapValues { it.value.jsonPrimitive.content },
        attachments = o["attachments"]?.jsonArray?.map { it.jsonPrimitive.content }.orEmpty(),
        expect = o["expect"]?.jsonArray?.map { e ->
            val obj = e.jsonObject
            val field = obj["field"]?.let { f -> (f as? JsonPrimitive)?.takeIf { it.isString }?.content }
            field to obj.getValue("code").jsonPrimitive.content
        }.orEmpty(),
    )
}

/** A free loopback TCP port (nothing listens on it once this returns). */
fun freePort(): Int = ServerSocket(0).use { it.localPort }

/**
 * A real `ceria-server` on a random loopback port with a temporary data directory, and the
 * staff accounts the review steps need: an operator of `OPERATOR_VILLAGE` and an officer.
 */
class RegistryServer : AutoCloseable {
    private val bin = File(
        System.getProperty("ceria.server") ?: error("system property ceria.server is not set"),
    )
    private val data = tempDir("server")
    private val log = File(data, "server.log")
    private val port = freePort()
    private val http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
    private var process: Process? = null

    /** The base URL devices are given. */
    val url = "http://127.0.0.1:$port"

    init {
        require(bin.canExecute()) { "no ceria-server binary at $bin (build it first)" }
        admin("--role", "operator", "--username", OPERATOR, "--password", STAFF_PASSWORD,
            "--name", "Operator Nagari Uji", "--village", OPERATOR_VILLAGE)
        admin("--role", "officer", "--username", OFFICER, "--password", STAFF_PASSWORD,
            "--name", "Petugas Disdukcapil Uji")
        start()
    }

    private fun admin(vararg args: String) {
        val p = ProcessBuilder(listOf(bin.path, "--data", data.path, "admin", "create-user") + args)
            .redirectErrorStream(true).start()
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) { "admin create-user: $out" }
    }

    /** Starts the server (again) on the same port and data; returns once it answers. */
    fun start() {
        check(process?.isAlive != true) { "already running" }
        val pb = ProcessBuilder(bin.path, "--data", data.path, "--listen", "127.0.0.1:$port")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
        pb.environment()["RUST_LOG"] = "warn"
        process = pb.start()
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
        while (System.nanoTime() < deadline) {
            val up = runCatching { get("/healthz", null).statusCode() == 200 }.getOrDefault(false)
            if (up) return
            check(process?.isAlive == true) { "ceria-server exited: ${log.readText()}" }
            Thread.sleep(50)
        }
        error("ceria-server did not answer within 30 s: ${log.readText()}")
    }

    /** Stops the server (SIGTERM, then waits); devices then see it as unreachable. */
    fun stop() {
        val p = process ?: return
        p.destroy()
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly().waitFor()
        process = null
    }

    override fun close() = stop()

    private fun get(path: String, token: String?): HttpResponse<String> {
        val b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10)).GET()
        if (token != null) b.header("Authorization", "Bearer $token")
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString())
    }

    private fun post(path: String, token: String?, body: JsonElement): HttpResponse<String> {
        val b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
        if (token != null) b.header("Authorization", "Bearer $token")
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString())
    }

    /** Logs a staff member in through the API; returns the bearer token. */
    fun staffToken(username: String): String {
        val r = post("/v1/sessions", null, buildJsonObject {
            put("username", username)
            put("password", STAFF_PASSWORD)
        })
        check(r.statusCode() == 200) { "login $username: ${r.statusCode()} ${r.body()}" }
        return Json.parseToJsonElement(r.body()).jsonObject.getValue("token").jsonPrimitive.content
    }

    /** Moves a request along the review workflow; returns the server's status change. */
    fun transition(
        token: String,
        requestId: String,
        to: String,
        note: String? = null,
        document: Pair<String, String>? = null,
        reasons: List<Pair<String?, String>> = emptyList(),
    ): JsonObject {
        val body = buildJsonObject {
            put("to", to)
            if (note != null) put("note", note)
            if (document != null) put("document", buildJsonObject {
                put("number", document.first)
                put("pickup", document.second)
            })
            if (reasons.isNotEmpty()) put("reasons", buildJsonArray {
                reasons.forEach { (target, message) ->
                    add(buildJsonObject {
                        put("target", target)
                        put("message", message)
                    })
                }
            })
        }
        val r = post("/v1/requests/$requestId/transitions", token, body)
        check(r.statusCode() == 200) { "transition to $to: ${r.statusCode()} ${r.body()}" }
        return Json.parseToJsonElement(r.body()).jsonObject
    }

    /** The review queue of a staff member (ids of requests in `state`). */
    fun queue(token: String, state: String): List<String> {
        val r = get("/v1/requests?state=$state", token)
        check(r.statusCode() == 200) { "queue: ${r.statusCode()} ${r.body()}" }
        val items = Json.parseToJsonElement(r.body()).jsonObject.getValue("items") as JsonArray
        return items.map { it.jsonObject.getValue("id").jsonPrimitive.content }
    }

    companion object {
        const val OPERATOR = "operator.sungai-geringging"
        const val OFFICER = "petugas.disdukcapil"
        const val STAFF_PASSWORD = "rahasia-uji-2026"
        /** The village of the KTP-el example form (`desa`). */
        const val OPERATOR_VILLAGE = "13.05.02.2002"
    }
}
