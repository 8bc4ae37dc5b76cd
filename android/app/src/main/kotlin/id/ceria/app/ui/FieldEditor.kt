/*
 * One form field rendered from its catalog spec: label with required mark, the widget its kind
 * needs, hint, and the live messages from the core.
 */
package id.ceria.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.DatePicker
import androidx.compose.material3.DatePickerDialog
import androidx.compose.material3.DropdownMenuItem
import androidx.compose.material3.ExperimentalMaterial3Api
import androidx.compose.material3.ExposedDropdownMenuBox
import androidx.compose.material3.ExposedDropdownMenuDefaults
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.ExposedDropdownMenuAnchorType
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.material3.rememberDatePickerState
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import id.ceria.app.R
import id.ceria.ui.common.Level
import id.ceria.ui.form.FieldInput
import id.ceria.ui.form.FieldState
import java.time.Instant
import java.time.LocalDate
import java.time.ZoneOffset

/** Renders [field]. [onChange] saves a new value; [onPickRegion] opens the region picker. */
@Composable
fun FieldEditor(field: FieldState, onChange: (String) -> Unit, onPickRegion: () -> Unit) {
    val label = tr(field.label) + if (field.required) " (${stringResource(R.string.form_required_mark)})" else ""
    Column(Modifier.fillMaxWidth().padding(vertical = 6.dp)) {
        when (val input = field.input) {
            is FieldInput.Text, is FieldInput.Name, FieldInput.Phone, is FieldInput.Integer, is FieldInput.Digits16 ->
                TextInput(field, label, input, onChange)
            is FieldInput.Date -> DateInput(field, label, onChange)
            is FieldInput.Pick -> PickInput(field, label, input, onChange)
            is FieldInput.Region -> {
                Text(label, style = MaterialTheme.typography.labelLarge)
                OutlinedButton(onClick = onPickRegion, modifier = Modifier.fillMaxWidth()) {
                    Text(field.value.takeIf { it.isNotEmpty() }?.let { field.regionName ?: it } ?: stringResource(R.string.form_choose))
                }
            }
            FieldInput.YesNo -> {
                Text(label, style = MaterialTheme.typography.labelLarge)
                Row(verticalAlignment = Alignment.CenterVertically) {
                    RadioButton(selected = field.value == "true", onClick = { onChange("true") })
                    Text(stringResource(R.string.form_yes))
                    RadioButton(selected = field.value == "false", onClick = { onChange("false") })
                    Text(stringResource(R.string.form_no))
                }
            }
            FieldInput.Computed -> {
                Text(label, style = MaterialTheme.typography.labelLarge)
                Text(field.normalised ?: field.value)
            }
        }
        field.hint?.let { Text(tr(it), style = MaterialTheme.typography.bodySmall) }
        for (message in field.messages) {
            Text(
                tr(message.text),
                color = if (message.level == Level.ERROR) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.tertiary,
                style = MaterialTheme.typography.bodySmall,
            )
        }
    }
}

@Composable
private fun TextInput(field: FieldState, label: String, input: FieldInput, onChange: (String) -> Unit) {
    val keyboard = when (input) {
        is FieldInput.Digits16, is FieldInput.Integer -> KeyboardType.Number
        FieldInput.Phone -> KeyboardType.Phone
        else -> KeyboardType.Text
    }
    OutlinedTextField(
        value = field.value,
        onValueChange = onChange,
        label = { Text(label) },
        isError = field.hasError,
        singleLine = true,
        keyboardOptions = KeyboardOptions(keyboardType = keyboard),
        modifier = Modifier.fillMaxWidth(),
    )
}

/** A read-only field that opens the Material date picker; the value stays `YYYY-MM-DD`. */
@OptIn(ExperimentalMaterial3Api::class)
@Composable
private fun DateInput(field: FieldState, label: String, onChange: (String) -> Unit) {
    var open by remember { mutableStateOf(false) }
    OutlinedButton(onClick = { open = true }, modifier = Modifier.fillMaxWidth()) {
        Text(if (field.value.isEmpty()) label else "$label: ${field.value}")
    }
    if (!open) return
    // The picker works in UTC midnights; the form wants a calendar date, not an instant.
    val initial = runCatching { LocalDate.parse(field.value).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() }.getOrNull()
    val picker = rememberDatePickerState(initialSelectedDateMillis = initial)
    DatePickerDialog(
        onDismissRequest = { open = false },
        confirmButton = {
            TextButton(onClick = {
                picker.selectedDateMillis?.let { onChange(Instant.ofEpochMilli(it).atZone(ZoneOffset.UTC).toLocalDate().toString()) }
                open = false
            }) { Text(stringResource(android.R.string.ok)) }
        },
        dismissButton = { TextButton(onClick = { open = false }) { Text(stringResource(android.R.string.cancel)) } },
    ) { DatePicker(state = picker) }
}

@OptIn(ExperimentalMaterial3Api::class)
@Composable
private fun PickInput(field: FieldState, label: String, input: FieldInput.Pick, onChange: (String) -> Unit) {
    var open by remember { mutableStateOf(false) }
    val shown = input.labelOf(field.value)?.let { tr(it) } ?: ""
    ExposedDropdownMenuBox(expanded = open, onExpandedChange = { open = it }) {
        OutlinedTextField(
            value = shown,
            onValueChange = {},
            readOnly = true,
            label = { Text(label) },
            isError = field.hasError,
            trailingIcon = { ExposedDropdownMenuDefaults.TrailingIcon(expanded = open) },
            modifier = Modifier.fillMaxWidth().menuAnchor(ExposedDropdownMenuAnchorType.PrimaryNotEditable),
        )
        ExposedDropdownMenu(expanded = open, onDismissRequest = { open = false }) {
            for (choice in input.choices) {
                DropdownMenuItem(
                    text = { Text(tr(choice.label)) },
                    onClick = {
                        open = false
                        onChange(choice.code)
                    },
                )
            }
        }
    }
}
