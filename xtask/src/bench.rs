//! `cargo xtask bench`: every criterion bench in release and the Python
//! peers in the same run, then one table of figures and ratios.
//!
//! The machine is shared and noisy: absolute times drift between runs, the
//! ratios of one run hold. Each row pairs one of our figures with its peer
//! measured minutes apart in this very run.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::SystemTime;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::interop::ensure_venv;

/// The criterion benches, as (package, bench); a missing file is skipped with a note.
const BENCHES: [(&str, &str, &str); 4] = [
    ("oauth1-sign", "sign", "crates/oauth1-sign/benches/sign.rs"),
    (
        "oauth1-sign",
        "matrix",
        "crates/oauth1-sign/benches/matrix.rs",
    ),
    (
        "oauth1-dance",
        "provider",
        "crates/oauth1-dance/benches/provider.rs",
    ),
    ("smart-rdf", "rdf", "crates/smart-rdf/benches/rdf.rs"),
];

/// Runs the benches and the peers, and prints the table.
pub(crate) fn bench(root: &Path, args: &[String]) -> Result<()> {
    let quick = args.iter().any(|a| a == "--quick");
    let (warm_up, measure) = if quick { ("0.5", "1") } else { ("1", "3") };
    let python = ensure_venv(root)?;
    let criterion_home = root.join("target/criterion");
    let started = SystemTime::now();

    let mut rdflib = None;
    for (package, name, file) in BENCHES {
        if !root.join(file).exists() {
            eprintln!("==> xtask bench: {file} is not in this tree; skipped");
            continue;
        }
        eprintln!("==> xtask bench: cargo bench -p {package} --bench {name}");
        let output = crate::cargo()
            .current_dir(root)
            .args(["bench", "--locked", "-p", package, "--bench", name, "--"])
            .args(["--warm-up-time", warm_up, "--measurement-time", measure])
            .env("CRITERION_HOME", &criterion_home)
            .env("SMART_REST_PYTHON", &python)
            .stderr(Stdio::inherit())
            .output()
            .with_context(|| format!("could not run the {name} bench"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        print!("{stdout}");
        if !output.status.success() {
            bail!("the {name} bench failed ({})", output.status);
        }
        if let Some(line) = stdout.lines().find_map(|l| l.strip_prefix("rdflib peer: ")) {
            rdflib = serde_json::from_str::<Value>(line).ok();
        }
    }

    eprintln!("==> xtask bench: bench/python_peers.py (oauthlib)");
    let mut peers_cmd = Command::new(&python);
    peers_cmd.current_dir(root).arg("bench/python_peers.py");
    if quick {
        peers_cmd.arg("--quick");
    }
    let output = peers_cmd
        .stderr(Stdio::inherit())
        .output()
        .context("could not run bench/python_peers.py")?;
    if !output.status.success() {
        bail!("bench/python_peers.py failed ({})", output.status);
    }
    let peers: Value =
        serde_json::from_slice(&output.stdout).context("python_peers.py printed no JSON")?;

    let ours = read_estimates(&criterion_home, started);
    print_table(&ours, &peers, rdflib.as_ref());
    Ok(())
}

/// Medians (ns) of every criterion benchmark written since `started`,
/// keyed `group/function`.
fn read_estimates(home: &Path, started: SystemTime) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let mut stack = vec![home.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n == "new") {
                    if let Some((key, median)) = read_one(&path, started) {
                        out.insert(key, median);
                    }
                } else if path.file_name().is_some_and(|n| n != "report") {
                    stack.push(path);
                }
            }
        }
    }
    out
}

fn read_one(new: &Path, started: SystemTime) -> Option<(String, f64)> {
    let estimates = new.join("estimates.json");
    if fs::metadata(&estimates).ok()?.modified().ok()? < started {
        return None;
    }
    let meta: Value = serde_json::from_slice(&fs::read(new.join("benchmark.json")).ok()?).ok()?;
    let est: Value = serde_json::from_slice(&fs::read(estimates).ok()?).ok()?;
    let group = meta["group_id"].as_str()?;
    let function = meta["function_id"].as_str().unwrap_or_default();
    Some((
        format!("{group}/{function}"),
        est["median"]["point_estimate"].as_f64()?,
    ))
}

/// One row: our figure, the peer's, and how many times faster we are.
struct Row {
    what: String,
    ours: Option<f64>,
    peer: String,
    theirs: Option<f64>,
}

fn print_table(ours: &BTreeMap<String, f64>, peers: &Value, rdflib: Option<&Value>) {
    let peer = |key: &str| peers["results"][key].as_f64();
    let get = |key: &str| ours.get(key).copied();
    let mut rows = Vec::new();

    // The signer's own bench (issue 2's typical GET).
    let sign = "typical_get_hmac_sha1";
    for (what, id, peer_name, peer_id) in [
        (
            "sign, typical GET, HMAC-SHA1",
            "oauth1_sign_sign",
            "oauth1-request 0.6",
            "oauth1_request_0_6_sign",
        ),
        (
            "sign, typical GET, HMAC-SHA1",
            "oauth1_sign_sign",
            "raw HMAC floor",
            "raw_hmac_sha1_base64_floor",
        ),
        (
            "verify, typical GET, HMAC-SHA1",
            "oauth1_sign_verify",
            "raw HMAC floor",
            "raw_hmac_sha1_base64_floor",
        ),
    ] {
        rows.push(Row {
            what: what.into(),
            ours: get(&format!("{sign}/{id}")),
            peer: peer_name.into(),
            theirs: get(&format!("{sign}/{peer_id}")),
        });
    }

    // The matrix: three methods, two shapes, three peers.
    for shape in ["get", "post20"] {
        for method in ["hmac-sha1", "hmac-sha256", "plaintext"] {
            let group = format!("matrix-{shape}-{method}");
            let label = format!("{shape} {method}");
            let s = get(&format!("{group}/ours-sign"));
            let v = get(&format!("{group}/ours-verify"));
            let f = get(&format!("{group}/floor"));
            rows.push(Row {
                what: format!("sign, {label}"),
                ours: s,
                peer: "oauth1-request 0.6".into(),
                theirs: get(&format!("{group}/oauth1-request-sign")),
            });
            rows.push(Row {
                what: format!("sign, {label}"),
                ours: s,
                peer: "oauthlib 4.0.1 (Python)".into(),
                theirs: peer(&format!("{group}/oauthlib-sign")),
            });
            rows.push(Row {
                what: format!("sign, {label}"),
                ours: s,
                peer: "raw primitive floor".into(),
                theirs: f,
            });
            rows.push(Row {
                what: format!("verify, {label}"),
                ours: v,
                peer: "raw primitive floor".into(),
                theirs: f,
            });
        }
    }

    // The provider.
    for case in ["demographics", "medications"] {
        let ours_auth = get(&format!("provider-{case}/authenticate"));
        rows.push(Row {
            what: format!("provider authenticate, {case}"),
            ours: ours_auth,
            peer: "oauthlib ResourceEndpoint".into(),
            theirs: peer(&format!("provider-{case}/oauthlib-authenticate")),
        });
        rows.push(Row {
            what: format!("provider authenticate, {case}"),
            ours: ours_auth,
            peer: "bare parse+verify (ours)".into(),
            theirs: get(&format!("provider-{case}/verify-only")),
        });
    }

    // smart-rdf against raw oxigraph and rdflib.
    let rdf = |key: &str| rdflib.and_then(|j| j[key].as_f64());
    for (what, group, rdflib_key) in [
        (
            "rdf parse+seed query, 1 patient",
            "demographics: parse + seed query",
            "demographics_parse_query_ns",
        ),
        (
            "rdf parse, medication list",
            "medications: parse",
            "medications_parse_ns",
        ),
        (
            "rdf drug-name query, medication list",
            "medications: drug-name query",
            "medications_drug_query_ns",
        ),
        (
            "rdf seed query, medication list",
            "medications: seed query",
            "medications_seed_query_ns",
        ),
    ] {
        let s = get(&format!("{group}/smart-rdf"));
        rows.push(Row {
            what: what.into(),
            ours: s,
            peer: "raw oxigraph".into(),
            theirs: get(&format!("{group}/oxigraph")),
        });
        rows.push(Row {
            what: what.into(),
            ours: s,
            peer: "rdflib 7.6.0 (Python)".into(),
            theirs: rdf(rdflib_key),
        });
    }

    println!(
        "\n== cargo xtask bench: medians of this run; against a floor or baseline the ratio is ours / it =="
    );
    println!(
        "{:<40} {:>12}  {:<26} {:>12} {:>14}",
        "figure", "ours", "peer", "peer time", "ratio"
    );
    for row in rows {
        let floor = row.peer.contains("floor")
            || row.peer.starts_with("raw oxigraph")
            || row.peer.starts_with("bare");
        let ratio = match (row.ours, row.theirs) {
            (Some(o), Some(t)) if o > 0.0 && t > 0.0 && floor => format!("{:.2}x of it", o / t),
            (Some(o), Some(t)) if o > 0.0 && t >= o => format!("{:.2}x faster", t / o),
            (Some(o), Some(t)) if t > 0.0 => format!("{:.2}x slower", o / t),
            _ => "-".into(),
        };
        println!(
            "{:<40} {:>12}  {:<26} {:>12} {:>14}",
            row.what,
            time(row.ours),
            row.peer,
            time(row.theirs),
            ratio
        );
    }
}

/// A duration in ns, µs or ms.
fn time(ns: Option<f64>) -> String {
    match ns {
        None => "-".into(),
        Some(ns) if ns < 1e3 => format!("{ns:.0} ns"),
        Some(ns) if ns < 1e6 => format!("{:.2} µs", ns / 1e3),
        Some(ns) => format!("{:.2} ms", ns / 1e6),
    }
}
