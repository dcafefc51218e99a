//! A record as one FHIR R4 Bundle (type `collection`): Patient; Observations (vital signs with
//! their R4 profiles, glucose, HbA1c) with UCUM units; MedicationRequest with Dosage.timing;
//! MedicationAdministration per dose taken or skipped; AllergyIntolerance; Condition;
//! Appointment; QuestionnaireResponse; CarePlan per journey.
//!
//! Every resource carries the record's entry id as its `id` and as an identifier in
//! [`codes::ENTRY_SYSTEM`], so a second import of the same bundle adds nothing.

use chrono::{DateTime, FixedOffset, Utc};
use companion_core::model::{
    Appointment, DoseEvent, DoseStatus, Given, Journey, Measurement, Medication, MedicationStatus,
    Profile, QuestionnaireResponse, Reading, ReadingSource, Sex,
};
use companion_core::{HealthRecord, ReadingQuery, TimeRange};
use serde_json::{Value, json};

use crate::codes::{self, Code};
use crate::error::FhirError;
use crate::timing;

/// Everything the bundle is made from, as read from the record.
#[derive(Debug, Clone)]
pub struct Gathered {
    /// The record's id (the Patient's id).
    pub record_id: String,
    /// The patient.
    pub profile: Profile,
    /// Every reading, oldest first.
    pub readings: Vec<Reading>,
    /// Every medication, stopped ones too.
    pub medications: Vec<Medication>,
    /// Every dose logged.
    pub doses: Vec<DoseEvent>,
    /// Every appointment.
    pub appointments: Vec<Appointment>,
    /// Every questionnaire answered.
    pub responses: Vec<QuestionnaireResponse>,
    /// Every journey, with its template's title.
    pub journeys: Vec<(Journey, String)>,
    /// When the bundle is made.
    pub now: DateTime<Utc>,
}

/// Reads what the bundle holds from `record`.
pub fn gather(record: &HealthRecord, now: DateTime<Utc>) -> Result<Gathered, FhirError> {
    let profile = record.profile()?;
    let mut readings = record.readings(&ReadingQuery::default())?.readings;
    readings.reverse();
    let templates = record.journey_templates()?;
    let journeys = record
        .journeys(true)?
        .into_iter()
        .map(|j| {
            let title = templates
                .iter()
                .find(|t| t.id == j.template_id)
                .map(|t| t.title.get(profile.language).to_string())
                .unwrap_or_else(|| j.template_id.clone());
            (j, title)
        })
        .collect();
    Ok(Gathered {
        record_id: record.id().to_string(),
        readings,
        medications: record.medications(true)?,
        doses: record.doses(None, TimeRange::ALL)?,
        appointments: record.appointments(TimeRange::ALL)?,
        responses: record.responses(None)?,
        journeys,
        profile,
        now,
    })
}

/// `record` as a Bundle, made at `now`.
pub fn export(record: &HealthRecord, now: DateTime<Utc>) -> Result<Value, FhirError> {
    bundle(&gather(record, now)?)
}

fn instant(at: &DateTime<FixedOffset>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn entry(resource: Value) -> Value {
    let id = resource["id"].as_str().unwrap_or_default().to_string();
    json!({ "fullUrl": format!("urn:uuid:{id}"), "resource": resource })
}

fn identifier(id: &str) -> Value {
    json!([{ "system": codes::ENTRY_SYSTEM, "value": id }])
}

fn coding(code: &Code) -> Value {
    json!({ "coding": [{ "system": codes::LOINC, "code": code.loinc, "display": code.display }], "text": code.display })
}

fn quantity(value: f64, code: &Code) -> Value {
    json!({ "value": value, "unit": code.ucum, "system": codes::UCUM, "code": code.ucum })
}

/// A resource id for a derived observation (a pulse taken with a blood pressure, the BMI),
/// within FHIR's 64 characters.
fn derived(id: &str, what: &str) -> String {
    companion_core::model::derived_id(&[what, id])
}

struct Obs<'a> {
    id: String,
    identifier: &'a str,
    code: Code,
    category: &'static str,
    at: &'a DateTime<FixedOffset>,
    patient: &'a str,
}

impl Obs<'_> {
    fn resource(&self) -> Value {
        let mut code = coding(&self.code);
        if self.code == codes::SPO2 {
            let (loinc, display) = codes::SPO2_PROFILE_CODE;
            if let Some(list) = code["coding"].as_array_mut() {
                list.push(json!({ "system": codes::LOINC, "code": loinc, "display": display }));
            }
        }
        let mut r = json!({
            "resourceType": "Observation",
            "id": self.id,
            "identifier": identifier(self.identifier),
            "status": "final",
            "category": [{ "coding": [{ "system": codes::CATEGORY, "code": self.category }] }],
            "code": code,
            "subject": { "reference": format!("urn:uuid:{}", self.patient) },
            "effectiveDateTime": instant(self.at),
        });
        if let Some(profile) = self.code.profile {
            r["meta"] = json!({ "profile": [profile] });
        }
        r
    }
}

fn observations(g: &Gathered, out: &mut Vec<Value>) {
    let patient = &g.record_id;
    let vital = |id: String, identifier: &'_ str, code: Code, at, value: f64| {
        let mut r = Obs {
            id,
            identifier,
            code,
            category: "vital-signs",
            at,
            patient,
        }
        .resource();
        r["valueQuantity"] = quantity(value, &code);
        r
    };
    let height_m = g.profile.height_cm.map(|cm| cm / 100.0);
    for reading in &g.readings {
        let id = &reading.id;
        let at = &reading.at;
        match &reading.measurement {
            Measurement::BloodPressure {
                systolic,
                diastolic,
                pulse,
            } => {
                let mut r = Obs {
                    id: id.clone(),
                    identifier: id,
                    code: codes::BP_PANEL,
                    category: "vital-signs",
                    at,
                    patient,
                }
                .resource();
                let mut components = vec![
                    json!({ "code": coding(&codes::SYSTOLIC), "valueQuantity": quantity(f64::from(*systolic), &codes::SYSTOLIC) }),
                    json!({ "code": coding(&codes::DIASTOLIC), "valueQuantity": quantity(f64::from(*diastolic), &codes::DIASTOLIC) }),
                ];
                if let Some(bpm) = pulse {
                    // The pulse the cuff gave, as a third component of the panel.
                    components.push(json!({ "code": coding(&codes::HEART_RATE), "valueQuantity": quantity(f64::from(*bpm), &codes::HEART_RATE) }));
                }
                r["component"] = json!(components);
                out.push(r);
            }
            Measurement::HeartRate { bpm } => {
                out.push(vital(
                    id.clone(),
                    id,
                    codes::HEART_RATE,
                    at,
                    f64::from(*bpm),
                ));
            }
            Measurement::Weight { kg } => {
                out.push(vital(id.clone(), id, codes::BODY_WEIGHT, at, *kg));
                if let Some(h) = height_m.filter(|h| *h > 0.0) {
                    let bmi = (kg / (h * h) * 10.0).round() / 10.0;
                    let mut r = vital(derived(id, "bmi"), id, codes::BMI, at, bmi);
                    r["derivedFrom"] = json!([{ "reference": format!("urn:uuid:{id}") }]);
                    out.push(r);
                }
            }
            Measurement::Spo2 { percent } => {
                out.push(vital(id.clone(), id, codes::SPO2, at, *percent));
            }
            Measurement::Temperature { celsius } => {
                out.push(vital(id.clone(), id, codes::TEMPERATURE, at, *celsius));
            }
            Measurement::Glucose { mg_dl, context } => {
                let code = if reading.sensor_interval_minutes.is_some() {
                    codes::GLUCOSE_CGM
                } else if matches!(reading.source, ReadingSource::Imported { .. }) {
                    codes::GLUCOSE_BLOOD
                } else {
                    codes::GLUCOSE_CAPILLARY
                };
                let mut r = Obs {
                    id: id.clone(),
                    identifier: id,
                    code,
                    category: "laboratory",
                    at,
                    patient,
                }
                .resource();
                r["valueQuantity"] = quantity(*mg_dl, &code);
                let mut extensions = vec![
                    json!({ "url": crate::import::MEAL_CONTEXT, "valueCode": context.as_str() }),
                ];
                if let Some(minutes) = reading.sensor_interval_minutes {
                    extensions.push(json!({ "url": crate::import::SENSOR_INTERVAL, "valueUnsignedInt": minutes }));
                }
                r["extension"] = json!(extensions);
                out.push(r);
            }
            Measurement::Hba1c { percent } => {
                let mut r = Obs {
                    id: id.clone(),
                    identifier: id,
                    code: codes::HBA1C,
                    category: "laboratory",
                    at,
                    patient,
                }
                .resource();
                r["valueQuantity"] = quantity(*percent, &codes::HBA1C);
                out.push(r);
            }
        }
    }
}

fn patient(g: &Gathered) -> Value {
    let p = &g.profile;
    let mut r = json!({
        "resourceType": "Patient",
        "id": g.record_id,
        "identifier": identifier(&g.record_id),
        "name": [{ "text": p.name }],
    });
    if let Some(sex) = p.sex {
        r["gender"] = json!(match sex {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Other => "other",
        });
    }
    if let Some(b) = p.birth_date {
        r["birthDate"] = json!(b.format("%Y-%m-%d").to_string());
    }
    r
}

fn medication_request(g: &Gathered, m: &Medication) -> Result<Value, FhirError> {
    let zone = companion_core::zone::Zone::named(&g.profile.home_time_zone)
        .unwrap_or_else(companion_core::zone::Zone::utc);
    let status = match m.status {
        MedicationStatus::Active => "active",
        MedicationStatus::Paused => "on-hold",
        MedicationStatus::Stopped => "stopped",
    };
    let name = match &m.strength {
        Some(s) => format!("{} {s}", m.name),
        None => m.name.clone(),
    };
    let mut r = json!({
        "resourceType": "MedicationRequest",
        "id": m.id,
        "identifier": identifier(&m.id),
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": { "text": name },
        "subject": { "reference": format!("urn:uuid:{}", g.record_id) },
        "dosageInstruction": timing::dosages(m, &zone)?,
        "dispenseRequest": { "validityPeriod": { "start": m.start.format("%Y-%m-%d").to_string() } },
    });
    if let Some(end) = m.end {
        r["dispenseRequest"]["validityPeriod"]["end"] = json!(end.format("%Y-%m-%d").to_string());
    }
    if let Some(at) = m.recorded_at {
        r["authoredOn"] = json!(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    }
    if let Some(p) = &m.prescriber {
        r["requester"] = json!({ "display": p });
    }
    Ok(r)
}

fn administration(g: &Gathered, d: &DoseEvent) -> Option<Value> {
    let status = match d.status {
        DoseStatus::Taken => "completed",
        DoseStatus::Skipped => "not-done",
        DoseStatus::Snoozed => return None,
    };
    let m = g.medications.iter().find(|m| m.id == d.medication_id)?;
    let mut r = json!({
        "resourceType": "MedicationAdministration",
        "id": d.id,
        "identifier": identifier(&d.id),
        "status": status,
        "medicationCodeableConcept": { "text": m.name },
        "subject": { "reference": format!("urn:uuid:{}", g.record_id) },
        "effectiveDateTime": instant(&d.at),
        "request": { "reference": format!("urn:uuid:{}", m.id) },
    });
    let amount = d.amount.as_ref().unwrap_or(&m.dose);
    if d.status == DoseStatus::Taken {
        r["dosage"] = json!({ "dose": timing::dose_quantity(amount) });
    }
    if let Some(note) = d.note.as_ref().filter(|_| d.status == DoseStatus::Skipped) {
        r["statusReason"] = json!([{ "text": note }]);
    }
    if let Some(by) = &d.logged_by {
        r["performer"] = json!([{ "actor": { "display": by } }]);
    }
    Some(r)
}

fn clinical_status(system: &str) -> Value {
    json!({ "coding": [{ "system": system, "code": "active" }] })
}

fn text_resources(g: &Gathered, out: &mut Vec<Value>) {
    let p = &g.profile;
    let subject = json!({ "reference": format!("urn:uuid:{}", g.record_id) });
    for allergy in &p.allergies {
        let id = derived(&g.record_id, &format!("allergy:{allergy}"));
        out.push(json!({
            "resourceType": "AllergyIntolerance",
            "id": id,
            "identifier": identifier(&id),
            "clinicalStatus": clinical_status("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"),
            "code": { "text": allergy },
            "patient": subject,
        }));
    }
    for condition in &p.conditions {
        let id = derived(&g.record_id, &format!("condition:{condition}"));
        let text = condition.replace('_', " ");
        out.push(json!({
            "resourceType": "Condition",
            "id": id,
            "identifier": identifier(&id),
            "clinicalStatus": clinical_status("http://terminology.hl7.org/CodeSystem/condition-clinical"),
            "code": { "text": text },
            "subject": subject,
        }));
    }
}

fn appointment(g: &Gathered, a: &Appointment) -> Value {
    let status = if a.at.to_utc() < g.now {
        "fulfilled"
    } else {
        "booked"
    };
    let mut participants = vec![json!({
        "actor": { "reference": format!("urn:uuid:{}", g.record_id), "display": g.profile.name },
        "status": "accepted",
    })];
    if let Some(c) = &a.clinician {
        participants.push(json!({ "actor": { "display": c }, "status": "accepted" }));
    }
    let mut r = json!({
        "resourceType": "Appointment",
        "id": a.id,
        "identifier": identifier(&a.id),
        "status": status,
        "description": a.title,
        "start": instant(&a.at),
        "end": instant(&a.at),
        "participant": participants,
    });
    if let Some(note) = &a.note {
        r["comment"] = json!(note);
    }
    r
}

fn response(g: &Gathered, q: &QuestionnaireResponse) -> Value {
    let items: Vec<Value> = q
        .answers
        .iter()
        .map(|a| {
            let answer = match &a.value {
                Given::Number(n) => json!({ "valueDecimal": n }),
                Given::Choice(c) => json!({ "valueString": c }),
            };
            json!({ "linkId": a.item, "answer": [answer] })
        })
        .collect();
    let mut items = items;
    items.push(json!({ "linkId": "total", "answer": [{ "valueDecimal": q.total }] }));
    items.push(json!({ "linkId": "band", "answer": [{ "valueString": q.band }] }));
    json!({
        "resourceType": "QuestionnaireResponse",
        "id": q.id,
        "identifier": { "system": codes::ENTRY_SYSTEM, "value": q.id },
        "questionnaire": format!("urn:companion:questionnaire:{}", q.questionnaire_id),
        "status": "completed",
        "subject": { "reference": format!("urn:uuid:{}", g.record_id) },
        "authored": instant(&q.at),
        "item": items,
    })
}

fn care_plan(g: &Gathered, j: &Journey, title: &str) -> Value {
    let mut period = json!({ "start": instant(&j.started_at) });
    if let Some(end) = &j.stopped_at {
        period["end"] = json!(instant(end));
    }
    json!({
        "resourceType": "CarePlan",
        "id": j.id,
        "identifier": identifier(&j.id),
        "status": if j.stopped_at.is_some() { "completed" } else { "active" },
        "intent": "plan",
        "title": title,
        "subject": { "reference": format!("urn:uuid:{}", g.record_id) },
        "period": period,
        "instantiatesUri": [format!("urn:companion:journey-template:{}", j.template_id)],
    })
}

/// The Bundle of what `g` holds. Refused whole when a medication's schedule has no R4 Timing.
pub fn bundle(g: &Gathered) -> Result<Value, FhirError> {
    let mut resources = vec![patient(g)];
    text_resources(g, &mut resources);
    if let Some(cm) = g.profile.height_cm {
        // The height has no time of its own: it is stated as of the export.
        let at = g.now.fixed_offset();
        let id = derived(&g.record_id, "height");
        let mut r = Obs {
            id: id.clone(),
            identifier: &id,
            code: codes::BODY_HEIGHT,
            category: "vital-signs",
            at: &at,
            patient: &g.record_id,
        }
        .resource();
        r["valueQuantity"] = quantity(cm, &codes::BODY_HEIGHT);
        resources.push(r);
    }
    observations(g, &mut resources);
    for m in &g.medications {
        resources.push(medication_request(g, m)?);
    }
    resources.extend(g.doses.iter().filter_map(|d| administration(g, d)));
    resources.extend(g.appointments.iter().map(|a| appointment(g, a)));
    resources.extend(g.responses.iter().map(|q| response(g, q)));
    resources.extend(g.journeys.iter().map(|(j, t)| care_plan(g, j, t)));
    Ok(json!({
        "resourceType": "Bundle",
        "id": companion_core::model::derived_id(&["bundle", &g.record_id, &g.now.to_rfc3339()]),
        "type": "collection",
        "timestamp": g.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "entry": resources.into_iter().map(entry).collect::<Vec<_>>(),
    }))
}
