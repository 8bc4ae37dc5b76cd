// The bindings under load from the JVM side: one client shared by 8 threads at once (drafts,
// validation, attachments and a sync running in parallel), and 10,000 clients created and
// closed without leaking file descriptors or memory.
package id.ceria.core.jvm

import id.ceria.core.CeriaClient
import id.ceria.core.FormInput
import id.ceria.core.model.CeriaException
import id.ceria.core.model.LocalState
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.io.File
import java.util.concurrent.CyclicBarrier
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConcurrencyAndResourcesTest {
    private val server = RegistryServer()
    private val examples = ServiceExamples("ktp_baru")

    private val nik = examples.valid.values.getValue("nik")
    private val password = "Rumah-Gadang-Biru-27"

    @BeforeAll
    fun registerCitizen() {
        CeriaClient(tempDir("register").path, server.url).use {
            it.register(nik, "Andika Pratama", "081234567890", password)
        }
    }

    @AfterAll
    fun shutDown() = server.close()

    @Test
    fun `eight threads share one client at once`() {
        val threads = 8
        CeriaClient(tempDir("shared").path, server.url).use { client ->
            client.login(nik, password)
            val camera = tempDir("camera")
            val pool = Executors.newFixedThreadPool(threads)
            val start = CyclicBarrier(threads)
            val jobs = (0 until threads).map { t ->
                pool.submit<String> {
                    start.await()
                    val draft = client.createDraft("ktp_baru")
                    repeat(20) { i ->
                        // Each thread edits its own draft while the others do the same.
                        val report = client.setValues(draft.id, examples.valid.values + ("tempat_lahir" to "Pariaman $t-$i"))
                        check(report.service == "ktp_baru")
                        check(client.checkField(draft.id, "nik", "123", null).any { it.code == "nik.length" })
                        check(client.validateForm(FormInput("ktp_baru", examples.valid.values, listOf("kk"), examples.today)).valid)
                        check(client.services(null).isNotEmpty())
                    }
                    client.attach(draft.id, "kk", tinyJpeg(camera, "kk-$t.jpg").path, "image/jpeg")
                    if (t == 0) client.sync(null) // a sync pass in the middle of the edits
                    client.finalise(draft.id).id
                }
            }
            val ids = jobs.map { it.get(120, TimeUnit.SECONDS) }
            pool.shutdown()
            assertEquals(threads, ids.toSet().size)
            assertEquals(ids.toSet(), client.requests().map { it.id }.toSet())
            assertTrue(client.drafts().isEmpty())

            val report = client.sync(null)
            assertEquals(0u, report.pendingOperations, "$report")
            val states = client.requests().map { it.state }.toSet()
            assertEquals(setOf(LocalState.SUBMITTED), states)
            // Every request got its own tracking code.
            assertEquals(threads, client.requests().mapNotNull { it.trackingCode }.toSet().size)
        }
    }

    @Test
    fun `ten thousand clients are created and closed without leaking`() {
        val dir = tempDir("many").path
        fun openFds() = File("/proc/self/fd").list()?.size ?: 0
        // Warm up (JNA, the catalog, the first database creation) before measuring.
        repeat(50) { CeriaClient(dir, server.url).close() }
        System.gc()
        val fdsBefore = openFds()
        val rssBefore = residentKb()
        val started = System.nanoTime()
        repeat(10_000) { i ->
            val client = CeriaClient(dir, server.url)
            if (i % 1000 == 0) check(client.catalogVersion().isNotBlank())
            client.close()
        }
        val seconds = (System.nanoTime() - started) / 1e9
        System.gc()
        val fdsAfter = openFds()
        val rssGrowthMb = (residentKb() - rssBefore) / 1024
        println("10,000 clients opened and closed in %.1f s; fds %d -> %d; RSS growth %d MB"
            .format(seconds, fdsBefore, fdsAfter, rssGrowthMb))
        assertTrue(fdsAfter <= fdsBefore + 4, "file descriptors leak: $fdsBefore -> $fdsAfter")
        // One leaked store (SQLite connection and cache) is over 100 KB: 10,000 would be GBs.
        assertTrue(rssGrowthMb < 200, "resident memory grew by $rssGrowthMb MB")

        // A closed object is refused on the JVM side; it never reaches freed native memory.
        val closed = CeriaClient(dir, server.url)
        closed.close()
        assertThrows<IllegalStateException> { closed.catalogVersion() }
        closed.close() // closing twice is harmless
    }

    @Test
    fun `cancelling a sync from another thread is a typed Cancelled or a finished pass`() {
        CeriaClient(tempDir("cancel").path, server.url).use { client ->
            client.login(nik, password)
            client.cancelSync() // cancels nothing: no pass is running
            assertEquals(1u, client.sync(null).accountsSynced)
            val pool = Executors.newSingleThreadExecutor()
            val pass = pool.submit<Result<Unit>> { runCatching { client.sync(null); Unit } }
            client.cancelSync()
            val outcome = pass.get(60, TimeUnit.SECONDS)
            pool.shutdown()
            // Depending on timing the pass was cancelled or had already finished; never more.
            outcome.exceptionOrNull()?.let { e ->
                assertTrue(e is CeriaException.Cancelled, "$e")
                assertEquals("sync.cancelled", (e as CeriaException.Cancelled).code)
            }
            assertEquals(1u, client.sync(null).accountsSynced, "later passes run normally")
        }
    }

    private fun residentKb(): Long =
        File("/proc/self/status").readLines().first { it.startsWith("VmRSS:") }
            .split(Regex("\\s+"))[1].toLong()
}
