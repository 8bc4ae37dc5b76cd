/*
 * Notifications when a request's status changes ("KTP-el Baru: Selesai").
 */
package id.ceria.app.notify

import android.Manifest
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import androidx.core.app.NotificationCompat
import androidx.core.app.NotificationManagerCompat
import androidx.core.content.ContextCompat
import id.ceria.app.R
import id.ceria.app.ui.MainActivity
import id.ceria.app.ui.stateText
import id.ceria.ui.common.Language
import id.ceria.ui.requests.StatusNotice

/** Posts one notification per [StatusNotice]. */
object StatusNotifier {
    private const val CHANNEL = "status"

    /** Creates the channel (idempotent). */
    fun createChannel(context: Context) {
        val channel = NotificationChannel(
            CHANNEL,
            context.getString(R.string.notif_channel_status),
            NotificationManager.IMPORTANCE_DEFAULT,
        ).apply { description = context.getString(R.string.notif_channel_status_desc) }
        context.getSystemService(NotificationManager::class.java).createNotificationChannel(channel)
    }

    /** Posts [notices]; a tap opens the request. Silently skipped without the permission. */
    fun post(context: Context, notices: List<StatusNotice>) {
        if (notices.isEmpty()) return
        val granted = ContextCompat.checkSelfPermission(context, Manifest.permission.POST_NOTIFICATIONS) ==
            PackageManager.PERMISSION_GRANTED
        if (!granted) return
        val language = Language.fromTag(context.resources.configuration.locales[0].toLanguageTag())
        val manager = NotificationManagerCompat.from(context)
        for (notice in notices) {
            val open = PendingIntent.getActivity(
                context,
                notice.requestId.hashCode(),
                Intent(context, MainActivity::class.java)
                    .putExtra(MainActivity.EXTRA_REQUEST_ID, notice.requestId)
                    .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK or Intent.FLAG_ACTIVITY_CLEAR_TOP),
                PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
            )
            val title = context.getString(
                R.string.notif_status_title,
                notice.serviceName.text(language),
                stateText(context, notice.state, notice.stateLabel, language),
            )
            val notification = NotificationCompat.Builder(context, CHANNEL)
                .setSmallIcon(R.drawable.ic_launcher)
                .setContentTitle(title)
                .setContentText(notice.trackingCode?.let { context.getString(R.string.notif_status_text, it) })
                .setContentIntent(open)
                .setAutoCancel(true)
                .build()
            // The permission was checked above; the lint cannot see through the early return.
            @Suppress("MissingPermission")
            manager.notify(notice.requestId.hashCode(), notification)
        }
    }
}
