//! The opened data directory and the operator's actions on it (install and
//! remove apps, add users, revoke tokens).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::crypto::{self, DataKey, PasswordCost, Secret};
use crate::manifest::AppManifest;
use crate::store::{DB_FILE, Store, StoredApp, User};
use crate::{Error, synth};

/// The secret the original developer app shipped with; never accepted
/// outside development mode.
pub(crate) const DEVELOPER_SECRET: &str = "smartapp-secret";

/// The shortest consumer secret accepted outside development mode.
pub(crate) const MIN_SECRET_LEN: usize = 16;

/// An opened data directory: the database and the data key.
#[derive(Debug, Clone)]
pub struct Container {
    pub(crate) store: Arc<Store>,
    pub(crate) key: DataKey,
    pub(crate) password_cost: PasswordCost,
    data_dir: PathBuf,
}

/// An installed app as `list-apps` shows it.
#[derive(Debug, Clone)]
pub struct AppSummary {
    /// The app id (consumer key).
    pub id: String,
    /// The app name.
    pub name: String,
    /// Why its secret is unacceptable outside `--dev`, if it is.
    pub weak_secret: Option<String>,
}

impl Container {
    /// Opens the data directory, creating it (mode 0700), its data key and
    /// its database; runs the migrations and, on first start, stores the
    /// synthetic patients ([`crate::DEFAULT_PATIENTS`] from
    /// [`crate::DEFAULT_SEED`]).
    pub fn open(data_dir: impl AsRef<Path>) -> Result<Self, Error> {
        Self::open_with(data_dir, None)
    }

    /// As [`Container::open`], on the PostgreSQL database at `database`
    /// (`postgres://user@host:port/db`, or `host=/socket/dir`) when given:
    /// several replicas share one such database and one data key
    /// ([`crate::KEY_ENV`]). The data directory then holds only the key file
    /// of a container that has no `SMART_CONTAINER_KEY`; the key file is
    /// created only for a fresh database.
    pub fn open_with(data_dir: impl AsRef<Path>, database: Option<&str>) -> Result<Self, Error> {
        let data_dir = data_dir.as_ref().to_path_buf();
        create_private_dir(&data_dir)?;
        #[cfg(test)]
        let test_pg = test_postgres(&data_dir);
        #[cfg(test)]
        let database = database.or(test_pg.as_ref().map(|(url, _)| url.as_str()));
        let (store, key) = match database {
            Some(url) => {
                #[cfg(test)]
                let schema = test_pg.as_ref().map(|(_, schema)| schema.as_str());
                #[cfg(not(test))]
                let schema = None;
                let (store, fresh) = Store::open_postgres(url, schema)?;
                (store, DataKey::load(&data_dir, fresh)?)
            }
            None => {
                let fresh = !data_dir.join(DB_FILE).exists();
                let key = DataKey::load(&data_dir, fresh)?;
                (Store::open(&data_dir.join(DB_FILE))?, key)
            }
        };
        synth::seed_store(&store, synth::DEFAULT_SEED, synth::DEFAULT_PATIENTS)?;
        Ok(Self {
            store: Arc::new(store),
            key,
            password_cost: PasswordCost::Standard,
            data_dir,
        })
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Sets the argon2 cost of passwords hashed from now on (tests use
    /// [`PasswordCost::Test`]).
    pub fn set_password_cost(&mut self, cost: PasswordCost) {
        self.password_cost = cost;
    }

    /// Validates a manifest and installs the app, replacing (and revoking
    /// the tokens of) an app with the same id. Returns the consumer key (the
    /// manifest `id`) and the secret: `secret` when given, otherwise a fresh
    /// random one of 32 alphanumerics.
    pub fn install_app(
        &self,
        manifest_json: &str,
        secret: Option<&str>,
    ) -> Result<(String, Secret), Error> {
        let manifest = AppManifest::parse(manifest_json)?;
        for warning in &manifest.warnings {
            tracing::warn!(app = %manifest.id, %warning, "app manifest");
        }
        let secret = match secret {
            Some(s) if s.chars().any(char::is_control) => {
                return Err(Error::Invalid(
                    "the secret must not contain control characters".into(),
                ));
            }
            Some(s) => Secret::new(s),
            None => Secret::new(crypto::random_token(32)),
        };
        let sealed = self.key.seal(&app_context(&manifest.id), secret.expose())?;
        let json = serde_json::to_string(&manifest.json).map_err(|source| Error::ToJson {
            what: "an app manifest",
            source,
        })?;
        self.store.put_app(&StoredApp {
            id: manifest.id.clone(),
            manifest: json,
            secret_sealed: sealed,
        })?;
        Ok((manifest.id, secret))
    }

    /// Removes an app with its tokens and scratchpads.
    pub fn remove_app(&self, app_id: &str) -> Result<(), Error> {
        if self.store.remove_app(app_id)? {
            Ok(())
        } else {
            Err(Error::NotFound(format!("no app `{app_id}`")))
        }
    }

    /// Every installed app.
    pub fn list_apps(&self) -> Result<Vec<AppSummary>, Error> {
        self.store
            .apps()?
            .into_iter()
            .map(|a| {
                let manifest = AppManifest::parse(&a.manifest)?;
                let secret = self.key.open(&app_context(&a.id), &a.secret_sealed)?;
                Ok(AppSummary {
                    id: a.id,
                    name: manifest.name,
                    weak_secret: weak_secret(&secret),
                })
            })
            .collect()
    }

    /// Adds a user (the user id is the user name) or resets its password.
    /// Returns the user id.
    pub fn add_user(&self, username: &str, password: &str) -> Result<String, Error> {
        let ok = !username.is_empty()
            && username.len() <= 64
            && username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c));
        if !ok {
            return Err(Error::Invalid(
                "user names are 1-64 letters, digits or `._-@`".into(),
            ));
        }
        if password.is_empty() {
            return Err(Error::Invalid("the password must not be empty".into()));
        }
        let hash = crypto::hash_password(password, self.password_cost)?;
        let given = username.split(['@', '.']).next().unwrap_or(username);
        let mut given_name: String = given.chars().take(1).flat_map(char::to_uppercase).collect();
        given_name.extend(given.chars().skip(1));
        self.store.put_user(&User {
            id: username.to_owned(),
            password_hash: hash,
            given_name,
            family_name: "(container user)".into(),
        })?;
        Ok(username.to_owned())
    }

    /// Revokes every request and access token of an app; returns how many
    /// access tokens died.
    pub fn revoke_tokens(&self, app_id: &str) -> Result<usize, Error> {
        if self.store.app(app_id)?.is_none() {
            return Err(Error::NotFound(format!("no app `{app_id}`")));
        }
        self.store.revoke_tokens(app_id)
    }

    /// Creates the user `demo`/`demo` when no user exists; `true` if it did.
    pub fn ensure_dev_user(&self) -> Result<bool, Error> {
        if self.store.user_count()? > 0 {
            return Ok(false);
        }
        self.add_user("demo", "demo")?;
        Ok(true)
    }

    /// Why a consumer secret would be refused outside `--dev`, if it would.
    pub fn weak_secret_reason(secret: &Secret) -> Option<String> {
        weak_secret(secret)
    }

    /// A loaded app: its manifest and secret.
    pub(crate) fn app(&self, app_id: &str) -> Result<Option<(AppManifest, Secret)>, Error> {
        match self.store.app(app_id)? {
            None => Ok(None),
            Some(a) => {
                let manifest = AppManifest::parse(&a.manifest)?;
                let secret = self.key.open(&app_context(&a.id), &a.secret_sealed)?;
                Ok(Some((manifest, secret)))
            }
        }
    }
}

/// Why a consumer secret is unacceptable outside development mode.
pub(crate) fn weak_secret(secret: &Secret) -> Option<String> {
    let s = secret.expose();
    if s.is_empty() {
        Some("its secret is empty".into())
    } else if secret.ct_eq(DEVELOPER_SECRET) {
        Some(format!(
            "its secret is the public developer secret `{DEVELOPER_SECRET}`"
        ))
    } else if s.chars().count() < MIN_SECRET_LEN {
        Some(format!(
            "its secret is shorter than {MIN_SECRET_LEN} characters"
        ))
    } else {
        None
    }
}

/// The associated data binding an app's sealed secret to its row.
pub(crate) fn app_context(app_id: &str) -> String {
    format!("app:{app_id}")
}

/// The environment variable that runs the crate's own tests on PostgreSQL
/// (`cargo xtask ci` sets it to a throwaway cluster).
#[cfg(test)]
pub(crate) const TEST_POSTGRES_ENV: &str = "SMART_TEST_POSTGRES_URL";

/// With [`TEST_POSTGRES_ENV`] set, a test's container lives in a schema of
/// its own, named after its (temporary) data directory, so that reopening
/// the directory reopens the same data.
#[cfg(test)]
fn test_postgres(data_dir: &Path) -> Option<(String, String)> {
    let url = std::env::var(TEST_POSTGRES_ENV)
        .ok()
        .filter(|u| !u.is_empty())?;
    let schema = format!("t_{}", &crypto::digest(&data_dir.to_string_lossy())[..24]);
    Some((url, schema))
}

fn create_private_dir(dir: &Path) -> Result<(), Error> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(Error::io(format!("create {}", dir.display())))
}
