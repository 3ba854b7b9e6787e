//! The kinds beyond the seed's: every collection reads back as its typed
//! `smart-rdf` record, documents in their three formats, the photograph,
//! lab panels and posted clinical notes.

use axum::http::StatusCode;
use smart_rdf::{
    ClinicalNote, Document, FamilyHistory, Fulfillment, Graph, LabPanel, LabResult, Photograph,
    Procedure, SocialHistory,
};

use super::harness::{Harness, OTHER_RECORD, PUBLIC, RECORD, Reply};
use crate::web::AppState;

fn graph(r: &Reply) -> Graph {
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.header("content-type"), "application/rdf+xml");
    Graph::parse(r.body.as_bytes(), "application/rdf+xml", None).unwrap()
}

const NOTE: &str = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    xmlns:sp="http://smartplatforms.org/terms#" xmlns:dcterms="http://purl.org/dc/terms/">
  <sp:ClinicalNote>
    <dcterms:date>2013-02-03</dcterms:date>
    <dcterms:title>Posted in-process</dcterms:title>
    <sp:value>Feeling better &amp; sleeping well.</sp:value>
  </sp:ClinicalNote>
</rdf:RDF>"#;

#[tokio::test]
async fn every_kind_reads_as_its_typed_record() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    let get = |path: String| {
        let (h, auth) = (&h, &auth);
        async move { graph(&h.signed_get(auth, &path).await) }
    };
    let base = format!("/records/{RECORD}");
    assert!(
        !get(format!("{base}/fulfillments/"))
            .await
            .records::<Fulfillment>()
            .unwrap()
            .is_empty()
    );
    assert!(
        !get(format!("{base}/clinical_notes/"))
            .await
            .records::<ClinicalNote>()
            .unwrap()
            .is_empty()
    );
    get(format!("{base}/procedures/"))
        .await
        .records::<Procedure>()
        .unwrap();
    assert_eq!(
        get(format!("{base}/social_history"))
            .await
            .records::<SocialHistory>()
            .unwrap()
            .len(),
        1
    );
    assert!(
        !get(format!("{base}/family_history/"))
            .await
            .records::<FamilyHistory>()
            .unwrap()
            .is_empty()
    );

    let labs = get(format!("{base}/lab_results/"))
        .await
        .records::<LabResult>()
        .unwrap();
    let panels = get(format!("{base}/lab_panels/"))
        .await
        .records::<LabPanel>()
        .unwrap();
    assert!(!panels.is_empty());
    for p in &panels {
        for r in &p.results {
            let id = r.rsplit('/').next().unwrap();
            assert!(
                labs.iter().any(|l| l.id == id),
                "{r} is a lab result of the record"
            );
        }
    }

    let photo = get(format!("{base}/photograph"))
        .await
        .records::<Photograph>()
        .unwrap();
    let [Photograph(photo)] = &photo[..] else {
        panic!("one photograph")
    };
    assert_eq!(photo.media_type, "image/png");
    let image = photo.location.as_deref().unwrap();
    assert_eq!(image, format!("{PUBLIC}{base}/photograph/image"));
    let raw = h
        .signed_get(&auth, image.strip_prefix(PUBLIC).unwrap())
        .await;
    assert_eq!(raw.status, StatusCode::OK);
    assert_eq!(raw.header("content-type"), "image/png");
    assert!(raw.header("content-disposition").starts_with("attachment"));

    let docs = get(format!("{base}/documents/"))
        .await
        .records::<Document>()
        .unwrap();
    assert_eq!(docs.len(), 2);
    for d in &docs {
        assert_eq!(d.content, None, "a list carries no content");
        let one = format!("{base}/documents/{}", d.id);
        assert_eq!(
            &get(one.clone()).await.records::<Document>().unwrap(),
            std::slice::from_ref(d)
        );
        let combined = get(format!("{one}?format=combined"))
            .await
            .records::<Document>()
            .unwrap();
        let bytes = combined[0].content.clone().unwrap();
        assert_eq!(Some(bytes.len() as u64), d.size);
        let raw = h.signed_get(&auth, &format!("{one}?format=raw")).await;
        assert_eq!(raw.status, StatusCode::OK);
        assert_eq!(raw.header("content-type"), d.media_type);
        assert_eq!(raw.header("x-content-type-options"), "nosniff");
        assert_eq!(
            raw.header("content-security-policy"),
            "default-src 'none'; sandbox"
        );
        assert_eq!(
            raw.header("content-disposition"),
            format!("attachment; filename=\"{}\"", d.file_name)
        );
        if d.media_type == "text/plain" {
            assert_eq!(raw.body.as_bytes(), &bytes[..]);
        }
        let bad = h.signed_get(&auth, &format!("{one}?format=pdf")).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(bad.body.contains("`format`"), "{}", bad.body);
    }
    let missing = h.signed_get(&auth, &format!("{base}/documents/nope")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_posted_note_is_stored_and_served_and_a_bad_one_is_not() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    let list = format!("/records/{RECORD}/clinical_notes/");
    let before = graph(&h.signed_get(&auth, &list).await)
        .records::<ClinicalNote>()
        .unwrap();

    let posted = h
        .signed(
            &auth,
            "POST",
            &list,
            Some("application/rdf+xml"),
            NOTE.as_bytes(),
        )
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    let location = posted.header("location").to_owned();
    let id = location.rsplit('/').next().unwrap().to_owned();
    assert_eq!(location, format!("{PUBLIC}{list}{id}"));
    let note = graph(&h.signed_get(&auth, &format!("{list}{id}")).await)
        .records::<ClinicalNote>()
        .unwrap();
    assert_eq!(note[0].title, "Posted in-process");
    assert_eq!(
        note[0].text.as_deref(),
        Some("Feeling better & sleeping well.")
    );
    let after = graph(&h.signed_get(&auth, &list).await)
        .records::<ClinicalNote>()
        .unwrap();
    assert_eq!(after.len(), before.len() + 1);

    for (ct, body, status) in [
        (
            "application/rdf+xml",
            &b"<rdf:RDF"[..],
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/rdf+xml",
            NOTE.replace("<dcterms:title>Posted in-process</dcterms:title>", "")
                .as_bytes(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "text/plain",
            NOTE.as_bytes(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "application/rdf+xml",
            &vec![b' '; 70 * 1024][..],
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ] {
        let r = h.signed(&auth, "POST", &list, Some(ct), body).await;
        assert_eq!(r.status, status, "{}", r.body);
    }
    let other = h
        .signed(
            &auth,
            "POST",
            &format!("/records/{OTHER_RECORD}/clinical_notes/"),
            Some("application/rdf+xml"),
            NOTE.as_bytes(),
        )
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let wrong = h
        .signed(
            &auth,
            "POST",
            &format!("/records/{RECORD}/medications/"),
            Some("application/rdf+xml"),
            NOTE.as_bytes(),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    let last = graph(&h.signed_get(&auth, &list).await)
        .records::<ClinicalNote>()
        .unwrap();
    assert_eq!(last.len(), after.len(), "nothing more was stored");
}

#[tokio::test]
async fn a_note_posted_through_one_replica_is_listed_by_another_with_a_warm_cache() {
    let mut h = Harness::new();
    let auth = h.dance(RECORD).await;
    let list = format!("/records/{RECORD}/clinical_notes/");
    // Replica A renders the list and keeps it.
    let before = h.signed_get(&auth, &list).await;
    assert_eq!(before.status, StatusCode::OK);
    assert_eq!(h.signed_get(&auth, &list).await.body, before.body);
    // Replica B: the same database, a cache of its own.
    let replica_b = AppState::new(h.state.container().clone(), PUBLIC, false).unwrap();
    let replica_a = std::mem::replace(&mut h.state, replica_b);
    let posted = h
        .signed(
            &auth,
            "POST",
            &list,
            Some("application/rdf+xml"),
            NOTE.as_bytes(),
        )
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    h.state = replica_a;
    let after = graph(&h.signed_get(&auth, &list).await)
        .records::<ClinicalNote>()
        .unwrap();
    let count = graph(&before).records::<ClinicalNote>().unwrap().len();
    assert_eq!(after.len(), count + 1, "replica A served its stale page");
    assert!(after.iter().any(|n| n.title == "Posted in-process"));
}
