package org.companion.android

import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.net.Uri
import org.companion.core.NotificationAction
import org.companion.core.NotificationKind

/**
 * The app's notification channels and how a planned notification is shown. A channel per
 * kind of news, so that a person can silence refills and keep urgent alerts loud.
 */
object Notifications {
    /** Dose reminders, missed doses, measurements, appointments, journey nudges. */
    const val DOSES = "doses"
    /** A reading or a pattern that needs acting on now. */
    const val URGENT = "urgent"
    /** What a caregiver is told about the patient. */
    const val CAREGIVER = "caregiver"
    /** Supply running low, a prescription ending. */
    const val REFILLS = "refills"

    /** Creates the channels (again is harmless), named in the phone's language. */
    fun ensureChannels(context: Context) {
        val manager = context.getSystemService(NotificationManager::class.java)!!
        val words = Words.of(context)
        manager.createNotificationChannels(
            listOf(
                NotificationChannel(DOSES, words.channelDoses, NotificationManager.IMPORTANCE_HIGH),
                NotificationChannel(URGENT, words.channelUrgent, NotificationManager.IMPORTANCE_HIGH),
                NotificationChannel(CAREGIVER, words.channelCaregiver, NotificationManager.IMPORTANCE_HIGH),
                NotificationChannel(REFILLS, words.channelRefills, NotificationManager.IMPORTANCE_DEFAULT),
            ),
        )
    }

    /** The channel a planned notification goes to: an urgent alert to the urgent channel on
     *  every phone; what a caregiver is told of the patient's doses to the caregiver's. */
    fun channelOf(alarm: Alarm): String = when {
        alarm.kind == NotificationKind.SAFETY_ALERT.name -> URGENT
        alarm.forCaregiver -> CAREGIVER
        alarm.kind == NotificationKind.REFILL.name || alarm.kind == NotificationKind.PRESCRIPTION_END.name -> REFILLS
        else -> DOSES
    }

    /** The notification's id in the system: stable for one planned notification of a record. */
    fun systemId(record: String, id: String): Int = "$record/$id".hashCode()

    /** Shows `alarm` now, with its actions as buttons that act without opening the app. */
    fun show(context: Context, alarm: Alarm) {
        ensureChannels(context)
        val builder = Notification.Builder(context, channelOf(alarm))
            .setSmallIcon(android.R.drawable.ic_popup_reminder)
            .setContentTitle(alarm.title)
            .setContentText(alarm.body)
            .setStyle(Notification.BigTextStyle().bigText(alarm.body))
            .setCategory(if (alarm.kind == NotificationKind.SAFETY_ALERT.name) Notification.CATEGORY_ALARM else Notification.CATEGORY_REMINDER)
            .setAutoCancel(true)
        val words = Words.of(context)
        for (action in alarm.actions) {
            val label = when (action) {
                NotificationAction.TAKE.name -> words.taken
                NotificationAction.SNOOZE.name -> words.snooze
                else -> words.skip
            }
            val intent = Intent(context, ActionReceiver::class.java)
                .setAction(ActionReceiver.ACTION_PREFIX + action)
                .setData(Uri.parse("companion://action/${alarm.record}/${Uri.encode(alarm.id)}"))
                .putExtras(alarm.toBundle())
            val pending = PendingIntent.getBroadcast(
                context, systemId(alarm.record, alarm.id + "/" + action), intent,
                PendingIntent.FLAG_UPDATE_CURRENT or PendingIntent.FLAG_IMMUTABLE,
            )
            builder.addAction(Notification.Action.Builder(null, label, pending).build())
        }
        context.getSystemService(NotificationManager::class.java)!!
            .notify(systemId(alarm.record, alarm.id), builder.build())
    }

    /** Replaces a shown notification's text (an action refused, with why). */
    fun update(context: Context, alarm: Alarm, text: String) {
        val notification = Notification.Builder(context, channelOf(alarm))
            .setSmallIcon(android.R.drawable.ic_popup_reminder)
            .setContentTitle(alarm.title)
            .setContentText(text)
            .setStyle(Notification.BigTextStyle().bigText(text))
            .setOnlyAlertOnce(true)
            .build()
        context.getSystemService(NotificationManager::class.java)!!
            .notify(systemId(alarm.record, alarm.id), notification)
    }

    /** Takes a notification away. */
    fun cancel(context: Context, alarm: Alarm) {
        context.getSystemService(NotificationManager::class.java)!!.cancel(systemId(alarm.record, alarm.id))
    }
}
