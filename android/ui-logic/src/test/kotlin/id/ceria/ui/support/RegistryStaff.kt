/*
 * The nagari operator and the registry officer acting through the server's review and
 * identity API, as their web console would.
 */
package id.ceria.ui.support

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
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse

/** A staff member logged in to the server at [url]. */
class RegistryStaff(private val url: String, username: String, password: String) {
    private val http = HttpClient.newHttpClient()
    private val token: String

    init {
        val body = buildJsonObject {
            put("username", username)
            put("password", password)
        }
        token = call("POST", "/v1/sessions", body, auth = false).jsonObject.getValue("token").jsonPrimitive.content
    }

    /** The server id of the request with [trackingCode] (searched in the caller's queue). */
    fun findByTrackingCode(trackingCode: String): String {
        val items = call("GET", "/v1/requests?limit=200", null).jsonObject.getValue("items").jsonArray
        val hit = items.map { it.jsonObject }.firstOrNull { it["tracking_code"]?.jsonPrimitive?.content == trackingCode }
            ?: error("no request $trackingCode in the queue: $items")
        return hit.getValue("id").jsonPrimitive.content
    }

    /** Returns a request for fixing with reasons (`target` = field or attachment id). */
    fun returnForFixing(requestId: String, reasons: List<Pair<String?, String>>): JsonElement =
        transition(
            requestId,
            buildJsonObject {
                put("to", "returned")
                put(
                    "reasons",
                    buildJsonArray {
                        for ((target, message) in reasons) {
                            add(
                                buildJsonObject {
                                    put("target", target?.let { JsonPrimitive(it) } ?: kotlinx.serialization.json.JsonNull)
                                    put("message", message)
                                },
                            )
                        }
                    },
                )
            },
        )

    /** Verifies a request (nagari operator). */
    fun verify(requestId: String): JsonElement = transition(requestId, buildJsonObject { put("to", "verified") })

    /** Starts processing (officer). */
    fun process(requestId: String): JsonElement = transition(requestId, buildJsonObject { put("to", "processing") })

    /** Completes with the document number and pickup instructions (officer). */
    fun complete(requestId: String, number: String, pickup: String): JsonElement = transition(
        requestId,
        buildJsonObject {
            put("to", "completed")
            put(
                "document",
                buildJsonObject {
                    put("number", number)
                    put("pickup", pickup)
                },
            )
        },
    )

    /** Rejects with a note (officer). */
    fun reject(requestId: String, note: String): JsonElement = transition(
        requestId,
        buildJsonObject {
            put("to", "rejected")
            put("note", note)
        },
    )

    /** Verifies a citizen account in person after checking its KTP-el or KK (`ktp_el`, `kk`). */
    fun verifyIdentity(nik: String, document: String, note: String): JsonElement = call(
        "POST",
        "/v1/identity/verifications",
        buildJsonObject {
            put("nik", nik)
            put("document", document)
            put("note", note)
        },
    )

    private fun transition(requestId: String, body: JsonObject): JsonElement =
        call("POST", "/v1/requests/$requestId/transitions", body)

    private fun call(method: String, path: String, body: JsonElement?, auth: Boolean = true): JsonElement {
        val builder = HttpRequest.newBuilder(URI(url + path))
            .header("Accept", "application/json")
        if (auth) builder.header("Authorization", "Bearer $token")
        if (body != null) {
            builder.header("Content-Type", "application/json")
            builder.method(method, HttpRequest.BodyPublishers.ofString(body.toString()))
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody())
        }
        val response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() in 200..299) { "$method $path: HTTP ${response.statusCode()} ${response.body()}" }
        return if (response.body().isBlank()) JsonArray(emptyList()) else Json.parseToJsonElement(response.body())
    }
}
