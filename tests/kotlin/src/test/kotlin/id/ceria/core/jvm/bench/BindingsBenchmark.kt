// On-demand benchmark of the bindings from Kotlin (not a test; see docs/benchmarks.md,
// section Bindings): full-form validation through the FFI, compared with the criterion figure
// of the same form in Rust, live validation with autosave, and a sync of 100 small requests
// against a real ceria-server.
package id.ceria.core.jvm.bench

import id.ceria.core.CeriaClient
import id.ceria.core.FormInput
import id.ceria.core.defaultConfig
import id.ceria.core.jvm.RegistryServer
import id.ceria.core.jvm.ServiceExamples
import id.ceria.core.jvm.tempDir
import id.ceria.core.jvm.tinyJpeg

/** Runs `block` `calls` times per round and returns the mean microseconds per call of each round. */
private fun rounds(rounds: Int, calls: Int, block: () -> Unit): List<Double> =
    List(rounds) {
        val start = System.nanoTime()
        repeat(calls) { block() }
        (System.nanoTime() - start) / 1_000.0 / calls
    }

private fun List<Double>.summary(): String {
    val sorted = sorted()
    return "best %.1f us, median %.1f us (%d rounds)".format(sorted.first(), sorted[size / 2], size)
}

fun main() {
    val today = "2026-11-29"
    CeriaClient(tempDir("bench-validate").path, "http://127.0.0.1:9").use { client ->
        // The same form as `cargo bench -p ceria-core --bench validation`: the biggest one.
        val service = client.services(null).maxBy { it.fields.size }
        val example = ServiceExamples(service.id).valid
        val check = client.validateForm(FormInput(service.id, example.values, example.attachments, today))
        check(check.valid) { "benchmark form must be valid: ${check.issues}" }
        println("form: ${service.id}, ${service.fields.size} fields, ${example.values.size} values")
        // Which build of the library JNA loaded (a debug build is ~10x slower).
        java.io.File("/proc/self/maps").takeIf { it.canRead() }?.readLines()
            ?.map { it.substringAfterLast(' ') }?.filter { it.endsWith("libceria_ffi.so") }
            ?.distinct()?.forEach { println("library: $it") }
        rounds(5, 5_000) { client.validateForm(FormInput(service.id, example.values, example.attachments, today)) }
        val full = rounds(15, 10_000) {
            client.validateForm(FormInput(service.id, example.values, example.attachments, today))
        }
        println("validateForm (full form) from Kotlin: ${full.summary()}")
        // The fixed price of one method call (handle clone, call, result buffer freed).
        val smallest = rounds(15, 10_000) { client.catalogVersion() }
        println("catalogVersion (smallest method call): ${smallest.summary()}")
    }

    RegistryServer().use { server ->
        val dir = tempDir("bench-sync")
        val config = defaultConfig(dir.path, server.url)
        CeriaClient.withConfig(config).use { client ->
            val ktp = ServiceExamples("ktp_baru").valid
            client.register(ktp.values.getValue("nik"), "Andika Pratama", "081234567890", "Bangku-Taman-Uji-88")

            // Live validation as typed: one field changed, autosaved, whole form re-validated.
            val draft = client.createDraft("ktp_baru")
            client.setValues(draft.id, ktp.values)
            var i = 0
            rounds(3, 500) { client.setValues(draft.id, mapOf("tempat_lahir" to "Pariaman ${i++}")) }
            val live = rounds(5, 1_000) { client.setValues(draft.id, mapOf("tempat_lahir" to "Pariaman ${i++}")) }
            println("setValues (autosave + full validation, ktp_baru): ${live.summary()}")
            client.deleteDraft(draft.id)

            val photo = tinyJpeg(dir)
            val prepared = System.nanoTime()
            repeat(100) { n ->
                val d = client.createDraft("ktp_baru")
                client.setValues(d.id, ktp.values + ("tempat_lahir" to "Pariaman $n"))
                client.attach(d.id, "kk", photo.path, "image/jpeg")
                client.finalise(d.id)
            }
            val prepareMs = (System.nanoTime() - prepared) / 1e6
            println("100 requests drafted, attached and finalised offline in %.0f ms".format(prepareMs))

            val started = System.nanoTime()
            val report = client.sync(null)
            val syncMs = (System.nanoTime() - started) / 1e6
            check(report.accepted == 100u) { "expected 100 accepted: $report" }
            println("sync() of 100 small requests: %.0f ms (%d files uploaded, %d operations pushed)"
                .format(syncMs, report.filesUploaded.toInt(), report.operationsPushed.toInt()))
            val idle = System.nanoTime()
            client.sync(null)
            println("sync() with nothing to send: %.1f ms".format((System.nanoTime() - idle) / 1e6))
        }
    }
}
