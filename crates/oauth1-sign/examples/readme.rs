//! The example of the README: sign on the consumer's side, verify on the
//! provider's. `tests/readme.rs` checks that the README shows this file.

use oauth1_sign::{
    Body, IncomingRequest, OAuthParams, RequestParts, Secret, SignatureMethod, sign,
};

fn main() -> Result<(), oauth1_sign::Error> {
    // The consumer: sign (RFC 5849 §1.2's photo request, with its published values).
    let mut oauth = OAuthParams::new(
        "dpf43f3p2l4k3l03",
        SignatureMethod::HmacSha1,
        137131202,
        "chapoH",
    );
    oauth.token = Some("nnch734d00sl2jdk".into());
    let url = "https://photos.example.net/photos?file=vacation.jpg&size=original";
    let request = RequestParts {
        method: "GET",
        url,
        body: Body::Empty,
    };
    let (consumer_secret, token_secret) = (
        Secret::new("kd94hf93k423kf44"),
        Secret::new("pfkkdhi9sl3r4s00"),
    );
    let signed = sign(&request, &oauth, &consumer_secret, Some(&token_secret))?;
    println!("Authorization: {}", signed.authorization);

    // The provider: parse (400 on any error), look up the secrets and check the
    // timestamp and nonce (yours to do), then verify (401 on a mismatch).
    let incoming = IncomingRequest::parse("GET", url, Some(&signed.authorization), None, b"")?;
    assert_eq!(incoming.consumer_key(), "dpf43f3p2l4k3l03");
    let _proof = incoming.verify(
        SignatureMethod::HmacSha1,
        &consumer_secret,
        Some(&token_secret),
    )?;
    println!("verified");
    Ok(())
}
