//! Line charts as server-rendered SVG: no script, axes with ticks and the
//! unit, and series told apart by marker shape and dash pattern, so they
//! read without colour. Every text goes through maud, which escapes it.
//!
//! A small module of our own rather than a charting crate: four line charts
//! need a few hundred lines, and writing the markup through maud keeps the
//! escaping, the accessible title and the `data-series` hooks the tests
//! read in our hands, with no dependency added to the app.

use chrono::{DateTime, Utc};
use maud::{Markup, html};

/// The drawing size, in SVG user units.
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 40.0;

/// How a series is drawn: its marker and its dash pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Filled circles on a solid line.
    Circle,
    /// Hollow squares on a dashed line.
    Square,
    /// Triangles on a dotted line.
    Triangle,
}

impl Mark {
    /// The marks in the order series take them.
    pub const ALL: [Mark; 3] = [Mark::Circle, Mark::Square, Mark::Triangle];

    fn dash(self) -> &'static str {
        match self {
            Mark::Circle => "none",
            Mark::Square => "6 4",
            Mark::Triangle => "2 3",
        }
    }

    fn marker(self, x: f64, y: f64) -> Markup {
        match self {
            Mark::Circle => html! { circle cx=(fmt(x)) cy=(fmt(y)) r="3.5" fill="#222" {} },
            Mark::Square => html! {
                rect x=(fmt(x - 3.5)) y=(fmt(y - 3.5)) width="7" height="7" fill="#fff" stroke="#222" {}
            },
            Mark::Triangle => {
                let points = format!(
                    "{},{} {},{} {},{}",
                    fmt(x),
                    fmt(y - 4.5),
                    fmt(x - 4.5),
                    fmt(y + 3.5),
                    fmt(x + 4.5),
                    fmt(y + 3.5)
                );
                html! { polygon points=(points) fill="#666" {} }
            }
        }
    }
}

/// One series: a name (for the legend and `data-series`) and its points.
#[derive(Debug, Clone)]
pub struct Series {
    /// A short id (`systolic`), used as `data-series`.
    pub id: String,
    /// The legend's text.
    pub label: String,
    /// The points, in time order.
    pub points: Vec<(DateTime<Utc>, f64)>,
}

/// A horizontal reference line (a normal range's bound).
#[derive(Debug, Clone)]
pub struct Guide {
    /// Its text.
    pub label: String,
    /// Its value.
    pub value: f64,
}

/// One chart.
#[derive(Debug, Clone)]
pub struct Chart {
    /// The element id of the `<svg>`.
    pub id: String,
    /// The title, drawn and read by screen readers.
    pub title: String,
    /// The unit of the values (the y axis label).
    pub unit: String,
    /// The series, each drawn with the next [`Mark`].
    pub series: Vec<Series>,
    /// Reference lines.
    pub guides: Vec<Guide>,
}

/// The chart as an inline `<svg>`, or a sentence when there is nothing to
/// draw.
pub fn render(chart: &Chart) -> Markup {
    let points = chart.series.iter().flat_map(|s| s.points.iter());
    let (Some(t0), Some(t1)) = (
        points.clone().map(|p| p.0).min(),
        points.clone().map(|p| p.0).max(),
    ) else {
        return html! { p class="no-chart" id=(chart.id) { "No values to chart for " (chart.title) "." } };
    };
    let values = points
        .map(|p| p.1)
        .chain(chart.guides.iter().map(|g| g.value));
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let ticks = nice_ticks(lo, hi, 5);
    let (y_min, y_max) = (
        ticks.first().copied().unwrap_or(lo),
        ticks.last().copied().unwrap_or(hi),
    );
    let (t0, t1) = if t0 == t1 {
        (
            t0 - chrono::Duration::days(1),
            t1 + chrono::Duration::days(1),
        )
    } else {
        (t0, t1)
    };
    let span = (t1 - t0).num_seconds().max(1) as f64;
    let x = |t: DateTime<Utc>| LEFT + (t - t0).num_seconds() as f64 / span * (WIDTH - LEFT - RIGHT);
    let y = |v: f64| {
        let range = if y_max > y_min { y_max - y_min } else { 1.0 };
        HEIGHT - BOTTOM - (v - y_min) / range * (HEIGHT - TOP - BOTTOM)
    };
    let title_id = format!("{}-title", chart.id);
    // Fewer ticks over a short span, so that no two show the same date.
    let date_ticks = date_ticks(t0, t1, if (t1 - t0).num_days() < 4 { 2 } else { 4 });
    html! {
        svg id=(chart.id) class="chart" xmlns="http://www.w3.org/2000/svg" role="img"
            viewBox={"0 0 " (fmt(WIDTH)) " " (fmt(HEIGHT))} width=(fmt(WIDTH)) height=(fmt(HEIGHT))
            aria-labelledby=(title_id) font-family="system-ui, sans-serif" font-size="11" {
            title id=(title_id) { (chart.title) " (" (chart.unit) ")" }
            text x=(fmt(LEFT)) y="14" font-size="13" font-weight="bold" { (chart.title) }
            // The axes.
            line x1=(fmt(LEFT)) y1=(fmt(TOP)) x2=(fmt(LEFT)) y2=(fmt(HEIGHT - BOTTOM)) stroke="#222" {}
            line x1=(fmt(LEFT)) y1=(fmt(HEIGHT - BOTTOM)) x2=(fmt(WIDTH - RIGHT)) y2=(fmt(HEIGHT - BOTTOM)) stroke="#222" {}
            text class="unit" x="12" y=(fmt((TOP + HEIGHT - BOTTOM) / 2.0))
                transform={"rotate(-90 12 " (fmt((TOP + HEIGHT - BOTTOM) / 2.0)) ")"} text-anchor="middle" {
                (chart.unit)
            }
            @for tick in &ticks {
                line x1=(fmt(LEFT - 4.0)) y1=(fmt(y(*tick))) x2=(fmt(WIDTH - RIGHT)) y2=(fmt(y(*tick)))
                    stroke="#ddd" {}
                text x=(fmt(LEFT - 6.0)) y=(fmt(y(*tick) + 4.0)) text-anchor="end" { (tick_label(*tick)) }
            }
            @for (index, tick) in date_ticks.iter().enumerate() {
                // The last label ends at its tick, so it stays inside the drawing.
                @let anchor = if index + 1 == date_ticks.len() { "end" } else { "middle" };
                line x1=(fmt(x(*tick))) y1=(fmt(HEIGHT - BOTTOM)) x2=(fmt(x(*tick))) y2=(fmt(HEIGHT - BOTTOM + 4.0))
                    stroke="#222" {}
                text x=(fmt(x(*tick))) y=(fmt(HEIGHT - BOTTOM + 16.0)) text-anchor=(anchor) {
                    (tick.format("%Y-%m-%d").to_string())
                }
            }
            @for guide in &chart.guides {
                g class="guide" {
                    line x1=(fmt(LEFT)) y1=(fmt(y(guide.value))) x2=(fmt(WIDTH - RIGHT)) y2=(fmt(y(guide.value)))
                        stroke="#888" stroke-dasharray="1 4" {}
                    text x=(fmt(LEFT + 4.0)) y=(fmt(y(guide.value) - 3.0)) fill="#555" {
                        (guide.label)
                    }
                }
            }
            @for (series, mark) in chart.series.iter().zip(Mark::ALL.iter().cycle()) {
                @let line: Vec<String> = series.points.iter()
                    .map(|(t, v)| format!("{},{}", fmt(x(*t)), fmt(y(*v)))).collect();
                g class="series" data-series=(series.id) {
                    polyline points=(line.join(" ")) fill="none" stroke="#222" stroke-width="1.5"
                        stroke-dasharray=(mark.dash()) {}
                    @for (t, v) in &series.points {
                        g {
                            title { (series.label) ", " (t.format("%Y-%m-%d").to_string()) ": " (tick_label(*v)) " " (chart.unit) }
                            (mark.marker(x(*t), y(*v)))
                        }
                    }
                }
            }
            // The legend, top right.
            @for (index, (series, mark)) in chart.series.iter().zip(Mark::ALL.iter().cycle()).enumerate() {
                @let lx = WIDTH - RIGHT - 150.0 * (chart.series.len() - index) as f64;
                g class="legend" {
                    line x1=(fmt(lx)) y1="22" x2=(fmt(lx + 24.0)) y2="22" stroke="#222" stroke-dasharray=(mark.dash()) {}
                    (mark.marker(lx + 12.0, 22.0))
                    text x=(fmt(lx + 30.0)) y="26" { (series.label) }
                }
            }
        }
    }
}

/// About `count` round tick values covering `lo..=hi`.
fn nice_ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    if !lo.is_finite() || !hi.is_finite() {
        return Vec::new();
    }
    let (lo, hi) = if (hi - lo).abs() < f64::EPSILON {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    };
    let raw = (hi - lo) / count.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).floor() * step;
    let mut ticks = Vec::new();
    let mut tick = first;
    while tick < hi + step * 0.999 && ticks.len() < 50 {
        ticks.push(tick);
        tick += step;
    }
    ticks
}

/// `count + 1` evenly spaced instants from `t0` to `t1`.
fn date_ticks(t0: DateTime<Utc>, t1: DateTime<Utc>, count: i32) -> Vec<DateTime<Utc>> {
    let span = t1 - t0;
    (0..=count).map(|i| t0 + span * i / count).collect()
}

fn tick_label(value: f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

fn fmt(value: f64) -> String {
    format!("{value:.1}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]

    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        format!("2024-01-{day:02}T00:00:00Z").parse().unwrap()
    }

    #[test]
    fn a_chart_has_axes_units_series_and_escaped_text() {
        let chart = Chart {
            id: "bp".into(),
            title: "Blood <pressure> & \"more\"".into(),
            unit: "mm[Hg]".into(),
            series: vec![
                Series {
                    id: "systolic".into(),
                    label: "Systolic".into(),
                    points: vec![(at(1), 120.0), (at(5), 135.0)],
                },
                Series {
                    id: "diastolic".into(),
                    label: "Diastolic <b>".into(),
                    points: vec![(at(1), 80.0), (at(5), 85.0)],
                },
            ],
            guides: vec![],
        };
        let svg = render(&chart).into_string();
        assert!(svg.starts_with("<svg id=\"bp\""), "{svg}");
        assert!(
            svg.contains("data-series=\"systolic\"") && svg.contains("data-series=\"diastolic\"")
        );
        assert!(svg.contains("mm[Hg]") && svg.contains("2024-01-01") && svg.contains("2024-01-05"));
        assert!(
            svg.contains("Blood &lt;pressure&gt; &amp; &quot;more&quot;"),
            "{svg}"
        );
        assert!(!svg.contains("<b>") && !svg.contains("<pressure>"));
        assert!(
            svg.contains("stroke-dasharray=\"6 4\""),
            "the second series is dashed"
        );
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn nothing_to_draw_is_a_sentence_and_one_point_still_draws() {
        let empty = Chart {
            id: "w".into(),
            title: "Weight".into(),
            unit: "kg".into(),
            series: vec![],
            guides: vec![],
        };
        assert!(render(&empty).into_string().contains("No values to chart"));
        let one = Chart {
            series: vec![Series {
                id: "weight".into(),
                label: "Weight".into(),
                points: vec![(at(3), 70.0)],
            }],
            ..empty
        };
        let svg = render(&one).into_string();
        assert!(svg.contains("<circle") && !svg.contains("NaN"), "{svg}");
    }

    #[test]
    fn ticks_are_round_and_cover_the_values() {
        assert_eq!(
            nice_ticks(0.0, 10.0, 5),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
        let ticks = nice_ticks(61.3, 88.9, 5);
        assert!(
            ticks.first().unwrap() <= &61.3 && ticks.last().unwrap() >= &88.9,
            "{ticks:?}"
        );
        let flat = nice_ticks(5.0, 5.0, 5);
        assert!(flat.len() >= 2 && flat.contains(&5.0), "{flat:?}");
        assert!(nice_ticks(f64::NAN, 1.0, 5).is_empty());
    }
}
