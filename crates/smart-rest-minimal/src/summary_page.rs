//! The summary part of the patient page: one `<section>` per collection,
//! each with its count or its error, and the charts.

use maud::{Markup, html};
use smart_rdf::{CodedValue, LabResult, ValueAndUnit, VitalSign, VitalSignSet};

use crate::chart::{self, Chart, Guide, Series};
use crate::summary::{self, RECENT, Section, Summary};

/// The summary sections and charts; `loinc` chooses the lab chart's code
/// (default: the most measured one).
pub fn render(summary: &Summary, loinc: Option<&str>, record_id: &str, api_base: &str) -> Markup {
    let today = summary::today();
    html! {
        (section("medications", "Active medications", &summary.medications, |list| {
            let active = summary::active_medications(list, today);
            html! {
                p class="count" { span id="medications-count" { (active.len()) } " active of " (list.len()) }
                @if !active.is_empty() {
                    table {
                        thead { tr { th { "Medication" } th { "RxNorm" } th { "Dose" } th { "Started" } } }
                        tbody { @for m in &active { tr {
                            td { (m.drug_name.title) }
                            td { (code(&m.drug_name)) }
                            td { (m.instructions.as_deref().unwrap_or_default())
                                 @if let Some(q) = &m.quantity { " (" (amount(q)) ")" } }
                            td { (m.start_date.to_string()) }
                        } } }
                    }
                }
            }
        }))
        (section("problems", "Problems", &summary.problems, |list| html! {
            p class="count" { span id="problems-count" { (list.len()) } }
            ul { @for p in list { li {
                (p.name.title) " (SNOMED " (code(&p.name)) "), since " (p.start_date.to_string())
                @if let Some(end) = p.end_date { ", resolved " (end.to_string()) }
            } } }
        }))
        (section("allergies", "Allergies", &summary.allergies, |list| html! {
            p class="count" { span id="allergies-count" { (list.len()) } }
            ul { @for a in list { li {
                (a.allergen.title) ": " (a.reaction.title)
                @if let Some(s) = &a.severity { " (" (s.title) ")" }
            } } }
        }))
        (section("immunizations", "Immunizations", &summary.immunizations, |list| html! {
            p class="count" { span id="immunizations-count" { (list.len()) } }
            ul { @for i in list { li {
                (i.product_name.title) ", " (i.date.format("%Y-%m-%d").to_string())
                " (" (i.administration_status.title) ")"
            } } }
        }))
        (section("vital-signs", "Vital signs", &summary.vital_signs, |list| html! {
            p class="count" { span id="vital-signs-count" { (list.len()) } " sets" }
            @if let Some(latest) = list.last() { (latest_vitals(latest)) }
            (chart::render(&blood_pressure_chart(list)))
            (chart::render(&single_chart("weight-chart", "Weight", list, |v| v.weight.as_ref())))
            (chart::render(&single_chart("heart-rate-chart", "Heart rate", list, |v| v.heart_rate.as_ref())))
        }))
        (section("lab-results", "Lab results", &summary.lab_results, |list| {
            let chosen = loinc.map(str::to_owned).or_else(|| summary::most_measured_loinc(list));
            html! {
                p class="count" { span id="lab-results-count" { (list.len()) } " (the " (RECENT.min(list.len())) " most recent below)" }
                table {
                    thead { tr { th { "Test" } th { "LOINC" } th { "Value" } th { "Reference range" } th { "Collected" } } }
                    tbody { @for l in list.iter().take(RECENT) { tr {
                        td { (l.name.title) }
                        td { (code(&l.name)) }
                        td { @if let Some(v) = &l.value { (amount(v)) } @else { (l.narrative.as_deref().unwrap_or("-")) } }
                        td { (range(l)) }
                        td { (l.specimen_collected.format("%Y-%m-%d").to_string()) }
                    } } }
                }
                (lab_choice(list, chosen.as_deref(), record_id, api_base))
                @if let Some(code) = &chosen { (chart::render(&lab_chart(list, code))) }
            }
        }))
        (section("encounters", "Encounters", &summary.encounters, |list| html! {
            p class="count" { span id="encounters-count" { (list.len()) } " (the " (RECENT.min(list.len())) " most recent below)" }
            ul { @for e in list.iter().take(RECENT) { li {
                (e.start_date.format("%Y-%m-%d").to_string()) ": " (e.encounter_type.title)
                @if let Some(f) = &e.facility { ", " (f) }
            } } }
        }))
    }
}

/// One section: its heading, then its content or its error.
fn section<R>(
    id: &str,
    title: &str,
    records: &Section<R>,
    body: impl FnOnce(&[R]) -> Markup,
) -> Markup {
    html! {
        section id=(id) {
            h2 { (title) }
            @match records {
                Ok(list) => (body(list)),
                Err(e) => p class="error" id={(id) "-error"} { "This section could not be read: " (e.to_string()) },
            }
        }
    }
}

fn latest_vitals(set: &VitalSignSet) -> Markup {
    let signs = [
        ("Height", set.height.as_ref()),
        ("Weight", set.weight.as_ref()),
        ("BMI", set.body_mass_index.as_ref()),
        ("Heart rate", set.heart_rate.as_ref()),
        ("Respiratory rate", set.respiratory_rate.as_ref()),
        ("Oxygen saturation", set.oxygen_saturation.as_ref()),
        ("Temperature", set.temperature.as_ref()),
    ];
    html! {
        p { "Latest, " (set.date.format("%Y-%m-%d").to_string()) ":" }
        dl id="latest-vitals" {
            @if let Some(bp) = &set.blood_pressure {
                dt { "Blood pressure" } dd { (bp.systolic.value) "/" (bp.diastolic.value) " " (bp.systolic.unit) }
            }
            @for (name, sign) in signs { @if let Some(sign) = sign {
                dt { (name) } dd { (sign.value) " " (sign.unit) }
            } }
        }
    }
}

fn blood_pressure_chart(sets: &[VitalSignSet]) -> Chart {
    let mut systolic = Vec::new();
    let mut diastolic = Vec::new();
    let mut unit = String::from("mm[Hg]");
    for set in sets {
        if let Some(bp) = &set.blood_pressure
            && let (Ok(s), Ok(d)) = (bp.systolic.value.parse(), bp.diastolic.value.parse())
        {
            systolic.push((set.date, s));
            diastolic.push((set.date, d));
            unit.clone_from(&bp.systolic.unit);
        }
    }
    Chart {
        id: "blood-pressure-chart".into(),
        title: "Blood pressure".into(),
        unit,
        series: vec![
            Series {
                id: "systolic".into(),
                label: "Systolic".into(),
                points: systolic,
            },
            Series {
                id: "diastolic".into(),
                label: "Diastolic".into(),
                points: diastolic,
            },
        ],
        guides: Vec::new(),
    }
}

fn single_chart(
    id: &str,
    title: &str,
    sets: &[VitalSignSet],
    pick: impl Fn(&VitalSignSet) -> Option<&VitalSign>,
) -> Chart {
    let mut points = Vec::new();
    let mut unit = String::new();
    for set in sets {
        if let Some(sign) = pick(set)
            && let Ok(value) = sign.value.parse()
        {
            points.push((set.date, value));
            unit.clone_from(&sign.unit);
        }
    }
    let series_id = id.trim_end_matches("-chart").to_owned();
    Chart {
        id: id.into(),
        title: title.into(),
        unit,
        series: vec![Series {
            id: series_id,
            label: title.into(),
            points,
        }],
        guides: Vec::new(),
    }
}

/// The values of one LOINC code over time, with its reference range.
fn lab_chart(results: &[LabResult], loinc: &str) -> Chart {
    let mut points = Vec::new();
    let mut unit = String::new();
    let mut title = loinc.to_owned();
    let mut guides = Vec::new();
    for result in results.iter().rev() {
        if summary::loinc(result) != Some(loinc) {
            continue;
        }
        if let Some(v) = &result.value
            && let Ok(value) = v.value.parse()
        {
            points.push((result.specimen_collected, value));
            unit.clone_from(&v.unit);
            title.clone_from(&result.name.title);
            if guides.is_empty()
                && let Some(range) = &result.normal_range
            {
                for (label, bound) in [
                    ("normal low", &range.minimum),
                    ("normal high", &range.maximum),
                ] {
                    if let Some(value) = bound.as_ref().and_then(|b| b.value.parse().ok()) {
                        guides.push(Guide {
                            label: label.into(),
                            value,
                        });
                    }
                }
            }
        }
    }
    Chart {
        id: "lab-chart".into(),
        title: format!("{title} (LOINC {loinc})"),
        unit,
        series: vec![Series {
            id: format!("loinc-{loinc}"),
            label: title,
            points,
        }],
        guides,
    }
}

/// A GET form that picks the lab chart's LOINC code (no script).
fn lab_choice(
    results: &[LabResult],
    chosen: Option<&str>,
    record_id: &str,
    api_base: &str,
) -> Markup {
    let mut codes: Vec<(String, String)> = Vec::new();
    for result in results {
        if let Some(code) = summary::loinc(result)
            && !codes.iter().any(|(c, _)| c == code)
        {
            codes.push((code.to_owned(), result.name.title.clone()));
        }
    }
    codes.sort();
    html! {
        @if !codes.is_empty() {
            form method="get" action="/" id="lab-choice" {
                input type="hidden" name="record_id" value=(record_id);
                input type="hidden" name="api_base" value=(api_base);
                label for="loinc" { "Chart a lab value: " }
                select name="loinc" id="loinc" {
                    @for (code, title) in &codes {
                        option value=(code) selected[chosen == Some(code.as_str())] { (title) " (" (code) ")" }
                    }
                }
                " "
                button type="submit" { "Show" }
            }
        }
    }
}

fn code(value: &CodedValue) -> &str {
    value.code.as_ref().map_or("-", |c| c.identifier.as_str())
}

fn amount(value: &ValueAndUnit) -> String {
    format!("{} {}", value.value, value.unit)
}

fn range(result: &LabResult) -> String {
    let Some(range) = &result.normal_range else {
        return "-".into();
    };
    let bound =
        |b: &Option<ValueAndUnit>| b.as_ref().map_or(String::from("?"), |v| v.value.clone());
    let unit = range
        .minimum
        .as_ref()
        .or(range.maximum.as_ref())
        .map_or("", |v| v.unit.as_str());
    format!("{}-{} {unit}", bound(&range.minimum), bound(&range.maximum))
}
