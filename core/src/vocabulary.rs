//! One vocabulary for the record's enums: the names they are stored, exported, typed and sent
//! across the FFI as.
//!
//! [`vocabulary!`] gives a fieldless enum `ALL`, `as_str` (its serde name, so stored values never
//! change), `FromStr` (that name or a common alias such as `bp`, `mmol` or `lbs`, ignoring case,
//! with `-` and spaces read as `_`) and `Display`. The CLI parses its arguments with `FromStr`,
//! the store and the outputs name values with `as_str`; nothing else spells them.

/// Whether `a` and `b` are the same name: compared trimmed, in lower case, with `-` and
/// spaces as `_`, without making a copy of either (a name is read for every row of an
/// import).
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    let form = |c: char| match c {
        '-' | ' ' => '_',
        c => c.to_ascii_lowercase(),
    };
    a.trim().chars().map(form).eq(b.trim().chars().map(form))
}

/// Implements the vocabulary of a fieldless enum: `vocabulary!(Type, "field name", { Variant =>
/// "name" | "alias", ... })`. The names must be the variants' serde names (a test checks).
macro_rules! vocabulary {
    ($t:ident, $field:literal, { $($v:ident => $name:literal $(| $alias:literal)*),+ $(,)? }) => {
        impl $t {
            /// Every value, in declaration order.
            pub const ALL: &'static [$t] = &[$($t::$v),+];

            /// The name it is stored, exported and typed as.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($t::$v => $name),+
                }
            }
        }

        impl ::std::str::FromStr for $t {
            type Err = $crate::model::ValidationError;

            /// Reads a stored name or a common alias (case, `-` and spaces do not matter).
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                $(
                    if $crate::vocabulary::same_name(text, $name)
                        $(|| $crate::vocabulary::same_name(text, $alias))*
                    {
                        return Ok($t::$v);
                    }
                )+
                Err($crate::model::ValidationError::NotOneOf {
                    field: $field,
                    names: &[$($name),+],
                })
            }
        }

        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use vocabulary;

#[cfg(test)]
mod tests {
    use crate::clinical::blood_pressure::{BpCategory, BpSetting};
    use crate::model::units::{GlucoseUnit, HbA1cUnit, TemperatureUnit, WeightUnit};
    use crate::model::{
        AlertKind, BpGuideline, DoseStatus, Language, Meal, MealContext, MedicationForm,
        MedicationStatus, ReadingKind, Sex,
    };

    /// Each name is the variant's serde name and reads back as the variant.
    fn agrees<T>(all: &[T])
    where
        T: Copy + PartialEq + std::fmt::Debug + serde::Serialize + std::str::FromStr,
        T: std::fmt::Display,
    {
        for v in all {
            let serde_name = serde_json::to_value(v).expect("serializes");
            assert_eq!(serde_name, serde_json::json!(v.to_string()), "{v:?}");
            assert!(v.to_string().parse::<T>().ok() == Some(*v), "{v:?}");
        }
    }

    #[test]
    fn names_are_the_serde_names_and_parse_back() {
        agrees(ReadingKind::ALL);
        agrees(MealContext::ALL);
        agrees(MedicationForm::ALL);
        agrees(MedicationStatus::ALL);
        agrees(Meal::ALL);
        agrees(DoseStatus::ALL);
        agrees(AlertKind::ALL);
        agrees(Sex::ALL);
        agrees(Language::ALL);
        agrees(GlucoseUnit::ALL);
        agrees(WeightUnit::ALL);
        agrees(TemperatureUnit::ALL);
        agrees(HbA1cUnit::ALL);
        agrees(BpGuideline::ALL);
        agrees(BpSetting::ALL);
        agrees(BpCategory::ALL);
    }

    #[test]
    fn aliases_and_spelling_variants() {
        assert_eq!("BP".parse(), Ok(ReadingKind::BloodPressure));
        assert_eq!("blood-pressure".parse(), Ok(ReadingKind::BloodPressure));
        assert_eq!("mmol".parse(), Ok(GlucoseUnit::MmolL));
        assert_eq!("MG/DL".parse(), Ok(GlucoseUnit::MgDl));
        assert_eq!("lbs".parse(), Ok(WeightUnit::Lb));
        assert_eq!("°F".parse(), Ok(TemperatureUnit::Fahrenheit));
        assert_eq!("before meal".parse(), Ok(MealContext::BeforeMeal));
        assert_eq!("zh-hans".parse(), Ok(Language::SimplifiedChinese));
        let err = "stone".parse::<WeightUnit>().expect_err("refused");
        assert_eq!(err.to_string(), "unknown weight unit: use kg or lb");
        assert_eq!(err.field(), "weight unit");
    }
}
