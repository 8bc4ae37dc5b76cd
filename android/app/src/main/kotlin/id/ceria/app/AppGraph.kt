/*
 * The app's shared objects, created once: one core client for the whole process (the core is
 * thread-safe and serialises sync passes itself; its store is encrypted with the
 * Keystore-wrapped device key), the connectivity monitor, the region directory and the photo
 * preparer.
 */
package id.ceria.app

import android.content.Context
import id.ceria.app.net.ConnectivityMonitor
import id.ceria.app.photo.BitmapImageCodec
import id.ceria.app.security.DeviceKey
import id.ceria.core.CeriaClient
import id.ceria.core.defaultConfig
import id.ceria.ui.common.CoreRunner
import id.ceria.ui.photo.PhotoPreparer
import id.ceria.ui.region.ServerRegionDirectory
import kotlinx.coroutines.Dispatchers
import java.io.File

/** Lazily built singletons; get it from [CeriaApplication.graph]. */
class AppGraph(context: Context) {
    private val app = context.applicationContext

    /**
     * The core: store in `files/ceria` (excluded from backups), encrypted at rest with the
     * Keystore-wrapped [DeviceKey], synced with the registry. A store from an app version
     * without encryption is encrypted on this first open, not lost. Attached files upload in
     * the background (the sync worker) while the form is still being filled in, so that
     * "send" costs one small push.
     */
    val client: CeriaClient by lazy {
        val key = DeviceKey(File(app.filesDir, "device-key.wrapped")).get()
        CeriaClient.withConfig(
            defaultConfig(File(app.filesDir, "ceria").path, BuildConfig.SERVER_URL)
                .copy(backgroundUploads = true, encryptionKey = key),
        )
    }

    /** Runs blocking core calls on the IO pool. */
    val runner = CoreRunner(Dispatchers.IO)

    /** The network as the OS sees it. */
    val connectivity by lazy { ConnectivityMonitor(app) }

    /** Region names from the server, stored for offline use. */
    val regions by lazy { ServerRegionDirectory(BuildConfig.SERVER_URL, File(app.filesDir, "regions")) }

    /** Downscales photos before they are attached. */
    val photos by lazy { PhotoPreparer(BitmapImageCodec(), File(app.cacheDir, "prepared")) }

    /** Where camera captures are written (shared with the camera app via FileProvider). */
    val captureDir: File get() = File(app.cacheDir, "captures").apply { mkdirs() }
}
