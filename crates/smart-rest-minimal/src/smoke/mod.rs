//! The headless flow of `demo --smoke`: launch, login, pick, approve,
//! callback, show, through real HTTP like a browser would.

pub mod browser;
pub mod html;

use std::fmt;
use std::io::Write;

use url::Url;

pub use browser::{Browser, Hop, Page};

/// A failure of the headless flow, with what was expected where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmokeError(String);

impl SmokeError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        SmokeError(message.into())
    }
}

impl fmt::Display for SmokeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SmokeError {}

/// One patient the container's record picker offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The record id.
    pub record_id: String,
    /// The text the picker shows for it (a link's text), if any.
    pub label: Option<String>,
    how: Pick,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pick {
    /// A link to follow.
    Link(Url),
    /// A form to submit with `record_id` set (index among the page's forms).
    Form(usize),
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
    /// The final page.
    pub page: Page,
    /// The browser, with its history and cookies.
    pub browser: Browser,
}

/// Opens the app without a record, signs in at the container and returns
/// the record picker page with the choices it offers.
pub async fn open_picker(
    browser: &mut Browser,
    app_url: &Url,
    username: &str,
    password: &str,
) -> Result<(Page, Vec<Choice>), SmokeError> {
    let mut page = browser.get(app_url.clone()).await?;
    if let Some(form) = page.form_with("password") {
        let pairs = form.submission(&[("username", username), ("password", password)], None);
        page = browser.submit(&page, &form, &pairs).await?;
        if page.form_with("password").is_some() {
            return Err(SmokeError::new(format!(
                "login as {username} failed ({} at {})",
                page.status,
                browser::strip_query(&page.url)
            )));
        }
    }
    expect_ok(&page, "the record picker")?;
    let choices = choices(&page);
    if choices.is_empty() {
        return Err(SmokeError::new(format!(
            "no record to pick at {}",
            browser::strip_query(&page.url)
        )));
    }
    Ok((page, choices))
}

/// Picks a record on the picker page and follows the flow through the
/// authorisation (approved) to the app's name page.
pub async fn pick_and_approve(
    browser: &mut Browser,
    picker: &Page,
    choice: &Choice,
) -> Result<Page, SmokeError> {
    let page = pick(browser, picker, choice).await?;
    approve(browser, page).await
}

/// Picks a record on the picker page and follows the redirects (to the app,
/// then back to the container's authorisation page, which it returns).
pub async fn pick(
    browser: &mut Browser,
    picker: &Page,
    choice: &Choice,
) -> Result<Page, SmokeError> {
    match &choice.how {
        Pick::Link(url) => browser.get(url.clone()).await,
        Pick::Form(index) => {
            let forms = picker.forms();
            let form = forms
                .get(*index)
                .ok_or_else(|| SmokeError::new("picker form vanished"))?;
            let pairs = form.submission(&[("record_id", &choice.record_id)], None);
            browser.submit(picker, form, &pairs).await
        }
    }
}

/// Approves on an authorisation page and follows to the app's page.
pub async fn approve(browser: &mut Browser, page: Page) -> Result<Page, SmokeError> {
    expect_ok(&page, "the authorisation page")?;
    let form = page.form_with("csrf_token").ok_or_else(|| {
        SmokeError::new(format!(
            "no authorisation form at {}",
            browser::strip_query(&page.url)
        ))
    })?;
    let pairs = form.submission(&[], Some(("decision", "approve")));
    browser.submit(&page, &form, &pairs).await
}

/// The whole flow for one record with a fresh browser: launch, login,
/// pick, approve, callback, show.
pub async fn run_flow(
    app_url: &Url,
    username: &str,
    password: &str,
    record_id: &str,
) -> Result<FlowOutcome, SmokeError> {
    let mut browser = Browser::new()?;
    let (picker, choices) = open_picker(&mut browser, app_url, username, password).await?;
    let choice = choices
        .iter()
        .find(|c| c.record_id == record_id)
        .ok_or_else(|| SmokeError::new(format!("record {record_id} is not offered")))?;
    let page = pick_and_approve(&mut browser, &picker, choice).await?;
    read_name_page(browser, page, record_id)
}

/// Checks that a page is the app's name page for `record_id` and reads it.
pub fn read_name_page(
    browser: Browser,
    page: Page,
    record_id: &str,
) -> Result<FlowOutcome, SmokeError> {
    expect_ok(&page, "the name page")?;
    let name = page.text_by_id("patient-name").ok_or_else(|| {
        SmokeError::new(format!("no name on {}", browser::strip_query(&page.url)))
    })?;
    let shown = page.text_by_id("record-id").unwrap_or_default();
    if shown != record_id {
        return Err(SmokeError::new(format!(
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
) -> Result<usize, SmokeError> {
    let mut browser = Browser::new()?;
    let (_, choices) = open_picker(&mut browser, app_url, username, password).await?;
    for choice in &choices {
        let outcome = run_flow(app_url, username, password, &choice.record_id)
            .await
            .map_err(|e| SmokeError::new(format!("record {}: {e}", choice.record_id)))?;
        if outcome.name.is_empty() || outcome.name == "Unknown" {
            return Err(SmokeError::new(format!(
                "record {}: no name found",
                choice.record_id
            )));
        }
        if let Some(label) = &choice.label
            && !name_matches_label(&outcome.name, label)
        {
            return Err(SmokeError::new(format!(
                "record {}: the app shows {:?}, the container lists {label:?}",
                choice.record_id, outcome.name
            )));
        }
        writeln!(out, "ok  record {:<12} {}", outcome.record_id, outcome.name)
            .map_err(|e| SmokeError::new(format!("cannot write: {e}")))?;
    }
    Ok(choices.len())
}

/// The records a picker page offers: links carrying `record_id`, or forms
/// with a `record_id` field (hidden, radio or select).
pub fn choices(page: &Page) -> Vec<Choice> {
    let mut out: Vec<Choice> = Vec::new();
    let mut push = |record_id: String, label: Option<String>, how: Pick| {
        if !record_id.is_empty() && !out.iter().any(|c| c.record_id == record_id) {
            out.push(Choice {
                record_id,
                label,
                how,
            });
        }
    };
    for (link, text) in page.links() {
        if let Some((_, id)) = link.query_pairs().find(|(k, _)| k == "record_id") {
            let label = Some(text).filter(|t| !t.is_empty());
            push(id.into_owned(), label, Pick::Link(link.clone()));
        }
    }
    for (index, form) in page.forms().iter().enumerate() {
        for field in form.fields.iter().filter(|f| f.name == "record_id") {
            match field.kind.as_str() {
                "select" => {
                    for option in &field.options {
                        push(option.clone(), None, Pick::Form(index));
                    }
                }
                _ => push(field.value.clone(), None, Pick::Form(index)),
            }
        }
    }
    out
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

fn expect_ok(page: &Page, what: &str) -> Result<(), SmokeError> {
    if page.status.is_success() {
        Ok(())
    } else {
        let message = page
            .text_by_id("error-message")
            .unwrap_or_else(|| page.body.chars().take(200).collect());
        Err(SmokeError::new(format!(
            "expected {what}, got {} at {}: {message}",
            page.status,
            browser::strip_query(&page.url)
        )))
    }
}
