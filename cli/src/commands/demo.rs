//! `companion demo`: a record with realistic data for trying the report and the statistics: a
//! patient with hypertension and type 2 diabetes, over the last N days.

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, Utc};
use companion_core::HealthRecord;
use companion_core::model::{
    DoseAmount, DoseEvent, DoseStatus, JournalEntry, MealContext, Measurement, MeasurementPlan,
    Medication, Profile, Reading, ReadingSource, Schedule,
};
use companion_core::zone::Zone;

use crate::error::CliError;

/// A small deterministic generator (xorshift), so every demo record is the same.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % 10_000) as f64 / 10_000.0
    }

    /// Roughly normal, mean 0, SD 1 (sum of uniforms).
    fn gauss(&mut self) -> f64 {
        (0..6).map(|_| self.next()).sum::<f64>() - 3.0
    }
}

fn imported(m: Measurement, at: DateTime<FixedOffset>, n: usize) -> Result<Reading, CliError> {
    let mut r = Reading::new(m, at)?;
    r.source = ReadingSource::Imported {
        system: "companion-demo".into(),
        external_id: format!("demo-{n}"),
    };
    Ok(r)
}

/// Creates the demo record at `path` covering the `days` before now.
pub fn create(path: &std::path::Path, days: u32) -> Result<HealthRecord, CliError> {
    let mut profile = Profile::new("Ana Demo", "Europe/Berlin")?;
    profile.birth_date = chrono::NaiveDate::from_ymd_opt(1961, 5, 14);
    profile.conditions = vec!["hypertension".into(), "type 2 diabetes".into()];
    let mut record = HealthRecord::create(path, &crate::context::record_keys(path)?, &profile)?;
    let tz = Zone::named(&profile.home_time_zone).unwrap_or_else(Zone::utc);
    let now = companion_core::clock::now()?;
    let start = now - Duration::days(i64::from(days));
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).fixed_offset();
    let mut noise = Noise(0x2545_f491_4f6c_dd1d);

    let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
    // Local calendar days ending yesterday (not the day of `start`: 90 days back may lie in
    // summer time, an hour ahead, and a late winter evening would then start a day later).
    let start_day = local(now).date_naive() - Duration::days(i64::from(days));
    let mut metformin = Medication::new(
        "Metformin",
        DoseAmount::parse("500 mg")?,
        Schedule::FixedTimes {
            times: vec![at(8, 0), at(20, 0)],
        },
        start_day,
    )?;
    metformin.instructions = Some("with food".into());
    let mut ramipril = Medication::new(
        "Ramipril",
        DoseAmount::parse("5 mg")?,
        Schedule::FixedTimes {
            times: vec![at(8, 0)],
        },
        start_day,
    )?;
    for m in [&mut metformin, &mut ramipril] {
        m.recorded_at = Some(start);
        record.add_medication(m)?;
    }

    let mut readings = Vec::new();
    let mut doses = Vec::new();
    for d in 0..i64::from(days) {
        let day = start_day + Duration::days(d);
        let t =
            |h: u32, m: u32| companion_core::reminders::zone::resolve(&tz, day.and_time(at(h, m)));
        // Blood pressure mornings and evenings, falling slowly; duplicates in the last week.
        let trend = 12.0 * (1.0 - d as f64 / f64::from(days));
        let pairs = if d >= i64::from(days) - 7 { 2 } else { 1 };
        for (h, bump) in [(7, 4.0), (19, 0.0)] {
            for k in 0..pairs {
                let sys = (134.0 + trend + bump + 6.0 * noise.gauss()).round() as u16;
                let dia = (84.0 + trend / 2.0 + 4.0 * noise.gauss()).round() as u16;
                let m = Measurement::BloodPressure {
                    systolic: sys,
                    diastolic: dia.min(sys - 20),
                    pulse: Some((70.0 + 5.0 * noise.gauss()) as u16),
                };
                readings.push(imported(m, local(t(h, 2 * k)), readings.len())?);
            }
        }
        // Glucose: a sensor every 15 minutes over the last 14 days, fingersticks before that.
        let sensor = d >= i64::from(days) - 14;
        let slots: Vec<(u32, u32)> = if sensor {
            (0..96).map(|i| (i / 4, (i % 4) * 15)).collect()
        } else {
            vec![(7, 0), (12, 0), (18, 0), (22, 0)]
        };
        for (h, m) in slots {
            let hour = f64::from(h) + f64::from(m) / 60.0;
            let meals = [7.5, 12.5, 18.5]
                .iter()
                .map(|meal| 55.0 * (-((hour - meal - 1.0).powi(2)) / 1.5).exp())
                .sum::<f64>();
            let mg = (105.0 + meals + 14.0 * noise.gauss()).clamp(45.0, 380.0);
            let context = if h == 7 && !sensor {
                MealContext::Fasting
            } else {
                MealContext::Random
            };
            let mut reading = imported(
                Measurement::Glucose { mg_dl: mg, context },
                local(t(h, m)),
                readings.len(),
            )?;
            reading.sensor_interval_minutes = sensor.then_some(15);
            readings.push(reading);
        }
        readings.push(imported(
            Measurement::Weight {
                kg: 84.0 - 2.5 * d as f64 / f64::from(days) + 0.3 * noise.gauss(),
            },
            local(t(6, 50)),
            readings.len(),
        )?);
        // Doses: nine in ten taken, mostly on time.
        for (med, h) in [(&metformin, 8), (&metformin, 20), (&ramipril, 8)] {
            let scheduled = t(h, 0);
            if scheduled >= now - Duration::hours(2) || noise.next() > 0.9 {
                continue;
            }
            let late = Duration::minutes((noise.next() * noise.next() * 150.0) as i64);
            doses.push(DoseEvent::new(
                &med.id,
                DoseStatus::Taken,
                local(scheduled + late),
                Some(local(scheduled)),
            )?);
        }
    }
    // One hypertensive crisis and one level 2 low, which raise alerts.
    let crisis_at = local(start + Duration::days(i64::from(days) / 3) + Duration::hours(9));
    readings.push(imported(
        Measurement::BloodPressure {
            systolic: 184,
            diastolic: 112,
            pulse: Some(88),
        },
        crisis_at,
        readings.len(),
    )?);
    let low_at = local(now - Duration::days(5) - Duration::hours(6));
    readings.push(imported(
        Measurement::Glucose {
            mg_dl: 49.0,
            context: MealContext::Random,
        },
        low_at,
        readings.len(),
    )?);
    readings.retain(|r| r.at.to_utc() < now);
    record.add_readings(&readings)?;
    record.import_doses(&doses)?;

    for (days_ago, text, mood) in [
        (20, "Started walking 30 minutes after dinner.", 4),
        (6, "Dizzy in the morning after getting up quickly.", 2),
    ] {
        let mut e = JournalEntry::new(
            local(now - Duration::days(days_ago)),
            text,
            Some(mood),
            vec![],
        )?;
        e.highlight = true;
        record.add_journal_entry(&e)?;
    }
    let visit = (now + Duration::days(3)).with_timezone(&tz).date_naive();
    record.add_measurement_plan(&MeasurementPlan::home_blood_pressure_before(visit))?;
    Ok(record)
}
