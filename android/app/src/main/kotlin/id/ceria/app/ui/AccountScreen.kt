/*
 * Logging in, registering a citizen account, the accounts on this phone, and whether the
 * citizen's NIK is verified (with the register check when it is not).
 */
package id.ceria.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import id.ceria.app.R
import id.ceria.ui.account.IdentityNotice
import id.ceria.ui.account.SessionModel
import id.ceria.ui.common.Message

/** Login and registration, for a phone with nobody logged in (or a session to renew). */
@Composable
fun LoginScreen(model: SessionModel) {
    val state by model.state.collectAsStateWithLifecycle()
    var registering by rememberSaveable { mutableStateOf(false) }
    var username by rememberSaveable { mutableStateOf(state.current?.username ?: "") }
    var password by rememberSaveable { mutableStateOf("") }
    var name by rememberSaveable { mutableStateOf("") }
    var phone by rememberSaveable { mutableStateOf("") }
    Column(Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(24.dp)) {
        Text(
            stringResource(if (registering) R.string.register_title else R.string.login_title),
            style = MaterialTheme.typography.headlineSmall,
        )
        val idLabel = if (registering) R.string.register_nik else R.string.login_username
        OutlinedTextField(
            value = username,
            onValueChange = {
                username = it
                if (registering) model.checkNik(it)
            },
            label = { Text(stringResource(idLabel)) },
            singleLine = true,
            modifier = Modifier.fillMaxWidth(),
        )
        Messages(state.fieldMessages["nik"].orEmpty())
        if (registering) {
            OutlinedTextField(name, { name = it }, label = { Text(stringResource(R.string.register_name)) }, modifier = Modifier.fillMaxWidth())
            Messages(state.fieldMessages["name"].orEmpty())
            OutlinedTextField(
                phone,
                { phone = it },
                label = { Text(stringResource(R.string.register_phone)) },
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Phone),
                modifier = Modifier.fillMaxWidth(),
            )
            Messages(state.fieldMessages["phone"].orEmpty())
        }
        OutlinedTextField(
            value = password,
            onValueChange = { password = it },
            label = { Text(stringResource(R.string.login_password)) },
            visualTransformation = PasswordVisualTransformation(),
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password),
            singleLine = true,
            modifier = Modifier.fillMaxWidth(),
        )
        state.error?.let { Text(tr(it.text), color = MaterialTheme.colorScheme.error) }
        Button(
            onClick = { if (registering) model.register(username, name, phone, password) else model.login(username, password) },
            enabled = !state.busy,
            modifier = Modifier.fillMaxWidth().padding(top = 16.dp),
        ) { Text(stringResource(if (registering) R.string.register_button else R.string.login_button)) }
        TextButton(onClick = { registering = !registering }) {
            Text(stringResource(if (registering) R.string.login_title else R.string.register_title))
        }
    }
}

/** The accounts on this phone, to switch or log out; a citizen's identity state on top. */
@Composable
fun AccountsScreen(model: SessionModel) {
    val state by model.state.collectAsStateWithLifecycle()
    Column(Modifier.fillMaxSize().verticalScroll(rememberScrollState()).padding(16.dp)) {
        state.identity?.let { IdentitySection(model, it) }
        for (account in state.accounts) {
            ListItem(
                headlineContent = { Text(account.name) },
                supportingContent = { Text(account.username + (account.village?.let { " · $it" } ?: "")) },
                trailingContent = {
                    TextButton(onClick = { model.logout(account.id) }) { Text(stringResource(R.string.logout)) }
                },
                modifier = Modifier.padding(vertical = 2.dp),
            )
            if (!account.current) {
                TextButton(onClick = { model.switchTo(account.id) }) { Text(account.name) }
            }
        }
    }
}

/** What the identity state means and what to do; the register check while unverified. */
@Composable
private fun IdentitySection(model: SessionModel, notice: IdentityNotice) {
    val state by model.state.collectAsStateWithLifecycle()
    var nomorKk by rememberSaveable { mutableStateOf("") }
    var birthDate by rememberSaveable { mutableStateOf("") }
    var motherName by rememberSaveable { mutableStateOf("") }
    Text(tr(notice.text), style = MaterialTheme.typography.bodyMedium, modifier = Modifier.padding(bottom = 8.dp))
    if (!notice.canProve) return
    OutlinedTextField(
        nomorKk,
        { nomorKk = it },
        label = { Text(stringResource(R.string.identity_nomor_kk)) },
        keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number),
        singleLine = true,
        modifier = Modifier.fillMaxWidth(),
    )
    Messages(state.fieldMessages["nomor_kk"].orEmpty())
    OutlinedTextField(
        birthDate,
        { birthDate = it },
        label = { Text(stringResource(R.string.identity_birth_date)) },
        singleLine = true,
        modifier = Modifier.fillMaxWidth(),
    )
    Messages(state.fieldMessages["birth_date"].orEmpty())
    OutlinedTextField(
        motherName,
        { motherName = it },
        label = { Text(stringResource(R.string.identity_mother_name)) },
        singleLine = true,
        modifier = Modifier.fillMaxWidth(),
    )
    Messages(state.fieldMessages["mother_name"].orEmpty())
    state.error?.let { Text(tr(it.text), color = MaterialTheme.colorScheme.error) }
    Button(
        onClick = { model.proveIdentity(nomorKk, birthDate, motherName) },
        enabled = !state.busy,
        modifier = Modifier.fillMaxWidth().padding(vertical = 8.dp),
    ) { Text(stringResource(R.string.identity_button)) }
}

@Composable
private fun Messages(messages: List<Message>) {
    for (m in messages) Text(tr(m.text), color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodySmall)
}
