# The command line's own words (docs: README, "Languages"). The core's messages (alerts, the
# report, reading values) come from core/src/i18n/locales; a message here of the same id wins.

ask-questions = { $title } ({ $n } questions)
ask-points = { $title }: { $points } points
ask-see-doctor = Please see your doctor about this result.
ask-source = Source: { $source }
ask-stored = Stored in the record
ask-please = Please answer { $expected }
ask-one-of = one of { $list }
ask-number = a number from { $min } to { $max } { $unit }
