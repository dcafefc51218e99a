# The command line's own words (docs: README, "Languages"). The core's messages (alerts, the
# report, reading values) come from core/src/i18n/locales; a message here of the same id wins.

ask-questions = { $title } ({ $n } questions)
ask-points = { $title }: { $points } points
ask-see-doctor = Please see your doctor about this result.
ask-stored = Stored in the record
ask-please = Please answer { $expected }
ask-one-of = one of { $list }
ask-number = a number from { $min } to { $max } { $unit }
source-line = Source: { $source }

today-due = Due now:
today-nothing = nothing
today-snoozed = { $dose } (snoozed until { $until })
today-next = Next:
today-nothing-scheduled = nothing scheduled
today-missed = Missed in the last 24 hours:
today-done = Done in the last 24 hours:
today-taken = taken
today-skipped = skipped
today-later = Later today:
today-refills = Refills due:
today-measurements = Measurements today:
today-adherence = This week: { $percent } % of doses taken
today-appointment = Next appointment: { $appointment }
today-prompt = When you have a minute: { $question } ({ $how })
prompt-allergies = Do you have any allergies? It matters for every new prescription.
prompt-medications = Which medications do you take? Reminders and your doctor rely on the list.
prompt-conditions = Which conditions do you live with?
prompt-allergies-how = companion profile set --allergy NAME, or --none allergies
prompt-medications-how = companion med add ..., or companion profile set --none medications
prompt-conditions-how = companion profile set --condition NAME, or --none conditions

dose-scheduled = scheduled
dose-snoozed = snoozed
dose-extra = an extra dose, no scheduled time
dose-on-time = on time
dose-late = { $minutes } min late
dose-early = { $minutes } min early
dose-by = by { $who }

supply-out = { $name } none left, ran out on { $date }: log a refill
supply-left = { $name } { $left } left, { $when }
supply-runs-out = runs out on { $date }
supply-lasts = lasts beyond the schedule in view

journey-stage = Stage { $step } of { $steps }: { $title } ({ $day }); { $share } % of the journey
journey-day = day { $day } of about { $days }
journey-day-over = day { $day }, planned for about { $days }
journey-checkup-today = check-up today
journey-checkup-tomorrow = check-up tomorrow
journey-checkup-in = check-up in { $days } days
journey-count = { $count } of { $target }
journey-to-read = To read:
journey-with-checkup = { $stage }; { $checkup }

appointment-with = with { $who }
appointment-where = at { $where }

alert-urgent = URGENT:{" "}
alert-raised-at = at { $time }

plan-planned = Planned { $plan }
plan-reminders = Reminders come at each time; `companion today` shows what is left each day.
plan-none = No measurement plans

targets-set-by = set by { $who } on { $when }
targets-defaults = defaults
targets-updated = Targets updated
targets-title = Targets ({ $who }):
targets-bp = blood pressure below { $bp } mmHg, classified by { $guideline }
targets-glucose = glucose before meals { $low } to { $high }, after meals below { $after }
targets-spo2-1 = SpO2 on NEWS2 scale 1
targets-spo2-2 = SpO2 on NEWS2 scale 2 (target 88-92 %, for hypercapnic respiratory failure)
targets-fever = fever alert at { $threshold }

stats-no-sensor = Time in range, GMI and CV come from a continuous sensor: these glucose readings have no sensor interval (add them with --sensor-minutes N, or import them from the sensor), so they are summarised as fingersticks.
