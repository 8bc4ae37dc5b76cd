/*
 * "Permohonan saya" and one request's page: timeline, tracking code, what to fix, pickup.
 */
package id.ceria.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.selection.SelectionContainer
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import id.ceria.app.R
import id.ceria.ui.requests.RequestDetailModel
import id.ceria.ui.requests.RequestsModel

/** The list; [onOpen] gets a request id. */
@Composable
fun RequestsScreen(model: RequestsModel, onOpen: (String) -> Unit) {
    val state by model.state.collectAsStateWithLifecycle()
    if (state.rows.isEmpty() && !state.loading) {
        Text(stringResource(R.string.requests_empty), Modifier.padding(16.dp))
        return
    }
    LazyColumn(Modifier.fillMaxSize()) {
        items(state.rows, key = { it.id }) { row ->
            ListItem(
                headlineContent = { Text(tr(row.serviceName)) },
                supportingContent = {
                    Column {
                        Text(
                            stateText(row.state, row.stateLabel),
                            color = if (row.needsAction) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurfaceVariant,
                        )
                        row.trackingCode?.let { Text(stringResource(R.string.requests_tracking_code, it)) }
                    }
                },
                trailingContent = { Text(dateTime(row.updatedMs), style = MaterialTheme.typography.bodySmall) },
                modifier = Modifier.clickable { onOpen(row.id) },
            )
            HorizontalDivider()
        }
    }
}

/** One request; [onRevise] opens the fixing form for it. */
@Composable
fun RequestDetailScreen(model: RequestDetailModel, onRevise: (String) -> Unit) {
    val state by model.state.collectAsStateWithLifecycle()
    val detail = state.detail ?: return
    Column(Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp)) {
        Text(tr(detail.serviceName), style = MaterialTheme.typography.headlineSmall)
        Text(stateText(detail.state, detail.stateLabel), style = MaterialTheme.typography.titleMedium)
        detail.trackingCode?.let {
            SelectionContainer { Text(stringResource(R.string.requests_tracking_code, it), style = MaterialTheme.typography.titleLarge) }
        }
        detail.waiting?.nextAttemptMs?.let { Text(stringResource(R.string.request_next_attempt, clockTime(it))) }
        if (detail.fixes.isNotEmpty()) {
            Card(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
                Column(Modifier.padding(12.dp)) {
                    Text(stringResource(R.string.request_fix_title), style = MaterialTheme.typography.titleMedium)
                    for (fix in detail.fixes) {
                        val target = fix.targetLabel?.let { tr(it) + ": " } ?: ""
                        Text("• $target${tr(fix.text)}")
                    }
                    if (detail.canRevise) {
                        Button(onClick = { onRevise(detail.id) }, modifier = Modifier.padding(top = 8.dp)) {
                            Text(stringResource(R.string.request_fix_now))
                        }
                    }
                }
            }
        }
        detail.pickup?.let { pickup ->
            Card(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
                Column(Modifier.padding(12.dp)) {
                    Text(stringResource(R.string.request_pickup_title), style = MaterialTheme.typography.titleMedium)
                    Text(stringResource(R.string.request_document_number, pickup.documentNumber))
                    Text(pickup.instructions)
                }
            }
        }
        detail.note?.takeIf { detail.pickup == null }?.let { Text(it, Modifier.padding(vertical = 8.dp)) }
        Text(stringResource(R.string.request_timeline), style = MaterialTheme.typography.titleMedium)
        for (step in detail.timeline.asReversed()) {
            ListItem(
                headlineContent = { Text(stateText(step.state, step.label)) },
                supportingContent = {
                    Column {
                        Text(
                            dateTime(step.atMs) + " · " +
                                stringResource(if (step.fromServer) R.string.request_from_registry else R.string.request_from_phone),
                        )
                        step.explanation?.let { Text(tr(it)) }
                        step.note?.let { Text(it) }
                    }
                },
            )
        }
        if (detail.cancelPending) Text(stringResource(R.string.request_cancel_pending))
        if (detail.canCancel) {
            OutlinedButton(onClick = { model.cancel() }, modifier = Modifier.padding(top = 16.dp)) {
                Text(stringResource(R.string.request_cancel))
            }
        }
        state.error?.let { Text(tr(it.text), color = MaterialTheme.colorScheme.error) }
    }
}
