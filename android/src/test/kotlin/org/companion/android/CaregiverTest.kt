package org.companion.android

import android.app.AlarmManager
import android.app.Application
import android.app.NotificationManager
import android.app.job.JobScheduler
import java.time.Instant
import java.time.temporal.ChronoUnit
import java.util.TimeZone
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.companion.core.Device
import org.companion.core.HealthRecord
import org.companion.core.LateDosePolicy
import org.companion.core.Measurement
import org.companion.core.Medication
import org.companion.core.MedicationForm
import org.companion.core.MedicationStatus
import org.companion.core.NotificationKind
import org.companion.core.Reading
import org.companion.core.ReadingSource
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
 * A caregiver's app, sharing Mei's record through a real relay process on loopback (the CLI's
 * `companion serve`), synced by the app's background sync over its HTTP transport: it is told
 * of Mei's dose not logged, never "take your dose", and an urgent reading Mei logged raises the
 * urgent channel's notification.
 */
@RunWith(RobolectricTestRunner::class)
class CaregiverTest {
    private lateinit var app: Application
    private lateinit var relay: TestRelay
    private lateinit var mei: HealthRecord
    private val zone = "Asia/Shanghai"

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

        // Mei's own phone (another device, in this process), sharing her record.
        mei = Device.open(relay.dir.resolve("mei").toString(), TestKeys()).create(defaultProfile("Mei", zone))
        mei.addMedication(
            Medication(
                id = newId(), name = "Metformin", form = MedicationForm.TABLET, dose = parseDose("500 mg"),
                start = "2026-01-01", status = MedicationStatus.ACTIVE, refillDaysAhead = 3u,
                schedule = Schedule.FixedTimes(listOf("08:00")), timeZone = TimeZonePolicy.Local,
                graceMinutes = 60u, lateDose = LateDosePolicy.HalfInterval,
                recordedAt = Instant.now().minus(2, ChronoUnit.DAYS).toString(),
            ),
        )
        val code = mei.invite(Role.CAREGIVER, "Li (son)", 1u, relay.url, HttpsTransport()).code
        App.device(app).join(code, "Li", HttpsTransport(), null).close()
    }

    @After
    fun tearDown() {
        Background.reset()
        App.reset()
        mei.close()
        relay.close()
    }

    private val alarms get() = shadowOf(app.getSystemService(AlarmManager::class.java))

    /** Fires the set alarm of the planned notification `kind`; returns what was shown. */
    private fun fire(kind: NotificationKind): android.app.Notification {
        val scheduled = alarms.scheduledAlarms.map { it to shadowOf(it.operation).savedIntent }
        val (_, intent) = scheduled.first { (_, intent) -> Alarm.from(intent)!!.kind == kind.name }
        AlarmReceiver().onReceive(app, intent)
        val alarm = Alarm.from(intent)!!
        return shadowOf(app.getSystemService(NotificationManager::class.java))
            .getNotification(Notifications.systemId(alarm.record, alarm.id))
    }

    @Test
    fun theCaregiverIsToldOfTheDoseNotLoggedAndOfTheUrgentReading() {
        Reminders(app).replan()
        val planned = alarms.scheduledAlarms.map { Alarm.from(shadowOf(it.operation).savedIntent)!! }
        assertTrue(planned.isNotEmpty())
        assertTrue(planned.none { it.kind == NotificationKind.DOSE.name }, "never 'take your dose': $planned")
        val missed = fire(NotificationKind.MISSED_DOSE)
        assertEquals(Notifications.CAREGIVER, missed.channelId)
        val title = missed.extras.getCharSequence("android.title").toString()
        assertEquals("Mei's 08:00 Metformin is not logged yet", title)
        assertTrue(missed.actions.isNullOrEmpty(), "nothing to log from the caregiver's reminder")

        // Mei logs a dangerous reading on her phone and syncs; the caregiver's background sync
        // brings it, and the urgent channel says it.
        mei.recordReading(
            Reading(
                id = newId(), measurement = Measurement.BloodPressure(186u, 122u, null),
                at = Instant.now().toString(), enteredUnit = null, source = ReadingSource.Manual,
                note = null, loggedBy = null,
            ),
        )
        mei.sync(HttpsTransport(), null)
        val synced = Background.syncOnce(app, 30u)
        assertEquals(1, synced.size)
        assertEquals(null, synced.single().error)
        assertTrue(synced.single().newAlerts.isNotEmpty())
        val urgent = fire(NotificationKind.SAFETY_ALERT)
        assertEquals(Notifications.URGENT, urgent.channelId)
        val said = urgent.extras.getCharSequence("android.title").toString()
        assertTrue(said.startsWith("Mei: "), said)
    }

    @Test
    fun theBackgroundSyncIsAPeriodicJobAndAnOnDemandOne() {
        val jobs = shadowOf(app.getSystemService(JobScheduler::class.java))
        val periodic = jobs.getPendingJob(SyncJob.PERIODIC) ?: error("the app schedules its periodic sync")
        assertTrue(periodic.isPeriodic && periodic.isPersisted)
        assertEquals(android.app.job.JobInfo.NETWORK_TYPE_ANY, periodic.networkType)
        SyncJob.syncSoon(app)
        assertTrue(jobs.getPendingJob(SyncJob.NOW) != null)
    }
}
