//! Medications, problems, allergies and immunizations.

use chrono::{DateTime, NaiveDate, Utc};
use oxigraph::model as ox;

use super::node::{Node, Out};
use super::{Codec, CodedValue, Record, ValueAndUnit, coded, opt_coded, write_opt_coded};
use crate::Error;
use crate::ns::sp;

/// A medication (`sp:Medication`), in the `medications` collection.
///
/// [`Record::date`] is `start_date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Medication {
    /// The record id (last segment of the statement IRI).
    pub id: String,
    /// The drug (`sp:drugName`), coded in RxNorm.
    pub drug_name: CodedValue,
    /// `sp:startDate`.
    pub start_date: NaiveDate,
    /// `sp:endDate`.
    pub end_date: Option<NaiveDate>,
    /// Free-text instructions (`sp:instructions`).
    pub instructions: Option<String>,
    /// The quantity per dose (`sp:quantity`), e.g. `1 {tablet}`.
    pub quantity: Option<ValueAndUnit>,
    /// The frequency (`sp:frequency`), e.g. `2 /d`.
    pub frequency: Option<ValueAndUnit>,
}

/// A problem (`sp:Problem`), in the `problems` collection.
///
/// [`Record::date`] is `start_date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The record id.
    pub id: String,
    /// The problem (`sp:problemName`), coded in SNOMED CT.
    pub name: CodedValue,
    /// `sp:startDate`.
    pub start_date: NaiveDate,
    /// `sp:endDate`, when resolved.
    pub end_date: Option<NaiveDate>,
    /// `sp:notes`.
    pub notes: Option<String>,
}

/// What an allergy is to: which `sp:*Allergen` property carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AllergenKind {
    /// `sp:drugAllergen`.
    Drug,
    /// `sp:drugClassAllergen`.
    DrugClass,
    /// `sp:foodAllergen`.
    Food,
    /// `sp:otherAllergen`.
    Other,
}

impl AllergenKind {
    const ALL: [Self; 4] = [Self::Drug, Self::DrugClass, Self::Food, Self::Other];

    /// The property IRI.
    pub fn property(self) -> &'static str {
        match self {
            Self::Drug => sp::DRUG_ALLERGEN,
            Self::DrugClass => sp::DRUG_CLASS_ALLERGEN,
            Self::Food => sp::FOOD_ALLERGEN,
            Self::Other => sp::OTHER_ALLERGEN,
        }
    }
}

/// An allergy (`sp:Allergy`), in the `allergies` collection.
///
/// [`Record::date`] is `start_date`, which the SMART ontology does not define: we write it as
/// `sp:startDate` when known, and allergies without it have no date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allergy {
    /// The record id.
    pub id: String,
    /// `sp:category`, e.g. drug allergy.
    pub category: CodedValue,
    /// Which property carries the allergen.
    pub allergen_kind: AllergenKind,
    /// The allergen.
    pub allergen: CodedValue,
    /// `sp:allergicReaction`.
    pub reaction: CodedValue,
    /// `sp:severity`.
    pub severity: Option<CodedValue>,
    /// `sp:startDate` (our extension).
    pub start_date: Option<NaiveDate>,
}

/// An immunization (`sp:Immunization`), in the `immunizations` collection.
///
/// [`Record::date`] is the date part of `date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Immunization {
    /// The record id.
    pub id: String,
    /// When it was given (`dcterms:date`).
    pub date: DateTime<Utc>,
    /// The vaccine (`sp:productName`).
    pub product_name: CodedValue,
    /// `sp:administrationStatus`, e.g. doseGiven.
    pub administration_status: CodedValue,
    /// `sp:refusalReason`.
    pub refusal_reason: Option<CodedValue>,
}

impl Record for Medication {
    const COLLECTION: &'static str = "medications";
    const TYPE: &'static str = sp::MEDICATION;
    const NAME: &'static str = "Medication";
    fn id(&self) -> &str {
        &self.id
    }
    fn date(&self) -> Option<NaiveDate> {
        Some(self.start_date)
    }
}

impl Codec for Medication {
    fn read(node: &Node<'_>) -> Result<Self, Error> {
        Ok(Self {
            id: node.id()?,
            drug_name: coded(node, sp::DRUG_NAME, "drug_name")?,
            start_date: node.date(sp::START_DATE, "start_date")?,
            end_date: node.opt_date(sp::END_DATE, "end_date")?,
            instructions: node.opt_str(sp::INSTRUCTIONS, "instructions")?,
            quantity: opt_quantity(node, sp::QUANTITY, "quantity")?,
            frequency: opt_quantity(node, sp::FREQUENCY, "frequency")?,
        })
    }

    fn write(&self, out: &mut Out, s: &ox::NamedOrBlankNode) -> Result<(), Error> {
        write_opt_coded(out, s, sp::DRUG_NAME, Some(&self.drug_name))?;
        out.date(s, sp::START_DATE, self.start_date);
        out.opt_date(s, sp::END_DATE, self.end_date);
        out.opt_lit(s, sp::INSTRUCTIONS, self.instructions.as_deref());
        write_opt_quantity(out, s, sp::QUANTITY, self.quantity.as_ref());
        write_opt_quantity(out, s, sp::FREQUENCY, self.frequency.as_ref());
        Ok(())
    }
}

impl Record for Problem {
    const COLLECTION: &'static str = "problems";
    const TYPE: &'static str = sp::PROBLEM;
    const NAME: &'static str = "Problem";
    fn id(&self) -> &str {
        &self.id
    }
    fn date(&self) -> Option<NaiveDate> {
        Some(self.start_date)
    }
}

impl Codec for Problem {
    fn read(node: &Node<'_>) -> Result<Self, Error> {
        Ok(Self {
            id: node.id()?,
            name: coded(node, sp::PROBLEM_NAME, "name")?,
            start_date: node.date(sp::START_DATE, "start_date")?,
            end_date: node.opt_date(sp::END_DATE, "end_date")?,
            notes: node.opt_str(sp::NOTES, "notes")?,
        })
    }

    fn write(&self, out: &mut Out, s: &ox::NamedOrBlankNode) -> Result<(), Error> {
        write_opt_coded(out, s, sp::PROBLEM_NAME, Some(&self.name))?;
        out.date(s, sp::START_DATE, self.start_date);
        out.opt_date(s, sp::END_DATE, self.end_date);
        out.opt_lit(s, sp::NOTES, self.notes.as_deref());
        Ok(())
    }
}

impl Record for Allergy {
    const COLLECTION: &'static str = "allergies";
    const TYPE: &'static str = sp::ALLERGY;
    const NAME: &'static str = "Allergy";
    fn id(&self) -> &str {
        &self.id
    }
    fn date(&self) -> Option<NaiveDate> {
        self.start_date
    }
}

impl Codec for Allergy {
    fn read(node: &Node<'_>) -> Result<Self, Error> {
        let mut found = None;
        for kind in AllergenKind::ALL {
            if let Some(value) = opt_coded(node, kind.property(), "allergen")? {
                if found.is_some() {
                    return Err(node.invalid("allergen", "more than one allergen"));
                }
                found = Some((kind, value));
            }
        }
        let (allergen_kind, allergen) = found.ok_or_else(|| node.missing("allergen"))?;
        Ok(Self {
            id: node.id()?,
            category: coded(node, sp::CATEGORY, "category")?,
            allergen_kind,
            allergen,
            reaction: coded(node, sp::ALLERGIC_REACTION, "reaction")?,
            severity: opt_coded(node, sp::SEVERITY, "severity")?,
            start_date: node.opt_date(sp::START_DATE, "start_date")?,
        })
    }

    fn write(&self, out: &mut Out, s: &ox::NamedOrBlankNode) -> Result<(), Error> {
        write_opt_coded(out, s, sp::CATEGORY, Some(&self.category))?;
        write_opt_coded(out, s, self.allergen_kind.property(), Some(&self.allergen))?;
        write_opt_coded(out, s, sp::ALLERGIC_REACTION, Some(&self.reaction))?;
        write_opt_coded(out, s, sp::SEVERITY, self.severity.as_ref())?;
        out.opt_date(s, sp::START_DATE, self.start_date);
        Ok(())
    }
}

impl Record for Immunization {
    const COLLECTION: &'static str = "immunizations";
    const TYPE: &'static str = sp::IMMUNIZATION;
    const NAME: &'static str = "Immunization";
    fn id(&self) -> &str {
        &self.id
    }
    fn date(&self) -> Option<NaiveDate> {
        Some(self.date.date_naive())
    }
}

impl Codec for Immunization {
    fn read(node: &Node<'_>) -> Result<Self, Error> {
        Ok(Self {
            id: node.id()?,
            date: node.datetime(crate::ns::dcterms::DATE, "date")?,
            product_name: coded(node, sp::PRODUCT_NAME, "product_name")?,
            administration_status: coded(node, sp::ADMINISTRATION_STATUS, "administration_status")?,
            refusal_reason: opt_coded(node, sp::REFUSAL_REASON, "refusal_reason")?,
        })
    }

    fn write(&self, out: &mut Out, s: &ox::NamedOrBlankNode) -> Result<(), Error> {
        out.datetime(s, crate::ns::dcterms::DATE, self.date);
        write_opt_coded(out, s, sp::PRODUCT_NAME, Some(&self.product_name))?;
        write_opt_coded(
            out,
            s,
            sp::ADMINISTRATION_STATUS,
            Some(&self.administration_status),
        )?;
        write_opt_coded(out, s, sp::REFUSAL_REASON, self.refusal_reason.as_ref())?;
        Ok(())
    }
}

pub(super) fn opt_quantity(
    node: &Node<'_>,
    predicate: &str,
    field: &str,
) -> Result<Option<ValueAndUnit>, Error> {
    node.opt_child(predicate, field)?
        .map(|q| ValueAndUnit::read(&q))
        .transpose()
}

pub(super) fn write_opt_quantity(
    out: &mut Out,
    s: &ox::NamedOrBlankNode,
    predicate: &str,
    q: Option<&ValueAndUnit>,
) {
    if let Some(q) = q {
        let n = q.write(out);
        out.node(s, predicate, &n);
    }
}
