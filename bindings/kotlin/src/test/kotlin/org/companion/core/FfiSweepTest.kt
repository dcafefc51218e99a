package org.companion.core

import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.AfterTest
import kotlin.test.BeforeTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * Every exported function that takes a value from the app, called with what an app could get
 * wrong: empty, huge, invisible, NaN and infinite values, malformed times and dates, ids of
 * nothing, a foreign record's data. Each call must end in a typed [CompanionException] (never
 * a panic, which UniFFI turns into an InternalException, never a crash of the JVM), and
 * nothing may be written: the record's export is the same before and after.
 */
class FfiSweepTest {
    private lateinit var dir: Path

    @BeforeTest
    fun setUp() {
        dir = Files.createTempDirectory("companion-sweep")
    }

    @AfterTest
    fun tearDown() {
        dir.toFile().deleteRecursively()
    }

    /** A transport that never reaches a relay. */
    private object Nowhere : RelayTransport {
        override fun send(request: HttpRequest): HttpResponse = throw TransportException.NoAnswer("offline")
    }

    private val huge = "x".repeat(200_000)
    private val invisible = "\u200B\uFEFF"
    private val badTimes = listOf("", "yesterday", "2026-13-01T08:00:00+01:00", "2026-11-20T25:00:00Z", "9999-99-99", huge)
    private val now = "2026-11-20T08:00:00Z"

    private fun bp(systolic: Int, diastolic: Int, at: String = "2026-11-20T08:00:00+01:00") = Reading(
        id = newId(),
        measurement = Measurement.BloodPressure(systolic.toUShort(), diastolic.toUShort(), null),
        at = at,
        enteredUnit = null,
        source = ReadingSource.Manual,
        note = null,
        loggedBy = null,
    )

    private fun medication(name: String = "Metformin", dose: DoseAmount = parseDose("500 mg")) = Medication(
        id = newId(),
        name = name,
        strength = "500 mg",
        form = MedicationForm.TABLET,
        dose = dose,
        instructions = null,
        prescriber = null,
        start = "2026-01-01",
        end = null,
        status = MedicationStatus.ACTIVE,
        inventory = null,
        refillDaysAhead = 3u,
        recordedAt = null,
        schedule = Schedule.FixedTimes(listOf("08:00")),
        timeZone = TimeZonePolicy.Local,
        graceMinutes = 60u,
        lateDose = LateDosePolicy.HalfInterval,
    )

    private fun dose(medicationId: String, at: String = "2026-11-20T08:05:00+01:00", amount: DoseAmount? = null) =
        DoseEvent(newId(), medicationId, "2026-11-20T08:00:00+01:00", DoseStatus.TAKEN, at, amount, null, null, null, false)

    @Test
    fun everyCallWithBadInputIsATypedRefusalAndWritesNothing() {
        val path = dir.resolve("record.db").toString()
        val other = HealthRecord.create(dir.resolve("other.db").toString(), keysOf(dir.resolve("other.db").toString()), defaultProfile("Bo", "Asia/Shanghai"))
        val foreignReplica = other.replicaExport()
        val foreignDoc = other.exportDocument("record")
        HealthRecord.create(path, keysOf(path), defaultProfile("Ana", "Europe/Berlin")).use { record ->
            val med = medication()
            record.addMedication(med)
            val reading = bp(142, 91)
            record.addReading(reading)
            val before = record.exportJson()

            val calls = mutableListOf<Pair<String, () -> Unit>>()
            fun call(name: String, f: () -> Unit) = calls.add(name to f)

            // Readings.
            for (at in badTimes) call("addReading at ${at.take(20)}") { record.addReading(bp(120, 80, at)) }
            call("addReading diastolic above systolic") { record.addReading(bp(80, 120)) }
            call("addReading 0/0") { record.addReading(bp(0, 0)) }
            call("addReading glucose NaN") {
                record.addReading(bp(120, 80).copy(measurement = Measurement.Glucose(Double.NaN, MealContext.FASTING)))
            }
            call("addReading weight infinite") { record.addReading(bp(120, 80).copy(measurement = Measurement.Weight(Double.POSITIVE_INFINITY))) }
            call("addReading empty id") { record.addReading(bp(120, 80).copy(id = "")) }
            call("addReading same id") { record.addReading(bp(120, 80).copy(id = reading.id)) }
            call("addReadings one bad of two") { record.addReadings(listOf(bp(120, 80), bp(80, 120))) }
            call("recordReading huge note") { record.recordReading(bp(120, 80).copy(note = "\u0007$huge")) }
            call("updateReading unknown") { record.updateReading(bp(120, 80)) }
            call("editReading unknown") { val r = bp(120, 80); record.editReading(r, r) }
            call("deleteReading unknown") { record.deleteReading(newId()) }
            call("deleteReading empty") { record.deleteReading("") }
            call("readings bad cursor") { record.readings(ReadingQuery(range = TimeRange(), after = huge)) }
            call("readings bad range") { record.readings(ReadingQuery(range = TimeRange("nope", null))) }
            // Medications and doses.
            call("addMedication empty name") { record.addMedication(medication(name = "")) }
            call("addMedication invisible name") { record.addMedication(medication(name = invisible)) }
            call("addMedication huge name") { record.addMedication(medication(name = huge)) }
            call("addMedication NaN dose") { record.addMedication(medication(dose = DoseAmount(Double.NaN, "mg"))) }
            call("addMedication bad unit") { record.addMedication(medication(dose = DoseAmount(5.0, "qq"))) }
            call("addMedication bad start") { record.addMedication(medication().copy(start = "someday")) }
            call("addMedication bad time") { record.addMedication(medication().copy(schedule = Schedule.FixedTimes(listOf("25:00")))) }
            call("addMedication no times") { record.addMedication(medication().copy(schedule = Schedule.FixedTimes(emptyList()))) }
            call("addMedication bad zone") { record.addMedication(medication().copy(timeZone = TimeZonePolicy.Fixed("Mars/Base"))) }
            call("addMedicationChecked same name") { record.addMedicationChecked(medication(), false) }
            call("updateMedication unknown") { record.updateMedication(medication()) }
            call("updateMedicationChecked unknown") { record.updateMedicationChecked(medication(), true) }
            call("editMedication unknown") { val m = medication(); record.editMedication(m, m) }
            call("setMedicationStatus unknown") { record.setMedicationStatus(newId(), MedicationStatus.STOPPED) }
            call("medication empty id") { record.medication("") }
            call("logDose unknown medication") { record.logDose(dose(newId())) }
            call("logDose bad time") { record.logDose(dose(med.id, at = "later")) }
            call("logDose NaN amount") { record.logDose(dose(med.id, amount = DoseAmount(Double.NaN, "mg"))) }
            call("logDoseAnswering bad zone") { record.logDoseAnswering(dose(med.id), "Nowhere/City") }
            call("updateDose unknown") { record.updateDose(dose(med.id)) }
            call("deleteDose unknown") { record.deleteDose(newId()) }
            call("doseToAnswer bad zone") { record.doseToAnswer(med.id, now, "") }
            call("doseToAnswer bad now") { record.doseToAnswer(med.id, "now", "Europe/Berlin") }
            call("logRefill NaN") { record.logRefill(Refill(newId(), med.id, "2026-11-20T08:00:00+01:00", Double.NaN)) }
            call("logRefill negative") { record.logRefill(Refill(newId(), med.id, "2026-11-20T08:00:00+01:00", -5.0)) }
            call("logRefill unknown medication") { record.logRefill(Refill(newId(), newId(), "2026-11-20T08:00:00+01:00", 30.0)) }
            call("refillStatus bad zone") { record.refillStatus(now, "Europe/Nowhere") }
            call("missedDoses bad since") { record.missedDoses("", now, "Europe/Berlin") }
            call("planReminders bad zone") { record.planReminders(now, "", 48u, 64u) }
            call("planReminders bad now") { record.planReminders(huge, "Europe/Berlin", 48u, 64u) }
            call("adherence bad zone") { record.adherence(now, now, now, "Europe/Atlantis") }
            call("today bad zone") { record.today(now, "UTC+25") }
            call("recordDeviceZone bad zone") { record.recordDeviceZone("Mars/Olympus", now) }
            // Journal, appointments, plans, targets, profile.
            call("addJournalEntry empty") { record.addJournalEntry(JournalEntry(newId(), "2026-11-20T08:00:00+01:00", "", null, emptyList(), null, false)) }
            call("addJournalEntry mood 9") { record.addJournalEntry(JournalEntry(newId(), "2026-11-20T08:00:00+01:00", "ok", 9u, emptyList(), null, false)) }
            call("addJournalEntry huge") { record.addJournalEntry(JournalEntry(newId(), "2026-11-20T08:00:00+01:00", huge, null, emptyList(), null, false)) }
            call("updateJournalEntry unknown") { record.updateJournalEntry(JournalEntry(newId(), "2026-11-20T08:00:00+01:00", "ok", null, emptyList(), null, false)) }
            call("deleteJournalEntry unknown") { record.deleteJournalEntry(newId()) }
            call("addAppointment empty title") { record.addAppointment(Appointment(newId(), "2026-12-01T10:00:00+01:00", invisible, null, null, null)) }
            call("addAppointment year 9999") { record.addAppointment(Appointment(newId(), "9999-12-01T10:00:00+01:00", "Check-up", null, null, null)) }
            call("updateAppointment unknown") { record.updateAppointment(Appointment(newId(), "2026-12-01T10:00:00+01:00", "Check-up", null, null, null)) }
            call("deleteAppointment unknown") { record.deleteAppointment(newId()) }
            call("addMeasurementPlan no days") {
                record.addMeasurementPlan(MeasurementPlan(newId(), ReadingKind.BLOOD_PRESSURE, "2026-11-20", 0u, listOf("08:00"), null, null))
            }
            call("addMeasurementPlan bad start") {
                record.addMeasurementPlan(MeasurementPlan(newId(), ReadingKind.BLOOD_PRESSURE, "soon", 7u, listOf("08:00"), null, null))
            }
            call("deleteMeasurementPlan unknown") { record.deleteMeasurementPlan(newId()) }
            call("setProfile empty name") { record.setProfile(record.profile().copy(name = "")) }
            call("setProfile bad zone") { record.setProfile(record.profile().copy(homeTimeZone = "Berlin")) }
            call("setProfile future birth") { record.setProfile(record.profile().copy(birthDate = "2999-01-01")) }
            call("editProfile bad zone") { val p = record.profile(); record.editProfile(p, p.copy(homeTimeZone = huge)) }
            call("setTargets NaN fever") { record.setTargets(record.targets().copy(feverThresholdC = Double.NaN)) }
            call("setTargets fever 45") { record.setTargets(record.targets().copy(feverThresholdC = 45.0)) }
            call("acknowledgeAlert unknown") { record.acknowledgeAlert(newId(), "Bo") }
            // Journeys and questionnaires.
            call("startJourney unknown") { record.startJourney("no-such-template", now) }
            call("startJourney bad time") { record.startJourney("hypertension-12w", "") }
            call("stopJourney unknown") { record.stopJourney(newId(), now) }
            call("markTaskDone unknown") { record.markTaskDone(newId(), "t", now) }
            call("readCard unknown") { record.readCard(newId(), "c", now) }
            call("answerQuestionnaire unknown") { record.answerQuestionnaire("nope", emptyList(), now) }
            call("answerQuestionnaire no answers") { record.answerQuestionnaire("phq2", emptyList(), now) }
            call("addTemplate not JSON") { record.addTemplate("{") }
            call("addTemplate huge") { record.addTemplate(huge) }
            call("advanceJourneys bad now") { record.advanceJourneys("") }
            // Replicas, documents, files.
            call("mergeReplica foreign") { record.mergeReplica(foreignReplica) }
            call("mergeReplica garbage") { record.mergeReplica(ByteArray(1000) { it.toByte() }) }
            call("mergeReplica empty") { record.mergeReplica(ByteArray(0)) }
            call("applyChanges foreign document") { record.applyChanges("record", foreignDoc) }
            call("applyChanges garbage") { record.applyChanges("record", byteArrayOf(1, 2, 3)) }
            call("applyChanges bad name") { record.applyChanges("../etc", byteArrayOf()) }
            call("applyRemoteChanges garbage") { record.applyRemoteChanges("record", listOf(byteArrayOf(9, 9))) }
            call("exportDocument bad name") { record.exportDocument("log/2026-13") }
            call("heads bad name") { record.heads("nope") }
            call("changesSince bad head") { record.changesSince("record", listOf("zz")) }
            call("writeReplicaExport into the record") { record.writeReplicaExport(path) }
            call("writeReport no folder") { record.writeReport(dir.resolve("no/such/r.html").toString(), now, now, "Europe/Berlin", null) }
            call("writeReport bad zone") { record.writeReport(dir.resolve("r.html").toString(), now, now, "", null) }
            call("stats bad zone") { record.stats(now, now, "x") }
            call("series bad from") { record.series(ReadingKind.BLOOD_PRESSURE, "", now, 100u) }
            // Sharing, offline or not shared.
            call("sync not shared") { record.sync(Nowhere, null) }
            call("invite unreachable") { record.invite(Role.CAREGIVER, null, 72u, "http://127.0.0.1:9", Nowhere) }
            call("invite bad relay") { record.invite(Role.CAREGIVER, null, 72u, "ftp://x", Nowhere) }
            call("removeMember not shared") { record.removeMember("abcd", Nowhere) }
            call("leave not shared") { record.leave(Nowhere) }
            call("members not shared") { record.members() }
            // Free functions.
            call("parseDose empty") { parseDose("") }
            call("parseDose huge") { parseDose(huge) }
            call("defaultProfile bad zone") { defaultProfile("Ana", "Nowhere") }
            call("defaultProfile empty name") { defaultProfile(invisible, "Europe/Berlin") }
            call("homeBloodPressurePlan bad date") { homeBloodPressurePlan("2026-02-30") }

            val notRefused = mutableListOf<String>()
            for ((name, f) in calls) {
                try {
                    f()
                    notRefused.add(name)
                } catch (e: CompanionException) {
                    // A typed refusal: what the app shows.
                    assertTrue(e.message.orEmpty().length < 2_000, "$name: a short message")
                } catch (e: InternalException) {
                    fail("$name panicked across the FFI: ${e.message}")
                }
            }
            assertEquals(emptyList(), notRefused, "calls that were not refused")
            assertEquals(before, record.exportJson(), "nothing was written")
            val check = record.checkFull()
            assertTrue(check.integrity.isEmpty() && check.badChecksums == 0uL, "$check")
        }
        other.close()
    }
}
