//! Documents, the patient's photograph, lab panels and the container's users.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::NaiveDate;
use oxigraph::model as ox;

use super::history::{media_type, write_media_type};
use super::node::{Node, Out};
use super::{Codec, CodedValue, Record, opt_coded, write_opt_coded};
use crate::Error;
use crate::ns::{dcterms, foaf, rdf, sp};

/// The one hash algorithm a document's `sp:hash` names.
pub const SHA_256: &str = "SHA-256";

/// The one encoding of embedded content (`sp:content [ sp:encoding "Base64" ]`).
pub const BASE64_ENCODING: &str = "Base64";

/// A document of the record (`sp:Document`), in the `documents` collection: a file with its
/// name, media type and size, where to fetch it (`sp:resource [ a sp:Resource; sp:location ]`),
/// its SHA-256 (`sp:hash`) and, in a `format=combined` reply, the content itself, base64
/// in `sp:content`, after the original SMART container's documents.
///
/// [`Record::date`] is `date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The record id.
    pub id: String,
    /// When the document was made (`dcterms:date`).
    pub date: Option<NaiveDate>,
    /// Its title (`dcterms:title`).
    pub title: Option<String>,
    /// The file name (`sp:fileName`).
    pub file_name: String,
    /// The media type (`dcterms:format <http://purl.org/NET/mediatypes/{type}>`).
    pub media_type: String,
    /// The size in bytes (`sp:fileSize`).
    pub size: Option<u64>,
    /// Where the raw content is served (`sp:resource [ sp:location ]`).
    pub location: Option<String>,
    /// The content's SHA-256, lower-case hex (`sp:resource [ sp:hash [ sp:algorithm
    /// "SHA-256"; rdf:value ] ]`).
    pub sha256: Option<String>,
    /// The content, when embedded (`sp:resource [ sp:content [ sp:encoding "Base64";
    /// sp:value ] ]`).
    pub content: Option<Vec<u8>>,
}

/// The patient's photograph (`sp:Photograph`): the single item of `photograph`, a
/// [`Document`] whose IRI is `{api_base}/records/{record_id}/photograph` (so its id, the
/// IRI's last segment, is `photograph`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photograph(pub Document);

/// A lab panel (`sp:LabPanel`), in the `lab_panels` collection: lab results ordered and
/// reported together.
///
/// [`Record::date`] is `date`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabPanel {
    /// The record id.
    pub id: String,
    /// When its specimens were collected (`dcterms:date`, our extension: the collections
    /// are filtered and ordered by date).
    pub date: Option<NaiveDate>,
    /// The panel (`sp:labName`), coded in LOINC.
    pub name: Option<CodedValue>,
    /// The IRIs of its results (`sp:labResult`, one or more), sorted.
    pub results: Vec<String>,
}

/// A user of the container (`foaf:Person` at `{api_base}/users/{id}`), as `/users/{id}` and
/// `/users/search` answer. Users belong to no record.
///
/// [`Record::date`] is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The user id (the IRI's last segment, also written as `sp:userId`).
    pub id: String,
    /// `foaf:givenName`.
    pub given_name: String,
    /// `foaf:familyName`.
    pub family_name: String,
}

impl Record for Document {
    const COLLECTION: &'static str = "documents";
    const TYPE: &'static str = sp::DOCUMENT;
    const NAME: &'static str = "Document";
    fn id(&self) -> &str {
        &self.id
    }
    fn date(&self) -> Option<NaiveDate> {
        self.date
    }
}

impl Codec for Document {
    fn read(node: &Node<'_>) -> Result<Self, Error> {
        let (location, sha256, content) = match node.opt_child(sp::RESOURCE_PROP, "resource")? {
            None => (None, None, None),
            Some(r) => {
                let sha256 = match r.opt_child(sp::HASH_PROP, "hash")? {
                    None => None,
                    Some(h) => {
                        let algorithm = h.str(sp::ALGORITHM, "algorithm")?;
                        if algorithm != SHA_256 {
                            return Err(h.invalid(
                                "algorithm",
                                &format!("{algorithm:?} is not {SHA_256:?}"),
                            ));
                        }
                        Some(h.str(rdf::VALUE, "value")?)
                    }
                };
                let content = match r.opt_child(sp::CONTENT_PROP, "content")? {
                    None => None,
                    Some(c) => {
                        let encoding = c.str(sp::ENCODING, "encoding")?;
                        if encoding != BASE64_ENCODING {
                            return Err(c.invalid(
                                "encoding",
                                &format!("{encoding:?} is not {BASE64_ENCODING:?}"),
                            ));
                        }
                        let text = c.str(sp::VALUE, "value")?;
                        let bytes = BASE64
                            .decode(text.split_whitespace().collect::<String>())
                            .map_err(|e| c.invalid("value", &format!("not base64: {e}")))?;
                        Some(bytes)
                    }
                };
                (r.opt_str(sp::LOCATION, "location")?, sha256, content)
            }
        };
        let size = node.opt_u64(sp::FILE_SIZE, "size")?;
        if let (Some(size), Some(bytes)) = (size, &content)
            && size != bytes.len() as u64
        {
            return Err(node.invalid(
                "size",
                &format!("says {size} bytes, the content has {}", bytes.len()),
            ));
        }
        Ok(Self {
            id: node.id()?,
            date: node.opt_date(dcterms::DATE, "date")?,
            title: node.opt_str(dcterms::TITLE, "title")?,
            file_name: node.str(sp::FILE_NAME, "file_name")?,
            media_type: media_type(node, "media_type")?,
            size,
            location,
            sha256,
            content,
        })
    }

    fn write(&self, out: &mut Out, s: &ox::NamedOrBlankNode) -> Result<(), Error> {
        out.opt_date(s, dcterms::DATE, self.date);
        out.opt_lit(s, dcterms::TITLE, self.title.as_deref());
        out.lit(s, sp::FILE_NAME, &self.file_name);
        write_media_type(out, s, &self.media_type)?;
        if let Some(size) = self.size {
            out.integer(s, sp::FILE_SIZE, size);
        }
        if self.location.is_some() || self.sha256.is_some() || self.content.is_some() {
            let r = out.blank();
            out.typed(&r, sp::RESOURCE);
            if let Some(location) = &self.location {
                out.link(&r, sp::LOCATION, location)?;
            }
            if let Some(hex) = &self.sha256 {
                let h = out.blank();
                out.typed(&h, sp::HASH);
                out.lit(&h, sp::ALGORITHM, SHA_256);
                out.lit(&h, rdf::VALUE, hex);
                out.node(&r, sp::HASH_PROP, &h);
            }
            if let Some(bytes) = &self.content {
                let c = out.blank();
                out.typed(&c, sp::CONTENT);
                out.lit(&c, sp::ENCODING, BASE64_ENCODING);
                out.lit(&c, sp::VALUE, &BASE64.encode(bytes));
                out.node(&r, sp::CONTENT_PROP, &c);
            }
            out.node(s, sp::RESOURCE_PROP, &r);
        }
        Ok(())
    }
}

impl Record for Photograph {
    const COLLECTION: &'static str = "photograph";
    const TYPE: &'static str = sp::PHOTOGRAPH;
    const NAME: &'static str = "Photograph";
    fn id(&self) -> &str {
        &self.0.id
    }
    fn date(&self) -> Option<NaiveDate> {
        self.0.date
    }
    fn uri(&self, api_base: &str, record_id: &str) -> String {
        format!(
            "{}/records/{record_id}/photograph",
            api_base.trim_end_matches('/')
        )
    }
}

impl Codec for Photograph {
    fn read(node: &Node<'_>) -> Result<Self, Error> {
        Document::read(node).map(Self)
    }

    fn write(&self, out: &mut Out, s: &ox::NamedOrBlankNode) -> Result<(), Error> {
        self.0.write(out, s)
    }
}

impl Record for LabPanel {
    const COLLECTION: &'static str = "lab_panels";
    const TYPE: &'static str = sp::LAB_PANEL;
    const NAME: &'static str = "LabPanel";
    fn id(&self) -> &str {
        &self.id
    }
    fn date(&self) -> Option<NaiveDate> {
        self.date
    }
}

impl Codec for LabPanel {
    fn read(node: &Node<'_>) -> Result<Self, Error> {
        let mut results = Vec::new();
        for r in node.children(sp::LAB_RESULT_PROP, "results")? {
            results.push(
                r.iri()
                    .ok_or_else(|| node.invalid("results", "a result must be an iri"))?
                    .to_owned(),
            );
        }
        if results.is_empty() {
            return Err(node.missing("results"));
        }
        results.sort();
        Ok(Self {
            id: node.id()?,
            date: node.opt_date(dcterms::DATE, "date")?,
            name: opt_coded(node, sp::LAB_NAME, "name")?,
            results,
        })
    }

    fn write(&self, out: &mut Out, s: &ox::NamedOrBlankNode) -> Result<(), Error> {
        out.opt_date(s, dcterms::DATE, self.date);
        write_opt_coded(out, s, sp::LAB_NAME, self.name.as_ref())?;
        for r in &self.results {
            out.link(s, sp::LAB_RESULT_PROP, r)?;
        }
        Ok(())
    }
}

impl Record for User {
    const COLLECTION: &'static str = "users";
    const TYPE: &'static str = foaf::PERSON;
    const NAME: &'static str = "User";
    const IN_RECORD: bool = false;
    fn id(&self) -> &str {
        &self.id
    }
    fn date(&self) -> Option<NaiveDate> {
        None
    }
    fn uri(&self, api_base: &str, _record_id: &str) -> String {
        format!("{}/users/{}", api_base.trim_end_matches('/'), self.id)
    }
}

impl Codec for User {
    fn read(node: &Node<'_>) -> Result<Self, Error> {
        Ok(Self {
            id: node.id()?,
            given_name: node.str(foaf::GIVEN_NAME, "given_name")?,
            family_name: node.str(foaf::FAMILY_NAME, "family_name")?,
        })
    }

    fn write(&self, out: &mut Out, s: &ox::NamedOrBlankNode) -> Result<(), Error> {
        out.lit(s, foaf::GIVEN_NAME, &self.given_name);
        out.lit(s, foaf::FAMILY_NAME, &self.family_name);
        out.lit(s, sp::USER_ID, &self.id);
        Ok(())
    }
}
