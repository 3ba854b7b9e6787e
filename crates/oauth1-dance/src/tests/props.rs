//! Property tests: no input from a peer panics either side, and no one-field
//! tamper of a signed request authenticates.

use proptest::prelude::*;

use super::*;

/// 128 cases per property, unless `PROPTEST_CASES` names another number
/// (`cargo xtask mutants` asks for fewer, to keep each mutant's run short).
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok());
    ProptestConfig::with_cases(cases.unwrap_or(128))
}

/// The header parameters a tamper may touch, with a replacement each.
const FIELDS: &[&str] = &[
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_version",
    "oauth_signature",
];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn consumer_replies_never_panic(status in 0u16..1000, body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut h = Harness::new();
        let (_, state) = h.initiate();
        let _ = state.handle_response(status, &body);
        let (state, query) = h.until_callback();
        let stamp = h.stamp();
        let (_, state) = state.callback_query(&query, stamp).unwrap();
        if let Err(error) = state.handle_response(status, &body) {
            // The reply's excerpt is bounded: at most `Excerpt::MAX_LEN` characters of it.
            prop_assert!(error.to_string().chars().count() < Excerpt::MAX_LEN + 150);
        }
    }

    #[test]
    fn callbacks_never_panic(token in ".{0,20}", verifier in ".{0,200}") {
        let mut h = Harness::new();
        let (_, state) = h.initiate();
        let state = state.handle_response(200, b"oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true").unwrap();
        let stamp = h.stamp();
        if let Ok((_, _)) = state.handle_callback(&token, &verifier, stamp) {
            prop_assert_eq!(token, "t");
        }
    }

    #[test]
    fn garbage_requests_never_authenticate(
        header in ".{0,300}",
        path in "[ -~]{0,80}",
        body in proptest::collection::vec(any::<u8>(), 0..200),
        form in any::<bool>(),
    ) {
        let h = Harness::new();
        let url = format!("{ORIGIN}/{path}");
        let mut request = ProviderRequest::new("POST", url.as_str());
        request.authorization = Some(&header);
        request.content_type = form.then_some("application/x-www-form-urlencoded");
        request.body = &body;
        prop_assert!(h.provider.authenticate(h.now, &request).is_err());
        let mut rng = SeededRng(1);
        prop_assert!(h.provider.issue_temporary_credentials(h.now, &request, &mut rng).is_err());
        prop_assert!(h.provider.issue_token_credentials(h.now, &request, &mut rng).is_err());
    }

    #[test]
    fn every_one_field_tamper_is_rejected(field in 0..FIELDS.len() + 3, replacement in "[A-Za-z0-9]{1,12}") {
        let mut h = Harness::new();
        let authorized = h.dance();
        let request = h.get(&authorized, "/records/123/medications/?limit=5");
        let (method, url, header) = match FIELDS.get(field) {
            Some(name) => {
                let original = header_param(&request.authorization, name);
                prop_assume!(original != replacement);
                ("GET", request.url.clone(), replace_param(&request.authorization, name, &replacement))
            }
            None if field == FIELDS.len() => ("GET", request.url.replace("limit=5", &format!("limit={replacement}")), request.authorization.clone()),
            None if field == FIELDS.len() + 1 => ("POST", request.url.clone(), request.authorization.clone()),
            None => ("GET", request.url.replace("/records/123/", &format!("/records/{replacement}/")), request.authorization.clone()),
        };
        prop_assume!(url != request.url || header != request.authorization || method != "GET");
        let mut tampered = ProviderRequest::new(method, url.as_str());
        tampered.authorization = Some(&header);
        prop_assert!(h.provider.authenticate(h.now, &tampered).is_err());
    }
}
