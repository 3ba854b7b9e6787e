//! `explain --compare`: where two signature base strings part, for the
//! usual "invalid signature" hunt, where the other side (a server log, the
//! container's `/oauth/debug` in `--dev`) shows the base string it computed.
//!
//! A base string is three encoded parts joined by `&`
//! ([RFC 5849 §3.4.1.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.4.1.1)):
//! the method, the base string URI and the normalised parameters, whose
//! `name=value` pairs are themselves encoded once more. Both strings are
//! taken apart that way, so the report names the part and the parameter
//! that differ, decoded, besides the first differing byte.

use std::fmt::Write as _;

use oauth1_sign::percent_decode;

/// A base string taken apart: method, base string URI, decoded parameters.
#[derive(Debug, PartialEq, Eq)]
struct Parts {
    method: String,
    uri: String,
    params: Vec<(String, String)>,
}

/// Takes a base string apart (the inverse of RFC 5849 §3.4.1.1 and
/// §3.4.1.3.2), or says why it is not one.
fn split(base: &str) -> Result<Parts, String> {
    let mut parts = base.split('&');
    let (Some(method), Some(uri), Some(params), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("a base string has exactly three parts joined by '&'".into());
    };
    let decode = |what: &str, text: &str| {
        percent_decode(text).map_err(|e| format!("its {what} is not percent-encoded text: {e}"))
    };
    let method = decode("method", method)?;
    let uri = decode("base string URI", uri)?;
    let normalized = decode("parameter part", params)?;
    let mut pairs = Vec::new();
    for pair in normalized.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        pairs.push((
            decode("parameter name", name)?,
            decode("parameter value", value)?,
        ));
    }
    Ok(Parts {
        method,
        uri,
        params: pairs,
    })
}

/// Compares the base string this command computed (`ours`) with the one
/// the other side computed (`theirs`): `None` when they are the same,
/// otherwise a report of the first differing byte and, part by part, what
/// differs.
pub(crate) fn compare(ours: &str, theirs: &str) -> Option<String> {
    let theirs = theirs.trim();
    let at = first_difference(ours, theirs)?;
    let mut out = String::new();
    let _ = writeln!(out, "   the base strings differ from byte {at}:");
    let _ = writeln!(out, "   ours:   {}", excerpt(ours, at));
    let _ = writeln!(out, "   theirs: {}", excerpt(theirs, at));
    let _ = writeln!(out, "           {}^", " ".repeat(excerpt_offset(at)));
    match (split(ours), split(theirs)) {
        (Ok(ours), Ok(theirs)) => report_parts(&mut out, &ours, &theirs),
        (_, Err(reason)) => {
            let _ = writeln!(out, "   theirs cannot be taken apart: {reason}");
        }
        (Err(reason), _) => {
            let _ = writeln!(out, "   ours cannot be taken apart: {reason}");
        }
    }
    Some(out)
}

/// The byte offset where `a` and `b` first differ (the shorter one's
/// length when one is a prefix of the other), `None` when equal.
fn first_difference(a: &str, b: &str) -> Option<usize> {
    if a == b {
        return None;
    }
    let common = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    Some(common)
}

/// How many bytes of context an excerpt shows before the difference.
const CONTEXT: usize = 30;

fn excerpt_offset(at: usize) -> usize {
    if at > CONTEXT { CONTEXT + 3 } else { at }
}

/// Up to [`CONTEXT`] bytes each side of `at`, marked `...` where cut. Base
/// strings are ASCII (every other byte is percent-encoded); anything else
/// is shown whole.
fn excerpt(text: &str, at: usize) -> String {
    if !text.is_ascii() {
        return text.to_owned();
    }
    let start = at.saturating_sub(CONTEXT);
    let end = (at + CONTEXT).min(text.len());
    let start = start.min(end);
    let before = if start > 0 { "..." } else { "" };
    let after = if end < text.len() { "..." } else { "" };
    format!("{before}{}{after}", &text[start..end])
}

/// The part-by-part report: method, base string URI, then the parameters
/// found on one side only (a parameter on both sides with other values
/// shows as one line per side).
fn report_parts(out: &mut String, ours: &Parts, theirs: &Parts) {
    if ours.method != theirs.method {
        let _ = writeln!(
            out,
            "   method: ours {:?}, theirs {:?}",
            ours.method, theirs.method
        );
    }
    if ours.uri != theirs.uri {
        let _ = writeln!(
            out,
            "   base string URI: ours {:?}, theirs {:?}\n   (check scheme, host, port and path as the server sees them, e.g. behind a proxy)",
            ours.uri, theirs.uri
        );
    }
    let only_ours = missing_from(&ours.params, &theirs.params);
    let only_theirs = missing_from(&theirs.params, &ours.params);
    for (name, value) in &only_ours {
        let _ = writeln!(out, "   parameter only in ours:   {name} = {value:?}");
    }
    for (name, value) in &only_theirs {
        let _ = writeln!(out, "   parameter only in theirs: {name} = {value:?}");
    }
    if only_ours.is_empty() && only_theirs.is_empty() && ours.params != theirs.params {
        let _ = writeln!(
            out,
            "   the same parameters in another order (§3.4.1.3.2 sorts by encoded name, then value)"
        );
    }
}

/// The pairs of `these` that `those` lacks, counting duplicates.
fn missing_from<'a>(
    these: &'a [(String, String)],
    those: &[(String, String)],
) -> Vec<&'a (String, String)> {
    let mut left: Vec<&(String, String)> = those.iter().collect();
    let mut missing = Vec::new();
    for pair in these {
        match left.iter().position(|p| *p == pair) {
            Some(i) => {
                left.swap_remove(i);
            }
            None => missing.push(pair),
        }
    }
    missing
}

#[cfg(test)]
// Test code: a failed unwrap is a failed test with its message.
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// RFC 5849 §3.4.1.1's example base string, shortened.
    const BASE: &str =
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26c%40%3D";

    #[test]
    fn equal_base_strings_have_no_report() {
        assert_eq!(compare(BASE, BASE), None);
        assert_eq!(compare(BASE, &format!("  {BASE}\n")), None);
    }

    #[test]
    fn base_strings_come_apart_into_decoded_parameters() {
        let parts = split(BASE).unwrap();
        assert_eq!(parts.method, "POST");
        assert_eq!(parts.uri, "http://example.com/request");
        let expected = [("a2", "r b"), ("a3", "2 q"), ("c@", "")];
        let got: Vec<(&str, &str)> = parts
            .params
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn a_differing_value_names_the_parameter_and_the_byte() {
        let theirs = BASE.replace("2%2520q", "2%252Bq");
        let report = compare(BASE, &theirs).unwrap();
        let at = BASE.find("2%2520q").unwrap() + 5;
        assert!(report.contains(&format!("from byte {at}")), "{report}");
        assert!(report.contains("only in ours:   a3 = \"2 q\""), "{report}");
        assert!(report.contains("only in theirs: a3 = \"2+q\""), "{report}");
        assert!(!report.contains("method:"), "{report}");
    }

    #[test]
    fn uri_method_and_missing_parameters_are_named() {
        let theirs = "GET&https%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26c%40%3D";
        let report = compare(BASE, theirs).unwrap();
        assert!(report.contains("from byte 0"), "{report}");
        assert!(
            report.contains("method: ours \"POST\", theirs \"GET\""),
            "{report}"
        );
        assert!(
            report.contains("base string URI: ours \"http://example.com/request\""),
            "{report}"
        );
        assert!(report.contains("only in ours:   a3"), "{report}");
        assert!(!report.contains("only in theirs"), "{report}");
    }

    #[test]
    fn unsorted_parameters_are_called_out() {
        let theirs =
            "POST&http%3A%2F%2Fexample.com%2Frequest&a3%3D2%2520q%26a2%3Dr%2520b%26c%40%3D";
        let report = compare(BASE, theirs).unwrap();
        assert!(report.contains("another order"), "{report}");
    }

    #[test]
    fn a_string_that_is_no_base_string_is_said_so() {
        let report = compare(BASE, "GET&only-two").unwrap();
        assert!(
            report.contains("theirs cannot be taken apart: a base string has exactly three parts"),
            "{report}"
        );
        let report = compare(BASE, "GET&x&%zz").unwrap();
        assert!(report.contains("not percent-encoded"), "{report}");
    }

    #[test]
    fn excerpts_mark_the_cut_and_the_caret_points_at_the_byte() {
        let long = "a".repeat(100);
        let other = format!("{}b{}", "a".repeat(50), "a".repeat(49));
        let report = compare(&long, &other).unwrap();
        let lines: Vec<&str> = report.lines().collect();
        let caret = lines[3].find('^').unwrap();
        assert_eq!(lines[2].as_bytes()[caret], b'b', "{report}");
        assert!(
            lines[1].contains("...") && lines[1].ends_with("..."),
            "{report}"
        );
    }
}
