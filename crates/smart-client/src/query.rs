//! Typed filter and paging parameters of collection calls.

use chrono::NaiveDate;
use smart_api::{CallId, Effect};

use crate::error::{Error, Result};

/// The record collections of the REST API, by path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Collection {
    /// `allergies/`
    Allergies,
    /// `clinical_notes/`
    ClinicalNotes,
    /// `encounters/`
    Encounters,
    /// `fulfillments/`
    Fulfillments,
    /// `immunizations/`
    Immunizations,
    /// `lab_results/` (filter: LOINC)
    LabResults,
    /// `medications/` (filter: RxNorm)
    Medications,
    /// `problems/` (filter: SNOMED CT)
    Problems,
    /// `procedures/` (filter: SNOMED CT)
    Procedures,
    /// `vital_sign_sets/` (filter: encounter type)
    VitalSignSets,
    /// `family_history/`
    FamilyHistory,
    /// `documents/`
    Documents,
    /// `lab_panels/`
    LabPanels,
}

impl Collection {
    /// Every collection, in the order of the REST table.
    pub const ALL: [Collection; 13] = [
        Collection::Allergies,
        Collection::ClinicalNotes,
        Collection::Encounters,
        Collection::Fulfillments,
        Collection::Immunizations,
        Collection::LabResults,
        Collection::Medications,
        Collection::Problems,
        Collection::Procedures,
        Collection::VitalSignSets,
        Collection::FamilyHistory,
        Collection::Documents,
        Collection::LabPanels,
    ];

    /// The row of its list call in the table of calls (`smart_api::CALLS`),
    /// where its path and the parameters it takes are.
    pub fn list_call(self) -> CallId {
        match self {
            Collection::Allergies => CallId::Allergies,
            Collection::ClinicalNotes => CallId::ClinicalNotes,
            Collection::Encounters => CallId::Encounters,
            Collection::Fulfillments => CallId::Fulfillments,
            Collection::Immunizations => CallId::Immunizations,
            Collection::LabResults => CallId::LabResults,
            Collection::Medications => CallId::Medications,
            Collection::Problems => CallId::Problems,
            Collection::Procedures => CallId::Procedures,
            Collection::VitalSignSets => CallId::VitalSignSets,
            Collection::FamilyHistory => CallId::FamilyHistory,
            Collection::Documents => CallId::Documents,
            Collection::LabPanels => CallId::LabPanels,
        }
    }

    /// The row of its item call.
    pub fn item_call(self) -> CallId {
        match self {
            Collection::Allergies => CallId::Allergy,
            Collection::ClinicalNotes => CallId::ClinicalNote,
            Collection::Encounters => CallId::Encounter,
            Collection::Fulfillments => CallId::Fulfillment,
            Collection::Immunizations => CallId::Immunization,
            Collection::LabResults => CallId::LabResult,
            Collection::Medications => CallId::Medication,
            Collection::Problems => CallId::Problem,
            Collection::Procedures => CallId::Procedure,
            Collection::VitalSignSets => CallId::VitalSignSet,
            Collection::FamilyHistory => CallId::FamilyHistoryItem,
            Collection::Documents => CallId::Document,
            Collection::LabPanels => CallId::LabPanel,
        }
    }

    /// The path segment under `/records/{record_id}/`, from the table.
    pub fn path(self) -> &'static str {
        let path = smart_api::call(self.list_call()).path;
        let rest = path.strip_prefix("/records/{record_id}/").unwrap_or(path);
        rest.strip_suffix('/').unwrap_or(rest)
    }

    /// The code filter this collection accepts, if any (the table's).
    pub fn code_system(self) -> Option<CodeSystem> {
        let filters = smart_api::call(self.list_call()).filters;
        let code = filters.iter().find(|f| f.effect == Effect::Codes)?;
        CodeSystem::ALL
            .into_iter()
            .find(|system| system.parameter() == code.name)
    }

    /// Whether this collection's items are dated, so that it takes the date
    /// filters (allergies and family history are not; the table says).
    pub fn dated(self) -> bool {
        let filters = smart_api::call(self.list_call()).filters;
        filters
            .iter()
            .any(|f| matches!(f.effect, Effect::DateFrom { .. }))
    }
}

/// A code system a collection can be filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeSystem {
    /// RxNorm (`rxnorm=`, medications).
    RxNorm,
    /// SNOMED CT (`snomed=`, problems and procedures).
    Snomed,
    /// LOINC (`loinc=`, lab results).
    Loinc,
    /// SMART encounter types (`encounter_type=`, vital sign sets), e.g.
    /// `ambulatory`, `inpatient`, `emergency`.
    EncounterType,
}

impl CodeSystem {
    /// All four.
    pub const ALL: [CodeSystem; 4] = [
        CodeSystem::RxNorm,
        CodeSystem::Snomed,
        CodeSystem::Loinc,
        CodeSystem::EncounterType,
    ];

    /// The query parameter name.
    pub fn parameter(self) -> &'static str {
        match self {
            CodeSystem::RxNorm => "rxnorm",
            CodeSystem::Snomed => "snomed",
            CodeSystem::Loinc => "loinc",
            CodeSystem::EncounterType => "encounter_type",
        }
    }
}

/// A date filter: which end of the range it bounds and whether a result
/// dated on the day itself is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateFilter {
    /// `date_from`: on or after.
    From,
    /// `date_from_including`: on or after.
    FromIncluding,
    /// `date_from_excluding`: after.
    FromExcluding,
    /// `date_to`: on or before.
    To,
    /// `date_to_including`: on or before.
    ToIncluding,
    /// `date_to_excluding`: before.
    ToExcluding,
}

impl DateFilter {
    /// All six, lower bounds first.
    pub const ALL: [DateFilter; 6] = [
        DateFilter::From,
        DateFilter::FromIncluding,
        DateFilter::FromExcluding,
        DateFilter::To,
        DateFilter::ToIncluding,
        DateFilter::ToExcluding,
    ];

    /// The query parameter name.
    pub fn parameter(self) -> &'static str {
        match self {
            DateFilter::From => "date_from",
            DateFilter::FromIncluding => "date_from_including",
            DateFilter::FromExcluding => "date_from_excluding",
            DateFilter::To => "date_to",
            DateFilter::ToIncluding => "date_to_including",
            DateFilter::ToExcluding => "date_to_excluding",
        }
    }

    /// Whether it bounds the start of the range.
    pub fn is_lower(self) -> bool {
        matches!(
            self,
            DateFilter::From | DateFilter::FromIncluding | DateFilter::FromExcluding
        )
    }

    /// Whether a result dated on the bound itself is kept.
    pub fn is_inclusive(self) -> bool {
        !matches!(self, DateFilter::FromExcluding | DateFilter::ToExcluding)
    }
}

/// Filter and paging parameters of a collection call.
///
/// ```
/// use chrono::NaiveDate;
/// use smart_client::{Collection, Query};
/// let query = Query::new()
///     .limit(10)
///     .offset(20)
///     .date_from(NaiveDate::from_ymd_opt(2010, 1, 1).unwrap())
///     .rxnorm(["617314", "197361"]);
/// let pairs = query.to_pairs(Collection::Medications)?;
/// assert_eq!(
///     pairs,
///     [("limit", "10".to_owned()), ("offset", "20".to_owned()),
///      ("date_from", "2010-01-01".to_owned()), ("rxnorm", "617314|197361".to_owned())]
/// );
/// # Ok::<(), smart_client::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    limit: Option<u32>,
    offset: Option<u32>,
    lower: Option<(DateFilter, NaiveDate)>,
    upper: Option<(DateFilter, NaiveDate)>,
    codes: Option<(CodeSystem, Vec<String>)>,
}

impl Query {
    /// No filter, the container's default page.
    pub fn new() -> Self {
        Query::default()
    }

    /// At most this many results.
    #[must_use]
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Skips this many results (newest first).
    #[must_use]
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Only results dated on or after this day (`date_from`); replaces any
    /// earlier lower bound.
    #[must_use]
    pub fn date_from(self, date: NaiveDate) -> Self {
        self.date(DateFilter::From, date)
    }

    /// Only results dated on or after this day, under the original's
    /// explicit name (`date_from_including`).
    #[must_use]
    pub fn date_from_including(self, date: NaiveDate) -> Self {
        self.date(DateFilter::FromIncluding, date)
    }

    /// Only results dated after this day (`date_from_excluding`).
    #[must_use]
    pub fn date_from_excluding(self, date: NaiveDate) -> Self {
        self.date(DateFilter::FromExcluding, date)
    }

    /// Only results dated on or before this day (`date_to`); replaces any
    /// earlier upper bound.
    #[must_use]
    pub fn date_to(self, date: NaiveDate) -> Self {
        self.date(DateFilter::To, date)
    }

    /// Only results dated on or before this day (`date_to_including`).
    #[must_use]
    pub fn date_to_including(self, date: NaiveDate) -> Self {
        self.date(DateFilter::ToIncluding, date)
    }

    /// Only results dated before this day (`date_to_excluding`).
    #[must_use]
    pub fn date_to_excluding(self, date: NaiveDate) -> Self {
        self.date(DateFilter::ToExcluding, date)
    }

    /// Only results with this date filter, replacing any earlier bound on
    /// the same end.
    #[must_use]
    pub fn date(mut self, filter: DateFilter, date: NaiveDate) -> Self {
        if filter.is_lower() {
            self.lower = Some((filter, date));
        } else {
            self.upper = Some((filter, date));
        }
        self
    }

    /// Only medications with one of these RxNorm codes.
    #[must_use]
    pub fn rxnorm<I: IntoIterator<Item = S>, S: Into<String>>(self, codes: I) -> Self {
        self.codes(CodeSystem::RxNorm, codes)
    }

    /// Only problems with one of these SNOMED CT codes.
    #[must_use]
    pub fn snomed<I: IntoIterator<Item = S>, S: Into<String>>(self, codes: I) -> Self {
        self.codes(CodeSystem::Snomed, codes)
    }

    /// Only lab results with one of these LOINC codes.
    #[must_use]
    pub fn loinc<I: IntoIterator<Item = S>, S: Into<String>>(self, codes: I) -> Self {
        self.codes(CodeSystem::Loinc, codes)
    }

    /// Only vital sign sets taken at an encounter of one of these types
    /// (`ambulatory`, `inpatient`, `emergency`, ...).
    #[must_use]
    pub fn encounter_type<I: IntoIterator<Item = S>, S: Into<String>>(self, codes: I) -> Self {
        self.codes(CodeSystem::EncounterType, codes)
    }

    /// The `limit`, if set.
    pub fn get_limit(&self) -> Option<u32> {
        self.limit
    }

    /// The `offset`, if set.
    pub fn get_offset(&self) -> Option<u32> {
        self.offset
    }

    /// The query parameters for a call on `collection`, in a fixed order.
    /// A code or date filter that the collection does not accept, an empty
    /// or `|`-carrying code, or a lower date bound after the upper one is an
    /// error.
    pub fn to_pairs(&self, collection: Collection) -> Result<Vec<(&'static str, String)>> {
        let mut pairs = Vec::new();
        if let Some(limit) = self.limit {
            pairs.push(("limit", limit.to_string()));
        }
        if let Some(offset) = self.offset {
            pairs.push(("offset", offset.to_string()));
        }
        if let (Some((lower, from)), Some((upper, to))) = (self.lower, self.upper)
            && from > to
        {
            return Err(Error::InvalidQuery(format!(
                "{} {from} is after {} {to}",
                lower.parameter(),
                upper.parameter()
            )));
        }
        for (filter, date) in [self.lower, self.upper].into_iter().flatten() {
            if !collection.dated() {
                return Err(Error::InvalidQuery(format!(
                    "{} has no dates to filter by {}",
                    collection.path(),
                    filter.parameter()
                )));
            }
            pairs.push((filter.parameter(), date.format("%Y-%m-%d").to_string()));
        }
        if let Some((system, codes)) = &self.codes {
            if collection.code_system() != Some(*system) {
                return Err(Error::InvalidQuery(format!(
                    "{} does not filter by {}",
                    collection.path(),
                    system.parameter()
                )));
            }
            if codes.is_empty() || codes.iter().any(|c| c.is_empty() || c.contains('|')) {
                return Err(Error::InvalidQuery(format!(
                    "bad {} codes",
                    system.parameter()
                )));
            }
            pairs.push((system.parameter(), codes.join("|")));
        }
        let accepted = smart_api::call(collection.list_call()).filters;
        if let Some((name, _)) = pairs
            .iter()
            .find(|(n, _)| !accepted.iter().any(|f| f.name == *n))
        {
            return Err(Error::InvalidQuery(format!(
                "{} does not take {name}",
                collection.path()
            )));
        }
        Ok(pairs)
    }

    fn codes<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        system: CodeSystem,
        codes: I,
    ) -> Self {
        self.codes = Some((system, codes.into_iter().map(Into::into).collect()));
        self
    }

    /// This query moved to another page.
    pub(crate) fn with_page(&self, limit: Option<u32>, offset: u32) -> Self {
        let mut next = self.clone();
        next.limit = limit.or(self.limit);
        next.offset = Some(offset);
        next
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]

    use super::*;

    #[test]
    fn code_filters_only_where_the_table_allows_them() {
        for collection in Collection::ALL {
            for (query, system) in [
                (Query::new().rxnorm(["1"]), CodeSystem::RxNorm),
                (Query::new().snomed(["1"]), CodeSystem::Snomed),
                (Query::new().loinc(["1"]), CodeSystem::Loinc),
            ] {
                let result = query.to_pairs(collection);
                assert_eq!(
                    result.is_ok(),
                    collection.code_system() == Some(system),
                    "{collection:?} with {system:?}"
                );
            }
        }
    }

    #[test]
    fn date_filters_only_on_dated_collections() {
        let day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        for collection in Collection::ALL {
            for filter in DateFilter::ALL {
                let result = Query::new().date(filter, day).to_pairs(collection);
                match result {
                    Ok(pairs) => {
                        assert!(collection.dated(), "{collection:?}");
                        assert_eq!(pairs, [(filter.parameter(), "2020-01-01".to_owned())]);
                    }
                    Err(_) => assert!(!collection.dated(), "{collection:?} {filter:?}"),
                }
            }
        }
    }

    #[test]
    fn a_later_bound_replaces_an_earlier_one_on_the_same_end() {
        let day = |d| NaiveDate::from_ymd_opt(2020, 1, d).unwrap();
        let q = Query::new()
            .date_from(day(1))
            .date_from_excluding(day(2))
            .date_to_excluding(day(9));
        assert_eq!(
            q.to_pairs(Collection::Procedures).unwrap(),
            [
                ("date_from_excluding", "2020-01-02".to_owned()),
                ("date_to_excluding", "2020-01-09".to_owned())
            ]
        );
    }

    #[test]
    fn bad_codes_and_dates_are_refused() {
        let day = |d| NaiveDate::from_ymd_opt(2020, 1, d).unwrap();
        for query in [
            Query::new().rxnorm(Vec::<String>::new()),
            Query::new().rxnorm([""]),
            Query::new().rxnorm(["1|2"]),
            Query::new().date_from(day(2)).date_to(day(1)),
        ] {
            assert!(
                matches!(
                    query.to_pairs(Collection::Medications),
                    Err(Error::InvalidQuery(_))
                ),
                "{query:?}"
            );
        }
    }

    #[test]
    fn paging_moves_offset_and_keeps_filters() {
        let q = Query::new().limit(5).loinc(["2345-7"]);
        let next = q.with_page(None, 5);
        assert_eq!(
            next.to_pairs(Collection::LabResults).unwrap(),
            [
                ("limit", "5".to_owned()),
                ("offset", "5".to_owned()),
                ("loinc", "2345-7".to_owned())
            ]
        );
    }
}
