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
            writeln!(ctx.out, "Name:        {}", p.name)?;
            if let Some(born) = p.birth_date {
                writeln!(ctx.out, "Born:        {born}")?;
            }
            if let Some(h) = p.height_cm {
                writeln!(ctx.out, "Height:      {h} cm")?;
            }
            writeln!(
                ctx.out,
                "Conditions:  {}",
                listed(&p.conditions, p, "conditions")
            )?;
            writeln!(
                ctx.out,
                "Allergies:   {}",
                listed(&p.allergies, p, "allergies")
            )?;
            writeln!(ctx.out, "Time zone:   {}", p.home_time_zone)?;
            writeln!(
                ctx.out,
                "Units:       glucose {}, weight {}",
                p.units.glucose.symbol(),
                p.units.weight.symbol()
            )?;
            writeln!(ctx.out, "Record id:   {}", record.id())?;
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
            writeln!(ctx.out, "Profile updated")?;
            Ok(())
        }
    }
}

/// A list, or what is known when it is empty: "none known" or "not recorded".
fn listed(list: &[String], p: &Profile, item: &str) -> String {
    if !list.is_empty() {
        list.join(", ")
    } else if p.says_none(item) {
        "none known".into()
    } else {
        "not recorded".into()
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
