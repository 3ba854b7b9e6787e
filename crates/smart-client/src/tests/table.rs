//! The client and the table of calls agree: every row has a client method
//! of its name (an exhaustive `match` on `CallId`, so a row without one
//! does not compile), and that method sends the row's HTTP method to the
//! row's path, with only the parameters the row lists.

use smart_api::{CALLS, CallId, call};

use super::*;

/// Calls `$recv.$name($args)`, answering the method's name and whether it succeeded.
macro_rules! invoke {
    ($recv:ident . $name:ident ( $($arg:expr),* )) => {
        (stringify!($name), $recv.$name($($arg),*).await.map(|_| ()))
    };
}

const EMPTY_RDF: &str = r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>"#;

/// The fake container's answer to a background app's token request.
fn tokens() -> HttpResponse {
    reply(
        200,
        "application/x-www-form-urlencoded",
        "oauth_token=bgtok&oauth_token_secret=bgsecret&smart_record_id=123",
    )
}

#[tokio::test]
async fn every_row_has_a_client_method_of_its_name_that_sends_its_request() {
    let fake = container("1.0", true, |request| {
        if request.url.path().contains("/tokens/records/") {
            tokens()
        } else {
            reply(200, "application/rdf+xml", EMPTY_RDF)
        }
    });
    let client = client(&fake);
    let token = authorized(&client).await;
    let r = client.record(&token).unwrap();
    let c = &client;
    // Filters on the calls that take them, so that the query is checked too.
    let day = chrono::NaiveDate::from_ymd_opt(2012, 1, 1).unwrap();
    let meds = Query::new().limit(5).date_from(day).rxnorm(["1"]);
    let q = Query::new().limit(5);
    let search = RecordSearch::new().family_name("Sm");
    let note = smart_rdf::ClinicalNote {
        id: String::new(),
        date: day,
        title: "Follow-up".into(),
        text: Some("Doing well.".into()),
        formats: Vec::new(),
    };
    for id in CallId::ALL {
        let before = fake.seen().len();
        let (name, result) = match id {
            CallId::ContainerManifest => invoke!(c.container_manifest()),
            CallId::Ontology => invoke!(c.ontology()),
            CallId::AppManifests => invoke!(c.app_manifests()),
            CallId::AppManifest => invoke!(c.app_manifest("app@apps.test")),
            CallId::FirstRecordToken => invoke!(c.first_record_token()),
            CallId::NextRecordToken => invoke!(c.next_record_token("123")),
            CallId::RecordToken => invoke!(c.background_token("123")),
            CallId::SearchRecords => invoke!(r.search_records(&search)),
            CallId::Demographics => invoke!(r.demographics()),
            CallId::Allergies => invoke!(r.allergies(&q)),
            CallId::Allergy => invoke!(r.allergy("1")),
            CallId::ClinicalNotes => invoke!(r.clinical_notes(&q)),
            CallId::ClinicalNote => invoke!(r.clinical_note("1")),
            CallId::Encounters => invoke!(r.encounters(&q)),
            CallId::Encounter => invoke!(r.encounter("1")),
            CallId::FamilyHistory => invoke!(r.family_history(&q)),
            CallId::FamilyHistoryItem => invoke!(r.family_history_item("1")),
            CallId::Fulfillments => invoke!(r.fulfillments(&q)),
            CallId::Fulfillment => invoke!(r.fulfillment("1")),
            CallId::Immunizations => invoke!(r.immunizations(&q)),
            CallId::Immunization => invoke!(r.immunization("1")),
            CallId::LabResults => invoke!(r.lab_results(&q)),
            CallId::LabResult => invoke!(r.lab_result("1")),
            CallId::Medications => invoke!(r.medications(&meds)),
            CallId::Medication => invoke!(r.medication("1")),
            CallId::Problems => invoke!(r.problems(&q)),
            CallId::Problem => invoke!(r.problem("1")),
            CallId::Procedures => invoke!(r.procedures(&q)),
            CallId::Procedure => invoke!(r.procedure("1")),
            CallId::SocialHistory => invoke!(r.social_history()),
            CallId::VitalSignSets => invoke!(r.vital_sign_sets(&q)),
            CallId::VitalSignSet => invoke!(r.vital_sign_set("1")),
            CallId::Scratchpad => invoke!(r.scratchpad()),
            CallId::PutScratchpad => invoke!(r.put_scratchpad(b"<rdf:RDF/>")),
            CallId::DeleteScratchpad => invoke!(r.delete_scratchpad()),
            CallId::SearchUsers => invoke!(r.search_users(Some("A"), None)),
            CallId::User => invoke!(r.user("demo")),
            CallId::Preferences => invoke!(r.preferences()),
            CallId::PutPreferences => invoke!(r.put_preferences("application/json", b"{}")),
            CallId::DeletePreferences => invoke!(r.delete_preferences()),
            CallId::Photograph => invoke!(r.photograph()),
            CallId::PhotographImage => invoke!(r.photograph_image()),
            CallId::Documents => invoke!(r.documents(&q)),
            CallId::Document => invoke!(r.document("1", crate::DocumentFormat::Raw)),
            CallId::LabPanels => invoke!(r.lab_panels(&q)),
            CallId::LabPanel => invoke!(r.lab_panel("1")),
            CallId::PostClinicalNote => invoke!(r.post_clinical_note(&note)),
        };
        let row = call(*id);
        assert_eq!(name, row.client_method, "{id:?}");
        assert!(result.is_ok(), "{name}: {result:?}");
        let seen = fake.seen();
        let request = seen[before..]
            .iter()
            .rfind(|r| r.url.path() != "/api/manifest" || *id == CallId::ContainerManifest)
            .unwrap_or_else(|| panic!("{name} sent nothing"));
        assert_eq!(request.method.as_str(), row.method.as_str(), "{name}");
        let values: Vec<&str> = (row.parameters().iter())
            .map(|p| match *p {
                "record_id" => "123",
                "app_id" => "app@apps.test",
                "user_id" => "demo",
                _ => "1",
            })
            .collect();
        let expected = format!("/api{}", row.fill(&values).unwrap());
        assert_eq!(request.url.path(), expected, "{name}");
        for (param, _) in request.url.query_pairs() {
            assert!(
                row.filters.iter().any(|f| f.name == param),
                "{name} sent {param}, which its row does not list"
            );
        }
    }
    assert_eq!(CallId::ALL.len(), CALLS.len());
}

#[test]
fn collections_take_paths_and_filters_from_the_table() {
    for collection in Collection::ALL {
        let list = call(collection.list_call());
        let item = call(collection.item_call());
        assert_eq!(
            list.path,
            format!("/records/{{record_id}}/{}/", collection.path())
        );
        assert_eq!(
            item.path,
            format!("/records/{{record_id}}/{}/{{id}}", collection.path())
        );
        let names: Vec<&str> = list.filters.iter().map(|f| f.name).collect();
        assert_eq!(
            names.contains(&"date_from"),
            collection.dated(),
            "{collection:?}"
        );
        let code = collection.code_system().map(CodeSystem::parameter);
        for system in CodeSystem::ALL {
            assert_eq!(
                names.contains(&system.parameter()),
                code == Some(system.parameter()),
                "{collection:?} {system:?}"
            );
        }
    }
}
