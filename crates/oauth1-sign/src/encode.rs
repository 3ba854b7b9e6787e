//! Percent-encoding ([RFC 5849 §3.6](https://www.rfc-editor.org/rfc/rfc5849#section-3.6))
//! through the `percent-encoding` crate with one `AsciiSet`, the strict
//! decoder the verifier needs, and form decoding
//! ([RFC 5849 §3.4.1.3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1)).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use crate::Error;
use crate::chars::{UNRESERVED, is_pct_encoded};

/// What [RFC 5849 §3.6](https://www.rfc-editor.org/rfc/rfc5849#section-3.6)
/// encodes: every byte but the unreserved `ALPHA DIGIT - . _ ~`. The crate
/// writes escapes with upper-case hexadecimal digits, as §3.6 asks.
pub(crate) const RFC5849: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `input` as
/// [RFC 5849 §3.6](https://www.rfc-editor.org/rfc/rfc5849#section-3.6) asks:
/// the UTF-8 bytes of `input`, all but `ALPHA DIGIT - . _ ~` written as `%XX`
/// with upper-case hexadecimal digits.
///
/// ```
/// assert_eq!(oauth1_sign::percent_encode("a b+é~"), "a%20b%2B%C3%A9~");
/// ```
#[must_use]
pub fn percent_encode(input: &str) -> String {
    encode(input).into_owned()
}

/// Appends the [RFC 5849 §3.6](https://www.rfc-editor.org/rfc/rfc5849#section-3.6)
/// encoding of `input` to `out` (see [`percent_encode`]).
pub fn percent_encode_into(out: &mut String, input: &str) {
    let plain = unreserved_prefix(input);
    // `plain` ends before an ASCII byte or the first byte of a character.
    out.push_str(&input[..plain]);
    out.extend(utf8_percent_encode(&input[plain..], RFC5849));
}

/// The [RFC 5849 §3.6](https://www.rfc-editor.org/rfc/rfc5849#section-3.6)
/// encoding of `input`, borrowed when nothing needs escaping.
pub(crate) fn encode(input: &str) -> Cow<'_, str> {
    if unreserved_prefix(input) == input.len() {
        return Cow::Borrowed(input);
    }
    // Escapes triple a byte; reserving half again covers most text.
    let mut out = String::with_capacity(input.len() + input.len() / 2 + 2);
    percent_encode_into(&mut out, input);
    Cow::Owned(out)
}

/// The length of the unreserved text `input` starts with, which §3.6
/// leaves as is. The usual text (keys, nonces, names) is all unreserved: a
/// table scan finds that before the `percent-encoding` crate, which costs
/// about five times more per byte, is asked to escape the rest.
fn unreserved_prefix(input: &str) -> usize {
    (input.bytes())
        .position(|b| !UNRESERVED[usize::from(b)])
        .unwrap_or(input.len())
}

/// Decodes a percent-encoded string strictly, for the values of the
/// `Authorization` header
/// ([RFC 5849 §3.5.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1)):
/// a `%` must be followed by two hexadecimal digits, the result must be
/// UTF-8, and `+` stays `+`.
///
/// ```
/// assert_eq!(oauth1_sign::percent_decode("a%20b+").unwrap(), "a b+");
/// assert!(oauth1_sign::percent_decode("%zz").is_err());
/// ```
///
/// # Errors
/// [`Error::InvalidPercentEncoding`] or [`Error::InvalidUtf8`].
pub fn percent_decode(input: &str) -> Result<String, Error> {
    decode(input).map(Cow::into_owned)
}

/// The strict decoder of [`percent_decode`]
/// ([RFC 3986 §2.1](https://www.rfc-editor.org/rfc/rfc3986#section-2.1),
/// [RFC 5849 §3.6](https://www.rfc-editor.org/rfc/rfc5849#section-3.6)),
/// borrowed when there is no escape. The `percent-encoding` crate passes a
/// malformed `%` through, so escapes are checked first.
pub(crate) fn decode(input: &str) -> Result<Cow<'_, str>, Error> {
    let bytes = input.as_bytes();
    if !bytes.contains(&b'%') {
        // No escape: the text is its own decoding, and already UTF-8.
        return Ok(Cow::Borrowed(input));
    }
    if (input.match_indices('%')).any(|(i, _)| !is_pct_encoded(bytes, i)) {
        return Err(Error::InvalidPercentEncoding);
    }
    percent_decode_str(input)
        .decode_utf8()
        .map_err(|_| Error::InvalidUtf8)
}

/// Decodes an `application/x-www-form-urlencoded` body or a query string
/// into its ordered name/value pairs, as
/// [RFC 5849 §3.4.1.3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1)
/// collects them: `+` is a space, a name without `=` has an empty value,
/// empty segments (`&&`) are skipped, and duplicates are kept.
///
/// ```
/// let pairs = oauth1_sign::form_decode("c2&a3=2+q&a3=a").unwrap();
/// assert_eq!(pairs, [("c2".into(), "".into()), ("a3".into(), "2 q".into()), ("a3".into(), "a".into())]);
/// ```
///
/// # Errors
/// [`Error::InvalidPercentEncoding`] or [`Error::InvalidUtf8`].
pub fn form_decode(input: &str) -> Result<Vec<(String, String)>, Error> {
    form_segments(input)
        .map(|segment| {
            let (name, value) = decode_segment(segment)?;
            Ok((name.into_owned(), value.into_owned()))
        })
        .collect()
}

/// The raw `name=value` segments of a form or query, empty ones skipped
/// ([RFC 5849 §3.4.1.3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1)).
/// Decode each with [`decode_segment`]; the split is apart so a caller can
/// count segments before decoding them.
pub(crate) fn form_segments(input: &str) -> impl Iterator<Item = &str> {
    input.split('&').filter(|segment| !segment.is_empty())
}

/// Decodes one form segment into its name and value (`=` splits at its
/// first occurrence; none means an empty value), as
/// [RFC 5849 §3.4.1.3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.3.1)
/// reads `application/x-www-form-urlencoded`: `+` is a space, then the
/// strict [`decode`].
pub(crate) fn decode_segment(segment: &str) -> Result<(Cow<'_, str>, Cow<'_, str>), Error> {
    let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
    Ok((decode_form_part(name)?, decode_form_part(value)?))
}

fn decode_form_part(part: &str) -> Result<Cow<'_, str>, Error> {
    if !part.contains('+') {
        return decode(part);
    }
    let spaced = part.replace('+', " ");
    Ok(Cow::Owned(decode(&spaced)?.into_owned()))
}
