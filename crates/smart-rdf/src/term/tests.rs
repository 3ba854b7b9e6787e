//! Date parsing and literal formatting edge cases.
// Tests unwrap freely: a panic is the failure report we want.
#![allow(clippy::unwrap_used, reason = "tests report failures by panicking")]

use super::*;

fn check_date(input: &str, expected: Option<(i32, u32, u32)>) {
    let expected = expected.map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap());
    assert_eq!(parse_date(input), expected, "input {input:?}");
}

#[test]
fn dates() {
    check_date("2007-03-14", Some((2007, 3, 14)));
    check_date(" 2007-03-14 ", Some((2007, 3, 14)));
    check_date("2007-03-14Z", Some((2007, 3, 14)));
    check_date("2007-03-14+02:00", Some((2007, 3, 14)));
    check_date("2007-03-14T23:59:59-05:00", Some((2007, 3, 14)));
    check_date("2007-03-14T10:00:00", Some((2007, 3, 14)));
    check_date("2007-03-14junk", None);
    check_date("2007-02-30", None);
    check_date("14/03/2007", None);
    check_date("2007-03", None);
    check_date("", None);
    check_date("2007-03-1\u{e9}", None);
}

#[test]
fn date_times() {
    let utc = |s: &str| parse_datetime(s).map(|d| d.to_rfc3339());
    assert_eq!(
        utc("2010-05-12T04:00:00Z").unwrap(),
        "2010-05-12T04:00:00+00:00"
    );
    assert_eq!(
        utc("2010-05-12T04:00:00.250-04:00").unwrap(),
        "2010-05-12T04:00:00.250-04:00"
    );
    assert_eq!(
        utc("2010-05-12T04:00:00").unwrap(),
        "2010-05-12T04:00:00+00:00"
    );
    assert_eq!(utc("2010-05-12").unwrap(), "2010-05-12T00:00:00+00:00");
    assert_eq!(utc("2010-05-12T25:00:00Z"), None);
    assert_eq!(utc("yesterday"), None);
}

#[test]
fn literals_format_as_n_triples() {
    assert_eq!(Literal::string("a\"b\\c\nd").to_string(), r#""a\"b\\c\nd""#);
    assert_eq!(
        Literal::typed("1", xsd::INTEGER).to_string(),
        "\"1\"^^<http://www.w3.org/2001/XMLSchema#integer>"
    );
    assert_eq!(Literal::typed("x", xsd::STRING), Literal::string("x"));
    assert!(Literal::typed("x", xsd::STRING).is_string());
    assert_eq!(Term::Iri("http://x".into()).to_string(), "<http://x>");
    assert_eq!(Term::BlankNode("b0".into()).to_string(), "_:b0");
}

#[test]
fn numbers() {
    let lit = |v: &str| Term::Literal(Literal::string(v));
    assert_eq!(lit("+42").to_i64().unwrap(), 42);
    assert_eq!(lit("42").to_u64().unwrap(), 42);
    assert!(lit("-1").to_u64().is_err());
    assert_eq!(lit("1e3").to_f64().unwrap(), 1000.0);
    assert_eq!(lit("-INF").to_f64().unwrap(), f64::NEG_INFINITY);
    assert!(lit("NaN").to_f64().unwrap().is_nan());
    assert!(lit("inf").to_f64().is_err());
    assert!(lit("").to_f64().is_err());
    assert!(lit("1").to_bool().unwrap());
    assert!(lit("maybe").to_bool().is_err());
}
