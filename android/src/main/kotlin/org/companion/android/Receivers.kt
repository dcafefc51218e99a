package org.companion.android

import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import java.time.ZoneId
import org.companion.core.CompanionException

/** A planned notification's time came: shows it. */
class AlarmReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        val alarm = Alarm.from(intent) ?: return
        Notifications.show(context, alarm)
    }

    companion object {
        const val ACTION = "org.companion.android.ALARM"
    }
}

/** Taken, Snooze or Skip pressed on a dose notification: written through the core at once,
 *  off the main thread (the record's file is read and written). */
class ActionReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        val alarm = Alarm.from(intent) ?: return
        val action = intent.action?.removePrefix(ACTION_PREFIX) ?: return
        offMainThread { DoseActions(context).act(alarm, action) }
    }

    companion object {
        const val ACTION_PREFIX = "org.companion.android.DOSE."
    }
}

/**
 * Alarms are lost on reboot and on an update, move with the clock and the zone, and are exact
 * only while the permission stands: each of these plans again. A zone change is recorded in
 * the patient's record first, so past doses are judged in the zone they were due in.
 */
class SystemEventsReceiver : BroadcastReceiver() {
    override fun onReceive(context: Context, intent: Intent) {
        val action = intent.action
        offMainThread {
            val reminders = Reminders(context)
            when (action) {
                Intent.ACTION_TIMEZONE_CHANGED -> {
                    recordZone(context)
                    reminders.replan(lost = true)
                }
                Intent.ACTION_BOOT_COMPLETED,
                Intent.ACTION_MY_PACKAGE_REPLACED,
                Intent.ACTION_TIME_CHANGED,
                "android.app.action.SCHEDULE_EXACT_ALARM_PERMISSION_STATE_CHANGED",
                -> reminders.replan(lost = true)
            }
        }
    }

    private fun recordZone(context: Context) {
        val device = App.device(context)
        val zone = ZoneId.systemDefault().id
        val now = App.clock().toString()
        for (summary in device.records()) {
            if (summary.problem != null) continue
            device.openRecord(summary.id).use { record ->
                try {
                    record.recordDeviceZone(zone, now)
                } catch (_: CompanionException.NotPermitted) {
                    // A caregiver's or a clinician's phone: its zone is not the patient's.
                }
            }
        }
    }
}

/**
 * Runs `work` on [App.io] rather than on the main thread, keeping the broadcast alive until it
 * is done (`goAsync`: the system allows about ten seconds): opening a record and writing it
 * is disk work, which the main thread must not wait for.
 */
private fun BroadcastReceiver.offMainThread(work: () -> Unit) {
    val pending = goAsync()
    App.io {
        try {
            work()
        } finally {
            pending?.finish()
        }
    }
}
