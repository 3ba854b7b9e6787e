//! The three commands, as functions from arguments to an [`Outcome`].

use std::fmt::Write as _;

use oauth1_sign::{
    Body, Error, FORM_CONTENT_TYPE, IncomingRequest, OAuthParams, RequestParts, Secret,
    SignatureMethod, base_string_uri, form_decode, generate_nonce, is_form_content_type,
    normalize_parameters, percent_encode, sign,
};
use serde_json::json;

use crate::Outcome;
use crate::args::{Cli, Command, ExplainArgs, Format, SignArgs, VerifyArgs};

pub(crate) fn dispatch(cli: Cli) -> Outcome {
    let result = match cli.command {
        Command::Sign(args) => sign_command(&args),
        Command::Explain(args) => explain_command(&args),
        Command::Verify(args) => verify_command(&args),
    };
    match result {
        Ok(stdout) => Outcome {
            code: 0,
            stdout,
            stderr: String::new(),
        },
        Err(Failure::Invalid(reason)) => Outcome {
            code: 1,
            stdout: String::new(),
            stderr: format!("invalid: {reason}\n"),
        },
        Err(Failure::Differs {
            explanation,
            report,
        }) => Outcome {
            code: 1,
            stdout: explanation,
            stderr: format!("invalid: the base strings differ\n{report}"),
        },
        Err(Failure::BadInput(reason)) => Outcome {
            code: 2,
            stdout: String::new(),
            stderr: format!("oauth1: {reason}\n"),
        },
    }
}

/// Why a command did not succeed.
enum Failure {
    /// The request is not valid (exit 1).
    Invalid(String),
    /// The arguments are unusable (exit 2).
    BadInput(String),
    /// `explain --compare`: the other side's base string is not ours
    /// (exit 1); the explanation still goes to standard output.
    Differs { explanation: String, report: String },
}

fn bad(reason: impl Into<String>) -> Failure {
    Failure::BadInput(reason.into())
}

/// A request ready to sign, built from the `sign`/`explain` arguments.
struct Prepared {
    method: String,
    url: String,
    body: Vec<u8>,
    content_type: Option<String>,
    form: bool,
    oauth: OAuthParams,
    consumer_secret: Secret,
    token_secret: Option<Secret>,
}

impl Prepared {
    fn parts(&self) -> RequestParts<'_> {
        let body = if self.form {
            Body::Form(&self.body)
        } else if self.body.is_empty() && self.content_type.is_none() {
            Body::Empty
        } else {
            Body::Other(&self.body)
        };
        RequestParts {
            method: &self.method,
            url: &self.url,
            body,
        }
    }
}

fn prepare(args: &SignArgs) -> Result<Prepared, Failure> {
    let method: SignatureMethod = args.signature_method.parse().map_err(|_| {
        bad(format!(
            "unsupported signature method {}",
            args.signature_method
        ))
    })?;
    let consumer_secret = match (&args.rsa_key, &args.consumer_secret) {
        (Some(path), _) if is_rsa(method) => Secret::new(
            std::fs::read_to_string(path)
                .map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?,
        ),
        (None, _) if is_rsa(method) => return Err(bad("RSA methods need --rsa-key PEM_FILE")),
        (_, Some(secret)) => Secret::new(secret.as_str()),
        (_, None) => return Err(bad("--consumer-secret is required")),
    };
    let timestamp = match &args.timestamp {
        Some(t) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => t
            .parse()
            .map_err(|_| bad("--timestamp does not fit 64 bits"))?,
        Some(_) => return Err(bad("--timestamp must be ascii digits")),
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|_| bad("the clock is before 1970"))?
            .as_secs(),
    };
    let nonce = match &args.nonce {
        Some(n) => n.clone(),
        None => generate_nonce().map_err(|e| bad(format!("cannot generate a nonce: {e}")))?,
    };
    let mut oauth = OAuthParams::new(args.consumer_key.as_str(), method, timestamp, nonce);
    oauth.token = args.token.clone();
    oauth.callback = args.callback.clone();
    oauth.verifier = args.verifier.clone();
    oauth.realm = args.realm.clone();
    oauth.version = if args.no_oauth_version {
        None
    } else {
        Some(args.oauth_version.clone().unwrap_or_else(|| "1.0".into()))
    };

    let mut extra = String::new();
    for p in &args.params {
        let (name, value) = p
            .split_once('=')
            .ok_or_else(|| bad(format!("--param {p:?} is not NAME=VALUE")))?;
        if !extra.is_empty() {
            extra.push('&');
        }
        extra.push_str(&percent_encode(name));
        extra.push('=');
        extra.push_str(&percent_encode(value));
    }
    let mut url = args.url.clone();
    let mut body = args.body.clone().unwrap_or_default().into_bytes();
    let mut content_type = args.content_type.clone();
    if !extra.is_empty() {
        if args.method.eq_ignore_ascii_case("GET") {
            let (before, fragment) = match url.split_once('#') {
                Some((b, f)) => (b.to_owned(), Some(f.to_owned())),
                None => (url.clone(), None),
            };
            let sep = if before.contains('?') { '&' } else { '?' };
            url = format!("{before}{sep}{extra}");
            if let Some(f) = fragment {
                url.push('#');
                url.push_str(&f);
            }
        } else if args.body.is_some() {
            return Err(bad("--param cannot be combined with --body except for GET"));
        } else {
            body = extra.into_bytes();
            content_type = Some(FORM_CONTENT_TYPE.into());
        }
    }
    let form = content_type.as_deref().is_some_and(is_form_content_type);
    Ok(Prepared {
        method: args.method.clone(),
        url,
        body,
        content_type,
        form,
        oauth,
        consumer_secret,
        token_secret: args.token_secret.as_deref().map(Secret::new),
    })
}

fn sign_command(args: &SignArgs) -> Result<String, Failure> {
    let prepared = prepare(args)?;
    let signed = sign(
        &prepared.parts(),
        &prepared.oauth,
        &prepared.consumer_secret,
        prepared.token_secret.as_ref(),
    )
    .map_err(|e| bad(format!("cannot sign: {e}")))?;
    Ok(match args.format {
        Format::Text => format!(
            "base string:   {}\nsignature:     {}\nauthorization: {}\n",
            signed.base_string, signed.signature, signed.authorization
        ),
        Format::Header => format!("{}\n", signed.authorization),
        Format::Json => {
            let mut value = json!({
                "method": prepared.method,
                "url": prepared.url,
                "base_string": signed.base_string,
                "signature": signed.signature,
                "authorization": signed.authorization,
                "oauth_nonce": prepared.oauth.nonce,
                "oauth_timestamp": prepared.oauth.timestamp,
            });
            if let Some(ct) = &prepared.content_type {
                value["content_type"] = json!(ct);
                value["body"] = json!(String::from_utf8_lossy(&prepared.body));
            }
            format!("{value}\n")
        }
        Format::Curl => {
            let mut line = format!(
                "curl -X {} -H {}",
                shell_quote(&prepared.method),
                shell_quote(&format!("Authorization: {}", signed.authorization))
            );
            if let Some(ct) = &prepared.content_type {
                let _ = write!(
                    line,
                    " -H {} --data-raw {}",
                    shell_quote(&format!("Content-Type: {ct}")),
                    shell_quote(&String::from_utf8_lossy(&prepared.body))
                );
            }
            let _ = writeln!(line, " {}", shell_quote(&prepared.url));
            line
        }
    })
}

fn explain_command(args: &ExplainArgs) -> Result<String, Failure> {
    let p = prepare(&args.sign)?;
    let signed = sign(
        &p.parts(),
        &p.oauth,
        &p.consumer_secret,
        p.token_secret.as_ref(),
    )
    .map_err(|e| bad(format!("cannot sign: {e}")))?;
    let show = args.show_secrets;
    let mask = |s: &str| {
        if show {
            s.to_owned()
        } else {
            "****".to_owned()
        }
    };
    let mut out = String::new();

    let query = p
        .url
        .split('#')
        .next()
        .unwrap_or_default()
        .split_once('?')
        .map_or("", |(_, q)| q);
    let mut collected: Vec<(String, String, &str)> = Vec::new();
    for (n, v) in form_decode(query).map_err(|e| bad(format!("bad query: {e}")))? {
        collected.push((n, v, "query"));
    }
    if p.form {
        let text = String::from_utf8_lossy(&p.body);
        for (n, v) in form_decode(&text).map_err(|e| bad(format!("bad form body: {e}")))? {
            collected.push((n, v, "body"));
        }
    }
    let header = oauth1_sign::AuthorizationHeader::parse(&signed.authorization)
        .map_err(|e| bad(format!("internal: {e}")))?;
    for (n, v) in header.params().filter(|(n, _)| *n != "oauth_signature") {
        collected.push((n.to_owned(), v.to_owned(), "oauth"));
    }

    let _ = writeln!(out, "1. request: {} {}", p.method, p.url);
    if let Some(ct) = &p.content_type {
        let kind = if p.form {
            "form: parameters signed"
        } else {
            "not a form: covered by oauth_body_hash"
        };
        let _ = writeln!(
            out,
            "   body ({ct}, {kind}): {}",
            String::from_utf8_lossy(&p.body)
        );
    }
    let _ = writeln!(
        out,
        "2. collected parameters (decoded; RFC 5849 §3.4.1.3.1; realm and oauth_signature excluded):"
    );
    for (n, v, from) in &collected {
        let _ = writeln!(out, "   {from:<5} {n} = {v}");
    }
    let normalized = normalize_parameters(collected.iter().map(|(n, v, _)| (n, v)));
    let _ = writeln!(
        out,
        "3. normalized parameters (§3.4.1.3.2):\n   {normalized}"
    );
    let base_uri = base_string_uri(&p.url).map_err(|e| bad(format!("bad url: {e}")))?;
    let _ = writeln!(out, "4. base string URI (§3.4.1.2):\n   {base_uri}");
    let _ = writeln!(
        out,
        "5. signature base string (§3.4.1.1):\n   {}",
        signed.base_string
    );
    let method = p.oauth.signature_method;
    if is_rsa(method) {
        let _ = writeln!(
            out,
            "6. key: the RSA private key (§3.4.3), {}",
            mask("from --rsa-key")
        );
    } else {
        let key = format!(
            "{}&{}",
            percent_encode(p.consumer_secret.expose()),
            percent_encode(p.token_secret.as_ref().map_or("", Secret::expose))
        );
        let _ = writeln!(
            out,
            "6. key (§3.4.2: encode(consumer secret) & encode(token secret)):\n   {}",
            mask(&key)
        );
    }
    let sig_shown = if method == SignatureMethod::Plaintext {
        mask(&signed.signature)
    } else {
        signed.signature.clone()
    };
    let _ = writeln!(out, "7. signature ({}):\n   {sig_shown}", method.as_str());
    let auth_shown = if method == SignatureMethod::Plaintext && !show {
        signed
            .authorization
            .replace(&percent_encode(&signed.signature), "****")
    } else {
        signed.authorization.clone()
    };
    let _ = writeln!(out, "8. Authorization header (§3.5.1):\n   {auth_shown}");
    let Some(theirs) = &args.compare else {
        return Ok(out);
    };
    match crate::compare::compare(&signed.base_string, theirs) {
        None => {
            let _ = writeln!(out, "9. compared with the given base string: the same");
            Ok(out)
        }
        Some(report) => {
            let _ = writeln!(
                out,
                "9. compared with the given base string: different\n{report}"
            );
            Err(Failure::Differs {
                explanation: out,
                report,
            })
        }
    }
}

fn verify_command(args: &VerifyArgs) -> Result<String, Failure> {
    let body = args.body.as_deref().unwrap_or_default().as_bytes();
    let request = IncomingRequest::parse(
        &args.method,
        &args.url,
        Some(&args.authorization),
        args.content_type.as_deref(),
        body,
    )
    .map_err(classify)?;
    let expected = match &args.signature_method {
        Some(m) => m
            .parse()
            .map_err(|_| bad(format!("unsupported signature method {m}")))?,
        None => request.signature_method(),
    };
    let consumer_secret = match (&args.rsa_key, &args.consumer_secret) {
        (Some(path), _) if is_rsa(expected) => Secret::new(
            std::fs::read_to_string(path)
                .map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?,
        ),
        (None, _) if is_rsa(expected) => return Err(bad("RSA methods need --rsa-key PEM_FILE")),
        (_, Some(secret)) => Secret::new(secret.as_str()),
        (_, None) => return Err(bad("--consumer-secret is required")),
    };
    let token_secret = args.token_secret.as_deref().map(Secret::new);
    match request.verify(expected, &consumer_secret, token_secret.as_ref()) {
        Ok(_verified) => Ok(format!(
            "valid: {} signature by consumer {}{}\n",
            expected.as_str(),
            request.consumer_key(),
            request
                .token()
                .map(|t| format!(" with token {t}"))
                .unwrap_or_default()
        )),
        Err(e) => Err(classify(e)),
    }
}

/// Bad URLs are bad input (2); everything else about the request is invalid (1).
fn classify(e: Error) -> Failure {
    match e {
        Error::InvalidUrl => bad(format!("{e}")),
        e => Failure::Invalid(format!("{e} (HTTP {})", e.http_status())),
    }
}

fn is_rsa(method: SignatureMethod) -> bool {
    method.as_str().starts_with("RSA-")
}

/// Quotes `s` for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
