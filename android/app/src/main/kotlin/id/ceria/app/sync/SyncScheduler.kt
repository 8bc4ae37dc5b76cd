/*
 * When background sync runs: every hour while there is a network, and once as soon as the
 * network is back after a request was saved offline.
 */
package id.ceria.app.sync

import android.content.Context
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.ExistingWorkPolicy
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import java.util.concurrent.TimeUnit

/** Enqueues [SyncWorker] runs. */
object SyncScheduler {
    private const val PERIODIC = "ceria-sync-periodic"
    private const val ON_NETWORK = "ceria-sync-on-network"

    private val network = Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build()

    /** Hourly pass for status news; kept across restarts, not duplicated. */
    fun schedulePeriodic(context: Context) {
        val request = PeriodicWorkRequestBuilder<SyncWorker>(1, TimeUnit.HOURS)
            .setConstraints(network)
            .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 30, TimeUnit.SECONDS)
            .build()
        WorkManager.getInstance(context)
            .enqueueUniquePeriodicWork(PERIODIC, ExistingPeriodicWorkPolicy.KEEP, request)
    }

    /**
     * A pass as soon as there is a network (at once if there is one): call after saving a
     * request. Retries back off from 30 s, doubling, up to WorkManager's 5 h cap.
     */
    fun syncWhenOnline(context: Context) {
        val request = OneTimeWorkRequestBuilder<SyncWorker>()
            .setConstraints(network)
            .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, 30, TimeUnit.SECONDS)
            .build()
        WorkManager.getInstance(context)
            .enqueueUniqueWork(ON_NETWORK, ExistingWorkPolicy.REPLACE, request)
    }
}
