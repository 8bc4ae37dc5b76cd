/*
 * A citizen's or operator's phone for the tests: the real core (host build, via JNA) with its
 * own encrypted data directory, talking to a TestServer's URL.
 */
package id.ceria.ui.support

import id.ceria.core.CeriaClient
import id.ceria.core.defaultConfig
import java.io.File
import java.nio.file.Files

/** The core on a fresh data directory; [close] releases it and deletes the directory. */
class Phone(serverUrl: String) : AutoCloseable {
    /** The phone's storage (app files dir). */
    val dir: File = Files.createTempDirectory("ceria-phone-").toFile()

    /** The core client, as the app holds it. Short timeouts: the "network" is loopback. */
    val client: CeriaClient = CeriaClient.withConfig(
        defaultConfig(File(dir, "ceria").path, serverUrl).copy(
            // Encrypted at rest, as the app's store (there the key is Keystore-wrapped).
            encryptionKey = ByteArray(32) { 0x24 },
            connectTimeoutMs = 2_000UL,
            readTimeoutMs = 10_000UL,
            writeTimeoutMs = 10_000UL,
            // Small chunks so a photo takes several PATCHes, as on 3G.
            chunkSize = 64u * 1024u,
            backoffBaseMs = 50UL,
            backoffMaxMs = 200UL,
            networkRetries = 1u,
            retryPauseMs = 10UL,
        ),
    )

    /** Scratch space for pictures the person takes or picks. */
    val gallery: File = File(dir, "gallery").apply { mkdirs() }

    override fun close() {
        client.close()
        dir.deleteRecursively()
    }
}

/** The Kemendagri region tables beside the repository (absent on some machines). */
object Wilayah {
    /** The 2025 table, or null (with the reason printed) when the shared data is absent. */
    fun table2025(): File? {
        val dir = File(System.getProperty("ceria.wilayah.dir") ?: "../../../shared/data/wilayah")
        val file = File(dir, "wilayah_2025.csv")
        if (!file.isFile) println("skipping region data: ${file.absolutePath} not found (shared/ absent)")
        return file.takeIf { it.isFile }
    }
}
