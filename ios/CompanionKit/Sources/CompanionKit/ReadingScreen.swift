import Foundation

/// Log a reading: blood pressure, glucose in the record's unit, weight, temperature, SpO2. The
/// core converts what is typed from the record's unit, stores it with the alerts it raises and
/// says what it means; both are shown at once.
public final class ReadingScreen: Screen {
    public enum Kind: CaseIterable { case bloodPressure, glucose, weight, temperature, spo2 }

    /// Which kind is being entered.
    public var kind: Kind = .bloodPressure
    private var meal: MealContext = .beforeMeal

    override public func build(_ record: HealthRecord) {
        guard let units = try? record.profile().units else { return }
        func symbol(_ k: ReadingKind) -> String { unitSymbol(kind: k, units: units) }
        heading(words.logReading)
        let labels: [(Kind, String)] = [
            (.bloodPressure, words.bloodPressure), (.glucose, words.glucose),
            (.weight, words.weightIn(symbol(.weight))), (.temperature, words.temperatureIn(symbol(.temperature))),
            (.spo2, words.spo2),
        ]
        for (k, label) in labels {
            choice(label, chosen: k == kind) { [unowned self] in
                self.kind = k
                self.render()
            }
        }
        let hints: [String]
        switch kind {
        case .bloodPressure: hints = [words.systolic, words.diastolic, words.pulse]
        case .glucose: hints = [words.glucoseIn(symbol(.glucose))]
        default: hints = [words.value]
        }
        for hint in hints { field(hint, number: true) }
        if kind == .glucose {
            for (context, label) in [(MealContext.beforeMeal, words.beforeMeal), (.afterMeal, words.afterMeal), (.fasting, words.fasting)] {
                choice(label, chosen: meal == context) { [unowned self] in
                    self.meal = context
                    self.render()
                }
            }
        }
        button(words.save) { [unowned self] in self.save(record, typed: hints.map { self.value($0) }, units: units) }
    }

    private func save(_ record: HealthRecord, typed: [String], units: UnitPreferences) {
        let numbers = typed.map { parseNumber(text: $0) }
        // A pressure or a pulse is a whole number a person can have; anything else is said,
        // never wrapped into another value.
        func whole(_ n: Double?) -> UInt16? {
            guard let n, n >= 0, n <= 65535, n == n.rounded() else { return nil }
            return UInt16(n)
        }
        func stored(_ k: ReadingKind) -> Double? { numbers[0].map { toStoredUnit(kind: k, value: $0, units: units) } }
        // Foundation has a `Measurement` too: the core's is meant.
        let measurement: CompanionCore.Measurement?
        var entered: String?
        switch kind {
        case .bloodPressure:
            let pulse = whole(numbers[2])
            if let sys = whole(numbers[0]), let dia = whole(numbers[1]), typed[2].isEmpty || pulse != nil {
                measurement = .bloodPressure(systolic: sys, diastolic: dia, pulse: pulse)
            } else {
                measurement = nil
            }
        case .glucose:
            measurement = stored(.glucose).map { .glucose(mgDl: $0, context: meal) }
            entered = unitSymbol(kind: .glucose, units: units)
        case .weight:
            measurement = stored(.weight).map { .weight(kg: $0) }
            entered = unitSymbol(kind: .weight, units: units)
        case .temperature:
            measurement = stored(.temperature).map { .temperature(celsius: $0) }
            entered = unitSymbol(kind: .temperature, units: units)
        case .spo2:
            measurement = numbers[0].map { .spo2(percent: $0) }
        }
        guard let measurement else {
            text(words.notANumber)
            return
        }
        attempt {
            let outcome = try record.recordReading(reading: Reading(
                id: newId(), measurement: measurement, at: App.nowHere(), enteredUnit: entered, source: .manual))
            self.typed = [:]
            render()
            text(words.saved(formatMeasurement(measurement: measurement, units: units)))
            for alert in outcome.alerts {
                let said = renderAlert(alert: alert, language: words.language, units: units)
                text([said.title, said.value].compactMap { $0 }.joined(separator: "  "))
                text(said.advice)
            }
            _ = try? Reminders().replan()
        }
    }
}
