//! Unit tests of the private helpers.

use alloc::string::String;

use crate::encode::Pairs;

#[test]
fn pairs_sort_by_name_then_value() {
    let mut p = Pairs::default();
    p.push("b", "1");
    p.push("a", "z");
    p.push("a", "2");
    p.sort();
    let got: alloc::vec::Vec<(&str, &str)> = p.iter().collect();
    assert_eq!(got, [("a", "2"), ("a", "z"), ("b", "1")]);
}

#[test]
fn timestamp_formatting() {
    let mut buf = [0u8; 20];
    assert_eq!(crate::sign::u64_str(0, &mut buf), "0");
    assert_eq!(
        crate::sign::u64_str(u64::MAX, &mut buf),
        "18446744073709551615"
    );
    let _unused = String::new();
}
