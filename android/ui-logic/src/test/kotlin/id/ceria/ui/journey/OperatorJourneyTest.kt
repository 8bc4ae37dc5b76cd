/*
 * A nagari operator's day: logs in on the office phone, files KTP-el requests for two residents
 * of Lubuk Alung by NIK, sends them, and follows them per resident when one comes back.
 */
package id.ceria.ui.journey

import id.ceria.core.model.LocalState
import id.ceria.ui.account.Mode
import id.ceria.ui.account.SessionModel
import id.ceria.ui.common.CoreRunner
import id.ceria.ui.common.Language
import id.ceria.ui.form.FormModel
import id.ceria.ui.form.FormPhase
import id.ceria.ui.operator.OperatorModel
import id.ceria.ui.photo.PhotoPreparer
import id.ceria.ui.support.JvmImageCodec
import id.ceria.ui.support.Phone
import id.ceria.ui.support.Pictures
import id.ceria.ui.support.RegistryStaff
import id.ceria.ui.support.Story
import id.ceria.ui.support.TestServer
import id.ceria.ui.sync.SyncBanner
import id.ceria.ui.sync.SyncModel
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.runTest
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import java.io.File
import kotlin.time.Duration.Companion.minutes

class OperatorJourneyTest {
    private lateinit var server: TestServer
    private lateinit var phone: Phone

    @BeforeEach
    fun setUp() {
        server = TestServer.create()
        server.createStaff("operator", Story.OPERATOR, Story.STAFF_PASSWORD, Story.VILLAGE)
        server.start()
        phone = Phone(server.url)
    }

    @AfterEach
    fun tearDown() {
        phone.close()
        server.close()
    }

    /** Files a KTP-el Baru for the resident [nik] with the operator's own photo of their KK. */
    private suspend fun fileFor(
        nik: String,
        answers: Map<String, String>,
        runner: CoreRunner,
        scope: CoroutineScope,
    ): String {
        val form = FormModel(phone.client, runner, scope)
        form.start("ktp_baru", onBehalfOf = nik).join()
        assertEquals(nik, form.state.value.onBehalfOf)
        for ((field, value) in Story.KTP_FORM + answers) form.change(field, value).join()
        val preparer = PhotoPreparer(JvmImageCodec(), File(phone.dir, "prepared"))
        val kk = Pictures.documentPhoto(File(phone.gallery, "kk-$nik.jpg"), 2400, 1800)
        form.attach("kk", kk, "image/jpeg", preparer).join()
        form.submit().join()
        val s = form.state.value
        assertEquals(FormPhase.SUBMITTED, s.phase, "${s.error} ${s.shownMessages.map { it.code }}")
        return s.requestId!!
    }

    @Test
    fun `an operator files for two residents and sees which one needs fixing`() = runTest(timeout = 3.minutes) {
        val runner = CoreRunner(StandardTestDispatcher(testScheduler))
        val session = SessionModel(phone.client, runner, backgroundScope)
        session.login(Story.OPERATOR, "salah-sandi").join()
        assertEquals("auth.invalid_credentials", session.state.value.error?.code)
        assertEquals(Mode.SIGNED_OUT, session.state.value.mode)
        session.login(Story.OPERATOR, Story.STAFF_PASSWORD).join()
        assertEquals(Mode.OPERATOR, session.state.value.mode)
        assertEquals(Story.VILLAGE, session.state.value.current?.village)

        // The resident's NIK is checked before a form starts (offline, by the core).
        val operator = OperatorModel(phone.client, runner, backgroundScope)
        operator.enterNik("1305 0152 0395").join()
        assertFalse(operator.state.value.canStart)
        assertEquals("nik.length", operator.state.value.nikMessages.single().code)
        operator.enterNik("1305015203950000").join()
        assertEquals("nik.serial", operator.state.value.nikMessages.single().code)
        operator.enterNik("1305 0152 0395 0002").join()
        assertEquals(Story.NIK_SITI, operator.state.value.nik)
        assertTrue(operator.state.value.canStart, "${operator.state.value.nikMessages}")

        val siti = fileFor(
            Story.NIK_SITI,
            mapOf("nik" to Story.NIK_SITI, "nama" to "Siti Rahmah", "tanggal_lahir" to "1995-03-12", "jenis_kelamin" to "P"),
            runner,
            backgroundScope,
        )
        val rudi = fileFor(
            Story.NIK_RUDI,
            mapOf("nik" to Story.NIK_RUDI, "nama" to "Rudi Hartono", "tanggal_lahir" to "1988-08-15"),
            runner,
            backgroundScope,
        )

        val sync = SyncModel(phone.client, runner, backgroundScope, MutableStateFlow(true))
        sync.syncNow().join()
        assertTrue(sync.state.value.banner is SyncBanner.UpToDate, "${sync.state.value.banner}")
        val notices = sync.state.value.lastRun!!.notices
        assertEquals(setOf(siti, rudi), notices.map { it.requestId }.toSet())
        assertTrue(notices.all { it.state == LocalState.SUBMITTED && it.trackingCode != null })

        operator.refresh().join()
        var citizens = operator.state.value.citizens
        assertEquals(Story.VILLAGE, operator.state.value.village)
        assertEquals(setOf(Story.NIK_SITI, Story.NIK_RUDI), citizens.map { it.nik }.toSet())
        assertTrue(citizens.all { it.requests.single().state == LocalState.SUBMITTED })

        // The same operator reviews the village queue (web console) and returns Rudi's request.
        val console = RegistryStaff(server.url, Story.OPERATOR, Story.STAFF_PASSWORD)
        val rudiCode = notices.single { it.requestId == rudi }.trackingCode!!
        console.returnForFixing(console.findByTrackingCode(rudiCode), listOf("tanggal_lahir" to "Tanggal lahir tidak sesuai KK."))
        sync.syncNow().join()
        val returned = sync.state.value.lastRun!!.notices.single()
        assertEquals(rudi, returned.requestId)
        assertEquals("KTP-el Baru", returned.serviceName.text(Language.ID))

        operator.refresh().join()
        citizens = operator.state.value.citizens
        assertEquals(Story.NIK_RUDI, citizens.first().nik, "the resident with something to fix comes first")
        assertEquals(1, citizens.first().needingAction)
        assertEquals(0, citizens.last().needingAction)
    }
}
