package org.companion.core

import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import java.time.temporal.ChronoUnit
import kotlin.test.AfterTest
import kotlin.test.BeforeTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/**
 * A shell's Health Connect reader handing samples to the core: the platform's codes mapped by
 * the core, all or nothing, a second import adding nothing, old lows kept as history, progress
 * told.
 */
class ImportTest {
    private lateinit var dir: Path

    @BeforeTest
    fun setUp() {
        dir = Files.createTempDirectory("companion-kt-import")
    }

    @AfterTest
    fun tearDown() {
        dir.toFile().deleteRecursively()
    }

    private class Counter : ImportProgress {
        val seen = mutableListOf<Pair<ULong, ULong>>()
        override fun onProgress(done: ULong, total: ULong) {
            synchronized(seen) { seen.add(done to total) }
        }
    }

    /** A glucose as a Health Connect BloodGlucoseRecord says it. */
    private fun glucose(id: String, at: String, mgDl: Double, relationToMeal: Int, specimenSource: Int) = Sample(
        measurement = Measurement.Glucose(mgDl, healthConnectMealContext(relationToMeal)),
        at = at,
        enteredUnit = null,
        system = "health-connect:com.roche.mysugr",
        externalId = id,
        note = null,
        sensorIntervalMinutes = if (healthConnectIsSensor(specimenSource)) 5u else null,
    )

    @Test
    fun healthConnectSamplesAreImportedOnceAndOldLowsNotifyNoOne() {
        val path = dir.resolve("record.db").toString()
        HealthRecord.create(path, keysOf(path), defaultProfile("Ana", "Europe/Berlin")).use { record ->
            val now = Instant.now()
            val old = now.minus(200, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString()
            val recent = now.minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString()
            val samples = listOf(
                glucose("hc-1", old, 48.0, 2, 2),
                glucose("hc-2", recent, 112.0, 2, 2),
                glucose("hc-3", recent.replace(":00Z", ":30Z"), 171.0, 0, 1),
            )
            val progress = Counter()
            val report = record.importReadings(samples, progress)
            assertEquals(ImportReport(3uL, 0uL, 0uL, 1uL), report)
            assertTrue(progress.seen.isNotEmpty() && progress.seen.last() == (3uL to 3uL), "${progress.seen}")
            val stored = record.readings(ReadingQuery(kind = ReadingKind.GLUCOSE, range = TimeRange())).readings
            assertEquals(3, stored.size)
            assertEquals(1, stored.count { it.sensorIntervalMinutes == 5.toUShort() })
            assertTrue(stored.any { (it.measurement as Measurement.Glucose).context == MealContext.FASTING })
            assertTrue(record.today(Instant.now().toString(), "Europe/Berlin").alerts.isEmpty(), "an old low notifies no one")
            assertEquals(ImportReport(0uL, 3uL, 0uL, 0uL), record.importReadings(samples, null))
            // A bad sample refuses the whole import.
            val bad = samples + Sample(Measurement.Weight(2000.0), recent, null, "health-connect:x", "hc-4", null, null)
            assertFailsWith<CompanionException> { record.importReadings(bad, null) }
            assertEquals(3, record.readings(ReadingQuery(range = TimeRange())).readings.size)
        }
    }

    @Test
    fun healthKitMealTimesAreTheCoresToMap() {
        assertEquals(MealContext.BEFORE_MEAL, healthkitMealContext(1))
        assertEquals(MealContext.AFTER_MEAL, healthkitMealContext(2))
        assertEquals(MealContext.RANDOM, healthkitMealContext(null))
        assertEquals(MealContext.AFTER_MEAL, healthConnectMealContext(4))
    }
}
