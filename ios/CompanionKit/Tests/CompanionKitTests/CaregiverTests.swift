import XCTest
@testable import CompanionKit

/// A caregiver's app, sharing Mei's record through a real relay process on loopback (the CLI's
/// `companion serve`, COMPANION_BIN), synced by the app's background sync over URLSession: it
/// is told of Mei's dose not logged, never "take your dose", and an urgent reading Mei logged
/// is in the urgent thread. Mirrors the Android app's CaregiverTest.
final class CaregiverTests: AppTestCase {
    var relay: TestRelay!
    var mei: HealthRecord!
    var scheduler = RecordingScheduler()

    override func setUpWithError() throws {
        try super.setUpWithError()
        relay = try TestRelay()
        Background.shared.scheduler = scheduler
        // Mei's own phone (another device, in this process), sharing her record.
        mei = try Device.open(dir: relay.dir.appendingPathComponent("mei").path, keyStore: TestKeys())
            .create(profile: try defaultProfile(name: "Mei", homeTimeZone: zone))
        var metformin = medication("Metformin", ["08:00"], recordedDaysAgo: 2)
        metformin.dose = try parseDose(text: "500 mg")
        try mei.addMedication(medication: metformin)
        let code = try mei.invite(role: .caregiver, name: "Li (son)", validHours: 1, relay: relay.url, transport: URLSessionTransport()).code
        _ = try App.openDevice().join(code: code, name: "Li", transport: URLSessionTransport(), progress: nil)
    }

    override func tearDown() {
        relay?.close()
        super.tearDown()
    }

    func test_theCaregiverIsToldOfTheDoseNotLoggedAndOfTheUrgentReading() throws {
        try Reminders().replan()
        XCTAssertFalse(center.requests.isEmpty)
        XCTAssertFalse(center.requests.contains { $0.kind == .dose }, "never 'take your dose'")
        let missed = try XCTUnwrap(center.requests.first { $0.kind == .missedDose })
        XCTAssertEqual(Notifications.caregiver, missed.thread)
        XCTAssertEqual("Mei's 08:00 Metformin is not logged yet", missed.title)
        XCTAssertNil(missed.category, "nothing to log from the caregiver's reminder")

        // Mei logs a dangerous reading and syncs; the background sync brings it.
        _ = try mei.recordReading(reading: Reading(
            id: newId(), measurement: .bloodPressure(systolic: 186, diastolic: 122, pulse: nil), at: App.now(), source: .manual))
        _ = try mei.sync(transport: URLSessionTransport(), progress: nil)
        let synced = try Background.shared.syncOnce(seconds: 30)
        XCTAssertEqual(1, synced.count)
        XCTAssertNil(synced[0].error)
        XCTAssertFalse(synced[0].newAlerts.isEmpty)
        let urgent = try XCTUnwrap(center.requests.first { $0.kind == .safetyAlert })
        XCTAssertEqual(Notifications.urgent, urgent.thread)
        XCTAssertTrue(urgent.title.hasPrefix("Mei: "), urgent.title)
    }

    func test_theBackgroundSyncIsAPeriodicJobAndAnOnDemandOne() throws {
        // The periodic refresh: asked for on launch and again at every run.
        Background.shared.scheduleNext()
        XCTAssertEqual(Background.refresh, scheduler.submitted.last?.0)
        XCTAssertEqual(Background.every, scheduler.submitted.last!.1.timeIntervalSince(now), accuracy: 1)
        // On demand: a pass now syncs the record and plans again.
        let synced = try Background.shared.syncOnce(seconds: 30)
        XCTAssertEqual(1, synced.count)
        XCTAssertNotNil(Background.shared.lastApplied)
    }
}
