//! The `Authorization: OAuth ...` header
//! ([RFC 5849 §3.5.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1)).

use alloc::string::String;

use crate::Error;
use crate::encode::{Pairs, decode_into, percent_encode_into, prefix_len_with};
use crate::limits::{MAX_HEADER_LEN, MAX_PARAMS, check_text, oauth_index};

/// A parsed `Authorization` header value
/// ([RFC 5849 §3.5.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1)):
/// the decoded parameters in order, and `realm` kept apart.
///
/// ```
/// use oauth1_sign::AuthorizationHeader;
/// let h = AuthorizationHeader::parse(r#"OAuth realm="Photos", oauth_nonce="a%20b""#).unwrap();
/// assert_eq!(h.realm(), Some("Photos"));
/// assert_eq!(h.get("oauth_nonce"), Some("a b"));
/// assert_eq!(h.render(), r#"OAuth realm="Photos", oauth_nonce="a%20b""#);
/// ```
#[derive(Clone, Debug)]
pub struct AuthorizationHeader {
    realm: Option<String>,
    pairs: Pairs,
}

impl AuthorizationHeader {
    /// Builds a header from decoded parameters, with the checks of
    /// [`parse`](Self::parse) ([RFC 5849 §3.5.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1)).
    ///
    /// # Errors
    /// [`Error::DuplicateParameter`], [`Error::UnknownParameter`],
    /// [`Error::InvalidHeader`] for an empty name,
    /// [`Error::InvalidParameter`] for a realm with control characters.
    pub fn new<I, N, V>(realm: Option<&str>, params: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = (N, V)>,
        N: AsRef<str>,
        V: AsRef<str>,
    {
        if let Some(realm) = realm {
            check_text("realm", realm)?;
        }
        let mut pairs = Pairs::default();
        let mut oauth = [None; 10];
        for (name, value) in params {
            let name = name.as_ref();
            if name.is_empty() || name.eq_ignore_ascii_case("realm") {
                return Err(Error::InvalidHeader);
            }
            check_name_from(&pairs, 0, name, &mut oauth)?;
            pairs.push(name, value.as_ref());
        }
        Ok(AuthorizationHeader {
            realm: realm.map(String::from),
            pairs,
        })
    }

    /// Parses a header value strictly ([RFC 5849 §3.5.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1)):
    /// the `OAuth` scheme (any case), then
    /// `name="value"` pairs separated by commas and optional spaces, names
    /// and values percent-decoded, `realm` an RFC 2617 quoted string.
    ///
    /// # Errors
    /// [`Error::TooLarge`] past [`crate::limits::MAX_HEADER_LEN`] bytes or
    /// [`crate::limits::MAX_PARAMS`] parameters; [`Error::InvalidHeader`] for
    /// bad syntax; [`Error::DuplicateParameter`] for a name given twice;
    /// [`Error::UnknownParameter`] for an unknown `oauth_*` name;
    /// [`Error::InvalidPercentEncoding`], [`Error::InvalidUtf8`].
    pub fn parse(header: &str) -> Result<Self, Error> {
        let mut pairs = Pairs::with_capacity(header.len(), 8);
        let realm = parse_into(header, &mut pairs, &mut [None; 10])?;
        Ok(AuthorizationHeader { realm, pairs })
    }

    /// The `realm`, if present.
    #[must_use]
    pub fn realm(&self) -> Option<&str> {
        self.realm.as_deref()
    }

    /// The decoded parameters other than `realm`, in header order.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter()
    }

    /// The decoded value of parameter `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Renders the header value: `OAuth realm="..", name="value", ...` with
    /// names and values percent-encoded ([RFC 5849 §3.5.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1)).
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(16 + self.pairs.byte_len() * 2);
        out.push_str("OAuth ");
        let mut first = true;
        if let Some(realm) = &self.realm {
            push_realm(&mut out, realm);
            first = false;
        }
        for (name, value) in self.pairs.iter() {
            push_header_param(&mut out, &mut first, name, value);
        }
        out
    }
}

/// Appends `realm="..."` as an RFC 2617 quoted string.
pub(crate) fn push_realm(out: &mut String, realm: &str) {
    out.push_str("realm=\"");
    for c in realm.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// Appends `, name="value"` (no comma for the first), percent-encoded.
pub(crate) fn push_header_param(out: &mut String, first: &mut bool, name: &str, value: &str) {
    if !*first {
        out.push_str(", ");
    }
    *first = false;
    percent_encode_into(out, name);
    out.push_str("=\"");
    percent_encode_into(out, value);
    out.push('"');
}

/// Parses a header into `pairs` (decoded, `realm` excluded) and returns the realm.
/// `oauth[k]` gets the index in `pairs` of the protocol parameter `k` (of
/// `limits::oauth_index`), so the caller need not look the names up again.
pub(crate) fn parse_into(
    header: &str,
    pairs: &mut Pairs,
    oauth: &mut [Option<usize>; 10],
) -> Result<Option<String>, Error> {
    if header.len() > MAX_HEADER_LEN {
        return Err(Error::TooLarge);
    }
    let b = header.as_bytes();
    let mut i = skip_ows(b, 0);
    if b.len() < i + 5 || !b[i..i + 5].eq_ignore_ascii_case(b"OAuth") {
        return Err(Error::InvalidHeader);
    }
    i += 5;
    let after_scheme = skip_ows(b, i);
    if after_scheme == b.len() {
        return Ok(None);
    }
    if after_scheme == i {
        return Err(Error::InvalidHeader);
    }
    i = after_scheme;
    let mut realm = None;
    let first = pairs.len();
    loop {
        // name
        let name_start = i;
        // The scan also stops at `%`, so a name with an escape is noticed here.
        let mut name_percent = false;
        loop {
            i += prefix_len_with(&b[i..], is_name_byte, |c| NAME_BYTES[usize::from(c)]);
            if b.get(i) != Some(&b'%') {
                break;
            }
            name_percent = true;
            i += 1;
        }
        let raw_name = &header[name_start..i];
        if raw_name.is_empty() || b.get(i) != Some(&b'=') || b.get(i + 1) != Some(&b'"') {
            return Err(Error::InvalidHeader);
        }
        i += 2;
        let value_start = i;
        let is_realm = raw_name.eq_ignore_ascii_case("realm");
        let mut escaped = false;
        let mut percent = false;
        loop {
            i += prefix_len_with(&b[i..], is_value_byte, |c| VALUE_BYTES[usize::from(c)]);
            match b.get(i) {
                Some(b'"') => break,
                Some(b'%') => {
                    percent = true;
                    i += 1;
                }
                Some(b'\\') if is_realm => {
                    escaped = true;
                    match b.get(i + 1) {
                        Some(&c) if c >= 0x20 && c != 0x7f => i += 2,
                        _ => return Err(Error::InvalidHeader),
                    }
                }
                _ => return Err(Error::InvalidHeader),
            }
        }
        let raw_value = &header[value_start..i];
        i += 1;
        if is_realm {
            if realm.is_some() {
                return Err(Error::DuplicateParameter);
            }
            realm = Some(if escaped {
                unescape(raw_value)
            } else {
                String::from(raw_value)
            });
        } else {
            // §3.5.1: names and values are encoded as §3.6 says, so only
            // unreserved characters and escapes appear raw (and a rendering
            // of what parses never outgrows the size limit).
            if !raw_name.bytes().all(is_encoded_value_byte)
                || !raw_value.bytes().all(is_encoded_value_byte)
            {
                return Err(Error::InvalidHeader);
            }
            if pairs.len() - first >= MAX_PARAMS {
                return Err(Error::TooLarge);
            }
            let s = pairs.start();
            if name_percent {
                decode_into(pairs.buf_mut(), raw_name, false)?;
            } else {
                pairs.buf_mut().push_str(raw_name);
            }
            let m = pairs.start();
            let name = pairs.slice(s, m);
            if name.is_empty() || name.eq_ignore_ascii_case("realm") {
                return Err(Error::InvalidHeader);
            }
            check_name_from(pairs, first, name, oauth)?;
            if percent {
                decode_into(pairs.buf_mut(), raw_value, false)?;
            } else {
                pairs.buf_mut().push_str(raw_value);
            }
            pairs.finish(s, m);
        }
        i = skip_ows(b, i);
        if i == b.len() {
            return Ok(realm);
        }
        if b[i] != b',' {
            return Err(Error::InvalidHeader);
        }
        i = skip_ows(b, i + 1);
        if i == b.len() {
            return Err(Error::InvalidHeader);
        }
    }
}

/// Rejects an unknown `oauth_*` name, or a name already among
/// `pairs[first..]`; a protocol parameter's index in `oauth` is set to
/// that of the pair about to be pushed.
fn check_name_from(
    pairs: &Pairs,
    first: usize,
    name: &str,
    oauth: &mut [Option<usize>; 10],
) -> Result<(), Error> {
    if name.starts_with("oauth_") {
        let k = oauth_index(name).ok_or(Error::UnknownParameter)?;
        if oauth[k].replace(pairs.len()).is_some() {
            return Err(Error::DuplicateParameter);
        }
        return Ok(());
    }
    if (first..pairs.len()).any(|j| pairs.get(j).0 == name) {
        return Err(Error::DuplicateParameter);
    }
    Ok(())
}

/// Bytes a header name runs over (it stops at `=`, blanks, `,`, `"`, `%`).
#[inline(always)]
pub(crate) fn is_name_byte(c: u8) -> bool {
    (c != b'=') & (c != b' ') & (c != b'\t') & (c != b',') & (c != b'"') & (c != b'%')
}

/// Bytes a quoted value runs over (it stops at `"`, `\\`, `%`, controls).
#[inline(always)]
/// A byte that may stand raw in a percent-encoded parameter name or value
/// ([RFC 5849 §3.6](https://www.rfc-editor.org/rfc/rfc5849#section-3.6)).
fn is_encoded_value_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'%')
}

pub(crate) fn is_value_byte(c: u8) -> bool {
    (c != b'"') & (c != b'\\') & (c >= 0x20) & (c != 0x7f) & (c != b'%')
}

/// [`is_name_byte`] and [`is_value_byte`] as tables, for the bytes past the
/// last whole 16-byte chunk (one load instead of six comparisons).
pub(crate) static NAME_BYTES: [bool; 256] = table(b"= \t,\"%", false);
pub(crate) static VALUE_BYTES: [bool; 256] = table(b"\"\\%", true);

/// A table of the bytes not in `stops` (nor controls, when `controls` stop too).
const fn table(stops: &[u8], controls: bool) -> [bool; 256] {
    let mut t = [true; 256];
    let mut i = 0;
    while i < stops.len() {
        t[stops[i] as usize] = false;
        i += 1;
    }
    if controls {
        let mut c = 0;
        while c < 0x20 {
            t[c] = false;
            c += 1;
        }
        t[0x7f] = false;
    }
    t
}

fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn skip_ows(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_ows(b[i]) {
        i += 1;
    }
    i
}

/// Removes the backslashes of an RFC 2617 quoted string.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}
