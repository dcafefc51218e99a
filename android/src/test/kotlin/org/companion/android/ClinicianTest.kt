package org.companion.android

import android.app.AlarmManager
import android.app.Application
import java.time.Instant
import java.time.temporal.ChronoUnit
import java.util.TimeZone
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.companion.core.Device
import org.companion.core.HealthRecord
import org.companion.core.LateDosePolicy
import org.companion.core.Medication
import org.companion.core.MedicationForm
import org.companion.core.MedicationStatus
import org.companion.core.Role
import org.companion.core.Schedule
import org.companion.core.TimeZonePolicy
import org.companion.core.defaultProfile
import org.companion.core.newId
import org.companion.core.parseDose
import org.junit.After
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.shadows.ShadowAlarmManager

/**
 * The patient's app with three medications, shared with the clinic through a real relay: a dose
 * time the clinician changes arrives by the app's background sync and moves exactly that
 * medication's alarms.
 */
@RunWith(RobolectricTestRunner::class)
class ClinicianTest {
    private lateinit var app: Application
    private lateinit var relay: TestRelay
    private lateinit var clinic: HealthRecord
    private val zone = "Asia/Shanghai"

    private fun med(name: String, vararg times: String) = Medication(
        id = newId(), name = name, form = MedicationForm.TABLET, dose = parseDose("1 tablet"),
        start = "2026-01-01", status = MedicationStatus.ACTIVE, refillDaysAhead = 3u,
        schedule = Schedule.FixedTimes(times.toList()), timeZone = TimeZonePolicy.Local,
        graceMinutes = 60u, lateDose = LateDosePolicy.HalfInterval,
        recordedAt = Instant.now().minus(2, ChronoUnit.DAYS).toString(),
    )

    private val metformin = med("Metformin", "08:00", "20:00")
    private val amlodipine = med("Amlodipine", "07:00")
    private val atorvastatin = med("Atorvastatin", "21:00")

    @Before
    fun setUp() {
        TimeZone.setDefault(TimeZone.getTimeZone(zone))
        relay = TestRelay()
        app = RuntimeEnvironment.getApplication()
        App.reset()
        Background.reset()
        val keys = TestKeys()
        App.keyStore = { keys }
        // Receivers' work runs at once, in order, instead of on a thread of its own.
        App.io = { it() }
        App.clock = { Instant.now() }
        ShadowAlarmManager.setCanScheduleExactAlarms(true)
        App.device(app).create(defaultProfile("Mei", zone)).use { mei ->
            for (m in listOf(metformin, amlodipine, atorvastatin)) mei.addMedication(m)
            val code = mei.invite(Role.CLINICIAN, "Dr. Lee", 1u, relay.url, HttpsTransport()).code
            clinic = Device.open(relay.dir.resolve("clinic").toString(), TestKeys()).join(code, null, HttpsTransport(), null)
        }
    }

    @After
    fun tearDown() {
        Background.reset()
        App.reset()
        clinic.close()
        relay.close()
    }

    @Test
    fun aDoseTimeTheClinicianChangesMovesOnlyItsAlarms() {
        Reminders(app).replan()
        val alarms = shadowOf(app.getSystemService(AlarmManager::class.java))
        val before = alarms.scheduledAlarms.map { Alarm.from(shadowOf(it.operation).savedIntent)!! }
        assertTrue(before.any { atorvastatin.id in it.medications })

        clinic.updateMedication(atorvastatin.copy(schedule = Schedule.FixedTimes(listOf("22:00"))))
        clinic.sync(HttpsTransport(), null)
        val synced = Background.syncOnce(app, 30u)
        assertEquals(listOf(atorvastatin.id), synced.single().medicationsChanged.map { it.id })
        val applied = Background.lastApplied!!
        assertTrue(applied.set.isNotEmpty() && applied.cancelled.isNotEmpty(), "$applied")
        val after = alarms.scheduledAlarms.map { Alarm.from(shadowOf(it.operation).savedIntent)!! }
        val moved = (applied.set + applied.cancelled).toSet()
        for (alarm in before + after) {
            val key = "${alarm.record}/${alarm.id}"
            assertEquals(atorvastatin.id in alarm.medications, key in moved, key)
        }
        assertTrue(after.filter { atorvastatin.id in it.medications }.all {
            java.time.Instant.ofEpochMilli(it.fireAtMillis).atZone(java.time.ZoneId.of(zone)).hour >= 22
        }, "22:00, and its missed-dose reminder after")
    }
}
