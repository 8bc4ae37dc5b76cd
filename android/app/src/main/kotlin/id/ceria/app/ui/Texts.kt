/*
 * Words for the typed states of :ui-logic: the app's own chrome comes from string resources
 * (values = Indonesian, values-en = English); catalog texts come in both languages already.
 */
package id.ceria.app.ui

import android.content.Context
import android.text.format.DateUtils
import androidx.compose.runtime.Composable
import androidx.compose.ui.platform.LocalConfiguration
import androidx.compose.ui.platform.LocalContext
import id.ceria.app.R
import id.ceria.core.model.LocalState
import id.ceria.core.model.SyncStep
import id.ceria.ui.common.Bilingual
import id.ceria.ui.common.Language
import id.ceria.ui.sync.SyncBanner
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter

/** The language of the current configuration. */
@Composable
fun currentLanguage(): Language = Language.fromTag(LocalConfiguration.current.locales[0].toLanguageTag())

/** [text] in the current language. */
@Composable
fun tr(text: Bilingual): String = text.text(currentLanguage())

/** A state's label: the catalog's, else the app's words for the phone-only states. */
fun stateText(context: Context, state: LocalState, label: Bilingual?, language: Language): String =
    label?.text(language) ?: when (state) {
        LocalState.QUEUED -> context.getString(R.string.state_queued)
        LocalState.UPLOADING -> context.getString(R.string.state_uploading)
        LocalState.PUSHED -> context.getString(R.string.state_pushed)
        LocalState.NEEDS_FIX -> context.getString(R.string.state_needs_fix)
        else -> state.name.lowercase()
    }

/** [stateText] in a composable. */
@Composable
fun stateText(state: LocalState, label: Bilingual?): String = stateText(LocalContext.current, state, label, currentLanguage())

/** Clock time in the phone's zone, e.g. `14.05`. */
fun clockTime(ms: Long): String =
    DateTimeFormatter.ofPattern("HH.mm").format(Instant.ofEpochMilli(ms).atZone(ZoneId.systemDefault()))

/** Date and time, e.g. `29-11-2026 14.05`. */
fun dateTime(ms: Long): String =
    DateTimeFormatter.ofPattern("dd-MM-yyyy HH.mm").format(Instant.ofEpochMilli(ms).atZone(ZoneId.systemDefault()))

/** The banner's sentence. */
fun bannerText(context: Context, banner: SyncBanner, language: Language): String = when (banner) {
    is SyncBanner.Offline -> if (banner.pending > 0) {
        context.getString(R.string.sync_offline, banner.pending)
    } else {
        context.getString(R.string.sync_offline_nothing)
    }
    is SyncBanner.Waiting -> when {
        banner.reason != null -> banner.reason.text(language)
        banner.nextRetryMs != null -> context.getString(R.string.sync_waiting_until, banner.pending, clockTime(banner.nextRetryMs))
        else -> context.getString(R.string.sync_waiting, banner.pending)
    }
    is SyncBanner.Sending -> when (banner.step) {
        SyncStep.UPLOADING -> context.getString(
            R.string.sync_uploading,
            android.text.format.Formatter.formatShortFileSize(context, banner.bytesSent),
            android.text.format.Formatter.formatShortFileSize(context, banner.bytesTotal),
        )
        SyncStep.PUSHING -> context.getString(R.string.sync_sending, banner.sent, banner.total)
        else -> context.getString(R.string.sync_checking)
    }
    is SyncBanner.UpToDate -> banner.lastSyncMs?.let {
        context.getString(
            R.string.sync_up_to_date_since,
            DateUtils.getRelativeTimeSpanString(it, System.currentTimeMillis(), DateUtils.MINUTE_IN_MILLIS),
        )
    } ?: context.getString(R.string.sync_up_to_date)
    is SyncBanner.LoginNeeded -> context.getString(R.string.sync_login_needed)
    is SyncBanner.Broken -> banner.reason.text(language)
}
