package org.companion.core

import java.nio.file.Files
import java.nio.file.Path
import java.time.OffsetDateTime
import kotlin.test.AfterTest
import kotlin.test.BeforeTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** Classification, alerts, targets, statistics, series and the report, through the bindings. */
class ClinicalTest {
    private lateinit var dir: Path
    private lateinit var record: HealthRecord

    @BeforeTest
    fun setUp() {
        dir = Files.createTempDirectory("companion-kt-clinical")
        record = HealthRecord.create(dir.resolve("r.db").toString(), keysOf(dir.resolve("r.db").toString()), defaultProfile("Ana", "America/New_York"))
    }

    @AfterTest
    fun tearDown() {
        record.close()
        dir.toFile().deleteRecursively()
    }

    private fun reading(m: Measurement, at: String) = Reading(newId(), m, at, null, ReadingSource.Manual, null, null)
    private fun bp(s: Int, d: Int, at: String) = reading(Measurement.BloodPressure(s.toUShort(), d.toUShort(), null), at)

    @Test
    fun classifiesAtTheGuidelineBoundaries() {
        fun acc(s: Int, d: Int) = classifyBloodPressure(s.toUShort(), d.toUShort(), BpGuideline.ACC_AHA2017, BpSetting.OFFICE).category
        fun esh(s: Int, d: Int) = classifyBloodPressure(s.toUShort(), d.toUShort(), BpGuideline.ESH2023, BpSetting.OFFICE).category
        assertEquals(BpCategory.NORMAL, acc(119, 79))
        assertEquals(BpCategory.ELEVATED, acc(120, 79))
        assertEquals(BpCategory.STAGE1, acc(129, 80))
        assertEquals(BpCategory.STAGE2, acc(140, 90))
        assertEquals(BpCategory.OPTIMAL, esh(119, 79))
        assertEquals(BpCategory.HIGH_NORMAL, esh(130, 79))
        assertEquals(BpCategory.GRADE1, esh(140, 90))
        assertTrue(classifyBloodPressure(180u, 120u, BpGuideline.ESH2023, BpSetting.HOME).crisis)
        val targets = record.targets()
        assertEquals(BpGuideline.ACC_AHA2017, targets.bpGuideline, "America/New_York")
        assertEquals(Hypoglycaemia.LEVEL2, classifyGlucose(53.9, MealContext.RANDOM, targets.glucose).hypoglycaemia)
        assertEquals(Hypoglycaemia.LEVEL1, classifyGlucose(54.0, MealContext.RANDOM, targets.glucose).hypoglycaemia)
        assertEquals(RangeBand.HIGH, classifyGlucose(180.1, MealContext.RANDOM, targets.glucose).band)
        assertEquals(TargetStatus.ABOVE, classifyGlucose(180.0, MealContext.AFTER_MEAL, targets.glucose).target)
    }

    @Test
    fun urgentReadingsRaiseAlertsAndTargetsNeedAnAuthor() {
        val outcome = record.recordReading(bp(186, 104, "2026-11-20T08:00:00-05:00"))
        val assessment = outcome.assessment as Assessment.BloodPressure
        assertTrue(assessment.v1.crisis)
        val alert = outcome.alerts.single()
        assertEquals(AlertKind.HYPERTENSIVE_CRISIS, alert.kind)
        val units = record.profile().units
        val english = renderAlert(alert, Language.ENGLISH, units)
        assertTrue(english.advice.contains("call emergency services"))
        assertEquals("186/104 mmHg", english.value)
        // The same stored alert reads in Chinese for a Chinese reader.
        val chinese = renderAlert(alert, Language.SIMPLIFIED_CHINESE, units)
        assertEquals("血压非常高", chinese.title)
        assertTrue(chinese.source.contains("美国心脏协会"))
        assertEquals(listOf(alert), record.alerts(null, null))
        assertEquals(listOf(alert), record.today("2026-11-20T08:01:00-05:00", "America/New_York").alerts)
        // A better but still high reading: the alert stays, improving, with that reading.
        record.addReading(bp(150, 94, "2026-11-20T09:00:00-05:00"))
        val shown = record.today("2026-11-21T08:00:00-05:00", "America/New_York").alerts.single()
        assertEquals(AlertCourse.IMPROVING, alertCourse(shown))
        assertEquals(Measurement.BloodPressure(150u, 94u, null), shown.followUp?.value)
        assertTrue(renderAlert(shown, Language.ENGLISH, units).course!!.startsWith("Improving: 150/94 mmHg"))
        assertEquals("Ben", record.acknowledgeAlert(alert.id, "Ben").acknowledgedBy)
        assertEquals(AlertCourse.SEEN, alertCourse(record.alerts(null, null).single()))
        assertTrue(record.today("2026-11-21T08:00:00-05:00", "America/New_York").alerts.isEmpty())

        val t = record.targets().copy(feverThresholdC = 38.0)
        assertFailsWith<CompanionException.InvalidInput> { record.setTargets(t) }
        record.setTargets(t.copy(setBy = "Dr. Lee"))
        assertNotNull(record.targets().setAt)
        val fever = record.recordReading(reading(Measurement.Temperature(38.2), "2026-11-20T09:00:00-05:00"))
        assertEquals(AlertKind.FEVER, fever.alerts.single().kind)
    }

    @Test
    fun statsSeriesAndTheReport() {
        val start = OffsetDateTime.parse("2026-11-01T07:00:00-05:00")
        val readings = (0 until 20).flatMap { d ->
            listOf(
                bp(130 + d % 7, 80 + d % 5, start.plusDays(d.toLong()).toString()),
                bp(135 + d % 3, 84, start.plusDays(d.toLong()).plusHours(12).toString()),
                reading(Measurement.Glucose(100.0 + d * 3, MealContext.FASTING), start.plusDays(d.toLong()).plusMinutes(30).toString()),
            )
        }
        record.addReadings(readings)
        val stats = record.stats("2026-11-01T00:00:00-05:00", "2026-11-21T00:00:00-05:00", "America/New_York")
        val bpSummary = stats.summaries.first { it.kind == ReadingKind.BLOOD_PRESSURE }
        assertEquals(40uL, bpSummary.count)
        val home = assertNotNull(stats.homeBp)
        assertTrue(home.sufficient)
        // Fingersticks are shown by meal context; the CGM metrics need sensor readings.
        assertNull(stats.glucose)
        val fasting = stats.fingersticks.single()
        assertEquals(MealContext.FASTING, fasting.context)
        assertEquals(20uL, fasting.count)
        assertEquals(100.0 + 19 * 3, fasting.maxMgDl, 1e-9)
        // Both values' range of a blood pressure.
        assertEquals(130.0, bpSummary.min, 1e-9)
        assertEquals(80.0, assertNotNull(bpSummary.minSecondary), 1e-9)
        assertEquals(84.0, assertNotNull(bpSummary.maxSecondary), 1e-9)
        val series = record.series(ReadingKind.BLOOD_PRESSURE, "2026-11-01T00:00:00-05:00", "2026-11-21T00:00:00-05:00", 10u)
        assertTrue(series.size in 5..10)
        assertTrue(series.zipWithNext().all { (a, b) -> a.tMs < b.tMs })

        val path = dir.resolve("report.html").toString()
        record.writeReport(path, "2026-11-01T00:00:00-05:00", "2026-11-21T00:00:00-05:00", "America/New_York", Language.SIMPLIFIED_CHINESE)
        val html = Files.readString(Path.of(path))
        assertTrue(html.contains("健康报告") && html.contains("<svg"))
        assertFailsWith<CompanionException.InvalidInput> { record.stats("yesterday", "today", "America/New_York") }
    }
}
