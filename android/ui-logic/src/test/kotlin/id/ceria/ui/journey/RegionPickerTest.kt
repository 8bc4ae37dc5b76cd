/*
 * The region picker against a ceria-server loaded with the Kemendagri 2025 table: from
 * Padang Pariaman down to a nagari, search, going back, and working offline from what was
 * stored (and saying so when nothing was).
 */
package id.ceria.ui.journey

import id.ceria.core.model.RegionLevel
import id.ceria.ui.account.SessionModel
import id.ceria.ui.common.CoreRunner
import id.ceria.ui.form.FormModel
import id.ceria.ui.region.Region
import id.ceria.ui.region.RegionPicker
import id.ceria.ui.region.ServerRegionDirectory
import id.ceria.ui.support.Phone
import id.ceria.ui.support.Story
import id.ceria.ui.support.TestServer
import id.ceria.ui.support.Wilayah
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.runTest
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.io.TempDir
import java.io.File
import kotlin.time.Duration.Companion.minutes

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegionPickerTest {
    private var server: TestServer? = null
    private var table: File? = null

    @BeforeAll
    fun setUp() {
        table = Wilayah.table2025() ?: return
        server = TestServer.create().apply {
            importRegions(table!!)
            start()
        }
    }

    @AfterAll
    fun tearDown() {
        server?.close()
    }

    /** Codes under [parent] one level down, straight from the CSV. */
    private fun childrenInCsv(parent: String): List<Pair<String, String>> {
        val depth = parent.count { it == '.' } + 1
        return table!!.readLines().drop(1)
            .map { it.substringBefore(',') to it.substringAfter(',') }
            .filter { (code, _) -> code.startsWith("$parent.") && code.count { it == '.' } == depth }
    }

    @Test
    fun `a citizen picks Pungguang Kasiak from Padang Pariaman down, then goes back`(@TempDir cache: File) = runTest(timeout = 2.minutes) {
        val server = server
        assumeTrue(server != null, "region tables absent")
        val runner = CoreRunner(StandardTestDispatcher(testScheduler))
        val directory = ServerRegionDirectory(server!!.url, cache)
        val root = Region("13.05", "Padang Pariaman")
        val picker = RegionPicker(directory, runner, backgroundScope, RegionLevel.VILLAGE, root)
        picker.retry().join()
        var s = picker.state.value
        val districts = childrenInCsv("13.05")
        assertEquals(17, districts.size, "Padang Pariaman has 17 districts")
        assertEquals(districts.map { it.first }, s.options.map { it.code })
        assertEquals(listOf(root), s.path)

        picker.choose(s.options.single { it.code == "13.05.01" })!!.join()
        s = picker.state.value
        assertEquals(childrenInCsv("13.05.01").map { it.first }, s.options.map { it.code })
        assertTrue(s.options.all { it.level == RegionLevel.VILLAGE })

        picker.search("pungguang")
        val hit = picker.state.value.options.single()
        assertEquals("13.05.01.2002", hit.code)
        assertNull(picker.choose(hit), "the target level ends the picking")
        assertEquals(hit, picker.state.value.picked)
        assertEquals(listOf("13.05", "13.05.01", "13.05.01.2002"), picker.state.value.path.map { it.code })

        picker.backTo(0).join()
        s = picker.state.value
        assertNull(s.picked)
        assertEquals(17, s.options.size)
        assertEquals("Lubuk Alung", directory.name(Story.VILLAGE))

        // The form shows the chosen nagari by name, not by code.
        Phone(server.url).use { phone ->
            SessionModel(phone.client, runner, backgroundScope)
                .register(Story.NIK, Story.NAME, "081234567890", Story.PASSWORD).join()
            val form = FormModel(phone.client, runner, backgroundScope, directory)
            form.start("ktp_baru").join()
            form.change("desa", hit.code).join()
            val desa = form.state.value.field("desa")!!
            assertEquals(hit.code, desa.value)
            assertEquals(childrenInCsv("13.05.01").toMap()[hit.code], desa.regionName)
        }
    }

    @Test
    fun `offline the picker uses what it stored and says when it has nothing`(@TempDir cache: File, @TempDir empty: File) =
        runTest(timeout = 2.minutes) {
            val server = server
            assumeTrue(server != null, "region tables absent")
            val runner = CoreRunner(StandardTestDispatcher(testScheduler))
            val root = Region("13.05", "Padang Pariaman")
            // Online once: the districts and Lubuk Alung's villages are stored.
            val online = ServerRegionDirectory(server!!.url, cache)
            online.children("13.05")
            online.children("13.05.01")
            server.stop()
            try {
                val stored = RegionPicker(ServerRegionDirectory(server.url, cache), runner, backgroundScope, RegionLevel.VILLAGE, root)
                stored.retry().join()
                assertFalse(stored.state.value.unavailable)
                stored.choose(stored.state.value.options.single { it.code == "13.05.01" })!!.join()
                assertTrue(stored.state.value.options.any { it.code == Story.VILLAGE })
                stored.backTo(0).join()
                stored.choose(stored.state.value.options.single { it.code == "13.05.02" })!!.join()
                assertTrue(stored.state.value.unavailable, "never loaded, no signal")

                val fresh = RegionPicker(ServerRegionDirectory(server.url, empty), runner, backgroundScope, RegionLevel.VILLAGE, root)
                fresh.retry().join()
                assertTrue(fresh.state.value.unavailable)
                assertTrue(fresh.state.value.options.isEmpty())
                server.start()
                fresh.retry().join()
                assertFalse(fresh.state.value.unavailable)
                assertEquals(17, fresh.state.value.options.size)
            } finally {
                if (!server.running) server.start()
            }
        }
}
