//! The patient's demographics (`sp:Demographics`).

use chrono::NaiveDate;
use oxigraph::model as ox;

use super::node::{Node, Out};
use super::{Code, Codec, Record};
use crate::ns::{foaf, rdf, sp, vcard};
use crate::{Error, Graph};

/// The demographics of one patient record (`sp:Demographics`).
///
/// Its statement IRI is `{api_base}/records/{record_id}/demographics` and its
/// [`Record::id`] is the empty string; [`Record::date`] is the birthday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Demographics {
    /// The structured name (`v:n`).
    pub name: Name,
    /// `foaf:gender`.
    pub gender: Gender,
    /// `v:bday`.
    pub birthday: NaiveDate,
    /// The home address (`v:adr`).
    pub address: Option<Address>,
    /// The home phone number (`v:tel` typed `v:Home`, else the only `v:tel`).
    pub phone: Option<String>,
    /// `v:email`.
    pub email: Option<String>,
    /// Medical record numbers (`sp:medicalRecordNumber`), sorted by system then identifier.
    pub medical_record_numbers: Vec<Code>,
}

/// A person's name (`v:Name`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name {
    /// `v:given-name`.
    pub given: String,
    /// `v:additional-name`, e.g. a middle name.
    pub additional: Option<String>,
    /// `v:family-name`.
    pub family: String,
}

/// An address (`v:Address`); every part is optional.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Address {
    /// `v:street-address`.
    pub street: Option<String>,
    /// `v:locality`, the city.
    pub locality: Option<String>,
    /// `v:region`, the state.
    pub region: Option<String>,
    /// `v:postal-code`.
    pub postal_code: Option<String>,
    /// `v:country`.
    pub country: Option<String>,
}

/// `foaf:gender`: `male` or `female`, as the SMART ontology defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    /// `"male"`.
    Male,
    /// `"female"`.
    Female,
}

impl Gender {
    /// The literal written in RDF.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Male => "male",
            Self::Female => "female",
        }
    }
}

impl Demographics {
    /// The one demographics node of a graph; none or several is an error.
    pub fn from_graph(graph: &Graph) -> Result<Self, Error> {
        let mut all = graph.records::<Self>()?;
        match all.len() {
            0 => Err(Error::NotFound(Self::NAME)),
            1 => all.pop().ok_or(Error::NotFound(Self::NAME)),
            count => Err(Error::Ambiguous {
                kind: Self::NAME,
                count,
            }),
        }
    }
}

impl Record for Demographics {
    const COLLECTION: &'static str = "demographics";
    const TYPE: &'static str = sp::DEMOGRAPHICS;
    const NAME: &'static str = "Demographics";
    const SINGLE: bool = true;

    fn id(&self) -> &str {
        ""
    }

    fn date(&self) -> Option<NaiveDate> {
        Some(self.birthday)
    }

    fn uri(&self, api_base: &str, record_id: &str) -> String {
        format!(
            "{}/records/{record_id}/demographics",
            api_base.trim_end_matches('/')
        )
    }
}

impl Codec for Demographics {
    fn read(node: &Node<'_>) -> Result<Self, Error> {
        let n = node.child(vcard::N, "name")?;
        let name = Name {
            given: n.str(vcard::GIVEN_NAME, "given")?,
            additional: n.opt_str(vcard::ADDITIONAL_NAME, "additional")?,
            family: n.str(vcard::FAMILY_NAME, "family")?,
        };
        let gender = match node.str(foaf::GENDER, "gender")?.trim() {
            "male" => Gender::Male,
            "female" => Gender::Female,
            other => {
                return Err(
                    node.invalid("gender", &format!("{other:?} is neither male nor female"))
                );
            }
        };
        let address = node
            .opt_child(vcard::ADR, "address")?
            .map(|a| -> Result<Address, Error> {
                Ok(Address {
                    street: a.opt_str(vcard::STREET_ADDRESS, "street")?,
                    locality: a.opt_str(vcard::LOCALITY, "locality")?,
                    region: a.opt_str(vcard::REGION, "region")?,
                    postal_code: a.opt_str(vcard::POSTAL_CODE, "postal_code")?,
                    country: a.opt_str(vcard::COUNTRY, "country")?,
                })
            })
            .transpose()?;
        let tels = node.children(vcard::TEL_PROP, "phone")?;
        let mut phone = None;
        for tel in &tels {
            if tels.len() == 1 || tel.has_type(vcard::HOME)? {
                phone = tel.opt_str(rdf::VALUE, "phone")?;
                break;
            }
        }
        let mut medical_record_numbers = node
            .children(sp::MEDICAL_RECORD_NUMBER, "medical_record_numbers")?
            .iter()
            .map(Code::read)
            .collect::<Result<Vec<_>, Error>>()?;
        medical_record_numbers
            .sort_by(|a, b| (&a.system, &a.identifier).cmp(&(&b.system, &b.identifier)));
        Ok(Self {
            name,
            gender,
            birthday: node.date(vcard::BDAY, "birthday")?,
            address,
            phone,
            email: node.opt_str(vcard::EMAIL, "email")?,
            medical_record_numbers,
        })
    }

    fn write(&self, out: &mut Out, s: &ox::NamedOrBlankNode) -> Result<(), Error> {
        let n = out.blank();
        out.typed(&n, vcard::NAME);
        out.lit(&n, vcard::GIVEN_NAME, &self.name.given);
        out.opt_lit(&n, vcard::ADDITIONAL_NAME, self.name.additional.as_deref());
        out.lit(&n, vcard::FAMILY_NAME, &self.name.family);
        out.node(s, vcard::N, &n);
        if let Some(a) = &self.address {
            let adr = out.blank();
            out.typed(&adr, vcard::ADDRESS);
            out.typed(&adr, vcard::HOME);
            out.opt_lit(&adr, vcard::STREET_ADDRESS, a.street.as_deref());
            out.opt_lit(&adr, vcard::LOCALITY, a.locality.as_deref());
            out.opt_lit(&adr, vcard::REGION, a.region.as_deref());
            out.opt_lit(&adr, vcard::POSTAL_CODE, a.postal_code.as_deref());
            out.opt_lit(&adr, vcard::COUNTRY, a.country.as_deref());
            out.node(s, vcard::ADR, &adr);
        }
        if let Some(phone) = &self.phone {
            let tel = out.blank();
            out.typed(&tel, vcard::TEL);
            out.typed(&tel, vcard::HOME);
            out.lit(&tel, rdf::VALUE, phone);
            out.node(s, vcard::TEL_PROP, &tel);
        }
        out.opt_lit(s, vcard::EMAIL, self.email.as_deref());
        out.lit(s, foaf::GENDER, self.gender.as_str());
        out.date(s, vcard::BDAY, self.birthday);
        for mrn in &self.medical_record_numbers {
            let c = mrn.write(out)?;
            out.node(s, sp::MEDICAL_RECORD_NUMBER, &c);
        }
        Ok(())
    }
}
