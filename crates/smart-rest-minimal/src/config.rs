//! The app's configuration: the containers it holds credentials for, where
//! it listens and the URL browsers reach it at.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

use crate::error::AppError;

/// The app id of the reference manifest (`manifest.json`).
pub const DEFAULT_APP_ID: &str = "rest-minimal@apps.smartplatforms.org";

/// The default listening address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8000";

/// Where the app keeps its data (the session database and its key) unless
/// told otherwise: relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "smart-rest-data";

/// The name of the app's session cookie (not the container's: both run on
/// 127.0.0.1 in the demo and browsers do not keep cookies apart by port).
pub const SESSION_COOKIE: &str = "smart_rest_minimal_session";

/// One container the app may talk to, with the app's credentials there.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerConfig {
    /// The container's api_base.
    pub api_base: String,
    /// The app id, which is also the OAuth consumer key.
    #[serde(default = "default_app_id")]
    pub app_id: String,
    /// The OAuth consumer secret.
    pub consumer_secret: String,
}

impl fmt::Debug for ContainerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContainerConfig")
            .field("api_base", &self.api_base)
            .field("app_id", &self.app_id)
            .field("consumer_secret", &"<redacted>")
            .finish()
    }
}

/// The whole configuration of the app.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The URL browsers reach the app at (it decides the cookie's `Secure` flag).
    pub public_url: Url,
    /// The containers the app holds credentials for; at least one.
    pub containers: Vec<ContainerConfig>,
    /// The directory of the session database (`sessions.sqlite3`) and its
    /// key (`session.key`).
    pub data_dir: PathBuf,
}

/// The TOML file given with `--config FILE`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    listen: Option<String>,
    public_url: Option<String>,
    data_dir: Option<PathBuf>,
    #[serde(default)]
    containers: Vec<ContainerConfig>,
}

impl Config {
    /// A configuration for one container.
    pub fn single(
        listen: SocketAddr,
        public_url: Option<&str>,
        container: ContainerConfig,
    ) -> Result<Self, AppError> {
        let config = Config {
            listen,
            public_url: public_url_or_default(public_url, listen)?,
            containers: vec![container],
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
        };
        config.validate()?;
        Ok(config)
    }

    /// Reads a TOML configuration file; `listen` and `public_url` given on
    /// the command line win over the file's.
    ///
    /// ```toml
    /// listen = "127.0.0.1:8000"
    /// public_url = "http://localhost:8000/"
    /// [[containers]]
    /// api_base = "http://localhost:7000"
    /// app_id = "rest-minimal@apps.smartplatforms.org"
    /// consumer_secret = "a long random secret"
    /// ```
    pub fn from_toml(
        text: &str,
        listen: Option<SocketAddr>,
        public_url: Option<&str>,
    ) -> Result<Self, AppError> {
        let file: ConfigFile =
            toml::from_str(text).map_err(|e| AppError::Config(format!("bad config file: {e}")))?;
        let listen = match (listen, file.listen) {
            (Some(listen), _) => listen,
            (None, Some(text)) => parse_listen(&text)?,
            (None, None) => parse_listen(DEFAULT_LISTEN)?,
        };
        let public_url = public_url.map(str::to_owned).or(file.public_url);
        let config = Config {
            listen,
            public_url: public_url_or_default(public_url.as_deref(), listen)?,
            containers: file.containers,
            data_dir: file
                .data_dir
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
        };
        config.validate()?;
        Ok(config)
    }

    /// Reads [`Config::from_toml`] from a file.
    pub fn from_file(
        path: &Path,
        listen: Option<SocketAddr>,
        public_url: Option<&str>,
    ) -> Result<Self, AppError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| AppError::Config(format!("cannot read {}: {e}", path.display())))?;
        Config::from_toml(&text, listen, public_url)
    }

    /// Whether the app is served over https (the cookie then gets `Secure`).
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    fn validate(&self) -> Result<(), AppError> {
        if self.containers.is_empty() {
            return Err(AppError::Config("no container configured".into()));
        }
        for container in &self.containers {
            if container.app_id.is_empty() {
                return Err(AppError::Config(format!(
                    "empty app_id for {}",
                    container.api_base
                )));
            }
            if container.consumer_secret.is_empty() {
                return Err(AppError::Config(format!(
                    "empty consumer_secret for {}",
                    container.api_base
                )));
            }
        }
        Ok(())
    }
}

/// Parses a listening address such as `127.0.0.1:8000`.
pub fn parse_listen(text: &str) -> Result<SocketAddr, AppError> {
    text.parse()
        .map_err(|e| AppError::Config(format!("bad listen address {text:?}: {e}")))
}

fn default_app_id() -> String {
    DEFAULT_APP_ID.to_owned()
}

fn public_url_or_default(public_url: Option<&str>, listen: SocketAddr) -> Result<Url, AppError> {
    let text = match public_url {
        Some(text) => text.to_owned(),
        None => format!("http://{listen}/"),
    };
    let url =
        Url::parse(&text).map_err(|e| AppError::Config(format!("bad public url {text:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(AppError::Config(format!(
            "public url {text:?} is not http(s)"
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]

    use super::*;

    #[test]
    fn toml_with_several_containers() {
        let text = r#"
            public_url = "https://app.example/"
            [[containers]]
            api_base = "http://a.test"
            consumer_secret = "s1"
            [[containers]]
            api_base = "http://b.test"
            app_id = "other@apps.test"
            consumer_secret = "s2"
        "#;
        let config = Config::from_toml(text, None, None).unwrap();
        assert_eq!(config.listen, parse_listen(DEFAULT_LISTEN).unwrap());
        assert!(config.is_https());
        assert_eq!(config.containers.len(), 2);
        assert_eq!(config.containers[0].app_id, DEFAULT_APP_ID);
        assert_eq!(config.containers[1].app_id, "other@apps.test");
        assert!(!format!("{config:?}").contains("s2"), "secret in Debug");
    }

    #[test]
    fn bad_files_are_errors() {
        for text in [
            "",
            "[[containers]]\napi_base = \"http://a.test\"\n",
            "[[containers]]\napi_base = \"http://a.test\"\nconsumer_secret = \"\"\n",
            "unknown = 1\n",
            "public_url = \"ftp://x\"\n[[containers]]\napi_base = \"a\"\nconsumer_secret = \"s\"\n",
        ] {
            assert!(Config::from_toml(text, None, None).is_err(), "{text}");
        }
    }

    #[test]
    fn public_url_defaults_to_the_listen_address() {
        let container = ContainerConfig {
            api_base: "http://a.test".into(),
            app_id: DEFAULT_APP_ID.into(),
            consumer_secret: "s".into(),
        };
        let config = Config::single(parse_listen("127.0.0.1:9").unwrap(), None, container).unwrap();
        assert_eq!(config.public_url.as_str(), "http://127.0.0.1:9/");
        assert!(!config.is_https());
    }
}
