//! The `Authorization: OAuth ...` header
//! ([RFC 5849 §3.5.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1)).

use alloc::string::String;
use alloc::vec::Vec;

use crate::Error;
use crate::chars::{is_encoded, is_ows, is_qdtext, is_quotable};
use crate::encode::{decode, percent_encode_into};
use crate::limits::{MAX_HEADER_LEN, MAX_PARAMS, check_text};
use crate::param::Param;

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
    params: Vec<(String, String)>,
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
        let mut header = AuthorizationHeader {
            realm: realm.map(String::from),
            params: Vec::new(),
        };
        for (name, value) in params {
            header.push(name.as_ref(), value.as_ref())?;
        }
        Ok(header)
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
        if header.len() > MAX_HEADER_LEN {
            return Err(Error::TooLarge);
        }
        let mut parsed = AuthorizationHeader {
            realm: None,
            params: Vec::with_capacity(8),
        };
        let mut rest = strip_scheme(header)?;
        while !rest.is_empty() {
            let (name, value, after) = split_param(rest)?;
            parsed.push_raw(name, value)?;
            // `#auth-param`: parameters separated by a comma and optional whitespace.
            rest = after.trim_start_matches(is_ows);
            if let Some(next) = rest.strip_prefix(',') {
                rest = next.trim_start_matches(is_ows);
                if rest.is_empty() {
                    return Err(Error::InvalidHeader);
                }
            } else if !rest.is_empty() {
                return Err(Error::InvalidHeader);
            }
        }
        Ok(parsed)
    }

    /// The `realm`, if present.
    #[must_use]
    pub fn realm(&self) -> Option<&str> {
        self.realm.as_deref()
    }

    /// The decoded parameters other than `realm`, in header order.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The decoded value of parameter `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Renders the header value: `OAuth realm="..", name="value", ...` with
    /// names and values percent-encoded ([RFC 5849 §3.5.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1)).
    #[must_use]
    pub fn render(&self) -> String {
        render(self.realm(), self.params())
    }

    /// The realm and the decoded parameters, for the verifier.
    pub(crate) fn into_parts(self) -> (Option<String>, Vec<(String, String)>) {
        (self.realm, self.params)
    }

    /// Adds a parameter as it stands on the wire: `realm` unquoted, any
    /// other name and value percent-decoded.
    fn push_raw(&mut self, raw_name: &str, raw_value: &str) -> Result<(), Error> {
        if raw_name.eq_ignore_ascii_case("realm") {
            if self.realm.is_some() {
                return Err(Error::DuplicateParameter);
            }
            self.realm = Some(unescape(raw_value));
            return Ok(());
        }
        if self.params.len() >= MAX_PARAMS {
            return Err(Error::TooLarge);
        }
        let name = decode(raw_name)?;
        self.check_name(&name)?;
        let value = decode(raw_value)?;
        self.params.push((name.into_owned(), value.into_owned()));
        Ok(())
    }

    /// Adds a decoded parameter.
    fn push(&mut self, name: &str, value: &str) -> Result<(), Error> {
        self.check_name(name)?;
        self.params.push((String::from(name), String::from(value)));
        Ok(())
    }

    /// Refuses an empty name, `realm` (it is kept apart), an unknown
    /// `oauth_*` name and a name already present (SECURITY.md item 7).
    fn check_name(&self, name: &str) -> Result<(), Error> {
        if name.is_empty() || name.eq_ignore_ascii_case("realm") {
            return Err(Error::InvalidHeader);
        }
        if name.starts_with("oauth_") && Param::from_name(name).is_none() {
            return Err(Error::UnknownParameter);
        }
        if self.params().any(|(n, _)| n == name) {
            return Err(Error::DuplicateParameter);
        }
        Ok(())
    }
}

/// Renders `OAuth realm="..", name="value", ...`
/// ([RFC 5849 §3.5.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1)):
/// the realm as a quoted string, names and values percent-encoded (§3.6).
pub(crate) fn render<'a>(
    realm: Option<&str>,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("OAuth ");
    let mut separator = "";
    if let Some(realm) = realm {
        out.push_str("realm=\"");
        for c in realm.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        separator = ", ";
    }
    for (name, value) in params {
        out.push_str(separator);
        separator = ", ";
        percent_encode_into(&mut out, name);
        out.push_str("=\"");
        percent_encode_into(&mut out, value);
        out.push('"');
    }
    out
}

/// Strips the auth-scheme `OAuth` (case-insensitive,
/// [RFC 9110 §11.1](https://www.rfc-editor.org/rfc/rfc9110#section-11.1))
/// and the whitespace after it; returns the parameters.
fn strip_scheme(header: &str) -> Result<&str, Error> {
    let header = header.trim_start_matches(is_ows);
    let after = match header.get(..5) {
        Some(scheme) if scheme.eq_ignore_ascii_case("OAuth") => &header[5..],
        _ => return Err(Error::InvalidHeader),
    };
    let params = after.trim_start_matches(is_ows);
    if !params.is_empty() && params.len() == after.len() {
        return Err(Error::InvalidHeader);
    }
    Ok(params)
}

/// Splits `name="value"` off the front of `input`
/// ([RFC 5849 §3.5.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1)):
/// the raw name, the raw value between the quotes, and what follows. Names
/// and values hold only §3.6's unreserved characters and escapes; `realm`'s
/// value is a quoted string with `\` escapes.
fn split_param(input: &str) -> Result<(&str, &str, &str), Error> {
    let name_len = input.bytes().take_while(|&b| is_encoded(b)).count();
    let (name, rest) = input.split_at(name_len);
    let quoted = rest.strip_prefix("=\"").ok_or(Error::InvalidHeader)?;
    if name.is_empty() {
        return Err(Error::InvalidHeader);
    }
    let end = if name.eq_ignore_ascii_case("realm") {
        quoted_string_end(quoted.as_bytes())
    } else {
        quoted.bytes().position(|b| !is_encoded(b))
    };
    match end {
        Some(end) if quoted.as_bytes()[end] == b'"' => {
            Ok((name, &quoted[..end], &quoted[end + 1..]))
        }
        _ => Err(Error::InvalidHeader),
    }
}

/// Where the closing `"` of a quoted string's body (`qdtext` and
/// `quoted-pair`s, [RFC 9110 §5.6.4](https://www.rfc-editor.org/rfc/rfc9110#section-5.6.4))
/// stands, or where a byte it may not hold does; `None` at the end.
fn quoted_string_end(bytes: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' if bytes.get(i + 1).is_some_and(|&b| is_quotable(b)) => i += 2,
            _ if is_qdtext(b) => i += 1,
            _ => return Some(i),
        }
    }
    None
}

/// Removes the backslashes of a quoted string's `quoted-pair`s
/// ([RFC 9110 §5.6.4](https://www.rfc-editor.org/rfc/rfc9110#section-5.6.4)).
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            _ => out.push(c),
        }
    }
    out
}
