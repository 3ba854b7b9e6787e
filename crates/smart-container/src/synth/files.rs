//! The generated files of a synthetic patient: the photograph, a few
//! documents (a plain-text visit summary and a PNG chart of the lab
//! results) and the lab panels that group the lab results. They come from a
//! stream of their own, started from the main stream's state once the
//! patient is drawn, so that adding them changed no other generated value.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::{Items, LAST_DAY, Rng, add, coded};
use crate::model::{Demographics, Item, systems};

/// The LOINC panels the lab results are grouped into, with their members.
const PANELS: &[(&str, &str, &[&str])] = &[
    (
        "Lipid panel with direct LDL - Serum or Plasma",
        "57698-3",
        &["2093-3", "13457-7", "2085-9"],
    ),
    (
        "Basic metabolic panel - Blood",
        "51990-0",
        &["2345-7", "2160-0", "2823-3", "2951-2"],
    ),
];

/// The photograph's side, in pixels.
pub(crate) const PHOTO_SIDE: u32 = 40;

/// Adds the patient's photograph, documents and lab panels to `items`.
pub(super) fn add_files(items: &mut Items, record_id: &str, d: &Demographics, state: u64) {
    let mut rng = Rng(state ^ 0xF11E_5EED_D0C5_0001);
    let panels = lab_panels(items, &mut rng);
    items.extend(panels);
    let photo = photograph(&mut rng);
    add(
        items,
        "photograph",
        "photograph".into(),
        None,
        None,
        Item::Document {
            date: None,
            title: format!("Photograph of {} {}", d.given, d.family),
            file_name: format!("{record_id}.png"),
            media_type: "image/png".into(),
            content: BASE64.encode(photo),
        },
    );
    let (_, date) = rng.date(0, LAST_DAY);
    let summary = visit_summary(items, d, &date);
    add(
        items,
        "documents",
        rng.hex_id(),
        Some(date.clone()),
        None,
        Item::Document {
            date: Some(date),
            title: "Visit summary".into(),
            file_name: "visit-summary.txt".into(),
            media_type: "text/plain".into(),
            content: BASE64.encode(summary),
        },
    );
    let (_, date) = rng.date(0, LAST_DAY);
    let chart = lab_chart(items);
    add(
        items,
        "documents",
        rng.hex_id(),
        Some(date.clone()),
        None,
        Item::Document {
            date: Some(date),
            title: "Lab results chart".into(),
            file_name: "lab-chart.png".into(),
            media_type: "image/png".into(),
            content: BASE64.encode(chart),
        },
    );
}

/// A panel of [`PANELS`] (its index) and a year.
type PanelYear = (usize, String);

/// One panel per LOINC panel and year that has results, dated on its
/// latest result; a patient with none gets one of every result of the
/// latest year, coded as a general chemistry panel.
fn lab_panels(items: &Items, rng: &mut Rng) -> Items {
    // (panel, year) -> its results as (date, item id).
    let mut groups: Vec<(PanelYear, Vec<(String, String)>)> = Vec::new();
    for (kind, id, date, code, _) in items {
        let (Some(date), Some(code)) = (date, code) else {
            continue;
        };
        if kind != "lab_results" {
            continue;
        }
        let Some(panel) = PANELS.iter().position(|p| p.2.contains(&code.as_str())) else {
            continue;
        };
        let key = (panel, date[..4].to_owned());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push((date.clone(), id.clone())),
            None => groups.push((key, vec![(date.clone(), id.clone())])),
        }
    }
    groups.sort();
    let mut out = Items::new();
    for ((panel, _), mut members) in groups {
        members.sort();
        let (title, code, _) = PANELS[panel];
        let date = members.last().map(|m| m.0.clone()).unwrap_or_default();
        let item = Item::LabPanel {
            date: date.clone(),
            name: coded(title, systems::LOINC, code),
            results: members.into_iter().map(|m| m.1).collect(),
        };
        add(
            &mut out,
            "lab_panels",
            rng.hex_id(),
            Some(date),
            Some(code),
            item,
        );
    }
    if out.is_empty() {
        let mut members: Vec<(String, String)> = items
            .iter()
            .filter(|i| i.0 == "lab_results")
            .filter_map(|i| i.2.clone().map(|d| (d, i.1.clone())))
            .collect();
        members.sort();
        if let Some(latest) = members.last().map(|m| m.0.clone()) {
            let year = latest[..4].to_owned();
            members.retain(|m| m.0.starts_with(&year));
            let item = Item::LabPanel {
                date: latest.clone(),
                name: coded("General chemistry panel", systems::LOINC, "24320-4"),
                results: members.into_iter().map(|m| m.1).collect(),
            };
            add(
                &mut out,
                "lab_panels",
                rng.hex_id(),
                Some(latest),
                Some("24320-4"),
                item,
            );
        }
    }
    out
}

/// A symmetric 5 by 5 pattern in one colour on a light background, scaled
/// up, as an RGB PNG.
fn photograph(rng: &mut Rng) -> Vec<u8> {
    let bits = rng.next();
    let colour = [
        64 + (bits >> 40) as u8 % 160,
        64 + (bits >> 48) as u8 % 160,
        64 + (bits >> 56) as u8 % 160,
    ];
    let cell = PHOTO_SIDE / 5;
    let mut rgb = Vec::with_capacity((PHOTO_SIDE * PHOTO_SIDE * 3) as usize);
    for y in 0..PHOTO_SIDE {
        for x in 0..PHOTO_SIDE {
            let (cx, cy) = ((x / cell).min(4), (y / cell).min(4));
            let col = cx.min(4 - cx);
            let on = bits >> (cy * 3 + col) & 1 == 1;
            rgb.extend_from_slice(if on { &colour } else { &[240, 240, 236] });
        }
    }
    png_rgb(PHOTO_SIDE, PHOTO_SIDE, &rgb)
}

/// A bar chart of the lab results, oldest first: each bar's height is the
/// value within its reference range (the middle band), darker when out of
/// range. Grey-scale PNG, 4 pixels a result, 48 high.
fn lab_chart(items: &Items) -> Vec<u8> {
    const HEIGHT: u32 = 48;
    let mut results: Vec<(&str, f64, f64, f64)> = items
        .iter()
        .filter_map(|(_, _, date, _, item)| match (date, item) {
            (
                Some(date),
                Item::LabResult {
                    value, low, high, ..
                },
            ) => Some((
                date.as_str(),
                value.parse().ok()?,
                low.parse().ok()?,
                high.parse().ok()?,
            )),
            _ => None,
        })
        .collect();
    results.sort_by(|a, b| a.0.cmp(b.0));
    let width = (results.len() as u32 * 4).max(4);
    let mut grey = vec![255u8; (width * HEIGHT) as usize];
    for (i, (_, value, low, high)) in results.iter().enumerate() {
        // The range maps to the middle half of the height.
        let scaled = ((value - low) / (high - low)).clamp(-1.0, 2.0);
        let bar = ((scaled + 1.0) / 3.0 * f64::from(HEIGHT)).round() as u32;
        let shade = if (0.0..=1.0).contains(&scaled) {
            120
        } else {
            30
        };
        for y in HEIGHT.saturating_sub(bar.max(1))..HEIGHT {
            for x in (i as u32 * 4)..(i as u32 * 4 + 3) {
                grey[(y * width + x) as usize] = shade;
            }
        }
    }
    png(width, HEIGHT, png::ColorType::Grayscale, &grey)
}

/// The plain-text visit summary: who, when, and what the record lists.
fn visit_summary(items: &Items, d: &Demographics, date: &str) -> String {
    let titles = |kind: &str| -> Vec<String> {
        let mut t: Vec<String> = items
            .iter()
            .filter(|i| i.0 == kind)
            .filter_map(|i| match &i.4 {
                Item::Medication { drug, .. } => Some(drug.title.clone()),
                Item::Problem { name, .. } => Some(name.title.clone()),
                _ => None,
            })
            .collect();
        t.sort();
        t.dedup();
        t
    };
    format!(
        "VISIT SUMMARY (synthetic record)\n\nPatient: {} {} {}\nBorn: {}\nVisit: {}\n\n\
         Problems:\n{}\n\nMedications:\n{}\n\nPlan: continue current care; review in six months.\n",
        d.given,
        d.additional,
        d.family,
        d.birthday,
        date,
        bullets(&titles("problems")),
        bullets(&titles("medications")),
    )
}

fn bullets(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| format!("  - {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Encodes 8-bit RGB pixels as a PNG.
fn png_rgb(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
    png(width, height, png::ColorType::Rgb, rgb)
}

/// Encodes 8-bit pixels as a PNG. Encoding into memory fails only for a
/// buffer of the wrong size, which the callers never make; that case gives
/// an empty file rather than a panic.
fn png(width: u32, height: u32, colour: png::ColorType, pixels: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(colour);
    encoder.set_depth(png::BitDepth::Eight);
    let written = encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(pixels));
    if written.is_err() {
        return Vec::new();
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]

    use super::*;

    fn decode(bytes: &[u8]) -> (u32, u32, png::ColorType) {
        let reader = png::Decoder::new(bytes).read_info().unwrap();
        let info = reader.info();
        (info.width, info.height, info.color_type)
    }

    #[test]
    fn every_patient_has_a_photograph_two_documents_and_a_lab_panel() {
        let patients = super::super::generate(super::super::DEFAULT_SEED, 10);
        let mut photos = std::collections::BTreeSet::new();
        for p in &patients {
            let of = |kind: &str| p.items.iter().filter(|i| i.0 == kind).collect::<Vec<_>>();
            let [photo] = of("photograph")[..] else {
                panic!("{}: one photograph", p.id)
            };
            let Item::Document { content, .. } = &photo.4 else {
                panic!("a document")
            };
            let bytes = BASE64.decode(content).unwrap();
            assert_eq!(
                decode(&bytes),
                (PHOTO_SIDE, PHOTO_SIDE, png::ColorType::Rgb)
            );
            photos.insert(bytes);
            assert_eq!(of("documents").len(), 2, "{}", p.id);
            let lab_ids: Vec<&String> = of("lab_results").iter().map(|i| &i.1).collect();
            let panels = of("lab_panels");
            assert!(!panels.is_empty(), "{} has a lab panel", p.id);
            for panel in panels {
                let Item::LabPanel { results, .. } = &panel.4 else {
                    panic!("a panel")
                };
                assert!(!results.is_empty());
                assert!(results.iter().all(|r| lab_ids.contains(&r)), "{}", p.id);
            }
        }
        assert_eq!(photos.len(), patients.len(), "each photograph differs");
    }

    #[test]
    fn the_chart_is_a_grey_png_four_pixels_a_result() {
        let patients = super::super::generate(super::super::DEFAULT_SEED, 1);
        let labs = patients[0]
            .items
            .iter()
            .filter(|i| i.0 == "lab_results")
            .count() as u32;
        let chart = lab_chart(&patients[0].items);
        assert_eq!(decode(&chart), (labs * 4, 48, png::ColorType::Grayscale));
    }
}
