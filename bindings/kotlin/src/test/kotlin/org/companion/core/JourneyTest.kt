package org.companion.core

import java.nio.file.Files
import java.nio.file.Path
import java.time.OffsetDateTime
import java.time.ZoneOffset
import kotlin.test.AfterTest
import kotlin.test.BeforeTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** Care journeys, the home screen and questionnaires, through the generated bindings. */
class JourneyTest {
    private lateinit var dir: Path
    private lateinit var record: HealthRecord

    @BeforeTest
    fun setUp() {
        dir = Files.createTempDirectory("companion-kt-journeys")
        record = HealthRecord.create(dir.resolve("r.db").toString(), keysOf(dir.resolve("r.db").toString()), defaultProfile("Ana", "Europe/Berlin"))
    }

    @AfterTest
    fun tearDown() {
        record.close()
        dir.toFile().deleteRecursively()
    }

    private fun hoursAgo(h: Long) = OffsetDateTime.now(ZoneOffset.ofHours(1)).minusHours(h).withNano(0).toString()

    @Test
    fun startAJourneyAndSeeItOnToday() {
        assertTrue("surgery-recovery-6w" in record.journeyTemplateIds())
        val journey = record.startJourney("surgery-recovery-6w", hoursAgo(2))
        assertFailsWith<CompanionException.AlreadyExists> { record.startJourney("surgery-recovery-6w", hoursAgo(1)) }
        assertFailsWith<CompanionException.NotFound> { record.startJourney("no-such", hoursAgo(1)) }

        val now = OffsetDateTime.now().toString()
        val recorded = record.advanceJourneys(now)
        assertTrue(recorded.single().decision is Decision.StageEntered)
        assertTrue(record.advanceJourneys(now).isEmpty(), "each decision is recorded once")

        val today = record.today(now, "Europe/Berlin")
        val j = today.journeys.single()
        assertEquals(journey.id, j.journeyId)
        val progress = assertNotNull(j.progress)
        assertEquals(1u, progress.step)
        assertEquals(3u, progress.steps)
        assertTrue(j.tasks.any { it.kind == "wound_photo" && !it.done })
        assertEquals(ProfilePrompt.ALLERGIES, today.profilePrompt)
        // "No known allergies" answers the prompt; the next item is asked for.
        assertEquals(listOf("allergies"), record.reportNoneKnown(ProfilePrompt.ALLERGIES).noneKnown)
        assertTrue(record.today(now, "Europe/Berlin").profilePrompt != ProfilePrompt.ALLERGIES)
        // The fever threshold of recovery after surgery is set.
        assertEquals(38.0, record.targets().feverThresholdC)

        val wound = j.tasks.first { it.kind == "wound_photo" }
        record.markTaskDone(journey.id, wound.id, hoursAgo(0))
        assertTrue(record.today(now, "Europe/Berlin").journeys.single().tasks.first { it.id == wound.id }.done)
    }

    @Test
    fun readACard() {
        val journey = record.startJourney("hypertension-12w", hoursAgo(1))
        val now = OffsetDateTime.now().toString()
        val cards = record.today(now, "Europe/Berlin").journeys.single().unreadCards
        assertTrue(cards.isNotEmpty())
        assertTrue(cards.all { it.source.isNotBlank() })
        record.readCard(journey.id, cards.first().id, hoursAgo(0))
        val after = record.today(now, "Europe/Berlin").journeys.single().unreadCards
        assertEquals(cards.drop(1).map { it.id }, after.map { it.id })
        assertFailsWith<CompanionException.NotFound> { record.readCard(journey.id, "no-such-card", hoursAgo(0)) }
    }

    @Test
    fun answerFindrisc() {
        val findrisc = record.questionnaires().first { it.id == "findrisc" }
        assertEquals(8, findrisc.items.size)
        // The highest option of every item: the very-high band, with the advice to see a doctor.
        val answers = findrisc.items.map { item ->
            val options = (item.answer as Answer.Choice).options
            AnswerGiven(item.id, Given.Choice(options.maxBy { it.points }.id))
        }
        val response = record.answerQuestionnaire("findrisc", answers, hoursAgo(0))
        assertEquals(26.0, response.total)
        assertEquals("very-high", response.band)
        assertTrue(response.seeDoctor)
        assertEquals(1, record.responses("findrisc").size)

        val err = assertFailsWith<CompanionException.InvalidInput> {
            record.answerQuestionnaire("findrisc", answers.drop(1), hoursAgo(0))
        }
        assertTrue(err.message!!.contains("no answer for"), err.message)
        assertEquals(1, record.responses(null).size, "a refused answer stores nothing")
    }
}
