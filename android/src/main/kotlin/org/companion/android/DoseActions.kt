package org.companion.android

import android.content.Context
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import org.companion.core.CompanionException
import org.companion.core.DoseEvent
import org.companion.core.DoseStatus
import org.companion.core.NotificationAction
import org.companion.core.newId

/**
 * What a button on a dose notification does, without opening the app: the doses it is about
 * are logged through the core (whose rules refuse what they refuse: a second take says who
 * took it and when), the notification is taken away or says why nothing was logged, and the
 * reminders are planned again (a snoozed dose comes back at its new time).
 */
class DoseActions(private val context: Context) {
    /** What happened. */
    sealed interface Outcome {
        /** Every dose was logged. */
        data object Logged : Outcome

        /** Nothing more was logged: `text` is what the notification says now. */
        data class Refused(val text: String) : Outcome
    }

    /** Carries out `action` (a `NotificationAction` name) for the doses of `alarm`. */
    fun act(alarm: Alarm, action: String): Outcome {
        val now = App.clock()
        val zone = ZoneId.systemDefault()
        val status = when (action) {
            NotificationAction.TAKE.name -> DoseStatus.TAKEN
            NotificationAction.SNOOZE.name -> DoseStatus.SNOOZED
            NotificationAction.SKIP.name -> DoseStatus.SKIPPED
            else -> return Outcome.Refused(Words.of(context).refused(action))
        }
        val at = now.atZone(zone).toOffsetDateTime().toString()
        val until = if (status == DoseStatus.SNOOZED) {
            now.plusSeconds(SNOOZE_MINUTES * 60).atZone(zone).toOffsetDateTime().toString()
        } else {
            null
        }
        val words = Words.of(context)
        val outcome = try {
            App.device(context).openRecord(alarm.record).use { record ->
                for ((medication, scheduled) in alarm.medications.zip(alarm.scheduledAt)) {
                    record.logDose(DoseEvent(newId(), medication, scheduled, status, at, null, null, null, until, false))
                }
            }
            Outcome.Logged
        } catch (e: CompanionException.DoseAlreadyTaken) {
            Outcome.Refused(words.alreadyTaken(localTime(e.at, zone), e.loggedBy))
        } catch (e: CompanionException) {
            Outcome.Refused(words.refused(e.message ?: e.javaClass.simpleName))
        }
        when (outcome) {
            Outcome.Logged -> Notifications.cancel(context, alarm)
            is Outcome.Refused -> Notifications.update(context, alarm, outcome.text)
        }
        Reminders(context).replan()
        return outcome
    }

    private fun localTime(rfc3339: String, zone: ZoneId): String = try {
        Instant.parse(rfc3339).atZone(zone).format(DateTimeFormatter.ofPattern("HH:mm"))
    } catch (_: Exception) {
        rfc3339
    }

    companion object {
        /** How long Snooze puts a dose off. */
        const val SNOOZE_MINUTES = 10L
    }
}
