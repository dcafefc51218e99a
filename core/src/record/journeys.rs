//! The record's journey operations (docs/journeys.md): they gather what the pure engine of
//! [`crate::journey`] reads from the store, and store what it decides, inside one write, so
//! that two devices advancing the same journey converge on the same steps.

use chrono::{DateTime, Duration, FixedOffset, Utc};

use super::HealthRecord;
use crate::error::{Error, Result};
use crate::journey::status::{self, JourneyInput};
use crate::journey::{Decision, Given, Questionnaire, Template, builtin, engine};
use crate::model::{
    Journey, JourneyStep, QuestionnaireResponse, Reading, ResponseItem, StepKind, StoredTemplate,
    Validate,
};
use crate::query::TimeRange;
use crate::store::{Filter, Read, Writer, all, in_range};

/// What [`HealthRecord::advance_journeys`] recorded for one journey.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct JourneyDecision {
    /// The journey.
    pub journey_id: String,
    /// What the engine decided.
    pub decision: Decision,
}

impl HealthRecord {
    /// The templates a journey can follow: the built-in ones, then the clinic's, by id.
    pub fn journey_templates(&self) -> Result<Vec<Template>> {
        templates_in(&self.store)
    }

    /// The built-in questionnaires (FINDRISC, a pain score, PHQ-2).
    pub fn questionnaires(&self) -> Result<Vec<Questionnaire>> {
        Ok(builtin::questionnaires()?)
    }

    /// Stores a clinic's template (docs/journeys.md), checked as the built-ins are, so that it
    /// reaches every replica. A new version of a clinic template replaces the old one; a
    /// built-in id is refused. Errors: [`Error::Template`] naming the bad field's path.
    pub fn add_template(&mut self, json: &str) -> Result<Template> {
        let ids = builtin::questionnaire_ids();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let template = Template::from_json(json, &ids)?;
        if builtin::templates()?.iter().any(|t| t.id == template.id) {
            return Err(Error::AlreadyExists {
                entity: "built-in journey template",
            });
        }
        let stored = StoredTemplate {
            id: template.id.clone(),
            json: json.to_string(),
        };
        stored.validate()?;
        self.store.write(|w| w.put(&stored))?;
        Ok(template)
    }

    /// Starts a journey on `template_id` at `at`. Errors: [`Error::NotFound`] for an unknown
    /// template; [`Error::AlreadyExists`] when a journey on it already runs. A template with a
    /// fever threshold sets the targets' one when the care team has set none.
    pub fn start_journey(
        &mut self,
        template_id: &str,
        at: DateTime<FixedOffset>,
    ) -> Result<Journey> {
        super::check_local(&template_id, at)?;
        let journey = Journey::new(template_id, at)?;
        self.store.write(|w| {
            let template = template_in(w, &journey.template_id)?;
            let running: Vec<Journey> = all(w, &Filter::default())?;
            if running
                .iter()
                .any(|j| j.template_id == journey.template_id && j.stopped_at.is_none())
            {
                return Err(Error::AlreadyExists { entity: "journey" });
            }
            w.insert(&journey)?;
            if let Some(threshold) = template.fever_threshold_c {
                let profile = super::profile_in(w)?;
                let mut targets = super::clinical::targets_in(w, &profile)?;
                if targets.fever_threshold_c.is_none() {
                    targets.fever_threshold_c = Some(threshold);
                    w.put(&targets)?;
                }
            }
            Ok(journey)
        })
    }

    /// Stops a running journey at `at`; its steps stay in the record.
    pub fn stop_journey(&mut self, journey_id: &str, at: DateTime<FixedOffset>) -> Result<Journey> {
        self.store.write(|w| {
            let mut journey: Journey = w
                .get(journey_id)?
                .ok_or(Error::NotFound { entity: "journey" })?;
            if journey.stopped_at.is_some() {
                return Err(Error::Invalid(crate::model::ValidationError::Invalid {
                    field: "journey",
                    reason: "was already stopped",
                }));
            }
            journey.stopped_at = Some(at);
            journey.validate()?;
            w.update(&journey)?;
            Ok(journey)
        })
    }

    /// Every journey, newest first; stopped ones too when `include_stopped`.
    pub fn journeys(&self, include_stopped: bool) -> Result<Vec<Journey>> {
        let mut list: Vec<Journey> = all(&self.store, &Filter::default())?;
        list.retain(|j| include_stopped || j.stopped_at.is_none());
        Ok(list)
    }

    /// The steps recorded along a journey, oldest first.
    pub fn journey_steps(&self, journey_id: &str) -> Result<Vec<JourneyStep>> {
        let mut steps: Vec<JourneyStep> = all(
            &self.store,
            &Filter {
                tag: Some(journey_id),
                ..Filter::default()
            },
        )?;
        crate::sorting::sort_by(&mut steps, |a, b| (a.at, &a.key).cmp(&(b.at, &b.key)));
        Ok(steps)
    }

    /// Runs the engine on every running journey at `now` and records what it decides (stages
    /// entered, milestones reached, check-ins) in one write, deciding on what is committed:
    /// two devices that advance at once record each step once. Returns what was recorded.
    /// Errors: [`Error::NotPermitted`] on a member's device whose role does not write steps.
    pub fn advance_journeys(&mut self, now: DateTime<Utc>) -> Result<Vec<JourneyDecision>> {
        self.store.write(|w| {
            let profile = super::profile_in(w)?;
            let home = crate::zone::Zone::named(&profile.home_time_zone)
                .unwrap_or_else(crate::zone::Zone::utc);
            let gathered = gather_in(w, now, &[])?;
            // Read once for every journey: the doses over the longest window any reads.
            let window = crate::journey::status::longest_window(&gathered.journeys);
            let doses = settled_in(w, &profile, &home, window, now)?;
            let appointments: Vec<crate::model::Appointment> = in_range(w, None, TimeRange::ALL)?;
            let answered = status::answered(&gathered.responses);
            let mut out = Vec::new();
            for j in &gathered.journeys {
                let done = status::tasks_done(&j.template, &j.steps, &gathered.responses);
                let data = engine::Data {
                    readings: &gathered.readings,
                    doses: &doses,
                    answered: &answered,
                    appointments: &appointments,
                    tasks_done: &done,
                    last_activity: gathered.last_activity,
                    zone: &home,
                };
                let history = status::history(&j.journey, &j.steps);
                for decision in engine::step(&j.template, &history, &data, now) {
                    let (kind, key, at) = match &decision {
                        Decision::StageEntered { stage, at } => {
                            (StepKind::Stage, stage.clone(), at)
                        }
                        Decision::MilestoneReached { milestone, at, .. } => {
                            (StepKind::Milestone, milestone.clone(), at)
                        }
                        Decision::CheckIn { reason, at } => (
                            StepKind::CheckIn,
                            format!("{}/{}", reason.as_str(), at.date_naive()),
                            at,
                        ),
                    };
                    let step = JourneyStep::new(
                        &j.journey.id,
                        kind,
                        &key,
                        at.with_timezone(&home).fixed_offset(),
                    );
                    if w.get::<JourneyStep>(&step.id)?.is_none() {
                        w.insert(&step)?;
                        out.push(JourneyDecision {
                            journey_id: j.journey.id.clone(),
                            decision,
                        });
                    }
                }
            }
            Ok(out)
        })
    }

    /// Records that the card `card_id` of the journey was read at `at` (once: reading it
    /// again changes nothing). Errors: [`Error::NotFound`] for an unknown journey or card.
    pub fn read_card(
        &mut self,
        journey_id: &str,
        card_id: &str,
        at: DateTime<FixedOffset>,
    ) -> Result<()> {
        super::check_local(&card_id, at)?;
        self.store.write(|w| {
            let (_, template) = journey_in(w, journey_id)?;
            if template.card(card_id).is_none() {
                return Err(Error::NotFound { entity: "card" });
            }
            let step = JourneyStep::new(journey_id, StepKind::CardRead, card_id, at);
            if w.get::<JourneyStep>(&step.id)?.is_none() {
                w.insert(&step)?;
            }
            Ok(())
        })
    }

    /// Records that the task `task_id` of the journey was done at `at` (a wound check, a
    /// walk), once per local day. Errors: [`Error::NotFound`] for an unknown journey or task.
    pub fn mark_task_done(
        &mut self,
        journey_id: &str,
        task_id: &str,
        at: DateTime<FixedOffset>,
    ) -> Result<()> {
        super::check_local(&task_id, at)?;
        self.store.write(|w| {
            let (_, template) = journey_in(w, journey_id)?;
            if !template
                .stages
                .iter()
                .flat_map(|s| &s.tasks)
                .any(|t| t.id == task_id)
            {
                return Err(Error::NotFound { entity: "task" });
            }
            let key = status::task_key(task_id, at.date_naive());
            let step = JourneyStep::new(journey_id, StepKind::Task, &key, at);
            if w.get::<JourneyStep>(&step.id)?.is_none() {
                w.insert(&step)?;
            }
            Ok(())
        })
    }

    /// Scores the answers to a built-in questionnaire on the device and stores the response.
    /// Errors: [`Error::NotFound`] for an unknown questionnaire; [`Error::Answer`] for an
    /// answer missing, unknown or out of range; [`Error::QuestionnaireDeclined`] when it is
    /// not meant for this patient (FINDRISC with diabetes diagnosed): nothing is stored.
    pub fn answer_questionnaire(
        &mut self,
        questionnaire_id: &str,
        answers: &[(String, Given)],
        at: DateTime<FixedOffset>,
    ) -> Result<QuestionnaireResponse> {
        super::check_local(&questionnaire_id, at)?;
        let q = builtin::questionnaires()?
            .into_iter()
            .find(|q| q.id == questionnaire_id)
            .ok_or(Error::NotFound {
                entity: "questionnaire",
            })?;
        let score = q.score(answers)?;
        let response = QuestionnaireResponse {
            id: crate::model::new_id(),
            questionnaire_id: q.id.clone(),
            at,
            answers: q
                .items
                .iter()
                .filter_map(|item| {
                    let (_, given) = answers.iter().find(|(id, _)| id == &item.id)?;
                    Some(ResponseItem {
                        item: item.id.clone(),
                        value: given.clone(),
                        points: score
                            .points
                            .iter()
                            .find(|(id, _)| id == &item.id)
                            .map_or(0.0, |(_, p)| *p),
                    })
                })
                .collect(),
            total: score.total,
            band: score.band.id.clone(),
            see_doctor: score.band.see_doctor,
        };
        response.validate()?;
        self.store.write(|w| {
            // Read in the write: a condition added meanwhile on another device counts.
            if q.declined_for(&super::profile_in(w)?.conditions) {
                return Err(Error::QuestionnaireDeclined {
                    questionnaire: q.id.clone(),
                });
            }
            w.insert(&response)
        })?;
        Ok(response)
    }

    /// The journal's moods of `range` per local week (in the home zone) and per journey stage,
    /// in the record's language: the emotion curve the report and the clinic show.
    pub fn mood_curve(&self, range: TimeRange) -> Result<crate::journey::MoodCurve> {
        self.mood_curve_in(range, None)
    }

    /// [`HealthRecord::mood_curve`] with stage titles in `language` (default: the record's).
    pub(crate) fn mood_curve_in(
        &self,
        range: TimeRange,
        language: Option<crate::model::Language>,
    ) -> Result<crate::journey::MoodCurve> {
        let profile = super::profile_in(&self.store)?;
        let zone = crate::zone::Zone::named(&profile.home_time_zone)
            .unwrap_or_else(crate::zone::Zone::utc);
        let entries = self.journal(range)?;
        let journeys = journeys_in(&self.store, None)?;
        Ok(crate::journey::mood::mood_curve(
            &entries,
            &journeys,
            &zone,
            language.unwrap_or(profile.language),
        ))
    }

    /// Questionnaire responses, newest first; of one questionnaire when named.
    pub fn responses(&self, questionnaire_id: Option<&str>) -> Result<Vec<QuestionnaireResponse>> {
        all(
            &self.store,
            &Filter {
                tag: questionnaire_id,
                ..Filter::default()
            },
        )
    }
}

/// The built-in templates, then the clinic's that load, by id.
pub(crate) fn templates_in(r: &impl Read) -> Result<Vec<Template>> {
    let mut out = builtin::templates()?;
    let ids = builtin::questionnaire_ids();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut clinic: Vec<Template> = all::<StoredTemplate>(r, &Filter::default())?
        .iter()
        // A template this version cannot read (a newer format) is left out, not fatal.
        .filter_map(|t| Template::from_json(&t.json, &ids).ok())
        .collect();
    crate::sorting::sort_by(&mut clinic, |a, b| a.id.cmp(&b.id));
    out.extend(clinic);
    Ok(out)
}

fn template_in(r: &impl Read, id: &str) -> Result<Template> {
    templates_in(r)?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or(Error::NotFound {
            entity: "journey template",
        })
}

fn journey_in(r: &impl Read, id: &str) -> Result<(Journey, Template)> {
    let journey: Journey = r.get(id)?.ok_or(Error::NotFound { entity: "journey" })?;
    let template = template_in(r, &journey.template_id)?;
    Ok((journey, template))
}

/// The journeys (those that run at `active_at`, or all) with their templates and steps; a
/// journey on a template this version cannot read is left out.
/// When a wound check (a `wound_photo` task) was done along the journeys running at `now`,
/// oldest first.
pub(crate) fn wound_checks(
    r: &impl Read,
    now: DateTime<Utc>,
) -> Result<Vec<DateTime<chrono::FixedOffset>>> {
    use crate::journey::template::TaskKind;
    let mut out = Vec::new();
    for j in journeys_in(r, Some(now))? {
        let wound_tasks: Vec<&str> = j
            .template
            .stages
            .iter()
            .flat_map(|s| &s.tasks)
            .filter(|t| matches!(t.kind, TaskKind::WoundPhoto))
            .map(|t| t.id.as_str())
            .collect();
        out.extend(
            j.steps
                .iter()
                .filter(|s| s.kind == crate::model::StepKind::Task)
                .filter(|s| {
                    let task = s.key.split('/').next().unwrap_or_default();
                    wound_tasks.contains(&task)
                })
                .map(|s| s.at),
        );
    }
    crate::sorting::sort(&mut out);
    Ok(out)
}

fn journeys_in(r: &impl Read, active_at: Option<DateTime<Utc>>) -> Result<Vec<JourneyInput>> {
    let templates = templates_in(r)?;
    let mut journeys = Vec::new();
    for journey in all::<Journey>(r, &Filter::default())? {
        if active_at.is_some_and(|now| !journey.active_at(now.fixed_offset())) {
            continue;
        }
        let Some(template) = templates.iter().find(|t| t.id == journey.template_id) else {
            continue;
        };
        let steps: Vec<JourneyStep> = all(
            r,
            &Filter {
                tag: Some(&journey.id),
                ..Filter::default()
            },
        )?;
        journeys.push(JourneyInput {
            journey,
            template: template.clone(),
            steps,
        });
    }
    Ok(journeys)
}

/// What the journeys read, as `r` reads the record at `now`.
pub(crate) struct Gathered {
    pub journeys: Vec<JourneyInput>,
    pub responses: Vec<QuestionnaireResponse>,
    pub readings: Vec<Reading>,
    pub last_activity: Option<DateTime<Utc>>,
}

/// The running journeys with their templates and steps, the responses, the readings their
/// conditions and tasks read (each kind over the longest window that reads it, and the latest
/// of each kind a condition asks for), with those `also` names (kind, days back), and the
/// latest activity. Readings of kinds nothing reads, or older than what reads them, are not
/// read: decoding them was most of the home screen's time.
pub(crate) fn gather_in(
    r: &impl Read,
    now: DateTime<Utc>,
    also: &[(crate::model::ReadingKind, u16)],
) -> Result<Gathered> {
    let journeys = journeys_in(r, Some(now))?;
    let mut windows: Vec<(crate::model::ReadingKind, u16)> = journeys
        .iter()
        .flat_map(|j| j.template.reading_windows())
        .chain(also.iter().copied())
        .collect();
    // The longest window of each kind: kinds in order, the longest first, the rest dropped.
    crate::sorting::sort_by(&mut windows, |a, b| {
        (a.0.as_str(), b.1).cmp(&(b.0.as_str(), a.1))
    });
    windows.dedup_by_key(|w| w.0);
    let mut readings: Vec<Reading> = Vec::new();
    for (kind, days) in windows {
        readings.extend(in_range::<Reading>(
            r,
            Some(kind.as_str()),
            TimeRange::between(
                now - Duration::days(i64::from(days) + 1),
                now + Duration::minutes(10),
            ),
        )?);
    }
    // Newest first, as one query over every kind gives them.
    crate::sorting::sort_by(&mut readings, |a, b| (b.at, &b.id).cmp(&(a.at, &a.id)));
    let mut kinds: Vec<crate::model::ReadingKind> = journeys
        .iter()
        .flat_map(|j| {
            j.template
                .conditions()
                .flat_map(|c| c.latest_kinds())
                .collect::<Vec<_>>()
        })
        .collect();
    crate::sorting::sort_by_key(&mut kinds, |k| k.as_str());
    kinds.dedup();
    for kind in kinds {
        let latest = newest::<Reading>(r, Some(kind.as_str()), now)?;
        if let Some(latest) = latest
            && !readings.iter().any(|x| x.id == latest.id)
        {
            readings.push(latest);
        }
    }
    let responses: Vec<QuestionnaireResponse> = all(r, &Filter::default())?;
    let latest = |x: Option<DateTime<Utc>>, y: Option<DateTime<Utc>>| x.max(y);
    let mut last_activity = newest::<Reading>(r, None, now)?.map(|x| x.at.to_utc());
    last_activity = latest(
        last_activity,
        newest::<crate::model::DoseEvent>(r, None, now)?.map(|d| d.at.to_utc()),
    );
    last_activity = latest(
        last_activity,
        newest::<crate::model::JournalEntry>(r, None, now)?.map(|e| e.at.to_utc()),
    );
    last_activity = latest(last_activity, responses.iter().map(|x| x.at.to_utc()).max());
    last_activity = latest(
        last_activity,
        journeys
            .iter()
            .flat_map(|j| &j.steps)
            .filter(|s| matches!(s.kind, StepKind::Task | StepKind::CardRead))
            .map(|s| s.at.to_utc())
            .max(),
    );
    Ok(Gathered {
        journeys,
        responses,
        readings,
        last_activity: last_activity.filter(|t| *t <= now),
    })
}

/// The newest entry with `tag` (any, when none) at or before `now`.
fn newest<E: crate::store::Entity>(
    r: &impl Read,
    tag: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<E>> {
    Ok(all::<E>(
        r,
        &Filter {
            tag,
            to_ms: Some(now.timestamp_millis() + 1),
            limit: Some(1),
            ..Filter::default()
        },
    )?
    .into_iter()
    .next())
}

/// The doses settled in the last `window_days` days, as `w` reads them.
fn settled_in(
    w: &Writer<'_>,
    profile: &crate::model::Profile,
    home: &crate::zone::Zone,
    window_days: u16,
    now: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, bool)>> {
    let days = i64::from(window_days);
    let data = super::reminders::inputs_in(w, now - Duration::days(days + 8))?;
    let taken = crate::reminders::taken_by_medication(&data.doses);
    let zones = crate::reminders::zone::timeline(profile, &data.zones, home, now);
    let ctx = super::reminders::context(home, profile, &taken, &zones);
    Ok(crate::today::settled_doses(
        &data,
        &ctx,
        now - Duration::days(days),
        now,
    ))
}

/// How long after a milestone or check-in was recorded its nudge may still be planned (one
/// moved out of quiet hours or past a full weekly budget waits at most this long).
const NUDGE_DAYS: i64 = 7;

/// The nudges of the milestones and check-ins the running journeys recorded in the last
/// [`NUDGE_DAYS`] days, for the planner, which keeps them out of quiet hours and within the
/// weekly budget.
pub(crate) fn recent_nudges(
    r: &impl Read,
    profile: &crate::model::Profile,
    now: DateTime<Utc>,
) -> Result<Vec<crate::reminders::Nudge>> {
    let mut out = Vec::new();
    for j in &journeys_in(r, Some(now))? {
        let decisions: Vec<Decision> = j
            .steps
            .iter()
            .filter(|s| s.at.to_utc() > now - Duration::days(NUDGE_DAYS))
            .filter_map(|s| {
                let at = s.at.to_utc();
                match s.kind {
                    StepKind::Milestone => Some(Decision::MilestoneReached {
                        milestone: s.key.clone(),
                        stage: String::new(),
                        at,
                    }),
                    StepKind::CheckIn => Some(Decision::CheckIn {
                        reason: engine::CheckInReason::of_key(&s.key),
                        at,
                    }),
                    _ => None,
                }
            })
            .collect();
        out.extend(crate::journey::nudges::nudges(
            &j.journey.id,
            &j.template,
            &decisions,
            profile.language,
        ));
    }
    Ok(out)
}
