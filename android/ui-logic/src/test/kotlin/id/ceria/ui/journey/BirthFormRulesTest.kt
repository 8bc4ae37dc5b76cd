/*
 * The dynamic form's rules on the birth certificate form (Akta Kelahiran), as a mother fills
 * it in offline: questions appear and disappear with the answers, required documents follow
 * them, a late report is a warning that never blocks, and the form speaks English when asked.
 */
package id.ceria.ui.journey

import id.ceria.ui.account.SessionModel
import id.ceria.ui.common.CoreRunner
import id.ceria.ui.common.Language
import id.ceria.ui.common.Level
import id.ceria.ui.form.FieldInput
import id.ceria.ui.form.FormModel
import id.ceria.ui.form.FormPhase
import id.ceria.ui.form.FormState
import id.ceria.ui.photo.PhotoPreparer
import id.ceria.ui.support.JvmImageCodec
import id.ceria.ui.support.Phone
import id.ceria.ui.support.Pictures
import id.ceria.ui.support.Story
import id.ceria.ui.support.TestServer
import kotlinx.coroutines.test.StandardTestDispatcher
import kotlinx.coroutines.test.runTest
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import java.io.File
import java.time.LocalDate
import java.time.ZoneOffset
import kotlin.test.assertIs
import kotlin.time.Duration.Companion.minutes

class BirthFormRulesTest {
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

    private fun FormState.visible(id: String): Boolean = field(id)?.visible == true

    private fun FormState.docRequired(id: String): Boolean = requirement(id)?.required == true

    @Test
    fun `questions and documents follow the answers and a late birth report only warns`() = runTest(timeout = 3.minutes) {
        val runner = CoreRunner(StandardTestDispatcher(testScheduler))
        SessionModel(phone.client, runner, backgroundScope)
            .register(Story.NIK_SITI, "Siti Rahmah", "081298765432", Story.PASSWORD).join()
        server.stop()

        val form = FormModel(phone.client, runner, backgroundScope)
        form.start("akta_kelahiran").join()
        val sex = assertIs<FieldInput.Pick>(form.state.value.field("jenis_kelamin_anak")!!.input)
        assertEquals(listOf("Laki-laki", "Perempuan"), sex.choices.map { it.label.text(Language.ID) })
        assertIs<FieldInput.Integer>(form.state.value.field("kelahiran_ke")!!.input).let {
            assertEquals(1L to 25L, it.min to it.max)
        }

        // A married couple with a marriage book: the father's and the marriage's questions show.
        form.change("status_perkawinan_ortu", "tercatat").join()
        var s = form.state.value
        assertTrue(s.visible("nik_ayah") && s.visible("nomor_akta_perkawinan_ortu"))
        assertTrue(s.field("nomor_akta_perkawinan_ortu")!!.required)
        assertTrue(s.docRequired("buku_nikah_ortu"))
        assertFalse(s.docRequired("sptjm_pasangan"))

        // A marriage by religion only: no marriage certificate asked, the SPTJM instead.
        form.change("status_perkawinan_ortu", "belum_tercatat").join()
        s = form.state.value
        assertFalse(s.visible("nomor_akta_perkawinan_ortu"))
        assertTrue(s.visible("nik_ayah"))
        assertTrue(s.docRequired("sptjm_pasangan"))
        assertFalse(s.docRequired("buku_nikah_ortu"))

        // A child of a mother alone: no father's questions at all.
        form.change("status_perkawinan_ortu", "ibu_saja").join()
        s = form.state.value
        assertFalse(s.visible("nik_ayah") || s.visible("nama_ayah") || s.visible("tanggal_lahir_ayah"))

        // No birth letter from a midwife: two witnesses and an SPTJM instead.
        form.change("ada_surat_lahir", "false").join()
        s = form.state.value
        assertTrue(s.visible("nik_saksi_1") && s.visible("nama_saksi_2"))
        assertTrue(s.docRequired("sptjm_kelahiran"))
        form.change("ada_surat_lahir", "true").join()
        s = form.state.value
        assertFalse(s.visible("nik_saksi_1"))
        assertTrue(s.docRequired("surat_keterangan_lahir"))
        assertFalse(s.docRequired("sptjm_kelahiran"))

        // A birth 100 days ago (in WIB, the regency's time): late, but accepted with guidance.
        val born = LocalDate.now(ZoneOffset.ofHours(7)).minusDays(100).toString()
        val answers = linkedMapOf(
            "nama_anak" to "Aisyah Putri",
            "jenis_kelamin_anak" to "P",
            "tempat_dilahirkan" to "2",
            "tempat_lahir_anak" to "Lubuk Alung",
            "tanggal_lahir_anak" to born,
            "jenis_kelahiran" to "1",
            "kelahiran_ke" to "1",
            "penolong_kelahiran" to "2",
            "nomor_kk" to "1305020101150001",
            "nik_ibu" to Story.NIK_SITI,
            "nama_ibu" to "Siti Rahmah",
            "tanggal_lahir_ibu" to "1995-03-12",
            "nik_pelapor" to Story.NIK_SITI,
            "nama_pelapor" to "Siti Rahmah",
            "hubungan_pelapor" to "orang_tua",
            "desa" to Story.VILLAGE,
            "telepon" to "081298765432",
        )
        for ((field, value) in answers) form.change(field, value).join()
        s = form.state.value
        val late = s.field("tanggal_lahir_anak")!!.messages.single()
        assertEquals("akta_kelahiran.late", late.code)
        assertEquals(Level.WARNING, late.level)
        assertTrue(late.text(Language.ID).contains("terlambat 40 hari"), late.text(Language.ID))
        assertTrue(late.text(Language.EN).contains("40 days late"), late.text(Language.EN))
        assertFalse(s.valid, "documents are still missing")
        assertEquals(s.fields.count { it.messages.any { m -> m.level == Level.ERROR } }, 0, "no field error left")

        // A name with a title is refused on a new record (Permendagri 73/2022), in both languages.
        form.change("nama_anak", "Dr. Aisyah Putri").join()
        val title = form.state.value.field("nama_anak")!!.messages.first()
        assertTrue(title.code.startsWith("name."), title.code)
        assertTrue(title.text(Language.EN).isNotBlank() && title.text(Language.EN) != title.text(Language.ID))
        form.change("nama_anak", "Aisyah Putri").join()

        val preparer = PhotoPreparer(JvmImageCodec(), File(phone.dir, "prepared"))
        for (doc in listOf("surat_keterangan_lahir", "kk", "ktp_el_orang_tua")) {
            val picture = Pictures.documentPhoto(File(phone.gallery, "$doc.jpg"), 2000, 1500)
            form.attach(doc, picture, "image/jpeg", preparer).join()
        }
        s = form.state.value
        assertTrue(s.valid, "${s.shownMessages.map { it.code }}")
        form.submit().join()
        assertEquals(FormPhase.SUBMITTED, form.state.value.phase, "${form.state.value.error}")
    }
}
