// The whole story against a real ceria-server, as a citizen's app lives it: register, fill a
// KTP-el form with mistakes and fix it, attach the family card, finalise offline, sync, have
// the nagari operator verify and the registry officer complete it, sync again and see the
// completed request with its tracking code and document.
package id.ceria.core.jvm

import id.ceria.core.CeriaClient
import id.ceria.core.defaultConfig
import id.ceria.core.model.CeriaException
import id.ceria.core.model.LocalState
import id.ceria.core.model.Role
import id.ceria.core.model.SyncListener
import id.ceria.core.model.SyncProgress
import id.ceria.core.model.SyncStep
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.MethodOrderer
import org.junit.jupiter.api.Order
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.TestMethodOrder
import org.junit.jupiter.api.assertThrows
import java.util.Collections

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation::class)
class RequestFlowTest {
    private val server = RegistryServer()
    // Short retry backoff, so the test need not wait minutes after going offline.
    private val phone = CeriaClient.withConfig(
        defaultConfig(tempDir("phone").path, server.url).copy(backoffBaseMs = 100uL, backoffMaxMs = 400uL),
    )
    private val examples = ServiceExamples("ktp_baru")
    private val nik = examples.valid.values.getValue("nik")
    private val password = "Rumah-Gadang-Biru-27"
    private lateinit var requestId: String

    @AfterAll
    fun shutDown() {
        phone.close()
        server.close()
    }

    @Test
    @Order(1)
    fun `a citizen registers and is logged in`() {
        val account = phone.register(nik, "Andika Pratama", "0812-3456-7890", password)
        assertEquals(nik, account.username)
        assertEquals(Role.CITIZEN, account.role)
        assertTrue(account.loggedIn && account.current && !account.needsLogin)
        assertEquals(account, phone.currentAccount())
        // Registering the same NIK twice is refused with the server's own code and wording.
        val again = assertThrows<CeriaException> { phone.register(nik, "Andika Pratama", "081234567890", password) }
        assertEquals("auth.nik_taken", again.errorCode())
        assertTrue(again.messageIn("id").contains("NIK"), again.messageIn("id"))
    }

    @Test
    @Order(2)
    fun `a KTP-el draft with mistakes shows localised issues as it is typed`() {
        val draft = phone.createDraft("ktp_baru")
        assertEquals("ktp_baru", draft.service)
        assertFalse(draft.valid)
        // The woman's-NIK mistake: a man's NIK (day 10) but sex P, and a name with a digit.
        val wrong = examples.valid.values + mapOf("jenis_kelamin" to "P", "nama" to "Andika Pratama 2")
        val report = phone.setValues(draft.id, wrong)
        assertFalse(report.valid)
        val sex = report.issuesFor("nik").single { it.code == "nik.sex_mismatch" }
        assertTrue(sex.messageId.contains("jenis kelamin"), sex.messageId)
        assertTrue(sex.messageEn.contains("sex"), sex.messageEn)
        assertTrue(report.issuesFor("nama").isNotEmpty(), "a digit in a name is refused: ${report.issues}")
        assertEquals(listOf("kk"), report.missingAttachments)

        // Single-field check while typing: not saved, only that field's issues.
        assertTrue(phone.checkField(draft.id, "jenis_kelamin", "L", null).isEmpty())
        assertTrue(phone.checkField(draft.id, "nama", "Andika Pratama", null).isEmpty())
        val typing = phone.checkField(draft.id, "telepon", "0812", null)
        assertTrue(typing.isNotEmpty() && typing.all { it.field == "telepon" }, "$typing")
        assertEquals("P", phone.draft(draft.id).values["jenis_kelamin"], "checkField must not save")
        assertThrows<CeriaException.InvalidInput> { phone.checkField(draft.id, "zodiak", "x", null) }

        // Finalising now is refused with every issue.
        val refused = assertThrows<CeriaException.Validation> { phone.finalise(draft.id) }
        assertEquals("draft.invalid", refused.code)
        assertTrue(refused.issues.any { it.code == "nik.sex_mismatch" })

        val fixed = phone.setValues(draft.id, mapOf("jenis_kelamin" to "L", "nama" to "Andika Pratama"))
        assertTrue(fixed.issues.none { it.severity == id.ceria.core.model.Severity.ERROR && it.field != null }, "${fixed.issues}")
        assertEquals(listOf("kk"), fixed.missingAttachments)
        assertEquals(1, phone.drafts().size)
    }

    @Test
    @Order(3)
    fun `the family card is attached and the request finalised offline`() {
        val draftId = phone.drafts().single().id
        val dir = tempDir("camera")
        val gif = java.io.File(dir, "kk.gif").apply { writeBytes(byteArrayOf(0x47, 0x49, 0x46, 0x38)) }
        val refused = assertThrows<CeriaException.Validation> { phone.attach(draftId, "kk", gif.path, "image/gif") }
        assertEquals("attachment.media_type", refused.code)
        assertEquals("attachment.media_type", refused.issues.single().code)
        assertThrows<CeriaException.InvalidInput> {
            phone.attach(draftId, "kk", java.io.File(dir, "hilang.jpg").path, "image/jpeg")
        }

        val photo = tinyJpeg(dir)
        val attachment = phone.attach(draftId, "kk", photo.path, "image/jpeg")
        assertEquals(photo.length().toULong(), attachment.size)
        assertEquals(64, attachment.sha256.length)
        photo.delete() // the store keeps its own copy
        assertTrue(java.io.File(attachment.path).isFile)

        val draft = phone.draft(draftId)
        assertTrue(draft.valid, "${draft.issues}")
        assertTrue(draft.missingAttachments.isEmpty())
        val request = phone.finalise(draftId)
        requestId = request.id
        assertEquals(LocalState.QUEUED, request.state)
        assertEquals(null, request.trackingCode)
        assertEquals(examples.valid.values["desa"], request.village)
        assertTrue(phone.drafts().isEmpty(), "finalising consumes the draft")
        assertEquals(listOf(requestId), phone.requests().map { it.id })
    }

    @Test
    @Order(4)
    fun `sync sends it with progress and returns the tracking code`() {
        val events = Collections.synchronizedList(mutableListOf<SyncProgress>())
        val report = phone.sync(object : SyncListener {
            override fun onProgress(progress: SyncProgress) {
                events.add(progress)
            }
        })
        assertEquals(1u, report.accepted, "$report")
        assertEquals(1u, report.filesUploaded)
        assertEquals(0u, report.pendingOperations)
        assertTrue(events.any { it.step == SyncStep.UPLOADING })
        assertEquals(SyncStep.DONE, events.last().step)
        assertTrue(report.problems.isEmpty(), "${report.problems}")

        val request = phone.request(requestId)
        assertEquals(LocalState.SUBMITTED, request.state)
        val code = request.trackingCode ?: error("no tracking code after sync: $request")
        assertTrue(Regex("CR-[A-Z2-9]{4}-[A-Z2-9]{4}").matches(code), code)
        assertTrue(request.canCancel)
        assertNotNull(request.serverId)
    }

    @Test
    @Order(5)
    fun `the operator verifies, the officer completes, and the next sync shows it`() {
        val serverId = phone.request(requestId).serverId!!
        val operator = server.staffToken(RegistryServer.OPERATOR)
        assertTrue(server.queue(operator, "submitted").contains(serverId))
        server.transition(operator, serverId, "verified", note = "Berkas lengkap")
        val officer = server.staffToken(RegistryServer.OFFICER)
        server.transition(officer, serverId, "processing")
        server.transition(
            officer, serverId, "completed",
            document = "1305021005090003" to "Ambil di kantor wali nagari",
        )

        // A listener that throws must not break the sync (the failure is noted, not thrown).
        val report = phone.sync(object : SyncListener {
            override fun onProgress(progress: SyncProgress) = throw IllegalStateException("UI bug")
        })
        assertTrue(report.changesPulled >= 3u, "$report")
        assertTrue(report.problems.any { it.contains("listener") }, "${report.problems}")

        val request = phone.request(requestId)
        assertEquals(LocalState.COMPLETED, request.state)
        assertNotNull(request.trackingCode)
        assertEquals("1305021005090003", request.document?.number)
        assertFalse(request.canCancel)
        assertFalse(request.canRevise)
        val timeline = request.timeline.map { it.state }
        for (state in listOf(LocalState.QUEUED, LocalState.SUBMITTED, LocalState.VERIFIED,
            LocalState.PROCESSING, LocalState.COMPLETED)) {
            assertTrue(state in timeline, "$state missing from $timeline")
        }
        assertTrue(request.timeline.zipWithNext().all { (a, b) -> a.atMs <= b.atMs })
        assertTrue(request.timeline.any { it.fromServer && it.note == "Berkas lengkap" })
        val label = phone.stateLabel(request.state)
        assertTrue(label.text("id").isNotBlank() && label.text("en").isNotBlank())
        val cancel = assertThrows<CeriaException.InvalidInput> { phone.cancel(requestId) }
        assertEquals("request.not_cancellable", cancel.code)
    }

    @Test
    @Order(6)
    fun `a pass with nothing to send syncs the account and keeps the request`() {
        val report = phone.sync(null)
        assertEquals(0u, report.pendingOperations)
        assertEquals(1u, report.accountsSynced)
        assertEquals(1, phone.requests().size)
    }

    @Test
    @Order(7)
    fun `a bad password, a wrong URL and a stopped server are typed exceptions`() {
        val bad = assertThrows<CeriaException.Unauthorized> { phone.login(nik, "salah-sandi") }
        assertEquals("auth.invalid_credentials", bad.code)
        assertTrue(bad.messageId.isNotBlank() && bad.messageEn.isNotBlank())

        // A URL where no server listens.
        CeriaClient(tempDir("wrong-port").path, "http://127.0.0.1:${freePort()}").use { lost ->
            val e = assertThrows<CeriaException.Offline> { lost.login(nik, password) }
            assertEquals("sync.offline", e.code)
            assertTrue(e.isRetryable())
        }
        // A URL on the right host but not a Ceria server's root.
        CeriaClient(tempDir("wrong-path").path, "${server.url}/bukan-ceria").use { lost ->
            val e = assertThrows<CeriaException> { lost.login(nik, password) }
            assertTrue(e is CeriaException.Server || e is CeriaException.Protocol, "$e")
        }
        // A draft made while the server is down stays queued; sync says Offline.
        server.stop()
        try {
            val draft = phone.createDraft("ktp_baru")
            phone.setValues(draft.id, examples.valid.values)
            phone.attach(draft.id, "kk", tinyJpeg(tempDir("camera2")).path, "image/jpeg")
            val queued = phone.finalise(draft.id)
            val offline = assertThrows<CeriaException.Offline> { phone.sync(null) }
            assertTrue(offline.messageIn("en").isNotBlank())
            // Not submitted: queued, or pushed with the answer still outstanding (the engine
            // cannot know whether a push that broke off reached the server).
            val state = phone.request(queued.id).state
            assertTrue(state in setOf(LocalState.QUEUED, LocalState.UPLOADING, LocalState.PUSHED), "$state")
            assertEquals(null, phone.request(queued.id).trackingCode)
        } finally {
            server.start()
        }
        // Back online, the queued request goes through once its retry time has come.
        val retryAt = phone.requests().mapNotNull { phone.request(it.id).nextAttemptMs }.maxOrNull()
        if (retryAt != null) Thread.sleep((retryAt - System.currentTimeMillis()).coerceIn(0, 2_000))
        val report = phone.sync(null)
        assertEquals(1u, report.accepted, "$report")
    }

    @Test
    @Order(8)
    fun `logging out wipes the account's data from the device`() {
        val account = phone.currentAccount()!!
        phone.logout(account.id)
        assertEquals(null, phone.currentAccount())
        assertThrows<CeriaException.Unauthorized> { phone.requests() }
        assertThrows<CeriaException.NotFound> { phone.logout(account.id) }
        // Logging in again brings the requests back from the server's feed.
        phone.login(nik, password)
        phone.sync(null)
        assertEquals(2, phone.requests().size)
    }
}
