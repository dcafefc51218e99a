import XCTest
@testable import CompanionKit

/// The screens, through the generated bindings and the core, in English and in Chinese: what
/// each shows and what its buttons write. Mirrors the Android app's ScreensTest.
final class ScreensTests: AppTestCase {
    var record: HealthRecord!

    override func setUpWithError() throws {
        try super.setUpWithError()
        zone = "Asia/Shanghai"
        // 08:30 in Shanghai today: the 08:00 dose is due.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone)!
        now = calendar.date(bySettingHour: 8, minute: 30, second: 0, of: Date().addingTimeInterval(-86400))!
        record = try App.openDevice().create(profile: try defaultProfile(name: "Mei", homeTimeZone: zone))
        var metformin = medication("Metformin", ["08:00"])
        metformin.dose = try parseDose(text: "500 mg")
        try record.addMedication(medication: metformin)
    }

    private func screens(_ w: Words) -> [Screen] {
        [
            TodayScreen(words: w), ReadingScreen(words: w), MedicationsScreen(words: w), JournalScreen(words: w),
            SharingScreen(words: w), SettingsScreen(permissions: TestPermissions(), defaults: defaults, words: w),
        ]
    }

    private var readings: [Reading] {
        (try? record.readings(query: ReadingQuery(range: TimeRange())).readings) ?? []
    }

    func test_everyScreenRendersInEnglish() {
        let titles = ["Today: Mei", "Log a reading", "Medications", "Journal", "Sharing", "Settings"]
        for (screen, title) in zip(screens(words("en")), titles) {
            XCTAssertEqual(title, screen.texts.first, "\(screen.texts)")
        }
    }

    func test_everyScreenRendersInChinese() {
        let titles = ["今天：Mei", "记录读数", "用药", "日记", "共享", "设置"]
        for (screen, title) in zip(screens(words("zh-Hans")), titles) {
            XCTAssertEqual(title, screen.texts.first, "\(screen.texts)")
            // Only the core's words and what was typed may be in English here.
            let labels = screen.items.compactMap { item -> String? in if case .button(let s) = item { return s } else { return nil } }
            for english in ["Save", "Add", "Invite", "Taken", "Due now", "Allow"] {
                XCTAssertFalse((screen.texts + labels).contains { $0.hasPrefix(english) }, "\(english) in \(screen.texts)")
            }
        }
    }

    func test_todayShowsTheDueDoseAndTakenLogsIt() throws {
        let today = TodayScreen(words: words("en"))
        XCTAssertTrue(today.texts.contains("08:00  Metformin 500 mg"), "\(today.texts)")
        today.click("Taken")
        XCTAssertEqual([.taken], try record.doses(medicationId: nil, from: nil, to: nil).map { $0.status })
        let after = today.texts
        XCTAssertLessThan(after.firstIndex(of: "Done")!, after.lastIndex(of: "08:00  Metformin 500 mg")!, "\(after)")
        today.click("Log a reading")
        XCTAssertEqual(.reading, today.next)
    }

    func test_todayInChinese() throws {
        let today = TodayScreen(words: words("zh-Hans"))
        XCTAssertTrue(today.texts.contains("今天：Mei") && today.texts.contains("现在该服"), "\(today.texts)")
        today.click("已服")
        XCTAssertEqual(1, try record.doses(medicationId: nil, from: nil, to: nil).count)
    }

    func test_aReadingIsLoggedAndWhatItMeansIsShown() throws {
        let screen = ReadingScreen(words: words("en"))
        screen.type("Systolic", "186")
        screen.type("Diastolic", "122")
        screen.click("Save")
        XCTAssertEqual(1, readings.count)
        XCTAssertTrue(screen.texts.contains { $0.hasPrefix("Saved: 186/122 mmHg") }, "\(screen.texts)")
        XCTAssertFalse(try record.alerts(from: nil, to: nil).isEmpty, "the urgent alert is raised and shown")
    }

    func test_aWeightIsTypedInTheRecordsUnitAndANumberOutOfRangeIsSaid() throws {
        var profile = try record.profile()
        profile.units.weight = .lb
        try record.setProfile(profile: profile)
        let screen = ReadingScreen(words: words("en"))
        screen.click("Weight (lb)")
        screen.type("Value", "150")
        screen.click("Save")
        let weight = try XCTUnwrap(readings.first)
        guard case .weight(let kg) = weight.measurement else { return XCTFail("a weight") }
        XCTAssertEqual(68.04, kg, accuracy: 0.01, "150 lb is stored in kg")
        XCTAssertEqual("lb", weight.enteredUnit)
        // A pressure past what the record holds is said, not wrapped into another.
        screen.click("Blood pressure")
        screen.type("Systolic", "65656")
        screen.type("Diastolic", "80")
        screen.click("Save")
        XCTAssertTrue(screen.texts.contains("Enter a number"), "\(screen.texts)")
        XCTAssertEqual(1, readings.count)
    }

    func test_aWeightInChinese() {
        let screen = ReadingScreen(words: words("zh-Hans"))
        screen.click("体重（千克）")
        screen.type("数值", "61.5")
        screen.click("保存")
        XCTAssertTrue(screen.texts.contains { $0.hasPrefix("已保存：") }, "\(screen.texts)")
    }

    func test_aMedicationIsAddedWithItsTimes() throws {
        let screen = MedicationsScreen(words: words("en"))
        screen.type("Name", "Ramipril")
        screen.type("Dose, like 500 mg", "5 mg")
        screen.type("Times, like 08:00,20:00", "08:00, 20:00")
        screen.click("Add")
        let meds = try record.medications(includeStopped: false)
        XCTAssertEqual(.fixedTimes(times: ["08:00", "20:00"]), meds.first { $0.name == "Ramipril" }?.schedule)
        XCTAssertTrue(screen.texts.contains { $0.hasPrefix("Ramipril  5 mg  08:00, 20:00") }, "\(screen.texts)")
        // Every 8 hours from 06:00.
        screen.click("Every few hours")
        screen.type("Name", "Amoxicillin")
        screen.type("Dose, like 500 mg", "500 mg")
        screen.type("First dose, like 06:00", "06:00")
        screen.type("Hours apart", "8")
        screen.click("Add")
        guard case .everyNHours(let hours, let first, _, _)? = try record.medications(includeStopped: false)
            .first(where: { $0.name == "Amoxicillin" })?.schedule else { return XCTFail("every 8 hours") }
        XCTAssertEqual(8, hours)
        XCTAssertEqual("06:00", first)
        // On weekdays; a bad time is refused in the core's words and nothing is added.
        screen.click("On some weekdays")
        screen.type("Name", "Methotrexate")
        screen.type("Dose, like 500 mg", "10 mg")
        screen.type("Times, like 08:00,20:00", "25:00")
        screen.type("Days, like mon,wed,fri", "mon")
        screen.click("Add")
        XCTAssertTrue(screen.texts.contains { $0.hasPrefix("Not done: ") }, "\(screen.texts)")
        XCTAssertFalse(try record.medications(includeStopped: false).contains { $0.name == "Methotrexate" })
        // Every other type the form offers adds a medication of that type.
        let added: [(String, [(String, String)])] = [
            ("Every few days", [("Every how many days", "3"), ("Times, like 08:00,20:00", "09:00")]),
            ("On days of the month", [("Days of the month, like 1,15", "1,15"), ("Times, like 08:00,20:00", "09:00")]),
            ("Around meals", [("Meals, like breakfast,dinner", "breakfast,dinner"), ("Minutes before (-) or after (+)", "-30")]),
            ("In cycles (days on, days off)", [("Days on", "21"), ("Days off", "7"), ("Times, like 08:00,20:00", "08:00")]),
            ("Tapering", [("Steps, like 7:20 mg, 7:10 mg", "7:20 mg, 7:10 mg"), ("Times, like 08:00,20:00", "08:00")]),
            ("After another medication", [("After which medication (its name)", "Ramipril"), ("Minutes before (-) or after (+)", "30")]),
            ("As needed", []),
        ]
        for (type, fields) in added {
            screen.click(type)
            screen.type("Name", "Med \(type)")
            screen.type("Dose, like 500 mg", "1 tablet")
            for (hint, value) in fields { screen.type(hint, value) }
            screen.click("Add")
            XCTAssertTrue(try record.medications(includeStopped: false).contains { $0.name == "Med \(type)" }, "\(type): \(screen.texts)")
        }
    }

    func test_theJournalInChinese() throws {
        let screen = JournalScreen(words: words("zh-Hans"))
        screen.type("今天的情况", "睡得很好")
        screen.type("心情，1（很差）到 5（很好）", "4")
        screen.click("保存")
        XCTAssertEqual(["睡得很好"], try record.journal(from: nil, to: nil).map { $0.text })
        XCTAssertTrue(screen.texts.contains { $0.hasSuffix("(4/5) 睡得很好") }, "\(screen.texts)")
    }

    func test_anInviteSaysWhatTheRoleMayDoThenShowsItsCodeAndQr() throws {
        let relay = try TestRelay()
        defer { relay.close() }
        now = Date()
        let screen = SharingScreen(words: words("en"))
        screen.type("For whom (shown to the others)", "Li (son)")
        screen.type("Relay address (first invite)", relay.url)
        screen.click("Invite")
        XCTAssertTrue(screen.texts.contains { $0.hasPrefix("A caregiver sees everything in Mei's record") }, "\(screen.texts)")
        screen.click("Share on these terms")
        let code = try XCTUnwrap(screen.issued)
        XCTAssertTrue(code.hasSuffix("@\(relay.url)"), code)
        XCTAssertTrue(screen.texts.contains("Code: \(code)"))
        XCTAssertEqual(1, screen.items.filter { if case .qr = $0 { return true } else { return false } }.count)
        XCTAssertTrue(screen.texts.contains { $0.hasPrefix("Mei · owner") }, "\(screen.texts)")
    }

    func test_settingsSayWhatIsMissingAndOpenWhereToAllowIt() {
        let permissions = TestPermissions()
        permissions.notifications = false
        let screen = SettingsScreen(permissions: permissions, defaults: defaults, words: words("en"))
        XCTAssertTrue(screen.texts.contains("Notifications are off: reminders cannot be shown."), "\(screen.texts)")
        screen.click("Allow notifications")
        XCTAssertEqual(1, permissions.asked)
        // Chinese chosen in the app: the screen follows.
        screen.click("简体中文")
        XCTAssertEqual("设置", screen.texts.first)
        XCTAssertEqual("zh-Hans", center.buttonsIn, "the dose buttons are titled in Chinese")
        XCTAssertTrue(screen.texts.contains("语言：简体中文"), "\(screen.texts)")
        XCTAssertEqual("今天：Mei", TodayScreen(words: Words.current(defaults)).texts.first)
        screen.click("跟随手机")
        XCTAssertTrue(Words.followsPhone(defaults))
    }
}
