/*
 * The documents part of the form: per requirement, its pages with a remove button, and "photo"
 * (camera) or "choose file" (gallery or files, PDF allowed) to add another page.
 */
package id.ceria.app.ui

import android.content.Context
import android.net.Uri
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.core.content.FileProvider
import id.ceria.app.R
import id.ceria.ui.common.Level
import id.ceria.ui.form.RequirementState
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import java.io.File

/** A picked or captured file, copied into the app's cache, with its media type. */
data class PickedFile(val file: File, val mediaType: String)

/** Renders one requirement; [onAdd] gets a new page, [onRemove] an attachment id. */
@Composable
fun AttachmentSection(
    requirement: RequirementState,
    captureDir: File,
    onAdd: (PickedFile) -> Unit,
    onRemove: (String) -> Unit,
) {
    val context = LocalContext.current
    var capture by remember { mutableStateOf<File?>(null) }
    val camera = rememberLauncherForActivityResult(ActivityResultContracts.TakePicture()) { ok ->
        val shot = capture
        if (ok && shot != null) onAdd(PickedFile(shot, "image/jpeg"))
    }
    val scope = rememberCoroutineScope()
    val picker = rememberLauncherForActivityResult(ActivityResultContracts.GetContent()) { uri ->
        if (uri != null) {
            // A scanned PDF can be megabytes: copy it off the main thread.
            scope.launch {
                withContext(Dispatchers.IO) { copyToCache(context, uri, captureDir) }?.let(onAdd)
            }
        }
    }
    Column(Modifier.fillMaxWidth().padding(vertical = 8.dp)) {
        val mark = if (requirement.required) " (${stringResource(R.string.form_required_mark)})" else ""
        Text(tr(requirement.label) + mark, style = MaterialTheme.typography.titleSmall)
        requirement.hint?.let { Text(tr(it), style = MaterialTheme.typography.bodySmall) }
        Text(stringResource(R.string.form_pages, requirement.files.size, requirement.maxFiles))
        for (file in requirement.files) {
            Row {
                Text(file.fileName, Modifier.weight(1f))
                TextButton(onClick = { onRemove(file.id) }) { Text(stringResource(R.string.form_remove_page)) }
            }
        }
        if (requirement.canAddMore) {
            Row {
                OutlinedButton(onClick = {
                    val shot = File.createTempFile("capture-", ".jpg", captureDir)
                    capture = shot
                    camera.launch(FileProvider.getUriForFile(context, context.packageName + ".files", shot))
                }) { Text(stringResource(R.string.form_take_photo)) }
                OutlinedButton(onClick = { picker.launch("*/*") }, modifier = Modifier.padding(start = 8.dp)) {
                    Text(stringResource(R.string.form_pick_file))
                }
            }
        }
        for (message in requirement.messages) {
            Text(
                tr(message.text),
                color = if (message.level == Level.ERROR) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.tertiary,
                style = MaterialTheme.typography.bodySmall,
            )
        }
    }
}

/** Copies a content URI into [dir] (the core needs a file path); null when unreadable. */
private fun copyToCache(context: Context, uri: Uri, dir: File): PickedFile? {
    val resolver = context.contentResolver
    val type = resolver.getType(uri) ?: return null
    val name = uri.lastPathSegment?.substringAfterLast('/')?.take(60) ?: "page"
    val target = File(dir, name.replace(Regex("[^A-Za-z0-9._-]"), "_"))
    val copied = resolver.openInputStream(uri)?.use { input -> target.outputStream().use { input.copyTo(it) } }
    return copied?.let { PickedFile(target, type) }
}
