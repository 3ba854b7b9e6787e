//! The example of [RFC 5849 §1.2](https://www.rfc-editor.org/rfc/rfc5849#section-1.2)
//! through both sides, with its published values.

use std::collections::VecDeque;

use super::*;
use crate::random::ALPHABET;

/// A random source that yields the bytes which make the provider generate
/// the RFC's credentials, in the order it generates them.
struct Scripted(VecDeque<u8>);

impl Scripted {
    fn new(values: &[&str]) -> Self {
        let bytes = values
            .iter()
            .flat_map(|v| v.bytes())
            .map(|c| u8::try_from(ALPHABET.iter().position(|a| *a == c).unwrap()).unwrap())
            .collect();
        Scripted(bytes)
    }
}

impl Random for Scripted {
    fn try_fill(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        for byte in dest {
            *byte = self.0.pop_front().ok_or(Error::RandomUnavailable)?;
        }
        Ok(())
    }
}

#[test]
fn rfc5849_section_1_2_through_both_sides() {
    let mut config = ProviderConfig::new("Photos");
    config.credential_length = 16;
    let store = MemoryStore::new();
    store
        .add_consumer(consumer_record(
            "dpf43f3p2l4k3l03",
            "kd94hf93k423kf44",
            Some("http://printer.example.com/ready"),
        ))
        .unwrap();
    let provider = Provider::new(config, store);
    let mut rng = Scripted::new(&[
        "hh5s93j4hdidpola",
        "hdhd0244k9j7ao03",
        "hfdp7dh39dks9884",
        "nnch734d00sl2jdk",
        "pfkkdhi9sl3r4s00",
    ]);
    let consumer = Consumer::new("dpf43f3p2l4k3l03", Secret::new("kd94hf93k423kf44"))
        .with_realm("Photos")
        .without_version();
    let endpoints = Endpoints::new(
        "https://photos.example.net/initiate",
        "https://photos.example.net/authorize",
        "https://photos.example.net/token",
    )
    .unwrap();
    // Temporary credentials.
    let (request, state) =
        TemporaryCredentialsRequest::with_callback(endpoints, "http://printer.example.com/ready")
            .sign(&consumer, Stamp::new(137_131_200, "wIjqoS"))
            .unwrap();
    assert_eq!(
        request.authorization,
        "OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", \
         oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"137131200\", \
         oauth_nonce=\"wIjqoS\", oauth_callback=\"http%3A%2F%2Fprinter.example.com%2Fready\", \
         oauth_signature=\"74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D\""
    );
    let issued = provider
        .issue_temporary_credentials(137_131_200, &ProviderRequest::from(&request), &mut rng)
        .unwrap();
    assert_eq!(
        issued.body(),
        "oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03&oauth_callback_confirmed=true"
    );
    let state = state
        .handle_response(200, issued.body().as_bytes())
        .unwrap();
    assert_eq!(
        state.authorization_url(),
        "https://photos.example.net/authorize?oauth_token=hh5s93j4hdidpola"
    );

    // Authorization.
    let grant = provider
        .authorize(
            137_131_200,
            "hh5s93j4hdidpola",
            "jane",
            Attributes::new(),
            &mut rng,
        )
        .unwrap();
    let AuthorizationGrant::Redirect { location } = grant else {
        panic!("expected a redirect");
    };
    assert_eq!(
        location,
        "http://printer.example.com/ready?oauth_token=hh5s93j4hdidpola&oauth_verifier=hfdp7dh39dks9884"
    );

    // Token credentials.
    let query = location.split_once('?').unwrap().1;
    let (request, state) = state
        .callback_query(query, Stamp::new(137_131_201, "walatlh"))
        .unwrap();
    assert_eq!(
        request.authorization,
        "OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", \
         oauth_token=\"hh5s93j4hdidpola\", oauth_signature_method=\"HMAC-SHA1\", \
         oauth_timestamp=\"137131201\", oauth_nonce=\"walatlh\", \
         oauth_verifier=\"hfdp7dh39dks9884\", oauth_signature=\"gKgrFCywp7rO0OXSjdot%2FIHF7IU%3D\""
    );
    let issued = provider
        .issue_token_credentials(137_131_201, &ProviderRequest::from(&request), &mut rng)
        .unwrap();
    assert_eq!(
        issued.body(),
        "oauth_token=nnch734d00sl2jdk&oauth_token_secret=pfkkdhi9sl3r4s00"
    );
    let authorized = state
        .handle_response(200, issued.body().as_bytes())
        .unwrap();

    // The protected resource.
    let url = "http://photos.example.net/photos?file=vacation.jpg&size=original";
    let request = authorized
        .request("GET", url, None, b"", Stamp::new(137_131_202, "chapoH"))
        .unwrap();
    assert_eq!(
        header_param(&request.authorization, "oauth_signature"),
        "MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"
    );
    let authenticated = provider
        .authenticate(137_131_202, &ProviderRequest::from(&request))
        .unwrap();
    assert_eq!(authenticated.consumer_key, "dpf43f3p2l4k3l03");
    assert_eq!(authenticated.token, "nnch734d00sl2jdk");
    assert_eq!(authenticated.user_id, "jane");
}
