//! From the stored model to RDF/XML. Record kinds that `smart-rdf` types
//! (demographics, medications, problems, allergies, immunizations, lab
//! results, vital sign sets, encounters) go through its `RecordWriter`; the
//! others, the user document and the ontology go through [`shim`], a small
//! RDF/XML writer of our own, clearly marked as a stand-in until `smart-rdf`
//! covers them.

pub(crate) mod shim;

use chrono::{DateTime, NaiveDate, Utc};
use smart_rdf::{
    AllergenKind, Allergy, BloodPressure, Code, CodedValue, Demographics as RdfDemographics,
    Encounter, Gender, Immunization, LabResult, Medication, Name, Problem, RecordWriter,
    ResponseSummary, ValueAndUnit, ValueRange, VitalSign, VitalSignSet,
};

use crate::Error;
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
        return Ok(shim::empty_document());
    };
    let mut w = RecordWriter::new(api_base, first).map_err(rdf_err)?;
    for (record_id, d) in found {
        w.switch_record(record_id).map_err(rdf_err)?;
        w.add(&demographics(d)?).map_err(rdf_err)?;
    }
    w.to_rdf_xml().map_err(rdf_err)
}

/// The RDF/XML of items of one collection, with the summary of a list call.
pub(crate) fn items_document(
    api_base: &str,
    record_id: &str,
    collection: &str,
    rows: &[ItemRow],
    summary: Option<&Summary>,
) -> Result<String, Error> {
    let items = rows
        .iter()
        .map(|r| {
            serde_json::from_str::<Item>(&r.body)
                .map(|i| (r.item_id.clone(), i))
                .map_err(|e| Error::Storage(format!("bad stored item: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut w = RecordWriter::new(api_base, record_id).map_err(rdf_err)?;
    let mut shim_items = Vec::new();
    for (id, item) in &items {
        if !add_typed(&mut w, id, item)? {
            shim_items.push((id.clone(), item.clone()));
        }
    }
    if !shim_items.is_empty() || (items.is_empty() && shim::is_shim_collection(collection)) {
        return Ok(shim::items_document(
            api_base,
            record_id,
            collection,
            &shim_items,
            summary,
        ));
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

/// The sort key named in `api:resultOrder`: newest first.
pub(crate) const ORDER_KEY: &str = "-date";

/// Adds an item typed by `smart-rdf`; `false` when the kind is not one.
fn add_typed(w: &mut RecordWriter, id: &str, item: &Item) -> Result<bool, Error> {
    let id = id.to_owned();
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
        Item::Fulfillment { .. }
        | Item::ClinicalNote { .. }
        | Item::Procedure { .. }
        | Item::SocialHistory { .. }
        | Item::FamilyHistory { .. } => return Ok(false),
    }
    .map_err(rdf_err)?;
    Ok(true)
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
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| Error::Storage(format!("bad stored date `{s}`: {e}")))
}

fn datetime(s: &str) -> Result<DateTime<Utc>, Error> {
    let d = date(s)?;
    d.and_hms_opt(12, 0, 0)
        .map(|t| t.and_utc())
        .ok_or_else(|| Error::Storage(format!("bad stored date `{s}`")))
}

fn rdf_err(e: smart_rdf::Error) -> Error {
    Error::Internal(format!("rdf: {e}"))
}
