//! Units of measure and exact conversions between them.
//!
//! The store keeps one canonical unit per quantity at full precision (docs/clinical-sources.md, "Units"):
//! glucose in mg/dL, weight in kg, temperature in degrees Celsius, HbA1c in NGSP percent,
//! pressures in mmHg. Conversions happen when a value is entered or shown, never in storage.

use crate::vocabulary::vocabulary;
use serde::{Deserialize, Serialize};

/// mg/dL per mmol/L of glucose: the molar mass of glucose, 180.16 g/mol, over 10
/// (docs/clinical-sources.md, "Blood glucose"; the one constant every glucose conversion uses).
pub const GLUCOSE_MG_DL_PER_MMOL_L: f64 = 18.016;

/// Kilograms in one avoirdupois pound, exact by the 1959 international yard and pound agreement.
pub const KG_PER_LB: f64 = 0.453_592_37;

/// A glucose unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GlucoseUnit {
    /// Milligrams per decilitre (canonical; UCUM `mg/dL`).
    #[serde(rename = "mg/dL")]
    MgDl,
    /// Millimoles per litre (UCUM `mmol/L`).
    #[serde(rename = "mmol/L")]
    MmolL,
}

vocabulary!(GlucoseUnit, "glucose unit", {
    MgDl => "mg/dL",
    MmolL => "mmol/L" | "mmol",
});

impl GlucoseUnit {
    /// The value in mg/dL of `value` given in this unit.
    pub fn to_mg_dl(self, value: f64) -> f64 {
        match self {
            Self::MgDl => value,
            Self::MmolL => value * GLUCOSE_MG_DL_PER_MMOL_L,
        }
    }

    /// The value in this unit of `mg_dl`.
    pub fn from_mg_dl(self, mg_dl: f64) -> f64 {
        match self {
            Self::MgDl => mg_dl,
            Self::MmolL => mg_dl / GLUCOSE_MG_DL_PER_MMOL_L,
        }
    }

    /// The unit's symbol as people write it.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::MgDl => "mg/dL",
            Self::MmolL => "mmol/L",
        }
    }

    /// The unit a new record starts with: mmol/L where clinics use it (China, the United
    /// Kingdom and Ireland, the Nordic and Baltic countries, the Netherlands, Switzerland,
    /// Russia, Canada, Australia, New Zealand, South Africa, Singapore, Malaysia, Hong Kong), or
    /// when the record is written in Chinese; mg/dL elsewhere (the United States, Latin
    /// America, most of southern and western continental Europe, Japan, Korea, India).
    pub fn default_for(language: super::Language, home_time_zone: &str) -> Self {
        const MMOL_L_ZONES: &[&str] = &[
            "Asia/Shanghai",
            "Asia/Urumqi",
            "Asia/Chongqing",
            "Asia/Harbin",
            "Asia/Hong_Kong",
            "Asia/Macau",
            "Asia/Singapore",
            "Asia/Kuala_Lumpur",
            "Europe/London",
            "Europe/Dublin",
            "Europe/Belfast",
            "Europe/Amsterdam",
            "Europe/Oslo",
            "Europe/Stockholm",
            "Europe/Copenhagen",
            "Europe/Helsinki",
            "Europe/Tallinn",
            "Europe/Riga",
            "Europe/Vilnius",
            "Europe/Zurich",
            "Europe/Moscow",
            "Atlantic/Reykjavik",
            "Pacific/Auckland",
            "Africa/Johannesburg",
            "America/Toronto",
            "America/Vancouver",
            "America/Montreal",
            "America/Edmonton",
            "America/Winnipeg",
            "America/Halifax",
            "America/St_Johns",
            "America/Regina",
            "America/Moncton",
            "America/Whitehorse",
            "America/Yellowknife",
            "America/Iqaluit",
        ];
        let zone = home_time_zone.trim();
        if language == super::Language::SimplifiedChinese
            || MMOL_L_ZONES.contains(&zone)
            || zone.starts_with("Australia/")
            || zone.starts_with("Canada/")
        {
            Self::MmolL
        } else {
            Self::MgDl
        }
    }

    /// The other unit, when `value` typed without a unit on a record in this unit is beyond
    /// what a glucose meter shows in it (they read up to 33.3 mmol/L or 600 mg/dL, "HI" above)
    /// yet a reading a meter shows in the other: `6.2` on a mg/dL record, `120` on a mmol/L
    /// one. Such a value is asked about, never guessed.
    pub fn doubtful_bare_value(self, value: f64) -> Option<Self> {
        const METER_MAX_MMOL_L: f64 = 33.3;
        const METER_MAX_MG_DL: f64 = 600.0;
        match self {
            Self::MgDl if value > 0.0 && value <= METER_MAX_MMOL_L => Some(Self::MmolL),
            Self::MmolL if value > METER_MAX_MMOL_L && value <= METER_MAX_MG_DL => Some(Self::MgDl),
            _ => None,
        }
    }

    /// `mg_dl` shown in this unit, rounded only here (docs/clinical-sources.md: mmol/L to one decimal,
    /// mg/dL to a whole number): `112 mg/dL`, `6.2 mmol/L`.
    pub fn format(self, mg_dl: f64) -> String {
        match self {
            Self::MgDl => format!("{:.0} mg/dL", mg_dl),
            Self::MmolL => format!("{:.1} mmol/L", self.from_mg_dl(mg_dl)),
        }
    }
}

/// A number as people type it: `81.5`, or with a decimal comma as most of Europe writes it
/// (`81,5`), thousands grouped (`1.000,5`, `1 000`). `None` for anything else (`1,5,2`, an
/// empty text) and for a single mark before three digits (`1,000`), which may be read two
/// ways: see [`super::number::parse_number`] to read it by the record's decimal mark.
pub fn parse_decimal(text: &str) -> Option<f64> {
    super::number::parse_number(text, None).ok()
}

/// A body-weight unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WeightUnit {
    /// Kilograms (canonical).
    #[serde(rename = "kg")]
    Kg,
    /// Avoirdupois pounds.
    #[serde(rename = "lb")]
    Lb,
}

vocabulary!(WeightUnit, "weight unit", {
    Kg => "kg" | "kgs",
    Lb => "lb" | "lbs",
});

impl WeightUnit {
    /// The value in kg of `value` given in this unit.
    pub fn to_kg(self, value: f64) -> f64 {
        match self {
            Self::Kg => value,
            Self::Lb => value * KG_PER_LB,
        }
    }

    /// The value in this unit of `kg`.
    pub fn from_kg(self, kg: f64) -> f64 {
        match self {
            Self::Kg => kg,
            Self::Lb => kg / KG_PER_LB,
        }
    }

    /// The unit's symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Kg => "kg",
            Self::Lb => "lb",
        }
    }

    /// `kg` shown in this unit to one decimal: `81.5 kg`, `179.7 lb`.
    pub fn format(self, kg: f64) -> String {
        format!("{:.1} {}", self.from_kg(kg), self.symbol())
    }
}

/// A body-temperature unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TemperatureUnit {
    /// Degrees Celsius (canonical; UCUM `Cel`).
    #[serde(rename = "C")]
    Celsius,
    /// Degrees Fahrenheit (UCUM `[degF]`).
    #[serde(rename = "F")]
    Fahrenheit,
}

vocabulary!(TemperatureUnit, "temperature unit", {
    Celsius => "C" | "°C" | "celsius",
    Fahrenheit => "F" | "°F" | "fahrenheit",
});

impl TemperatureUnit {
    /// The value in degrees Celsius of `value` given in this unit.
    pub fn to_celsius(self, value: f64) -> f64 {
        match self {
            Self::Celsius => value,
            Self::Fahrenheit => (value - 32.0) * 5.0 / 9.0,
        }
    }

    /// The value in this unit of `celsius`.
    pub fn from_celsius(self, celsius: f64) -> f64 {
        match self {
            Self::Celsius => celsius,
            Self::Fahrenheit => celsius * 9.0 / 5.0 + 32.0,
        }
    }

    /// The unit's symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Celsius => "°C",
            Self::Fahrenheit => "°F",
        }
    }

    /// `celsius` shown in this unit to one decimal: `38.0 °C`, `100.4 °F`.
    pub fn format(self, celsius: f64) -> String {
        format!("{:.1} {}", self.from_celsius(celsius), self.symbol())
    }
}

/// An HbA1c unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HbA1cUnit {
    /// NGSP/DCCT percent (canonical; LOINC 4548-4).
    #[serde(rename = "%")]
    Percent,
    /// IFCC mmol/mol.
    #[serde(rename = "mmol/mol")]
    MmolMol,
}

vocabulary!(HbA1cUnit, "HbA1c unit", {
    Percent => "%" | "percent",
    MmolMol => "mmol/mol",
});

impl HbA1cUnit {
    /// The value in NGSP percent of `value` given in this unit, by the IFCC-NGSP master equation
    /// NGSP(%) = 0.09148 x IFCC + 2.152 (docs/clinical-sources.md, "HbA1c units").
    pub fn to_percent(self, value: f64) -> f64 {
        match self {
            Self::Percent => value,
            Self::MmolMol => 0.09148 * value + 2.152,
        }
    }

    /// The value in this unit of `percent`: IFCC (mmol/mol) = 10.93 x NGSP(%) - 23.5
    /// (docs/clinical-sources.md, "HbA1c units").
    pub fn from_percent(self, percent: f64) -> f64 {
        match self {
            Self::Percent => percent,
            Self::MmolMol => 10.93 * percent - 23.5,
        }
    }

    /// The unit's symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Percent => "%",
            Self::MmolMol => "mmol/mol",
        }
    }

    /// `percent` shown in this unit: NGSP % to one decimal, IFCC mmol/mol whole (`6.5 %`,
    /// `48 mmol/mol`).
    pub fn format(self, percent: f64) -> String {
        match self {
            Self::Percent => format!("{percent:.1} %"),
            Self::MmolMol => format!("{:.0} mmol/mol", self.from_percent(percent)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glucose_round_trips_at_full_precision() {
        for mg in [54.0, 70.0, 100.0, 180.0, 250.0] {
            let mmol = GlucoseUnit::MmolL.from_mg_dl(mg);
            assert!((GlucoseUnit::MmolL.to_mg_dl(mmol) - mg).abs() < 1e-9);
        }
        assert!((GlucoseUnit::MmolL.from_mg_dl(70.0) - 3.885_4).abs() < 1e-4);
    }

    #[test]
    fn decimals_with_a_point_or_a_comma() {
        assert_eq!(parse_decimal("81,5"), Some(81.5));
        assert_eq!(parse_decimal("81.5"), Some(81.5));
        assert_eq!(parse_decimal(" 6 "), Some(6.0));
        for bad in ["1,5,2", "1.5,2", "", ",5", "5,", "abc", "inf", "NaN"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_bare_glucose_is_doubtful_only_beyond_what_meters_show() {
        use GlucoseUnit::*;
        assert_eq!(MgDl.doubtful_bare_value(33.3), Some(MmolL));
        assert_eq!(MgDl.doubtful_bare_value(33.4), None);
        assert_eq!(MgDl.doubtful_bare_value(45.0), None);
        assert_eq!(MmolL.doubtful_bare_value(33.3), None);
        assert_eq!(MmolL.doubtful_bare_value(33.4), Some(MgDl));
        assert_eq!(MmolL.doubtful_bare_value(600.0), Some(MgDl));
        assert_eq!(MmolL.doubtful_bare_value(601.0), None);
        let zh = super::super::Language::SimplifiedChinese;
        let en = super::super::Language::English;
        assert_eq!(GlucoseUnit::default_for(zh, "America/New_York"), MmolL);
        assert_eq!(GlucoseUnit::default_for(en, "Europe/London"), MmolL);
        assert_eq!(GlucoseUnit::default_for(en, "Australia/Sydney"), MmolL);
        assert_eq!(GlucoseUnit::default_for(en, "America/New_York"), MgDl);
        assert_eq!(GlucoseUnit::default_for(en, "Europe/Berlin"), MgDl);
    }

    #[test]
    fn weight_and_temperature_round_trip() {
        assert!((WeightUnit::Lb.to_kg(1.0) - 0.453_592_37).abs() < 1e-12);
        assert!((WeightUnit::Lb.from_kg(WeightUnit::Lb.to_kg(180.0)) - 180.0).abs() < 1e-9);
        assert!((TemperatureUnit::Fahrenheit.to_celsius(98.6) - 37.0).abs() < 1e-9);
        assert!((TemperatureUnit::Fahrenheit.from_celsius(38.0) - 100.4).abs() < 1e-9);
    }

    #[test]
    fn display_rounds_only_at_the_end() {
        assert_eq!(GlucoseUnit::MgDl.format(111.6992), "112 mg/dL");
        assert_eq!(GlucoseUnit::MmolL.format(111.6992), "6.2 mmol/L");
        assert_eq!(GlucoseUnit::MmolL.format(70.0), "3.9 mmol/L");
        assert_eq!(GlucoseUnit::MmolL.format(54.0), "3.0 mmol/L");
        assert_eq!(WeightUnit::Lb.format(81.5), "179.7 lb");
        assert_eq!(TemperatureUnit::Fahrenheit.format(38.0), "100.4 °F");
        assert_eq!(HbA1cUnit::MmolMol.format(6.5), "48 mmol/mol");
        assert_eq!(HbA1cUnit::Percent.format(6.54), "6.5 %");
    }

    #[test]
    fn hba1c_check_values_from_clinical_md() {
        assert_eq!(HbA1cUnit::MmolMol.from_percent(6.5).round(), 48.0);
        assert_eq!(HbA1cUnit::MmolMol.from_percent(7.0).round(), 53.0);
        assert!((HbA1cUnit::MmolMol.to_percent(48.0) - 6.5).abs() < 0.05);
        assert!((HbA1cUnit::MmolMol.to_percent(53.0) - 7.0).abs() < 0.05);
    }
}
