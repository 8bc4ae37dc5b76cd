/*
 * The presentation module's own small rules, without the core: which status changes notify,
 * how the banner's progress is computed, region code arithmetic, language choice.
 */
package id.ceria.ui.unit

import id.ceria.core.model.LocalState
import id.ceria.core.model.RegionLevel
import id.ceria.core.model.SyncStep
import id.ceria.ui.common.Bilingual
import id.ceria.ui.common.Language
import id.ceria.ui.region.Region
import id.ceria.ui.requests.RequestRow
import id.ceria.ui.requests.StatusWatcher
import id.ceria.ui.sync.SyncBanner
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test

class PresentationRulesTest {
    private val ktp = Bilingual("KTP-el Baru", "New electronic identity card (KTP-el)")

    private fun row(id: String, state: LocalState, code: String? = null) =
        RequestRow(id, "ktp_baru", ktp, state, null, code, 0L)

    @Test
    fun `only the registry's steps notify, once each`() {
        val before = listOf(row("a", LocalState.QUEUED), row("b", LocalState.SUBMITTED, "CR-AAAA-BBBB"), row("c", LocalState.SUBMITTED))
        val after = listOf(
            row("a", LocalState.UPLOADING), // the phone's own progress: silent
            row("b", LocalState.RETURNED, "CR-AAAA-BBBB"),
            row("c", LocalState.SUBMITTED), // unchanged
            row("d", LocalState.COMPLETED, "CR-CCCC-DDDD"), // first seen in the feed (filed elsewhere)
            row("e", LocalState.CANCELLED), // the person's own cancellation
        )
        val notices = StatusWatcher.changes(before, after)
        assertEquals(listOf("b" to LocalState.RETURNED, "d" to LocalState.COMPLETED), notices.map { it.requestId to it.state })
        assertEquals("CR-AAAA-BBBB", notices.first().trackingCode)
        assertEquals(emptyList<Any>(), StatusWatcher.changes(after, after))
    }

    @Test
    fun `the progress bar is determinate only while bytes or requests are counted`() {
        assertEquals(0.25f, SyncBanner.Sending(SyncStep.UPLOADING, 0, 2, 256, 1024).fraction)
        assertNull(SyncBanner.Sending(SyncStep.UPLOADING, 0, 2, 0, 0).fraction, "nothing to upload yet")
        assertEquals(0.5f, SyncBanner.Sending(SyncStep.PUSHING, 1, 2, 1024, 1024).fraction)
        assertNull(SyncBanner.Sending(SyncStep.PUSHING, 0, 0, 0, 0).fraction)
        assertNull(SyncBanner.Sending(SyncStep.PULLING, 2, 2, 1024, 1024).fraction)
        // Bytes a previous, interrupted pass already sent can make the count overshoot.
        assertEquals(1f, SyncBanner.Sending(SyncStep.UPLOADING, 0, 1, 2048, 1024).fraction)
    }

    @Test
    fun `region codes know their level and parent`() {
        assertEquals(RegionLevel.PROVINCE, Region.levelOf("13"))
        assertEquals(RegionLevel.REGENCY, Region.levelOf("13.05"))
        assertEquals(RegionLevel.DISTRICT, Region.levelOf("13.05.01"))
        assertEquals(RegionLevel.VILLAGE, Region.levelOf("13.05.01.2001"))
        assertEquals("13.05.01", Region.parentOf("13.05.01.2001"))
        assertEquals("13", Region.parentOf("13.05"))
        assertNull(Region.parentOf("13"))
    }

    @Test
    fun `Indonesian unless the phone is set to English`() {
        assertEquals(Language.EN, Language.fromTag("en-GB"))
        assertEquals(Language.EN, Language.fromTag("EN"))
        assertEquals(Language.ID, Language.fromTag("in-ID"))
        assertEquals(Language.ID, Language.fromTag("id"))
        assertEquals(Language.ID, Language.fromTag("min-ID"), "Minangkabau phones read Indonesian")
        assertEquals("New electronic identity card (KTP-el)", ktp.text(Language.EN))
    }
}
