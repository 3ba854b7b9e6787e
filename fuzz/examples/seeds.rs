//! Writes the seed corpora of the text targets from the conformance vectors
//! (`crates/oauth1-sign/tests/data/`) and from requests and replies recorded
//! from a complete in-memory dance (`oauth1-dance` consumer against its
//! provider, SMART parameters) and records written by `smart-rdf`.
//!
//! Run from `fuzz/`: `cargo run --example seeds`. Files are named after
//! their source, so a rerun rewrites the same files.

use std::fs;
use std::path::Path;

use oauth1_dance::memory::MemoryStore;
use oauth1_dance::store::{Attributes, ConsumerRecord};
use oauth1_dance::{
    AuthorizationGrant, Consumer, Endpoints, Provider, ProviderConfig, ProviderRequest, Stamp,
    TemporaryCredentialsRequest,
};
use oauth1_sign::{Body, OAuthParams, RequestParts, Secret, SignatureMethod, sign};
use serde_json::Value;

type Seeds = Vec<(&'static str, String, Vec<u8>)>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut seeds: Seeds = Vec::new();
    for file in [
        "rfc5849",
        "oauth_core_1_0_appendix_a",
        "oauth_net_wiki_testcases",
        "oauthlib",
    ] {
        let path = format!("../crates/oauth1-sign/tests/data/{file}.json");
        let json: Value = serde_json::from_str(&fs::read_to_string(path)?)?;
        for vector in json["vectors"].as_array().into_iter().flatten() {
            from_vector(vector, &mut seeds);
        }
    }
    recorded_dance(&mut seeds)?;
    records(&mut seeds)?;
    for (target, name, bytes) in &seeds {
        let dir = Path::new("corpus").join(target);
        fs::create_dir_all(&dir)?;
        let file: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        fs::write(dir.join(format!("seed-{file}")), bytes)?;
    }
    println!("{} seeds written", seeds.len());
    Ok(())
}

fn from_vector(v: &Value, seeds: &mut Seeds) {
    let name = v["name"].as_str().unwrap_or("vector").to_owned();
    let text = |key: &str| v[key].as_str().map(str::to_owned);
    for key in [
        "input",
        "expected",
        "raw_query",
        "raw_body",
        "raw_form",
        "url",
    ] {
        if let Some(s) = text(key) {
            seeds.push((
                "percent_decode",
                format!("{name}-{key}"),
                s.clone().into_bytes(),
            ));
            seeds.push(("form_body", format!("{name}-{key}"), s.into_bytes()));
        }
    }
    if v["kind"] == "signature"
        && let Some(header) = header_of(v)
    {
        seeds.push(("auth_header", name.clone(), header.clone().into_bytes()));
        seeds.push((
            "percent_decode",
            format!("{name}-header"),
            header.into_bytes(),
        ));
    }
}

/// Rebuilds the `Authorization` header of a signature vector.
fn header_of(v: &Value) -> Option<String> {
    let pairs = |key: &str| -> Vec<(String, String)> {
        v[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p[0].as_str()?.to_owned(), p[1].as_str()?.to_owned())))
            .collect()
    };
    let oauth = pairs("oauth_params");
    let get = |n: &str| oauth.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let method: SignatureMethod = v["signature_method"].as_str()?.parse().ok()?;
    let mut params = OAuthParams::new(
        get("oauth_consumer_key")?,
        method,
        get("oauth_timestamp")?.parse().ok()?,
        get("oauth_nonce")?,
    );
    params.token = get("oauth_token");
    params.version = get("oauth_version");
    params.callback = get("oauth_callback");
    params.verifier = get("oauth_verifier");
    params.realm = v["realm"].as_str().map(str::to_owned);
    let url = v["url"].as_str()?;
    let body = v["raw_body"].as_str().unwrap_or_default();
    let parts = RequestParts {
        method: v["method"].as_str()?,
        url,
        body: if body.is_empty() {
            Body::Empty
        } else {
            Body::Form(body.as_bytes())
        },
    };
    let secret = Secret::new(v["consumer_secret"].as_str().unwrap_or("cs"));
    let token = v["token_secret"].as_str().map(Secret::new);
    sign(&parts, &params, &secret, token.as_ref())
        .ok()
        .map(|s| s.authorization)
}

/// Runs a whole SMART dance in memory and records what crosses the wire.
fn recorded_dance(seeds: &mut Seeds) -> Result<(), Box<dyn std::error::Error>> {
    const ORIGIN: &str = "http://localhost:7000";
    const KEY: &str = "rest-minimal@apps.smartplatforms.org";
    let store = MemoryStore::new();
    store.add_consumer(ConsumerRecord {
        key: KEY.into(),
        secret: Secret::new("smartapp-secret"),
        signature_methods: vec![SignatureMethod::HmacSha1],
        callback: Some("http://localhost:8000/authorized".into()),
    })?;
    let mut config = ProviderConfig::new("SMART");
    config.required_request_parameters = vec!["smart_record_id".into()];
    let provider = Provider::new(config, store);
    let mut counter = 0u8;
    let mut rng = |dest: &mut [u8]| {
        for b in dest {
            counter = counter.wrapping_add(37);
            *b = counter % 200;
        }
    };
    let now = 1_300_000_000;
    let consumer = Consumer::new(KEY, Secret::new("smartapp-secret"));
    let endpoints = Endpoints::new(
        format!("{ORIGIN}/oauth/request_token"),
        format!("{ORIGIN}/oauth/authorize"),
        format!("{ORIGIN}/oauth/access_token"),
    )?;
    let (out, state) = TemporaryCredentialsRequest::out_of_band(endpoints)
        .param("smart_record_id", "1540505")
        .sign(&consumer, Stamp::new(now, "recordednonce1"))?;
    let mut request = ProviderRequest::new("POST", out.url.as_str());
    request.authorization = Some(&out.authorization);
    request.content_type = out.content_type.as_deref();
    request.body = &out.body;
    let issued = provider.issue_temporary_credentials(now, &request, &mut rng)?;
    seeds.push((
        "auth_header",
        "recorded-request-token".into(),
        out.authorization.clone().into_bytes(),
    ));
    seeds.push((
        "form_body",
        "recorded-request-token-body".into(),
        out.body.clone(),
    ));
    seeds.push((
        "form_body",
        "recorded-request-token-reply".into(),
        issued.body().as_bytes().to_vec(),
    ));
    let state = state.handle_response(200, issued.body().as_bytes())?;
    let mut attributes = Attributes::new();
    attributes.insert("record_id".into(), "1540505".into());
    attributes.insert("user_id".into(), "joshua@example.org".into());
    let grant = provider.authorize(
        now,
        state.token(),
        "joshua@example.org",
        attributes,
        &mut rng,
    )?;
    let AuthorizationGrant::Redirect { location } = grant else {
        return Err("expected a redirect".into());
    };
    let query = location.split_once('?').map_or("", |(_, q)| q).to_owned();
    seeds.push((
        "form_body",
        "recorded-callback-query".into(),
        query.clone().into_bytes(),
    ));
    let (out, state) = state.handle_callback(
        &callback_param(&query, "oauth_token"),
        &callback_param(&query, "oauth_verifier"),
        Stamp::new(now, "recordednonce2"),
    )?;
    let mut request = ProviderRequest::new("POST", out.url.as_str());
    request.authorization = Some(&out.authorization);
    let issued = provider.issue_token_credentials(now, &request, &mut rng)?;
    seeds.push((
        "auth_header",
        "recorded-access-token".into(),
        out.authorization.clone().into_bytes(),
    ));
    seeds.push((
        "form_body",
        "recorded-access-token-reply".into(),
        issued.body().as_bytes().to_vec(),
    ));
    let authorized = state.handle_response(200, issued.body().as_bytes())?;
    let url = format!("{ORIGIN}/records/1540505/medications/?date_from=2010-01-01&limit=10");
    let header = authorized
        .request("GET", &url, None, b"", Stamp::new(now, "recordednonce3"))?
        .authorization;
    seeds.push((
        "auth_header",
        "recorded-data-call".into(),
        header.into_bytes(),
    ));
    seeds.push((
        "percent_decode",
        "recorded-data-call-url".into(),
        url.into_bytes(),
    ));
    Ok(())
}

/// Documents written by `smart-rdf`'s writer, in each syntax the target reads.
fn records(seeds: &mut Seeds) -> Result<(), Box<dyn std::error::Error>> {
    use smart_rdf::{Code, CodedValue, Medication, RecordWriter, ResponseSummary};
    let med = Medication {
        id: "7".into(),
        drug_name: CodedValue::new("AMITRIPTYLINE HCL 50 MG TAB", Code::rxnorm("856845", None)),
        start_date: chrono_date(2007, 3, 14)?,
        end_date: None,
        instructions: Some("Take one tablet at bedtime".into()),
        quantity: None,
        frequency: None,
    };
    let mut writer = RecordWriter::new("http://localhost:7000", "1540505")?;
    writer.add(&med)?;
    writer.add_summary(&ResponseSummary {
        total_result_count: 1,
        results_returned: 1,
        ..Default::default()
    })?;
    for (selector, text) in [(0u8, writer.to_rdf_xml()?), (1, writer.to_turtle()?)] {
        let mut bytes = vec![selector];
        bytes.extend_from_slice(text.as_bytes());
        seeds.push(("rdf_parse", format!("writer-medication-{selector}"), bytes));
    }
    let demographics = br#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:v="http://www.w3.org/2006/vcard/ns#" xmlns:sp="http://smartplatforms.org/terms#">
  <sp:Demographics rdf:about="http://localhost:7000/records/1540505/demographics">
    <v:n><v:Name><v:given-name>Given</v:given-name><v:family-name>Family</v:family-name></v:Name></v:n>
  </sp:Demographics>
</rdf:RDF>"#;
    let mut bytes = vec![0u8];
    bytes.extend_from_slice(demographics);
    seeds.push(("rdf_parse", "demographics-doc".into(), bytes));
    seeds.push(("rdf_parse", "ntriples".into(), b"\x02<http://a/s> <http://a/p> \"o\"@en .\n_:b <http://a/p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n".to_vec()));
    seeds.push((
        "rdf_parse",
        "jsonld".into(),
        b"\x03{\"@id\": \"http://a/s\", \"http://a/p\": [{\"@value\": \"o\"}]}".to_vec(),
    ));
    Ok(())
}

fn chrono_date(y: i32, m: u32, d: u32) -> Result<chrono::NaiveDate, &'static str> {
    chrono::NaiveDate::from_ymd_opt(y, m, d).ok_or("bad date")
}

/// One parameter of a callback query, decoded as a web framework would (empty when absent).
fn callback_param(query: &str, name: &str) -> String {
    oauth1_sign::form_decode(query.trim_start_matches('?'))
        .unwrap_or_default()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .unwrap_or_default()
}
