/*
 * The application object: owns the app's single core client and starts background sync.
 */
package id.ceria.app

import android.app.Application
import id.ceria.app.notify.StatusNotifier
import id.ceria.app.sync.SyncScheduler

/** Creates the [AppGraph] once per process and schedules the periodic sync. */
class CeriaApplication : Application() {
    /** The app's shared objects (core client, connectivity, region directory). */
    lateinit var graph: AppGraph
        private set

    override fun onCreate() {
        super.onCreate()
        graph = AppGraph(this)
        StatusNotifier.createChannel(this)
        SyncScheduler.schedulePeriodic(this)
        // Opening the store reads the disk: do it now, off the main thread, before a screen asks.
        Thread({ graph.client }, "ceria-open").start()
    }
}
