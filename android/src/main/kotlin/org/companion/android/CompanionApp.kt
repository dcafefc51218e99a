package org.companion.android

import android.app.Application
import android.content.Context
import java.io.File
import java.time.Instant
import org.companion.core.Device
import org.companion.core.KeyStore

/**
 * The app's one [Device]: the records this phone holds, opened once per process. The key
 * store and the clock can be replaced (tests: a key store double, since the Android Keystore
 * does not exist under Robolectric; a fixed clock).
 */
object App {
    /** Makes the key store the device's secrets live in. */
    @Volatile
    var keyStore: (Context) -> KeyStore = { AndroidKeys(it) }

    /** Now. */
    @Volatile
    var clock: () -> Instant = { Instant.now() }

    /** Runs network and disk work off the main thread (tests: at once, in order). */
    @Volatile
    var io: (() -> Unit) -> Unit = { Thread(it).start() }

    private var device: Device? = null

    /** The device, opened on first use in the app's private files. */
    fun device(context: Context): Device = synchronized(this) {
        device ?: Device.open(File(context.filesDir, "companion").path, keyStore(context)).also { device = it }
    }

    /** Forgets the open device (a test's fresh start). */
    fun reset() = synchronized(this) {
        device?.close()
        device = null
    }
}

/** Creates the notification channels and schedules the background sync when the process
 *  starts. */
class CompanionApp : Application() {
    override fun onCreate() {
        super.onCreate()
        Notifications.ensureChannels(this)
        SyncJob.schedulePeriodic(this)
    }
}
