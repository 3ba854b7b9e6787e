//! The searches: records by demographics (the container serves them to
//! background and `frame_ui` apps only) and users by name.

use chrono::NaiveDate;
use smart_api::CallId;
use smart_rdf::Gender;

use crate::error::Result;
use crate::record::RecordClient;
use crate::response::SmartResponse;

/// The parameters of `GET /records/search`; every one given must match.
/// Names match as case-insensitive prefixes, the others exactly.
///
/// ```
/// use smart_client::RecordSearch;
/// let search = RecordSearch::new().family_name("Sm").gender(smart_rdf::Gender::Female);
/// assert_eq!(
///     search.to_pairs(),
///     [("family_name", "Sm".to_owned()), ("gender", "female".to_owned())]
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordSearch {
    family_name: Option<String>,
    given_name: Option<String>,
    gender: Option<Gender>,
    medical_record_number: Option<String>,
    zipcode: Option<String>,
    birthday: Option<NaiveDate>,
}

impl RecordSearch {
    /// Every record.
    pub fn new() -> Self {
        RecordSearch::default()
    }

    /// Family names starting with this, ignoring case.
    #[must_use]
    pub fn family_name(mut self, prefix: impl Into<String>) -> Self {
        self.family_name = Some(prefix.into());
        self
    }

    /// Given names starting with this, ignoring case.
    #[must_use]
    pub fn given_name(mut self, prefix: impl Into<String>) -> Self {
        self.given_name = Some(prefix.into());
        self
    }

    /// This gender.
    #[must_use]
    pub fn gender(mut self, gender: Gender) -> Self {
        self.gender = Some(gender);
        self
    }

    /// This medical record number.
    #[must_use]
    pub fn medical_record_number(mut self, mrn: impl Into<String>) -> Self {
        self.medical_record_number = Some(mrn.into());
        self
    }

    /// This postal code.
    #[must_use]
    pub fn zipcode(mut self, zipcode: impl Into<String>) -> Self {
        self.zipcode = Some(zipcode.into());
        self
    }

    /// Born on this day.
    #[must_use]
    pub fn birthday(mut self, day: NaiveDate) -> Self {
        self.birthday = Some(day);
        self
    }

    /// The query parameters, in a fixed order.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        let mut push = |name: &'static str, value: Option<String>| {
            if let Some(value) = value {
                pairs.push((name, value));
            }
        };
        push("family_name", self.family_name.clone());
        push("given_name", self.given_name.clone());
        push("gender", self.gender.map(|g| g.as_str().to_owned()));
        push("medical_record_number", self.medical_record_number.clone());
        push("zipcode", self.zipcode.clone());
        push(
            "birthday",
            self.birthday.map(|d| d.format("%Y-%m-%d").to_string()),
        );
        pairs
    }
}

impl RecordClient<'_> {
    /// `GET /records/search`: the `sp:Demographics` of every matching
    /// record (typed: `records::<smart_rdf::Demographics>()`). The container
    /// serves it to background and `frame_ui` apps only.
    pub async fn search_records(&self, search: &RecordSearch) -> Result<SmartResponse> {
        self.get_with(CallId::SearchRecords, &search.to_pairs())
            .await
    }

    /// `GET /users/search`: the users whose given and family names start
    /// with these (either may be left out), as `foaf:Person`s.
    pub async fn search_users(
        &self,
        given_name: Option<&str>,
        family_name: Option<&str>,
    ) -> Result<SmartResponse> {
        let mut pairs = Vec::new();
        if let Some(given) = given_name {
            pairs.push(("given_name", given.to_owned()));
        }
        if let Some(family) = family_name {
            pairs.push(("family_name", family.to_owned()));
        }
        self.get_with(CallId::SearchUsers, &pairs).await
    }

    /// A search call of the table with these parameters, each one the
    /// row lists (`smart_api::CALLS`).
    async fn get_with(&self, call: CallId, pairs: &[(&str, String)]) -> Result<SmartResponse> {
        let accepted = smart_api::call(call).filters;
        if let Some((name, _)) = pairs
            .iter()
            .find(|(n, _)| !accepted.iter().any(|f| f.name == *n))
        {
            return Err(crate::Error::InvalidQuery(format!(
                "a search takes no {name}"
            )));
        }
        let mut url = self.client().call_url(call, &[])?;
        if !pairs.is_empty() {
            url.query_pairs_mut().extend_pairs(pairs);
        }
        self.get(url).await
    }
}
