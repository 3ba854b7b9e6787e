//! The names of the protocol parameters, as one enum.

/// A protocol parameter ([RFC 5849 §3.1](https://www.rfc-editor.org/rfc/rfc5849#section-3.1),
/// `oauth_callback` of [§2.1](https://www.rfc-editor.org/rfc/rfc5849#section-2.1),
/// `oauth_verifier` of [§2.3](https://www.rfc-editor.org/rfc/rfc5849#section-2.3),
/// and `oauth_body_hash` of the OAuth Request Body Hash extension). Any
/// other `oauth_*` name is refused wherever it appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Param {
    ConsumerKey,
    Token,
    SignatureMethod,
    Signature,
    Timestamp,
    Nonce,
    Version,
    Callback,
    Verifier,
    BodyHash,
}

impl Param {
    /// Every protocol parameter.
    pub(crate) const ALL: [Param; 10] = [
        Param::ConsumerKey,
        Param::Token,
        Param::SignatureMethod,
        Param::Signature,
        Param::Timestamp,
        Param::Nonce,
        Param::Version,
        Param::Callback,
        Param::Verifier,
        Param::BodyHash,
    ];

    /// The parameter's name on the wire.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Param::ConsumerKey => "oauth_consumer_key",
            Param::Token => "oauth_token",
            Param::SignatureMethod => "oauth_signature_method",
            Param::Signature => "oauth_signature",
            Param::Timestamp => "oauth_timestamp",
            Param::Nonce => "oauth_nonce",
            Param::Version => "oauth_version",
            Param::Callback => "oauth_callback",
            Param::Verifier => "oauth_verifier",
            Param::BodyHash => "oauth_body_hash",
        }
    }

    /// The parameter named `name`, if it is one.
    pub(crate) fn from_name(name: &str) -> Option<Param> {
        Param::ALL.into_iter().find(|p| p.name() == name)
    }
}
