//! Fulfillments, clinical notes, procedures, social history and family history.

use chrono::NaiveDate;
use oxigraph::model as ox;

use super::clinical::{opt_quantity, write_opt_quantity};
use super::node::{Node, Out};
use super::{Codec, CodedValue, Record, ValueAndUnit, coded, opt_coded, write_opt_coded};
use crate::Error;
use crate::ns::{codes, dcterms, sp};

/// A medication fulfillment (`sp:Fulfillment`): a pharmacy dispensed a medication, in the
/// `fulfillments` collection.
///
/// [`Record::date`] is `date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fulfillment {
    /// The record id.
    pub id: String,
    /// When it was dispensed (`dcterms:date`).
    pub date: NaiveDate,
    /// The IRI of the medication dispensed (`sp:medication`).
    pub medication: Option<String>,
    /// How much was dispensed (`sp:quantityDispensed`).
    pub quantity_dispensed: Option<ValueAndUnit>,
    /// For how many days (`sp:dispenseDaysSupply`).
    pub days_supply: Option<u64>,
    /// The pharmacy's name (`sp:pharmacy [ a sp:Pharmacy; dcterms:title ]`).
    pub pharmacy: Option<String>,
}

/// A clinical note (`sp:ClinicalNote`), in the `clinical_notes` collection.
///
/// The original ontology makes the date and title optional and asks for at least one
/// `dcterms:hasFormat` (a URL of the content in a media type). We require the date and the
/// title (the date orders and filters the collection) and the content in at least one form:
/// the text itself (`sp:value`, our extension) or a format.
///
/// [`Record::date`] is `date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicalNote {
    /// The record id (empty for a note read with [`Graph::new_record`](crate::Graph::new_record)
    /// from a blank node, as an app posts it).
    pub id: String,
    /// When the note was written (`dcterms:date`).
    pub date: NaiveDate,
    /// The note's title (`dcterms:title`).
    pub title: String,
    /// The note's plain text (`sp:value`).
    pub text: Option<String>,
    /// The note's content elsewhere, one URL per media type (`dcterms:hasFormat`).
    pub formats: Vec<NoteFormat>,
}

/// One format of a clinical note (`sp:DocumentWithFormat`): a URL and its media type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NoteFormat {
    /// Where the content is (the node's IRI).
    pub uri: String,
    /// Its media type, e.g. `text/html` (`dcterms:format <http://purl.org/NET/mediatypes/text/html>`).
    pub media_type: String,
}

/// A procedure (`sp:Procedure`), in the `procedures` collection.
///
/// [`Record::date`] is `date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Procedure {
    /// The record id.
    pub id: String,
    /// When it was done (`dcterms:date`).
    pub date: NaiveDate,
    /// What was done (`sp:procedureName`), coded in SNOMED CT.
    pub name: CodedValue,
    /// Its status (`sp:procedureStatus`), e.g. complete ([`Procedure::status_code`]).
    pub status: Option<CodedValue>,
}

/// A patient's social history (`sp:SocialHistory`), the single item of `social_history`.
///
/// [`Record::date`] is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocialHistory {
    /// The record id.
    pub id: String,
    /// Smoking status (`sp:smokingStatus`), coded in SNOMED CT.
    pub smoking_status: Option<CodedValue>,
}

/// A family history observation (`sp:FamilyHistory`), in the `family_history` collection.
///
/// [`Record::date`] is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyHistory {
    /// The record id.
    pub id: String,
    /// The relative's problem (`sp:problemName`), coded in SNOMED CT.
    pub problem: CodedValue,
    /// Who had it (`sp:relation`), e.g. mother.
    pub relation: CodedValue,
}

impl Procedure {
    /// The coded value of a procedure status of SMART's vocabulary
    /// ([`codes::PROCEDURE_STATUS`]), e.g. `complete`.
    pub fn status_code(identifier: &str, title: &str) -> CodedValue {
        CodedValue::new(
            title,
            super::Code::in_system(codes::PROCEDURE_STATUS, identifier, Some(title)),
        )
    }
}

impl Record for Fulfillment {
    const COLLECTION: &'static str = "fulfillments";
    const TYPE: &'static str = sp::FULFILLMENT;
    const NAME: &'static str = "Fulfillment";
    fn id(&self) -> &str {
        &self.id
    }
    fn date(&self) -> Option<NaiveDate> {
        Some(self.date)
    }
}

impl Codec for Fulfillment {
    fn read(node: &Node<'_>) -> Result<Self, Error> {
        let medication = match node.opt_child(sp::MEDICATION_PROP, "medication")? {
            None => None,
            Some(m) => Some(
                m.iri()
                    .ok_or_else(|| node.invalid("medication", "expected the medication's iri"))?
                    .to_owned(),
            ),
        };
        Ok(Self {
            id: node.id()?,
            date: node.date(dcterms::DATE, "date")?,
            medication,
            quantity_dispensed: opt_quantity(node, sp::QUANTITY_DISPENSED, "quantity_dispensed")?,
            days_supply: node.opt_u64(sp::DISPENSE_DAYS_SUPPLY, "days_supply")?,
            pharmacy: node
                .opt_child(sp::PHARMACY_PROP, "pharmacy")?
                .map(|p| p.str(dcterms::TITLE, "title"))
                .transpose()?,
        })
    }

    fn write(&self, out: &mut Out, s: &ox::NamedOrBlankNode) -> Result<(), Error> {
        out.date(s, dcterms::DATE, self.date);
        if let Some(m) = &self.medication {
            out.link(s, sp::MEDICATION_PROP, m)?;
        }
        write_opt_quantity(
            out,
            s,
            sp::QUANTITY_DISPENSED,
            self.quantity_dispensed.as_ref(),
        );
        if let Some(days) = self.days_supply {
            out.lit(s, sp::DISPENSE_DAYS_SUPPLY, &days.to_string());
        }
        if let Some(name) = &self.pharmacy {
            let p = out.blank();
            out.typed(&p, sp::PHARMACY);
            out.lit(&p, dcterms::TITLE, name);
            out.node(s, sp::PHARMACY_PROP, &p);
        }
        Ok(())
    }
}

impl Record for ClinicalNote {
    const COLLECTION: &'static str = "clinical_notes";
    const TYPE: &'static str = sp::CLINICAL_NOTE;
    const NAME: &'static str = "ClinicalNote";
    fn id(&self) -> &str {
        &self.id
    }
    fn date(&self) -> Option<NaiveDate> {
        Some(self.date)
    }
}

impl Codec for ClinicalNote {
    fn read(node: &Node<'_>) -> Result<Self, Error> {
        let mut formats = Vec::new();
        for f in node.children(dcterms::HAS_FORMAT, "formats")? {
            let uri = f
                .iri()
                .ok_or_else(|| node.invalid("formats", "a format must be a url, not a blank node"))?
                .to_owned();
            formats.push(NoteFormat {
                uri,
                media_type: media_type(&f, "formats.media_type")?,
            });
        }
        formats.sort();
        let text = node.opt_str(sp::VALUE, "text")?;
        if text.is_none() && formats.is_empty() {
            return Err(node.missing("text or formats"));
        }
        Ok(Self {
            id: node.id()?,
            date: node.date(dcterms::DATE, "date")?,
            title: node.str(dcterms::TITLE, "title")?,
            text,
            formats,
        })
    }

    fn write(&self, out: &mut Out, s: &ox::NamedOrBlankNode) -> Result<(), Error> {
        out.date(s, dcterms::DATE, self.date);
        out.lit(s, dcterms::TITLE, &self.title);
        out.opt_lit(s, sp::VALUE, self.text.as_deref());
        for f in &self.formats {
            let n = Out::iri(&f.uri)?;
            out.typed(&n, sp::DOCUMENT_WITH_FORMAT);
            write_media_type(out, &n, &f.media_type)?;
            out.node(s, dcterms::HAS_FORMAT, &n);
        }
        Ok(())
    }
}

impl Record for Procedure {
    const COLLECTION: &'static str = "procedures";
    const TYPE: &'static str = sp::PROCEDURE;
    const NAME: &'static str = "Procedure";
    fn id(&self) -> &str {
        &self.id
    }
    fn date(&self) -> Option<NaiveDate> {
        Some(self.date)
    }
}

impl Codec for Procedure {
    fn read(node: &Node<'_>) -> Result<Self, Error> {
        Ok(Self {
            id: node.id()?,
            date: node.date(dcterms::DATE, "date")?,
            name: coded(node, sp::PROCEDURE_NAME, "name")?,
            status: opt_coded(node, sp::PROCEDURE_STATUS, "status")?,
        })
    }

    fn write(&self, out: &mut Out, s: &ox::NamedOrBlankNode) -> Result<(), Error> {
        out.date(s, dcterms::DATE, self.date);
        write_opt_coded(out, s, sp::PROCEDURE_NAME, Some(&self.name))?;
        write_opt_coded(out, s, sp::PROCEDURE_STATUS, self.status.as_ref())
    }
}

impl Record for SocialHistory {
    const COLLECTION: &'static str = "social_history";
    const TYPE: &'static str = sp::SOCIAL_HISTORY;
    const NAME: &'static str = "SocialHistory";
    fn id(&self) -> &str {
        &self.id
    }
    fn date(&self) -> Option<NaiveDate> {
        None
    }
}

impl Codec for SocialHistory {
    fn read(node: &Node<'_>) -> Result<Self, Error> {
        Ok(Self {
            id: node.id()?,
            smoking_status: opt_coded(node, sp::SMOKING_STATUS, "smoking_status")?,
        })
    }

    fn write(&self, out: &mut Out, s: &ox::NamedOrBlankNode) -> Result<(), Error> {
        write_opt_coded(out, s, sp::SMOKING_STATUS, self.smoking_status.as_ref())
    }
}

impl Record for FamilyHistory {
    const COLLECTION: &'static str = "family_history";
    const TYPE: &'static str = sp::FAMILY_HISTORY;
    const NAME: &'static str = "FamilyHistory";
    fn id(&self) -> &str {
        &self.id
    }
    fn date(&self) -> Option<NaiveDate> {
        None
    }
}

impl Codec for FamilyHistory {
    fn read(node: &Node<'_>) -> Result<Self, Error> {
        Ok(Self {
            id: node.id()?,
            problem: coded(node, sp::PROBLEM_NAME, "problem")?,
            relation: coded(node, sp::RELATION, "relation")?,
        })
    }

    fn write(&self, out: &mut Out, s: &ox::NamedOrBlankNode) -> Result<(), Error> {
        write_opt_coded(out, s, sp::PROBLEM_NAME, Some(&self.problem))?;
        write_opt_coded(out, s, sp::RELATION, Some(&self.relation))
    }
}

/// Reads `dcterms:format <http://purl.org/NET/mediatypes/{type}>` as `type`.
pub(super) fn media_type(node: &Node<'_>, field: &str) -> Result<String, Error> {
    let iri = node.str(dcterms::FORMAT, field)?;
    let media = iri.strip_prefix(codes::MEDIA_TYPES).unwrap_or(&iri);
    match media.split_once('/') {
        Some((top, sub)) if !top.is_empty() && !sub.is_empty() => Ok(media.to_owned()),
        _ => Err(node.invalid(field, &format!("{iri:?} is not a media type"))),
    }
}

/// Writes `dcterms:format <http://purl.org/NET/mediatypes/{type}>`.
pub(super) fn write_media_type(
    out: &mut Out,
    s: &ox::NamedOrBlankNode,
    media_type: &str,
) -> Result<(), Error> {
    out.link(
        s,
        dcterms::FORMAT,
        &format!("{}{media_type}", codes::MEDIA_TYPES),
    )
}
