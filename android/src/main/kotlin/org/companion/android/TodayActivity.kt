package org.companion.android

import org.companion.core.DoseEvent
import org.companion.core.DoseStatus
import org.companion.core.HealthRecord
import org.companion.core.ScheduledDose
import org.companion.core.lateDoseAdviceText
import org.companion.core.newId
import org.companion.core.renderAlert

/**
 * The home screen: what to do today. Urgent alerts first, then the doses due (with a Taken
 * button each), missed ones with the core's advice, the day's measurements and care-journey
 * tasks, what is done; and the way to every other screen.
 */
class TodayActivity : Screen() {
    override fun onCreate(savedInstanceState: android.os.Bundle?) {
        super.onCreate(savedInstanceState)
        // Reminders cannot be shown until the person allows notifications (Android 13+).
        if (needsNotificationPermission(this)) requestPermissions(arrayOf(NOTIFICATIONS), 1)
        SyncJob.syncSoon(this)
    }

    override fun build(record: HealthRecord) {
        val profile = record.profile()
        val today = record.today(now, zone)
        val names = record.medications(true).associate { it.id to "${it.name} ${doseText(it.dose)}" }
        fun line(d: ScheduledDose) = "${d.occurrence.slot.substringAfter('T').take(5)}  ${names[d.occurrence.medicationId] ?: ""}"
        heading(words.todayTitle(profile.name))
        if (today.alerts.isNotEmpty()) {
            heading(words.alerts)
            for (alert in today.alerts) {
                val said = renderAlert(alert, words.language, profile.units)
                text(listOfNotNull(said.title, said.value).joinToString("  "))
                text(said.advice)
            }
        }
        heading(words.due)
        if (today.due.isEmpty()) text(words.nothing)
        for (due in today.due) {
            text(line(due.dose))
            button(words.taken) {
                attempt {
                    record.logDose(
                        DoseEvent(newId(), due.dose.occurrence.medicationId, due.dose.occurrence.at, DoseStatus.TAKEN, App.clock().atZone(java.time.ZoneId.systemDefault()).toOffsetDateTime().toString(), null, null, null, null, false),
                    )
                    Reminders(this).replan()
                    render()
                }
            }
        }
        if (today.missed.isNotEmpty()) {
            heading(words.missed)
            for (m in today.missed) {
                text(line(m.dose))
                text(lateDoseAdviceText(m.advice, words.language))
            }
        }
        if (today.measurementsDue.isNotEmpty()) {
            heading(words.measurements)
            for (m in today.measurementsDue.filter { !it.done }) text("${m.at.substringAfter('T').take(5)}  ${m.kind.name.lowercase().replace('_', ' ')}")
        }
        val tasks = today.journeys.flatMap { j -> j.tasks.filter { !it.done }.map { "${j.title}: ${it.title}" } }
        if (tasks.isNotEmpty()) {
            heading(words.journeyTasks)
            for (t in tasks) text(t)
        }
        if (today.done.isNotEmpty()) {
            heading(words.done)
            for (d in today.done) text(line(d))
        }
        button(words.logReading) { open(ReadingActivity::class.java) }
        button(words.medications) { open(MedicationsActivity::class.java) }
        button(words.journal) { open(JournalActivity::class.java) }
        button(words.sharing) { open(SharingActivity::class.java) }
        button(words.settings) { open(SettingsActivity::class.java) }
    }
}

/** `500 mg`, `1 tablet`, `2.5 ml`. */
fun doseText(d: org.companion.core.DoseAmount): String {
    val n = if (d.amount == Math.floor(d.amount)) d.amount.toLong().toString() else d.amount.toString()
    return "$n ${d.unit}"
}
