/*
 * Nagari-operator mode: type a resident's NIK, start a request for them, follow requests per
 * resident.
 */
package id.ceria.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import id.ceria.app.R
import id.ceria.ui.operator.OperatorModel

/** [onNewRequest] gets the resident's NIK (then the catalog opens); [onOpen] a request id. */
@Composable
fun OperatorScreen(model: OperatorModel, onNewRequest: (String) -> Unit, onOpen: (String) -> Unit) {
    val state by model.state.collectAsStateWithLifecycle()
    LazyColumn(Modifier.fillMaxSize().padding(16.dp)) {
        item {
            Text(stringResource(R.string.operator_title), style = MaterialTheme.typography.headlineSmall)
            OutlinedTextField(
                value = state.nik,
                onValueChange = { model.enterNik(it) },
                label = { Text(stringResource(R.string.operator_citizen_nik)) },
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
                isError = state.nikMessages.isNotEmpty() && !state.canStart,
                singleLine = true,
                modifier = Modifier.fillMaxWidth(),
            )
            state.nikMessages.forEach { Text(tr(it.text), color = MaterialTheme.colorScheme.error) }
            Button(onClick = { onNewRequest(state.nik) }, enabled = state.canStart, modifier = Modifier.padding(vertical = 8.dp)) {
                Text(stringResource(R.string.operator_new_request))
            }
        }
        for (citizen in state.citizens) {
            item(key = "nik-" + citizen.nik) {
                Text(citizen.nik, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 12.dp))
                if (citizen.needingAction > 0) {
                    Text(stringResource(R.string.operator_needs_action, citizen.needingAction), color = MaterialTheme.colorScheme.error)
                }
            }
            items(citizen.requests, key = { it.id }) { row ->
                ListItem(
                    headlineContent = { Text(tr(row.serviceName)) },
                    supportingContent = { Text(stateText(row.state, row.stateLabel)) },
                    modifier = Modifier.clickable { onOpen(row.id) },
                )
            }
        }
    }
}
