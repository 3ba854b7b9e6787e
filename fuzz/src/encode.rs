//! Oracles for percent-encoding and form decoding
//! ([RFC 5849 §3.6](https://www.rfc-editor.org/rfc/rfc5849#section-3.6),
//! [§3.4.1.3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1)).
//!
//! The references are the `percent-encoding` crate and `url::form_urlencoded`.
//! They agree with RFC 5849 on well-formed input; on a malformed `%` they
//! pass the bytes through where RFC 5849 (and `oauth1-sign`) refuse, and on
//! invalid UTF-8 the form decoder substitutes U+FFFD: there the oracle only
//! checks that `oauth1-sign` refused for the right reason.

use oauth1_sign::Error;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Everything RFC 5849 §3.6 encodes: all but `ALPHA DIGIT - . _ ~`.
const RFC5849: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `percent_encode` against the reference and its alphabet; `percent_decode`
/// against the reference where both accept, and encode-then-decode identity.
pub fn percent_decode(data: &[u8]) {
    let Some(input) = crate::text(data) else {
        return;
    };
    let encoded = oauth1_sign::percent_encode(input);
    assert_eq!(
        encoded,
        utf8_percent_encode(input, RFC5849).to_string(),
        "encoder differs from the reference"
    );
    assert!(is_rfc5849_encoded(&encoded), "bad alphabet: {encoded:?}");
    assert_eq!(
        oauth1_sign::percent_decode(&encoded).as_deref(),
        Ok(input),
        "decode(encode(x)) != x"
    );

    match oauth1_sign::percent_decode(input) {
        Ok(decoded) => {
            assert!(!has_malformed_escape(input), "accepted a malformed escape");
            let reference = percent_decode_str(input).decode_utf8();
            assert_eq!(
                reference.as_deref().ok(),
                Some(decoded.as_str()),
                "decoder differs from the reference"
            );
            let again = oauth1_sign::percent_encode(&decoded);
            assert_eq!(
                oauth1_sign::percent_decode(&again).as_deref(),
                Ok(&*decoded)
            );
            assert!(
                decoded.matches('+').count() >= input.matches('+').count(),
                "`+` must stay `+` outside forms"
            );
        }
        Err(Error::InvalidPercentEncoding) => {
            assert!(has_malformed_escape(input), "refused a well-formed escape");
        }
        // Either error may come first when both are present.
        Err(Error::InvalidUtf8) => {
            assert!(
                percent_decode_str(input).decode_utf8().is_err(),
                "refused valid UTF-8"
            );
        }
        Err(other) => panic!("unexpected error kind {other:?}"),
    }
}

/// `form_decode` against `url::form_urlencoded::parse` where both accept;
/// re-encoding the pairs and decoding again is the identity.
pub fn form_body(data: &[u8]) {
    let Some(input) = crate::text(data) else {
        return;
    };
    let result = oauth1_sign::form_decode(input);
    match &result {
        Ok(_) => assert!(form_errors(input).is_empty(), "accepted {input:?}"),
        Err(e) => assert!(
            form_errors(input).contains(e),
            "wrong error {e:?} for {input:?}"
        ),
    }
    if let Ok(pairs) = result {
        let reference: Vec<(String, String)> = url::form_urlencoded::parse(input.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(pairs, reference, "form decoder differs from the reference");
        let segments = input.split('&').filter(|s| !s.is_empty()).count();
        assert_eq!(pairs.len(), segments, "one pair per non-empty segment");
        let encoded = encode_form(&pairs);
        assert!(encoded.split(['&', '=']).all(is_rfc5849_encoded));
        assert_eq!(
            oauth1_sign::form_decode(&encoded).as_ref(),
            Ok(&pairs),
            "decode(encode(pairs)) != pairs"
        );
    }
}

/// The errors a strict form decoder may report: parts are decoded in order
/// (each segment's name, then its value), so the first part with a problem
/// decides; within it, a malformed escape and invalid UTF-8 may be found in
/// either order. Empty for input that decodes.
#[must_use]
pub fn form_errors(input: &str) -> Vec<Error> {
    for segment in input.split('&').filter(|s| !s.is_empty()) {
        let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
        for part in [name, value] {
            let mut errors = Vec::new();
            if has_malformed_escape(part) {
                errors.push(Error::InvalidPercentEncoding);
            }
            if percent_decode_str(part).decode_utf8().is_err() {
                errors.push(Error::InvalidUtf8);
            }
            if !errors.is_empty() {
                return errors;
            }
        }
    }
    Vec::new()
}

/// Whether `text` holds a `%` not followed by two hexadecimal digits.
#[must_use]
pub fn has_malformed_escape(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len()).any(|i| {
        b[i] == b'%'
            && !(b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    })
}

/// Whether `text` is in the output alphabet of RFC 5849 §3.6: unreserved
/// characters and `%XX` with upper-case hexadecimal digits.
#[must_use]
pub fn is_rfc5849_encoded(text: &str) -> bool {
    let b = text.as_bytes();
    let upper_hex = |c: Option<&u8>| c.is_some_and(|c| matches!(c, b'0'..=b'9' | b'A'..=b'F'));
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if !(upper_hex(b.get(i + 1)) && upper_hex(b.get(i + 2))) {
                return false;
            }
            i += 3;
        } else if b[i].is_ascii_alphanumeric() || matches!(b[i], b'-' | b'.' | b'_' | b'~') {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// Encodes pairs as `name=value&...` with RFC 5849 §3.6 encoding.
#[must_use]
pub fn encode_form(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        oauth1_sign::percent_encode_into(&mut out, name);
        out.push('=');
        oauth1_sign::percent_encode_into(&mut out, value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_escapes_are_found() {
        assert!(has_malformed_escape("%"));
        assert!(has_malformed_escape("a%2"));
        assert!(has_malformed_escape("%zz"));
        assert!(has_malformed_escape("%2g"));
        assert!(!has_malformed_escape("%2f%2F+a"));
        assert!(!has_malformed_escape(""));
    }

    #[test]
    fn the_possible_form_errors_are_predicted() {
        assert_eq!(form_errors("%C12x3=a&x%y2183=aD"), [Error::InvalidUtf8]);
        assert_eq!(form_errors("a=%zz&b=%FF"), [Error::InvalidPercentEncoding]);
        assert!(form_errors("a=%C3%A9&b").is_empty());
        assert_eq!(
            form_errors("%FF%z"),
            [Error::InvalidPercentEncoding, Error::InvalidUtf8]
        );
    }

    #[test]
    fn the_alphabet_is_checked() {
        assert!(is_rfc5849_encoded("aZ09-._~%2F%C3%A9"));
        assert!(!is_rfc5849_encoded("%2f"));
        assert!(!is_rfc5849_encoded("a b"));
        assert!(!is_rfc5849_encoded("+"));
        assert!(!is_rfc5849_encoded("%2"));
    }

    #[test]
    fn the_oracles_accept_the_vectors() {
        for input in [
            "b5=%3D%253D&a3=a&c%40=&a2=r%20b",
            "c2&a3=2+q",
            "a%20b+%C3%A9~",
            "%zz&x",
            "%FF",
            "%C12x3=a&x%y2183=aD",
            " a&7%a2$\0\0\0%a%a",
            "%FFa%zz",
            "&&=&a=b=c",
            "",
        ] {
            percent_decode(input.as_bytes());
            form_body(input.as_bytes());
        }
    }

    #[test]
    fn encode_form_round_trips() {
        let pairs = vec![
            ("a b".to_owned(), "=&+".to_owned()),
            (String::new(), String::new()),
        ];
        let encoded = encode_form(&pairs);
        assert_eq!(encoded, "a%20b=%3D%26%2B&=");
        assert_eq!(oauth1_sign::form_decode(&encoded), Ok(pairs));
    }
}
