//! Replicas of one container for the cross-replica tests: a fresh database
//! on the PostgreSQL named by [`POSTGRES_ENV`], several `smart-container`
//! processes on it sharing one data key, and Debian's nginx in front of them
//! (round robin). Everything started is ended when the [`Cluster`] drops.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{HelperResult, KillOnDrop, container_binary, free_addr, wait_for_http};

/// The environment variable naming the PostgreSQL server the tests may use
/// (a libpq connection string or URL with the right to create databases).
/// Unset: the cross-replica tests are skipped with a printed reason.
pub const POSTGRES_ENV: &str = "SMART_TEST_POSTGRES_URL";

/// The app installed on every cluster.
pub const CLUSTER_APP_ID: &str = "replicas@apps.example.org";
/// Its consumer secret.
pub const CLUSTER_APP_SECRET: &str = "replicas-secret-6b1e0c9d2a7f4e38";
/// The user installed on every cluster.
pub const CLUSTER_USER: &str = "carol";
/// Her password.
pub const CLUSTER_PASSWORD: &str = "carol-password-41f7a0";
/// The app's callback.
pub const CLUSTER_CALLBACK: &str = "http://localhost:8000/authorized";

/// The PostgreSQL server for these tests, or why they are skipped.
pub fn postgres_url() -> Result<String, String> {
    std::env::var(POSTGRES_ENV)
        .ok()
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| {
            format!(
                "{POSTGRES_ENV} is not set: no PostgreSQL to run the replicas on \
                 (`cargo xtask ci` and `cargo xtask cluster` start one)"
            )
        })
}

/// The connection string of database `name` on the server of `url`.
pub fn with_database(url: &str, name: &str) -> HelperResult<String> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let mut parsed = url::Url::parse(url).map_err(|e| format!("bad {POSTGRES_ENV}: {e}"))?;
        parsed.set_path(&format!("/{name}"));
        Ok(parsed.into())
    } else {
        // key=value form: a later key wins.
        Ok(format!("{url} dbname={name}"))
    }
}

/// Creates an empty database on the server of `url`; returns its
/// connection string.
pub async fn fresh_database(url: &str) -> HelperResult<String> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .map_err(|e| format!("cannot connect to {POSTGRES_ENV}: {e}"))?;
    let task = tokio::spawn(connection);
    let mut bytes = [0u8; 8];
    getrandom_bytes(&mut bytes)?;
    let name = bytes.iter().fold(String::from("replicas_"), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .map_err(|e| format!("CREATE DATABASE {name}: {e:?}"))?;
    drop(client);
    let _ = task.await;
    with_database(url, &name)
}

fn getrandom_bytes(out: &mut [u8]) -> HelperResult<()> {
    use std::io::Read as _;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(out))
        .map_err(|e| format!("no randomness: {e}"))
}

/// Several replicas of one container behind nginx.
#[derive(Debug)]
pub struct Cluster {
    /// nginx's origin: the public URL of every replica.
    pub front: String,
    /// Each replica's own origin (for requests aimed at one of them).
    pub replicas: Vec<String>,
    /// The shared database.
    pub database: String,
    /// The shared data key (64 hex digits).
    pub key: String,
    dir: tempfile::TempDir,
    nginx: Option<Nginx>,
    processes: Vec<KillOnDrop>,
}

impl Drop for Cluster {
    // The processes end before their directory goes: nginx first.
    fn drop(&mut self) {
        self.nginx = None;
        self.processes.clear();
    }
}

impl Cluster {
    /// A fresh database on `postgres`, `n` replicas installed with the app
    /// and the user, and nginx in front; returns once all answer.
    pub async fn start(postgres: &str, n: usize) -> HelperResult<Self> {
        let database = fresh_database(postgres).await?;
        let binary = container_binary()?;
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut key_bytes = [0u8; 32];
        getrandom_bytes(&mut key_bytes)?;
        let key = key_bytes.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        let front_addr = free_addr()?;
        let front = format!("http://{front_addr}");
        let manifest = dir.path().join("manifest.json");
        std::fs::write(
            &manifest,
            format!(
                r#"{{"name": "Replicas", "description": "The cross-replica tests",
                "id": "{CLUSTER_APP_ID}", "mode": "ui", "scope": "record",
                "index": "http://localhost:8000/", "oauth_callback": "{CLUSTER_CALLBACK}",
                "icon": "http://localhost:8000/icon.png", "smart_version": "1.0"}}"#
            ),
        )
        .map_err(|e| e.to_string())?;
        let admin = |args: &[&str]| -> HelperResult<()> {
            let out = Command::new(&binary)
                .arg("--data-dir")
                .arg(dir.path().join("admin"))
                .args(args)
                .env("SMART_CONTAINER_DATABASE", &database)
                .env("SMART_CONTAINER_KEY", &key)
                .output()
                .map_err(|e| e.to_string())?;
            if out.status.success() {
                Ok(())
            } else {
                Err(format!(
                    "smart-container {args:?}: {}",
                    String::from_utf8_lossy(&out.stderr)
                ))
            }
        };
        let manifest_arg = manifest.to_string_lossy().into_owned();
        admin(&["load-app", &manifest_arg, "--secret", CLUSTER_APP_SECRET])?;
        admin(&["add-user", CLUSTER_USER, "--password", CLUSTER_PASSWORD])?;
        let mut cluster = Self {
            front,
            replicas: Vec::new(),
            database,
            key,
            dir,
            nginx: None,
            processes: Vec::new(),
        };
        // The replicas start together: migrations and the seed must hold.
        for i in 0..n {
            let addr = free_addr()?;
            let log = std::fs::File::create(cluster.dir.path().join(format!("replica-{i}.log")))
                .map_err(|e| e.to_string())?;
            let err = log.try_clone().map_err(|e| e.to_string())?;
            let child = Command::new(&binary)
                .arg("--data-dir")
                .arg(cluster.dir.path().join(format!("replica-{i}")))
                .args(["serve", "--listen", &addr.to_string()])
                .args(["--public-url", &cluster.front])
                .env("SMART_CONTAINER_DATABASE", &cluster.database)
                .env("SMART_CONTAINER_KEY", &cluster.key)
                .env("RUST_LOG", "info")
                .stdin(Stdio::null())
                .stdout(log)
                .stderr(err)
                .spawn()
                .map_err(|e| format!("cannot start replica {i}: {e}"))?;
            cluster.processes.push(KillOnDrop(child));
            cluster.replicas.push(format!("http://{addr}"));
        }
        for (i, r) in cluster.replicas.iter().enumerate() {
            wait_for_http(&format!("{r}/manifest"))
                .await
                .map_err(|e| format!("replica {i}: {e}\n{}", cluster.log(i)))?;
        }
        cluster.nginx = Some(Nginx::start(
            cluster.dir.path(),
            &front_addr.to_string(),
            &cluster.replicas,
        )?);
        wait_for_http(&format!("{}/manifest", cluster.front))
            .await
            .map_err(|e| format!("nginx: {e}\n{}", cluster.nginx_log()))?;
        Ok(cluster)
    }

    /// The cluster's temporary directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// What replica `i` logged so far.
    pub fn log(&self, i: usize) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("replica-{i}.log")))
            .unwrap_or_default()
    }

    /// nginx's error log.
    pub fn nginx_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("nginx/error.log")).unwrap_or_default()
    }

    /// Runs a `smart-container` command on the shared database (another
    /// process of the same container): (success, stdout, stderr).
    pub fn command(&self, args: &[&str]) -> HelperResult<(bool, String, String)> {
        let out = Command::new(container_binary()?)
            .arg("--data-dir")
            .arg(self.dir.path().join("admin"))
            .args(args)
            .env("SMART_CONTAINER_DATABASE", &self.database)
            .env("SMART_CONTAINER_KEY", &self.key)
            .output()
            .map_err(|e| e.to_string())?;
        Ok((
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ))
    }
}

/// Debian's nginx as a round-robin balancer, in the foreground with its
/// own configuration, pid file and logs in a directory of ours; stopped
/// (`nginx -s stop`, so that the master ends its workers) when dropped.
#[derive(Debug)]
pub struct Nginx {
    child: std::process::Child,
    args: Vec<std::ffi::OsString>,
    binary: PathBuf,
}

impl Nginx {
    /// The nginx binary: `NGINX` when set, else Debian's `/usr/sbin/nginx`.
    pub fn binary() -> HelperResult<PathBuf> {
        let path = std::env::var_os("NGINX")
            .map_or_else(|| PathBuf::from("/usr/sbin/nginx"), PathBuf::from);
        if path.exists() {
            Ok(path)
        } else {
            Err(format!(
                "no nginx at {} (Debian's package `nginx`; .ci/install-system-packages installs it)",
                path.display()
            ))
        }
    }

    /// Writes the configuration under `dir/nginx` (listen on `listen`,
    /// proxy round robin to `upstreams`) and starts nginx in the foreground.
    pub fn start(dir: &Path, listen: &str, upstreams: &[String]) -> HelperResult<Self> {
        let binary = Self::binary()?;
        let home = dir.join("nginx");
        std::fs::create_dir_all(&home).map_err(|e| e.to_string())?;
        let conf = home.join("nginx.conf");
        std::fs::write(&conf, nginx_conf(&home, listen, upstreams)).map_err(|e| e.to_string())?;
        let args: Vec<std::ffi::OsString> = vec![
            "-p".into(),
            home.clone().into(),
            "-c".into(),
            conf.into(),
            "-e".into(),
            home.join("error.log").into(),
        ];
        let child = Command::new(&binary)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start nginx: {e}"))?;
        Ok(Self {
            child,
            args,
            binary,
        })
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new(&self.binary)
            .args(&self.args)
            .args(["-s", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An nginx configuration: one worker in the foreground, no file outside
/// `home`, HTTP/1.1 with kept-alive connections to the replicas, each request
/// to the next replica in turn.
pub fn nginx_conf(home: &Path, listen: &str, upstreams: &[String]) -> String {
    let h = home.display();
    let servers: String = upstreams
        .iter()
        .map(|u| format!("        server {};\n", u.trim_start_matches("http://")))
        .collect();
    // The one configuration, shared with `cargo xtask cluster`.
    include_str!("../data/nginx-replicas.conf")
        .replace("@HOME@", &h.to_string())
        .replace("@LISTEN@", listen)
        .replace("@SERVERS@", &servers)
}
