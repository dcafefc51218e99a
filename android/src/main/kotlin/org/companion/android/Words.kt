package org.companion.android

import android.content.Context

/**
 * The app's own words, in English and Simplified Chinese, by the phone's language. What the
 * core says (reminders, alerts, advice, errors) comes worded from the core in the record's
 * language; these are the shell's buttons and notices.
 */
class Words private constructor(private val zh: Boolean) {
    private fun t(en: String, zh: String) = if (this.zh) zh else en

    /** The record's language for the core's own texts. */
    val language get() = if (zh) org.companion.core.Language.SIMPLIFIED_CHINESE else org.companion.core.Language.ENGLISH

    // Screens.
    fun todayTitle(patient: String) = t("Today: $patient", "今天：$patient")
    val alerts get() = t("Needs attention", "需要注意")
    val due get() = t("Due now", "现在该服")
    val missed get() = t("Missed", "漏服")
    val done get() = t("Done", "已完成")
    val upcoming get() = t("Later today", "今天稍后")
    val measurements get() = t("Measurements", "测量")
    val journeyTasks get() = t("Care journey", "照护路径")
    val nothing get() = t("Nothing here", "暂无")
    val logReading get() = t("Log a reading", "记录读数")
    val medications get() = t("Medications", "用药")
    val journal get() = t("Journal", "日记")
    val sharing get() = t("Sharing", "共享")
    val settings get() = t("Settings", "设置")
    val save get() = t("Save", "保存")
    val bloodPressure get() = t("Blood pressure", "血压")
    val glucose get() = t("Glucose", "血糖")
    /** A unit's symbol as a Chinese reader reads it (kg: 千克, lb: 磅); others as they are. */
    private fun zhUnit(symbol: String) = when (symbol) {
        "kg" -> "千克"
        "lb" -> "磅"
        else -> symbol
    }
    fun weightIn(symbol: String) = t("Weight ($symbol)", "体重（${zhUnit(symbol)}）")
    fun temperatureIn(symbol: String) = t("Temperature ($symbol)", "体温（$symbol）")
    val spo2 get() = t("Oxygen saturation (%)", "血氧饱和度（%）")
    val systolic get() = t("Systolic", "收缩压")
    val diastolic get() = t("Diastolic", "舒张压")
    val pulse get() = t("Pulse (optional)", "脉搏（可选）")
    fun glucoseIn(unit: String) = t("Glucose ($unit)", "血糖（$unit）")
    val beforeMeal get() = t("Before a meal", "餐前")
    val afterMeal get() = t("After a meal", "餐后")
    val fasting get() = t("Fasting", "空腹")
    val value get() = t("Value", "数值")
    fun saved(what: String) = t("Saved: $what", "已保存：$what")
    val notANumber get() = t("Enter a number", "请输入数字")
    val name get() = t("Name", "名称")
    val dose get() = t("Dose, like 500 mg", "剂量，例如 500 mg")
    val times get() = t("Times, like 08:00,20:00", "时间，例如 08:00,20:00")
    val asNeeded get() = t("As needed", "按需")
    /** The schedule types the add form offers, in `MedicationsActivity`'s order. */
    val scheduleTypes
        get() = listOf(
            t("At times each day", "每天定时"),
            t("Every few hours", "每隔几小时"),
            t("On some weekdays", "每周某几天"),
            t("Every few days", "每隔几天"),
            t("On days of the month", "每月某几天"),
            t("Around meals", "随餐"),
            t("In cycles (days on, days off)", "周期服药（服几天、停几天）"),
            t("Tapering", "逐步减量"),
            t("After another medication", "在另一种药之后"),
            asNeeded,
        )
    val everyDays get() = t("Every how many days", "每隔几天")
    val monthDays get() = t("Days of the month, like 1,15", "每月日期，例如 1,15")
    val meals get() = t("Meals, like breakfast,dinner", "餐次，例如 breakfast,dinner")
    val offset get() = t("Minutes before (-) or after (+)", "提前（-）或延后（+）的分钟数")
    val daysOn get() = t("Days on", "服药天数")
    val daysOff get() = t("Days off", "停药天数")
    val taperSteps get() = t("Steps, like 7:20 mg, 7:10 mg", "阶段，例如 7:20 mg, 7:10 mg")
    val afterWhich get() = t("After which medication (its name)", "在哪种药之后（药名）")
    fun everyNDaysAt(n: String, times: String) = t("every $n days at $times", "每 $n 天 $times")
    val firstTime get() = t("First dose, like 06:00", "第一次服药时间，例如 06:00")
    val hours get() = t("Hours apart", "间隔小时数")
    val weekdays get() = t("Days, like mon,wed,fri", "星期，例如 mon,wed,fri")
    fun everyHours(n: String, first: String) = t("every $n hours from $first", "从 $first 起每 $n 小时")
    val add get() = t("Add", "添加")
    fun supplyUntil(date: String) = t("runs out on $date", "预计 $date 用完")
    val mood get() = t("Mood, 1 (very bad) to 5 (very good)", "心情，1（很差）到 5（很好）")
    val text get() = t("What happened today", "今天的情况")
    val invite get() = t("Invite", "邀请")
    val inviteName get() = t("For whom (shown to the others)", "邀请对象（其他成员可见）")
    val relay get() = t("Relay address (first invite)", "中继服务器地址（首次邀请）")
    val confirm get() = t("Share on these terms", "按以上条款共享")
    val cancel get() = t("Cancel", "取消")
    fun code(code: String) = t("Code: $code", "邀请码：$code")
    val members get() = t("Members", "成员")
    val remove get() = t("Remove", "移除")
    fun invitedBy(name: String) = t("invited by $name", "由 $name 邀请")
    val joinCode get() = t("Invite code", "邀请码")
    val join get() = t("Join", "加入")
    fun role(role: org.companion.core.Role) = when (role) {
        org.companion.core.Role.OWNER -> t("owner", "所有者")
        org.companion.core.Role.CAREGIVER -> t("caregiver", "照护者")
        org.companion.core.Role.CLINICIAN -> t("clinician", "医生")
        org.companion.core.Role.VIEWER -> t("viewer", "查看者")
    }
    val exactOk get() = t("Reminders ring on time (exact alarms allowed).", "提醒会准时响起（已允许精确闹钟）。")
    val allowExact get() = t("Allow exact alarms", "允许精确闹钟")
    val allowNotifications get() = t("Allow notifications", "允许通知")
    val notificationsOk get() = t("Notifications are allowed.", "已允许通知。")
    val notificationsOff get() = t("Notifications are off: reminders cannot be shown.", "通知已关闭：无法显示提醒。")
    fun languageIs(name: String) = t("Language: $name (follows the phone's)", "语言：$name（跟随手机设置）")
    val languageName get() = t("English", "简体中文")
    fun failed(why: String) = t("Not done: $why", "未完成：$why")

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

    val followPhone get() = t("Follow the phone", "跟随手机")
    fun languageChosen(name: String) = t("Language: $name", "语言：$name")

    companion object {
        private const val PREFS = "companion-settings"
        private const val LANGUAGE = "language"

        /** The words of the language chosen in the app's settings, else of the phone's. */
        fun of(context: Context): Words {
            val chosen = context.getSharedPreferences(PREFS, Context.MODE_PRIVATE).getString(LANGUAGE, null)
            val locale = context.resources.configuration.locales[0]
            return Words((chosen ?: locale.language) == "zh")
        }

        /** The language chosen in the app (`en`, `zh`), or the phone's when `null`. */
        fun choose(context: Context, language: String?) {
            context.getSharedPreferences(PREFS, Context.MODE_PRIVATE).edit().apply {
                if (language == null) remove(LANGUAGE) else putString(LANGUAGE, language)
            }.commit()
        }

        /** Whether the app follows the phone's language. */
        fun followsPhone(context: Context): Boolean =
            context.getSharedPreferences(PREFS, Context.MODE_PRIVATE).getString(LANGUAGE, null) == null
    }
}
