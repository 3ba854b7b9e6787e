//! The byte classes of the grammars this crate reads, each defined once and
//! cited to its rule. Percent-encoding itself is [`crate::encode`]'s one
//! `AsciiSet`; [`is_unreserved`] is the same set, as a predicate, for the
//! parsers (a unit test checks that they agree).

/// `unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"`
/// ([RFC 3986 §2.3](https://www.rfc-editor.org/rfc/rfc3986#section-2.3)): the
/// characters [RFC 5849 §3.6](https://www.rfc-editor.org/rfc/rfc5849#section-3.6)
/// leaves unencoded.
pub(crate) const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// [`is_unreserved`] as a table, for the scans of the encoder and the
/// header parser over text that is mostly unreserved (one load per byte
/// instead of six comparisons; `cargo xtask bench` measures it).
pub(crate) static UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = is_unreserved(b as u8);
        b += 1;
    }
    table
};

/// A byte that may stand raw in a name or value of the `Authorization`
/// header, which are encoded as §3.6 says
/// ([RFC 5849 §3.5.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.5.1)):
/// unreserved, or the `%` of an escape.
pub(crate) fn is_encoded(b: u8) -> bool {
    UNRESERVED[usize::from(b)] || b == b'%'
}

/// `pct-encoded = "%" HEXDIG HEXDIG`
/// ([RFC 3986 §2.1](https://www.rfc-editor.org/rfc/rfc3986#section-2.1)) at
/// `bytes[i]`.
pub(crate) fn is_pct_encoded(bytes: &[u8], i: usize) -> bool {
    let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
    bytes.get(i) == Some(&b'%') && hex(i + 1) && hex(i + 2)
}

/// `sub-delims` ([RFC 3986 §2.2](https://www.rfc-editor.org/rfc/rfc3986#section-2.2)).
fn is_sub_delim(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

/// A `scheme` character after the first
/// ([RFC 3986 §3.1](https://www.rfc-editor.org/rfc/rfc3986#section-3.1)):
/// `ALPHA / DIGIT / "+" / "-" / "."`.
pub(crate) fn is_scheme(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')
}

/// A `reg-name` byte ([RFC 3986 §3.2.2](https://www.rfc-editor.org/rfc/rfc3986#section-3.2.2)):
/// `unreserved / pct-encoded / sub-delims`, ASCII only (so `@`, and with it
/// user information, is refused).
pub(crate) fn is_reg_name(b: u8) -> bool {
    is_unreserved(b) || is_sub_delim(b) || b == b'%'
}

/// A byte of an `IP-literal` between brackets
/// ([RFC 3986 §3.2.2](https://www.rfc-editor.org/rfc/rfc3986#section-3.2.2)):
/// hex digits, `:`, and the `.` of an embedded IPv4 address.
pub(crate) fn is_ip_literal(b: u8) -> bool {
    b.is_ascii_hexdigit() || matches!(b, b':' | b'.')
}

/// A path byte kept as is: `pchar` without its `pct-encoded` (checked
/// apart), or `/` ([RFC 3986 §3.3](https://www.rfc-editor.org/rfc/rfc3986#section-3.3)).
pub(crate) fn is_path(b: u8) -> bool {
    is_unreserved(b) || is_sub_delim(b) || matches!(b, b':' | b'@' | b'/')
}

/// Optional whitespace, `OWS = *( SP / HTAB )`
/// ([RFC 9110 §5.6.3](https://www.rfc-editor.org/rfc/rfc9110#section-5.6.3)).
pub(crate) fn is_ows(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// `qdtext` of the realm's quoted string
/// ([RFC 9110 §5.6.4](https://www.rfc-editor.org/rfc/rfc9110#section-5.6.4),
/// RFC 2617 as RFC 5849 §3.5.1 cites it): any byte but controls, DEL, `"`
/// and `\`; bytes of UTF-8 text (`obs-text`) included.
pub(crate) fn is_qdtext(b: u8) -> bool {
    is_quotable(b) && b != b'"' && b != b'\\'
}

/// A byte a `quoted-pair` (`\` and one byte) may escape
/// ([RFC 9110 §5.6.4](https://www.rfc-editor.org/rfc/rfc9110#section-5.6.4)):
/// any byte but controls and DEL.
pub(crate) fn is_quotable(b: u8) -> bool {
    b >= 0x20 && b != 0x7f
}

/// `VCHAR`, visible ASCII ([RFC 5234 appendix B.1](https://www.rfc-editor.org/rfc/rfc5234#appendix-B.1)):
/// the alphabet of keys, tokens, nonces and verifiers this crate accepts.
pub(crate) fn is_vchar(b: u8) -> bool {
    (0x21..=0x7e).contains(&b)
}
