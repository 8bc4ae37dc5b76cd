/*
 * The sync banner while a request with a photo goes out: "sending n of m" with a progress bar
 * that only moves forward, then "up to date"; and "log in again" when the server no longer
 * knows the session, with nothing lost.
 */
package id.ceria.ui.journey

import id.ceria.core.model.SyncStep
import id.ceria.ui.account.SessionModel
import id.ceria.ui.common.CoreRunner
import id.ceria.ui.form.FormModel
import id.ceria.ui.form.FormPhase
import id.ceria.ui.photo.PhotoPreparer
import id.ceria.ui.support.JvmImageCodec
import id.ceria.ui.support.Phone
import id.ceria.ui.support.Pictures
import id.ceria.ui.support.Story
import id.ceria.ui.support.TestServer
import id.ceria.ui.sync.SyncBanner
import id.ceria.ui.sync.SyncModel
import id.ceria.ui.sync.SyncOutcome
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.UnconfinedTestDispatcher
import kotlinx.coroutines.test.runTest
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import java.io.File
import java.util.Collections
import kotlin.test.assertIs
import kotlin.time.Duration.Companion.minutes

class SyncBannerTest {
    private lateinit var server: TestServer
    private lateinit var phone: Phone

    @BeforeEach
    fun setUp() {
        server = TestServer.create().start()
        phone = Phone(server.url)
    }

    @AfterEach
    fun tearDown() {
        phone.close()
        server.close()
    }

    private suspend fun queueKtpWithPhotos(runner: CoreRunner, scope: CoroutineScope, pages: Int) {
        val form = FormModel(phone.client, runner, scope)
        form.start("ktp_baru").join()
        for ((field, value) in Story.KTP_FORM) form.change(field, value).join()
        val preparer = PhotoPreparer(JvmImageCodec(), File(phone.dir, "prepared"))
        repeat(pages) { page ->
            val photo = Pictures.documentPhoto(File(phone.gallery, "kk-$page.jpg"), 4000, 3000, seed = page.toLong())
            form.attach("kk", photo, "image/jpeg", preparer).join()
        }
        form.submit().join()
        assertEquals(FormPhase.SUBMITTED, form.state.value.phase, "${form.state.value.error}")
    }

    @OptIn(ExperimentalCoroutinesApi::class) // UnconfinedTestDispatcher: record every banner.
    @Test
    fun `sending shows n of m and a progress bar that only moves forward`() = runTest(timeout = 3.minutes) {
        val runner = CoreRunner(StandardTestDispatcher(testScheduler))
        SessionModel(phone.client, runner, backgroundScope).register(Story.NIK, Story.NAME, "081234567890", Story.PASSWORD).join()
        queueKtpWithPhotos(runner, backgroundScope, pages = 3)

        val sync = SyncModel(phone.client, runner, backgroundScope, MutableStateFlow(true))
        // Every banner, as the screen would see it, recorded on the syncing thread.
        val seen = Collections.synchronizedList(mutableListOf<SyncBanner>())
        backgroundScope.launch(UnconfinedTestDispatcher(testScheduler)) { sync.state.collect { seen += it.banner } }
        sync.syncNow().join()

        val sending = seen.filterIsInstance<SyncBanner.Sending>()
        val uploading = sending.filter { it.step == SyncStep.UPLOADING && it.bytesTotal > 0 }
        assertTrue(uploading.size >= 3, "three pages in 64 KiB chunks give several upload events: $sending")
        val fractions = uploading.mapNotNull { it.fraction }
        assertEquals(fractions.sorted(), fractions, "the bar never jumps back")
        assertEquals(1f, fractions.last())
        val pushing = sending.filter { it.step == SyncStep.PUSHING }
        assertTrue(pushing.isNotEmpty(), "$sending")
        assertTrue(pushing.all { it.total == 1 && it.sent in 0..1 })
        assertIs<SyncBanner.UpToDate>(seen.last())
        assertTrue((seen.last() as SyncBanner.UpToDate).lastSyncMs != null)
        val done = assertIs<SyncOutcome.Done>(sync.state.value.lastRun!!.outcome)
        assertEquals(3u, done.report.filesUploaded)
    }

    @Test
    fun `a session the server no longer knows asks for a login and keeps the request`() = runTest(timeout = 3.minutes) {
        val runner = CoreRunner(StandardTestDispatcher(testScheduler))
        val session = SessionModel(phone.client, runner, backgroundScope)
        session.register(Story.NIK, Story.NAME, "081234567890", Story.PASSWORD).join()
        queueKtpWithPhotos(runner, backgroundScope, pages = 1)
        // The registry restores an old backup: this phone's session token is unknown there.
        server.wipeAndRestart()

        val sync = SyncModel(phone.client, runner, backgroundScope, MutableStateFlow(true))
        sync.syncNow().join()
        val banner = assertIs<SyncBanner.LoginNeeded>(sync.state.value.banner)
        assertEquals(1, banner.pending)
        session.refresh().join()
        assertTrue(session.state.value.mustLogInAgain)
        // Logging in is refused too (the account is gone), but the request stays on the phone.
        session.login(Story.NIK, Story.PASSWORD).join()
        assertEquals("auth.invalid_credentials", session.state.value.error?.code)
        sync.refresh().join()
        assertEquals(SyncBanner.LoginNeeded(1, null), sync.state.value.banner)
    }
}
