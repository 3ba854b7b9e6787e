//! Parse + query benchmarks: our adapter side by side with raw oxigraph doing the same work,
//! and (when `SMART_REST_PYTHON` names a python with rdflib 7) the rdflib peer script.
//!
//! Run with `cargo bench -p smart-rdf --bench rdf`. After criterion's groups, a summary
//! measures medians of interleaved runs and prints the adapter/oxigraph and rdflib/adapter ratios.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a bench aborts on broken input"
)]
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::sparql::{PreparedSparqlQuery, QueryResults, QuerySolution, SparqlEvaluator};
use oxigraph::store::Store;
use smart_rdf::{
    Code, CodedValue, Graph, Medication, Query, RecordWriter, Row, SEED_QUERY, ValueAndUnit,
};

const DRUG_NAMES: &str = "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX sp: <http://smartplatforms.org/terms#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?drugname WHERE { ?med rdf:type sp:Medication . ?med sp:drugName ?c . ?c dcterms:title ?drugname . }";

const DEMOGRAPHICS: &[u8] = include_bytes!("../tests/data/demographics.xml");

/// Medications in the generated list: about 17.7 triples each (drug codes are shared), so
/// close to 50,000 triples.
const MEDICATIONS: usize = 2_825;

/// A medication list as a container would serve it, built with our writer.
fn medication_list() -> String {
    let mut writer = RecordWriter::new("http://localhost:7000", "2169591").unwrap();
    for i in 0..MEDICATIONS {
        let drug = 100_000 + (i * 7919) % 400;
        let start =
            NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new((i * 3) as u64);
        writer
            .add(&Medication {
                id: format!("m{i:05}"),
                drug_name: CodedValue::new(
                    &format!("DRUG {drug} 50 MG ORAL TABLET"),
                    Code::rxnorm(
                        &drug.to_string(),
                        Some(&format!("Drug {drug} 50 MG Oral Tablet")),
                    ),
                ),
                start_date: start,
                end_date: Some(start + chrono::Days::new(90)),
                instructions: Some(format!("Take {} tablet(s) by mouth daily", 1 + i % 3)),
                quantity: Some(ValueAndUnit::new((1 + i % 3).to_string(), "{tablet}")),
                frequency: Some(ValueAndUnit::new("1", "/d")),
            })
            .unwrap();
    }
    writer.to_rdf_xml().unwrap()
}

// --- The two sides of each comparison. ---

fn adapter_parse(doc: &[u8]) -> Graph {
    Graph::parse(doc, "application/rdf+xml", None).unwrap()
}

fn adapter_query(query: &Query, graph: &Graph) -> Vec<Row> {
    query.select(graph).unwrap().into_iter().collect()
}

fn raw_prepare(sparql: &str) -> PreparedSparqlQuery {
    SparqlEvaluator::new().parse_query(sparql).unwrap()
}

fn raw_parse(doc: &[u8]) -> Store {
    let store = Store::new().unwrap();
    store
        .load_from_slice(
            RdfParser::from_format(RdfFormat::RdfXml).without_named_graphs(),
            doc,
        )
        .unwrap();
    store
}

fn raw_query(query: &PreparedSparqlQuery, store: &Store) -> Vec<QuerySolution> {
    match query.clone().on_store(store).execute().unwrap() {
        QueryResults::Solutions(s) => s.map(Result::unwrap).collect(),
        _ => unreachable!("a SELECT query"),
    }
}

fn benches(c: &mut Criterion) {
    let meds = medication_list();
    let seed = Query::new(SEED_QUERY).unwrap();
    let drugs = Query::new(DRUG_NAMES).unwrap();
    let raw_seed = raw_prepare(SEED_QUERY);
    let raw_drugs = raw_prepare(DRUG_NAMES);

    let mut g = c.benchmark_group("demographics: parse + seed query");
    g.bench_function("smart-rdf", |b| {
        b.iter(|| adapter_query(&seed, &adapter_parse(black_box(DEMOGRAPHICS))))
    });
    g.bench_function("oxigraph", |b| {
        b.iter(|| raw_query(&raw_seed, &raw_parse(black_box(DEMOGRAPHICS))))
    });
    g.finish();

    let mut g = c.benchmark_group("medications: parse");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("smart-rdf", |b| {
        b.iter(|| adapter_parse(black_box(meds.as_bytes())))
    });
    g.bench_function("oxigraph", |b| {
        b.iter(|| raw_parse(black_box(meds.as_bytes())))
    });
    g.finish();

    let graph = adapter_parse(meds.as_bytes());
    let store = raw_parse(meds.as_bytes());
    let mut g = c.benchmark_group("medications: drug-name query");
    g.sample_size(30);
    g.bench_function("smart-rdf", |b| {
        b.iter(|| adapter_query(&drugs, black_box(&graph)))
    });
    g.bench_function("oxigraph", |b| {
        b.iter(|| raw_query(&raw_drugs, black_box(&store)))
    });
    g.finish();

    let mut g = c.benchmark_group("medications: seed query");
    g.bench_function("smart-rdf", |b| {
        b.iter(|| adapter_query(&seed, black_box(&graph)))
    });
    g.bench_function("oxigraph", |b| {
        b.iter(|| raw_query(&raw_seed, black_box(&store)))
    });
    g.finish();
}

criterion_group!(group, benches);

/// Median of `runs` interleaved runs of two closures, in nanoseconds.
fn interleaved(runs: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> (f64, f64) {
    let (mut ta, mut tb) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    for _ in 0..runs {
        let t = Instant::now();
        a();
        ta.push(t.elapsed().as_nanos() as f64);
        let t = Instant::now();
        b();
        tb.push(t.elapsed().as_nanos() as f64);
    }
    (median(ta), median(tb))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn fmt_ns(ns: f64) -> String {
    match ns {
        n if n >= 1e6 => format!("{:.2} ms", n / 1e6),
        n => format!("{:.1} µs", n / 1e3),
    }
}

/// Interleaved medians for each comparison, the rdflib peer, and the ratios.
fn summary() {
    let meds = medication_list();
    let seed = Query::new(SEED_QUERY).unwrap();
    let drugs = Query::new(DRUG_NAMES).unwrap();
    let raw_seed = raw_prepare(SEED_QUERY);
    let raw_drugs = raw_prepare(DRUG_NAMES);
    let graph = adapter_parse(meds.as_bytes());
    let store = raw_parse(meds.as_bytes());
    let drug_rows = adapter_query(&drugs, &graph).len();

    let demo = interleaved(
        3_000,
        || {
            drop(black_box(adapter_query(
                &seed,
                &adapter_parse(DEMOGRAPHICS),
            )))
        },
        || drop(black_box(raw_query(&raw_seed, &raw_parse(DEMOGRAPHICS)))),
    );
    let parse = interleaved(
        11,
        || drop(black_box(adapter_parse(meds.as_bytes()))),
        || drop(black_box(raw_parse(meds.as_bytes()))),
    );
    let drug_q = interleaved(
        60,
        || drop(black_box(adapter_query(&drugs, &graph))),
        || drop(black_box(raw_query(&raw_drugs, &store))),
    );
    let seed_q = interleaved(
        200,
        || drop(black_box(adapter_query(&seed, &graph))),
        || drop(black_box(raw_query(&raw_seed, &store))),
    );

    println!("\n== smart-rdf summary (medians of interleaved runs) ==");
    println!(
        "medication list: {} bytes, {} triples, {} medications, {drug_rows} drug-name rows",
        meds.len(),
        graph.len(),
        MEDICATIONS
    );
    let rdflib = run_rdflib_peer(&meds);
    println!(
        "{:<40} {:>11} {:>11} {:>9} {:>11} {:>9}",
        "work", "smart-rdf", "oxigraph", "overhead", "rdflib", "speed-up"
    );
    let peer = |key: &str| rdflib.as_ref().and_then(|j| json_number(j, key));
    let sum = |a: (f64, f64), b: (f64, f64)| (a.0 + b.0, a.1 + b.1);
    let both = |a: &str, b: &str| Some(peer(a)? + peer(b)?);
    for (name, (ours, raw), peer) in [
        (
            "demographics: parse + seed query",
            demo,
            peer("demographics_parse_query_ns"),
        ),
        ("medications: parse", parse, peer("medications_parse_ns")),
        (
            "medications: drug-name query",
            drug_q,
            peer("medications_drug_query_ns"),
        ),
        (
            "medications: seed query",
            seed_q,
            peer("medications_seed_query_ns"),
        ),
        (
            "medications: parse + drug-name query",
            sum(parse, drug_q),
            both("medications_parse_ns", "medications_drug_query_ns"),
        ),
        (
            "medications: parse + seed query",
            sum(parse, seed_q),
            both("medications_parse_ns", "medications_seed_query_ns"),
        ),
    ] {
        println!(
            "{name:<40} {:>11} {:>11} {:>+8.1}% {:>11} {:>9}",
            fmt_ns(ours),
            fmt_ns(raw),
            (ours / raw - 1.0) * 100.0,
            peer.map(fmt_ns).unwrap_or_else(|| "-".into()),
            peer.map(|p| format!("{:.1}x", p / ours))
                .unwrap_or_else(|| "-".into()),
        );
    }
}

/// Runs `benches/rdflib_peer.py` with `$SMART_REST_PYTHON` and returns its JSON output.
fn run_rdflib_peer(meds: &str) -> Option<String> {
    let Some(python) = std::env::var_os("SMART_REST_PYTHON") else {
        println!(
            "note: SMART_REST_PYTHON is not set; skipping the rdflib peer (set it to a python with rdflib 7)"
        );
        return None;
    };
    let dir = std::env::temp_dir().join(format!("smart-rdf-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files = [
        ("demographics.xml", DEMOGRAPHICS),
        ("medications.xml", meds.as_bytes()),
        ("seed.rq", SEED_QUERY.as_bytes()),
        ("drugs.rq", DRUG_NAMES.as_bytes()),
    ];
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/rdflib_peer.py");
    let output = Command::new(&python)
        .arg(script)
        .args(files.map(|(name, _)| dir.join(name)))
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    match output {
        Ok(out) if out.status.success() => {
            let json = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            println!("rdflib peer: {json}");
            Some(json)
        }
        Ok(out) => {
            println!(
                "note: the rdflib peer failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            None
        }
        Err(e) => {
            println!("note: cannot run {}: {e}", python.to_string_lossy());
            None
        }
    }
}

/// Reads a number field from the peer's flat JSON object.
fn json_number(json: &str, key: &str) -> Option<f64> {
    let rest = &json[json.find(&format!("\"{key}\""))? + key.len() + 2..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    rest[..end].trim().parse().ok()
}

fn main() {
    group();
    Criterion::default().configure_from_args().final_summary();
    // Only `cargo bench` passes `--bench`; `cargo test --benches` runs each benchmark once in
    // test mode, and then the slow summary is skipped, as with `--test`, `--list` and profiling.
    let args: Vec<String> = std::env::args().collect();
    let flag = |f: &str| {
        args.iter()
            .any(|a| a == f || a.starts_with(&format!("{f}=")))
    };
    if flag("--bench") && !flag("--test") && !flag("--list") && !flag("--profile-time") {
        summary();
    }
}
