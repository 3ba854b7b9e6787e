//! The HTML pages, rendered with maud (which escapes every value).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use maud::{DOCTYPE, Markup, PreEscaped, html};

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:46rem;margin:3rem auto;\
padding:0 1rem;color:#222;line-height:1.5}h1{font-size:1.8rem;margin-bottom:.2rem}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:#666}\
dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}\
.error{border-left:4px solid #c33;padding-left:1rem}header img{vertical-align:middle}\
section{margin-top:2rem}h2{font-size:1.3rem;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;padding:.2rem .4rem;\
border-bottom:1px solid #eee}svg.chart{display:block;max-width:100%;height:auto;margin:1rem 0}";

/// The patient page: the patient's name, the record id and the api_base,
/// then the summary.
pub fn name_page(name: &str, record_id: &str, api_base: &str, summary: Markup) -> Markup {
    layout(
        "Patient",
        html! {
            p { "The patient's name is" }
            h1 id="patient-name" { (name) }
            dl {
                dt { "Record" } dd id="record-id" { (record_id) }
                dt { "Container" } dd id="api-base" { (api_base) }
            }
            form method="post" action="/logout" {
                button type="submit" { "Sign out" }
            }
            (summary)
        },
    )
}

/// The page after sign-out.
pub fn signed_out_page() -> Markup {
    layout(
        "Signed out",
        html! {
            h1 id="signed-out" { "Signed out" }
            p { "The app has forgotten this session and its access tokens." }
        },
    )
}

/// An error page with a friendly sentence.
pub fn error_page(status: StatusCode, message: &str) -> Markup {
    layout(
        "Error",
        html! {
            div class="error" {
                h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("Error")) }
                p id="error-message" { (message) }
            }
        },
    )
}

/// Adds `Cache-Control: no-store` (pages that show patient data or follow
/// an authorisation must not be cached).
pub fn no_store(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                link rel="icon" href="/static/icon.png";
                title { "SMART REST Minimal: " (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header { img src="/static/icon.png" alt="" width="16" height="16"; " SMART REST Minimal" }
                (body)
            }
        }
    }
}
