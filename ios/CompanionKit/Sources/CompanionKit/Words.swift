import Foundation

/// The app's own words, in English and Simplified Chinese, from the String Catalog
/// (Resources/Localizable.xcstrings), in the language chosen in the app's settings, else the
/// phone's. What the core says (reminders, alerts, advice, refusals) comes worded from the core
/// in the record's language; these are the shell's buttons and notices.
public struct Words {
    /// `en` or `zh-Hans`.
    public let code: String
    private let bundle: Bundle

    public init(code: String) {
        self.code = code == "zh-Hans" ? "zh-Hans" : "en"
        let path = Bundle.module.path(forResource: self.code, ofType: "lproj")
        bundle = path.flatMap(Bundle.init(path:)) ?? Bundle.module
    }

    private static let chosenKey = "companion.language"

    /// The words of the language chosen in the app, else of the phone's.
    public static func current(_ defaults: UserDefaults = .standard) -> Words {
        if let chosen = defaults.string(forKey: chosenKey) { return Words(code: chosen) }
        let phone = Locale.preferredLanguages.first ?? "en"
        return Words(code: phone.hasPrefix("zh") ? "zh-Hans" : "en")
    }

    /// Chooses the app's language (`en`, `zh-Hans`), or the phone's with nil.
    public static func choose(_ code: String?, _ defaults: UserDefaults = .standard) {
        if let code { defaults.set(code, forKey: chosenKey) } else { defaults.removeObject(forKey: chosenKey) }
    }

    /// Whether the app follows the phone's language.
    public static func followsPhone(_ defaults: UserDefaults = .standard) -> Bool {
        defaults.string(forKey: chosenKey) == nil
    }

    /// The record's language for the core's own texts.
    public var language: Language { code == "zh-Hans" ? .simplifiedChinese : .english }

    private func t(_ key: String) -> String { bundle.localizedString(forKey: key, value: key, table: nil) }
    private func f(_ key: String, _ args: CVarArg...) -> String { String(format: t(key), arguments: args) }

    // Screens.
    public func todayTitle(_ patient: String) -> String { f("Today: %@", patient) }
    public var alerts: String { t("Needs attention") }
    public var due: String { t("Due now") }
    public var missed: String { t("Missed") }
    public var done: String { t("Done") }
    public var measurements: String { t("Measurements") }
    public var journeyTasks: String { t("Care journey") }
    public var nothing: String { t("Nothing here") }
    public var logReading: String { t("Log a reading") }
    public var medications: String { t("Medications") }
    public var journal: String { t("Journal") }
    public var sharing: String { t("Sharing") }
    public var settings: String { t("Settings") }
    public var save: String { t("Save") }
    public var bloodPressure: String { t("Blood pressure") }
    public var glucose: String { t("Glucose") }
    public func weightIn(_ symbol: String) -> String {
        f("Weight (%@)", code == "zh-Hans" ? (symbol == "kg" ? "千克" : symbol == "lb" ? "磅" : symbol) : symbol)
    }
    public func temperatureIn(_ symbol: String) -> String { f("Temperature (%@)", symbol) }
    public var spo2: String { t("Oxygen saturation (%)") }
    public var systolic: String { t("Systolic") }
    public var diastolic: String { t("Diastolic") }
    public var pulse: String { t("Pulse (optional)") }
    public func glucoseIn(_ unit: String) -> String { f("Glucose (%@)", unit) }
    public var beforeMeal: String { t("Before a meal") }
    public var afterMeal: String { t("After a meal") }
    public var fasting: String { t("Fasting") }
    public var value: String { t("Value") }
    public func saved(_ what: String) -> String { f("Saved: %@", what) }
    public var notANumber: String { t("Enter a number") }
    public var name: String { t("Name") }
    public var dose: String { t("Dose, like 500 mg") }
    public var times: String { t("Times, like 08:00,20:00") }
    public var asNeeded: String { t("As needed") }
    /// The schedule types the add form offers, in `MedicationsScreen.ScheduleType`'s order.
    public var scheduleTypes: [String] {
        [
            t("At times each day"), t("Every few hours"), t("On some weekdays"), t("Every few days"),
            t("On days of the month"), t("Around meals"), t("In cycles (days on, days off)"),
            t("Tapering"), t("After another medication"), asNeeded,
        ]
    }
    public var everyDays: String { t("Every how many days") }
    public var monthDays: String { t("Days of the month, like 1,15") }
    public var meals: String { t("Meals, like breakfast,dinner") }
    public var offset: String { t("Minutes before (-) or after (+)") }
    public var daysOn: String { t("Days on") }
    public var daysOff: String { t("Days off") }
    public var taperSteps: String { t("Steps, like 7:20 mg, 7:10 mg") }
    public var afterWhich: String { t("After which medication (its name)") }
    public func everyNDaysAt(_ n: String, _ times: String) -> String { f("every %@ days at %@", n, times) }
    public var firstTime: String { t("First dose, like 06:00") }
    public var hours: String { t("Hours apart") }
    public var weekdays: String { t("Days, like mon,wed,fri") }
    public func everyHours(_ n: String, _ first: String) -> String { f("every %@ hours from %@", n, first) }
    public var add: String { t("Add") }
    public func supplyUntil(_ date: String) -> String { f("runs out on %@", date) }
    public var mood: String { t("Mood, 1 (very bad) to 5 (very good)") }
    public var text: String { t("What happened today") }
    public var invite: String { t("Invite") }
    public var inviteName: String { t("For whom (shown to the others)") }
    public var relay: String { t("Relay address (first invite)") }
    public var confirm: String { t("Share on these terms") }
    public var cancel: String { t("Cancel") }
    public func inviteCode(_ code: String) -> String { f("Code: %@", code) }
    public var members: String { t("Members") }
    public var remove: String { t("Remove") }
    public func invitedBy(_ name: String) -> String { f("invited by %@", name) }
    public var joinCode: String { t("Invite code") }
    public var join: String { t("Join") }
    public func role(_ role: Role) -> String {
        switch role {
        case .owner: return t("owner")
        case .caregiver: return t("caregiver")
        case .clinician: return t("clinician")
        case .viewer: return t("viewer")
        }
    }
    public var allowNotifications: String { t("Allow notifications") }
    public var notificationsOk: String { t("Notifications are allowed.") }
    public var notificationsOff: String { t("Notifications are off: reminders cannot be shown.") }
    public var refreshOff: String {
        t("Background App Refresh is off: what others log arrives only while the app is open.")
    }
    public var refreshOk: String { t("Background App Refresh is on.") }
    public var openSettings: String { t("Open Settings") }
    public func languageIs(_ name: String) -> String { f("Language: %@ (follows the phone's)", name) }
    public func languageChosen(_ name: String) -> String { f("Language: %@", name) }
    public var languageName: String { t("English") }
    public var followPhone: String { t("Follow the phone") }
    public func failed(_ why: String) -> String { f("Not done: %@", why) }

    // Notifications.
    public var taken: String { t("Taken") }
    public var snooze: String { t("Snooze") }
    public var skip: String { t("Skip") }

    /// A dose logged already: when, and by whom when another member logged it.
    public func alreadyTaken(time: String, by: String?) -> String {
        if let by { return f("Already logged as taken at %@ by %@", time, by) }
        return f("Already logged as taken at %@", time)
    }

    /// A dose action the record refused, with the core's words.
    public func refused(_ why: String) -> String { f("Not logged: %@", why) }

    /// `HH:mm` of an RFC 3339 time, on the phone's clock.
    public func clock(_ rfc3339: String) -> String {
        guard let date = instant(rfc3339) else { return rfc3339 }
        let format = DateFormatter()
        format.dateFormat = "HH:mm"
        format.timeZone = TimeZone(identifier: App.zone()) ?? .current
        return format.string(from: date)
    }
}
