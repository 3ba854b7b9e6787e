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

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]

    /// The fast path of `sign` (re-encoding without decoding) agrees with
    /// decoding then encoding, errors included.
    #[test]
    fn form_reencoding_matches_decode_then_encode(raw in "([a-zA-Z0-9+%=&~. é😀\"]|%[0-9a-fA-F]{2}|%[c-fC-F][0-9a-f]%[89ab][0-9a-f]){0,12}") {
        let mut fast = Pairs::default();
        let fast = fast.push_form_encoded(&raw).map(|()| fast.iter().map(|(n, v)| (String::from(n), String::from(v))).collect::<alloc::vec::Vec<_>>());
        let mut slow = Pairs::default();
        let slow = slow.push_form(&raw, usize::MAX).map(|()| {
            let mut enc = Pairs::default();
            for (n, v) in slow.iter() {
                enc.push_encoded(n, v);
            }
            enc.iter().map(|(n, v)| (String::from(n), String::from(v))).collect::<alloc::vec::Vec<_>>()
        });
        proptest::prop_assert_eq!(fast, slow);
    }
}
