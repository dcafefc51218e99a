import XCTest
@testable import CompanionKit

/// A clinician changes a dose time on the clinic's device; the patient's app syncs in the
/// background and only that medication's requests move. Mirrors the Android app's
/// ClinicianTest.
final class ClinicianTests: AppTestCase {
    var relay: TestRelay!
    var clinic: HealthRecord!

    override func setUpWithError() throws {
        try super.setUpWithError()
        relay = try TestRelay()
        let mei = try App.openDevice().create(profile: try defaultProfile(name: "Mei", homeTimeZone: zone))
        for m in [metformin, amlodipine, atorvastatin] { try mei.addMedication(medication: m) }
        let code = try mei.invite(role: .clinician, name: "Dr. Lee", validHours: 1, relay: relay.url, transport: URLSessionTransport()).code
        clinic = try Device.open(dir: relay.dir.appendingPathComponent("clinic").path, keyStore: TestKeys())
            .join(code: code, name: nil, transport: URLSessionTransport(), progress: nil)
    }

    override func tearDown() {
        relay?.close()
        super.tearDown()
    }

    func test_aDoseTimeTheClinicianChangesMovesOnlyItsAlarms() throws {
        try Reminders().replan()
        let before = center.requests
        XCTAssertTrue(before.contains { $0.medications.contains(atorvastatin.id) })

        var moved = atorvastatin
        moved.schedule = .fixedTimes(times: ["22:00"])
        try clinic.updateMedication(medication: moved)
        _ = try clinic.sync(transport: URLSessionTransport(), progress: nil)
        let synced = try Background.shared.syncOnce(seconds: 30)
        XCTAssertEqual([atorvastatin.id], synced.first?.medicationsChanged.map { $0.id })
        let applied = try XCTUnwrap(Background.shared.lastApplied)
        XCTAssertFalse(applied.added.isEmpty || applied.removed.isEmpty, "\(applied)")
        let changed = Set(applied.added + applied.removed)
        for r in before + center.requests {
            XCTAssertEqual(r.medications.contains(atorvastatin.id), changed.contains(r.key), r.key)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        XCTAssertTrue(center.requests.filter { $0.medications.contains(atorvastatin.id) }
            .allSatisfy { calendar.component(.hour, from: $0.fireAt) >= 22 }, "22:00, and its missed-dose reminder after")
    }
}
