//! A background app: a census of medications by RxNorm code across every
//! record of a container, one token per record, no user involved.
//!
//! The app must be installed with `"mode": "background"` (or `"helper"`).
//! Configuration from the environment: `SMART_API_BASE`,
//! `SMART_CONSUMER_KEY`, `SMART_CONSUMER_SECRET`. It prints one line per
//! RxNorm code, `code<TAB>records<TAB>drug name`, most common first, then a
//! line `records: N`.

use std::collections::{BTreeMap, BTreeSet};

use smart_client::{Collection, Credentials, Query, SmartClient};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let env = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let client = SmartClient::new(
        &env("SMART_API_BASE")?,
        Credentials::new(env("SMART_CONSUMER_KEY")?, env("SMART_CONSUMER_SECRET")?),
    )?;
    // RxNorm code -> (drug name, the records that have it).
    let mut census: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
    let mut records = 0;
    let mut tokens = client.loop_over_records();
    while let Some(token) = tokens.next_record().await {
        let token = token?;
        records += 1;
        let record = client.record(&token)?;
        let mut pages = record.pages(Collection::Medications, Query::new().limit(100));
        while let Some(page) = pages.next_page().await {
            for medication in page?.records::<smart_rdf::Medication>()? {
                let Some(code) = &medication.drug_name.code else {
                    continue;
                };
                let entry = census
                    .entry(code.identifier.clone())
                    .or_insert_with(|| (medication.drug_name.title.clone(), BTreeSet::new()));
                entry.1.insert(token.record_id.clone());
            }
        }
    }
    let mut rows: Vec<_> = census.into_iter().collect();
    rows.sort_by(|a, b| b.1.1.len().cmp(&a.1.1.len()).then(a.0.cmp(&b.0)));
    for (code, (name, holders)) in rows {
        println!("{code}\t{}\t{name}", holders.len());
    }
    println!("records: {records}");
    Ok(())
}
