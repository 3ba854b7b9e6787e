//! The user's part of a launch at a SMART container, through its real
//! pages: sign in, read the record picker, pick, approve.

use url::Url;

use crate::Error;
use crate::browser::{self, Browser, Page};

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

/// Opens the app without a record, signs in at the container and returns
/// the record picker page with the choices it offers.
pub async fn open_picker(
    browser: &mut Browser,
    app_url: &Url,
    username: &str,
    password: &str,
) -> Result<(Page, Vec<Choice>), Error> {
    let page = browser.get(app_url.clone()).await?;
    let page = sign_in(browser, page, username, password).await?;
    expect_ok(&page, "the record picker")?;
    let choices = choices(&page);
    if choices.is_empty() {
        return Err(Error::new(format!(
            "no record to pick at {}",
            browser::strip_query(&page.url)
        )));
    }
    Ok((page, choices))
}

/// Signs in on `page` when it is a login form (a form with a `password`
/// field), following where the container sends the browser next; any other
/// page is returned as it is.
pub async fn sign_in(
    browser: &mut Browser,
    page: Page,
    username: &str,
    password: &str,
) -> Result<Page, Error> {
    let Some(form) = page.form_with("password") else {
        return Ok(page);
    };
    let pairs = form.submission(&[("username", username), ("password", password)], None);
    let page = browser.submit(&page, &form, &pairs).await?;
    if page.form_with("password").is_some() {
        return Err(Error::new(format!(
            "login as {username} failed ({} at {})",
            page.status,
            browser::strip_query(&page.url)
        )));
    }
    Ok(page)
}

/// Picks a record on the picker page and follows the flow through the
/// authorisation (approved) to the app's name page.
pub async fn pick_and_approve(
    browser: &mut Browser,
    picker: &Page,
    choice: &Choice,
) -> Result<Page, Error> {
    let page = pick(browser, picker, choice).await?;
    approve(browser, page).await
}

/// Picks a record on the picker page and follows the redirects (to the app,
/// then back to the container's authorisation page, which it returns).
pub async fn pick(browser: &mut Browser, picker: &Page, choice: &Choice) -> Result<Page, Error> {
    match &choice.how {
        Pick::Link(url) => browser.get(url.clone()).await,
        Pick::Form(index) => {
            let forms = picker.forms();
            let form = forms
                .get(*index)
                .ok_or_else(|| Error::new("picker form vanished"))?;
            let pairs = form.submission(&[("record_id", &choice.record_id)], None);
            browser.submit(picker, form, &pairs).await
        }
    }
}

/// Approves on an authorisation page and follows to the app's page.
pub async fn approve(browser: &mut Browser, page: Page) -> Result<Page, Error> {
    expect_ok(&page, "the authorisation page")?;
    let form = page.form_with("csrf_token").ok_or_else(|| {
        Error::new(format!(
            "no authorisation form at {}",
            browser::strip_query(&page.url)
        ))
    })?;
    let pairs = form.submission(&[], Some(("decision", "approve")));
    browser.submit(&page, &form, &pairs).await
}

/// Approves on an authorisation page without following the container's
/// redirect, and returns the callback URL it points to (the one URL that
/// carries the verifier).
pub async fn approve_to_callback(browser: &mut Browser, page: &Page) -> Result<Url, Error> {
    expect_ok(page, "the authorisation page")?;
    let form = page.form_with("csrf_token").ok_or_else(|| {
        Error::new(format!(
            "no authorisation form at {}",
            browser::strip_query(&page.url)
        ))
    })?;
    let pairs = form.submission(&[], Some(("decision", "approve")));
    let reply = browser.submit_once(page, &form, &pairs).await?;
    reply.location().ok_or_else(|| {
        Error::new(format!(
            "approving answered {} without a redirect",
            reply.status
        ))
    })
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

pub(crate) fn expect_ok(page: &Page, what: &str) -> Result<(), Error> {
    if page.status.is_success() {
        Ok(())
    } else {
        let message = page
            .text_by_id("error-message")
            .unwrap_or_else(|| page.body.chars().take(200).collect());
        Err(Error::new(format!(
            "expected {what}, got {} at {}: {message}",
            page.status,
            browser::strip_query(&page.url)
        )))
    }
}
