import Foundation

/// The medications with their schedules and supply, and adding one of any schedule type the
/// core plans. What is typed goes to the core as typed: the core checks it and says what is
/// wrong.
public final class MedicationsScreen: Screen {
    /// The schedule types, in `Words.scheduleTypes`' order.
    public enum ScheduleType: Int, CaseIterable {
        case atTimes, everyNHours, onWeekdays, everyNDays, daysOfMonth, meals, cycle, tapering, afterDose, asNeeded
    }

    /// The schedule type chosen for the next medication.
    public var scheduleType: ScheduleType = .atTimes

    override public func build(_ record: HealthRecord) {
        heading(words.medications)
        let supply = Dictionary(((try? record.refillStatus(now: App.now(), deviceZone: App.zone())) ?? []).map { ($0.medicationId, $0) },
                                uniquingKeysWith: { a, _ in a })
        for m in (try? record.medications(includeStopped: false)) ?? [] {
            let schedule: String
            switch m.schedule {
            case .fixedTimes(let times): schedule = times.joined(separator: ", ")
            case .everyNHours(let hours, let first, _, _): schedule = words.everyHours(String(hours), first)
            case .weekdays(let days, let times):
                schedule = days.map { "\($0)" }.joined(separator: ",") + " " + times.joined(separator: ", ")
            case .everyNDays(let days, let times): schedule = words.everyNDaysAt(String(days), times.joined(separator: ", "))
            case .asNeeded: schedule = words.asNeeded
            default: schedule = "\(m.schedule)".components(separatedBy: "(").first ?? ""
            }
            let runsOut = supply[m.id]?.runsOutOn.map { "  " + words.supplyUntil($0) } ?? ""
            text("\(m.name)  \(doseText(m.dose))  \(schedule)\(runsOut)")
        }
        field(words.name)
        field(words.dose)
        for (i, label) in words.scheduleTypes.enumerated() {
            choice(label, chosen: i == scheduleType.rawValue) { [unowned self] in
                self.scheduleType = ScheduleType(rawValue: i) ?? .atTimes
                self.render()
            }
        }
        let needs = Self.fields[scheduleType] ?? []
        let hints: [(String, String, Bool)] = [
            ("times", words.times, false), ("first", words.firstTime, false), ("hours", words.hours, true),
            ("weekdays", words.weekdays, false), ("every", words.everyDays, true), ("monthdays", words.monthDays, false),
            ("meals", words.meals, false), ("offset", words.offset, false), ("cycle", words.daysOn, true),
            ("cycle", words.daysOff, true), ("steps", words.taperSteps, false), ("after", words.afterWhich, false),
        ]
        for (need, hint, number) in hints where needs.contains(need) { field(hint, number: number) }
        button(words.add) { [unowned self] in self.add(record) }
    }

    private func list(_ hint: String) -> [String] {
        value(hint).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private func number(_ hint: String) -> UInt32 { UInt32(value(hint)) ?? 0 }

    private func add(_ record: HealthRecord) {
        attempt {
            let times = list(words.times)
            let schedule: Schedule
            switch scheduleType {
            case .atTimes: schedule = .fixedTimes(times: times)
            case .everyNHours:
                schedule = .everyNHours(hours: number(words.hours), first: value(words.firstTime), fromLastTaken: false, window: nil)
            case .onWeekdays:
                let days = list(words.weekdays).compactMap { d in Weekday.allDays.first { "\($0)" == d.prefix(3).lowercased() } }
                schedule = .weekdays(days: days, times: times)
            case .everyNDays: schedule = .everyNDays(days: number(words.everyDays), times: times)
            case .daysOfMonth: schedule = .daysOfMonth(days: list(words.monthDays).compactMap { UInt32($0) }, times: times)
            case .meals:
                let meals = list(words.meals).compactMap { m in Meal.allMeals.first { "\($0)" == m.lowercased() } }
                schedule = .mealRelative(meals: meals, offsetMinutes: Int32(value(words.offset)) ?? 0)
            case .cycle: schedule = .cyclic(onDays: number(words.daysOn), offDays: number(words.daysOff), times: times)
            case .tapering:
                let steps = try list(words.taperSteps).map { step -> TaperStep in
                    let parts = step.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    return TaperStep(days: UInt32(parts[0]) ?? 0, dose: try parseDose(text: parts.count > 1 ? parts[1] : ""), times: times)
                }
                schedule = .tapering(steps: steps)
            case .afterDose:
                let after = (try record.medications(includeStopped: false)).first {
                    $0.name.caseInsensitiveCompare(value(words.afterWhich)) == .orderedSame
                }
                schedule = .afterDose(medicationId: after?.id ?? "", offsetMinutes: UInt32(value(words.offset)) ?? 0)
            case .asNeeded: schedule = .asNeeded(AsNeededLimits(maxPerDay: 4, minIntervalMinutes: 240))
            }
            let start = String(App.nowHere().prefix(10))
            try record.addMedication(medication: Medication(
                id: newId(), name: value(words.name), form: .tablet, dose: try parseDose(text: value(words.dose)),
                start: start, status: .active, refillDaysAhead: 7, recordedAt: App.now(), schedule: schedule,
                timeZone: .local, graceMinutes: 60, lateDose: .halfInterval))
            typed = [:]
            _ = try? Reminders().replan()
            render()
        }
    }

    /// The fields each schedule type asks for.
    private static let fields: [ScheduleType: Set<String>] = [
        .atTimes: ["times"], .everyNHours: ["first", "hours"], .onWeekdays: ["weekdays", "times"],
        .everyNDays: ["every", "times"], .daysOfMonth: ["monthdays", "times"], .meals: ["meals", "offset"],
        .cycle: ["cycle", "times"], .tapering: ["steps", "times"], .afterDose: ["after", "offset"], .asNeeded: [],
    ]
}

extension Weekday {
    /// Monday to Sunday.
    static let allDays: [Weekday] = [.mon, .tue, .wed, .thu, .fri, .sat, .sun]
}

extension Meal {
    /// The meals a schedule can follow.
    static let allMeals: [Meal] = [.breakfast, .lunch, .dinner, .bedtime]
}

/// The journal: what happened, and a mood from 1 to 5.
public final class JournalScreen: Screen {
    override public func build(_ record: HealthRecord) {
        heading(words.journal)
        field(words.text)
        field(words.mood, number: true)
        button(words.save) { [unowned self] in
            let typed = self.value(self.words.mood)
            // A mood the core judges (1 to 5); a number past a byte is said, never wrapped.
            let score = UInt8(typed)
            if !typed.isEmpty && score == nil {
                self.text(self.words.notANumber)
                return
            }
            self.attempt {
                try record.addJournalEntry(entry: JournalEntry(
                    id: newId(), at: App.nowHere(), text: self.value(self.words.text), mood: score, highlight: false))
                self.typed = [:]
                self.render()
            }
        }
        for e in (try? record.journal(from: nil, to: nil)) ?? [] {
            let when = String(e.at.prefix(16)).replacingOccurrences(of: "T", with: " ")
            text("\(when)  \(e.mood.map { "(\($0)/5) " } ?? "")\(e.text)")
        }
    }
}
