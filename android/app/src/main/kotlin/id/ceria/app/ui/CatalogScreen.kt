/*
 * The service catalog, grouped as the registry groups it, and a service's "standar pelayanan".
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
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import id.ceria.app.R
import id.ceria.ui.catalog.CatalogModel
import id.ceria.ui.catalog.Need
import id.ceria.ui.catalog.ServicePage

/** The catalog list; [onOpen] gets a service id. */
@Composable
fun CatalogScreen(model: CatalogModel, onOpen: (String) -> Unit) {
    val state by model.state.collectAsStateWithLifecycle()
    LazyColumn(Modifier.fillMaxSize()) {
        item {
            OutlinedTextField(
                value = state.query,
                onValueChange = model::search,
                label = { Text(stringResource(R.string.catalog_search)) },
                singleLine = true,
                modifier = Modifier.fillMaxWidth().padding(16.dp),
            )
        }
        if (state.nothingFound) {
            item { Text(stringResource(R.string.catalog_nothing_found), Modifier.padding(16.dp)) }
        }
        for (section in state.sections) {
            item(key = section.groupId) {
                Column(Modifier.padding(start = 16.dp, end = 16.dp, top = 16.dp)) {
                    Text(tr(section.name), style = MaterialTheme.typography.titleLarge)
                    Text(tr(section.description), style = MaterialTheme.typography.bodySmall)
                }
            }
            items(section.services, key = { it.id }) { card ->
                ListItem(
                    headlineContent = { Text(tr(card.name)) },
                    supportingContent = { Text(stringResource(R.string.service_days, card.serviceDays)) },
                    modifier = Modifier.clickable { onOpen(card.id) },
                )
                HorizontalDivider()
            }
        }
    }
}

/** A service's page; [onStart] opens the form. */
@Composable
fun ServiceScreen(page: ServicePage, onStart: () -> Unit) {
    Column(Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp)) {
        Text(tr(page.name), style = MaterialTheme.typography.headlineSmall)
        Text(tr(page.description), Modifier.padding(vertical = 8.dp))
        Heading(stringResource(R.string.service_eligibility))
        Text(tr(page.eligibility))
        Heading(stringResource(R.string.service_requirements))
        for (line in page.requirements) {
            val need = when (line.need) {
                Need.ALWAYS -> stringResource(R.string.need_always)
                Need.SOMETIMES -> stringResource(R.string.need_sometimes)
                Need.OPTIONAL -> stringResource(R.string.need_optional)
            }
            ListItem(
                headlineContent = { Text(tr(line.label)) },
                supportingContent = { line.hint?.let { Text(tr(it)) } },
                trailingContent = { Text(need) },
            )
        }
        Heading(stringResource(R.string.service_time))
        Text(stringResource(R.string.service_days, page.serviceDays))
        Heading(stringResource(R.string.service_fee))
        Text(
            if (page.free) {
                stringResource(R.string.service_free)
            } else {
                stringResource(R.string.service_fee_amount, "%,d".format(page.feeRupiah))
            },
        )
        page.deadline?.let { Text(stringResource(R.string.service_deadline, it.days, tr(it.eventLabel).lowercase())) }
        Heading(stringResource(R.string.service_output))
        Text(tr(page.output))
        if (page.legalBasis.isNotEmpty()) {
            Heading(stringResource(R.string.service_legal_basis))
            page.legalBasis.forEach { Text("• $it", style = MaterialTheme.typography.bodySmall) }
        }
        Button(onClick = onStart, modifier = Modifier.fillMaxWidth().padding(top = 24.dp)) {
            Text(stringResource(R.string.service_start))
        }
    }
}

@Composable
private fun Heading(text: String) {
    Text(text, style = MaterialTheme.typography.titleMedium, modifier = Modifier.padding(top = 16.dp, bottom = 4.dp))
}
