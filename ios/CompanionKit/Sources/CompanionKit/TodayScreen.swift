import Foundation

/// The home screen: what to do today. Urgent alerts first, then the doses due (a Taken button
/// each), missed ones with the core's advice, the day's measurements and care-journey tasks,
/// what is done; and the way to every other screen.
public final class TodayScreen: Screen {
    override public func build(_ record: HealthRecord) {
        guard let profile = try? record.profile(),
              let today = try? record.today(now: App.now(), deviceZone: App.zone()) else {
            text(words.nothing)
            return
        }
        let meds = (try? record.medications(includeStopped: true)) ?? []
        let names = Dictionary(meds.map { ($0.id, "\($0.name) \(doseText($0.dose))") }, uniquingKeysWith: { a, _ in a })
        func line(_ d: ScheduledDose) -> String {
            let slot = d.occurrence.slot
            let time = slot.split(separator: "T").last.map { String($0.prefix(5)) } ?? slot
            return "\(time)  \(names[d.occurrence.medicationId] ?? "")"
        }
        heading(words.todayTitle(profile.name))
        if !today.alerts.isEmpty {
            heading(words.alerts)
            for alert in today.alerts {
                let said = renderAlert(alert: alert, language: words.language, units: profile.units)
                text([said.title, said.value].compactMap { $0 }.joined(separator: "  "))
                text(said.advice)
            }
        }
        heading(words.due)
        if today.due.isEmpty { text(words.nothing) }
        for due in today.due {
            text(line(due.dose))
            button(words.taken) { [unowned self] in
                self.attempt {
                    try record.logDose(dose: DoseEvent(
                        id: newId(), medicationId: due.dose.occurrence.medicationId,
                        scheduledAt: due.dose.occurrence.at, status: .taken, at: App.nowHere(),
                        confirmedOverLimit: false))
                    _ = try? Reminders().replan()
                    self.render()
                }
            }
        }
        if !today.missed.isEmpty {
            heading(words.missed)
            for m in today.missed {
                text(line(m.dose))
                text(lateDoseAdviceText(advice: m.advice, language: words.language))
            }
        }
        let measurements = today.measurementsDue.filter { !$0.done }
        if !measurements.isEmpty {
            heading(words.measurements)
            for m in measurements {
                let time = m.at.split(separator: "T").last.map { String($0.prefix(5)) } ?? m.at
                text("\(time)  \(formatKind(m.kind))")
            }
        }
        let tasks = today.journeys.flatMap { j in j.tasks.filter { !$0.done }.map { "\(j.title): \($0.title)" } }
        if !tasks.isEmpty {
            heading(words.journeyTasks)
            for t in tasks { text(t) }
        }
        if !today.done.isEmpty {
            heading(words.done)
            for d in today.done { text(line(d)) }
        }
        button(words.logReading) { [unowned self] in self.next = .reading }
        button(words.medications) { [unowned self] in self.next = .medications }
        button(words.journal) { [unowned self] in self.next = .journal }
        button(words.sharing) { [unowned self] in self.next = .sharing }
        button(words.settings) { [unowned self] in self.next = .settings }
    }

    private func formatKind(_ kind: ReadingKind) -> String {
        switch kind {
        case .bloodPressure: return words.bloodPressure
        case .glucose: return words.glucose
        default: return "\(kind)"
        }
    }
}
