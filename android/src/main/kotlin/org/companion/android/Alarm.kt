package org.companion.android

import android.content.Intent
import android.os.Bundle
import org.companion.core.DeviceNotification

/**
 * One planned notification of one record as the alarm carries it: everything needed to show
 * it and to act on its buttons, with no call back into the record.
 */
data class Alarm(
    /** The record it is of. */
    val record: String,
    /** The core's stable id of the notification. */
    val id: String,
    /** When it fires, Unix milliseconds. */
    val fireAtMillis: Long,
    /** `NotificationKind`'s name. */
    val kind: String,
    val title: String,
    val body: String,
    /** `Importance`'s name. */
    val importance: String,
    /** `NotificationAction` names. */
    val actions: List<String>,
    /** The doses it is about: medication ids and their occurrences (RFC 3339), pairwise. */
    val medications: List<String>,
    val scheduledAt: List<String>,
    /** Whether this device is a caregiver's (what it is told is about the patient). */
    val forCaregiver: Boolean,
) {
    fun toBundle(): Bundle = Bundle().apply {
        putString(RECORD, record)
        putString(ID, id)
        putLong(FIRE_AT, fireAtMillis)
        putString(KIND, kind)
        putString(TITLE, title)
        putString(BODY, body)
        putString(IMPORTANCE, importance)
        putStringArrayList(ACTIONS, ArrayList(actions))
        putStringArrayList(MEDICATIONS, ArrayList(medications))
        putStringArrayList(SCHEDULED, ArrayList(scheduledAt))
        putBoolean(CAREGIVER, forCaregiver)
    }

    companion object {
        private const val RECORD = "companion.record"
        private const val ID = "companion.id"
        private const val FIRE_AT = "companion.fire_at"
        private const val KIND = "companion.kind"
        private const val TITLE = "companion.title"
        private const val BODY = "companion.body"
        private const val IMPORTANCE = "companion.importance"
        private const val ACTIONS = "companion.actions"
        private const val MEDICATIONS = "companion.medications"
        private const val SCHEDULED = "companion.scheduled"
        private const val CAREGIVER = "companion.caregiver"

        /** The alarm for the core's planned notification `d` of one of the device's records. */
        fun of(d: DeviceNotification): Alarm {
            val n = d.notification
            return Alarm(
                record = d.record,
                id = n.id,
                fireAtMillis = java.time.Instant.parse(n.fireAt).toEpochMilli(),
                kind = n.kind.name,
                title = n.title,
                body = n.body,
                importance = n.importance.name,
                actions = n.actions.map { it.name },
                medications = n.doses.map { it.medicationId },
                scheduledAt = n.doses.map { it.scheduledAt },
                forCaregiver = d.forCaregiver,
            )
        }

        /** The alarm an intent carries, or null when it carries none (a stray intent). */
        fun from(intent: Intent): Alarm? {
            val b = intent.extras ?: return null
            return Alarm(
                record = b.getString(RECORD) ?: return null,
                id = b.getString(ID) ?: return null,
                fireAtMillis = b.getLong(FIRE_AT),
                kind = b.getString(KIND) ?: return null,
                title = b.getString(TITLE).orEmpty(),
                body = b.getString(BODY).orEmpty(),
                importance = b.getString(IMPORTANCE).orEmpty(),
                actions = b.getStringArrayList(ACTIONS).orEmpty(),
                medications = b.getStringArrayList(MEDICATIONS).orEmpty(),
                scheduledAt = b.getStringArrayList(SCHEDULED).orEmpty(),
                forCaregiver = b.getBoolean(CAREGIVER),
            )
        }
    }
}
