//! The person's path through the demo, step by step, with a screenshot of
//! every page.

use std::path::Path;

use fantoccini::{Client, Locator};

use crate::support::Service;
use crate::wait_for;

/// The container's port in `smart-rest-minimal demo`.
pub(crate) const CONTAINER_PORT: u16 = 7000;
/// The app's port in `smart-rest-minimal demo`.
pub(crate) const APP_PORT: u16 = 8000;
/// The app's name, as its manifest says.
const APP_NAME: &str = "SMART REST Minimal";

/// Approve, see the name; then deny, see the app's error page.
pub(crate) async fn run(browser: &Client, shots: &Path, demo: &Service) -> Result<(), String> {
    let app = format!("http://localhost:{APP_PORT}/");
    let (username, password) = demo_credentials(demo)?;

    // 1. Open the app: it sends the browser to the container's launch page,
    //    which asks the person to sign in.
    goto(browser, &app, "open the app").await?;
    let user = wait_for(browser, "input[name=username]", "sign-in page").await?;
    shot(browser, shots, "01-sign-in").await?;
    user.send_keys(&username)
        .await
        .map_err(|e| format!("type the user name: {e}"))?;
    let pass = wait_for(browser, "input[name=password]", "sign-in page").await?;
    pass.send_keys(&password)
        .await
        .map_err(|e| format!("type the password: {e}"))?;
    click(
        browser,
        "form button[type=submit], form input[type=submit]",
        "sign in",
    )
    .await?;

    // 2. Pick a patient.
    let patient = pick_patient(browser, shots, "02-pick-patient").await?;

    // 3. Approve on the authorize page.
    authorize_page(browser, shots, "03-authorize", &patient).await?;
    click(browser, "button[name=decision][value=approve]", "approve").await?;

    // 4. The app shows the patient's name.
    let text = page_text_containing(browser, &patient, "the app's page after approval").await?;
    shot(browser, shots, "04-app-shows-name").await?;
    check_page(browser, "the app's page after approval", &text, APP_PORT).await?;

    // 5. Again, and deny this time: the app shows its friendly error page.
    goto(browser, &app, "open the app again").await?;
    let patient = pick_patient(browser, shots, "05-pick-patient-again").await?;
    authorize_page(browser, shots, "06-authorize-again", &patient).await?;
    click(browser, "button[name=decision][value=deny]", "deny").await?;
    let text = body_text(browser).await?;
    shot(browser, shots, "07-app-error-after-deny").await?;
    check_page(browser, "the app's page after denial", &text, APP_PORT).await?;
    let lower = text.to_lowercase();
    if !(lower.contains("denied") || lower.contains("declined") || lower.contains("not authorized"))
    {
        return Err(format!(
            "after denial the app's page does not say access was denied:\n{text}"
        ));
    }
    if text.contains(&patient) {
        return Err(format!(
            "after denial the app still shows the patient's name {patient:?}:\n{text}"
        ));
    }
    Ok(())
}

/// The demo user's name and password, from the demo's output.
fn demo_credentials(demo: &Service) -> Result<(String, String), String> {
    let log = demo.log_tail();
    let mut user = None;
    let mut password = None;
    for line in log.lines() {
        for word in line.split_whitespace() {
            let word = word.trim_matches(|c: char| c == ',' || c == '"' || c == '\'');
            if let Some(v) = word
                .strip_prefix("user=")
                .or_else(|| word.strip_prefix("username="))
            {
                user = Some(v.to_owned());
            }
            if let Some(v) = word.strip_prefix("password=") {
                password = Some(v.to_owned());
            }
        }
    }
    match (user, password) {
        (Some(u), Some(p)) => Ok((u, p)),
        _ => Err(format!(
            "the demo printed no user name and password:\n{log}"
        )),
    }
}

/// The record picker: clicks the first patient and returns the name shown.
async fn pick_patient(browser: &Client, shots: &Path, shot_name: &str) -> Result<String, String> {
    let first = wait_for(
        browser,
        "a[href*='record_id'], form button[name=record_id]",
        "record picker",
    )
    .await?;
    shot(browser, shots, shot_name).await?;
    let name = first
        .text()
        .await
        .map_err(|e| format!("read the patient's name: {e}"))?;
    let name = name.trim().to_owned();
    if name.is_empty() {
        return Err("the record picker shows a patient without a name".to_owned());
    }
    first
        .click()
        .await
        .map_err(|e| format!("pick the patient {name:?}: {e}"))?;
    Ok(name)
}

/// The authorize page: names the app and the patient.
async fn authorize_page(
    browser: &Client,
    shots: &Path,
    shot_name: &str,
    patient: &str,
) -> Result<(), String> {
    wait_for(
        browser,
        "button[name=decision][value=approve]",
        "authorize page",
    )
    .await?;
    shot(browser, shots, shot_name).await?;
    let text = body_text(browser).await?;
    if !text.contains(APP_NAME) {
        return Err(format!(
            "the authorize page does not name the app {APP_NAME:?}:\n{text}"
        ));
    }
    if !text.contains(patient) {
        return Err(format!(
            "the authorize page does not name the patient {patient:?}:\n{text}"
        ));
    }
    check_page(browser, "the authorize page", &text, CONTAINER_PORT).await
}

/// Checks a page a person sees: on the right server, readable, no broken image.
async fn check_page(browser: &Client, what: &str, text: &str, port: u16) -> Result<(), String> {
    let url = browser
        .current_url()
        .await
        .map_err(|e| format!("{what}: current URL: {e}"))?;
    if url.port_or_known_default() != Some(port) {
        return Err(format!("{what}: expected a page on port {port}, got {url}"));
    }
    if text.trim().len() < 10 {
        return Err(format!("{what}: the page is (almost) empty: {text:?}"));
    }
    let broken = browser
        .execute(
            "return Array.from(document.images)\
               .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src);",
            Vec::new(),
        )
        .await
        .map_err(|e| format!("{what}: list the images: {e}"))?;
    if broken.as_array().is_some_and(|a| !a.is_empty()) {
        return Err(format!("{what}: broken images {broken}"));
    }
    let font = browser
        .execute(
            "return parseFloat(getComputedStyle(document.body).fontSize);",
            Vec::new(),
        )
        .await
        .map_err(|e| format!("{what}: read the font size: {e}"))?;
    if font.as_f64().is_some_and(|px| px < 12.0) {
        return Err(format!("{what}: body text smaller than 12px ({font})"));
    }
    Ok(())
}

/// Waits until the page's text contains `needle`; returns the text.
async fn page_text_containing(
    browser: &Client,
    needle: &str,
    what: &str,
) -> Result<String, String> {
    let mut text = String::new();
    for _ in 0..100 {
        text = body_text(browser).await.unwrap_or_default();
        if text.contains(needle) {
            return Ok(text);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let url = browser
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    Err(format!("{what} ({url}) never showed {needle:?}:\n{text}"))
}

/// The visible text of the page's body.
async fn body_text(browser: &Client) -> Result<String, String> {
    let body = browser
        .find(Locator::Css("body"))
        .await
        .map_err(|e| format!("find the page's body: {e}"))?;
    body.text()
        .await
        .map_err(|e| format!("read the page's text: {e}"))
}

async fn goto(browser: &Client, url: &str, step: &str) -> Result<(), String> {
    browser
        .goto(url)
        .await
        .map_err(|e| format!("{step}: open {url}: {e}"))
}

async fn click(browser: &Client, css: &str, step: &str) -> Result<(), String> {
    let element = wait_for(browser, css, step).await?;
    element
        .click()
        .await
        .map_err(|e| format!("{step}: click `{css}`: {e}"))
}

/// Saves a screenshot of the current page as `<name>.png`.
async fn shot(browser: &Client, shots: &Path, name: &str) -> Result<(), String> {
    let png = browser
        .screenshot()
        .await
        .map_err(|e| format!("screenshot {name}: {e}"))?;
    std::fs::write(shots.join(format!("{name}.png")), png)
        .map_err(|e| format!("save screenshot {name}: {e}"))
}
