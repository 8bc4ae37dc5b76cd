/*
 * A citizen's account and the NIK it was registered with (issue 11): the account screen says
 * the account is not verified and what to do (register data, or the nagari office with the
 * KTP-el or KK), in Indonesian first; the register check answers each mistake; a check at the
 * office reaches the phone at its next sync.
 */
package id.ceria.ui.journey

import id.ceria.core.model.IdentityState
import id.ceria.ui.account.SessionModel
import id.ceria.ui.common.CoreRunner
import id.ceria.ui.common.Language
import id.ceria.ui.support.Phone
import id.ceria.ui.support.RegistryStaff
import id.ceria.ui.support.Story
import id.ceria.ui.support.TestServer
import id.ceria.ui.sync.SyncBanner
import id.ceria.ui.sync.SyncModel
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.runTest
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import java.io.File
import kotlin.test.assertNotNull
import kotlin.time.Duration.Companion.minutes

class IdentityJourneyTest {
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

    /** The No. KK, birth date and mother's name the register holds for [Story.NIK]. */
    private val kk = Story.KTP_FORM.getValue("nomor_kk")
    private val birth = Story.KTP_FORM.getValue("tanggal_lahir")
    private val mother = "Rosmaini"

    @Test
    fun `a new account says it is not verified and what to do, then proves the NIK with the register data`() =
        runTest(timeout = 3.minutes) {
            val runner = CoreRunner(StandardTestDispatcher(testScheduler))
            val session = SessionModel(phone.client, runner, backgroundScope)
            session.register(Story.NIK, Story.NAME, "0812 3456 7890", Story.PASSWORD).join()
            assertNull(session.state.value.error, "${session.state.value.error}")

            // -- The account screen: not verified, and what to do, Indonesian first.
            var notice = assertNotNull(session.state.value.identity)
            assertEquals(IdentityState.UNVERIFIED, notice.state)
            assertTrue(notice.canProve)
            val id = notice.text.text(Language.ID)
            assertTrue(id.startsWith("Akun belum terverifikasi"), id)
            assertTrue(id.contains("No. KK, tanggal lahir dan nama ibu kandung"), id)
            assertTrue(id.contains("kantor wali nagari dengan KTP-el atau KK"), id)
            assertTrue(notice.text.text(Language.EN).startsWith("Account not verified"))

            // -- No register on the server yet: the office is the way.
            session.proveIdentity(kk, birth, mother).join()
            var error = assertNotNull(session.state.value.error)
            assertEquals("identity.no_register", error.code)
            assertTrue(error.text(Language.ID).contains("kantor wali nagari"), error.text(Language.ID))

            val csv = File(phone.dir, "extract.csv")
            csv.writeText("NIK;No KK;Tanggal Lahir;Nama Ibu Kandung\n${Story.NIK};$kk;10-05-1990;ROSMAINI\n")
            server.importPopulation(csv)

            // -- A No. KK cut short lands on its field; a wrong name says the attempts left.
            session.proveIdentity("1305 02", birth, mother).join()
            assertEquals("request.malformed", session.state.value.error?.code)
            assertTrue(session.state.value.fieldMessages.containsKey("nomor_kk"), "${session.state.value.fieldMessages}")
            session.proveIdentity(kk, birth, "Rosmawati").join()
            error = assertNotNull(session.state.value.error)
            assertEquals("identity.mismatch", error.code)
            assertTrue(error.text(Language.ID).contains("Sisa percobaan: 4"), error.text(Language.ID))
            assertEquals(IdentityState.UNVERIFIED, session.state.value.identity?.state)

            // -- The right facts, typed as people type them: verified.
            session.proveIdentity("1305 0201 0115 0001", birth, "rosmaini").join()
            assertNull(session.state.value.error, "${session.state.value.error}")
            notice = assertNotNull(session.state.value.identity)
            assertEquals(IdentityState.VERIFIED, notice.state)
            assertFalse(notice.canProve)
            assertTrue(notice.text.text(Language.ID).startsWith("Akun terverifikasi"), notice.text.id)
        }

    @Test
    fun `a check of the KTP-el at the nagari office reaches the account screen at the next sync`() =
        runTest(timeout = 3.minutes) {
            val runner = CoreRunner(StandardTestDispatcher(testScheduler))
            val session = SessionModel(phone.client, runner, backgroundScope)
            session.register(Story.NIK, Story.NAME, "0812 3456 7890", Story.PASSWORD).join()
            assertEquals(IdentityState.UNVERIFIED, session.state.value.identity?.state)

            RegistryStaff(server.url, Story.OPERATOR, Story.STAFF_PASSWORD)
                .verifyIdentity(Story.NIK, "ktp_el", "KTP-el asli diperiksa di kantor wali nagari")

            val sync = SyncModel(phone.client, runner, backgroundScope, MutableStateFlow(true))
            sync.syncNow().join()
            assertTrue(sync.state.value.banner is SyncBanner.UpToDate, "${sync.state.value.banner}")
            session.refresh().join()
            val notice = assertNotNull(session.state.value.identity)
            assertEquals(IdentityState.VERIFIED, notice.state)
            assertTrue(notice.text.text(Language.ID).startsWith("Akun terverifikasi"), notice.text.id)
        }
}
