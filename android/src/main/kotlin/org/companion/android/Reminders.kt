package org.companion.android

import android.app.AlarmManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.net.Uri
import android.os.Build
import java.time.ZoneId
import org.companion.core.ScheduledNotification
import org.companion.core.planChanges

/**
 * The core's notification plan as alarms: every record of the device is planned, and only
 * the difference from what is set is applied (an alarm whose time, text or doses changed is
 * set again; one no longer planned is cancelled; the rest are left alone). Exact alarms when
 * the phone allows them; otherwise inexact ones, and [warning] says so.
 */
class Reminders(private val context: Context) {
    private val alarms = context.getSystemService(AlarmManager::class.java)!!
    private val prefs = context.getSharedPreferences("companion-alarms", Context.MODE_PRIVATE)

    /** What one re-plan changed: the keys (`record/id`) cancelled and set, and how. */
    data class Applied(val cancelled: List<String>, val set: List<String>, val exact: Boolean)

    /** Whether exact alarms may be set (asked for, and granted, on Android 12 and later). */
    fun exactAllowed(): Boolean = Build.VERSION.SDK_INT < Build.VERSION_CODES.S || alarms.canScheduleExactAlarms()

    /** What the app shows while reminders can only be inexact; null when they are exact. */
    fun warning(): String? = if (exactAllowed()) null else Words.of(context).inexactWarning

    /** The settings screen where the person allows exact alarms for this app. */
    fun exactAlarmSettings(): Intent =
        Intent(android.provider.Settings.ACTION_REQUEST_SCHEDULE_EXACT_ALARM, Uri.parse("package:${context.packageName}"))

    /**
     * Plans every record of the device at the clock's now, for the phone's zone, and applies
     * the difference. `lost`: the alarms set before are gone (after a reboot or an update) or
     * must all be set again (the clock or the exact-alarm permission changed).
     *
     * The plan and the difference are the core's (`Device.planNotifications`, `planChanges`),
     * the same calls the iOS app makes: every record's notifications merged soonest first,
     * keyed `record/id`, each with a fingerprint of what it shows and does.
     */
    fun replan(lost: Boolean = false): Applied {
        val planned = App.device(context)
            .planNotifications(App.clock().toString(), ZoneId.systemDefault().id, HORIZON_HOURS, MAX_ALARMS)
        val exact = exactAllowed()
        val redo = lost || prefs.getBoolean(EXACT, exact) != exact
        // What was set before, as it was set; when everything is set again, each of those is
        // cancelled first (after a reboot there is nothing left to cancel, and cancelling is
        // harmless).
        val scheduled = prefs.getStringSet(KEYS, emptySet())!!.map { ScheduledNotification(it, prefs.getString(it, "")!!) }
        val changes = planChanges(scheduled, planned, redo)
        for (key in changes.remove) {
            pendingFor(key, null, PendingIntent.FLAG_NO_CREATE)?.let {
                alarms.cancel(it)
                it.cancel()
            }
        }
        for (n in changes.add) {
            val alarm = Alarm.of(n)
            val pending = pendingFor(n.key, alarm, PendingIntent.FLAG_UPDATE_CURRENT)!!
            if (exact) {
                alarms.setExactAndAllowWhileIdle(AlarmManager.RTC_WAKEUP, alarm.fireAtMillis, pending)
            } else {
                alarms.setAndAllowWhileIdle(AlarmManager.RTC_WAKEUP, alarm.fireAtMillis, pending)
            }
        }
        val edit = prefs.edit().clear().putBoolean(EXACT, exact).putStringSet(KEYS, planned.map { it.key }.toSet())
        for (n in planned) edit.putString(n.key, n.fingerprint)
        edit.commit()
        return Applied(changes.remove, changes.add.map { it.key }, exact)
    }

    /** The alarm's intent: one per `record/id` (its data), whatever it carries. */
    private fun pendingFor(key: String, alarm: Alarm?, flag: Int): PendingIntent? {
        val intent = Intent(context, AlarmReceiver::class.java)
            .setAction(AlarmReceiver.ACTION)
            .setData(Uri.parse("companion://alarm/" + Uri.encode(key)))
        alarm?.let { intent.putExtras(it.toBundle()) }
        return PendingIntent.getBroadcast(context, key.hashCode(), intent, flag or PendingIntent.FLAG_IMMUTABLE)
    }

    companion object {
        /** How far ahead alarms are set; re-planned long before it runs out. */
        const val HORIZON_HOURS = 48u
        /** Most alarms of the whole device, all records together (Android allows an app about
         *  500). */
        const val MAX_ALARMS = 256u
        private const val KEYS = "keys"
        private const val EXACT = "exact"
    }
}
