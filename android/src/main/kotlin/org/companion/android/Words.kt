package org.companion.android

import android.content.Context

/**
 * The app's own words, in English and Simplified Chinese, by the phone's language. What the
 * core says (reminders, alerts, advice, errors) comes worded from the core in the record's
 * language; these are the shell's buttons and notices.
 */
class Words private constructor(private val zh: Boolean) {
    val channelDoses get() = if (zh) "服药提醒" else "Dose reminders"
    val channelUrgent get() = if (zh) "紧急提醒" else "Urgent alerts"
    val channelCaregiver get() = if (zh) "照护提醒" else "About the person you care for"
    val channelRefills get() = if (zh) "补药" else "Refills"
    val taken get() = if (zh) "已服" else "Taken"
    val snooze get() = if (zh) "稍后" else "Snooze"
    val skip get() = if (zh) "跳过" else "Skip"

    /** A dose logged already: when, and by whom when another member logged it. */
    fun alreadyTaken(time: String, by: String?) = when {
        zh && by != null -> "已于 $time 由 $by 记录为已服"
        zh -> "已于 $time 记录为已服"
        by != null -> "Already logged as taken at $time by $by"
        else -> "Already logged as taken at $time"
    }

    /** A dose action the record refused, with the core's words. */
    fun refused(why: String) = if (zh) "未记录：$why" else "Not logged: $why"

    /** Exact alarms are not allowed: reminders may come late. */
    val inexactWarning
        get() = if (zh) {
            "未允许精确闹钟：提醒可能会延迟几分钟。请在设置中允许“闹钟和提醒”。"
        } else {
            "Exact alarms are not allowed: reminders may come some minutes late. Allow \"Alarms & reminders\" in Settings."
        }

    companion object {
        /** The words of the phone's language. */
        fun of(context: Context): Words {
            val locale = context.resources.configuration.locales[0]
            return Words(locale.language == "zh")
        }
    }
}
