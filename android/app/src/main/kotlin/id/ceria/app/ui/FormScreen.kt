/*
 * The dynamic form: fields rendered from the catalog, documents, and "save and send".
 */
package id.ceria.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import id.ceria.app.AppGraph
import id.ceria.app.R
import id.ceria.core.model.RegionLevel
import id.ceria.ui.form.FieldInput
import id.ceria.ui.form.FormModel
import id.ceria.ui.form.FormPhase
import id.ceria.ui.region.Region
import id.ceria.ui.region.RegionPicker

/** Renders [model]; [onSubmitted] gets the queued request's id. */
@Composable
fun FormScreen(model: FormModel, graph: AppGraph, onSubmitted: (String) -> Unit) {
    val state by model.state.collectAsStateWithLifecycle()
    var picking by remember { mutableStateOf<Pair<String, RegionLevel>?>(null) }
    LaunchedEffect(state.phase, state.requestId) {
        val id = state.requestId
        if (state.phase == FormPhase.SUBMITTED && id != null) onSubmitted(id)
    }
    if (state.phase == FormPhase.LOADING) {
        CircularProgressIndicator(Modifier.padding(32.dp))
        return
    }
    LazyColumn(Modifier.fillMaxSize().padding(horizontal = 16.dp)) {
        item { Text(tr(state.serviceName), style = MaterialTheme.typography.headlineSmall) }
        state.onBehalfOf?.let { nik -> item { Text(stringResource(R.string.form_for_citizen, nik)) } }
        items(state.visibleFields, key = { it.id }) { field ->
            FieldEditor(
                field = field,
                onChange = { model.change(field.id, it) },
                onPickRegion = {
                    val level = (field.input as? FieldInput.Region)?.level ?: RegionLevel.VILLAGE
                    picking = field.id to level
                },
            )
        }
        item { Text(stringResource(R.string.form_attachments), style = MaterialTheme.typography.titleMedium) }
        items(state.requirements, key = { "att-" + it.id }) { requirement ->
            AttachmentSection(
                requirement = requirement,
                captureDir = graph.captureDir,
                onAdd = { model.attach(requirement.id, it.file, it.mediaType, graph.photos) },
                onRemove = { model.removeAttachment(it) },
            )
        }
        items(state.formMessages) { Text(tr(it.text), color = MaterialTheme.colorScheme.error) }
        item {
            Column(Modifier.padding(vertical = 16.dp)) {
                state.error?.let { Text(tr(it.text), color = MaterialTheme.colorScheme.error) }
                Button(
                    onClick = { model.submit() },
                    enabled = state.phase == FormPhase.EDITING,
                    modifier = Modifier.fillMaxWidth(),
                ) {
                    Text(stringResource(if (state.phase == FormPhase.SUBMITTING) R.string.form_submitting else R.string.form_submit))
                }
                TextButton(onClick = { model.discard() }) { Text(stringResource(R.string.form_discard)) }
            }
        }
    }
    picking?.let { (fieldId, level) ->
        val regency = graph.client.regency()
        // A fresh picker each time the dialog opens: it leaves composition when closed.
        val scope = rememberCoroutineScope()
        val picker = remember(fieldId) {
            RegionPicker(graph.regions, graph.runner, scope, level, Region(regency.code, regency.name))
        }
        RegionPickerDialog(
            picker = picker,
            onPicked = {
                model.change(fieldId, it.code)
                picking = null
            },
            onDismiss = { picking = null },
        )
    }
}
