//! The oracle for the signature base string
//! ([RFC 5849 §3.4.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1)).

use arbitrary::Arbitrary;
use oauth1_sign::{
    Body, OAuthParams, RequestParts, Secret, SignatureMethod, base_string_uri,
    normalize_parameters, percent_decode, sign, signature_base_string,
};

/// Arbitrary request parts.
#[derive(Arbitrary, Debug)]
pub struct BaseStringInput {
    /// The HTTP method, any text.
    pub method: String,
    /// The request URL, any text.
    pub url: String,
    /// Decoded parameters.
    pub params: Vec<(String, String)>,
    /// A rotation of the parameter order, which must not matter.
    pub rotate: u8,
}

/// The base string URI is ASCII and idempotent; the base string is ASCII,
/// has exactly three `&`-separated parts that decode to the upper-cased
/// method, the base URI and the normalised parameters, does not depend on
/// the order of the parameters, leaves out `oauth_signature` and `realm`,
/// and the normalised parameters decode back to the same multiset of pairs
/// (injectivity). `sign` builds the same base string as the free functions
/// for the same request.
pub fn base_string(input: &BaseStringInput) {
    let uri = match base_string_uri(&input.url) {
        Ok(uri) => {
            assert!(uri.is_ascii(), "non-ASCII base URI {uri:?}");
            assert!(!uri.contains(['?', '#']), "query or fragment kept: {uri:?}");
            assert_eq!(
                base_string_uri(&uri).as_ref(),
                Ok(&uri),
                "base URI not idempotent"
            );
            uri
        }
        Err(_) => String::from("http://example.com/"),
    };
    let pairs = &input.params;
    let base = signature_base_string(&input.method, &uri, pairs.iter().map(pair));
    assert!(base.is_ascii(), "non-ASCII base string");
    let parts: Vec<&str> = base.split('&').collect();
    assert_eq!(parts.len(), 3, "not three parts: {base:?}");
    assert_eq!(decode(parts[0]), input.method.to_ascii_uppercase());
    assert_eq!(decode(parts[1]), uri);

    let kept: Vec<(String, String)> = pairs
        .iter()
        .filter(|(n, _)| n != "oauth_signature" && n != "realm")
        .cloned()
        .collect();
    let normalized = decode(parts[2]);
    assert_eq!(normalized, normalize_parameters(kept.iter().map(pair)));
    let mut back = split_normalized(&normalized);
    let mut expected = kept.clone();
    back.sort();
    expected.sort();
    assert_eq!(back, expected, "normalisation is not injective");

    let mut rotated = pairs.clone();
    if !rotated.is_empty() {
        let by = usize::from(input.rotate) % rotated.len();
        rotated.rotate_left(by);
    }
    rotated.push(("oauth_signature".into(), "x".into()));
    rotated.push(("realm".into(), "y".into()));
    assert_eq!(
        signature_base_string(&input.method, &uri, rotated.iter().map(pair)),
        base,
        "order or excluded parameters changed the base string"
    );

    compare_with_sign(input, &uri, &kept);
}

/// `sign` and `signature_base_string` agree on a request whose parameters all
/// travel in a form body.
fn compare_with_sign(input: &BaseStringInput, uri: &str, kept: &[(String, String)]) {
    if kept.iter().any(|(n, _)| n.starts_with("oauth_")) {
        return;
    }
    let body = crate::encode::encode_form(kept);
    let parts = RequestParts {
        method: &input.method,
        url: uri,
        body: if body.is_empty() {
            Body::Empty
        } else {
            Body::Form(body.as_bytes())
        },
    };
    let mut oauth = OAuthParams::new("key", SignatureMethod::HmacSha1, 1, "nonce");
    oauth.realm = Some("r".into());
    let Ok(signed) = sign(&parts, &oauth, &Secret::new("s"), None) else {
        return;
    };
    let mut all = kept.to_vec();
    for (n, v) in [
        ("oauth_consumer_key", "key"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "1"),
        ("oauth_nonce", "nonce"),
        ("oauth_version", "1.0"),
    ] {
        all.push((n.into(), v.into()));
    }
    assert_eq!(
        signed.base_string,
        signature_base_string(&input.method, uri, all.iter().map(pair)),
        "sign and signature_base_string disagree"
    );
}

fn pair((n, v): &(String, String)) -> (&str, &str) {
    (n, v)
}

fn decode(part: &str) -> String {
    match percent_decode(part) {
        Ok(text) => text,
        Err(e) => panic!("base string part does not decode ({e}): {part:?}"),
    }
}

/// Splits a normalised parameter string back into decoded pairs.
#[must_use]
pub fn split_normalized(normalized: &str) -> Vec<(String, String)> {
    if normalized.is_empty() {
        return Vec::new();
    }
    normalized
        .split('&')
        .map(|p| {
            let (n, v) = p
                .split_once('=')
                .unwrap_or_else(|| panic!("pair without `=`: {p:?}"));
            (decode(n), decode(v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_example_passes() {
        let input = BaseStringInput {
            method: "post".into(),
            url: "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b".into(),
            params: vec![
                ("b5".into(), "=%3D".into()),
                ("a3".into(), "a".into()),
                ("c@".into(), String::new()),
                ("a2".into(), "r b".into()),
                ("c2".into(), String::new()),
                ("a3".into(), "2 q".into()),
            ],
            rotate: 3,
        };
        base_string(&input);
    }

    #[test]
    fn split_normalized_inverts_normalize() {
        let pairs = [("a", "x y"), ("a", "x!y"), ("", "=")];
        let mut back = split_normalized(&normalize_parameters(pairs));
        back.sort();
        let mut want: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| ((*n).into(), (*v).into()))
            .collect();
        want.sort();
        assert_eq!(back, want);
        assert!(split_normalized("").is_empty());
    }
}
