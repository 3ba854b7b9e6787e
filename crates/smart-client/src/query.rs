//! Typed filter and paging parameters of collection calls.

use chrono::NaiveDate;

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
    /// `procedures/`
    Procedures,
    /// `vital_sign_sets/`
    VitalSignSets,
    /// `family_history/`
    FamilyHistory,
}

impl Collection {
    /// Every collection, in the order of the REST table.
    pub const ALL: [Collection; 11] = [
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
    ];

    /// The path segment under `/records/{record_id}/`.
    pub fn path(self) -> &'static str {
        match self {
            Collection::Allergies => "allergies",
            Collection::ClinicalNotes => "clinical_notes",
            Collection::Encounters => "encounters",
            Collection::Fulfillments => "fulfillments",
            Collection::Immunizations => "immunizations",
            Collection::LabResults => "lab_results",
            Collection::Medications => "medications",
            Collection::Problems => "problems",
            Collection::Procedures => "procedures",
            Collection::VitalSignSets => "vital_sign_sets",
            Collection::FamilyHistory => "family_history",
        }
    }

    /// The code filter this collection accepts, if any.
    pub fn code_system(self) -> Option<CodeSystem> {
        match self {
            Collection::Medications => Some(CodeSystem::RxNorm),
            Collection::Problems => Some(CodeSystem::Snomed),
            Collection::LabResults => Some(CodeSystem::Loinc),
            _ => None,
        }
    }
}

/// A code system a collection can be filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodeSystem {
    /// RxNorm (`rxnorm=`, medications).
    RxNorm,
    /// SNOMED CT (`snomed=`, problems).
    Snomed,
    /// LOINC (`loinc=`, lab results).
    Loinc,
}

impl CodeSystem {
    /// The query parameter name.
    pub fn parameter(self) -> &'static str {
        match self {
            CodeSystem::RxNorm => "rxnorm",
            CodeSystem::Snomed => "snomed",
            CodeSystem::Loinc => "loinc",
        }
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
    date_from: Option<NaiveDate>,
    date_to: Option<NaiveDate>,
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

    /// Only results dated on or after this day.
    #[must_use]
    pub fn date_from(mut self, date: NaiveDate) -> Self {
        self.date_from = Some(date);
        self
    }

    /// Only results dated on or before this day.
    #[must_use]
    pub fn date_to(mut self, date: NaiveDate) -> Self {
        self.date_to = Some(date);
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

    /// The `limit`, if set.
    pub fn get_limit(&self) -> Option<u32> {
        self.limit
    }

    /// The `offset`, if set.
    pub fn get_offset(&self) -> Option<u32> {
        self.offset
    }

    /// The query parameters for a call on `collection`, in a fixed order.
    /// A code filter that the collection does not accept, an empty or
    /// `|`-carrying code, or `date_from` after `date_to` is an error.
    pub fn to_pairs(&self, collection: Collection) -> Result<Vec<(&'static str, String)>> {
        let mut pairs = Vec::new();
        if let Some(limit) = self.limit {
            pairs.push(("limit", limit.to_string()));
        }
        if let Some(offset) = self.offset {
            pairs.push(("offset", offset.to_string()));
        }
        if let (Some(from), Some(to)) = (self.date_from, self.date_to)
            && from > to
        {
            return Err(Error::InvalidQuery(format!(
                "date_from {from} is after date_to {to}"
            )));
        }
        if let Some(from) = self.date_from {
            pairs.push(("date_from", from.format("%Y-%m-%d").to_string()));
        }
        if let Some(to) = self.date_to {
            pairs.push(("date_to", to.format("%Y-%m-%d").to_string()));
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
