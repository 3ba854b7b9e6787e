//! The reference app's pages as a browser meets them: the whole launch
//! from the app's front page to its name page, and the smoke run over every
//! patient that `smart-demo --smoke` prints.

use std::io::Write;

use url::Url;

use crate::Error;
use crate::browser::{self, Browser, Page};
use crate::flow::{expect_ok, open_picker, pick_and_approve};

/// What the flow ended on.
#[derive(Debug)]
pub struct FlowOutcome {
    /// The record shown.
    pub record_id: String,
    /// The name shown.
    pub name: String,
    /// The api_base shown.
    pub api_base: String,
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
    Ok(FlowOutcome {
        record_id: shown,
        name,
        api_base,
        page,
        browser,
    })
}

/// Runs the flow for every record the picker offers, writing one line per
/// patient; returns the number of patients, or the first failure.
pub async fn smoke(
    app_url: &Url,
    username: &str,
    password: &str,
    out: &mut (dyn Write + Send),
) -> Result<usize, Error> {
    let mut browser = Browser::new()?;
    let (_, choices) = open_picker(&mut browser, app_url, username, password).await?;
    for choice in &choices {
        let outcome = run_flow(app_url, username, password, &choice.record_id)
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
        writeln!(out, "ok  record {:<12} {}", outcome.record_id, outcome.name)
            .map_err(|e| Error::new(format!("cannot write: {e}")))?;
    }
    Ok(choices.len())
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
