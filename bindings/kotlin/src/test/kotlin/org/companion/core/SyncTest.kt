package org.companion.core

import java.io.IOException
import java.net.URI
import java.net.http.HttpClient
import java.nio.file.Files
import java.nio.file.Path
import java.time.Instant
import java.util.concurrent.TimeUnit
import kotlin.test.AfterTest
import kotlin.test.BeforeTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/** The shell's side of sync: an HTTP client the core sends the relay's requests through. */
class JdkTransport : RelayTransport {
    private val client = HttpClient.newHttpClient()

    override fun send(request: HttpRequest): HttpResponse {
        val builder = java.net.http.HttpRequest.newBuilder(URI.create(request.url))
        for (h in request.headers) builder.header(h.name, h.value)
        val body = if (request.method == "GET") {
            java.net.http.HttpRequest.BodyPublishers.noBody()
        } else {
            java.net.http.HttpRequest.BodyPublishers.ofByteArray(request.body)
        }
        builder.method(request.method, body)
        val answer = try {
            client.send(builder.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray())
        } catch (e: IOException) {
            throw TransportException.NoAnswer(e.javaClass.simpleName)
        }
        val headers = answer.headers().map().flatMap { (name, values) -> values.map { HttpHeader(name, it) } }
        return HttpResponse(answer.statusCode().toUShort(), headers, answer.body())
    }
}

/** Sharing a record through a real relay process on loopback (`companion serve`). */
class SyncTest {
    private lateinit var dir: Path
    private lateinit var relay: Process
    private lateinit var url: String
    private val transport = JdkTransport()

    @BeforeTest
    fun setUp() {
        dir = Files.createTempDirectory("companion-kt-sync")
        val bin = System.getProperty("companion.bin") ?: error("companion.bin is not set")
        relay = ProcessBuilder(bin, "--db", dir.resolve("relay.db").toString(), "serve", "--listen", "127.0.0.1:0", "--open")
            .redirectError(dir.resolve("relay.log").toFile())
            .start()
        val line = relay.inputStream.bufferedReader().readLine() ?: error("the relay printed nothing")
        url = "http://" + line.removePrefix("listening on ").trim()
    }

    @AfterTest
    fun tearDown() {
        relay.destroy()
        relay.waitFor(10, TimeUnit.SECONDS)
        dir.toFile().deleteRecursively()
    }

    private fun bp(systolic: Int, diastolic: Int) = Reading(
        id = newId(),
        measurement = Measurement.BloodPressure(systolic.toUShort(), diastolic.toUShort(), null),
        at = Instant.now().toString(),
        enteredUnit = null,
        source = ReadingSource.Manual,
        note = null,
        loggedBy = null,
    )

    @Test
    fun aCaregiverJoinsSyncsAndSeesTheUrgentReading() {
        val patient = HealthRecord.create(dir.resolve("patient.db").toString(), keysOf(dir.resolve("patient.db").toString()), defaultProfile("Ana", "Europe/Berlin"))
        val invite = patient.invite(Role.CAREGIVER, null, 24u, url, transport)
        assertTrue(invite.code.endsWith("@$url"), invite.code)
        assertTrue(invite.qrPayload.startsWith("companion:join?"))
        val phases = mutableListOf<Phase>()
        val progress = object : SyncProgress {
            override fun onProgress(progress: Progress) {
                phases.add(progress.phase)
            }
        }
        val carer = HealthRecord.joinInvite(dir.resolve("carer.db").toString(), keysOf(dir.resolve("carer.db").toString()), invite.code, null, transport, progress)
        assertEquals(Role.CAREGIVER, carer.members().role)
        assertEquals(2, carer.members().members.size)
        assertTrue(Phase.PULL in phases, "$phases")

        patient.addReading(bp(185, 125))
        val pushed = patient.sync(transport, null)
        assertTrue(pushed.pushed >= 1uL)
        val pulled = carer.sync(transport, progress)
        assertEquals(1uL, pulled.applied)
        assertEquals(1, carer.readings(ReadingQuery(range = TimeRange())).readings.size)
        val today = carer.today(Instant.now().toString(), "Europe/Berlin")
        assertTrue(today.alerts.any { it.kind == AlertKind.HYPERTENSIVE_CRISIS }, "${today.alerts}")

        // The carer logs a reading for the patient; it reaches the patient.
        carer.addReading(bp(128, 82))
        carer.sync(transport, null)
        patient.sync(transport, null)
        assertEquals(2, patient.readings(ReadingQuery(range = TimeRange())).readings.size)
    }

    @Test
    fun aCaregiversDeviceHoldsTwoParentsAndSyncsThemAllWithTheAlertThatArrived() {
        val keys = TestKeyStore()
        val carer = Device.open(dir.resolve("carer").toString(), keys)
        val mum = Device.open(dir.resolve("mum").toString(), TestKeyStore()).create(defaultProfile("Mei", "Asia/Shanghai"))
        val dad = Device.open(dir.resolve("dad").toString(), TestKeyStore()).create(defaultProfile("Wei", "Asia/Shanghai"))
        for (parent in listOf(mum, dad)) {
            carer.join(parent.invite(Role.CAREGIVER, null, 1u, url, transport).code, null, transport, null).close()
        }
        val records = carer.records()
        assertEquals(listOf("Mei", "Wei"), records.map { it.patient })
        assertTrue(records.all { it.role == Role.CAREGIVER && it.lastSync != null && it.problem == null })
        assertFailsWith<CompanionException.WhichRecord> { carer.openRecord(null) }
        carer.openRecord("wei").use { assertEquals(dad.id(), it.id()) }
        assertTrue(keys.names().none { it.contains("Mei") || it.contains("Wei") }, "names only")

        mum.addReading(bp(186, 122))
        mum.sync(transport, null)
        val synced = carer.syncAll(transport)
        assertEquals(2, synced.size)
        assertTrue(synced.all { it.error == null && it.report != null })
        val mei = synced.first { it.patient == "Mei" }
        assertEquals(listOf(AlertKind.HYPERTENSIVE_CRISIS), mei.newAlerts.map { it.kind })
        assertTrue(synced.first { it.patient == "Wei" }.newAlerts.isEmpty())
        // The device's one plan (iOS: 64 pending for the whole app): the crisis is the
        // caregiver's to be told of, keyed by Mum's record; scheduled as planned, nothing
        // changes; lost, everything is set again.
        val plan = carer.planNotifications(java.time.Instant.now().toString(), "Asia/Shanghai", 48u, 64u)
        val crisis = plan.single { it.notification.kind == NotificationKind.SAFETY_ALERT }
        assertEquals(mum.id(), crisis.record)
        assertEquals("${mum.id()}/${crisis.notification.id}", crisis.key)
        assertTrue(crisis.forCaregiver)
        val scheduled = plan.map { ScheduledNotification(it.key, it.fingerprint) }
        assertEquals(PlanChanges(emptyList(), emptyList()), planChanges(scheduled, plan, false))
        val lost = planChanges(scheduled, plan, true)
        assertEquals(plan.map { it.key }.sorted(), lost.remove)
        assertEquals(plan, lost.add)
        // The same device over the same directory and key store, after a restart.
        assertEquals(2, Device.open(dir.resolve("carer").toString(), keys).records().size)
    }

    @Test
    fun aDoseLoggedWhileTheSyncServiceWaitsOnASlowRelayIsWrittenAtOnce() {
        val carer = Device.open(dir.resolve("carer").toString(), TestKeyStore())
        val mum = Device.open(dir.resolve("mum").toString(), TestKeyStore()).create(defaultProfile("Mei", "Asia/Shanghai"))
        val med = Medication(
            id = newId(), name = "Metformin", strength = "500 mg", form = MedicationForm.TABLET,
            dose = parseDose("500 mg"), instructions = null, prescriber = null, start = "2026-01-01",
            end = null, status = MedicationStatus.ACTIVE, inventory = null, refillDaysAhead = 3u,
            recordedAt = null, schedule = Schedule.FixedTimes(listOf("08:00", "20:00")),
            timeZone = TimeZonePolicy.Local, graceMinutes = 60u, lateDose = LateDosePolicy.HalfInterval,
        )
        mum.addMedication(med)
        carer.join(mum.invite(Role.CAREGIVER, null, 1u, url, transport).code, null, transport, null).close()
        mum.addReading(bp(186, 122))
        mum.sync(transport, null)

        // A relay that stops answering inside the service's first request until released.
        val entered = java.util.concurrent.CountDownLatch(1)
        val release = java.util.concurrent.CountDownLatch(1)
        val hold = java.util.concurrent.atomic.AtomicBoolean(true)
        val slow = object : RelayTransport {
            override fun send(request: HttpRequest): HttpResponse {
                if (hold.getAndSet(false)) {
                    entered.countDown()
                    release.await(60, TimeUnit.SECONDS)
                }
                return transport.send(request)
            }
        }
        val states = java.util.concurrent.CopyOnWriteArrayList<SyncState>()
        val records = java.util.concurrent.CopyOnWriteArrayList<RecordSyncSummary>()
        val observer = object : SyncObserver {
            override fun onState(state: SyncState) { states.add(state) }
            override fun onRecord(record: RecordSyncSummary) { records.add(record) }
        }
        val service = SyncService(carer, slow, observer, "Asia/Shanghai")
        val open = carer.openRecord("Mei")
        val pass = java.util.concurrent.CompletableFuture.supplyAsync { service.syncOnce(600u) }
        assertTrue(entered.await(60, TimeUnit.SECONDS), "the sync reached the relay")
        assertEquals(SyncState.Syncing, service.state())
        // "Taken" from the notification while the relay keeps the sync waiting.
        val taken = java.util.concurrent.CompletableFuture.supplyAsync {
            open.logDose(DoseEvent(newId(), med.id, null, DoseStatus.TAKEN, Instant.now().toString(), null, "Li", null, null, false))
        }
        val written = runCatching { taken.get(20, TimeUnit.SECONDS) }
        release.countDown()
        assertTrue(written.isSuccess, "the dose waited for the sync: ${written.exceptionOrNull()}")
        val synced = pass.get(60, TimeUnit.SECONDS)
        assertEquals(1, synced.size)
        assertEquals(null, synced[0].error)
        assertEquals(listOf<SyncState>(SyncState.Syncing, SyncState.Idle), states.toList())
        assertEquals(listOf(AlertKind.HYPERTENSIVE_CRISIS), records.single().newAlerts.map { it.kind })
        assertTrue(records.single().planAdd.isNotEmpty(), "the alert's notification is to be scheduled")
        open.close()
        service.destroy()
    }

    @Test
    fun aSubscriptionDeliversWhatAnotherDeviceSendsWithoutBeingAsked() {
        val patient = HealthRecord.create(dir.resolve("patient.db").toString(), keysOf(dir.resolve("patient.db").toString()), defaultProfile("Ana", "Europe/Berlin"))
        val code = patient.invite(Role.CAREGIVER, null, 1u, url, transport).code
        val carer = HealthRecord.joinInvite(dir.resolve("carer.db").toString(), keysOf(dir.resolve("carer.db").toString()), code, null, transport, null)
        val reports = java.util.concurrent.LinkedBlockingQueue<SyncReport>()
        val stopped = java.util.concurrent.LinkedBlockingQueue<String>()
        val listener = object : SyncListener {
            override fun onSync(report: SyncReport) { reports.add(report) }
            override fun onUnreachable() {}
            override fun onStopped(reason: String) { stopped.add(reason) }
        }
        assertFailsWith<CompanionException.InvalidInput> { carer.subscribe(transport, listener, 0u) }
        val subscription = carer.subscribe(transport, listener, 3u)
        assertTrue(reports.poll(10, TimeUnit.SECONDS) != null, "the first sync is reported")
        // While the subscription waits at the relay, the record is free for other calls.
        assertEquals(Role.CAREGIVER, carer.members().role)
        val sent = Instant.now()
        patient.addReading(bp(150, 95))
        patient.sync(transport, null)
        val arrived = reports.poll(10, TimeUnit.SECONDS) ?: error("nothing arrived")
        assertEquals(1uL, arrived.applied)
        assertTrue(java.time.Duration.between(sent, Instant.now()).seconds < 5, "pushed, not polled on a timer")
        assertEquals(1, carer.readings(ReadingQuery(range = TimeRange())).readings.size)
        subscription.cancel()
        assertEquals("cancelled", stopped.poll(10, TimeUnit.SECONDS))
        // The owner removes the carer: a subscription that is still running stops, refused.
        val second = carer.subscribe(transport, listener, 20u)
        patient.removeMember(carer.members().device, transport)
        val refused = stopped.poll(30, TimeUnit.SECONDS) ?: error("the subscription did not stop")
        assertTrue(refused.contains("refused"), refused)
        second.cancel()
    }

    @Test
    fun anInviteSaysWhatTheRoleMayDoAndMembersAreNamedWithWhoInvitedThem() {
        val patient = HealthRecord.create(dir.resolve("patient.db").toString(), keysOf(dir.resolve("patient.db").toString()), defaultProfile("Ana", "Europe/Berlin"))
        val statement = patient.inviteStatement(Role.CAREGIVER)
        assertTrue(statement.startsWith("A caregiver sees everything in Ana's record"), statement)
        assertTrue(statement.contains("may not change medications"), statement)
        assertFailsWith<CompanionException.InvalidInput> { patient.invite(Role.CAREGIVER, "Li\nBo", 1u, url, transport) }
        assertEquals(false, patient.isShared(), "a refused name shares nothing")
        val code = patient.invite(Role.CAREGIVER, "Li (son)", 1u, url, transport).code
        val carer = HealthRecord.joinInvite(dir.resolve("carer.db").toString(), keysOf(dir.resolve("carer.db").toString()), code, null, transport, null)
        patient.sync(transport, null)
        for (record in listOf(patient, carer)) {
            val members = record.members().members
            assertEquals(listOf(Role.OWNER, Role.CAREGIVER), members.map { it.role }, "in the order admitted")
            val (owner, son) = members
            assertEquals("Ana", owner.name)
            assertEquals("Li (son)", son.name)
            assertEquals(owner.device, son.invitedBy)
            assertEquals("Ana", son.invitedByName)
            assertTrue(son.invitedMs != null && son.joinedMs != null)
            assertTrue("doses" in son.mayWrite && "medications" !in son.mayWrite, "${son.mayWrite}")
        }
    }

    @Test
    fun aViewerWritesNothingAndAnInviteServesOnce() {
        val patient = HealthRecord.create(dir.resolve("patient.db").toString(), keysOf(dir.resolve("patient.db").toString()), defaultProfile("Ana", "Europe/Berlin"))
        val code = patient.invite(Role.VIEWER, null, 1u, url, transport).code
        val viewer = HealthRecord.joinInvite(dir.resolve("viewer.db").toString(), keysOf(dir.resolve("viewer.db").toString()), code, null, transport, null)
        assertFailsWith<CompanionException.NotPermitted> { viewer.addReading(bp(120, 80)) }
        assertFailsWith<CompanionException.NotOwner> { viewer.invite(Role.VIEWER, null, 1u, null, transport) }
        val again = assertFailsWith<CompanionException.InviteRefused> {
            HealthRecord.joinInvite(dir.resolve("other.db").toString(), keysOf(dir.resolve("other.db").toString()), code, null, transport, null)
        }
        assertEquals("already used", again.reason)
        assertTrue(Files.notExists(dir.resolve("other.db")))
        assertFailsWith<CompanionException.InvalidSyncData> {
            HealthRecord.joinInvite(dir.resolve("x.db").toString(), keysOf(dir.resolve("x.db").toString()), "not a code", null, transport, null)
        }
        // The owner removes the viewer: the relay refuses it from then on.
        patient.removeMember(viewer.members().device, transport)
        val refused = assertFailsWith<CompanionException.RelayRefused> { viewer.sync(transport, null) }
        assertEquals("not_member", refused.code)
        // A relay that is gone: a typed error, and the change waits for the next sync.
        patient.addReading(bp(130, 85))
        relay.destroy()
        relay.waitFor(10, TimeUnit.SECONDS)
        assertFailsWith<CompanionException.RelayUnreachable> { patient.sync(transport, null) }
        assertEquals(1uL, patient.members().unsent)
    }
}
