/*
 * The single activity: asks for the notification permission and hosts [CeriaApp].
 */
package id.ceria.app.ui

import android.Manifest
import android.content.Intent
import android.os.Build
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import id.ceria.app.CeriaApplication

/** Hosts the Compose UI. */
class MainActivity : ComponentActivity() {
    private var openRequest by mutableStateOf<String?>(null)

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        enableEdgeToEdge()
        openRequest = intent.getStringExtra(EXTRA_REQUEST_ID)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU) {
            registerForActivityResult(ActivityResultContracts.RequestPermission()) {}
                .launch(Manifest.permission.POST_NOTIFICATIONS)
        }
        val graph = (application as CeriaApplication).graph
        setContent { CeriaTheme { CeriaApp(graph, openRequest) } }
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        openRequest = intent.getStringExtra(EXTRA_REQUEST_ID)
    }

    companion object {
        /** Intent extra: the local id of a request to open (set by status notifications). */
        const val EXTRA_REQUEST_ID = "id.ceria.app.REQUEST_ID"
    }
}
