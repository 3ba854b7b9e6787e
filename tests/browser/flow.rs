//! The person's path through the demo, step by step, with a screenshot of
//! every page.

use std::path::Path;

use fantoccini::{Client, Locator};

use crate::support::Service;
use crate::wait_for;

/// Where the demo's two servers listen (on loopback).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ports {
    /// The container's API port.
    pub(crate) container: u16,
    /// The port of the container's pages (login, picker, authorize).
    pub(crate) ui: u16,
    /// The app's port.
    pub(crate) app: u16,
}
/// The app's name, as its manifest says.
const APP_NAME: &str = "SMART REST Minimal";

/// Approve, see the name; then deny, see the app's error page.
pub(crate) async fn run(
    browser: &Client,
    shots: &Path,
    demo: &Service,
    ports: Ports,
) -> Result<(), String> {
    let (app, username, password) = demo_instructions(demo).await?;

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
    let patient = pick_patient(browser, shots, "02-pick-patient", 0).await?;

    // 3. Approve on the authorize page.
    authorize_page(browser, shots, "03-authorize", &patient, ports).await?;
    click(browser, "button[name=decision][value=approve]", "approve").await?;

    // 4. The app shows the patient's name.
    let text = page_naming(browser, &patient, "the app's page after approval").await?;
    shot(browser, shots, "04-app-shows-name").await?;
    check_page(browser, "the app's page after approval", &text, ports.app).await?;
    summary_and_charts(browser, shots).await?;

    // 5. Again, and deny this time: the app shows its friendly error page.
    goto(browser, &app, "open the app again").await?;
    // Another patient: the app keeps its token for the first one.
    let patient = pick_patient(browser, shots, "05-pick-another-patient", 1).await?;
    authorize_page(browser, shots, "06-authorize-again", &patient, ports).await?;
    click(browser, "button[name=decision][value=deny]", "deny").await?;
    wait_for(browser, "div.error", "the app's error page after denial").await?;
    let text = body_text(browser).await?;
    shot(browser, shots, "07-app-error-after-deny").await?;
    check_page(browser, "the app's page after denial", &text, ports.app).await?;
    // The friendly page says, in words, that the person refused.
    let lower = text.to_lowercase();
    let says_refused = [
        "denied",
        "declined",
        "refused",
        "did not allow",
        "not authorized",
        "not allowed",
    ]
    .iter()
    .any(|words| lower.contains(words));
    if !says_refused {
        return Err(format!(
            "after denial the app's page does not say access was denied:\n{text}"
        ));
    }
    if patient.named_in(&text) {
        return Err(format!(
            "after denial the app still shows the patient's name {} {}:\n{text}",
            patient.given, patient.family
        ));
    }
    Ok(())
}

/// The summary under the name: every section read, the vital-sign charts
/// with their series, another LOINC code charted through the page's form,
/// and nothing in the browser's console.
async fn summary_and_charts(browser: &Client, shots: &Path) -> Result<(), String> {
    // Entries so far came from the container's pages: drop them.
    console_errors(browser).await?;
    browser
        .refresh()
        .await
        .map_err(|e| format!("reload the patient page: {e}"))?;
    for section in smart_browser::app::SECTIONS {
        wait_for(browser, &format!("section#{section}"), "the summary").await?;
    }
    let failed = browser
        .find_all(Locator::Css("section p.error"))
        .await
        .map_err(|e| format!("look for failed sections: {e}"))?;
    if !failed.is_empty() {
        return Err(format!("{} summary sections failed", failed.len()));
    }
    for css in [
        "svg#blood-pressure-chart g.series[data-series=systolic] polyline",
        "svg#blood-pressure-chart g.series[data-series=diastolic] polyline",
        "svg#weight-chart g.series[data-series=weight] polyline",
        "svg#heart-rate-chart g.series[data-series=heart-rate] polyline",
        "svg#blood-pressure-chart text.unit",
        "svg#lab-chart g.series polyline",
    ] {
        wait_for(browser, css, "the charts").await?;
    }
    browser
        .execute(
            "document.getElementById('vital-signs').scrollIntoView()",
            Vec::new(),
        )
        .await
        .map_err(|e| format!("scroll to the charts: {e}"))?;
    shot(browser, shots, "04b-summary-charts").await?;

    // Chart another lab value: the form's other option, submitted.
    let select = wait_for(browser, "select#loinc", "the lab chart's form").await?;
    let options = browser
        .find_all(Locator::Css("select#loinc option"))
        .await
        .map_err(|e| format!("read the LOINC options: {e}"))?;
    if options.len() > 1 {
        let chosen = options[1]
            .attr("value")
            .await
            .map_err(|e| format!("read an option: {e}"))?
            .unwrap_or_default();
        select
            .select_by_value(&chosen)
            .await
            .map_err(|e| format!("choose LOINC {chosen}: {e}"))?;
        click(
            browser,
            "form#lab-choice button[type=submit]",
            "show the lab chart",
        )
        .await?;
        let css = format!("svg#lab-chart g.series[data-series=\"loinc-{chosen}\"] polyline");
        wait_for(browser, &css, "the chosen lab chart").await?;
        browser
            .execute(
                "document.getElementById('lab-chart').scrollIntoView()",
                Vec::new(),
            )
            .await
            .map_err(|e| format!("scroll to the lab chart: {e}"))?;
        shot(browser, shots, "04c-lab-chart").await?;
    }
    let errors = console_errors(browser).await?;
    if !errors.is_empty() {
        return Err(format!("the patient page logged errors: {errors:?}"));
    }
    Ok(())
}

/// The `SEVERE` entries of the browser's console since the last call
/// (chromedriver's log endpoint; the session asks for `goog:loggingPrefs`).
pub(crate) async fn console_errors(browser: &Client) -> Result<Vec<String>, String> {
    let reply = browser
        .issue_cmd(BrowserLog)
        .await
        .map_err(|e| format!("read the browser's console: {e}"))?;
    Ok(reply
        .as_array()
        .into_iter()
        .flatten()
        .filter(|entry| entry["level"] == "SEVERE")
        .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
        .collect())
}

/// `POST /session/{id}/se/log` with `{"type": "browser"}`.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

/// The app's URL and the demo user's name and password, as the demo
/// prints them for a person ("app: URL", "sign in as `USER` with password
/// `PASSWORD`").
async fn demo_instructions(demo: &Service) -> Result<(String, String, String), String> {
    let mut log = demo.log_tail();
    for _ in 0..100 {
        if log.contains("sign in as") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        log = demo.log_tail();
    }
    let app = log
        .lines()
        .find_map(|l| l.trim().strip_prefix("app:").map(|u| u.trim().to_owned()));
    let quoted: Vec<&str> = log
        .lines()
        .find(|l| l.contains("sign in as"))
        .map(|l| l.split('`').skip(1).step_by(2).collect())
        .unwrap_or_default();
    match (app, quoted.as_slice()) {
        (Some(app), [user, password, ..]) => Ok((app, (*user).to_owned(), (*password).to_owned())),
        _ => Err(format!(
            "the demo did not print its app URL and sign-in:\n{log}"
        )),
    }
}

/// A patient as the record picker lists them ("Family, Given").
pub(crate) struct Patient {
    given: String,
    family: String,
}

impl Patient {
    /// Whether a page's text names the patient (given and family names).
    fn named_in(&self, text: &str) -> bool {
        text.contains(&self.given) && text.contains(&self.family)
    }
}

/// The record picker: clicks the patient at `index` in the list and
/// returns the name shown.
async fn pick_patient(
    browser: &Client,
    shots: &Path,
    shot_name: &str,
    index: usize,
) -> Result<Patient, String> {
    const LINKS: &str = "a[href*='record_id']";
    wait_for(browser, LINKS, "record picker").await?;
    shot(browser, shots, shot_name).await?;
    let links = browser
        .find_all(Locator::Css(LINKS))
        .await
        .map_err(|e| format!("record picker: list the patients: {e}"))?;
    let Some(first) = links.get(index) else {
        return Err(format!(
            "the record picker lists {} patients, wanted number {}",
            links.len(),
            index + 1
        ));
    };
    let name = first
        .text()
        .await
        .map_err(|e| format!("read the patient's name: {e}"))?;
    let Some((family, given)) = name.trim().split_once(", ") else {
        return Err(format!(
            "the record picker shows {name:?}, not \"Family, Given\""
        ));
    };
    let patient = Patient {
        given: given.trim().to_owned(),
        family: family.trim().to_owned(),
    };
    first
        .click()
        .await
        .map_err(|e| format!("pick the patient {name:?}: {e}"))?;
    Ok(patient)
}

/// The authorize page: names the app and the patient.
async fn authorize_page(
    browser: &Client,
    shots: &Path,
    shot_name: &str,
    patient: &Patient,
    ports: Ports,
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
    if !patient.named_in(&text) {
        return Err(format!(
            "the authorize page does not name the patient {} {}:\n{text}",
            patient.given, patient.family
        ));
    }
    check_page(browser, "the authorize page", &text, ports.ui).await
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

/// Waits until the page names the patient; returns its text.
async fn page_naming(browser: &Client, patient: &Patient, what: &str) -> Result<String, String> {
    let mut text = String::new();
    for _ in 0..100 {
        text = body_text(browser).await.unwrap_or_default();
        if patient.named_in(&text) {
            return Ok(text);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let url = browser
        .current_url()
        .await
        .map(|u| u.to_string())
        .unwrap_or_default();
    Err(format!(
        "{what} ({url}) never named {} {}:\n{text}",
        patient.given, patient.family
    ))
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
