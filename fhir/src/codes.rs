//! The codes an exported observation carries: LOINC for what was measured, UCUM for its unit,
//! and the FHIR R4 vital-signs profile it claims (http://hl7.org/fhir/R4/observation-vitalsigns.html).

/// LOINC's system URI.
pub const LOINC: &str = "http://loinc.org";
/// UCUM's system URI.
pub const UCUM: &str = "http://unitsofmeasure.org";
/// The observation-category code system.
pub const CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
/// The identifier system of the entries this project writes (the record's entry ids).
pub const ENTRY_SYSTEM: &str = "urn:companion:entry";

/// One kind of observation: its LOINC code and display, its UCUM unit, and its profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// LOINC code.
    pub loinc: &'static str,
    /// LOINC display.
    pub display: &'static str,
    /// UCUM code of its value.
    pub ucum: &'static str,
    /// The R4 vital-signs profile it conforms to, if it is a vital sign.
    pub profile: Option<&'static str>,
}

const fn vital(
    loinc: &'static str,
    display: &'static str,
    ucum: &'static str,
    profile: &'static str,
) -> Code {
    Code {
        loinc,
        display,
        ucum,
        profile: Some(profile),
    }
}

/// Blood pressure panel (the profile `bp`), with its two components.
pub const BP_PANEL: Code = vital(
    "85354-9",
    "Blood pressure panel with all children optional",
    "mm[Hg]",
    "http://hl7.org/fhir/StructureDefinition/bp",
);
/// Systolic blood pressure.
pub const SYSTOLIC: Code = Code {
    loinc: "8480-6",
    display: "Systolic blood pressure",
    ucum: "mm[Hg]",
    profile: None,
};
/// Diastolic blood pressure.
pub const DIASTOLIC: Code = Code {
    loinc: "8462-4",
    display: "Diastolic blood pressure",
    ucum: "mm[Hg]",
    profile: None,
};
/// Heart rate.
pub const HEART_RATE: Code = vital(
    "8867-4",
    "Heart rate",
    "/min",
    "http://hl7.org/fhir/StructureDefinition/heartrate",
);
/// Body weight.
pub const BODY_WEIGHT: Code = vital(
    "29463-7",
    "Body weight",
    "kg",
    "http://hl7.org/fhir/StructureDefinition/bodyweight",
);
/// Body height.
pub const BODY_HEIGHT: Code = vital(
    "8302-2",
    "Body height",
    "cm",
    "http://hl7.org/fhir/StructureDefinition/bodyheight",
);
/// Body mass index.
pub const BMI: Code = vital(
    "39156-5",
    "Body mass index (BMI) [Ratio]",
    "kg/m2",
    "http://hl7.org/fhir/StructureDefinition/bmi",
);
/// Body temperature.
pub const TEMPERATURE: Code = vital(
    "8310-5",
    "Body temperature",
    "Cel",
    "http://hl7.org/fhir/StructureDefinition/bodytemp",
);
/// Oxygen saturation by pulse oximetry (the profile also asks for 2708-6, added beside it).
pub const SPO2: Code = vital(
    "59408-5",
    "Oxygen saturation in Arterial blood by Pulse oximetry",
    "%",
    "http://hl7.org/fhir/StructureDefinition/oxygensat",
);
/// The code the oxygen-saturation profile requires beside 59408-5.
pub const SPO2_PROFILE_CODE: (&str, &str) = ("2708-6", "Oxygen saturation in Arterial blood");
/// Capillary glucose by glucometer (a fingerstick).
pub const GLUCOSE_CAPILLARY: Code = Code {
    loinc: "41653-7",
    display: "Glucose [Mass/volume] in Capillary blood by Glucometer",
    ucum: "mg/dL",
    profile: None,
};
/// Interstitial glucose (a continuous glucose monitor).
pub const GLUCOSE_CGM: Code = Code {
    loinc: "99504-3",
    display: "Glucose [Mass/volume] in Interstitial fluid",
    ucum: "mg/dL",
    profile: None,
};
/// Glucose in blood (imported from elsewhere, method unknown).
pub const GLUCOSE_BLOOD: Code = Code {
    loinc: "2339-0",
    display: "Glucose [Mass/volume] in Blood",
    ucum: "mg/dL",
    profile: None,
};
/// HbA1c (NGSP).
pub const HBA1C: Code = Code {
    loinc: "4548-4",
    display: "Hemoglobin A1c/Hemoglobin.total in Blood",
    ucum: "%",
    profile: None,
};
