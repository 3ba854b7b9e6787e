//! The unauthenticated endpoints, the pages and the dance endpoints.

use axum::http::StatusCode;

use super::harness::{APP_ID, Harness, PUBLIC, RECORD, extract_value};

#[tokio::test]
async fn manifest_uses_the_public_url() {
    let h = Harness::new();
    let r = h.get("/manifest", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("application/json"));
    let m: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(m["api_base"], PUBLIC);
    assert_eq!(m["smart_version"], "1.0");
    assert_eq!(
        m["launch_urls"]["app_launch"],
        format!("{PUBLIC}/apps/{{{{app_id}}}}/launch")
    );
    assert_eq!(
        m["launch_urls"]["request_token"],
        format!("{PUBLIC}/oauth/request_token")
    );
    assert_eq!(
        m["launch_urls"]["authorize_token"],
        format!("{PUBLIC}/oauth/authorize")
    );
    assert_eq!(
        m["launch_urls"]["exchange_token"],
        format!("{PUBLIC}/oauth/access_token")
    );
    assert_eq!(
        m["capabilities"]["http://smartplatforms.org/terms#Medication"]["methods"][0],
        "GET"
    );
    for key in ["name", "description", "admin"] {
        assert!(m[key].is_string(), "{key}");
    }
}

#[tokio::test]
async fn ontology_is_rdf_listing_every_collection() {
    let h = Harness::new();
    let r = h.get("/ontology", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "application/rdf+xml");
    let g = smart_rdf::Graph::parse(r.body.as_bytes(), "application/rdf+xml", None).unwrap();
    let rows = g
        .select("SELECT ?p WHERE { ?c a <http://smartplatforms.org/terms/api#Call> ; <http://smartplatforms.org/terms/api#path> ?p }")
        .unwrap();
    let paths: Vec<String> = rows.iter().map(|r| r.string("p").unwrap()).collect();
    for path in [
        "/records/{record_id}/medications/",
        "/records/{record_id}/demographics",
        "/records/{record_id}/social_history",
        "/users/{user_id}",
    ] {
        assert!(
            paths.iter().any(|p| p == path),
            "{path} missing from the ontology"
        );
    }
}

#[tokio::test]
async fn healthz_answers_ok() {
    let r = Harness::new().get("/healthz", None).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ok\n"));
}

#[tokio::test]
async fn app_manifests_list_and_single() {
    let h = Harness::new();
    let all = h.get("/apps/manifests/", None).await;
    assert_eq!(all.status, StatusCode::OK);
    let list: Vec<serde_json::Value> = serde_json::from_str(&all.body).unwrap();
    assert_eq!(list.len(), 2);
    let one = h.get(&format!("/apps/{APP_ID}/manifest"), None).await;
    assert_eq!(one.status, StatusCode::OK);
    let m: serde_json::Value = serde_json::from_str(&one.body).unwrap();
    assert_eq!(m["id"], APP_ID);
    assert_eq!(m["oauth_callback"], "http://localhost:8000/authorized");
    assert_eq!(
        h.get("/apps/nobody@apps.example/manifest", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn unknown_path_is_an_html_404_and_wrong_method_405() {
    let h = Harness::new();
    let r = h.get("/no/such/page", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.header("content-type").starts_with("text/html"));
    assert!(r.body.contains("404"));
    let r = h.post_form("/manifest", &[], None).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn home_page_lists_apps() {
    let h = Harness::new();
    let r = h.get("/", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&format!("/apps/{APP_ID}/launch")));
}

#[tokio::test]
async fn login_page_has_the_interface_fields() {
    let r = Harness::new()
        .get("/login?return_url=/apps/x/launch", None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    for field in [
        "name=\"username\"",
        "name=\"password\"",
        "name=\"return_url\"",
    ] {
        assert!(r.body.contains(field), "{field}");
    }
    assert_eq!(extract_value(&r.body, "return_url"), "/apps/x/launch");
    assert!(!r.body.contains("<script"), "no JavaScript");
}

#[tokio::test]
async fn login_sets_the_session_cookie_and_returns_locally() {
    let h = Harness::new();
    let r = h
        .post_login(&[
            ("username", "alice"),
            ("password", "alice-password"),
            ("return_url", "/apps/a/launch"),
        ])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("location"), "/apps/a/launch");
    let cookie = r.header("set-cookie");
    assert!(cookie.starts_with("smart_container_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain http public URL: no Secure flag"
    );
    // An absolute or protocol-relative return URL becomes `/` (no open redirect).
    for evil in [
        "http://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let r = h
            .post_login(&[
                ("username", "alice"),
                ("password", "alice-password"),
                ("return_url", evil),
            ])
            .await;
        assert_eq!(r.header("location"), "/", "{evil}");
    }
}

#[tokio::test]
async fn login_with_a_wrong_password_or_user_is_401() {
    let h = Harness::new();
    for (u, p) in [("alice", "nope"), ("mallory", "alice-password")] {
        let r = h.post_login(&[("username", u), ("password", p)]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{u}");
        assert!(r.body.contains("Wrong user name or password"));
        assert!(r.header("set-cookie").is_empty());
    }
}

#[tokio::test]
async fn logout_ends_the_session() {
    let h = Harness::new();
    let cookie = h.login("alice", "alice-password").await;
    assert!(h.get("/", Some(&cookie)).await.body.contains("alice"));
    assert_eq!(h.get("/logout", Some(&cookie)).await.status, StatusCode::OK);
    let r = h.post_form("/logout", &[], Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.header("set-cookie").contains("Max-Age=0"));
    let launch = h
        .get(&format!("/apps/{APP_ID}/launch"), Some(&cookie))
        .await;
    assert_eq!(
        launch.status,
        StatusCode::SEE_OTHER,
        "the old cookie no longer logs in"
    );
}

#[tokio::test]
async fn launch_logs_in_picks_a_record_and_redirects_to_the_index() {
    let h = Harness::new();
    let path = format!("/apps/{APP_ID}/launch");
    let r = h.get(&path, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.header("location")
            .starts_with("/login?return_url=%2Fapps%2F"),
        "{}",
        r.header("location")
    );
    let cookie = h.login("alice", "alice-password").await;
    let picker = h.get(&path, Some(&cookie)).await;
    assert_eq!(picker.status, StatusCode::OK);
    assert_eq!(
        picker.body.matches("launch?record_id=").count(),
        crate::DEFAULT_PATIENTS
    );
    let go = h
        .get(&format!("{path}?record_id={RECORD}"), Some(&cookie))
        .await;
    assert_eq!(go.status, StatusCode::SEE_OTHER);
    assert_eq!(
        go.header("location"),
        format!("http://localhost:8000/?record_id={RECORD}&api_base=http%3A%2F%2Fcontainer.test")
    );
    assert_eq!(
        h.get(&format!("{path}?record_id=999"), Some(&cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.get("/apps/nobody@x.example/launch", Some(&cookie))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn request_token_needs_smart_record_id_and_a_known_record() {
    let h = Harness::new();
    let consumer = h.consumer();
    let (req, _) = oauth1_dance::TemporaryCredentialsRequest::out_of_band(Harness::endpoints())
        .sign(&consumer, oauth1_dance::Stamp::now().unwrap())
        .unwrap();
    let r = h.send_outgoing(&req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("smart_record_id"), "{}", r.body);
    let (req, _) = oauth1_dance::TemporaryCredentialsRequest::out_of_band(Harness::endpoints())
        .param("smart_record_id", "999")
        .sign(&consumer, oauth1_dance::Stamp::now().unwrap())
        .unwrap();
    assert_eq!(h.send_outgoing(&req).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn request_token_reply_is_a_no_store_form() {
    let h = Harness::new();
    let (req, _) = oauth1_dance::TemporaryCredentialsRequest::out_of_band(Harness::endpoints())
        .param("smart_record_id", RECORD)
        .sign(&h.consumer(), oauth1_dance::Stamp::now().unwrap())
        .unwrap();
    let r = h.send_outgoing(&req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("content-type"),
        "application/x-www-form-urlencoded"
    );
    assert_eq!(r.header("cache-control"), "no-store");
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(r.body.as_bytes())
        .into_owned()
        .collect();
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "oauth_token",
            "oauth_token_secret",
            "oauth_callback_confirmed"
        ]
    );
}

#[tokio::test]
async fn access_token_reply_carries_record_id_and_user_id() {
    let h = Harness::new();
    let auth = h.dance(RECORD).await;
    assert_eq!(auth.attribute("record_id"), Some(RECORD));
    assert_eq!(auth.attribute("user_id"), Some("alice"));
}

#[tokio::test]
async fn authorize_page_names_app_and_record() {
    let h = Harness::new();
    let st = h.request_token(&h.consumer(), RECORD).await;
    let cookie = h.login("alice", "alice-password").await;
    let page = h
        .get(
            &format!("/oauth/authorize?oauth_token={}", st.token()),
            Some(&cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("SMART REST Minimal"));
    assert!(page.body.contains(RECORD));
    assert_eq!(extract_value(&page.body, "oauth_token"), st.token());
    assert!(page.body.contains("name=\"decision\" value=\"approve\""));
    assert!(page.body.contains("name=\"decision\" value=\"deny\""));
    assert_eq!(
        h.get("/oauth/authorize?oauth_token=unknown", Some(&cookie))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.get("/oauth/authorize", Some(&cookie)).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn deny_redirects_to_the_callback_with_user_refused() {
    let h = Harness::new();
    let st = h.request_token(&h.consumer(), RECORD).await;
    let cookie = h.login("alice", "alice-password").await;
    let csrf = h.csrf(st.token(), &cookie).await;
    let r = h
        .post_form(
            "/oauth/authorize",
            &[
                ("oauth_token", st.token()),
                ("csrf_token", &csrf),
                ("decision", "deny"),
            ],
            Some(&cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.header("location"),
        format!(
            "http://localhost:8000/authorized?oauth_token={}&oauth_problem=user_refused",
            st.token()
        )
    );
    // The request token is gone.
    assert_eq!(
        h.get(
            &format!("/oauth/authorize?oauth_token={}", st.token()),
            Some(&cookie)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_public_url_with_a_path_prefix_prefixes_pages_and_base_strings() {
    // Behind a proxy that maps `/smart/...` to this server's `/...`.
    let h = Harness::build(
        "http://localhost:8000/authorized",
        "http://container.test/smart/",
    );
    assert_eq!(h.state.api_base(), "http://container.test/smart");
    let r = h.get(&format!("/apps/{APP_ID}/launch"), None).await;
    assert!(
        r.header("location")
            .starts_with("/smart/login?return_url=%2Fapps%2F"),
        "{}",
        r.header("location")
    );
    assert!(
        h.get("/login", None)
            .await
            .body
            .contains("action=\"/smart/login\"")
    );
    let r = h
        .post_login(&[
            ("username", "alice"),
            ("password", "alice-password"),
            ("return_url", "/apps/x/launch"),
        ])
        .await;
    assert_eq!(r.header("location"), "/smart/apps/x/launch");
    let m: serde_json::Value = serde_json::from_str(&h.get("/manifest", None).await.body).unwrap();
    assert_eq!(
        m["launch_urls"]["request_token"],
        "http://container.test/smart/oauth/request_token"
    );
    // A request signed for the public URL is accepted on the stripped path.
    let consumer = h.consumer();
    let endpoints = oauth1_dance::Endpoints::new(
        "http://container.test/smart/oauth/request_token",
        Harness::endpoints().authorize_token(),
        Harness::endpoints().exchange_token(),
    )
    .unwrap();
    let (req, _) = oauth1_dance::TemporaryCredentialsRequest::out_of_band(endpoints)
        .param("smart_record_id", RECORD)
        .sign(&consumer, oauth1_dance::Stamp::now().unwrap())
        .unwrap();
    let mut http = req.to_http().unwrap().map(axum::body::Body::from);
    *http.uri_mut() = "/oauth/request_token".parse().unwrap();
    assert_eq!(h.send(http).await.status, StatusCode::OK);
}
