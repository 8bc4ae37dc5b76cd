/*
 * What works on a phone that never had a signal and has no account yet: the catalog, its
 * search, service pages; a form cannot be started before logging in.
 */
package id.ceria.ui.journey

import id.ceria.ui.catalog.CatalogModel
import id.ceria.ui.catalog.ServicePage
import id.ceria.ui.common.CoreRunner
import id.ceria.ui.common.ErrorKind
import id.ceria.ui.common.Language
import id.ceria.ui.form.FormModel
import id.ceria.ui.form.FormPhase
import id.ceria.ui.support.Phone
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.runTest
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import kotlin.test.assertNotNull

class OfflineCatalogTest {
    /** A phone whose server address answers nothing: everything here works offline. */
    private val phone = Phone("http://127.0.0.1:9")

    @AfterEach
    fun tearDown() = phone.close()

    @Test
    fun `without an account nothing can be drafted, and the error says to log in`() = runTest {
        val form = FormModel(phone.client, CoreRunner(StandardTestDispatcher(testScheduler)), backgroundScope)
        form.start("akta_kelahiran").join()
        val s = form.state.value
        assertEquals(FormPhase.BROKEN, s.phase)
        val error = assertNotNull(s.error)
        assertEquals("account.none", error.code)
        assertEquals(ErrorKind.LOGIN_REQUIRED, error.kind)
        assertFalse(error.retryable)
    }

    @Test
    fun `the catalog is searchable in both languages and groups stay in registry order`() {
        val catalog = CatalogModel(phone.client)
        val all = catalog.state.value
        assertEquals(17, all.sections.sumOf { it.services.size })
        assertTrue(all.version.isNotBlank())
        catalog.search("akta")
        assertEquals(listOf("pencatatan_sipil"), catalog.state.value.sections.map { it.groupId })
        assertTrue(catalog.state.value.sections.single().services.any { it.id == "akta_kelahiran" })
        catalog.search("DEATH")
        val found = catalog.state.value.sections.flatMap { it.services }
        assertTrue(found.any { it.id == "akta_kematian" })
        assertTrue(found.all { (it.name.en + it.description.en).lowercase().contains("death") }, "$found")
        catalog.search("paspor")
        assertTrue(catalog.state.value.nothingFound)
        catalog.search("")
        assertEquals(all.sections, catalog.state.value.sections)
    }

    @Test
    fun `the birth service page states the 60-day deadline against the child's birth date`() {
        val page = assertNotNull(ServicePage.load(phone.client, "akta_kelahiran"))
        val deadline = assertNotNull(page.deadline)
        assertEquals(60, deadline.days)
        assertEquals("Tanggal lahir anak", deadline.eventLabel.text(Language.ID))
        assertTrue(page.free)
        assertEquals(null, ServicePage.load(phone.client, "paspor"))
    }
}
