//! Lab results, vital sign sets and encounters.

use chrono::{DateTime, NaiveDate, Utc};
use oxigraph::model as ox;

use super::clinical::{opt_quantity, write_opt_quantity};
use super::node::{Node, Out};
use super::{Codec, CodedValue, Record, ValueAndUnit, coded, opt_coded, write_opt_coded};
use crate::Error;
use crate::ns::{dcterms, sp, vcard};

/// A lab result (`sp:LabResult`), in the `lab_results` collection.
///
/// [`Record::date`] is the date part of `specimen_collected`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabResult {
    /// The record id.
    pub id: String,
    /// The test (`sp:labName`), coded in LOINC.
    pub name: CodedValue,
    /// When the specimen was collected (`sp:specimenCollected [ a sp:Attribution; sp:startDate ]`).
    pub specimen_collected: DateTime<Utc>,
    /// The measured value (`sp:quantitativeResult [ sp:valueAndUnit ]`).
    pub value: Option<ValueAndUnit>,
    /// The normal range (`sp:quantitativeResult [ sp:normalRange ]`); written only with a value.
    pub normal_range: Option<ValueRange>,
    /// A narrative result (`sp:narrativeResult [ sp:value ]`).
    pub narrative: Option<String>,
    /// `sp:abnormalInterpretation`.
    pub interpretation: Option<CodedValue>,
    /// `sp:accessionNumber`.
    pub accession_number: Option<String>,
    /// `sp:labStatus`, e.g. final.
    pub status: Option<CodedValue>,
}

/// A range of values (`sp:ValueRange`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ValueRange {
    /// `sp:minimum`.
    pub minimum: Option<ValueAndUnit>,
    /// `sp:maximum`.
    pub maximum: Option<ValueAndUnit>,
}

/// A set of vital signs taken together (`sp:VitalSignSet`), in the `vital_sign_sets` collection.
///
/// [`Record::date`] is the date part of `date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VitalSignSet {
    /// The record id.
    pub id: String,
    /// When they were taken (`dcterms:date`).
    pub date: DateTime<Utc>,
    /// The kind of encounter (`sp:encounter [ a sp:Encounter; sp:encounterType ]`).
    pub encounter_type: Option<CodedValue>,
    /// `sp:height`.
    pub height: Option<VitalSign>,
    /// `sp:weight`.
    pub weight: Option<VitalSign>,
    /// `sp:bodyMassIndex`.
    pub body_mass_index: Option<VitalSign>,
    /// `sp:respiratoryRate`.
    pub respiratory_rate: Option<VitalSign>,
    /// `sp:heartRate`.
    pub heart_rate: Option<VitalSign>,
    /// `sp:oxygenSaturation`.
    pub oxygen_saturation: Option<VitalSign>,
    /// `sp:temperature`.
    pub temperature: Option<VitalSign>,
    /// `sp:bloodPressure`.
    pub blood_pressure: Option<BloodPressure>,
}

/// One vital sign (`sp:VitalSign`): what was measured, its value and unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VitalSign {
    /// `sp:vitalName`, coded in LOINC.
    pub name: CodedValue,
    /// `sp:value`, as written.
    pub value: String,
    /// `sp:unit` (UCUM).
    pub unit: String,
}

/// A blood pressure (`sp:BloodPressure`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BloodPressure {
    /// `sp:systolic`.
    pub systolic: VitalSign,
    /// `sp:diastolic`.
    pub diastolic: VitalSign,
    /// `sp:bodyPosition`.
    pub position: Option<CodedValue>,
    /// `sp:bodySite`.
    pub site: Option<CodedValue>,
}

/// An encounter (`sp:Encounter`), in the `encounters` collection.
///
/// [`Record::date`] is the date part of `start_date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encounter {
    /// The record id.
    pub id: String,
    /// `sp:startDate`.
    pub start_date: DateTime<Utc>,
    /// `sp:endDate`.
    pub end_date: Option<DateTime<Utc>>,
    /// `sp:encounterType`, e.g. ambulatory.
    pub encounter_type: CodedValue,
    /// The facility's name (`sp:facility [ a sp:Organization; v:organization-name ]`).
    pub facility: Option<String>,
}

impl Record for LabResult {
    const COLLECTION: &'static str = "lab_results";
    const TYPE: &'static str = sp::LAB_RESULT;
    const NAME: &'static str = "LabResult";
    fn id(&self) -> &str {
        &self.id
    }
    fn date(&self) -> Option<NaiveDate> {
        Some(self.specimen_collected.date_naive())
    }
}

impl Codec for LabResult {
    fn read(node: &Node<'_>) -> Result<Self, Error> {
        let collected = node.child(sp::SPECIMEN_COLLECTED, "specimen_collected")?;
        let (value, normal_range) = match node.opt_child(sp::QUANTITATIVE_RESULT_PROP, "value")? {
            None => (None, None),
            Some(q) => {
                let range = match q.opt_child(sp::NORMAL_RANGE, "normal_range")? {
                    None => None,
                    Some(r) => Some(ValueRange {
                        minimum: opt_quantity(&r, sp::MINIMUM, "minimum")?,
                        maximum: opt_quantity(&r, sp::MAXIMUM, "maximum")?,
                    }),
                };
                (
                    opt_quantity(&q, sp::VALUE_AND_UNIT_PROP, "value_and_unit")?,
                    range,
                )
            }
        };
        Ok(Self {
            id: node.id()?,
            name: coded(node, sp::LAB_NAME, "name")?,
            specimen_collected: collected.datetime(sp::START_DATE, "start_date")?,
            value,
            normal_range,
            narrative: node
                .opt_child(sp::NARRATIVE_RESULT_PROP, "narrative")?
                .map(|n| n.str(sp::VALUE, "value"))
                .transpose()?,
            interpretation: opt_coded(node, sp::ABNORMAL_INTERPRETATION, "interpretation")?,
            accession_number: node.opt_str(sp::ACCESSION_NUMBER, "accession_number")?,
            status: opt_coded(node, sp::LAB_STATUS, "status")?,
        })
    }

    fn write(&self, out: &mut Out, s: &ox::NamedOrBlankNode) -> Result<(), Error> {
        write_opt_coded(out, s, sp::LAB_NAME, Some(&self.name))?;
        let a = out.blank();
        out.typed(&a, sp::ATTRIBUTION);
        out.datetime(&a, sp::START_DATE, self.specimen_collected);
        out.node(s, sp::SPECIMEN_COLLECTED, &a);
        if self.value.is_some() || self.normal_range.is_some() {
            let q = out.blank();
            out.typed(&q, sp::QUANTITATIVE_RESULT);
            write_opt_quantity(out, &q, sp::VALUE_AND_UNIT_PROP, self.value.as_ref());
            if let Some(range) = &self.normal_range {
                let r = out.blank();
                out.typed(&r, sp::VALUE_RANGE);
                write_opt_quantity(out, &r, sp::MINIMUM, range.minimum.as_ref());
                write_opt_quantity(out, &r, sp::MAXIMUM, range.maximum.as_ref());
                out.node(&q, sp::NORMAL_RANGE, &r);
            }
            out.node(s, sp::QUANTITATIVE_RESULT_PROP, &q);
        }
        if let Some(text) = &self.narrative {
            let n = out.blank();
            out.typed(&n, sp::NARRATIVE_RESULT);
            out.lit(&n, sp::VALUE, text);
            out.node(s, sp::NARRATIVE_RESULT_PROP, &n);
        }
        write_opt_coded(
            out,
            s,
            sp::ABNORMAL_INTERPRETATION,
            self.interpretation.as_ref(),
        )?;
        out.opt_lit(s, sp::ACCESSION_NUMBER, self.accession_number.as_deref());
        write_opt_coded(out, s, sp::LAB_STATUS, self.status.as_ref())?;
        Ok(())
    }
}

impl Record for VitalSignSet {
    const COLLECTION: &'static str = "vital_sign_sets";
    const TYPE: &'static str = sp::VITAL_SIGN_SET;
    const NAME: &'static str = "VitalSignSet";
    fn id(&self) -> &str {
        &self.id
    }
    fn date(&self) -> Option<NaiveDate> {
        Some(self.date.date_naive())
    }
}

const VITALS: [(&str, &str); 7] = [
    (sp::HEIGHT, "height"),
    (sp::WEIGHT, "weight"),
    (sp::BODY_MASS_INDEX, "body_mass_index"),
    (sp::RESPIRATORY_RATE, "respiratory_rate"),
    (sp::HEART_RATE, "heart_rate"),
    (sp::OXYGEN_SATURATION, "oxygen_saturation"),
    (sp::TEMPERATURE, "temperature"),
];

impl Codec for VitalSignSet {
    fn read(node: &Node<'_>) -> Result<Self, Error> {
        let mut signs: [Option<VitalSign>; 7] = Default::default();
        for (slot, (predicate, field)) in signs.iter_mut().zip(VITALS) {
            *slot = node
                .opt_child(predicate, field)?
                .map(|v| read_sign(&v))
                .transpose()?;
        }
        let [
            height,
            weight,
            body_mass_index,
            respiratory_rate,
            heart_rate,
            oxygen_saturation,
            temperature,
        ] = signs;
        let encounter_type = match node.opt_child(sp::ENCOUNTER_PROP, "encounter")? {
            Some(e) => opt_coded(&e, sp::ENCOUNTER_TYPE, "encounter_type")?,
            None => None,
        };
        let blood_pressure = match node.opt_child(sp::BLOOD_PRESSURE_PROP, "blood_pressure")? {
            None => None,
            Some(bp) => Some(BloodPressure {
                systolic: read_sign(&bp.child(sp::SYSTOLIC, "systolic")?)?,
                diastolic: read_sign(&bp.child(sp::DIASTOLIC, "diastolic")?)?,
                position: opt_coded(&bp, sp::BODY_POSITION, "position")?,
                site: opt_coded(&bp, sp::BODY_SITE, "site")?,
            }),
        };
        Ok(Self {
            id: node.id()?,
            date: node.datetime(dcterms::DATE, "date")?,
            encounter_type,
            height,
            weight,
            body_mass_index,
            respiratory_rate,
            heart_rate,
            oxygen_saturation,
            temperature,
            blood_pressure,
        })
    }

    fn write(&self, out: &mut Out, s: &ox::NamedOrBlankNode) -> Result<(), Error> {
        out.datetime(s, dcterms::DATE, self.date);
        if let Some(t) = &self.encounter_type {
            let e = out.blank();
            out.typed(&e, sp::ENCOUNTER);
            write_opt_coded(out, &e, sp::ENCOUNTER_TYPE, Some(t))?;
            out.node(s, sp::ENCOUNTER_PROP, &e);
        }
        let signs = [
            &self.height,
            &self.weight,
            &self.body_mass_index,
            &self.respiratory_rate,
            &self.heart_rate,
            &self.oxygen_saturation,
            &self.temperature,
        ];
        for (sign, (predicate, _)) in signs.into_iter().zip(VITALS) {
            if let Some(sign) = sign {
                let n = write_sign(out, sign)?;
                out.node(s, predicate, &n);
            }
        }
        if let Some(bp) = &self.blood_pressure {
            let b = out.blank();
            out.typed(&b, sp::BLOOD_PRESSURE);
            let sys = write_sign(out, &bp.systolic)?;
            out.node(&b, sp::SYSTOLIC, &sys);
            let dia = write_sign(out, &bp.diastolic)?;
            out.node(&b, sp::DIASTOLIC, &dia);
            write_opt_coded(out, &b, sp::BODY_POSITION, bp.position.as_ref())?;
            write_opt_coded(out, &b, sp::BODY_SITE, bp.site.as_ref())?;
            out.node(s, sp::BLOOD_PRESSURE_PROP, &b);
        }
        Ok(())
    }
}

impl Record for Encounter {
    const COLLECTION: &'static str = "encounters";
    const TYPE: &'static str = sp::ENCOUNTER;
    const NAME: &'static str = "Encounter";
    fn id(&self) -> &str {
        &self.id
    }
    fn date(&self) -> Option<NaiveDate> {
        Some(self.start_date.date_naive())
    }
}

impl Codec for Encounter {
    fn read(node: &Node<'_>) -> Result<Self, Error> {
        Ok(Self {
            id: node.id()?,
            start_date: node.datetime(sp::START_DATE, "start_date")?,
            end_date: node.opt_datetime(sp::END_DATE, "end_date")?,
            encounter_type: coded(node, sp::ENCOUNTER_TYPE, "encounter_type")?,
            facility: node
                .opt_child(sp::FACILITY, "facility")?
                .map(|f| f.str(vcard::ORGANIZATION_NAME, "organization_name"))
                .transpose()?,
        })
    }

    fn write(&self, out: &mut Out, s: &ox::NamedOrBlankNode) -> Result<(), Error> {
        out.datetime(s, sp::START_DATE, self.start_date);
        out.opt_datetime(s, sp::END_DATE, self.end_date);
        write_opt_coded(out, s, sp::ENCOUNTER_TYPE, Some(&self.encounter_type))?;
        if let Some(name) = &self.facility {
            let f = out.blank();
            out.typed(&f, sp::ORGANIZATION);
            out.lit(&f, vcard::ORGANIZATION_NAME, name);
            out.node(s, sp::FACILITY, &f);
        }
        Ok(())
    }
}

fn read_sign(node: &Node<'_>) -> Result<VitalSign, Error> {
    Ok(VitalSign {
        name: coded(node, sp::VITAL_NAME, "name")?,
        value: node.str(sp::VALUE, "value")?,
        unit: node.str(sp::UNIT, "unit")?,
    })
}

fn write_sign(out: &mut Out, sign: &VitalSign) -> Result<ox::NamedOrBlankNode, Error> {
    let n = out.blank();
    out.typed(&n, sp::VITAL_SIGN);
    write_opt_coded(out, &n, sp::VITAL_NAME, Some(&sign.name))?;
    out.lit(&n, sp::VALUE, &sign.value);
    out.lit(&n, sp::UNIT, &sign.unit);
    Ok(n)
}
