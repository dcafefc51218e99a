package org.companion.android

import android.widget.RadioButton
import android.widget.RadioGroup
import java.time.LocalDate
import org.companion.core.AsNeededLimits
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
import org.companion.core.Meal
import org.companion.core.TaperStep
import org.companion.core.ReadingKind
import org.companion.core.formatMeasurement
import org.companion.core.parseNumber
import org.companion.core.toStoredUnit
import org.companion.core.unitSymbol
import org.companion.core.newId
import org.companion.core.parseDose
import org.companion.core.renderAlert

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
        val units = profile.units
        // The record's own units, as the core names them and converts from.
        fun symbol(k: ReadingKind) = unitSymbol(k, units)
        heading(words.logReading)
        val kinds = listOf(
            KIND_BP to words.bloodPressure,
            KIND_GLUCOSE to words.glucose,
            KIND_WEIGHT to words.weightIn(symbol(ReadingKind.WEIGHT)),
            KIND_TEMPERATURE to words.temperatureIn(symbol(ReadingKind.TEMPERATURE)),
            KIND_SPO2 to words.spo2,
        )
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
        val fields = when (kind) {
            KIND_BP -> listOf(field(words.systolic, true), field(words.diastolic, true), field(words.pulse, true))
            KIND_GLUCOSE -> listOf(field(words.glucoseIn(symbol(ReadingKind.GLUCOSE)), true))
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
            val typed = fields.map { it.text.toString() }
            val numbers = typed.map { parseNumber(it) }
            // A pressure or a pulse is a whole number a person can have; anything else (a
            // fraction, 70000) is said, never wrapped into another value.
            fun whole(n: Double?): UShort? = n?.takeIf { it >= 0 && it <= 65535 && it == Math.floor(it) }?.toInt()?.toUShort()
            val stored = { k: ReadingKind -> numbers[0]?.let { toStoredUnit(k, it, units) } }
            val measurement = when (kind) {
                KIND_BP -> {
                    val (sys, dia) = whole(numbers[0]) to whole(numbers[1])
                    val pulse = whole(numbers[2])
                    if (sys == null || dia == null || (typed[2].isNotBlank() && pulse == null)) null else Measurement.BloodPressure(sys, dia, pulse)
                }
                KIND_GLUCOSE -> stored(ReadingKind.GLUCOSE)?.let {
                    val meal = context!!.findViewById<RadioButton>(context.checkedRadioButtonId)!!.tag as MealContext
                    Measurement.Glucose(it, meal)
                }
                KIND_WEIGHT -> stored(ReadingKind.WEIGHT)?.let { Measurement.Weight(it) }
                KIND_TEMPERATURE -> stored(ReadingKind.TEMPERATURE)?.let { Measurement.Temperature(it) }
                else -> numbers[0]?.let { Measurement.Spo2(it) }
            }
            if (measurement == null) {
                text(words.notANumber)
                return@button
            }
            val entered = when (kind) {
                KIND_GLUCOSE -> symbol(ReadingKind.GLUCOSE)
                KIND_WEIGHT -> symbol(ReadingKind.WEIGHT)
                KIND_TEMPERATURE -> symbol(ReadingKind.TEMPERATURE)
                else -> null
            }
            attempt {
                val outcome = record.recordReading(Reading(newId(), measurement, nowOffset(), entered, ReadingSource.Manual, null, null, null))
                render()
                text(words.saved(formatMeasurement(measurement, units)))
                for (alert in outcome.alerts) {
                    val said = renderAlert(alert, words.language, units)
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
                is Schedule.EveryNDays -> words.everyNDaysAt(s.days.toString(), s.times.joinToString(", "))
                is Schedule.AsNeeded -> words.asNeeded
                else -> s.javaClass.simpleName
            }
            val days = supply[m.id]?.runsOutOn?.let { "  " + words.supplyUntil(it) } ?: ""
            text("${m.name}  ${doseText(m.dose)}  $schedule$days")
        }
        val name = field(words.name)
        val dose = field(words.dose)
        val types = RadioGroup(this)
        for ((i, label) in words.scheduleTypes.withIndex()) {
            types.addView(RadioButton(this).apply { text = label; id = 300 + i; isChecked = i == scheduleType })
        }
        types.setOnCheckedChangeListener { _, id ->
            scheduleType = id - 300
            render()
        }
        column.addView(types)
        // The fields of the chosen type only.
        val needs = FIELDS.getValue(scheduleType)
        val times = if ("times" in needs) field(words.times) else null
        val first = if ("first" in needs) field(words.firstTime) else null
        val hours = if ("hours" in needs) field(words.hours, true) else null
        val weekdays = if ("weekdays" in needs) field(words.weekdays) else null
        val everyDays = if ("every" in needs) field(words.everyDays, true) else null
        val monthDays = if ("monthdays" in needs) field(words.monthDays) else null
        val meals = if ("meals" in needs) field(words.meals) else null
        val offset = if ("offset" in needs) field(words.offset) else null
        val on = if ("cycle" in needs) field(words.daysOn, true) else null
        val off = if ("cycle" in needs) field(words.daysOff, true) else null
        val steps = if ("steps" in needs) field(words.taperSteps) else null
        val after = if ("after" in needs) field(words.afterWhich) else null
        button(words.add) {
            attempt {
                fun list(f: android.widget.EditText?) = f?.text?.toString().orEmpty().split(',').map { it.trim() }.filter { it.isNotEmpty() }
                fun number(f: android.widget.EditText?) = f?.text?.toString()?.trim()?.toUIntOrNull() ?: 0u
                val typed = list(times)
                val schedule = when (scheduleType) {
                    EVERY_N_HOURS -> Schedule.EveryNHours(number(hours), first?.text?.toString()?.trim().orEmpty(), false, null)
                    ON_WEEKDAYS -> Schedule.Weekdays(
                        list(weekdays).mapNotNull { d -> Weekday.entries.firstOrNull { it.name.equals(d.take(3), ignoreCase = true) } },
                        typed,
                    )
                    EVERY_N_DAYS -> Schedule.EveryNDays(number(everyDays), typed)
                    DAYS_OF_MONTH -> Schedule.DaysOfMonth(list(monthDays).mapNotNull { it.toUIntOrNull() }, typed)
                    MEALS -> Schedule.MealRelative(
                        list(meals).mapNotNull { m -> Meal.entries.firstOrNull { it.name.equals(m, ignoreCase = true) } },
                        offset?.text?.toString()?.trim()?.toIntOrNull() ?: 0,
                    )
                    CYCLE -> Schedule.Cyclic(number(on), number(off), typed)
                    TAPERING -> Schedule.Tapering(
                        list(steps).map { step ->
                            val (days, amount) = step.split(':', limit = 2).let { it[0].trim() to it.getOrElse(1) { "" }.trim() }
                            TaperStep(days.toUIntOrNull() ?: 0u, parseDose(amount), typed)
                        },
                    )
                    AFTER_DOSE -> Schedule.AfterDose(
                        record.medications(false).firstOrNull { it.name.equals(after?.text?.toString()?.trim(), ignoreCase = true) }?.id.orEmpty(),
                        (offset?.text?.toString()?.trim()?.toUIntOrNull() ?: 0u),
                    )
                    AS_NEEDED -> Schedule.AsNeeded(AsNeededLimits(4u, 240u))
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
        const val EVERY_N_DAYS = 3
        const val DAYS_OF_MONTH = 4
        const val MEALS = 5
        const val CYCLE = 6
        const val TAPERING = 7
        const val AFTER_DOSE = 8
        const val AS_NEEDED = 9

        /** The fields each schedule type asks for, in [words]' order of types. */
        private val FIELDS = mapOf(
            AT_TIMES to setOf("times"),
            EVERY_N_HOURS to setOf("first", "hours"),
            ON_WEEKDAYS to setOf("weekdays", "times"),
            EVERY_N_DAYS to setOf("every", "times"),
            DAYS_OF_MONTH to setOf("monthdays", "times"),
            MEALS to setOf("meals", "offset"),
            CYCLE to setOf("cycle", "times"),
            TAPERING to setOf("steps", "times"),
            AFTER_DOSE to setOf("after", "offset"),
            AS_NEEDED to emptySet(),
        )
    }
}

/** The journal: what happened, and a mood from 1 to 5. */
class JournalActivity : Screen() {
    override fun build(record: HealthRecord) {
        heading(words.journal)
        val text = field(words.text)
        val mood = field(words.mood, true)
        button(words.save) {
            val typed = mood.text.toString().trim()
            // A mood the core judges (1 to 5); a number past a byte is said, never wrapped.
            val score = typed.toUIntOrNull()?.takeIf { it <= 255u }?.toUByte()
            if (typed.isNotEmpty() && score == null) {
                text(words.notANumber)
                return@button
            }
            attempt {
                record.addJournalEntry(JournalEntry(newId(), nowOffset(), text.text.toString(), score, emptyList(), null, false, null))
                render()
            }
        }
        for (e in record.journal(null, null)) {
            text("${e.at.take(16).replace('T', ' ')}  ${e.mood?.let { "($it/5) " } ?: ""}${e.text}")
        }
    }
}
