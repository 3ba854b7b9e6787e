//! Inputs found by the fuzz targets in `fuzz/` (see `fuzz/README.md`), kept
//! as tests of the property the target's oracle checks. Each test names the
//! target and what it found.

use oauth1_sign::AuthorizationHeader;
use oauth1_sign::limits::MAX_HEADER_LEN;

/// `auth_header`: a header under the size limit whose values hold raw
/// characters outside RFC 5849 §3.6's alphabet parses, but its canonical
/// rendering percent-encodes them, grows past [`MAX_HEADER_LEN`] and no
/// longer parses. A strict parser refuses such raw characters (§3.5.1 says
/// values are encoded as §3.6 describes); either way, what parses must
/// survive render-then-parse.
#[test]
fn auth_header_render_of_a_parsed_header_parses_again() {
    for header in [
        format!("OAuth a=\"{}\"", "é".repeat(2000)),
        format!("OAuth a=\"{}\"", " ".repeat(MAX_HEADER_LEN / 2)),
        // Found by the CI smoke run: raw bytes in a name expand the same way.
        format!("OAuth {}=\"D\"", "\u{1}+".repeat(MAX_HEADER_LEN / 3)),
    ] {
        assert!(header.len() <= MAX_HEADER_LEN);
        let Ok(parsed) = AuthorizationHeader::parse(&header) else {
            continue;
        };
        let rendered = parsed.render();
        let again = AuthorizationHeader::parse(&rendered);
        assert!(
            again.is_ok(),
            "a parsed header of {} bytes renders to {} bytes that do not parse: {again:?}",
            header.len(),
            rendered.len()
        );
    }
}
