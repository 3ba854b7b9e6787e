//! The full dance in memory, then protected calls, with transcripts.

use super::*;

/// The consumer states of one SMART dance, in order.
const CONSUMER_TRANSCRIPT: &[&str] = &[
    "AwaitTemporaryCredentials",
    "AwaitAuthorization",
    "AwaitTokenCredentials",
    "Authorized",
];

/// The provider outcomes of one dance and two data calls, in order.
const PROVIDER_TRANSCRIPT: &[&str] = &[
    "TemporaryCredentialsIssued",
    "PendingAuthorization",
    "AuthorizationGranted",
    "TokenCredentialsIssued",
    "Authenticated",
    "Authenticated",
];

/// The requests on the wire and their statuses.
const WIRE_TRANSCRIPT: &[(&str, &str, u16)] = &[
    ("POST", "/oauth/request_token", 200),
    ("POST", "/oauth/access_token", 200),
    ("GET", "/records/123/demographics", 200),
    ("GET", "/records/123/medications/", 200),
];

#[test]
fn full_dance_then_protected_calls() {
    let mut h = Harness::new();
    let authorized = h.dance();
    assert_eq!(authorized.attribute("record_id"), Some("123"));
    assert_eq!(authorized.attribute("user_id"), Some("alice@example.org"));
    for path in ["/records/123/demographics", "/records/123/medications/"] {
        h.now += 7;
        let request = h.get(&authorized, path);
        let reply = h.send(&request);
        assert_eq!(reply.status, 200, "{path}: {:?}", reply.error);
        assert_eq!(reply.body, b"data for alice@example.org");
    }
    assert_eq!(h.consumer_transcript, CONSUMER_TRANSCRIPT);
    assert_eq!(h.provider_transcript, PROVIDER_TRANSCRIPT);
    let wire: Vec<(&str, &str, u16)> = h
        .wire
        .iter()
        .map(|(m, p, s)| (m.as_str(), p.as_str(), *s))
        .collect();
    assert_eq!(wire, WIRE_TRANSCRIPT);
}

#[test]
fn the_harness_is_deterministic() {
    let run = || {
        let mut h = Harness::new();
        let authorized = h.dance();
        (
            authorized.token().to_string(),
            authorized.secret().expose().to_string(),
        )
    };
    assert_eq!(run(), run());
    let (token, secret) = run();
    assert_eq!(token.len(), 24);
    assert_ne!(token, secret);
}

#[test]
fn saved_states_resume_between_steps() {
    let mut h = Harness::new();
    let (request, state) = h.initiate();
    let reply = h.send(&request);
    let state = state.handle_response(reply.status, &reply.body).unwrap();
    // The session store holds the saved state while the browser is away.
    let saved = serde_json::to_string(&state.save()).unwrap();
    assert!(saved.contains(state.token()));
    let location = h.approve(state.token());
    let saved: crate::Saved<AwaitAuthorization<OutOfBand>> = serde_json::from_str(&saved).unwrap();
    assert_eq!(saved.consumer_key(), APP_KEY);
    // Resuming with another consumer is refused; with the same key it goes on.
    assert!(matches!(
        saved.clone().resume(&Harness::other_consumer()),
        Err(Error::ConsumerMismatch)
    ));
    let state = saved.resume(&h.consumer).unwrap();
    let query = location.split_once('?').unwrap().1;
    let stamp = h.stamp();
    let (request, state) = state.callback_query(query, stamp).unwrap();
    let reply = h.send(&request);
    let authorized = state.handle_response(reply.status, &reply.body).unwrap();
    let saved = serde_json::to_string(&authorized.save()).unwrap();
    let saved: crate::Saved<Authorized> = serde_json::from_str(&saved).unwrap();
    let authorized = saved.resume(&h.consumer).unwrap();
    let request = h.get(&authorized, "/records/123/demographics");
    assert_eq!(h.send(&request).status, 200);
}

#[test]
fn a_state_saved_with_a_callback_url_does_not_resume_as_out_of_band() {
    let mut h = Harness::new();
    let (request, state) = TemporaryCredentialsRequest::with_callback(endpoints(), APP_CALLBACK)
        .param("smart_record_id", "123")
        .sign(&h.consumer, Stamp::new(START, "n1"))
        .unwrap();
    let reply = h.send(&request);
    let state = state.handle_response(reply.status, &reply.body).unwrap();
    let json = serde_json::to_string(&state.save()).unwrap();
    let saved: crate::Saved<AwaitAuthorization<OutOfBand>> = serde_json::from_str(&json).unwrap();
    assert!(matches!(
        saved.resume(&h.consumer),
        Err(Error::SavedStateMismatch)
    ));
    let saved: crate::Saved<AwaitAuthorization<crate::CallbackUrl>> =
        serde_json::from_str(&json).unwrap();
    assert!(saved.resume(&h.consumer).is_ok());
    // Neither form shows the secret in Debug.
    let secret = json
        .split("\"secret\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(!format!("{state:?}").contains(secret));
    assert!(!format!("{:?}", state.save()).contains(secret));
}

#[test]
fn authorize_redirects_to_the_registered_callback_with_token_and_verifier() {
    let mut h = Harness::new();
    let (request, state) = h.initiate();
    let reply = h.send(&request);
    let state = state.handle_response(reply.status, &reply.body).unwrap();
    assert!(state.callback_confirmed());
    assert_eq!(
        state.authorization_url(),
        format!("{ORIGIN}/oauth/authorize?oauth_token={}", state.token())
    );
    let location = h.approve(state.token());
    assert!(location.starts_with(&format!(
        "{APP_CALLBACK}?oauth_token={}&oauth_verifier=",
        state.token()
    )));
}

#[test]
fn out_of_band_verifier_completes_the_dance() {
    let mut h = Harness::new();
    h.provider
        .store()
        .add_consumer(consumer_record(APP_KEY, APP_SECRET, None))
        .unwrap();
    let (request, state) = h.initiate();
    let reply = h.send(&request);
    let state = state.handle_response(reply.status, &reply.body).unwrap();
    let grant = h
        .provider
        .authorize(h.now, state.token(), "bob", Attributes::new(), &mut h.rng)
        .unwrap();
    let AuthorizationGrant::OutOfBand { verifier } = grant else {
        panic!("expected out of band");
    };
    let stamp = h.stamp();
    let (request, state) = state.handle_verifier(verifier.expose(), stamp).unwrap();
    let reply = h.send(&request);
    let authorized = state.handle_response(reply.status, &reply.body).unwrap();
    assert!(authorized.attributes().is_empty());
}

#[test]
fn to_http_gives_a_request_the_provider_accepts() {
    let mut h = Harness::new();
    let authorized = h.dance();
    let stamp = h.stamp();
    let url = format!("{ORIGIN}/records/123/demographics?limit=5");
    let mut request = authorized
        .request("GET", &url, None, b"", stamp)
        .unwrap()
        .to_http()
        .unwrap();
    request
        .headers_mut()
        .insert("host", http::HeaderValue::from_static("attacker.example"));
    // The provider rebuilds the URL from its own origin, not from Host.
    let incoming = ProviderRequest::from_http(&request, ORIGIN).unwrap();
    assert_eq!(incoming.url, url);
    let authenticated = h.provider.authenticate(h.now, &incoming).unwrap();
    assert_eq!(authenticated.consumer_key, APP_KEY);
    assert_eq!(authenticated.attributes["record_id"], "123");
}

#[test]
fn form_bodies_of_protected_requests_are_signed() {
    let mut h = Harness::new();
    let authorized = h.dance();
    let url = format!("{ORIGIN}/records/123/apps/x/scratchpad");
    let form = "note=hello+world&n=1";
    let stamp = h.stamp();
    let request = authorized
        .request(
            "PUT",
            &url,
            Some("application/x-www-form-urlencoded"),
            form,
            stamp,
        )
        .unwrap();
    assert_eq!(request.method, http::Method::PUT);
    let tampered = OutgoingRequest {
        body: b"note=hello+world&n=2".to_vec(),
        ..request.clone()
    };
    assert_eq!(h.send(&tampered).status, 401);
    assert_eq!(h.send(&request).status, 200);
}

/// The form rule lives in `oauth1_sign`: a form with `; charset=utf-8`
/// (any case) is signed as a form by every signing path of ours, and the
/// provider verifies each.
#[test]
fn charset_forms_from_every_signing_path_verify() {
    const CHARSET_FORM: &str = "Application/X-WWW-Form-Urlencoded; charset=utf-8";
    let mut h = Harness::new();
    // 1. The dance consumer's temporary-credentials request, sent with the charset.
    let (mut request, state) = h.initiate();
    request.content_type = Some(CHARSET_FORM.to_string());
    let reply = h.send(&request);
    assert_eq!(reply.status, 200, "{:?}", reply.error);
    let state = state.handle_response(reply.status, &reply.body).unwrap();
    let location = h.approve(state.token());
    let stamp = h.stamp();
    let (request, state) = state
        .callback_query(location.split_once('?').unwrap().1, stamp)
        .unwrap();
    let reply = h.send(&request);
    let authorized = state.handle_response(reply.status, &reply.body).unwrap();
    // 2. `Authorized::request`.
    let url = format!("{ORIGIN}/records/123/apps/x/scratchpad");
    let stamp = h.stamp();
    let request = authorized
        .request("POST", &url, Some(CHARSET_FORM), "note=caf%C3%A9", stamp)
        .unwrap();
    assert!(!request.authorization.contains("oauth_body_hash"));
    let reply = h.send(&request);
    assert_eq!(reply.status, 200, "{:?}", reply.error);
    // 3. `oauth1_sign::sign_http_request`.
    let mut http_request = http::Request::post(&url)
        .header("content-type", CHARSET_FORM)
        .body(b"note=caf%C3%A9&n=2".to_vec())
        .unwrap();
    let stamp = h.stamp();
    let mut oauth = oauth1_sign::OAuthParams::new(
        APP_KEY,
        SignatureMethod::HmacSha1,
        stamp.timestamp,
        stamp.nonce,
    );
    oauth.token = Some(authorized.token().to_string());
    oauth1_sign::sign_http_request(
        &mut http_request,
        &oauth,
        &Secret::new(APP_SECRET),
        Some(authorized.secret()),
    )
    .unwrap();
    let incoming = ProviderRequest::from_http(&http_request, ORIGIN).unwrap();
    let authenticated = h.provider.authenticate(h.now, &incoming);
    assert!(authenticated.is_ok(), "{authenticated:?}");
    // (4. The `oauth1` command: `crates/oauth1-cli/tests/cli.rs` runs the
    // binary and hands its header to this provider.)
}

#[test]
fn original_smart_style_callback_in_the_body_is_accepted() {
    // The original SMART client sent `oauth_callback=oob` in the form body, not the header.
    let mut h = Harness::new();
    let url = format!("{ORIGIN}/oauth/request_token");
    let body = b"oauth_callback=oob&smart_record_id=123";
    let oauth = oauth1_sign::OAuthParams::new(APP_KEY, SignatureMethod::HmacSha1, h.now, "orig");
    let parts = oauth1_sign::RequestParts {
        method: "POST",
        url: &url,
        body: oauth1_sign::Body::Form(body),
    };
    let header = oauth1_sign::sign(&parts, &oauth, &Secret::new(APP_SECRET), None)
        .unwrap()
        .authorization;
    let mut request = ProviderRequest::new("POST", url.as_str());
    request.authorization = Some(&header);
    request.content_type = Some("application/x-www-form-urlencoded");
    request.body = body;
    let issued = h
        .provider
        .issue_temporary_credentials(h.now, &request, &mut h.rng)
        .unwrap();
    assert_eq!(issued.attributes["smart_record_id"], "123");
    // The same callback in the header as well is two places: 400.
    let doubled = header.replacen("OAuth ", "OAuth oauth_callback=\"oob\", ", 1);
    request.authorization = Some(&doubled);
    let error = h
        .provider
        .issue_temporary_credentials(h.now, &request, &mut h.rng)
        .unwrap_err();
    assert_eq!(error.http_status(), 400, "{error:?}");
}
