/*
 * The WorkManager worker that runs a sync pass in the background and posts a notification
 * for every request whose status changed.
 */
package id.ceria.app.sync

import android.content.Context
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters
import id.ceria.app.CeriaApplication
import id.ceria.app.notify.StatusNotifier
import id.ceria.ui.sync.BackgroundSync
import id.ceria.ui.sync.SyncOutcome

/**
 * One pass per run. Offline or a server failure -> `retry()` (WorkManager backs off
 * exponentially); a refused session -> `failure()` (only logging in helps, the app asks for it).
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    override suspend fun doWork(): Result {
        val graph = (applicationContext as CeriaApplication).graph
        val run = BackgroundSync(graph.client, graph.runner).run()
        StatusNotifier.post(applicationContext, run.notices)
        return when (run.outcome) {
            is SyncOutcome.Done -> Result.success()
            is SyncOutcome.RetryLater -> Result.retry()
            is SyncOutcome.LoginNeeded, is SyncOutcome.Stopped -> Result.failure()
        }
    }
}
