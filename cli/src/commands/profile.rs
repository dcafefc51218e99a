//! `companion profile show|set`.

use companion_core::HealthRecord;
use companion_core::model::Profile;

use crate::context::Ctx;
use crate::error::CliError;
use crate::{ProfileCommand, ProfileSet};

pub fn run(
    record: &mut HealthRecord,
    cmd: ProfileCommand,
    mut ctx: Ctx<'_>,
) -> Result<(), CliError> {
    match cmd {
        ProfileCommand::Show { json } => {
            let p = &ctx.profile;
            if json {
                return ctx.json(&ctx.profile.clone());
            }
            let w = ctx.words();
            let mut lines = vec![w.get("prof-name", &[("v", p.name.clone())])];
            if let Some(born) = p.birth_date {
                lines.push(w.get("prof-born", &[("v", born.to_string())]));
            }
            if let Some(h) = p.height_cm {
                lines.push(w.get("prof-height", &[("v", h.to_string())]));
            }
            lines.push(w.get(
                "prof-conditions",
                &[("v", listed(&p.conditions, p, "conditions"))],
            ));
            lines.push(w.get(
                "prof-allergies",
                &[("v", listed(&p.allergies, p, "allergies"))],
            ));
            lines.push(w.get("prof-zone", &[("v", p.home_time_zone.clone())]));
            lines.push(w.get(
                "prof-units",
                &[
                    ("glucose", p.units.glucose.symbol().to_string()),
                    ("weight", p.units.weight.symbol().to_string()),
                ],
            ));
            lines.push(w.get("prof-id", &[("v", record.id().to_string())]));
            for line in lines {
                writeln!(ctx.out, "{line}")?;
            }
            Ok(())
        }
        ProfileCommand::Set(set) => {
            // Applied to the profile as stored when the write begins: a condition and an
            // allergy added at the same time by two processes both stay.
            let height = set
                .height_cm
                .as_ref()
                .map(|h| h.value(&ctx.profile))
                .transpose()?;
            record.modify_profile(|p| {
                apply_profile(p, set, height);
                Ok(())
            })?;
            ctx.say("prof-updated", &[])?;
            Ok(())
        }
    }
}

/// A list, or what is known when it is empty: "none known" or "not recorded".
fn listed(list: &[String], p: &Profile, item: &str) -> String {
    let w = crate::words::words(p.language);
    if !list.is_empty() {
        list.join(&w.text("list-sep"))
    } else if p.says_none(item) {
        w.text(&format!("prof-none-{item}"))
    } else {
        w.text("prof-not-recorded")
    }
}

fn apply_profile(p: &mut Profile, set: ProfileSet, height: Option<f64>) {
    if let Some(name) = set.name {
        p.name = name;
    }
    if let Some(tz) = set.tz {
        p.home_time_zone = tz;
    }
    if let Some(born) = set.birth_date {
        p.birth_date = Some(born);
    }
    if let Some(sex) = set.sex {
        p.sex = Some(sex);
    }
    if let Some(h) = height {
        p.height_cm = Some(h);
    }
    for c in set.condition {
        if !p.conditions.contains(&c) {
            p.conditions.push(c);
        }
    }
    for a in set.allergy {
        if !p.allergies.contains(&a) {
            p.allergies.push(a);
        }
    }
    for item in set.none {
        p.say_none(&item);
    }
    if let Some(lang) = set.lang {
        p.language = lang;
    }
    if let Some(u) = set.glucose_unit {
        p.units.glucose = u;
    }
    if let Some(u) = set.weight_unit {
        p.units.weight = u;
    }
}
