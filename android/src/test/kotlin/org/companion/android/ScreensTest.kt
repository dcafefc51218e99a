package org.companion.android

import android.app.Activity
import android.view.View
import android.view.ViewGroup
import android.widget.Button
import android.widget.EditText
import android.widget.ImageView
import android.widget.TextView

import java.time.Instant
import java.time.LocalDate
import java.time.ZoneId
import java.time.temporal.ChronoUnit
import java.util.TimeZone
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import org.companion.core.DoseStatus
import org.companion.core.HealthRecord
import org.companion.core.LateDosePolicy
import org.companion.core.Medication
import org.companion.core.MedicationForm
import org.companion.core.MedicationStatus
import org.companion.core.Schedule
import org.companion.core.TimeZonePolicy
import org.companion.core.defaultProfile
import org.companion.core.newId
import org.companion.core.parseDose
import org.junit.After
import org.junit.Before
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import org.robolectric.shadows.ShadowAlarmManager

/** Every screen renders, in English and in Chinese, and its main action works. */
@RunWith(RobolectricTestRunner::class)
class ScreensTest {
    private lateinit var record: HealthRecord
    private val zone = "Asia/Shanghai"

    /** Yesterday at 08:05 in Shanghai: Metformin's 08:00 dose is due, and in the past. */
    private val now: Instant = LocalDate.now(ZoneId.of(zone)).minusDays(1).atTime(8, 5).atZone(ZoneId.of(zone)).toInstant()

    @Before
    fun setUp() {
        TimeZone.setDefault(TimeZone.getTimeZone(zone))
        App.reset()
        val keys = TestKeys()
        App.keyStore = { keys }
        App.clock = { now }
        App.io = { it() }
        ShadowAlarmManager.setCanScheduleExactAlarms(true)
        record = App.device(RuntimeEnvironment.getApplication()).create(defaultProfile("Mei", zone))
        record.addMedication(
            Medication(
                id = newId(), name = "Metformin", form = MedicationForm.TABLET, dose = parseDose("500 mg"),
                start = "2026-01-01", status = MedicationStatus.ACTIVE, refillDaysAhead = 3u,
                schedule = Schedule.FixedTimes(listOf("08:00")), timeZone = TimeZonePolicy.Local,
                graceMinutes = 60u, lateDose = LateDosePolicy.HalfInterval,
                recordedAt = now.minus(2, ChronoUnit.DAYS).toString(),
            ),
        )
    }

    @After
    fun tearDown() {
        record.close()
        App.reset()
    }

    private fun views(v: View): List<View> =
        listOf(v) + if (v is ViewGroup) (0 until v.childCount).flatMap { views(v.getChildAt(it)) } else emptyList()

    private fun Activity.texts(): List<String> =
        views(window.decorView).filterIsInstance<TextView>().filter { it !is EditText }.map { it.text.toString() }

    private fun Activity.click(label: String) {
        val button = views(window.decorView).filterIsInstance<Button>().firstOrNull { it.text.toString() == label }
            ?: error("no button $label in ${texts()}")
        button.performClick()
    }

    private fun Activity.type(hint: String, text: String) {
        val field = views(window.decorView).filterIsInstance<EditText>().firstOrNull { it.hint.toString() == hint }
            ?: error("no field $hint")
        field.setText(text)
    }

    private fun <T : Activity> screen(kind: Class<T>): T = Robolectric.buildActivity(kind).setup().get()

    private val screens = listOf(
        TodayActivity::class.java, ReadingActivity::class.java, MedicationsActivity::class.java,
        JournalActivity::class.java, SharingActivity::class.java, SettingsActivity::class.java,
    )

    @Test
    fun everyScreenRendersInEnglish() {
        val titles = listOf("Today: Mei", "Log a reading", "Medications", "Journal", "Sharing", "Settings")
        for ((kind, title) in screens.zip(titles)) {
            val texts = screen(kind).texts()
            assertEquals(title, texts.first(), "$kind: $texts")
        }
    }

    @Test
    @Config(qualifiers = "zh")
    fun everyScreenRendersInChinese() {
        val titles = listOf("今天：Mei", "记录读数", "用药", "日记", "共享", "设置")
        for ((kind, title) in screens.zip(titles)) {
            val texts = screen(kind).texts()
            assertEquals(title, texts.first(), "$kind: $texts")
            // Only the core's words and what was typed may be in English here: none of the
            // screen's own.
            for (english in listOf("Save", "Add", "Invite", "Taken", "Due now", "Allow")) {
                assertTrue(texts.none { it.startsWith(english) }, "$kind: $english in $texts")
            }
        }
    }

    @Test
    fun todayShowsTheDueDoseAndTakenLogsIt() {
        val today = screen(TodayActivity::class.java)
        assertTrue("Today: Mei" in today.texts(), "${today.texts()}")
        assertTrue("08:00  Metformin 500 mg" in today.texts(), "${today.texts()}")
        today.click("Taken")
        assertEquals(listOf(DoseStatus.TAKEN), record.doses(null, null, null).map { it.status })
        val after = today.texts()
        assertTrue(after.indexOf("Done") < after.lastIndexOf("08:00  Metformin 500 mg"), "$after")
        today.click("Log a reading")
        assertEquals(ReadingActivity::class.java.name, shadowOf(today).nextStartedActivity.component!!.className)
    }

    @Test
    @Config(qualifiers = "zh")
    fun todayInChinese() {
        val today = screen(TodayActivity::class.java)
        assertTrue("今天：Mei" in today.texts() && "现在该服" in today.texts(), "${today.texts()}")
        today.click("已服")
        assertEquals(1, record.doses(null, null, null).size)
    }

    @Test
    fun aReadingIsLoggedAndWhatItMeansIsShown() {
        val screen = screen(ReadingActivity::class.java)
        screen.type("Systolic", "186")
        screen.type("Diastolic", "122")
        screen.click("Save")
        assertEquals(1, record.readings(org.companion.core.ReadingQuery(range = org.companion.core.TimeRange())).readings.size)
        val said = screen.texts()
        assertTrue(said.any { it.startsWith("Saved: 186/122 mmHg") }, "$said")
        assertTrue(said.size > 3 && record.alerts(null, null).isNotEmpty(), "the urgent alert is raised and shown: $said")
    }

    @Test
    fun aWeightIsTypedInTheRecordsUnitAndANumberOutOfRangeIsSaid() {
        val profile = record.profile()
        record.setProfile(profile.copy(units = profile.units.copy(weight = org.companion.core.WeightUnit.LB)))
        val screen = screen(ReadingActivity::class.java)
        screen.click("Weight (lb)")
        screen.type("Value", "150")
        screen.click("Save")
        val weight = record.readings(org.companion.core.ReadingQuery(range = org.companion.core.TimeRange())).readings.single()
        val kg = (weight.measurement as org.companion.core.Measurement.Weight).kg
        assertTrue(kotlin.math.abs(kg - 68.04) < 0.01, "150 lb is stored as $kg kg")
        assertEquals("lb", weight.enteredUnit)
        // A pressure past what a number of the record holds is said, not wrapped into another.
        screen.click("Blood pressure")
        screen.type("Systolic", "65656")
        screen.type("Diastolic", "80")
        screen.click("Save")
        assertTrue("Enter a number" in screen.texts(), "${screen.texts()}")
        assertEquals(1, record.readings(org.companion.core.ReadingQuery(range = org.companion.core.TimeRange())).readings.size)
    }

    @Test
    @Config(qualifiers = "zh")
    fun aWeightInChinese() {
        val screen = screen(ReadingActivity::class.java)
        screen.click("体重（千克）")
        screen.type("数值", "61.5")
        screen.click("保存")
        assertTrue(screen.texts().any { it.startsWith("已保存：") }, "${screen.texts()}")
    }

    @Test
    fun aMedicationIsAddedWithItsTimes() {
        val screen = screen(MedicationsActivity::class.java)
        screen.type("Name", "Ramipril")
        screen.type("Dose, like 500 mg", "5 mg")
        screen.type("Times, like 08:00,20:00", "08:00, 20:00")
        screen.click("Add")
        val ramipril = record.medications(false).single { it.name == "Ramipril" }
        assertEquals(Schedule.FixedTimes(listOf("08:00", "20:00")), ramipril.schedule)
        assertTrue(screen.texts().any { it.startsWith("Ramipril  5 mg  08:00, 20:00") }, "${screen.texts()}")
        // Every 8 hours from 06:00.
        screen.click("Every few hours")
        screen.type("Name", "Amoxicillin")
        screen.type("Dose, like 500 mg", "500 mg")
        screen.type("First dose, like 06:00", "06:00")
        screen.type("Hours apart", "8")
        screen.click("Add")
        val every = record.medications(false).single { it.name == "Amoxicillin" }.schedule as Schedule.EveryNHours
        assertEquals(8u to "06:00", every.hours to every.first)
        // On weekdays; a bad time is refused in the core's words and nothing is added.
        screen.click("On some weekdays")
        screen.type("Name", "Methotrexate")
        screen.type("Dose, like 500 mg", "10 mg")
        screen.type("Times, like 08:00,20:00", "25:00")
        screen.type("Days, like mon,wed,fri", "mon")
        screen.click("Add")
        assertTrue(screen.texts().any { it.startsWith("Not done: ") }, "${screen.texts()}")
        assertTrue(record.medications(false).none { it.name == "Methotrexate" })
        // Every other type the form offers adds a medication of that type.
        val added = mapOf(
            "Every few days" to listOf("Every how many days" to "3", "Times, like 08:00,20:00" to "09:00"),
            "On days of the month" to listOf("Days of the month, like 1,15" to "1,15", "Times, like 08:00,20:00" to "09:00"),
            "Around meals" to listOf("Meals, like breakfast,dinner" to "breakfast,dinner", "Minutes before (-) or after (+)" to "-30"),
            "In cycles (days on, days off)" to listOf("Days on" to "21", "Days off" to "7", "Times, like 08:00,20:00" to "08:00"),
            "Tapering" to listOf("Steps, like 7:20 mg, 7:10 mg" to "7:20 mg, 7:10 mg", "Times, like 08:00,20:00" to "08:00"),
            "After another medication" to listOf("After which medication (its name)" to "Ramipril", "Minutes before (-) or after (+)" to "30"),
            "As needed" to emptyList(),
        )
        for ((type, fields) in added) {
            screen.click(type)
            screen.type("Name", "Med $type")
            screen.type("Dose, like 500 mg", "1 tablet")
            for ((hint, value) in fields) screen.type(hint, value)
            screen.click("Add")
            assertTrue(record.medications(false).any { it.name == "Med $type" }, "$type: ${screen.texts()}")
        }
    }

    @Test
    @Config(qualifiers = "zh")
    fun theJournalInChinese() {
        val screen = screen(JournalActivity::class.java)
        screen.type("今天的情况", "睡得很好")
        screen.type("心情，1（很差）到 5（很好）", "4")
        screen.click("保存")
        assertEquals(listOf("睡得很好"), record.journal(null, null).map { it.text })
        assertTrue(screen.texts().any { it.endsWith("(4/5) 睡得很好") }, "${screen.texts()}")
    }

    @Test
    fun anInviteSaysWhatTheRoleMayDoThenShowsItsCodeAndQr() {
        TestRelay().use { relay ->
            val url = relay.url
            App.clock = { Instant.now() }
            val screen = screen(SharingActivity::class.java)
            screen.type("For whom (shown to the others)", "Li (son)")
            screen.type("Relay address (first invite)", url)
            screen.click("Invite")
            assertTrue(screen.texts().any { it.startsWith("A caregiver sees everything in Mei's record") }, "${screen.texts()}")
            screen.type("For whom (shown to the others)", "Li (son)")
            screen.type("Relay address (first invite)", url)
            screen.click("Share on these terms")
            val code = assertNotNull(screen.issued)
            assertTrue(code.endsWith("@$url"), code)
            assertTrue("Code: $code" in screen.texts())
            val qr = views(screen.window.decorView).filterIsInstance<ImageView>().single()
            assertNotNull(qr.drawable)
            assertTrue(screen.texts().any { it.startsWith("Mei · owner") }, "${screen.texts()}")
        }
    }

    @Test
    fun settingsSayWhatIsMissingAndOpenWhereToAllowIt() {
        ShadowAlarmManager.setCanScheduleExactAlarms(false)
        val screen = screen(SettingsActivity::class.java)
        assertTrue(screen.texts().any { it.startsWith("Exact alarms are not allowed") }, "${screen.texts()}")
        screen.click("Allow exact alarms")
        assertEquals("android.settings.REQUEST_SCHEDULE_EXACT_ALARM", shadowOf(screen).nextStartedActivity.action)
        assertTrue("Notifications are off: reminders cannot be shown." in screen.texts())
        screen.click("Allow notifications")
        assertEquals(NOTIFICATIONS, shadowOf(screen).lastRequestedPermission.requestedPermissions.single())
        // Chinese chosen in the app, on an English phone: every screen follows.
        screen.click("简体中文")
        assertEquals("设置", screen.texts().first())
        assertTrue("语言：简体中文" in screen.texts(), "${screen.texts()}")
        assertEquals("今天：Mei", screen(TodayActivity::class.java).texts().first())
        screen.click("跟随手机")
        assertEquals("Settings", screen.texts().first())
    }
}
