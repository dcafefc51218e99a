//! `companion report`: the visit report as one HTML file.

use std::path::Path;

use chrono::Duration;
use companion_core::HealthRecord;

use crate::context::Ctx;
use crate::error::CliError;

/// `companion report`.
pub fn run(
    record: &HealthRecord,
    mut ctx: Ctx<'_>,
    days: u32,
    out: &Path,
    follow: bool,
    language: Option<companion_core::model::Language>,
) -> Result<(), CliError> {
    let now = companion_core::clock::now()?;
    record.write_report(
        &crate::context::out_path(out.to_path_buf(), follow),
        now - Duration::days(i64::from(days)),
        now,
        &ctx.profile.home_time_zone,
        language,
    )?;
    ctx.say(
        "said-report",
        &[
            ("days", days.to_string()),
            ("path", out.display().to_string()),
        ],
    )?;
    Ok(())
}
