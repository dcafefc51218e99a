package org.companion.android

import android.widget.RadioButton
import android.widget.RadioGroup
import java.time.LocalDate
import org.companion.core.AsNeededLimits
import org.companion.core.GlucoseUnit
import org.companion.core.HealthRecord
import org.companion.core.JournalEntry
import org.companion.core.LateDosePolicy
import org.companion.core.MealContext
import org.companion.core.Measurement
import org.companion.core.Medication
import org.companion.core.MedicationForm
import org.companion.core.MedicationStatus
import org.companion.core.Reading
import org.companion.core.ReadingSource
import org.companion.core.Schedule
import org.companion.core.TimeZonePolicy
import org.companion.core.Weekday
import org.companion.core.formatMeasurement
import org.companion.core.newId
import org.companion.core.parseDose
import org.companion.core.renderAlert

/** The core's mg/dL per mmol/L (docs/clinical.md): glucose typed in mmol/L is stored in mg/dL. */
private const val MG_DL_PER_MMOL_L = 18.016

private fun Screen.nowOffset(): String =
    App.clock().atZone(java.time.ZoneId.systemDefault()).toOffsetDateTime().toString()

/**
 * Log a reading: blood pressure, glucose in the record's unit, weight, temperature, SpO2. The
 * core stores it with the alerts it raises and says what it means; both are shown at once.
 */
class ReadingActivity : Screen() {
    /** Which kind is being entered (the radio group's choice). */
    var kind = KIND_BP

    override fun build(record: HealthRecord) {
        val profile = record.profile()
        heading(words.logReading)
        val kinds = listOf(KIND_BP to words.bloodPressure, KIND_GLUCOSE to words.glucose, KIND_WEIGHT to words.weight, KIND_TEMPERATURE to words.temperature, KIND_SPO2 to words.spo2)
        val group = RadioGroup(this)
        for ((k, label) in kinds) {
            group.addView(RadioButton(this).apply {
                text = label
                id = k
                isChecked = k == kind
            })
        }
        group.setOnCheckedChangeListener { _, checked ->
            kind = checked
            render()
        }
        column.addView(group)
        val mmol = profile.units.glucose == GlucoseUnit.MMOL_L
        val fields = when (kind) {
            KIND_BP -> listOf(field(words.systolic, true), field(words.diastolic, true), field(words.pulse, true))
            KIND_GLUCOSE -> listOf(field(words.glucoseIn(if (mmol) "mmol/L" else "mg/dL"), true))
            else -> listOf(field(words.value, true))
        }
        val context = if (kind == KIND_GLUCOSE) {
            RadioGroup(this).also { g ->
                for ((i, pair) in listOf(MealContext.BEFORE_MEAL to words.beforeMeal, MealContext.AFTER_MEAL to words.afterMeal, MealContext.FASTING to words.fasting).withIndex()) {
                    g.addView(RadioButton(this).apply { text = pair.second; id = 100 + i; tag = pair.first; isChecked = i == 0 })
                }
                column.addView(g)
            }
        } else {
            null
        }
        button(words.save) {
            val numbers = fields.map { it.text.toString().trim().replace(',', '.').toDoubleOrNull() }
            val measurement = when (kind) {
                KIND_BP -> if (numbers[0] == null || numbers[1] == null) null else Measurement.BloodPressure(numbers[0]!!.toInt().toUShort(), numbers[1]!!.toInt().toUShort(), numbers[2]?.toInt()?.toUShort())
                KIND_GLUCOSE -> numbers[0]?.let {
                    val meal = context!!.findViewById<RadioButton>(context.checkedRadioButtonId)!!.tag as MealContext
                    Measurement.Glucose(if (mmol) it * MG_DL_PER_MMOL_L else it, meal)
                }
                KIND_WEIGHT -> numbers[0]?.let { Measurement.Weight(it) }
                KIND_TEMPERATURE -> numbers[0]?.let { Measurement.Temperature(it) }
                else -> numbers[0]?.let { Measurement.Spo2(it) }
            }
            if (measurement == null) {
                text(words.notANumber)
                return@button
            }
            val entered = if (kind == KIND_GLUCOSE) (if (mmol) "mmol/L" else "mg/dL") else null
            attempt {
                val outcome = record.recordReading(Reading(newId(), measurement, nowOffset(), entered, ReadingSource.Manual, null, null, null))
                render()
                text(words.saved(formatMeasurement(measurement, profile.units)))
                for (alert in outcome.alerts) {
                    val said = renderAlert(alert, words.language, profile.units)
                    text(listOfNotNull(said.title, said.value).joinToString("  "))
                    text(said.advice)
                }
                Reminders(this).replan()
            }
        }
    }

    companion object {
        const val KIND_BP = 1
        const val KIND_GLUCOSE = 2
        const val KIND_WEIGHT = 3
        const val KIND_TEMPERATURE = 4
        const val KIND_SPO2 = 5
    }
}

/**
 * The medications with their schedules and supply, and adding one: at times each day, every
 * N hours from a first time, on some weekdays at times, or as needed (at most 4 a day, 4
 * hours apart). The core checks what is typed and says what is wrong.
 */
class MedicationsActivity : Screen() {
    /** The schedule type chosen for the next medication. */
    var scheduleType = AT_TIMES

    override fun build(record: HealthRecord) {
        heading(words.medications)
        val supply = record.refillStatus(now, zone).associateBy { it.medicationId }
        for (m in record.medications(false)) {
            val schedule = when (val s = m.schedule) {
                is Schedule.FixedTimes -> s.times.joinToString(", ")
                is Schedule.EveryNHours -> words.everyHours(s.hours.toString(), s.first)
                is Schedule.Weekdays -> "${s.days.joinToString(",") { it.name.lowercase() }} ${s.times.joinToString(", ")}"
                is Schedule.AsNeeded -> words.asNeeded
                else -> s.javaClass.simpleName
            }
            val days = supply[m.id]?.runsOutOn?.let { "  " + words.supplyUntil(it) } ?: ""
            text("${m.name}  ${doseText(m.dose)}  $schedule$days")
        }
        val name = field(words.name)
        val dose = field(words.dose)
        val types = RadioGroup(this)
        for ((i, label) in listOf(words.atTimes, words.everyNHours, words.onWeekdays, words.asNeeded).withIndex()) {
            types.addView(RadioButton(this).apply { text = label; id = 300 + i; isChecked = i == scheduleType })
        }
        types.setOnCheckedChangeListener { _, id ->
            scheduleType = id - 300
            render()
        }
        column.addView(types)
        val times = if (scheduleType == AS_NEEDED) null else field(if (scheduleType == EVERY_N_HOURS) words.firstTime else words.times)
        val hours = if (scheduleType == EVERY_N_HOURS) field(words.hours, true) else null
        val days = if (scheduleType == ON_WEEKDAYS) field(words.weekdays) else null
        button(words.add) {
            attempt {
                val typed = times?.text?.toString().orEmpty().split(',').map { it.trim() }.filter { it.isNotEmpty() }
                val schedule = when (scheduleType) {
                    AS_NEEDED -> Schedule.AsNeeded(AsNeededLimits(4u, 240u))
                    EVERY_N_HOURS -> Schedule.EveryNHours(hours!!.text.toString().toUIntOrNull() ?: 0u, typed.firstOrNull() ?: "", false, null)
                    ON_WEEKDAYS -> Schedule.Weekdays(
                        days!!.text.toString().split(',').mapNotNull { d -> Weekday.entries.firstOrNull { it.name.equals(d.trim().take(3), ignoreCase = true) } },
                        typed,
                    )
                    else -> Schedule.FixedTimes(typed)
                }
                record.addMedication(
                    Medication(
                        id = newId(), name = name.text.toString().trim(), form = MedicationForm.TABLET,
                        dose = parseDose(dose.text.toString()), start = LocalDate.now(java.time.ZoneId.systemDefault()).toString(),
                        status = MedicationStatus.ACTIVE, refillDaysAhead = 7u, schedule = schedule,
                        timeZone = TimeZonePolicy.Local, graceMinutes = 60u, lateDose = LateDosePolicy.HalfInterval,
                        recordedAt = App.clock().toString(),
                    ),
                )
                Reminders(this).replan()
                render()
            }
        }
    }

    companion object {
        const val AT_TIMES = 0
        const val EVERY_N_HOURS = 1
        const val ON_WEEKDAYS = 2
        const val AS_NEEDED = 3
    }
}

/** The journal: what happened, and a mood from 1 to 5. */
class JournalActivity : Screen() {
    override fun build(record: HealthRecord) {
        heading(words.journal)
        val text = field(words.text)
        val mood = field(words.mood, true)
        button(words.save) {
            attempt {
                record.addJournalEntry(JournalEntry(newId(), nowOffset(), text.text.toString(), mood.text.toString().toUIntOrNull()?.toUByte(), emptyList(), null, false, null))
                render()
            }
        }
        for (e in record.journal(null, null)) {
            text("${e.at.take(16).replace('T', ' ')}  ${e.mood?.let { "($it/5) " } ?: ""}${e.text}")
        }
    }
}
