//! The patient summary: each section read through `smart-client`, every
//! page of its collection walked (`nextPageURL` never leaves the api_base:
//! the client refuses it), and typed with `smart-rdf`'s records. The
//! sections are fetched concurrently; one that fails keeps its error and
//! the others are still shown.

use chrono::{NaiveDate, Utc};
use smart_client::{Collection, Query, RecordClient};
use smart_rdf::{
    Allergy, Encounter, Immunization, LabResult, Medication, Problem, Record, VitalSignSet,
};

/// How many of the most recent lab results and encounters the page lists
/// (the counts and the charts use all of them).
pub const RECENT: usize = 20;

/// One section: its records, or why they could not be read.
pub type Section<R> = Result<Vec<R>, smart_client::Error>;

/// Every section of the summary.
#[derive(Debug)]
pub struct Summary {
    /// Medications (all; [`active_medications`] picks the current ones).
    pub medications: Section<Medication>,
    /// Problems.
    pub problems: Section<Problem>,
    /// Allergies.
    pub allergies: Section<Allergy>,
    /// Immunizations, newest first.
    pub immunizations: Section<Immunization>,
    /// Vital sign sets, oldest first (the charts read them in time order).
    pub vital_signs: Section<VitalSignSet>,
    /// Lab results, newest first.
    pub lab_results: Section<LabResult>,
    /// Encounters, newest first.
    pub encounters: Section<Encounter>,
}

impl Summary {
    /// Reads every section at once.
    pub async fn fetch(record: &RecordClient<'_>) -> Summary {
        let (medications, problems, allergies, immunizations, vital_signs, lab_results, encounters) = tokio::join!(
            section::<Medication>(record, Collection::Medications),
            section::<Problem>(record, Collection::Problems),
            section::<Allergy>(record, Collection::Allergies),
            section::<Immunization>(record, Collection::Immunizations),
            section::<VitalSignSet>(record, Collection::VitalSignSets),
            section::<LabResult>(record, Collection::LabResults),
            section::<Encounter>(record, Collection::Encounters),
        );
        let mut summary = Summary {
            medications,
            problems,
            allergies,
            immunizations,
            vital_signs,
            lab_results,
            encounters,
        };
        summary.sort();
        summary
    }

    /// The summary, or an `Unauthorized` error when any section was refused
    /// with 401 (the token is no longer good): the caller sends the user back
    /// through the dance rather than show a page of failed sections.
    pub fn reauthorization(self) -> Result<Summary, smart_client::Error> {
        let failed = [
            self.medications.as_ref().err(),
            self.problems.as_ref().err(),
            self.allergies.as_ref().err(),
            self.immunizations.as_ref().err(),
            self.vital_signs.as_ref().err(),
            self.lab_results.as_ref().err(),
            self.encounters.as_ref().err(),
        ]
        .into_iter()
        .flatten()
        .any(smart_client::Error::needs_reauthorization);
        if failed {
            return Err(smart_client::Error::Unauthorized {
                body: "a section was refused with 401".into(),
            });
        }
        Ok(self)
    }

    fn sort(&mut self) {
        if let Ok(list) = &mut self.medications {
            list.sort_by_key(|r| std::cmp::Reverse(r.start_date));
        }
        if let Ok(list) = &mut self.problems {
            list.sort_by_key(|r| std::cmp::Reverse(r.start_date));
        }
        if let Ok(list) = &mut self.immunizations {
            list.sort_by_key(|r| std::cmp::Reverse(r.date));
        }
        if let Ok(list) = &mut self.vital_signs {
            list.sort_by_key(|r| r.date);
        }
        if let Ok(list) = &mut self.lab_results {
            list.sort_by_key(|r| std::cmp::Reverse(r.specimen_collected));
        }
        if let Ok(list) = &mut self.encounters {
            list.sort_by_key(|r| std::cmp::Reverse(r.start_date));
        }
    }
}

/// The medications current on `today`: started, and not ended before it.
pub fn active_medications(medications: &[Medication], today: NaiveDate) -> Vec<&Medication> {
    medications
        .iter()
        .filter(|m| m.start_date <= today && m.end_date.is_none_or(|end| end >= today))
        .collect()
}

/// Today's date (UTC), for [`active_medications`].
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The LOINC code of a lab result, if it carries one.
pub fn loinc(result: &LabResult) -> Option<&str> {
    result
        .name
        .code
        .as_ref()
        .filter(|c| c.system == smart_rdf::ns::codes::LOINC)
        .map(|c| c.identifier.as_str())
}

/// The LOINC code with the most numeric results (ties: the smallest code),
/// the lab chart's default.
pub fn most_measured_loinc(results: &[LabResult]) -> Option<String> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for result in results {
        if let (Some(code), Some(value)) = (loinc(result), &result.value)
            && value.value.parse::<f64>().is_ok()
        {
            *counts.entry(code).or_default() += 1;
        }
    }
    let best = counts.values().copied().max()?;
    counts
        .into_iter()
        .find(|(_, n)| *n == best)
        .map(|(code, _)| code.to_owned())
}

/// Every record of one collection, every page walked.
async fn section<R: Record>(record: &RecordClient<'_>, collection: Collection) -> Section<R> {
    let pages = record.pages(collection, Query::new()).collect_all().await?;
    let mut out = Vec::new();
    for page in &pages {
        out.extend(page.records::<R>()?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]

    use smart_rdf::{Code, CodedValue, ValueAndUnit};

    use super::*;

    fn medication(start: &str, end: Option<&str>) -> Medication {
        Medication {
            id: "m".into(),
            drug_name: CodedValue {
                title: "x".into(),
                code: None,
            },
            start_date: start.parse().unwrap(),
            end_date: end.map(|e| e.parse().unwrap()),
            instructions: None,
            quantity: None,
            frequency: None,
        }
    }

    #[test]
    fn active_medications_are_started_and_not_ended() {
        let list = [
            medication("2020-01-01", None),
            medication("2020-01-01", Some("2021-01-01")),
            medication("2030-01-01", None),
            medication("2020-01-01", Some("2025-06-01")),
        ];
        let today: NaiveDate = "2025-06-01".parse().unwrap();
        let active = active_medications(&list, today);
        assert_eq!(active.len(), 2);
    }

    fn lab(code: &str, value: &str) -> LabResult {
        LabResult {
            id: "l".into(),
            name: CodedValue {
                title: "t".into(),
                code: Some(Code {
                    uri: None,
                    system: "http://purl.bioontology.org/ontology/LNC/".into(),
                    identifier: code.into(),
                    title: None,
                }),
            },
            specimen_collected: Utc::now(),
            value: Some(ValueAndUnit {
                value: value.into(),
                unit: "mg/dL".into(),
            }),
            normal_range: None,
            narrative: None,
            interpretation: None,
            accession_number: None,
            status: None,
        }
    }

    #[test]
    fn the_default_lab_code_is_the_most_measured() {
        let labs = [lab("2", "1"), lab("1", "1"), lab("2", "3"), lab("1", "n/a")];
        assert_eq!(most_measured_loinc(&labs).as_deref(), Some("2"));
        assert_eq!(most_measured_loinc(&[]), None);
    }
}
