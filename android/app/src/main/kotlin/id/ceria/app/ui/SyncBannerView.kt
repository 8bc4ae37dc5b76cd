/*
 * The sync banner shown above every screen, with its "send now" button.
 */
package id.ceria.app.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.ceria.app.R
import id.ceria.ui.sync.SyncBanner
import id.ceria.ui.sync.SyncState

/** Renders [state]; [onSyncNow] and [onCancel] drive the model. */
@Composable
fun SyncBannerView(state: SyncState, onSyncNow: () -> Unit, onCancel: () -> Unit) {
    val banner = state.banner
    val color = when (banner) {
        is SyncBanner.Offline, is SyncBanner.LoginNeeded, is SyncBanner.Broken -> MaterialTheme.colorScheme.errorContainer
        is SyncBanner.Waiting, is SyncBanner.Sending -> MaterialTheme.colorScheme.secondaryContainer
        is SyncBanner.UpToDate -> MaterialTheme.colorScheme.surfaceVariant
    }
    Surface(color = color, modifier = Modifier.fillMaxWidth()) {
        Column(Modifier.padding(horizontal = 16.dp, vertical = 8.dp)) {
            Row(verticalAlignment = Alignment.CenterVertically, horizontalArrangement = Arrangement.SpaceBetween) {
                Text(
                    bannerText(LocalContext.current, banner, currentLanguage()),
                    style = MaterialTheme.typography.bodyMedium,
                    modifier = Modifier.weight(1f),
                )
                if (state.running) {
                    TextButton(onClick = onCancel) { Text(stringResource(R.string.sync_cancel)) }
                } else if (banner !is SyncBanner.UpToDate) {
                    TextButton(onClick = onSyncNow) { Text(stringResource(R.string.sync_now)) }
                }
            }
            if (banner is SyncBanner.Sending) {
                val fraction = banner.fraction
                if (fraction != null) {
                    LinearProgressIndicator(progress = { fraction }, modifier = Modifier.fillMaxWidth())
                } else {
                    LinearProgressIndicator(modifier = Modifier.fillMaxWidth())
                }
            }
        }
    }
}
