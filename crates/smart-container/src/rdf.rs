//! From the stored model to RDF/XML: every document the container serves
//! (record items, demographics, users, the empty document; the ontology in
//! `web/calls.rs`) is written through `smart-rdf`'s one RDF/XML writer,
//! `RecordWriter`, from its typed records.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest as _, Sha256};
use smart_rdf::{
    AllergenKind, Allergy, BloodPressure, ClinicalNote, Code, CodedValue,
    Demographics as RdfDemographics, Document, Encounter, FamilyHistory, Fulfillment, Gender,
    Immunization, LabPanel, LabResult, Medication, Name, NoteFormat, Photograph, Problem,
    Procedure, RecordWriter, ResponseSummary, SocialHistory, User, ValueAndUnit, ValueRange,
    VitalSign, VitalSignSet,
};

use crate::Error;
use crate::error::UnexpectedValue;
use crate::model::{Coded, Demographics, Item, systems};
use crate::store::ItemRow;

/// The summary of a collection page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Summary {
    pub(crate) total: u64,
    pub(crate) returned: u64,
    pub(crate) next_page_url: Option<String>,
}

/// The RDF/XML of a record's demographics.
pub(crate) fn demographics_document(
    api_base: &str,
    record_id: &str,
    d: &Demographics,
) -> Result<String, Error> {
    let mut w = RecordWriter::new(api_base, record_id).map_err(rdf_err)?;
    w.add(&demographics(d)?).map_err(rdf_err)?;
    w.to_rdf_xml().map_err(rdf_err)
}

/// The RDF/XML of the demographics of several records (a search reply);
/// an empty document when there are none.
pub(crate) fn demographics_search_document(
    api_base: &str,
    found: &[(String, Demographics)],
) -> Result<String, Error> {
    let Some((first, _)) = found.first() else {
        return empty_document(api_base);
    };
    let mut w = RecordWriter::new(api_base, first).map_err(rdf_err)?;
    for (record_id, d) in found {
        w.switch_record(record_id).map_err(rdf_err)?;
        w.add(&demographics(d)?).map_err(rdf_err)?;
    }
    w.to_rdf_xml().map_err(rdf_err)
}

/// The RDF/XML of items of one collection, with the summary of a list call.
/// Documents carry where their content is served, never the content itself
/// (see [`document_document`]).
pub(crate) fn items_document(
    api_base: &str,
    record_id: &str,
    collection: &str,
    rows: &[ItemRow],
    summary: Option<&Summary>,
) -> Result<String, Error> {
    let mut w = RecordWriter::new(api_base, record_id).map_err(rdf_err)?;
    for row in rows {
        add_item(&mut w, collection, &row.item_id, &stored_item(row)?, false)?;
    }
    if let Some(s) = summary {
        w.add_summary(&ResponseSummary {
            total_result_count: s.total,
            results_returned: s.returned,
            result_order: vec![ORDER_KEY.into()],
            next_page_url: s.next_page_url.clone(),
        })
        .map_err(rdf_err)?;
    }
    w.to_rdf_xml().map_err(rdf_err)
}

/// The RDF/XML of one document (or the photograph), its content embedded
/// as base64 when `embed` (`format=combined`).
pub(crate) fn document_document(
    api_base: &str,
    record_id: &str,
    collection: &str,
    row: &ItemRow,
    embed: bool,
) -> Result<String, Error> {
    let mut w = RecordWriter::new(api_base, record_id).map_err(rdf_err)?;
    add_item(&mut w, collection, &row.item_id, &stored_item(row)?, embed)?;
    w.to_rdf_xml().map_err(rdf_err)
}

/// The users of the container, each a `foaf:Person`: `(user id, given
/// name, family name)`.
pub(crate) fn users_document(
    api_base: &str,
    users: &[(&str, &str, &str)],
) -> Result<String, Error> {
    let mut w = RecordWriter::for_container(api_base).map_err(rdf_err)?;
    for (id, given, family) in users {
        w.add(&User {
            id: (*id).to_owned(),
            given_name: (*given).to_owned(),
            family_name: (*family).to_owned(),
        })
        .map_err(rdf_err)?;
    }
    w.to_rdf_xml().map_err(rdf_err)
}

/// An empty RDF/XML document (an empty scratchpad, no preferences, a search
/// that found nothing).
pub(crate) fn empty_document(api_base: &str) -> Result<String, Error> {
    RecordWriter::for_container(api_base)
        .and_then(|w| w.to_rdf_xml())
        .map_err(rdf_err)
}

/// A stored item, read back from its JSON.
pub(crate) fn stored_item(row: &ItemRow) -> Result<Item, Error> {
    serde_json::from_str::<Item>(&row.body).map_err(|source| {
        UnexpectedValue::Json {
            what: "record item",
            source,
        }
        .into()
    })
}

/// A stored document's content with its media type and file name.
#[derive(Debug)]
pub(crate) struct Content<'i> {
    pub(crate) bytes: Vec<u8>,
    pub(crate) media_type: &'i str,
    pub(crate) file_name: &'i str,
}

/// The content of a stored document (or photograph); `None` for another
/// kind of item.
pub(crate) fn document_content(item: &Item) -> Result<Option<Content<'_>>, Error> {
    match item {
        Item::Document {
            content,
            media_type,
            file_name,
            ..
        } => Ok(Some(Content {
            bytes: BASE64.decode(content).map_err(UnexpectedValue::Base64)?,
            media_type,
            file_name,
        })),
        _ => Ok(None),
    }
}

/// The sort key named in `api:resultOrder`: newest first.
pub(crate) const ORDER_KEY: &str = "-date";

/// Adds a stored item as its `smart-rdf` record; `collection` tells a
/// document from the photograph, `embed` whether a document carries its
/// content.
fn add_item(
    w: &mut RecordWriter,
    collection: &str,
    id: &str,
    item: &Item,
    embed: bool,
) -> Result<(), Error> {
    let id = id.to_owned();
    let record_uri = w.record_uri().unwrap_or_default();
    match item {
        Item::Medication {
            drug,
            start,
            end,
            instructions,
            quantity,
            frequency,
        } => w.add(&Medication {
            id,
            drug_name: coded(drug),
            start_date: date(start)?,
            end_date: end.as_deref().map(date).transpose()?,
            instructions: Some(instructions.clone()),
            quantity: Some(ValueAndUnit::new(&quantity.value, &quantity.unit)),
            frequency: Some(ValueAndUnit::new(&frequency.value, &frequency.unit)),
        }),
        Item::Problem { name, start, end } => w.add(&Problem {
            id,
            name: coded(name),
            start_date: date(start)?,
            end_date: end.as_deref().map(date).transpose()?,
            notes: None,
        }),
        Item::Allergy {
            substance,
            reaction,
            severity,
        } => w.add(&Allergy {
            id,
            category: CodedValue::new(
                "Drug allergy",
                Code::snomed("416098002", Some("Drug allergy")),
            ),
            allergen_kind: AllergenKind::Drug,
            allergen: coded(substance),
            reaction: coded(reaction),
            severity: Some(coded(severity)),
            start_date: None,
        }),
        Item::Immunization {
            product,
            date: d,
            status,
        } => w.add(&Immunization {
            id,
            date: datetime(d)?,
            product_name: coded(product),
            administration_status: coded(status),
            refusal_reason: None,
        }),
        Item::LabResult {
            name,
            date: d,
            value,
            unit,
            low,
            high,
        } => w.add(&LabResult {
            id,
            name: coded(name),
            specimen_collected: datetime(d)?,
            value: Some(ValueAndUnit::new(value, unit)),
            normal_range: Some(ValueRange {
                minimum: Some(ValueAndUnit::new(low, unit)),
                maximum: Some(ValueAndUnit::new(high, unit)),
            }),
            narrative: None,
            interpretation: None,
            accession_number: None,
            status: None,
        }),
        Item::VitalSignSet {
            date: d,
            height_cm,
            weight_kg,
            systolic,
            diastolic,
            heart_rate,
            temperature_c,
            encounter,
        } => w.add(&VitalSignSet {
            id,
            date: datetime(d)?,
            encounter_type: encounter.as_ref().map(coded),
            height: Some(vital("Body height", "8302-2", height_cm, "cm")),
            weight: Some(vital("Body weight", "3141-9", weight_kg, "kg")),
            body_mass_index: None,
            respiratory_rate: None,
            heart_rate: Some(vital("Heart rate", "8867-4", heart_rate, "{beats}/min")),
            oxygen_saturation: None,
            temperature: Some(vital("Body temperature", "8310-5", temperature_c, "Cel")),
            blood_pressure: Some(BloodPressure {
                systolic: vital("Systolic blood pressure", "8480-6", systolic, "mm[Hg]"),
                diastolic: vital("Diastolic blood pressure", "8462-4", diastolic, "mm[Hg]"),
                position: None,
                site: None,
            }),
        }),
        Item::Encounter { start, end, kind } => w.add(&Encounter {
            id,
            start_date: datetime(start)?,
            end_date: Some(datetime(end)?),
            encounter_type: coded(kind),
            facility: Some("Synthetic General Hospital".into()),
        }),
        Item::Fulfillment {
            date: d,
            medication_id,
            quantity,
            days_supply,
            pharmacy,
        } => w.add(&Fulfillment {
            id,
            date: date(d)?,
            medication: Some(format!("{record_uri}/medications/{medication_id}")),
            quantity_dispensed: Some(ValueAndUnit::new(&quantity.value, &quantity.unit)),
            days_supply: Some(u64::from(*days_supply)),
            pharmacy: Some(pharmacy.clone()),
        }),
        Item::ClinicalNote {
            date: d,
            title,
            text,
            formats,
        } => w.add(&ClinicalNote {
            id,
            date: date(d)?,
            title: title.clone(),
            text: text.clone(),
            formats: formats
                .iter()
                .map(|f| NoteFormat {
                    uri: f.uri.clone(),
                    media_type: f.media_type.clone(),
                })
                .collect(),
        }),
        Item::Procedure {
            date: d,
            name,
            status,
        } => w.add(&Procedure {
            id,
            date: date(d)?,
            name: coded(name),
            status: Some(procedure_status(status)),
        }),
        Item::SocialHistory { smoking } => w.add(&SocialHistory {
            id,
            smoking_status: Some(coded(smoking)),
        }),
        Item::FamilyHistory { problem, relation } => w.add(&FamilyHistory {
            id,
            problem: coded(problem),
            relation: coded(relation),
        }),
        Item::LabPanel {
            date: d,
            name,
            results,
        } => w.add(&LabPanel {
            id,
            date: Some(date(d)?),
            name: Some(coded(name)),
            results: results
                .iter()
                .map(|r| format!("{record_uri}/lab_results/{r}"))
                .collect(),
        }),
        Item::Document {
            date: d,
            title,
            file_name,
            media_type,
            content,
        } => {
            let bytes = BASE64.decode(content).map_err(UnexpectedValue::Base64)?;
            let photograph = collection == "photograph";
            let document = Document {
                location: Some(if photograph {
                    format!("{record_uri}/photograph/image")
                } else {
                    format!("{record_uri}/documents/{id}?format=raw")
                }),
                id: if photograph { "photograph".into() } else { id },
                date: d.as_deref().map(date).transpose()?,
                title: Some(title.clone()),
                file_name: file_name.clone(),
                media_type: media_type.clone(),
                size: Some(bytes.len() as u64),
                sha256: Some(hex(&Sha256::digest(&bytes))),
                content: embed.then_some(bytes),
            };
            if photograph {
                w.add(&Photograph(document))
            } else {
                w.add(&document)
            }
        }
    }
    .map_err(rdf_err)?;
    Ok(())
}

/// A stored procedure status as SMART's coded value (`completed` is its
/// `complete`).
fn procedure_status(status: &str) -> CodedValue {
    match status {
        "completed" | "complete" => Procedure::status_code("complete", "Complete"),
        other => Procedure::status_code(other, other),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn demographics(d: &Demographics) -> Result<RdfDemographics, Error> {
    Ok(RdfDemographics {
        name: Name {
            given: d.given.clone(),
            additional: Some(d.additional.clone()),
            family: d.family.clone(),
        },
        gender: if d.gender == "female" {
            Gender::Female
        } else {
            Gender::Male
        },
        birthday: date(&d.birthday)?,
        address: Some(smart_rdf::Address {
            street: Some(d.street.clone()),
            locality: Some(d.locality.clone()),
            region: Some(d.region.clone()),
            postal_code: Some(d.postal_code.clone()),
            country: Some(d.country.clone()),
        }),
        phone: Some(d.phone.clone()),
        email: Some(d.email.clone()),
        medical_record_numbers: vec![Code {
            uri: None,
            system: "My Hospital Record".into(),
            identifier: d.mrn.clone(),
            title: Some(format!("My Hospital Record {}", d.mrn)),
        }],
    })
}

fn coded(c: &Coded) -> CodedValue {
    CodedValue::new(
        &c.title,
        Code::in_system(&c.system, &c.code, Some(&c.title)),
    )
}

fn vital(title: &str, loinc: &str, value: &str, unit: &str) -> VitalSign {
    VitalSign {
        name: CodedValue::new(title, Code::in_system(systems::LOINC, loinc, Some(title))),
        value: value.to_owned(),
        unit: unit.to_owned(),
    }
}

fn date(s: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| {
        UnexpectedValue::Date {
            value: s.to_owned(),
            source: Some(e),
        }
        .into()
    })
}

fn datetime(s: &str) -> Result<DateTime<Utc>, Error> {
    let d = date(s)?;
    d.and_hms_opt(12, 0, 0).map(|t| t.and_utc()).ok_or_else(|| {
        UnexpectedValue::Date {
            value: s.to_owned(),
            source: None,
        }
        .into()
    })
}

pub(crate) fn rdf_err(e: smart_rdf::Error) -> Error {
    Error::Rdf(e)
}
