//! The oracle for request verification
//! ([RFC 5849 §3.2](https://www.rfc-editor.org/rfc/rfc5849#section-3.2)):
//! a validly signed request, then mutations of any of its parts; the mutated
//! request verifies only if every signed part is unchanged.

use arbitrary::Arbitrary;
use oauth1_sign::{
    AuthorizationHeader, Body, Error, IncomingRequest, OAuthParams, RequestParts, Secret,
    SignatureMethod, base_string_uri, form_decode, sign,
};

const CONSUMER_SECRET: &str = "kd94hf93k423kf44";
const TOKEN_SECRET: &str = "pfkkdhi9sl3r4s00";
const FORM: &str = "application/x-www-form-urlencoded";

/// A request to sign, and the mutations to apply to it before verifying.
#[derive(Arbitrary, Debug)]
pub struct VerifyInput {
    /// Index into a few methods (the last one is `custom`).
    pub method: u8,
    /// A custom method.
    pub custom_method: String,
    /// `https` or `http`.
    pub https: bool,
    /// An explicit port.
    pub port: Option<u16>,
    /// Path segments, percent-encoded into the URL.
    pub path: Vec<String>,
    /// Query pairs, form-encoded into the URL.
    pub query: Vec<(String, String)>,
    /// The body.
    pub body: BodyInput,
    /// Index into the signature methods.
    pub signature_method: u8,
    /// Whether the request carries a token.
    pub with_token: bool,
    /// The nonce.
    pub nonce: String,
    /// The timestamp.
    pub timestamp: u64,
    /// Optional protocol parameters.
    pub callback: Option<String>,
    /// The verifier, as on a token request.
    pub verifier: Option<String>,
    /// The realm (never signed).
    pub realm: Option<String>,
    /// What to change before verifying.
    pub mutations: Vec<Mutation>,
}

/// A body to sign.
#[derive(Arbitrary, Debug)]
pub enum BodyInput {
    /// No body.
    Empty,
    /// A form body (its pairs are signed).
    Form(Vec<(String, String)>),
    /// Another body (covered by `oauth_body_hash`).
    Other(Vec<u8>),
}

/// One change to the signed request.
#[derive(Arbitrary, Debug)]
pub enum Mutation {
    /// Replace the method.
    Method(String),
    /// Edit the URL bytes.
    Url(Edit),
    /// Edit the `Authorization` header bytes.
    Header(Edit),
    /// Edit the body bytes.
    Body(Edit),
    /// Replace the content type.
    ContentType(Option<String>),
    /// Move the n-th header parameter to the query (or the form body).
    Relocate {
        /// Which parameter.
        index: u8,
        /// To the body rather than the query.
        to_body: bool,
    },
    /// Verify with a different secret.
    WrongSecret(String),
}

/// A splice: delete `delete` bytes at `at` (modulo the length), insert `insert`.
#[derive(Arbitrary, Debug)]
pub struct Edit {
    /// Where.
    pub at: u16,
    /// How many bytes to delete.
    pub delete: u8,
    /// What to insert.
    pub insert: Vec<u8>,
}

/// A request as the verifier receives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wire {
    /// The method.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// The `Authorization` header.
    pub authorization: String,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

/// What the signature covers, rebuilt independently of the verifier's code path.
#[derive(Debug, PartialEq, Eq)]
pub struct SignedContent {
    /// The upper-cased method.
    pub method: String,
    /// The base string URI.
    pub base_uri: String,
    /// Every parameter but `oauth_signature` and the header's `realm`, decoded and sorted.
    pub params: Vec<(String, String)>,
    /// A body that is not a form (its hash is signed).
    pub body: Option<Vec<u8>>,
}

/// Signs the request; checks that it verifies unchanged; applies the
/// mutations; if the mutated request verifies, its signed content must be
/// the original's (for PLAINTEXT, which covers no content, the secret must
/// be the right one). Mutations that only move parameters between the header,
/// the query and the body must keep the request valid.
pub fn verify_request(input: &VerifyInput) {
    let Some((wire, method)) = signed_request(input) else {
        return;
    };
    let token_secret = input.with_token.then(|| Secret::new(TOKEN_SECRET));
    let original = signed_content(&wire).unwrap_or_else(|| panic!("unreadable original {wire:?}"));
    match check(
        &wire,
        method,
        &Secret::new(CONSUMER_SECRET),
        token_secret.as_ref(),
    ) {
        Ok(()) | Err(Error::TooLarge) => {}
        Err(e) => panic!("a freshly signed request does not verify ({e}): {wire:?}"),
    }

    let mut mutated = wire.clone();
    let mut secret = Secret::new(CONSUMER_SECRET);
    let mut only_moves = true;
    for mutation in &input.mutations {
        only_moves &= matches!(mutation, Mutation::Relocate { .. });
        apply(&mut mutated, mutation, &mut secret);
    }
    let result = check(&mutated, method, &secret, token_secret.as_ref());
    if result.is_ok() && method == SignatureMethod::Plaintext {
        // PLAINTEXT signs nothing but the secrets (RFC 5849 §3.4.4): only
        // the secret must have been right.
        assert!(
            secret.expose() == CONSUMER_SECRET,
            "verified with a wrong secret"
        );
    } else if result.is_ok() {
        let now = signed_content(&mutated);
        assert_eq!(
            now.as_ref(),
            Some(&original),
            "a mutated request verified:\n{wire:?}\n{mutated:?}"
        );
        assert!(
            secret.expose() == CONSUMER_SECRET,
            "verified with a wrong secret"
        );
    } else if only_moves && mutated != wire {
        match result {
            Err(Error::TooLarge | Error::DuplicateParameter | Error::BodyHashNotAllowed) => {}
            Err(e) => panic!("moving parameters broke the request ({e}):\n{wire:?}\n{mutated:?}"),
            Ok(()) => {}
        }
    }
}

/// Parses and verifies a request.
///
/// # Errors
/// The first error of `IncomingRequest::parse` or `verify`.
pub fn check(
    wire: &Wire,
    method: SignatureMethod,
    consumer_secret: &Secret,
    token_secret: Option<&Secret>,
) -> Result<(), Error> {
    let request = IncomingRequest::parse(
        &wire.method,
        &wire.url,
        Some(&wire.authorization),
        wire.content_type.as_deref(),
        &wire.body,
    )?;
    let _proof = request.verify(method, consumer_secret, token_secret)?;
    Ok(())
}

/// Rebuilds what a request's signature covers (RFC 5849 §3.4.1), or `None`
/// for a request that cannot be read.
#[must_use]
pub fn signed_content(wire: &Wire) -> Option<SignedContent> {
    let base_uri = base_string_uri(&wire.url).ok()?;
    let without_fragment = wire.url.split('#').next().unwrap_or_default();
    let query = without_fragment.split_once('?').map_or("", |(_, q)| q);
    let mut params = form_decode(query).ok()?;
    let is_form = wire.content_type.as_deref().is_some_and(|c| {
        c.split(';')
            .next()
            .unwrap_or_default()
            .trim_matches([' ', '\t'])
            .eq_ignore_ascii_case(FORM)
    });
    let mut body = None;
    if is_form {
        params.extend(form_decode(std::str::from_utf8(&wire.body).ok()?).ok()?);
    } else if !wire.body.is_empty() {
        body = Some(wire.body.clone());
    }
    let header = AuthorizationHeader::parse(&wire.authorization).ok()?;
    params.extend(header.params().map(|(n, v)| (n.to_owned(), v.to_owned())));
    params.retain(|(n, _)| n != "oauth_signature");
    params.sort();
    Some(SignedContent {
        method: wire.method.to_ascii_uppercase(),
        base_uri,
        params,
        body,
    })
}

/// Builds and signs the request of `input`, or `None` when the signer refuses it.
fn signed_request(input: &VerifyInput) -> Option<(Wire, SignatureMethod)> {
    const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "patch"];
    let method = match METHODS.get(usize::from(input.method)) {
        Some(m) => (*m).to_owned(),
        None => input.custom_method.clone(),
    };
    let signature_method = match input.signature_method % 4 {
        0 => SignatureMethod::HmacSha1,
        1 => SignatureMethod::HmacSha256,
        2 => SignatureMethod::HmacSha512,
        _ => SignatureMethod::Plaintext,
    };
    let mut url = String::from(if input.https { "https" } else { "http" });
    url.push_str("://photos.example.net");
    if let Some(port) = input.port {
        url.push_str(&format!(":{port}"));
    }
    for segment in &input.path {
        url.push('/');
        oauth1_sign::percent_encode_into(&mut url, segment);
    }
    if !input.query.is_empty() {
        url.push('?');
        url.push_str(&crate::encode::encode_form(&input.query));
    }
    let form;
    let (body, content_type, bytes) = match &input.body {
        BodyInput::Empty => (Body::Empty, None, Vec::new()),
        BodyInput::Form(pairs) => {
            form = crate::encode::encode_form(pairs);
            (
                Body::Form(form.as_bytes()),
                Some(FORM.to_owned()),
                form.as_bytes().to_vec(),
            )
        }
        BodyInput::Other(bytes) => (
            Body::Other(bytes),
            Some("application/octet-stream".to_owned()),
            bytes.clone(),
        ),
    };
    let mut oauth = OAuthParams::new(
        "dpf43f3p2l4k3l03",
        signature_method,
        input.timestamp,
        input.nonce.clone(),
    );
    oauth.token = input.with_token.then(|| "nnch734d00sl2jdk".to_owned());
    oauth.callback.clone_from(&input.callback);
    oauth.verifier.clone_from(&input.verifier);
    oauth.realm.clone_from(&input.realm);
    let parts = RequestParts {
        method: &method,
        url: &url,
        body,
    };
    let token_secret = input.with_token.then(|| Secret::new(TOKEN_SECRET));
    let signed = sign(
        &parts,
        &oauth,
        &Secret::new(CONSUMER_SECRET),
        token_secret.as_ref(),
    )
    .ok()?;
    // Protocol names in the query or body make the request invalid from the start.
    let all = input.query.iter().chain(match &input.body {
        BodyInput::Form(pairs) => pairs.iter(),
        _ => [].iter(),
    });
    if all.clone().any(|(n, _)| n.starts_with("oauth_")) {
        return None;
    }
    Some((
        Wire {
            method,
            url,
            authorization: signed.authorization,
            content_type,
            body: bytes,
        },
        signature_method,
    ))
}

fn apply(wire: &mut Wire, mutation: &Mutation, secret: &mut Secret) {
    match mutation {
        Mutation::Method(m) => wire.method.clone_from(m),
        Mutation::Url(edit) => edit_text(&mut wire.url, edit),
        Mutation::Header(edit) => edit_text(&mut wire.authorization, edit),
        Mutation::Body(edit) => splice(&mut wire.body, edit),
        Mutation::ContentType(c) => wire.content_type.clone_from(c),
        Mutation::Relocate { index, to_body } => relocate(wire, usize::from(*index), *to_body),
        Mutation::WrongSecret(s) => *secret = Secret::new(s.clone()),
    }
}

/// Moves one header parameter to the query or the form body, as RFC 5849 §3.5 allows.
fn relocate(wire: &mut Wire, index: usize, to_body: bool) {
    let Ok(header) = AuthorizationHeader::parse(&wire.authorization) else {
        return;
    };
    let params: Vec<(String, String)> = header
        .params()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    if params.is_empty() {
        return;
    }
    let index = index % params.len();
    let moved = [params[index].clone()];
    let rest = params
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
        .map(|(_, p)| (p.0.as_str(), p.1.as_str()));
    let Ok(header) = AuthorizationHeader::new(header.realm(), rest) else {
        return;
    };
    let encoded = crate::encode::encode_form(&moved);
    let body_is_form = wire.content_type.as_deref() == Some(FORM);
    if to_body && (body_is_form || wire.body.is_empty()) {
        if !wire.body.is_empty() {
            wire.body.push(b'&');
        }
        wire.body.extend_from_slice(encoded.as_bytes());
        wire.content_type = Some(FORM.to_owned());
    } else {
        let (before, fragment) = match wire.url.split_once('#') {
            Some((b, f)) => (b.to_owned(), Some(f.to_owned())),
            None => (wire.url.clone(), None),
        };
        let mut url = before;
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&encoded);
        if let Some(f) = fragment {
            url.push('#');
            url.push_str(&f);
        }
        wire.url = url;
    }
    wire.authorization = header.render();
}

fn edit_text(text: &mut String, edit: &Edit) {
    let mut bytes = std::mem::take(text).into_bytes();
    let backup = bytes.clone();
    splice(&mut bytes, edit);
    *text =
        String::from_utf8(bytes).unwrap_or_else(|_| String::from_utf8(backup).unwrap_or_default());
}

fn splice(bytes: &mut Vec<u8>, edit: &Edit) {
    let at = usize::from(edit.at) % (bytes.len() + 1);
    let end = (at + usize::from(edit.delete)).min(bytes.len());
    bytes.splice(at..end, edit.insert.iter().copied());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(mutations: Vec<Mutation>) -> VerifyInput {
        VerifyInput {
            method: 0,
            custom_method: String::new(),
            https: true,
            port: None,
            path: vec!["photos".into()],
            query: vec![("file".into(), "vacation.jpg".into())],
            body: BodyInput::Empty,
            signature_method: 0,
            with_token: true,
            nonce: "kllo9940pd9333jh".into(),
            timestamp: 1_191_242_096,
            callback: None,
            verifier: None,
            realm: Some("Photos".into()),
            mutations,
        }
    }

    #[test]
    fn a_signed_request_verifies_and_a_tampered_one_does_not() {
        let Some((wire, method)) = signed_request(&input(Vec::new())) else {
            panic!("the example must sign");
        };
        let ts = Secret::new(TOKEN_SECRET);
        assert_eq!(
            check(&wire, method, &Secret::new(CONSUMER_SECRET), Some(&ts)),
            Ok(())
        );
        let mut tampered = wire.clone();
        tampered.url.push_str("&size=original");
        assert_ne!(signed_content(&tampered), signed_content(&wire));
        assert_eq!(
            check(&tampered, method, &Secret::new(CONSUMER_SECRET), Some(&ts)),
            Err(Error::InvalidSignature)
        );
    }

    #[test]
    fn signed_content_ignores_what_is_not_signed() {
        let Some((wire, _)) = signed_request(&input(Vec::new())) else {
            panic!("the example must sign");
        };
        let mut same = wire.clone();
        same.method = "get".into();
        same.url = same.url.replace("https://photos", "HTTPS://PHOTOS") + "#frag";
        same.authorization = same
            .authorization
            .replace("realm=\"Photos\"", "realm=\"Other\"");
        assert_eq!(signed_content(&same), signed_content(&wire));
    }

    #[test]
    fn relocation_keeps_the_request_valid() {
        for index in 0..8 {
            for to_body in [false, true] {
                verify_request(&input(vec![Mutation::Relocate { index, to_body }]));
            }
        }
    }

    #[test]
    fn mutations_run_through_the_oracle() {
        verify_request(&input(vec![
            Mutation::Url(Edit {
                at: 30,
                delete: 1,
                insert: b"X".to_vec(),
            }),
            Mutation::Header(Edit {
                at: 7,
                delete: 0,
                insert: b" ".to_vec(),
            }),
            Mutation::WrongSecret("other".into()),
        ]));
    }
}
