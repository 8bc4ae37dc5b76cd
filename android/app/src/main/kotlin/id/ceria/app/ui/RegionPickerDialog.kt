/*
 * The region picker as a full-height dialog: breadcrumb, search, one list per level.
 */
package id.ceria.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.AssistChip
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.ListItem
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import id.ceria.app.R
import id.ceria.ui.region.Region
import id.ceria.ui.region.RegionPicker

/** Shows [picker]; [onPicked] gets the finished choice, [onDismiss] closes without one. */
@Composable
fun RegionPickerDialog(picker: RegionPicker, onPicked: (Region) -> Unit, onDismiss: () -> Unit) {
    val state by picker.state.collectAsStateWithLifecycle()
    LaunchedEffect(state.picked) { state.picked?.let(onPicked) }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.region_title)) },
        text = {
            Column {
                state.path.forEachIndexed { i, region ->
                    AssistChip(onClick = { picker.backTo(i) }, label = { Text(region.name) })
                }
                OutlinedTextField(
                    value = state.query,
                    onValueChange = picker::search,
                    label = { Text(stringResource(R.string.region_search)) },
                    singleLine = true,
                    modifier = Modifier.fillMaxWidth(),
                )
                when {
                    state.loading -> CircularProgressIndicator(Modifier.padding(16.dp))
                    state.unavailable -> {
                        Text(stringResource(R.string.region_unavailable))
                        TextButton(onClick = { picker.retry() }) { Text(stringResource(R.string.retry)) }
                    }
                    else -> LazyColumn(Modifier.heightIn(max = 400.dp)) {
                        items(state.options, key = { it.code }) { region ->
                            ListItem(
                                headlineContent = { Text(region.name) },
                                supportingContent = { Text(region.code) },
                                modifier = Modifier.clickable { picker.choose(region) },
                            )
                        }
                    }
                }
            }
        },
        confirmButton = {},
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.back)) } },
    )
}
