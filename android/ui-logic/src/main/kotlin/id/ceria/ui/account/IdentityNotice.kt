/*
 * Whether the citizen using the app has shown that their NIK is theirs, and what to do about
 * it, as the account screen shows it (issue 11: registering a NIK alone proves nothing).
 */
package id.ceria.ui.account

import id.ceria.core.model.IdentityState
import id.ceria.ui.common.Bilingual

/** A citizen account's identity state with the catalog's words for it. */
data class IdentityNotice(
    /** Unverified (sees only its own requests) or verified (also those staff filed for it). */
    val state: IdentityState,
    /**
     * What the state means and what to do, from the catalog (`identity.unverified`: verify
     * with No. KK, birth date and mother's name, or visit the nagari office with the KTP-el
     * or KK; `identity.verified`).
     */
    val text: Bilingual,
) {
    /** True while the screen should offer the register check (No. KK, birth date, mother). */
    val canProve: Boolean get() = state == IdentityState.UNVERIFIED
}
