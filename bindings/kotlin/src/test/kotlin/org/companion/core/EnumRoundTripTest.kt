package org.companion.core

import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.AfterTest
import kotlin.test.BeforeTest
import kotlin.test.Test
import kotlin.test.assertEquals

/**
 * Every entry of every enum a shell can send goes into the record through the FFI and comes back
 * unchanged. (Enums the core only returns are round-tripped in bindings/tests/round_trip.rs.)
 */
class EnumRoundTripTest {
    private lateinit var dir: Path
    private lateinit var record: HealthRecord

    @BeforeTest
    fun setUp() {
        dir = Files.createTempDirectory("companion-kt-enums")
        record = HealthRecord.create(dir.resolve("r.db").toString(), keysOf(dir.resolve("r.db").toString()), defaultProfile("Ana", "Europe/Berlin"))
    }

    @AfterTest
    fun tearDown() {
        record.close()
        dir.toFile().deleteRecursively()
    }

    private fun med(schedule: Schedule = Schedule.FixedTimes(listOf("08:00"))) = Medication(
        id = newId(), name = "Ramipril", form = MedicationForm.TABLET, dose = parseDose("5 mg"),
        start = "2026-03-01", status = MedicationStatus.ACTIVE, refillDaysAhead = 3u, schedule = schedule,
        timeZone = TimeZonePolicy.Local, graceMinutes = 60u, lateDose = LateDosePolicy.HalfInterval,
    )

    @Test
    fun medicationEnumsRoundTrip() {
        for (form in MedicationForm.entries) {
            val m = med().copy(form = form)
            record.addMedication(m)
            assertEquals(form, record.medication(m.id).form)
        }
        val m = med(Schedule.Weekdays(Weekday.entries, listOf("08:00")))
        record.addMedication(m)
        assertEquals(Weekday.entries, (record.medication(m.id).schedule as Schedule.Weekdays).days)
        val meals = med(Schedule.MealRelative(Meal.entries, -30))
        record.addMedication(meals)
        assertEquals(Meal.entries, (record.medication(meals.id).schedule as Schedule.MealRelative).meals)
        for (status in listOf(MedicationStatus.PAUSED, MedicationStatus.ACTIVE, MedicationStatus.STOPPED)) {
            assertEquals(status, record.setMedicationStatus(m.id, status).status)
        }
        for (status in DoseStatus.entries) {
            // 30 minutes before breakfast (07:30 by default): 07:00.
            val snoozed = if (status == DoseStatus.SNOOZED) "2026-03-02T07:30:00+01:00" else null
            val dose = DoseEvent(newId(), meals.id, "2026-03-02T07:00:00+01:00", status, "2026-03-02T07:05:00+01:00", null, null, null, snoozed, false)
            record.logDose(dose)
        }
        assertEquals(DoseStatus.entries.toSet(), record.doses(meals.id, null, null).map { it.status }.toSet())
    }

    @Test
    fun profileAndReadingEnumsRoundTrip() {
        for (sex in Sex.entries) {
            record.setProfile(record.profile().copy(sex = sex))
            assertEquals(sex, record.profile().sex)
        }
        for (language in Language.entries) {
            record.setProfile(record.profile().copy(language = language))
            assertEquals(language, record.profile().language)
        }
        for (unit in GlucoseUnit.entries) {
            record.setProfile(record.profile().let { it.copy(units = it.units.copy(glucose = unit)) })
            assertEquals(unit, record.profile().units.glucose)
        }
        for (unit in WeightUnit.entries) {
            record.setProfile(record.profile().let { it.copy(units = it.units.copy(weight = unit)) })
            assertEquals(unit, record.profile().units.weight)
        }
        for (unit in TemperatureUnit.entries) {
            record.setProfile(record.profile().let { it.copy(units = it.units.copy(temperature = unit)) })
            assertEquals(unit, record.profile().units.temperature)
        }
        for (unit in HbA1cUnit.entries) {
            record.setProfile(record.profile().let { it.copy(units = it.units.copy(hba1c = unit)) })
            assertEquals(unit, record.profile().units.hba1c)
        }
        for (context in MealContext.entries) {
            val r = Reading(newId(), Measurement.Glucose(110.0, context), "2026-03-02T08:00:00+01:00", null, ReadingSource.Manual, null, null)
            record.addReading(r)
            assertEquals(r, record.reading(r.id))
        }
        for (kind in ReadingKind.entries) {
            val plan = homeBloodPressurePlan("2026-04-01").copy(id = newId(), kind = kind)
            record.addMeasurementPlan(plan)
        }
        assertEquals(ReadingKind.entries.toSet(), record.measurementPlans().map { it.kind }.toSet())
        for (guideline in BpGuideline.entries) {
            record.setTargets(record.targets().copy(bpGuideline = guideline, setBy = "Dr. Lee"))
            assertEquals(guideline, record.targets().bpGuideline)
        }
        for (setting in BpSetting.entries) {
            assertEquals(setting, classifyBloodPressure(120u, 80u, BpGuideline.ESH2023, setting).setting)
        }
        for (advice in LateDoseAdvice.entries) {
            for (language in Language.entries) {
                assert(lateDoseAdviceText(advice, language).isNotBlank())
            }
        }
    }
}
