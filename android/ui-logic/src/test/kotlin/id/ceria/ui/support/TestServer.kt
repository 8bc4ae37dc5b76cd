/*
 * A real ceria-server on loopback for the tests: its own data directory, staff accounts made
 * with its admin command, stopped and started again on the same port to play "offline".
 */
package id.ceria.ui.support

import java.io.File
import java.net.HttpURLConnection
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.net.URI
import java.nio.file.Files
import java.util.concurrent.TimeUnit

/** A ceria-server process; [close] stops it and deletes its data. */
class TestServer private constructor(private val bin: File, val dataDir: File) : AutoCloseable {
    /** The loopback port, fixed for the server's life (restarts reuse it). */
    val port: Int = freePort()

    /** Base URL for devices and staff calls. */
    val url: String = "http://127.0.0.1:$port"

    private var process: Process? = null
    private val log = File(dataDir.parentFile, "server-$port.log")

    /** True while the server process runs. */
    val running: Boolean get() = process?.isAlive == true

    /** Runs `ceria-server admin create-user` on the data directory. */
    fun createStaff(role: String, username: String, password: String, village: String? = null) {
        val args = mutableListOf("admin", "create-user", "--role", role, "--username", username, "--password", password)
        if (village != null) args += listOf("--village", village)
        admin(args)
    }

    /** Loads a Kemendagri region CSV into the server (`regions import`). */
    fun importRegions(csv: File) = admin(listOf("regions", "import", csv.path))

    /** Loads a population register extract CSV into the server (`admin population import`). */
    fun importPopulation(csv: File) = admin(listOf("admin", "population", "import", csv.path))

    private fun admin(args: List<String>) {
        val p = ProcessBuilder(listOf(bin.path, "--data", dataDir.path) + args)
            .redirectErrorStream(true)
            .start()
        val out = p.inputStream.bufferedReader().readText()
        check(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) { "ceria-server ${args.take(2)} failed: $out" }
    }

    /** Starts the server and waits until `/readyz` answers. */
    fun start(): TestServer {
        check(process == null) { "already running" }
        process = ProcessBuilder(bin.path, "--data", dataDir.path, "--listen", "127.0.0.1:$port")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
            .start()
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
        while (System.nanoTime() < deadline) {
            check(process?.isAlive == true) { "ceria-server exited: ${log.readText()}" }
            if (ready()) return this
            Thread.sleep(50)
        }
        error("ceria-server not ready in 30 s: ${log.readText()}")
    }

    /** Stops the server (the phone is now "offline"); its data stays for [start]. */
    fun stop() {
        val p = process ?: return
        p.destroy()
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly().waitFor()
        process = null
    }

    /** Stops the server, deletes every account, session and request, and starts it again. */
    fun wipeAndRestart() {
        stop()
        dataDir.deleteRecursively()
        dataDir.mkdirs()
        start()
    }

    private fun ready(): Boolean = try {
        val c = URI("$url/readyz").toURL().openConnection() as HttpURLConnection
        c.connectTimeout = 500
        c.readTimeout = 500
        try {
            c.responseCode == 200
        } finally {
            c.disconnect()
        }
    } catch (e: java.io.IOException) {
        false
    }

    override fun close() {
        stop()
        dataDir.parentFile.deleteRecursively()
    }

    companion object {
        /** A fresh server with an empty data directory (not started yet). */
        fun create(): TestServer {
            val bin = File(System.getProperty("ceria.server.bin") ?: error("system property ceria.server.bin not set"))
            check(bin.canExecute()) { "no ceria-server at $bin (build it with cargo build -p ceria-cli --bin ceria-server)" }
            val root = Files.createTempDirectory("ceria-server-").toFile()
            return TestServer(bin, File(root, "data").apply { mkdirs() })
        }

        private fun freePort(): Int = ServerSocket().use {
            it.reuseAddress = true
            it.bind(InetSocketAddress("127.0.0.1", 0))
            it.localPort
        }
    }
}
