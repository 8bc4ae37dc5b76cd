/*
 * Which requests changed state during a sync, for notifications ("Permohonan KTP-el Anda
 * dikembalikan untuk diperbaiki").
 */
package id.ceria.ui.requests

import id.ceria.core.model.LocalState
import id.ceria.ui.common.Bilingual

/** A status change worth a notification. */
data class StatusNotice(
    /** Local id of the request (the notification opens it). */
    val requestId: String,
    /** Service name. */
    val serviceName: Bilingual,
    /** The state it moved to. */
    val state: LocalState,
    /** The state's catalog label, if any. */
    val stateLabel: Bilingual?,
    /** The receipt code. */
    val trackingCode: String?,
)

/** Compares the request list before and after a sync. */
object StatusWatcher {
    /** States a person wants to hear about; the phone's own steps (queued, sending) are not. */
    private val NOTIFY = setOf(
        LocalState.SUBMITTED,
        LocalState.VERIFIED,
        LocalState.RETURNED,
        LocalState.PROCESSING,
        LocalState.COMPLETED,
        LocalState.REJECTED,
        LocalState.NEEDS_FIX,
    )

    /** The requests in [after] whose state differs from [before] and is worth a notice. */
    fun changes(before: List<RequestRow>, after: List<RequestRow>): List<StatusNotice> {
        val old = before.associate { it.id to it.state }
        return after
            .filter { row -> row.state in NOTIFY && old[row.id] != row.state }
            .map { StatusNotice(it.id, it.serviceName, it.state, it.stateLabel, it.trackingCode) }
    }
}
