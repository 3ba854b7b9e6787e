//! The command-line interface (exactly as documented: scripts depend on it).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Sign, verify and explain OAuth 1.0a (RFC 5849) requests.
#[derive(Debug, Parser)]
#[command(name = "oauth1", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Sign a request and print the result.
    Sign(SignArgs),
    /// Verify a signed request: exit 0 when valid, 1 with the reason otherwise.
    Verify(VerifyArgs),
    /// Sign a request and print every step (secrets masked).
    Explain(ExplainArgs),
}

/// How `sign` prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Labelled lines for people.
    Text,
    /// One JSON object with `base_string`, `signature` and `authorization`.
    Json,
    /// The `Authorization` header value only.
    Header,
    /// A `curl` command line.
    Curl,
}

#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// HTTP method.
    #[arg(long)]
    pub(crate) method: String,
    /// Absolute URL; its query is parsed and signed.
    #[arg(long)]
    pub(crate) url: String,
    /// oauth_consumer_key.
    #[arg(long)]
    pub(crate) consumer_key: String,
    /// Consumer secret (not needed with --rsa-key).
    #[arg(long, required_unless_present = "rsa_key")]
    pub(crate) consumer_secret: Option<String>,
    /// oauth_token.
    #[arg(long)]
    pub(crate) token: Option<String>,
    /// Token secret.
    #[arg(long)]
    pub(crate) token_secret: Option<String>,
    /// Signature method.
    #[arg(long, default_value = "HMAC-SHA1", value_parser = [
        "HMAC-SHA1", "HMAC-SHA256", "HMAC-SHA512", "PLAINTEXT", "RSA-SHA1", "RSA-SHA256", "RSA-SHA512",
    ])]
    pub(crate) signature_method: String,
    /// PEM file with the RSA private key, for the RSA methods.
    #[arg(long, value_name = "PEM_FILE")]
    pub(crate) rsa_key: Option<PathBuf>,
    /// oauth_nonce (generated when absent).
    #[arg(long)]
    pub(crate) nonce: Option<String>,
    /// oauth_timestamp (the current time when absent).
    #[arg(long)]
    pub(crate) timestamp: Option<String>,
    /// oauth_callback.
    #[arg(long)]
    pub(crate) callback: Option<String>,
    /// oauth_verifier.
    #[arg(long)]
    pub(crate) verifier: Option<String>,
    /// realm (sent, never signed).
    #[arg(long)]
    pub(crate) realm: Option<String>,
    /// oauth_version to send (default 1.0).
    #[arg(long, value_name = "V", conflicts_with = "no_oauth_version")]
    pub(crate) oauth_version: Option<String>,
    /// Send no oauth_version.
    #[arg(long)]
    pub(crate) no_oauth_version: bool,
    /// Extra decoded request parameter NAME=VALUE (split at the first '='):
    /// in the query for GET, in the form body otherwise.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub(crate) params: Vec<String>,
    /// Raw request body: form bodies are parsed and signed, others get oauth_body_hash.
    #[arg(long, requires = "content_type")]
    pub(crate) body: Option<String>,
    /// Content type of --body.
    #[arg(long, value_name = "CT", requires = "body")]
    pub(crate) content_type: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    #[command(flatten)]
    pub(crate) sign: SignArgs,
    /// Print secrets, signing keys and PLAINTEXT signatures in clear.
    #[arg(long)]
    pub(crate) show_secrets: bool,
    /// The base string the other side computed (a server log, the
    /// container's /oauth/debug): show where it differs from ours, and exit 1
    /// if it does.
    #[arg(long, value_name = "BASE_STRING")]
    pub(crate) compare: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// HTTP method.
    #[arg(long)]
    pub(crate) method: String,
    /// Absolute URL as the server sees it, with its query.
    #[arg(long)]
    pub(crate) url: String,
    /// The `Authorization` header value, `OAuth ...`.
    #[arg(long)]
    pub(crate) authorization: String,
    /// Consumer secret (not needed with --rsa-key).
    #[arg(long, required_unless_present = "rsa_key")]
    pub(crate) consumer_secret: Option<String>,
    /// Token secret, when the request carries oauth_token.
    #[arg(long)]
    pub(crate) token_secret: Option<String>,
    /// The method the consumer is registered for (default: the header's).
    #[arg(long)]
    pub(crate) signature_method: Option<String>,
    /// PEM file with the RSA public key, for the RSA methods.
    #[arg(long, value_name = "PEM_FILE")]
    pub(crate) rsa_key: Option<PathBuf>,
    /// Raw request body.
    #[arg(long, requires = "content_type")]
    pub(crate) body: Option<String>,
    /// Content type of --body.
    #[arg(long, value_name = "CT", requires = "body")]
    pub(crate) content_type: Option<String>,
}
