//! The calls for documents, the photograph, lab panels and posted clinical
//! notes: their paths and methods, and their replies read as typed records.

use chrono::NaiveDate;
use smart_rdf::{ClinicalNote, Document, Graph, LabPanel, Photograph};

use super::{authorization, authorized, client, container, reply};
use crate::*;

const RECORD: &str = "http://c.test/api/records/123";

/// What the fake container answers for each of the new calls: each reply
/// written by `smart-rdf` as the real container writes it.
fn answer(request: &HttpRequest) -> HttpResponse {
    let mut w = smart_rdf::RecordWriter::new(API_BASE, "123").unwrap();
    let document = Document {
        id: "d1".into(),
        date: NaiveDate::from_ymd_opt(2012, 3, 4),
        title: Some("Visit summary".into()),
        file_name: "visit-summary.txt".into(),
        media_type: "text/plain".into(),
        size: Some(5),
        location: Some(format!("{RECORD}/documents/d1?format=raw")),
        sha256: None,
        content: request
            .url
            .query()
            .is_some_and(|q| q.contains("combined"))
            .then(|| b"hello".to_vec()),
    };
    match request.url.path() {
        "/api/records/123/photograph" => {
            w.add(&Photograph(Document {
                id: "photograph".into(),
                media_type: "image/png".into(),
                file_name: "123.png".into(),
                location: Some(format!("{RECORD}/photograph/image")),
                content: None,
                ..document
            }))
            .unwrap();
        }
        "/api/records/123/documents/d1" if request.url.query() == Some("format=raw") => {
            return reply(200, "text/plain", "hello");
        }
        "/api/records/123/documents/" | "/api/records/123/documents/d1" => {
            w.add(&document).unwrap();
        }
        "/api/records/123/lab_panels/" => {
            w.add(&LabPanel {
                id: "p1".into(),
                date: NaiveDate::from_ymd_opt(2012, 3, 4),
                name: None,
                results: vec![format!("{RECORD}/lab_results/l1")],
            })
            .unwrap();
        }
        "/api/records/123/clinical_notes/" if request.method == http::Method::POST => {
            let posted: ClinicalNote = Graph::parse(&request.body, "application/rdf+xml", None)
                .unwrap()
                .new_record()
                .unwrap();
            w.add(&ClinicalNote {
                id: "n9".into(),
                ..posted
            })
            .unwrap();
            return reply(201, "application/rdf+xml", &w.to_rdf_xml().unwrap());
        }
        _ => return reply(404, "text/plain", "no"),
    }
    reply(200, "application/rdf+xml", &w.to_rdf_xml().unwrap())
}

const API_BASE: &str = "http://c.test/api";

#[tokio::test]
async fn documents_photograph_and_panels_read_as_typed_records() {
    let fake = container("1.0", true, answer);
    let client = client(&fake);
    let token = authorized(&client).await;
    let r = client.record(&token).unwrap();

    let photo = r
        .photograph()
        .await
        .unwrap()
        .records::<Photograph>()
        .unwrap();
    assert_eq!(photo[0].0.media_type, "image/png");
    assert_eq!(
        photo[0].0.location.as_deref(),
        Some("http://c.test/api/records/123/photograph/image")
    );

    let docs = r.documents(&Query::new().limit(2)).await.unwrap();
    assert_eq!(docs.records::<Document>().unwrap()[0].content, None);
    let metadata = r.document("d1", DocumentFormat::default()).await.unwrap();
    assert_eq!(
        metadata.records::<Document>().unwrap()[0].file_name,
        "visit-summary.txt"
    );
    let combined = r.document("d1", DocumentFormat::Combined).await.unwrap();
    assert_eq!(
        combined.records::<Document>().unwrap()[0]
            .content
            .as_deref(),
        Some(&b"hello"[..])
    );
    let raw = r.document("d1", DocumentFormat::Raw).await.unwrap();
    assert_eq!(
        (raw.body.as_slice(), raw.graph().is_none()),
        (&b"hello"[..], true)
    );

    let panels = r.lab_panels(&Query::new()).await.unwrap();
    assert_eq!(panels.records::<LabPanel>().unwrap()[0].results.len(), 1);

    let urls: Vec<String> = fake.seen().iter().map(|s| s.url.to_string()).collect();
    for expected in [
        format!("{RECORD}/photograph"),
        format!("{RECORD}/documents/?limit=2"),
        format!("{RECORD}/documents/d1?format=metadata"),
        format!("{RECORD}/documents/d1?format=combined"),
        format!("{RECORD}/documents/d1?format=raw"),
        format!("{RECORD}/lab_panels/"),
    ] {
        assert!(urls.contains(&expected), "{expected} in {urls:?}");
    }
    let err = r.lab_panels(&Query::new().rxnorm(["1"])).await.unwrap_err();
    assert!(err.to_string().contains("rxnorm"), "{err}");
}

#[tokio::test]
async fn a_note_is_posted_as_signed_rdf_xml() {
    let fake = container("1.0", true, answer);
    let client = client(&fake);
    let token = authorized(&client).await;
    let r = client.record(&token).unwrap();
    let note = ClinicalNote {
        id: String::new(),
        date: NaiveDate::from_ymd_opt(2013, 2, 3).unwrap(),
        title: "Follow-up".into(),
        text: Some("Doing well & sleeping.".into()),
        formats: Vec::new(),
    };
    let reply = r.post_clinical_note(&note).await.unwrap();
    assert_eq!(reply.status, http::StatusCode::CREATED);
    let stored = reply.records::<ClinicalNote>().unwrap();
    assert_eq!(
        stored,
        [ClinicalNote {
            id: "n9".into(),
            ..note.clone()
        }]
    );

    let request = fake.seen().pop().unwrap();
    assert_eq!(request.method, http::Method::POST);
    assert_eq!(request.url.as_str(), format!("{RECORD}/clinical_notes/"));
    assert_eq!(
        request.headers.get(http::header::CONTENT_TYPE).unwrap(),
        "application/rdf+xml"
    );
    let auth = authorization(&request);
    assert!(auth.contains("oauth_token=\"acctok\""), "{auth}");
    let sent: ClinicalNote = Graph::parse(&request.body, "application/rdf+xml", None)
        .unwrap()
        .new_record()
        .unwrap();
    assert_eq!(sent.title, note.title);
}
