/*
 * A citizen's whole story, driven through the screen models as the Compose screens drive them,
 * against the real core and a real ceria-server on loopback: register, pick KTP-el Baru, make
 * the usual mistakes, read the Indonesian messages, fix them, attach a photo of the KK, send
 * while offline, come online, get the request returned by the nagari, fix it, and collect the
 * finished card.
 */
package id.ceria.ui.journey

import id.ceria.core.model.LocalState
import id.ceria.ui.account.Mode
import id.ceria.ui.account.SessionModel
import id.ceria.ui.catalog.CatalogModel
import id.ceria.ui.catalog.Need
import id.ceria.ui.catalog.ServicePage
import id.ceria.ui.common.CoreRunner
import id.ceria.ui.common.ErrorKind
import id.ceria.ui.common.Language
import id.ceria.ui.form.FormModel
import id.ceria.ui.form.FormPhase
import id.ceria.ui.photo.PhotoPreparer
import id.ceria.ui.requests.RequestDetailModel
import id.ceria.ui.requests.RequestsModel
import id.ceria.ui.support.JvmImageCodec
import id.ceria.ui.support.Phone
import id.ceria.ui.support.Pictures
import id.ceria.ui.support.RegistryStaff
import id.ceria.ui.support.Story
import id.ceria.ui.support.TestServer
import id.ceria.ui.sync.SyncBanner
import id.ceria.ui.sync.SyncModel
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.runTest
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import kotlin.test.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import java.io.File
import javax.imageio.ImageIO
import kotlin.time.Duration.Companion.minutes

class CitizenJourneyTest {
    private lateinit var server: TestServer
    private lateinit var phone: Phone

    @BeforeEach
    fun setUp() {
        server = TestServer.create()
        server.createStaff("operator", Story.OPERATOR, Story.STAFF_PASSWORD, Story.VILLAGE)
        server.createStaff("officer", Story.OFFICER, Story.STAFF_PASSWORD)
        server.start()
        phone = Phone(server.url)
    }

    @AfterEach
    fun tearDown() {
        phone.close()
        server.close()
    }

    @Test
    fun `a citizen applies for a KTP-el offline, fixes what the nagari returned and collects the card`() =
        runTest(timeout = 5.minutes) {
            val runner = CoreRunner(StandardTestDispatcher(testScheduler))
            val client = phone.client

            // -- Registers on the phone while there is a signal.
            val session = SessionModel(client, runner, backgroundScope)
            session.register(Story.NIK, Story.NAME, "0812 3456 7890", Story.PASSWORD).join()
            assertNull(session.state.value.error, "${session.state.value.error}")
            assertEquals(Mode.CITIZEN, session.state.value.mode)

            // -- The signal goes (the server is unreachable from now on).
            server.stop()
            val online = MutableStateFlow(false)
            val sync = SyncModel(client, runner, backgroundScope, online)
            assertEquals(SyncBanner.Offline(0), sync.state.first { it.banner is SyncBanner.Offline }.banner)

            // -- Opens the catalog: KTP-el Baru is under Pendaftaran Penduduk.
            val catalog = CatalogModel(client).state.value
            assertEquals(listOf("pendaftaran_penduduk", "pencatatan_sipil"), catalog.sections.map { it.groupId })
            assertEquals("Pendaftaran Penduduk", catalog.sections[0].name.text(Language.ID))
            val ktp = catalog.sections[0].services.single { it.id == "ktp_baru" }
            assertEquals("KTP-el Baru", ktp.name.text(Language.ID))
            assertTrue(ktp.free)

            // -- Reads the service standard before starting.
            val page = assertNotNull(ServicePage.load(client, "ktp_baru"))
            assertEquals(7, page.serviceDays)
            assertTrue(page.free)
            assertEquals(Need.ALWAYS, page.requirements.single { it.id == "kk" }.need)
            assertEquals(Need.SOMETIMES, page.requirements.single { it.id == "bukti_perkawinan" }.need)

            // -- Starts the form: required marks, but no message before touching anything.
            val form = FormModel(client, runner, backgroundScope)
            form.start("ktp_baru").join()
            var s = form.state.value
            assertEquals(FormPhase.EDITING, s.phase)
            assertTrue(s.field("nik")!!.required)
            assertTrue(s.errorCount > 0)
            assertTrue(s.shownMessages.isEmpty(), "nothing shouted at an empty form: ${s.shownMessages}")

            // -- Mistakes, each answered at once in Indonesian on its own field.
            form.change("nik", "13050210059000").join()
            s = form.state.value
            val nikMessage = s.field("nik")!!.messages.single()
            assertEquals("nik.length", nikMessage.code)
            assertEquals("NIK harus 16 angka; yang diisi 14 angka.", nikMessage.text(Language.ID))
            assertEquals(listOf("nik"), s.fields.filter { it.messages.isNotEmpty() }.map { it.id })

            form.change("nama", "Budi 5antoso").join()
            assertEquals("name.digits", form.state.value.field("nama")!!.messages.single().code)
            assertEquals(
                "Nama lengkap tidak boleh memuat angka.",
                form.state.value.field("nama")!!.messages.single().text(Language.ID),
            )

            form.change("tanggal_lahir", "2012-02-30").join()
            assertEquals("date.invalid", form.state.value.field("tanggal_lahir")!!.messages.first().code)

            // A 14-year-old who is not married cannot get a KTP-el: the catalog says what to do.
            form.change("tanggal_lahir", "2012-03-01").join()
            form.change("status_kawin", "1").join()
            val tooYoung = form.state.value.shownMessages.single { it.code == "ktp_baru.too_young" }
            assertTrue(tooYoung.text(Language.ID).contains("Kartu Identitas Anak (KIA)"), tooYoung.text(Language.ID))
            assertTrue(tooYoung.text(Language.EN).contains("KIA"), tooYoung.text(Language.EN))

            form.change("telepon", "0812").join()
            assertTrue(form.state.value.field("telepon")!!.messages.any { it.code.startsWith("phone.") })

            form.change("desa", Story.VILLAGE_IN_PADANG).join()
            assertEquals("desa.outside_regency", form.state.value.field("desa")!!.messages.single().code)

            // -- Tries to send anyway: nothing is queued, every problem shows, the KK included.
            form.submit().join()
            s = form.state.value
            assertEquals(FormPhase.EDITING, s.phase)
            val refusal = assertNotNull(s.error)
            assertEquals("draft.invalid", refusal.code)
            assertEquals(ErrorKind.VALIDATION, refusal.kind)
            assertTrue(s.field("nomor_kk")!!.messages.any { it.code == "field.required" }, "untouched fields now show")
            val missingKk = s.requirement("kk")!!.messages.single()
            assertEquals("attachment.missing", missingKk.code)
            assertTrue(missingKk.text(Language.ID).contains("Kartu Keluarga (KK)"), missingKk.text(Language.ID))

            // -- Attaches a text file by mistake: refused on the requirement, nothing stored.
            val preparer = PhotoPreparer(JvmImageCodec(), File(phone.dir, "prepared"))
            val note = File(phone.gallery, "catatan.txt").apply { writeText("bukan foto") }
            form.attach("kk", note, "text/plain", preparer).join()
            s = form.state.value
            assertEquals("attachment.media_type", s.requirement("kk")!!.messages.first().code)
            assertTrue(s.requirement("kk")!!.files.isEmpty())

            // -- Photographs the KK with a 12 MP camera: sent downscaled.
            val photo = Pictures.documentPhoto(File(phone.gallery, "IMG_20261129_0930.jpg"), 4000, 3000)
            form.attach("kk", photo, "image/jpeg", preparer).join()
            s = form.state.value
            val page1 = s.requirement("kk")!!.files.single()
            assertTrue(s.requirement("kk")!!.messages.isEmpty(), "${s.requirement("kk")!!.messages}")
            // The stored copy is sealed (the phone's store is encrypted): read it through the core.
            assertNull(ImageIO.read(File(page1.path)), "the file on disk is not an image")
            val stored = ImageIO.read(client.attachmentContent(page1.id).inputStream())
            assertEquals(1600 to 1200, stored.width to stored.height)
            assertTrue(page1.sizeBytes * 3 < photo.length(), "sent ${page1.sizeBytes} of ${photo.length()} bytes")
            assertEquals("IMG_20261129_0930.jpg", page1.fileName)

            // -- Fixes every answer; the form is valid and the messages are gone.
            for ((field, value) in Story.KTP_FORM) form.change(field, value).join()
            s = form.state.value
            assertTrue(s.valid, "still: ${s.shownMessages.map { it.code }}")
            assertTrue(s.shownMessages.isEmpty(), "${s.shownMessages}")
            assertEquals("+6281234567890", s.field("telepon")!!.normalised)

            // -- Sends: saved on the phone, waiting for a signal.
            form.submit().join()
            s = form.state.value
            assertEquals(FormPhase.SUBMITTED, s.phase)
            val requestId = assertNotNull(s.requestId)
            val requests = RequestsModel(client, runner, backgroundScope)
            requests.refresh().join()
            val row = requests.state.value.rows.single()
            assertEquals(LocalState.QUEUED, row.state)
            assertTrue(row.waitingToSend)
            assertNull(row.trackingCode)

            sync.refresh().join()
            assertEquals(SyncBanner.Offline(1), sync.state.value.banner)
            // "Send now" without a signal: still waiting, nothing lost.
            sync.syncNow().join()
            assertEquals(SyncBanner.Offline(1), sync.state.value.banner)

            // -- The signal comes back: the app sends by itself.
            server.start()
            online.value = true
            var banner = sync.state.first { !it.running && it.banner !is SyncBanner.Offline }.banner
            assertTrue(banner is SyncBanner.UpToDate, "$banner")
            val accepted = sync.state.value.lastRun!!.notices.single()
            assertEquals(LocalState.SUBMITTED, accepted.state)
            val trackingCode = assertNotNull(accepted.trackingCode)
            assertTrue(Regex("CR-[A-Z2-9]{4}-[A-Z2-9]{4}").matches(trackingCode), trackingCode)

            val detail = RequestDetailModel(client, runner, backgroundScope, requestId)
            detail.refresh().join()
            var d = assertNotNull(detail.state.value.detail)
            assertEquals(LocalState.SUBMITTED, d.state)
            assertEquals("Diajukan", d.stateLabel!!.text(Language.ID))
            assertEquals(trackingCode, d.trackingCode)
            assertNull(d.waiting)

            // -- The nagari operator finds the KK photo unreadable and returns the request.
            val operator = RegistryStaff(server.url, Story.OPERATOR, Story.STAFF_PASSWORD)
            val serverId = operator.findByTrackingCode(trackingCode)
            val reason = "Foto KK buram, nomor KK tidak terbaca. Mohon foto ulang."
            operator.returnForFixing(serverId, listOf("kk" to reason))

            sync.syncNow().join()
            val returned = sync.state.value.lastRun!!.notices.single()
            assertEquals(LocalState.RETURNED, returned.state)
            assertEquals("Dikembalikan untuk diperbaiki", returned.stateLabel!!.text(Language.ID))
            detail.refresh().join()
            d = assertNotNull(detail.state.value.detail)
            val fix = d.fixes.single()
            assertEquals("kk", fix.target)
            assertEquals("Kartu Keluarga (KK)", fix.targetLabel!!.text(Language.ID))
            assertEquals(reason, fix.text.text(Language.ID))
            assertTrue(d.canRevise)
            requests.refresh().join()
            assertTrue(requests.state.value.rows.single().needsAction)

            // -- Fixes it: the old page goes, a sharper photo comes, and it is sent again.
            val revision = FormModel(client, runner, backgroundScope)
            revision.revise(requestId).join()
            s = revision.state.value
            assertEquals(requestId, s.revises)
            assertEquals(Story.NIK, s.field("nik")!!.value, "prefilled with what was sent")
            val oldPage = s.requirement("kk")!!.files.single()
            revision.removeAttachment(oldPage.id).join()
            assertEquals("attachment.missing", revision.state.value.requirement("kk")!!.messages.single().code)
            val sharper = Pictures.documentPhoto(File(phone.gallery, "IMG_20261130_0815.jpg"), 3000, 4000, seed = 11)
            revision.attach("kk", sharper, "image/jpeg", preparer).join()
            assertEquals(1200 to 1600, ImageIO.read(client.attachmentContent(revision.state.value.requirement("kk")!!.files.single().id).inputStream()).let { it.width to it.height })
            revision.submit().join()
            assertEquals(FormPhase.SUBMITTED, revision.state.value.phase)

            sync.syncNow().join()
            assertTrue(sync.state.value.banner is SyncBanner.UpToDate, "${sync.state.value.banner}")
            detail.refresh().join()
            assertEquals(LocalState.SUBMITTED, detail.state.value.detail!!.state)
            assertTrue(detail.state.value.detail!!.fixes.isEmpty())

            // -- The nagari verifies, the registry prints the card.
            operator.verify(serverId)
            val officer = RegistryStaff(server.url, Story.OFFICER, Story.STAFF_PASSWORD)
            officer.process(serverId)
            val pickup = "Ambil di kantor wali nagari Lubuk Alung mulai 5 Desember 2026; bawa KK asli."
            officer.complete(serverId, "KTP-1305-2026-000123", pickup)

            sync.syncNow().join()
            val done = sync.state.value.lastRun!!.notices.single()
            assertEquals(LocalState.COMPLETED, done.state)
            assertEquals("Selesai", done.stateLabel!!.text(Language.ID))
            detail.refresh().join()
            d = assertNotNull(detail.state.value.detail)
            assertEquals(LocalState.COMPLETED, d.state)
            assertEquals("KTP-1305-2026-000123", d.pickup!!.documentNumber)
            assertEquals(pickup, d.pickup!!.instructions)
            assertFalse(d.canCancel)
            assertFalse(d.canRevise)
            val fromRegistry = d.timeline.filter { it.fromServer }.map { it.state }
            assertEquals(
                listOf(LocalState.SUBMITTED, LocalState.RETURNED, LocalState.SUBMITTED, LocalState.VERIFIED, LocalState.PROCESSING, LocalState.COMPLETED),
                fromRegistry,
            )
            assertEquals(listOf("Diverifikasi nagari", "Diproses", "Selesai"), d.timeline.takeLast(3).map { it.label!!.text(Language.ID) })
            assertEquals(listOf("Verified by the nagari", "In process", "Completed"), d.timeline.takeLast(3).map { it.label!!.text(Language.EN) })

            // Nothing left to send.
            banner = sync.state.value.banner
            assertTrue(banner is SyncBanner.UpToDate, "$banner")
        }
}
