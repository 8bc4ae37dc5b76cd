/*
 * The app's navigation: home tabs (services, my requests, residents for operators, account)
 * under the sync banner, and the service, form and request screens.
 */
package id.ceria.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.AccountCircle
import androidx.compose.material.icons.filled.Groups
import androidx.compose.material.icons.automirrored.filled.List
import androidx.compose.material.icons.filled.Apps
import androidx.compose.material3.Icon
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.navigation.NavHostController
import androidx.navigation.NavType
import androidx.navigation.navArgument
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.rememberNavController
import id.ceria.app.AppGraph
import id.ceria.app.R
import id.ceria.app.sync.SyncScheduler
import id.ceria.ui.account.Mode
import id.ceria.ui.account.SessionModel
import id.ceria.ui.catalog.CatalogModel
import id.ceria.ui.catalog.ServicePage
import id.ceria.ui.form.FormModel
import id.ceria.ui.operator.OperatorModel
import id.ceria.ui.requests.RequestDetailModel
import id.ceria.ui.requests.RequestsModel
import id.ceria.ui.sync.SyncModel

private enum class Tab { SERVICES, REQUESTS, CITIZENS, ACCOUNT }

/** The whole UI; [openRequestId] is a request to show at once (from a notification). */
@Composable
fun CeriaApp(graph: AppGraph, openRequestId: String?) {
    val context = LocalContext.current
    val nav = rememberNavController()
    val session = rememberModel("session") { SessionModel(graph.client, graph.runner, it).also { m -> m.refresh() } }
    val sync = rememberModel("sync") { SyncModel(graph.client, graph.runner, it, graph.connectivity.online) }
    val catalog = rememberModel("catalog") { CatalogModel(graph.client) }
    val requests = rememberModel("requests") { RequestsModel(graph.client, graph.runner, it) }
    val operator = rememberModel("operator") { OperatorModel(graph.client, graph.runner, it) }
    val sessionState by session.state.collectAsStateWithLifecycle()
    val syncState by sync.state.collectAsStateWithLifecycle()

    LaunchedEffect(syncState.lastRun, sessionState.current?.id) {
        catalog.refresh()
        requests.refresh()
        if (sessionState.mode == Mode.OPERATOR) operator.refresh()
        session.refresh()
        sync.refresh()
    }
    LaunchedEffect(openRequestId) { openRequestId?.let { nav.navigate("request/$it") } }

    if (sessionState.mode == Mode.SIGNED_OUT || sessionState.mustLogInAgain) {
        LoginScreen(session)
        return
    }
    if (sessionState.mode == Mode.STAFF) {
        Text(stringResource(R.string.staff_use_console))
        return
    }

    Column {
        SyncBannerView(syncState, onSyncNow = { sync.syncNow() }, onCancel = { sync.cancel() })
        NavHost(nav, startDestination = "home") {
            composable("home") { Home(nav, sessionState.mode, catalog, requests, operator, session) }
            composable("service/{id}?nik={nik}", arguments = listOf(optionalNik())) { entry ->
                val id = entry.arguments?.getString("id").orEmpty()
                val nik = entry.arguments?.getString("nik")
                ServicePage.load(graph.client, id)?.let { page ->
                    ServiceScreen(page) { nav.navigate("form/new/$id" + (nik?.let { "?nik=$it" } ?: "")) }
                }
            }
            composable("form/new/{service}?nik={nik}", arguments = listOf(optionalNik())) { entry ->
                val service = entry.arguments?.getString("service").orEmpty()
                val nik = entry.arguments?.getString("nik")
                val form = rememberModel("form-new-$service-$nik") {
                    FormModel(graph.client, graph.runner, it, graph.regions).also { m -> m.start(service, nik) }
                }
                FormScreen(form, graph) { requestId -> afterSubmit(nav, context, sync, requestId) }
            }
            composable("form/revise/{request}") { entry ->
                val request = entry.arguments?.getString("request").orEmpty()
                val form = rememberModel("form-revise-$request") {
                    FormModel(graph.client, graph.runner, it, graph.regions).also { m -> m.revise(request) }
                }
                FormScreen(form, graph) { requestId -> afterSubmit(nav, context, sync, requestId) }
            }
            composable("request/{id}") { entry ->
                val id = entry.arguments?.getString("id").orEmpty()
                val detail = rememberModel("request-$id") { RequestDetailModel(graph.client, graph.runner, it, id) }
                LaunchedEffect(syncState.lastRun) { detail.refresh() }
                RequestDetailScreen(detail) { nav.navigate("form/revise/$it") }
            }
        }
    }
}

/** The optional `nik` query argument (set when an operator files for a resident). */
private fun optionalNik() = navArgument("nik") {
    type = NavType.StringType
    nullable = true
    defaultValue = null
}

private fun afterSubmit(nav: NavHostController, context: android.content.Context, sync: SyncModel, requestId: String) {
    SyncScheduler.syncWhenOnline(context)
    sync.refresh()
    nav.navigate("request/$requestId") { popUpTo("home") }
}

@Composable
private fun Home(
    nav: NavHostController,
    mode: Mode,
    catalog: CatalogModel,
    requests: RequestsModel,
    operator: OperatorModel,
    session: SessionModel,
) {
    var tab by rememberSaveable { mutableStateOf(if (mode == Mode.OPERATOR) Tab.CITIZENS else Tab.SERVICES) }
    var citizenNik by rememberSaveable { mutableStateOf<String?>(null) }
    Scaffold(
        bottomBar = {
            NavigationBar {
                val tabs = if (mode == Mode.OPERATOR) Tab.entries else Tab.entries - Tab.CITIZENS
                for (t in tabs) {
                    NavigationBarItem(
                        selected = tab == t,
                        onClick = { tab = t },
                        icon = {
                            Icon(
                                when (t) {
                                    Tab.SERVICES -> Icons.Filled.Apps
                                    Tab.REQUESTS -> Icons.AutoMirrored.Filled.List
                                    Tab.CITIZENS -> Icons.Filled.Groups
                                    Tab.ACCOUNT -> Icons.Filled.AccountCircle
                                },
                                contentDescription = null,
                            )
                        },
                        label = {
                            Text(
                                stringResource(
                                    when (t) {
                                        Tab.SERVICES -> R.string.nav_services
                                        Tab.REQUESTS -> R.string.nav_my_requests
                                        Tab.CITIZENS -> R.string.nav_citizens
                                        Tab.ACCOUNT -> R.string.nav_account
                                    },
                                ),
                            )
                        },
                    )
                }
            }
        },
    ) { padding ->
        Column(Modifier.padding(padding)) {
            when (tab) {
                Tab.SERVICES -> CatalogScreen(catalog) { id ->
                    nav.navigate("service/$id" + (citizenNik?.let { "?nik=$it" } ?: ""))
                }
                Tab.REQUESTS -> RequestsScreen(requests) { nav.navigate("request/$it") }
                Tab.CITIZENS -> OperatorScreen(
                    operator,
                    onNewRequest = {
                        citizenNik = it
                        tab = Tab.SERVICES
                    },
                    onOpen = { nav.navigate("request/$it") },
                )
                Tab.ACCOUNT -> AccountsScreen(session)
            }
        }
    }
}
