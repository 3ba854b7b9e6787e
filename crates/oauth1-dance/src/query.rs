//! The one place that appends parameters to a URL's query.

use std::string::String;

use oauth1_sign::percent_encode_into;

/// `url` with `params` appended to its query (after a `?`, or an `&` when it
/// already has one), before any fragment; names and values percent-encoded
/// ([RFC 5849 §3.6](https://www.rfc-editor.org/rfc/rfc5849#section-3.6)).
///
/// Used for the authorization URL (`oauth_token`) and for the provider's
/// redirects to the consumer's callback (`oauth_token` with `oauth_verifier`
/// or `oauth_problem`); public so that a provider builds its other
/// redirects (a SMART container's app launch, say) the same way.
///
/// ```
/// let url = oauth1_dance::append_query("https://app.example/?a=1#top", &[("record_id", "2 3")]);
/// assert_eq!(url, "https://app.example/?a=1&record_id=2%203#top");
/// ```
#[must_use]
pub fn append_query(url: &str, params: &[(&str, &str)]) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let mut out = String::from(base);
    for (i, (name, value)) in params.iter().enumerate() {
        if i > 0 || base.contains('?') {
            out.push('&');
        } else {
            out.push('?');
        }
        percent_encode_into(&mut out, name);
        out.push('=');
        percent_encode_into(&mut out, value);
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}
