//! The container's record model: what the database stores, one JSON value a
//! record item, and the collections the REST API serves.

use serde::{Deserialize, Serialize};

use crate::filters::Filter;

/// The code system base URIs (SMART.md, "RDF shape").
pub(crate) mod systems {
    /// RxNorm.
    pub(crate) const RXNORM: &str = "http://purl.bioontology.org/ontology/RXNORM/";
    /// SNOMED CT.
    pub(crate) const SNOMED: &str = "http://purl.bioontology.org/ontology/SNOMEDCT/";
    /// LOINC.
    pub(crate) const LOINC: &str = "http://purl.bioontology.org/ontology/LNC/";
    /// CDC vaccine codes.
    pub(crate) const CVX: &str =
        "http://www2a.cdc.gov/vaccines/iis/iisstandards/vaccines.asp?rpt=cvx&code=";
    /// SMART encounter types.
    pub(crate) const ENCOUNTER_TYPE: &str = "http://smartplatforms.org/terms/codes/EncounterType#";
    /// SMART immunization administration statuses.
    pub(crate) const IMMUNIZATION_STATUS: &str =
        "http://smartplatforms.org/terms/codes/ImmunizationAdministrationStatus#";
}

/// A coded value: a title and a code in a system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Coded {
    /// Human-readable title.
    pub(crate) title: String,
    /// The code system base URI.
    pub(crate) system: String,
    /// The code identifier in that system.
    pub(crate) code: String,
}

/// A value with a UCUM unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Quantity {
    /// The value, as written.
    pub(crate) value: String,
    /// The UCUM unit.
    pub(crate) unit: String,
}

/// A patient's demographics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Demographics {
    pub(crate) given: String,
    pub(crate) additional: String,
    pub(crate) family: String,
    pub(crate) gender: String,
    pub(crate) birthday: String,
    pub(crate) street: String,
    pub(crate) locality: String,
    pub(crate) region: String,
    pub(crate) postal_code: String,
    pub(crate) country: String,
    pub(crate) phone: String,
    pub(crate) email: String,
    pub(crate) mrn: String,
}

/// One record item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Item {
    Medication {
        drug: Coded,
        start: String,
        end: Option<String>,
        instructions: String,
        quantity: Quantity,
        frequency: Quantity,
    },
    Fulfillment {
        date: String,
        medication_id: String,
        quantity: Quantity,
        days_supply: u32,
        pharmacy: String,
    },
    Problem {
        name: Coded,
        start: String,
        end: Option<String>,
    },
    Allergy {
        substance: Coded,
        reaction: Coded,
        severity: Coded,
    },
    Immunization {
        product: Coded,
        date: String,
        status: Coded,
    },
    LabResult {
        name: Coded,
        date: String,
        value: String,
        unit: String,
        low: String,
        high: String,
    },
    VitalSignSet {
        date: String,
        height_cm: String,
        weight_kg: String,
        systolic: String,
        diastolic: String,
        heart_rate: String,
        temperature_c: String,
        /// The type of the encounter the signs were taken at (absent in
        /// records stored before it was generated).
        #[serde(default)]
        encounter: Option<Coded>,
    },
    Encounter {
        start: String,
        end: String,
        kind: Coded,
    },
    ClinicalNote {
        date: String,
        title: String,
        /// The note's text (a posted note may carry formats only).
        #[serde(default)]
        text: Option<String>,
        /// Where the note's content is, per media type (posted notes).
        #[serde(default)]
        formats: Vec<NoteFormat>,
    },
    Procedure {
        date: String,
        name: Coded,
        status: String,
    },
    SocialHistory {
        smoking: Coded,
    },
    FamilyHistory {
        problem: Coded,
        relation: Coded,
    },
    /// A document, or the patient's photograph (the `photograph` collection).
    Document {
        date: Option<String>,
        title: String,
        file_name: String,
        media_type: String,
        /// The content, base64.
        content: String,
    },
    /// Lab results reported together.
    LabPanel {
        date: String,
        name: Coded,
        /// The item ids of its lab results.
        results: Vec<String>,
    },
}

/// One format of a clinical note: where its content is and its media type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct NoteFormat {
    /// The URL of the content.
    pub(crate) uri: String,
    /// Its media type.
    pub(crate) media_type: String,
}

/// A collection of the REST API, as its rows in `smart_api::CALLS` give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Collection {
    /// The path segment and storage kind (`medications`).
    pub(crate) name: &'static str,
    /// The `sp:` type of its items.
    pub(crate) type_uri: &'static str,
    /// The query parameters its list call accepts.
    pub(crate) filters: &'static [Filter],
    /// Whether the call returns a single item (`social_history`).
    pub(crate) single: bool,
}

/// The collection a record call reads (its list, its item or its single
/// call): the path segment after `/records/{record_id}/`. `None` for the
/// calls that read no collection (demographics, scratchpad, ...).
pub(crate) fn collection_of(call: &smart_api::Call) -> Option<Collection> {
    use smart_api::{CallId, Cardinality};
    let rest = call.path.strip_prefix("/records/{record_id}/")?;
    let (name, single) = match call.id {
        CallId::Demographics => return None,
        _ if call.category == "record_items" => (
            rest.strip_suffix('/').unwrap_or(rest),
            call.cardinality == Cardinality::Single,
        ),
        _ if call.category == "record_item" => (rest.strip_suffix("/{id}")?, false),
        _ => return None,
    };
    Some(Collection {
        name,
        type_uri: call.target,
        filters: call.filters,
        single,
    })
}

/// Every record collection the API serves (demographics apart): the list
/// and single calls of the table of calls.
#[cfg(test)]
pub(crate) fn collections() -> Vec<Collection> {
    (smart_api::CALLS.iter())
        .filter(|c| c.category == "record_items")
        .filter_map(collection_of)
        .collect()
}
