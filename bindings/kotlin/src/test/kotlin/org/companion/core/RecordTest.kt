package org.companion.core

import java.nio.file.Files
import java.nio.file.Path
import kotlin.test.AfterTest
import kotlin.test.BeforeTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** Drives the generated Kotlin bindings against the real Rust library and real SQLite files. */
class RecordTest {
    private lateinit var dir: Path

    @BeforeTest
    fun setUp() {
        dir = Files.createTempDirectory("companion-kt")
    }

    @AfterTest
    fun tearDown() {
        dir.toFile().deleteRecursively()
    }

    private fun newRecord(name: String = "record.db"): HealthRecord =
        HealthRecord.create(dir.resolve(name).toString(), keysOf(dir.resolve(name).toString()), defaultProfile("Ana", "Europe/Berlin"))

    private fun bp(systolic: Int, diastolic: Int, at: String, pulse: Int? = null) = Reading(
        id = newId(),
        measurement = Measurement.BloodPressure(systolic.toUShort(), diastolic.toUShort(), pulse?.toUShort()),
        at = at,
        enteredUnit = null,
        source = ReadingSource.Manual,
        note = null,
        loggedBy = null,
    )

    private fun metformin() = Medication(
        id = newId(),
        name = "Metformin",
        strength = "500 mg",
        form = MedicationForm.TABLET,
        dose = parseDose("500 mg"),
        instructions = "with food",
        prescriber = null,
        start = "2026-01-01",
        end = null,
        status = MedicationStatus.ACTIVE,
        inventory = Inventory(60.0, "2026-01-01T07:00:00+01:00", 1.0),
        refillDaysAhead = 3u,
        recordedAt = null,
        schedule = Schedule.FixedTimes(listOf("08:00", "20:00")),
        timeZone = TimeZonePolicy.Local,
        graceMinutes = 60u,
        lateDose = LateDosePolicy.HalfInterval,
    )

    @Test
    fun opensARecordAndKeepsTheProfile() {
        val path = dir.resolve("record.db").toString()
        val id = newRecord().use { record ->
            val profile = record.profile().let { it.copy(conditions = listOf("hypertension"), units = it.units.copy(glucose = GlucoseUnit.MMOL_L)) }
            record.setProfile(profile)
            record.id()
        }
        HealthRecord.open(path, keysOf(path)).use { record ->
            assertEquals(id, record.id())
            assertEquals(listOf("hypertension"), record.profile().conditions)
            assertEquals(GlucoseUnit.MMOL_L, record.profile().units.glucose)
        }
        assertFailsWith<CompanionException.NoRecord> { HealthRecord.open(dir.resolve("missing.db").toString(), keysOf(dir.resolve("missing.db").toString())) }
        assertFailsWith<CompanionException.RecordExists> { HealthRecord.create(path, keysOf(path), defaultProfile("Ana", "Europe/Berlin")) }
    }

    @Test
    fun addsAndListsReadings() {
        newRecord().use { record ->
            val first = bp(142, 91, "2026-11-20T08:00:00+01:00", pulse = 72)
            val second = bp(128, 82, "2026-11-21T08:00:00+01:00")
            val glucose = Reading(
                id = newId(),
                measurement = Measurement.Glucose(6.2 * 18.016, MealContext.FASTING),
                at = "2026-11-21T07:00:00+01:00",
                enteredUnit = "mmol/L",
                source = ReadingSource.Manual,
                note = "before breakfast",
                loggedBy = "Ana",
            )
            assertEquals(first.id, record.addReading(first))
            record.addReadings(listOf(second, glucose))

            val bps = record.readings(ReadingQuery(kind = ReadingKind.BLOOD_PRESSURE, range = TimeRange()))
            assertEquals(listOf(second, first), bps.readings)
            assertNull(bps.next)
            assertEquals(glucose, record.reading(glucose.id))
            val mmol = record.profile().units.copy(glucose = GlucoseUnit.MMOL_L)
            assertEquals("6.2 mmol/L (fasting)", formatMeasurement(glucose.measurement, mmol))

            // Paging.
            val page = record.readings(ReadingQuery(range = TimeRange(), limit = 2u))
            assertEquals(2, page.readings.size)
            val rest = record.readings(ReadingQuery(range = TimeRange(), limit = 2u, after = page.next))
            assertEquals(1, rest.readings.size)

            // Time range.
            val day = record.readings(ReadingQuery(range = TimeRange("2026-11-21T00:00:00+01:00", "2026-11-22T00:00:00+01:00")))
            assertEquals(setOf(second.id, glucose.id), day.readings.map { it.id }.toSet())

            // Correct, then delete.
            record.updateReading(first.copy(note = "left arm"))
            assertEquals("left arm", record.reading(first.id).note)
            record.deleteReading(first.id)
            assertFailsWith<CompanionException.NotFound> { record.reading(first.id) }
        }
    }

    @Test
    fun aBadValueRaisesTheTypedErrorAndStoresNothing() {
        newRecord().use { record ->
            val e = assertFailsWith<CompanionException.InvalidInput> { record.addReading(bp(400, 91, "2026-11-20T08:00:00+01:00")) }
            assertEquals("systolic", e.field)
            assertTrue(e.reason.contains("between 50 and 300 mmHg"), e.reason)
            assertFalse(e.reason.contains("400"), "no entered value in the message")

            assertFailsWith<CompanionException.InvalidInput> { record.addReading(bp(120, 130, "2026-11-20T08:00:00+01:00")) }
            val weight = bp(120, 80, "2026-11-20T08:00:00+01:00").copy(measurement = Measurement.Weight(2000.0))
            assertFailsWith<CompanionException.InvalidInput> { record.addReading(weight) }
            val time = assertFailsWith<CompanionException.InvalidInput> { record.addReading(bp(120, 80, "yesterday")) }
            assertEquals("time", time.field)
            // A batch with one bad reading stores none, and says which one it was.
            val batch = assertFailsWith<CompanionException.InvalidInput> {
                record.addReadings(listOf(bp(120, 80, "2026-11-20T08:00:00+01:00"), weight))
            }
            assertEquals(1u, batch.item)
            assertEquals("weight", batch.field)
            assertEquals(0, record.readings(ReadingQuery(range = TimeRange())).readings.size)

            assertFailsWith<CompanionException.InvalidInput> { defaultProfile("Ana", "Europe/Atlantis") }
            assertFailsWith<CompanionException.InvalidInput> { parseDose("lots") }
            assertFailsWith<CompanionException.InvalidInput> { record.readings(ReadingQuery(range = TimeRange(), after = "not-a-cursor")) }
        }
    }

    @Test
    fun addsListsAndChangesMedicationsAndDoses() {
        newRecord().use { record ->
            val med = metformin()
            record.addMedication(med)
            val prn = metformin().copy(name = "Paracetamol", schedule = Schedule.AsNeeded(AsNeededLimits(4u, 360u)))
            record.addMedication(prn)
            val taper = metformin().copy(
                name = "Prednisolone",
                schedule = Schedule.Tapering(listOf(TaperStep(7u, parseDose("40 mg"), listOf("08:00")), TaperStep(7u, parseDose("20 mg"), listOf("08:00")))),
                timeZone = TimeZonePolicy.Fixed("Europe/Berlin"),
            )
            record.addMedication(taper)
            assertEquals(listOf("Metformin", "Paracetamol", "Prednisolone"), record.medications(false).map { it.name })
            assertEquals(taper, record.medication(taper.id))

            record.updateMedication(med.copy(dose = parseDose("1000 mg")))
            assertEquals(1000.0, record.medication(med.id).dose.amount)

            // Two copies read at the same time, edited in different fields: both edits stay.
            val seenByPatient = record.medication(med.id)
            val seenByClinician = record.medication(med.id)
            record.editMedication(seenByClinician, seenByClinician.copy(dose = parseDose("850 mg")))
            val edited = record.editMedication(seenByPatient, seenByPatient.copy(instructions = "with breakfast"))
            assertEquals(850.0, edited.dose.amount)
            assertEquals("with breakfast", edited.instructions)
            assertEquals(2, edited.history.size, "each dose change keeps the schedule it replaced")

            val profile = record.profile()
            record.editProfile(profile, profile.copy(allergies = listOf("penicillin")))
            record.editProfile(profile, profile.copy(conditions = listOf("hypertension")))
            assertEquals(listOf("penicillin"), record.profile().allergies)
            assertEquals(listOf("hypertension"), record.profile().conditions)
            assertEquals(MedicationStatus.STOPPED, record.setMedicationStatus(prn.id, MedicationStatus.STOPPED).status)
            assertEquals(2, record.medications(false).size)
            assertEquals(3, record.medications(true).size)

            val badTimes = metformin().copy(schedule = Schedule.FixedTimes(listOf("25:00")))
            assertFailsWith<CompanionException.InvalidInput> { record.addMedication(badTimes) }
            val badZone = metformin().copy(timeZone = TimeZonePolicy.Fixed("Mars/Olympus"))
            assertFailsWith<CompanionException.InvalidInput> { record.addMedication(badZone) }

            val dose = DoseEvent(newId(), med.id, "2026-11-23T08:00:00+01:00", DoseStatus.TAKEN, "2026-11-23T08:12:00+01:00", null, "Ben", null, null, false)
            record.logDose(dose)
            assertEquals(listOf(dose), record.doses(med.id, null, null))
            val orphan = dose.copy(id = newId(), medicationId = "nope")
            assertFailsWith<CompanionException.NotFound> { record.logDose(orphan) }
            // The same scheduled dose again: refused, naming who logged it and when.
            val again = dose.copy(id = newId(), at = "2026-11-23T08:40:00+01:00", loggedBy = "Ana")
            val refused = assertFailsWith<CompanionException.DoseAlreadyTaken> { record.logDose(again) }
            assertEquals("Ben", refused.loggedBy)
            assertEquals("2026-11-23T08:12:00+01:00", refused.at)
            record.logDose(again.copy(confirmedDouble = true))
            assertEquals(2, record.doses(med.id, null, null).size)
        }
    }

    @Test
    fun journalAppointmentsAndSyncBytes() {
        newRecord().use { phone ->
            // A caregiver's replica of the record, joined while it was still empty.
            val caregiverPath = dir.resolve("caregiver.db").toString()
            HealthRecord.join(caregiverPath, keysOf(caregiverPath), phone.replicaExport()).close()
            phone.addJournalEntry(JournalEntry(newId(), "2026-11-23T21:00:00+01:00", "Slept well", 4u, listOf("none"), null, true))
            assertFailsWith<CompanionException.InvalidInput> {
                phone.addJournalEntry(JournalEntry(newId(), "2026-11-23T21:00:00+01:00", "x", 9u, emptyList(), null, false))
            }
            phone.addAppointment(Appointment(newId(), "2026-12-01T10:00:00+01:00", "Check-up", "Dr. Lee", null, null))
            val reading = bp(150, 95, "2026-11-23T08:00:00+01:00")
            phone.addReading(reading)

            HealthRecord.open(caregiverPath, keysOf(caregiverPath)).use { caregiver ->
                for (doc in phone.documents()) {
                    val report = caregiver.applyChanges(doc, phone.exportDocument(doc))
                    assertTrue(report.changed)
                }
                assertEquals(reading, caregiver.reading(reading.id))
                assertEquals(1, caregiver.journal(null, null).size)
                assertEquals("Check-up", caregiver.appointments(null, null).single().title)
                // Then one new reading travels as one change, against the caregiver's heads.
                val later = bp(131, 84, "2026-11-24T08:00:00+01:00")
                phone.addReading(later)
                val changes = phone.changesSince("log/2026-11", caregiver.heads("log/2026-11"))
                assertEquals(1, changes.size)
                val applied = caregiver.applyRemoteChanges("log/2026-11", changes)
                assertTrue(applied.changed)
                assertEquals(0uL, applied.pending)
                assertEquals(later, caregiver.reading(later.id))
                assertEquals(phone.heads("log/2026-11"), caregiver.heads("log/2026-11"))
                assertFailsWith<CompanionException.InvalidSyncData> { caregiver.applyRemoteChanges("log/2026-11", listOf(byteArrayOf(1, 2, 3))) }
                assertFailsWith<CompanionException.InvalidSyncData> { caregiver.applyChanges("log/2026-11", byteArrayOf(1, 2, 3)) }
                assertFailsWith<CompanionException.InvalidSyncData> { caregiver.applyChanges("../../etc", byteArrayOf()) }
            }
            assertTrue(phone.exportJson().contains(reading.id))
        }
    }

    @Test
    fun replicaExportJoinAndMerge() {
        newRecord().use { phone ->
            phone.addReading(bp(142, 91, "2026-11-20T08:00:00+01:00"))
            val exportPath = dir.resolve("ana.replica").toString()
            phone.writeReplicaExport(exportPath)
            HealthRecord.join(dir.resolve("clinic.db").toString(), keysOf(dir.resolve("clinic.db").toString()), Files.readAllBytes(Path.of(exportPath))).use { clinic ->
                assertEquals(phone.id(), clinic.id())
                assertEquals("Ana", clinic.profile().name)
                // Both write offline in a month new to both, then merge each other's export.
                val fromPhone = bp(130, 85, "2026-10-02T08:00:00+02:00")
                val fromClinic = bp(128, 80, "2026-10-02T10:00:00+02:00")
                phone.addReading(fromPhone)
                clinic.addReading(fromClinic)
                val report = clinic.mergeReplica(phone.replicaExport())
                assertEquals(1uL, report.added)
                assertEquals(1uL, phone.mergeReplica(clinic.replicaExport()).added)
                assertEquals(0uL, phone.mergeReplica(clinic.replicaExport()).documents, "idempotent")
                for (r in listOf(phone, clinic)) {
                    assertEquals(fromClinic, r.reading(fromClinic.id))
                    assertEquals(fromPhone, r.reading(fromPhone.id))
                }
                assertEquals(phone.exportJson(), clinic.exportJson())
                // The same evening dose logged on both, offline: one alert after the merge.
                val med = metformin()
                phone.addMedication(med)
                clinic.mergeReplica(phone.replicaExport())
                val evening = "2026-11-20T20:00:00+01:00"
                phone.logDose(DoseEvent(newId(), med.id, evening, DoseStatus.TAKEN, "2026-11-20T20:05:00+01:00", null, "Ana", null, null, false))
                clinic.logDose(DoseEvent(newId(), med.id, evening, DoseStatus.TAKEN, "2026-11-20T20:12:00+01:00", null, "Ben", null, null, false))
                assertEquals(1uL, phone.mergeReplica(clinic.replicaExport()).alertsRaised)
                assertEquals(0uL, clinic.mergeReplica(phone.replicaExport()).alertsRaised)
                for (r in listOf(phone, clinic)) {
                    val doubles = r.alerts(null, null).filter { it.kind == AlertKind.DOSE_LOGGED_TWICE }
                    assertEquals(1, doubles.size)
                    assertEquals(2, doubles.single().doseIds.size)
                }
            }
            // Another patient's export, a truncated one, junk: refused, nothing written.
            newRecord("stranger.db").use { stranger ->
                assertFailsWith<CompanionException.OtherRecord> { phone.mergeReplica(stranger.replicaExport()) }
            }
            val good = phone.replicaExport()
            assertFailsWith<CompanionException.InvalidReplicaFile> { phone.mergeReplica(good.copyOf(good.size - 5)) }
            assertFailsWith<CompanionException.InvalidReplicaFile> {
                HealthRecord.join(dir.resolve("never.db").toString(), keysOf(dir.resolve("never.db").toString()), byteArrayOf(1, 2, 3))
            }
            assertFalse(Files.exists(dir.resolve("never.db")), "no file is created")
            assertEquals(good.size, phone.replicaExport().size)
        }
    }
}

private fun assertFalse(value: Boolean, message: String) = kotlin.test.assertFalse(value, message)
