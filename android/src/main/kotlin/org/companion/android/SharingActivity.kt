package org.companion.android

import android.graphics.Bitmap
import android.graphics.Color
import android.widget.ImageView
import android.widget.RadioButton
import android.widget.RadioGroup
import com.google.zxing.BarcodeFormat
import com.google.zxing.qrcode.QRCodeWriter
import org.companion.core.CompanionException
import org.companion.core.HealthRecord
import org.companion.core.Role

/**
 * Sharing: the members with their names and roles (the owner removes one), an invite shown as
 * a QR code and as text once the owner confirmed what the role may see and do, and joining
 * another record by its code. Network calls run off the main thread ([App.io]).
 */
class SharingActivity : Screen() {
    private var role = Role.CAREGIVER
    private var pending: String? = null

    /** The last invite issued here (its code), for the screen and its tests. */
    var issued: String? = null
        private set

    override fun build(record: HealthRecord) {
        heading(words.sharing)
        val shared = record.isShared()
        val members = if (shared) record.members() else null
        val owner = members?.let { it.role == Role.OWNER } ?: true
        if (members != null) {
            heading(words.members)
            for (m in members.members.filter { it.removed == null }) {
                val by = m.invitedByName?.let { " · ${words.invitedBy(it)}" } ?: ""
                text("${m.name ?: m.device.take(8)} · ${words.role(m.role)}$by")
                if (owner && !m.thisDevice) {
                    button(words.remove) { network({ record.removeMember(m.device, HttpsTransport()) }) { render() } }
                }
            }
        }
        if (owner) {
            heading(words.invite)
            val roles = RadioGroup(this)
            for ((i, r) in listOf(Role.CAREGIVER, Role.CLINICIAN, Role.VIEWER).withIndex()) {
                roles.addView(RadioButton(this).apply { text = words.role(r); id = 200 + i; tag = r; isChecked = r == role })
            }
            roles.setOnCheckedChangeListener { g, id -> role = g.findViewById<RadioButton>(id)!!.tag as Role }
            column.addView(roles)
            val name = field(words.inviteName)
            val relay = if (shared) null else field(words.relay)
            val statement = pending
            if (statement == null) {
                button(words.invite) {
                    if (attempt { pending = record.inviteStatement(role) }) render()
                }
            } else {
                // What the role may see and do, said before anything is shared.
                text(statement)
                button(words.confirm) {
                    val who = name.text.toString().trim().ifEmpty { null }
                    val address = relay?.text?.toString()?.trim()?.ifEmpty { null }
                    pending = null
                    network({ record.invite(role, who, 72u, address, HttpsTransport()) }) { info ->
                        issued = info.code
                        render()
                        text(words.code(info.code))
                        column.addView(ImageView(this).apply { setImageBitmap(qr(info.qrPayload)) })
                    }
                }
                button(words.cancel) {
                    pending = null
                    render()
                }
            }
        }
        val code = field(words.joinCode)
        button(words.join) {
            val text = code.text.toString().trim()
            network({ App.device(this).join(text, null, HttpsTransport(), null).close() }) { render() }
        }
    }

    /** Runs `call` off the main thread, then `then` on it; a refusal is said on the screen. */
    private fun <T> network(call: () -> T, then: (T) -> Unit) {
        App.io {
            val result = try {
                Result.success(call())
            } catch (e: CompanionException) {
                Result.failure(e)
            }
            runOnUiThread {
                result.fold(then) { text(words.failed(it.message ?: it.javaClass.simpleName)) }
            }
        }
    }

    /** The QR code of `payload`, black on white. */
    private fun qr(payload: String): Bitmap {
        val matrix = QRCodeWriter().encode(payload, BarcodeFormat.QR_CODE, 512, 512)
        val bitmap = Bitmap.createBitmap(matrix.width, matrix.height, Bitmap.Config.RGB_565)
        for (x in 0 until matrix.width) for (y in 0 until matrix.height) {
            bitmap.setPixel(x, y, if (matrix[x, y]) Color.BLACK else Color.WHITE)
        }
        return bitmap
    }
}

/** Exact alarms, notifications, language: what makes reminders reliable, and how to fix it. */
class SettingsActivity : Screen() {
    override fun build(record: HealthRecord) {
        heading(words.settings)
        val reminders = Reminders(this)
        val warning = reminders.warning()
        text(warning ?: words.exactOk)
        if (warning != null) button(words.allowExact) { startActivity(reminders.exactAlarmSettings()) }
        if (needsNotificationPermission(this)) {
            text(words.notificationsOff)
            button(words.allowNotifications) { requestPermissions(arrayOf(NOTIFICATIONS), 1) }
        } else {
            text(words.notificationsOk)
        }
        text(if (Words.followsPhone(this)) words.languageIs(words.languageName) else words.languageChosen(words.languageName))
        for ((label, code) in listOf("English" to "en", "简体中文" to "zh", words.followPhone to null)) {
            button(label) {
                Words.choose(this, code)
                words = Words.of(this)
                Notifications.ensureChannels(this)
                Reminders(this).replan(lost = true)
                render()
            }
        }
    }

    override fun onRequestPermissionsResult(requestCode: Int, permissions: Array<out String>, grantResults: IntArray) {
        render()
    }
}

/** Android 13 and later ask before an app may notify. */
const val NOTIFICATIONS = "android.permission.POST_NOTIFICATIONS"

/** Whether notifications still wait for the person's permission. */
fun needsNotificationPermission(context: android.content.Context): Boolean =
    android.os.Build.VERSION.SDK_INT >= 33 &&
        context.checkSelfPermission(NOTIFICATIONS) != android.content.pm.PackageManager.PERMISSION_GRANTED
