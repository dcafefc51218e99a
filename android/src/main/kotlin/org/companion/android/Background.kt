package org.companion.android

import android.app.job.JobInfo
import android.app.job.JobParameters
import android.app.job.JobScheduler
import android.app.job.JobService
import android.content.ComponentName
import android.content.Context
import org.companion.core.RecordSyncSummary
import org.companion.core.SyncObserver
import org.companion.core.SyncService
import org.companion.core.SyncState

/**
 * Sync in the background through the core's sync service: a pass syncs every shared record of
 * the device (never holding a record the app uses while it waits on the network), and what
 * arrived is turned into notifications by planning the reminders again: an urgent alert that
 * arrived is in the plan, due now; a dose logged elsewhere withdraws its reminder.
 */
object Background {
    @Volatile
    private var service: SyncService? = null

    /** The sync state last seen (for the settings screen). */
    @Volatile
    var state: SyncState = SyncState.Idle
        private set

    /** The relay transport (tests may replace it). */
    @Volatile
    var transport: () -> org.companion.core.RelayTransport = { HttpsTransport() }

    private fun service(context: Context): SyncService = synchronized(this) {
        service ?: SyncService(
            App.device(context),
            transport(),
            object : SyncObserver {
                override fun onState(state: SyncState) {
                    this@Background.state = state
                }

                override fun onRecord(record: RecordSyncSummary) {}
            },
            // No plan diff from the service: each pass is followed by Reminders.replan, which
            // diffs the whole plan against the alarms set.
            null,
        ).also { service = it }
    }

    /** What the last pass changed in the alarms. */
    @Volatile
    var lastApplied: Reminders.Applied? = null
        private set

    /** One pass within `seconds`, then the reminders planned again. */
    fun syncOnce(context: Context, seconds: UInt = 60u): List<RecordSyncSummary> {
        val synced = service(context).syncOnce(seconds)
        lastApplied = Reminders(context).replan()
        return synced
    }

    /** Forgets the service (a test's fresh start). */
    fun reset() = synchronized(this) {
        service?.stop()
        service = null
    }
}

/**
 * The periodic and the on-demand background sync, as JobScheduler jobs: JobScheduler is the
 * framework's own (WorkManager would add AndroidX libraries whose .aar the JVM tests cannot
 * load, for a periodic job with a network constraint that JobScheduler does alike).
 */
class SyncJob : JobService() {
    override fun onStartJob(params: JobParameters): Boolean {
        Thread {
            val failed = try {
                Background.syncOnce(applicationContext, DEADLINE_SECONDS)
                false
            } catch (_: Exception) {
                true
            }
            jobFinished(params, failed)
        }.start()
        return true
    }

    override fun onStopJob(params: JobParameters): Boolean = true

    companion object {
        const val PERIODIC = 1
        const val NOW = 2
        /** A background pass's time: records not begun by then wait for the next pass. */
        const val DEADLINE_SECONDS = 120u

        private fun scheduler(context: Context) = context.getSystemService(JobScheduler::class.java)!!

        /** Every 30 minutes while a network is there (the phone batches it as it sees fit). */
        fun schedulePeriodic(context: Context) {
            scheduler(context).schedule(
                JobInfo.Builder(PERIODIC, ComponentName(context, SyncJob::class.java))
                    .setPeriodic(30 * 60 * 1000L)
                    .setRequiredNetworkType(JobInfo.NETWORK_TYPE_ANY)
                    .setPersisted(true)
                    .build(),
            )
        }

        /** As soon as a network is there (after a write, on opening the app). */
        fun syncSoon(context: Context) {
            scheduler(context).schedule(
                JobInfo.Builder(NOW, ComponentName(context, SyncJob::class.java))
                    .setRequiredNetworkType(JobInfo.NETWORK_TYPE_ANY)
                    .build(),
            )
        }
    }
}
