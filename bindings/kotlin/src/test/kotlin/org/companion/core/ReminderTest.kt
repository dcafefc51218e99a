package org.companion.core

import java.nio.file.Files
import java.nio.file.Path
import java.time.OffsetDateTime
import kotlin.test.AfterTest
import kotlin.test.BeforeTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/** The reminder planner and dose logging, through the generated bindings. */
class ReminderTest {
    private lateinit var dir: Path
    private lateinit var record: HealthRecord

    @BeforeTest
    fun setUp() {
        dir = Files.createTempDirectory("companion-kt-reminders")
        record = HealthRecord.create(dir.resolve("r.db").toString(), keysOf(dir.resolve("r.db").toString()), defaultProfile("Ana", "Europe/Berlin"))
    }

    @AfterTest
    fun tearDown() {
        record.close()
        dir.toFile().deleteRecursively()
    }

    private fun med(name: String, schedule: Schedule, inventory: Inventory? = null) = Medication(
        id = newId(), name = name, strength = null, form = MedicationForm.TABLET, dose = parseDose("1 tablet"),
        instructions = null, prescriber = null, start = "2026-03-01", end = null, status = MedicationStatus.ACTIVE,
        inventory = inventory, refillDaysAhead = 3u, recordedAt = null, schedule = schedule,
        timeZone = TimeZonePolicy.Local, graceMinutes = 60u, lateDose = LateDosePolicy.HalfInterval,
    )

    private fun instant(s: String) = OffsetDateTime.parse(s).toInstant()

    @Test
    fun plansTheSoonest64WithStableIds() {
        repeat(20) { i -> record.addMedication(med("Med $i", Schedule.FixedTimes(listOf("08:0${i % 10}", "13:${10 + i}", "20:00")))) }
        val plan = record.planReminders("2026-03-02T10:00:00+01:00", "Europe/Berlin", 14u * 24u, 64u)
        assertEquals(64, plan.size)
        assertTrue(plan.zipWithNext().all { (a, b) -> instant(a.fireAt) <= instant(b.fireAt) })
        assertEquals(plan.map { it.id }, record.planReminders("2026-03-02T10:00:00+01:00", "Europe/Berlin", 14u * 24u, 64u).map { it.id })
        val first = plan.first()
        assertEquals(NotificationKind.DOSE, first.kind)
        assertEquals(Importance.TIME_SENSITIVE, first.importance)
        assertEquals(listOf(NotificationAction.TAKE, NotificationAction.SNOOZE, NotificationAction.SKIP), first.actions)
        // 13:10 Berlin is the first slot after 10:00.
        assertEquals(instant("2026-03-02T13:10:00+01:00"), instant(first.fireAt))
        assertFailsWith<CompanionException.InvalidInput> { record.planReminders("2026-03-02T10:00:00+01:00", "Mars/Base", 24u, 64u) }
    }

    @Test
    fun newScheduleTypesPlanThroughTheBindings() {
        // Vitamin D on the 31st: April has none, so its last day.
        record.addMedication(med("Vitamin D", Schedule.DaysOfMonth(listOf(31u), listOf("09:00"))))
        // A night-shift worker: every 4 hours between 22:00 and 06:00.
        record.addMedication(med("Night", Schedule.EveryNHours(4u, "22:00", false, DailyWindow("22:00", "06:00"))))
        record.addMedication(med("Levodopa", Schedule.EveryNMinutes(90u, "08:00", false, DailyWindow("08:00", "11:00"))))
        record.addMedication(med("Fortnight", Schedule.EveryNWeeks(2u, listOf(Weekday.MON), listOf("08:00"))))
        val plan = record.planReminders("2026-04-29T12:00:00+02:00", "Europe/Berlin", 48u, 64u)
        val fires = plan.filter { it.kind == NotificationKind.DOSE }.map { instant(it.fireAt) }
        assertTrue(instant("2026-04-30T09:00:00+02:00") in fires, "the 31st falls on 30 April")
        assertTrue(instant("2026-04-29T22:00:00+02:00") in fires && instant("2026-04-30T02:00:00+02:00") in fires)
        assertTrue(instant("2026-04-30T09:30:00+02:00") in fires, "every 90 minutes from 08:00")
        assertFailsWith<CompanionException.InvalidInput> {
            record.addMedication(med("Bad", Schedule.EveryNMinutes(5u, "08:00", false, null)))
        }
    }

    @Test
    fun theZoneHistoryKeepsPastDosesWhereTheyWereDue() {
        val m = med("Metformin", Schedule.FixedTimes(listOf("08:00", "20:00")))
        record.addMedication(m)
        for (due in listOf("2026-03-01T20:00:00+01:00", "2026-03-02T08:00:00+01:00")) {
            record.logDose(DoseEvent(newId(), m.id, due, DoseStatus.TAKEN, due, null, "Ana", null, null, false))
        }
        // The phone lands in New York and says so once.
        assertTrue(record.recordDeviceZone("America/New_York", "2026-03-02T15:00:00Z"))
        assertEquals(false, record.recordDeviceZone("America/New_York", "2026-03-02T16:00:00Z"))
        assertEquals("America/New_York", record.zoneHistory().single().zone)
        val today = record.today("2026-03-02T12:30:00-05:00", "America/New_York")
        assertTrue(today.missed.isEmpty(), "the Berlin dose taken at home is not missed")
        assertTrue(today.done.all { it.state is DoseState.Taken })
        // A scheduled time that is no dose of the medication is refused, listing the nearest.
        val wrong = assertFailsWith<CompanionException.NotAnOccurrence> {
            record.logDose(DoseEvent(newId(), m.id, "2026-03-02T09:00:00+01:00", DoseStatus.TAKEN, "2026-03-02T09:05:00+01:00", null, null, null, null, false))
        }
        assertTrue(wrong.nearest.isNotEmpty())
        assertFailsWith<CompanionException.InvalidInput> { record.recordDeviceZone("Mars/Base", "2026-03-02T16:00:00Z") }
    }

    @Test
    fun aSecondMedicationOfTheSameNameIsConfirmedFirst() {
        val first = med("Metformin", Schedule.FixedTimes(listOf("08:00")), null)
        record.addMedicationChecked(first, false)
        val second = med("Metformin", Schedule.FixedTimes(listOf("20:00")), null)
        val taken = assertFailsWith<CompanionException.NameTaken> { record.addMedicationChecked(second, false) }
        assertEquals("medication", taken.entity)
        assertEquals(1, record.medications(false).size, "nothing added")
        record.addMedicationChecked(second, true)
        assertEquals(2, record.medications(false).size)
        // A rename onto a name in use asks too.
        val other = med("Ramipril", Schedule.FixedTimes(listOf("09:00")), null)
        record.addMedication(other)
        assertFailsWith<CompanionException.NameTaken> { record.updateMedicationChecked(other.copy(name = "Metformin"), false) }
        assertEquals("Ramipril", record.medication(other.id).name)
    }

    @Test
    fun takingSnoozingAndMissingDoses() {
        val m = med("Metformin", Schedule.FixedTimes(listOf("08:00", "20:00")), Inventory(10.0, "2026-03-01T07:00:00+01:00", 1.0))
        record.addMedication(m)
        // The 08:00 dose is taken, answering the occurrence the plan named.
        val plan = record.planReminders("2026-03-02T07:00:00+01:00", "Europe/Berlin", 24u, 64u)
        val morning = plan.first { it.kind == NotificationKind.DOSE }.doses.single()
        // Logged without naming it: the record picks the due 08:00 dose, inside the write.
        // Naming no one on the patient's own phone: logged in her name (issue 27).
        val logged = record.logDoseAnswering(DoseEvent(newId(), m.id, null, DoseStatus.TAKEN, "2026-03-02T08:05:00+01:00", null, null, null, null, false), "Europe/Berlin")
        assertEquals(instant(morning.scheduledAt), instant(logged.scheduledAt!!))
        assertEquals("Ana", logged.loggedBy)
        // Taken again at 08:10 without naming the dose: refused, naming who logged it and when,
        // for the app's "already taken" dialog (issue 27: it used to log an extra dose).
        val again = DoseEvent(newId(), m.id, null, DoseStatus.TAKEN, "2026-03-02T08:10:00+01:00", null, "Ben", null, null, false)
        val double = assertFailsWith<CompanionException.DoseAlreadyTaken> { record.logDoseAnswering(again, "Europe/Berlin") }
        assertEquals("Ana", double.loggedBy)
        assertEquals(instant("2026-03-02T08:05:00+01:00"), instant(double.at))
        // Confirmed, it is recorded as a second take of the same dose.
        val confirmed = record.logDoseAnswering(again.copy(confirmedDouble = true), "Europe/Berlin")
        assertEquals(instant(morning.scheduledAt), instant(confirmed.scheduledAt!!))
        // Logged by mistake after all: deleted, so one take of the dose remains.
        record.deleteDose(confirmed.id)
        // The evening one is snoozed to 20:30.
        val evening = "2026-03-02T20:00:00+01:00"
        record.logDose(DoseEvent(newId(), m.id, evening, DoseStatus.SNOOZED, "2026-03-02T20:01:00+01:00", null, null, null, "2026-03-02T20:30:00+01:00", false))
        val today = record.today("2026-03-02T20:10:00+01:00", "Europe/Berlin")
        assertTrue(today.snoozed.single().state is DoseState.Snoozed)
        val replanned = record.planReminders("2026-03-02T20:10:00+01:00", "Europe/Berlin", 2u, 64u)
        assertEquals(instant("2026-03-02T20:30:00+01:00"), instant(replanned.first { it.kind == NotificationKind.DOSE }.fireAt))

        // Not taken by 21:31: missed, as a caregiver's device sees it.
        val missed = record.missedDoses("2026-03-02T00:00:00+01:00", "2026-03-02T21:31:00+01:00", "Europe/Berlin")
        assertEquals(instant(evening), instant(missed.single().occurrence.at))
        val adherence = record.adherence("2026-03-02T00:00:00+01:00", "2026-03-03T00:00:00+01:00", "2026-03-03T00:00:00+01:00", "Europe/Berlin").single()
        assertEquals(2u, adherence.counted)
        assertEquals(0.5, adherence.shareTaken)
        assertTrue(adherence.doses.first().state is DoseState.Taken)

        // Supply: 10 counted, one taken, a refill of 30.
        record.logRefill(Refill(newId(), m.id, "2026-03-02T12:00:00+01:00", 30.0))
        val supply = record.refillStatus("2026-03-02T13:00:00+01:00", "Europe/Berlin").single()
        assertEquals(39.0, supply.onHand)
        assertTrue(lateDoseAdviceText(LateDoseAdvice.SKIP_AND_WAIT, Language.ENGLISH).contains("Do not take a double dose"))
        assertTrue(lateDoseAdviceText(LateDoseAdvice.SKIP_AND_WAIT, Language.SIMPLIFIED_CHINESE).contains("双倍剂量"))
    }

    @Test
    fun appointmentsAndTheHomeBloodPressureWeek() {
        record.addAppointment(Appointment(newId(), "2026-03-10T10:00:00+01:00", "Check-up", null, "Clinic", null))
        val plan = homeBloodPressurePlan("2026-03-10")
        assertEquals(ReadingKind.BLOOD_PRESSURE, plan.kind)
        assertEquals("2026-03-03", plan.start)
        record.addMeasurementPlan(plan)
        assertEquals(listOf(plan), record.measurementPlans())
        val planned = record.planReminders("2026-03-01T00:00:00+01:00", "Europe/Berlin", 14u * 24u, 64u)
        assertEquals(14, planned.count { it.kind == NotificationKind.MEASUREMENT })
        assertEquals(2, planned.count { it.kind == NotificationKind.APPOINTMENT })
        assertFailsWith<CompanionException.InvalidInput> { homeBloodPressurePlan("next week") }
    }

    @Test
    fun asNeededDosesOverTheLimitNeedConfirmation() {
        val prn = med("Paracetamol", Schedule.AsNeeded(AsNeededLimits(1u, 360u)))
        record.addMedication(prn)
        fun take(at: String, confirmed: Boolean = false) =
            DoseEvent(newId(), prn.id, null, DoseStatus.TAKEN, at, null, null, null, null, confirmed)
        record.logDose(take("2026-03-02T08:00:00+01:00"))
        val e = assertFailsWith<CompanionException.DoseLimitExceeded> { record.logDose(take("2026-03-02T18:00:00+01:00")) }
        assertEquals(DoseLimit.DailyMaximum(1u), e.limit)
        record.logDose(take("2026-03-02T18:00:00+01:00", confirmed = true))
        assertEquals(2, record.doses(prn.id, null, null).size)
        assertTrue(record.doses(prn.id, null, null).any { it.confirmedOverLimit })
    }
}
