package org.companion.android

import android.app.AlarmManager
import android.app.Application
import android.app.NotificationManager
import android.content.Intent
import android.os.Looper
import java.time.Instant
import java.time.ZoneId
import java.time.temporal.ChronoUnit
import java.util.TimeZone
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import org.companion.core.DoseStatus
import org.companion.core.HealthRecord
import org.companion.core.LateDosePolicy
import org.companion.core.Medication
import org.companion.core.MedicationForm
import org.companion.core.MedicationStatus
import org.companion.core.NotificationKind
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
 * Reminders on time, through the real bindings and the host build of the core: the alarms
 * set are the core's plan; a changed dose time moves only its alarms; a reboot or a new zone
 * plans again; without the exact-alarm permission the fallback is used and said.
 */
@RunWith(RobolectricTestRunner::class)
class RemindersTest {
    private lateinit var app: Application
    private lateinit var record: HealthRecord
    private val zone = "Asia/Shanghai"

    /** The clock: three days ago, so that a dose the plan holds can be logged as taken at its
     *  time (the core refuses what is dated in the future). */
    private var now: Instant = Instant.now().minus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MINUTES)

    private fun med(name: String, vararg times: String) = Medication(
        id = newId(), name = name, form = MedicationForm.TABLET, dose = parseDose("1 tablet"),
        start = "2026-01-01", status = MedicationStatus.ACTIVE, refillDaysAhead = 3u,
        schedule = Schedule.FixedTimes(times.toList()), timeZone = TimeZonePolicy.Local,
        graceMinutes = 60u, lateDose = LateDosePolicy.HalfInterval,
        recordedAt = now.minus(1, ChronoUnit.DAYS).toString(),
    )

    private val metformin = med("Metformin", "08:00", "20:00")
    private val amlodipine = med("Amlodipine", "07:00")
    private val atorvastatin = med("Atorvastatin", "21:00")

    private val alarms get() = shadowOf(app.getSystemService(AlarmManager::class.java))

    @Before
    fun setUp() {
        TimeZone.setDefault(TimeZone.getTimeZone(zone))
        app = RuntimeEnvironment.getApplication()
        App.reset()
        val keys = TestKeys()
        App.keyStore = { keys }
        // Receivers' work runs at once, in order, instead of on a thread of its own.
        App.io = { it() }
        App.clock = { now }
        ShadowAlarmManager.setCanScheduleExactAlarms(true)
        record = App.device(app).create(defaultProfile("Mei", zone))
        for (m in listOf(metformin, amlodipine, atorvastatin)) record.addMedication(m)
    }

    @After
    fun tearDown() {
        record.close()
        App.reset()
    }

    private fun plan() = record.planReminders(now.toString(), zone, Reminders.HORIZON_HOURS, Reminders.MAX_ALARMS)

    @Test
    fun theAlarmsSetAreTheCoresPlanAndAChangedDoseTimeMovesOnlyItsOwn() {
        // Now: a schedule changed applies from the moment it is changed on.
        now = Instant.now().truncatedTo(ChronoUnit.MINUTES)
        val applied = Reminders(app).replan()
        assertTrue(applied.exact)
        val planned = plan()
        assertTrue(planned.size >= 8, "two days of four dose times: ${planned.size}")
        assertEquals(
            planned.map { Instant.parse(it.fireAt).toEpochMilli() }.sorted(),
            alarms.scheduledAlarms.map { it.triggerAtTime }.sorted(),
        )
        assertTrue(alarms.scheduledAlarms.all { it.windowLengthMs == ShadowAlarmManager.WINDOW_EXACT })
        // Nothing changed: nothing is set again.
        val again = Reminders(app).replan()
        assertEquals(emptyList(), again.cancelled + again.set)

        // Atorvastatin moves from 21:00 to 22:00: only its alarms change.
        record.updateMedication(atorvastatin.copy(schedule = Schedule.FixedTimes(listOf("22:00"))))
        val moved = Reminders(app).replan()
        val byKey = plan().associateBy { "${record.id()}/${it.id}" }
        assertTrue(moved.set.isNotEmpty() && moved.cancelled.isNotEmpty())
        for (key in moved.set) {
            assertTrue(byKey.getValue(key).doses.all { it.medicationId == atorvastatin.id }, key)
        }
        for (key in moved.cancelled) assertTrue(key !in byKey, "$key is no longer planned")
        assertEquals(
            plan().map { Instant.parse(it.fireAt).toEpochMilli() }.sorted(),
            alarms.scheduledAlarms.map { it.triggerAtTime }.sorted(),
        )
    }

    @Test
    fun aRebootAndANewZonePlanAgainThroughTheManifestsReceiver() {
        Reminders(app).replan()
        val count = alarms.scheduledAlarms.size
        // A reboot: the system forgets every alarm.
        val manager = app.getSystemService(AlarmManager::class.java)!!
        for (alarm in alarms.scheduledAlarms.toList()) manager.cancel(alarm.operation!!)
        assertEquals(0, alarms.scheduledAlarms.size)
        app.sendBroadcast(Intent(Intent.ACTION_BOOT_COMPLETED))
        shadowOf(Looper.getMainLooper()).idle()
        assertEquals(count, alarms.scheduledAlarms.size, "the manifest's receiver planned again")

        // The phone lands in Berlin: the zone is recorded, and the doses follow local time.
        TimeZone.setDefault(TimeZone.getTimeZone("Europe/Berlin"))
        app.sendBroadcast(Intent(Intent.ACTION_TIMEZONE_CHANGED))
        shadowOf(Looper.getMainLooper()).idle()
        assertEquals("Europe/Berlin", record.zoneHistory().last().zone)
        val inBerlin = record.planReminders(now.toString(), "Europe/Berlin", Reminders.HORIZON_HOURS, Reminders.MAX_ALARMS)
        assertEquals(
            inBerlin.map { Instant.parse(it.fireAt).toEpochMilli() }.sorted(),
            alarms.scheduledAlarms.map { it.triggerAtTime }.sorted(),
        )
    }

    @Test
    fun withoutExactAlarmsTheFallbackIsUsedAndSaid() {
        ShadowAlarmManager.setCanScheduleExactAlarms(false)
        val reminders = Reminders(app)
        val applied = reminders.replan()
        assertEquals(false, applied.exact)
        assertTrue(alarms.scheduledAlarms.isNotEmpty())
        assertTrue(alarms.scheduledAlarms.none { it.windowLengthMs == ShadowAlarmManager.WINDOW_EXACT })
        assertNotNull(reminders.warning()).let { assertTrue(it.contains("Exact alarms are not allowed"), it) }
        assertEquals("android.settings.REQUEST_SCHEDULE_EXACT_ALARM", reminders.exactAlarmSettings().action)
        // Allowed again: the permission's broadcast sets every alarm exact.
        ShadowAlarmManager.setCanScheduleExactAlarms(true)
        app.sendBroadcast(Intent("android.app.action.SCHEDULE_EXACT_ALARM_PERMISSION_STATE_CHANGED"))
        shadowOf(Looper.getMainLooper()).idle()
        assertNull(reminders.warning())
        assertTrue(alarms.scheduledAlarms.all { it.windowLengthMs == ShadowAlarmManager.WINDOW_EXACT })
    }

    /** The alarm of the first dose notification, fired: its notification is shown. */
    private fun fireFirstDose(): android.app.Notification {
        Reminders(app).replan()
        val first = plan().first { it.kind == NotificationKind.DOSE }
        val alarm = alarms.scheduledAlarms.first { it.triggerAtTime == Instant.parse(first.fireAt).toEpochMilli() }
        App.clock = { Instant.parse(first.fireAt).plusSeconds(60) }
        AlarmReceiver().onReceive(app, shadowOf(alarm.operation).savedIntent)
        val shown = shadowOf(app.getSystemService(NotificationManager::class.java)).allNotifications
        return shown.single()
    }

    @Test
    fun takenFromTheNotificationLogsTheDoseAndASecondTakenSaysWhoTookItWhen() {
        val notification = fireFirstDose()
        assertEquals(Notifications.DOSES, notification.channelId)
        assertEquals(listOf("Taken", "Snooze", "Skip"), notification.actions.map { it.title.toString() })
        val taken = shadowOf(notification.actions[0].actionIntent).savedIntent
        val dose = Alarm.from(taken)!!
        fun missedReminders() = alarms.scheduledAlarms
            .map { Alarm.from(shadowOf(it.operation).savedIntent)!! }
            .filter { it.kind == NotificationKind.MISSED_DOSE.name && it.scheduledAt == dose.scheduledAt && it.medications == dose.medications }
        assertTrue(missedReminders().isNotEmpty(), "a missed-dose reminder waits for this dose")
        // The receiver hands the write to App.io: nothing is read or written on the main thread.
        val queued = mutableListOf<() -> Unit>()
        App.io = { queued += it }
        ActionReceiver().onReceive(app, taken)
        assertEquals(emptyList(), record.doses(null, null, null), "not written on the main thread")
        App.io = { it() }
        queued.single()()
        assertEquals(emptyList(), missedReminders(), "taken: its missed-dose reminder is cancelled")
        val doses = record.doses(null, null, null)
        assertEquals(listOf(DoseStatus.TAKEN), doses.map { it.status })
        val manager = shadowOf(app.getSystemService(NotificationManager::class.java))
        assertTrue(manager.allNotifications.isEmpty(), "the notification is taken away")
        val today = record.today(App.clock().toString(), zone)
        assertTrue(today.done.any { it.occurrence.medicationId == doses[0].medicationId }, "$today")

        // Pressed again (the notification came back, or a second phone): refused, with when.
        ActionReceiver().onReceive(app, taken)
        assertEquals(1, record.doses(null, null, null).size)
        val said = manager.allNotifications.single().extras.getCharSequence("android.text").toString()
        assertTrue(said.startsWith("Already logged as taken at "), said)
    }

    @Test
    fun aDoseAnotherMemberLoggedIsRefusedWithWhoAndWhen() {
        val notification = fireFirstDose()
        val taken = shadowOf(notification.actions[0].actionIntent).savedIntent
        val dose = Alarm.from(taken)!!
        val at = App.clock().minusSeconds(30).atZone(ZoneId.of(zone)).toOffsetDateTime()
        record.logDose(
            org.companion.core.DoseEvent(newId(), dose.medications[0], dose.scheduledAt[0], DoseStatus.TAKEN, at.toString(), null, "Li", null, null, false),
        )
        ActionReceiver().onReceive(app, taken)
        assertEquals(1, record.doses(null, null, null).size)
        val manager = shadowOf(app.getSystemService(NotificationManager::class.java))
        val said = manager.allNotifications.single().extras.getCharSequence("android.text").toString()
        val time = at.format(java.time.format.DateTimeFormatter.ofPattern("HH:mm"))
        assertEquals("Already logged as taken at $time by Li", said)
    }

    @Test
    fun snoozeBringsTheDoseBackAfterItsMinutes() {
        val notification = fireFirstDose()
        val pressedAt = App.clock()
        ActionReceiver().onReceive(app, shadowOf(notification.actions[1].actionIntent).savedIntent)
        assertEquals(listOf(DoseStatus.SNOOZED), record.doses(null, null, null).map { it.status })
        val back = pressedAt.plus(DoseActions.SNOOZE_MINUTES, ChronoUnit.MINUTES).toEpochMilli()
        assertTrue(
            alarms.scheduledAlarms.any { kotlin.math.abs(it.triggerAtTime - back) < 60_000 },
            "an alarm ${DoseActions.SNOOZE_MINUTES} minutes later: ${alarms.scheduledAlarms.map { Instant.ofEpochMilli(it.triggerAtTime) }}",
        )
    }
}
