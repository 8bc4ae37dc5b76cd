// Offline use of the bindings, as a frontend uses them before anyone logs in: browsing the
// catalog in Indonesian and English, code lists, validating forms and NIKs, and the typed
// errors for calls that need an account or a known service.
package id.ceria.core.jvm

import id.ceria.core.CeriaClient
import id.ceria.core.FormInput
import id.ceria.core.model.CeriaException
import id.ceria.core.model.FieldKind
import id.ceria.core.model.LocalState
import id.ceria.core.model.Severity
import id.ceria.core.validateNik
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogAndValidationTest {
    // Nothing listens on this port: everything here must work offline.
    private val client = CeriaClient(tempDir("catalog").path, "http://127.0.0.1:${freePort()}")

    @AfterAll
    fun closeClient() = client.close()

    @Test
    fun `services come grouped and worded in Indonesian and English`() {
        val groups = client.groups()
        assertEquals(listOf("pendaftaran_penduduk", "pencatatan_sipil"), groups.map { it.id })
        val all = client.services(null)
        val byGroup = groups.associate { it.id to client.services(it.id) }
        // Every service is in exactly one group, in the catalog's order.
        assertEquals(all.map { it.id }, groups.flatMap { g -> byGroup.getValue(g.id).map { it.id } })
        assertTrue(byGroup.values.all { it.isNotEmpty() })
        assertTrue(client.services("no_such_group").isEmpty())

        val ktp = client.service("ktp_baru") ?: error("ktp_baru missing")
        assertEquals("pendaftaran_penduduk", ktp.group)
        assertEquals("KTP-el Baru", ktp.name.text("id"))
        assertEquals("New electronic identity card (KTP-el)", ktp.name.text("en"))
        assertEquals(ktp.name.id, ktp.name.text("fr"), "unknown languages fall back to Indonesian")
        assertEquals(0uL, ktp.fee, "population documents are free by law")
        val nik = ktp.fields.first { it.id == "nik" }
        assertEquals(FieldKind.NIK, nik.kind)
        assertTrue(nik.required)
        assertTrue(ktp.attachments.any { it.id == "kk" && it.required })
        assertNull(client.service("ktp_palsu"))

        val birth = client.service("akta_kelahiran") ?: error("akta_kelahiran missing")
        assertEquals(60u, birth.deadline?.days, "births are reported within 60 days")
        assertTrue(client.catalogVersion().isNotBlank())
        assertEquals("13.05", client.regency().code)
        assertTrue(client.limits().mediaTypes.contains("image/jpeg"))
    }

    @Test
    fun `code lists and labels`() {
        val religion = client.codeList("religion") ?: error("religion list missing")
        assertEquals(7, religion.items.size, "seven religions and beliefs are recorded")
        assertEquals(client.codeLists().map { it.id }.toSet().size, client.codeLists().size)
        val female = client.codeLabel("sex", "P") ?: error("sex P missing")
        assertNotEquals(female.id, female.en)
        assertNull(client.codeLabel("sex", "X"))
        assertNull(client.codeList("zodiac"))
        val completed = client.stateLabel(LocalState.COMPLETED)
        assertTrue(completed.id.isNotBlank() && completed.en.isNotBlank())
        // States that exist only on the device are worded too.
        for (state in listOf(LocalState.QUEUED, LocalState.UPLOADING, LocalState.PUSHED, LocalState.NEEDS_FIX)) {
            val label = client.stateLabel(state)
            assertTrue(label.id.isNotBlank() && label.id != label.en, "$state: $label")
        }
        val worded = client.message("sync.offline", emptyMap())
        assertTrue(worded.id.contains("internet"), worded.id)
        assertEquals("no.such.code", client.message("no.such.code", emptyMap()).en)
    }

    @Test
    fun `the typical mistakes of a KTP-el form give localised issues`() {
        val examples = ServiceExamples("ktp_baru")
        val ok = client.validateForm(FormInput("ktp_baru", examples.valid.values, examples.valid.attachments, examples.today))
        assertTrue(ok.valid, "valid example: ${ok.issues}")
        assertEquals(0u, ok.errorCount())
        assertEquals("+6281234567890", ok.computed["telepon"], "phones are normalised to E.164")

        assertTrue(examples.mistakes.isNotEmpty())
        for (mistake in examples.mistakes) {
            val report = client.validateForm(FormInput("ktp_baru", mistake.values, mistake.attachments, examples.today))
            assertFalse(report.valid, "a mistake must not validate: ${mistake.values}")
            for ((field, code) in mistake.expect) {
                val found = report.issues.firstOrNull { it.code == code && it.field == field }
                    ?: error("expected $code on $field, got ${report.issues.map { it.field to it.code }}")
                // Worded in both languages, and different (the English is a real translation).
                assertTrue(found.messageId.isNotBlank() && found.messageEn.isNotBlank())
                assertNotEquals(found.messageId, found.messageEn)
                assertEquals(found.messageEn, found.messageIn("en"))
                assertEquals(found.messageId, found.messageIn("id"))
                if (field != null) assertTrue(report.issuesFor(field).contains(found))
            }
        }

        // The woman's NIK without the +40 on the day: the issue names both sexes.
        val wrongSex = examples.mistakes.first { m -> m.expect.any { it.second == "nik.sex_mismatch" } }
        val issue = client.validateForm(FormInput("ktp_baru", wrongSex.values, wrongSex.attachments, examples.today))
            .issuesFor("nik").first { it.code == "nik.sex_mismatch" }
        assertEquals(Severity.ERROR, issue.severity)
        assertEquals("L", issue.params["nik_sex"])
        assertTrue(issue.messageId.contains("40"), issue.messageId)
    }

    @Test
    fun `a standalone NIK check for simple frontends`() {
        assertTrue(validateNik("1305021005090003", "2009-05-10", "L").isEmpty())
        assertEquals(listOf("nik.sex_mismatch"), validateNik("1305082106080002", "2008-06-21", "P").map { it.code })
        val short = validateNik("13050210", null, null).single()
        assertEquals("nik.length", short.code)
        assertEquals("nik", short.field)
        assertTrue(short.messageEn.contains("16"), short.messageEn)
        assertTrue(validateNik("1305021005O90003", null, null).any { it.code == "nik.not_digits" })
        val e = assertThrows<CeriaException.InvalidInput> { validateNik("1305021005090003", "10-05-2009", null) }
        assertEquals("request.malformed", e.code)
    }

    @Test
    fun `calls that cannot be answered raise typed exceptions`() {
        val unknown = assertThrows<CeriaException.InvalidInput> {
            client.validateForm(FormInput(service = "ktp_palsu", values = emptyMap()))
        }
        assertEquals("service.unknown", unknown.code)
        assertEquals("service.unknown", unknown.errorCode())
        // Worded by the catalog in force, like every error (the wording lives in its messages).
        val worded = client.message("service.unknown", mapOf("service" to "ktp_palsu"))
        assertEquals(worded.id, unknown.messageId)
        assertEquals(worded.en, unknown.messageIn("en"))
        assertFalse(unknown.isRetryable())

        val badDay = assertThrows<CeriaException.InvalidInput> {
            client.validateForm(FormInput("ktp_baru", emptyMap(), emptyList(), "29/11/2026"))
        }
        assertEquals("request.malformed", badDay.code)

        // Drafts belong to an account: nobody is logged in on this device.
        val noAccount = assertThrows<CeriaException.Unauthorized> { client.createDraft("ktp_baru") }
        assertEquals("account.none", noAccount.code)
        assertNull(client.currentAccount())
        assertTrue(client.accounts().isEmpty())
        assertThrows<CeriaException.NotFound> { client.switchAccount("nobody") }
    }

    @Test
    fun `a store that cannot be opened is a storage error, not a crash`() {
        val file = java.io.File(tempDir("notadir"), "plain-file").apply { writeText("x") }
        val e = assertThrows<CeriaException.Storage> { CeriaClient(java.io.File(file, "data").path, "http://127.0.0.1:1") }
        assertEquals("device.storage", e.code)
        assertTrue(e.detail.isNotBlank())
    }
}
