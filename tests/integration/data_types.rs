//! Every data type of the original against the real container binary: the
//! photograph and its image, documents in their three formats (raw content
//! an attachment that never renders on the container's origin), lab panels
//! over the record's lab results, the kinds smart-rdf now types, and a
//! posted clinical note (stored, served, kept across a restart; a malformed
//! one, one for another record and one too large refused with nothing stored).

use chrono::NaiveDate;
use reqwest::StatusCode;
use sha2::{Digest as _, Sha256};
use smart_client::{DocumentFormat, Error, Query, RecordClient, SmartResponse};
use smart_rdf::{
    ClinicalNote, Document, FamilyHistory, Fulfillment, LabPanel, LabResult, Photograph, Procedure,
    SocialHistory,
};
use smart_rest_tests::{ContainerProcess, app_manifest, authorize, record_ids};
use url::Url;

async fn start() -> ContainerProcess {
    let manifest = app_manifest(&Url::parse("http://127.0.0.1:9/").unwrap()).unwrap();
    ContainerProcess::start(&manifest).await.unwrap()
}

fn status_of<T: std::fmt::Debug>(result: Result<T, Error>) -> StatusCode {
    match result {
        Err(e) => e.status().unwrap_or_else(|| panic!("no status: {e:?}")),
        Ok(v) => panic!("expected an error status: {v:?}"),
    }
}

fn header<'r>(reply: &'r SmartResponse, name: &str) -> &'r str {
    reply
        .headers
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

/// The width, height and colour type of a PNG.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    let reader = png::Decoder::new(bytes).read_info().unwrap();
    (reader.info().width, reader.info().height)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A raw reply is an attachment of its own type that a browser neither
/// sniffs nor runs.
fn assert_attachment(reply: &SmartResponse, media_type: &str, file_name: &str) {
    assert_eq!(header(reply, "content-type"), media_type);
    assert_eq!(header(reply, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(reply, "content-security-policy"),
        "default-src 'none'; sandbox"
    );
    assert_eq!(
        header(reply, "content-disposition"),
        format!("attachment; filename=\"{file_name}\"")
    );
}

async fn notes(record: &RecordClient<'_>) -> Vec<ClinicalNote> {
    record
        .clinical_notes(&Query::new().limit(1000))
        .await
        .unwrap()
        .records::<ClinicalNote>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photograph_documents_and_lab_panels_are_served_typed() {
    let container = start().await;
    let client = container.client().unwrap();
    let record_id = record_ids(&container).await.unwrap().remove(0);
    let token = authorize(&client, &record_id).await.unwrap();
    let record = client.record(&token).unwrap();
    let record_uri = format!("{}/records/{record_id}", container.api_base);

    // The photograph points at its image, a PNG the container serves.
    let photo = record.photograph().await.unwrap();
    let [Photograph(photo)] = &photo.records::<Photograph>().unwrap()[..] else {
        panic!("one photograph")
    };
    let location = photo.location.clone().unwrap();
    assert_eq!(location, format!("{record_uri}/photograph/image"));
    let image = record.get(Url::parse(&location).unwrap()).await.unwrap();
    assert_attachment(&image, "image/png", &photo.file_name);
    assert_eq!(png_size(&image.body), (40, 40));
    assert_eq!(photo.size, Some(image.body.len() as u64));
    assert_eq!(
        photo.sha256.as_deref(),
        Some(hex(&Sha256::digest(&image.body)).as_str())
    );

    // Documents: metadata in the list, then each in its three formats.
    let docs = record
        .documents(&Query::new())
        .await
        .unwrap()
        .records::<Document>()
        .unwrap();
    let mut types: Vec<&str> = docs.iter().map(|d| d.media_type.as_str()).collect();
    types.sort_unstable();
    assert_eq!(types, ["image/png", "text/plain"]);
    for d in &docs {
        assert_eq!(d.content, None);
        let metadata = record
            .document(&d.id, DocumentFormat::Metadata)
            .await
            .unwrap();
        assert_eq!(
            &metadata.records::<Document>().unwrap(),
            std::slice::from_ref(d)
        );
        let raw = record.document(&d.id, DocumentFormat::Raw).await.unwrap();
        assert_attachment(&raw, &d.media_type, &d.file_name);
        assert_eq!(
            d.sha256.as_deref(),
            Some(hex(&Sha256::digest(&raw.body)).as_str())
        );
        let combined = record
            .document(&d.id, DocumentFormat::Combined)
            .await
            .unwrap();
        let embedded = combined.records::<Document>().unwrap().remove(0);
        assert_eq!(embedded.content.as_deref(), Some(raw.body.as_slice()));
        assert_eq!(
            d.location.as_deref(),
            Some(format!("{record_uri}/documents/{}?format=raw", d.id).as_str())
        );
        if d.media_type == "image/png" {
            assert!(png_size(&raw.body).0 > 0);
        } else {
            assert!(
                String::from_utf8(raw.body.clone())
                    .unwrap()
                    .contains("VISIT SUMMARY")
            );
        }
    }
    assert_eq!(
        status_of(
            record
                .document("no-such-document", DocumentFormat::Raw)
                .await
        ),
        StatusCode::NOT_FOUND
    );
    let bad_format = record
        .get(Url::parse(&format!("{record_uri}/documents/{}?format=pdf", docs[0].id)).unwrap())
        .await;
    assert_eq!(status_of(bad_format), StatusCode::BAD_REQUEST);

    // Lab panels group the record's own lab results.
    let labs = record
        .lab_results(&Query::new().limit(1000))
        .await
        .unwrap()
        .records::<LabResult>()
        .unwrap();
    let panels = record
        .lab_panels(&Query::new())
        .await
        .unwrap()
        .records::<LabPanel>()
        .unwrap();
    assert!(!panels.is_empty());
    for p in &panels {
        assert!(p.name.is_some());
        for r in &p.results {
            let id = r
                .strip_prefix(&format!("{record_uri}/lab_results/"))
                .unwrap();
            assert!(labs.iter().any(|l| l.id == id), "{r}");
        }
    }
    let one = record.lab_panel(&panels[0].id).await.unwrap();
    assert_eq!(
        &one.records::<LabPanel>().unwrap(),
        std::slice::from_ref(&panels[0])
    );

    // The kinds the container wrote by hand before are typed records now.
    let all = Query::new().limit(1000);
    assert!(
        !record
            .fulfillments(&all)
            .await
            .unwrap()
            .records::<Fulfillment>()
            .unwrap()
            .is_empty()
    );
    record
        .procedures(&all)
        .await
        .unwrap()
        .records::<Procedure>()
        .unwrap();
    let social = record
        .social_history()
        .await
        .unwrap()
        .records::<SocialHistory>()
        .unwrap();
    assert!(social[0].smoking_status.is_some());
    assert!(
        !record
            .family_history(&all)
            .await
            .unwrap()
            .records::<FamilyHistory>()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_posted_note_is_served_and_survives_a_restart_and_bad_ones_store_nothing() {
    let mut container = start().await;
    let client = container.client().unwrap();
    let ids = record_ids(&container).await.unwrap();
    let token = authorize(&client, &ids[0]).await.unwrap();
    let record = client.record(&token).unwrap();
    let before = notes(&record).await;

    let note = ClinicalNote {
        id: String::new(),
        date: NaiveDate::from_ymd_opt(2014, 6, 7).unwrap(),
        title: "Posted by the integration test".into(),
        text: Some("Seen in clinic; <no> changes & no worries.".into()),
        formats: Vec::new(),
    };
    let posted = record.post_clinical_note(&note).await.unwrap();
    assert_eq!(posted.status, StatusCode::CREATED);
    let stored = posted.records::<ClinicalNote>().unwrap().remove(0);
    assert_eq!(
        ClinicalNote {
            id: String::new(),
            ..stored.clone()
        },
        note
    );
    assert_eq!(
        header(&posted, "location"),
        format!(
            "{}/records/{}/clinical_notes/{}",
            container.api_base, ids[0], stored.id
        )
    );
    let one = record.clinical_note(&stored.id).await.unwrap();
    assert_eq!(
        one.records::<ClinicalNote>().unwrap(),
        std::slice::from_ref(&stored)
    );
    let after = notes(&record).await;
    assert_eq!(after.len(), before.len() + 1);
    assert!(after.contains(&stored));
    // The date filters see it.
    let on_the_day = record
        .clinical_notes(&Query::new().date_from(note.date).date_to(note.date))
        .await
        .unwrap()
        .records::<ClinicalNote>()
        .unwrap();
    assert!(on_the_day.contains(&stored));

    // A malformed body, a note without content, one too large: refused,
    // and nothing stored.
    let (client, record) = (&client, &record);
    let signed_post = |body: Vec<u8>| async move {
        let url = Url::parse(&format!(
            "{}/records/{}/clinical_notes/",
            client.api_base(),
            record.record_id()
        ))
        .unwrap();
        record.post(url, "application/rdf+xml", body).await
    };
    let malformed = signed_post(
        b"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><oops".to_vec(),
    )
    .await;
    assert_eq!(status_of(malformed), StatusCode::BAD_REQUEST);
    let no_content = ClinicalNote {
        text: None,
        ..note.clone()
    };
    assert_eq!(
        status_of(record.post_clinical_note(&no_content).await),
        StatusCode::BAD_REQUEST
    );
    let too_large = signed_post(vec![b' '; 65 * 1024]).await;
    assert_eq!(status_of(too_large), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        notes(record).await.len(),
        after.len(),
        "nothing more was stored"
    );

    // A token posts to its own record only.
    let mut elsewhere = token.clone();
    elsewhere.record_id = ids[1].clone();
    let other = client.record(&elsewhere).unwrap();
    assert_eq!(
        status_of(other.post_clinical_note(&note).await),
        StatusCode::FORBIDDEN
    );

    // The note is stored: it is still there after a restart.
    container.restart().await.unwrap();
    assert!(notes(record).await.contains(&stored));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_new_calls_take_their_filters_and_refuse_others() {
    let container = start().await;
    let client = container.client().unwrap();
    let record_id = record_ids(&container).await.unwrap().remove(0);
    let token = authorize(&client, &record_id).await.unwrap();
    let record = client.record(&token).unwrap();
    let base = format!("{}/records/{record_id}", container.api_base);
    for path in [
        "photograph?limit=1",
        "photograph/image?x=1",
        "lab_panels/?snomed=1",
        "documents/?format=raw",
        "lab_panels/?date_from=2012-13-01",
    ] {
        let reply = record
            .get(Url::parse(&format!("{base}/{path}")).unwrap())
            .await;
        assert_eq!(status_of(reply), StatusCode::BAD_REQUEST, "{path}");
    }
    let docs = record
        .documents(&Query::new())
        .await
        .unwrap()
        .records::<Document>()
        .unwrap();
    let newest = docs.iter().filter_map(|d| d.date).max().unwrap();
    let kept = record
        .documents(&Query::new().date_from(newest))
        .await
        .unwrap()
        .records::<Document>()
        .unwrap();
    assert!(!kept.is_empty() && kept.iter().all(|d| d.date == Some(newest)));
    let page = record.lab_panels(&Query::new().limit(1)).await.unwrap();
    assert_eq!(page.records::<LabPanel>().unwrap().len(), 1);
    let manifest = client.container_manifest().await.unwrap();
    let capabilities = &manifest.json::<serde_json::Value>().unwrap()["capabilities"];
    assert_eq!(
        capabilities["http://smartplatforms.org/terms#ClinicalNote"]["methods"],
        serde_json::json!(["GET", "POST"])
    );
    for t in ["Photograph", "Document", "LabPanel"] {
        assert_eq!(
            capabilities[format!("http://smartplatforms.org/terms#{t}")]["methods"],
            serde_json::json!(["GET"]),
            "{t}"
        );
    }
}
