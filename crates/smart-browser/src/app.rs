//! The reference app's pages as a browser meets them: the whole launch
//! from the app's front page to its patient page (the name, then the
//! summary sections), and the smoke run over every patient that
//! `smart-demo --smoke` prints.

use std::io::Write;
use std::time::{Duration, Instant};

use url::Url;

use crate::Error;
use crate::browser::{self, Browser, Page};
use crate::flow::{expect_ok, open_picker, pick_and_approve};

/// The summary sections of the patient page, by element id, in order.
pub const SECTIONS: [&str; 7] = [
    "medications",
    "problems",
    "allergies",
    "immunizations",
    "vital-signs",
    "lab-results",
    "encounters",
];

/// What one summary section of the page showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionShown {
    /// Its count (`<id>-count`).
    Count(usize),
    /// Its error (`<id>-error`).
    Failed(String),
    /// Neither: the page has no such section.
    Missing,
}

/// What the flow ended on.
#[derive(Debug)]
pub struct FlowOutcome {
    /// The record shown.
    pub record_id: String,
    /// The name shown.
    pub name: String,
    /// The api_base shown.
    pub api_base: String,
    /// Each summary section, in [`SECTIONS`] order.
    pub sections: Vec<(&'static str, SectionShown)>,
    /// The final page.
    pub page: Page,
    /// The browser, with its history and cookies.
    pub browser: Browser,
}

/// The whole flow for one record with a fresh browser: launch, login,
/// pick, approve, callback, show.
pub async fn run_flow(
    app_url: &Url,
    username: &str,
    password: &str,
    record_id: &str,
) -> Result<FlowOutcome, Error> {
    let mut browser = Browser::new()?;
    let (picker, choices) = open_picker(&mut browser, app_url, username, password).await?;
    let choice = choices
        .iter()
        .find(|c| c.record_id == record_id)
        .ok_or_else(|| Error::new(format!("record {record_id} is not offered")))?;
    let page = pick_and_approve(&mut browser, &picker, choice).await?;
    read_name_page(browser, page, record_id)
}

/// Checks that a page is the app's name page for `record_id` and reads it.
pub fn read_name_page(browser: Browser, page: Page, record_id: &str) -> Result<FlowOutcome, Error> {
    expect_ok(&page, "the name page")?;
    let name = page
        .text_by_id("patient-name")
        .ok_or_else(|| Error::new(format!("no name on {}", browser::strip_query(&page.url))))?;
    let shown = page.text_by_id("record-id").unwrap_or_default();
    if shown != record_id {
        return Err(Error::new(format!(
            "asked for record {record_id}, the app shows {shown:?}"
        )));
    }
    let api_base = page.text_by_id("api-base").unwrap_or_default();
    let sections = read_sections(&page);
    Ok(FlowOutcome {
        record_id: shown,
        name,
        api_base,
        sections,
        page,
        browser,
    })
}

/// The summary sections of a patient page.
pub fn read_sections(page: &Page) -> Vec<(&'static str, SectionShown)> {
    SECTIONS
        .iter()
        .map(|id| {
            let shown = if let Some(error) = page.text_by_id(&format!("{id}-error")) {
                SectionShown::Failed(error)
            } else if let Some(count) = page
                .text_by_id(&format!("{id}-count"))
                .and_then(|c| c.trim().parse().ok())
            {
                SectionShown::Count(count)
            } else {
                SectionShown::Missing
            };
            (*id, shown)
        })
        .collect()
}

/// How many times the smoke run reloads each patient page to time it.
pub const RELOADS: usize = 5;

/// What the smoke run found.
#[derive(Debug, Clone)]
pub struct SmokeReport {
    /// The patients shown.
    pub patients: usize,
    /// The patient with the most summary records: record id, records, and
    /// the median time of [`RELOADS`] reloads of the page (signed in, every
    /// section fetched anew).
    pub largest: Option<(String, usize, Duration)>,
}

/// The median time of `reloads` loads of `url` in `browser` (each must
/// answer 200).
pub async fn time_reloads(
    browser: &mut Browser,
    url: &Url,
    reloads: usize,
) -> Result<Duration, Error> {
    let mut times = Vec::with_capacity(reloads);
    for _ in 0..reloads {
        let start = Instant::now();
        let page = browser.get(url.clone()).await?;
        times.push(start.elapsed());
        expect_ok(&page, "the patient page")?;
    }
    times.sort();
    times
        .get(times.len() / 2)
        .copied()
        .ok_or_else(|| Error::new("no reload timed"))
}

/// Runs the flow for every record the picker offers, writing one line per
/// patient with the count of each summary section and the median time of
/// its page; returns the report, or the first failure (a section that
/// failed or is missing fails the run).
pub async fn smoke(
    app_url: &Url,
    username: &str,
    password: &str,
    out: &mut (dyn Write + Send),
) -> Result<SmokeReport, Error> {
    let mut largest: Option<(String, usize, Duration)> = None;
    let mut browser = Browser::new()?;
    let (_, choices) = open_picker(&mut browser, app_url, username, password).await?;
    for choice in &choices {
        let mut outcome = run_flow(app_url, username, password, &choice.record_id)
            .await
            .map_err(|e| Error::new(format!("record {}: {e}", choice.record_id)))?;
        if outcome.name.is_empty() || outcome.name == "Unknown" {
            return Err(Error::new(format!(
                "record {}: no name found",
                choice.record_id
            )));
        }
        if let Some(label) = &choice.label
            && !name_matches_label(&outcome.name, label)
        {
            return Err(Error::new(format!(
                "record {}: the app shows {:?}, the container lists {label:?}",
                choice.record_id, outcome.name
            )));
        }
        let mut counts = Vec::new();
        let mut records = 0;
        for (id, shown) in &outcome.sections {
            match shown {
                SectionShown::Count(n) => {
                    records += n;
                    counts.push(format!("{id} {n}"));
                }
                SectionShown::Failed(e) => {
                    return Err(Error::new(format!(
                        "record {}: section {id} failed: {e}",
                        choice.record_id
                    )));
                }
                SectionShown::Missing => {
                    return Err(Error::new(format!(
                        "record {}: no {id} section on the page",
                        choice.record_id
                    )));
                }
            }
        }
        let url = outcome.page.url.clone();
        let median = time_reloads(&mut outcome.browser, &url, RELOADS).await?;
        writeln!(
            out,
            "ok  record {:<12} {:<28} {}; page median {:.1} ms",
            outcome.record_id,
            outcome.name,
            counts.join(", "),
            median.as_secs_f64() * 1000.0
        )
        .map_err(|e| Error::new(format!("cannot write: {e}")))?;
        if largest.as_ref().is_none_or(|(_, n, _)| records > *n) {
            largest = Some((outcome.record_id.clone(), records, median));
        }
    }
    Ok(SmokeReport {
        patients: choices.len(),
        largest,
    })
}

/// Whether every word of the name the app shows appears in the picker's
/// label for the record (the container lists "Family, Given").
pub fn name_matches_label(name: &str, label: &str) -> bool {
    let words: Vec<&str> = label
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    name.split_whitespace().all(|w| words.contains(&w))
}
