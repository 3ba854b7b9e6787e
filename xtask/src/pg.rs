//! A throwaway PostgreSQL cluster from Debian's package, for `cargo xtask
//! cluster` and the PostgreSQL steps of `cargo xtask ci`: `initdb` in a
//! temporary directory, `pg_ctl start` listening only on a unix socket in
//! that directory, stopped and removed when the guard drops (on failure
//! too). PostgreSQL refuses to run as root, so as root every PostgreSQL
//! program runs as the `postgres` user (`runuser`), and the directory is
//! made theirs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// The socket's port number (only a file name: nothing listens on TCP).
const PORT: u16 = 5432;

/// A running throwaway cluster; stopped and deleted on drop.
pub(crate) struct PgCluster {
    bin: PathBuf,
    dir: PathBuf,
    as_postgres: bool,
}

impl PgCluster {
    /// Creates and starts a cluster in a fresh temporary directory.
    pub(crate) fn start() -> Result<Self> {
        let bin = postgres_bin()?;
        let as_postgres = is_root()?;
        let dir = std::env::temp_dir().join(format!("smart-pg-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o755))?;
        }
        if as_postgres {
            run(
                Command::new("chown").arg("postgres:postgres").arg(&dir),
                "chown postgres",
            )?;
        }
        // From here on the guard removes what was made, on any failure.
        let cluster = PgCluster {
            bin,
            dir,
            as_postgres,
        };
        let data = cluster.dir.join("data");
        eprintln!(
            "==> xtask pg: initdb {} (no locale: byte order, as SQLite)",
            data.display()
        );
        run(
            cluster.command("initdb").arg("-D").arg(&data).args([
                "-U",
                "postgres",
                "--auth=trust",
                "--no-locale",
                "-E",
                "UTF8",
            ]),
            "initdb",
        )?;
        // Three replicas with pools of 16 each, the tests' clusters beside
        // them: more than the default 100 connections.
        let options = format!(
            "-k {} -p {PORT} -c listen_addresses='' -c max_connections=300",
            cluster.dir.display()
        );
        run(
            cluster
                .command("pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(cluster.dir.join("postgres.log"))
                .args(["-o", &options, "-w", "-t", "60", "start"]),
            "pg_ctl start",
        )?;
        eprintln!("==> xtask pg: PostgreSQL at {}", cluster.url());
        Ok(cluster)
    }

    /// The connection string (libpq key=value form) of the `postgres`
    /// database as the superuser, over the unix socket.
    pub(crate) fn url(&self) -> String {
        format!(
            "host={} port={PORT} user=postgres dbname=postgres",
            self.dir.display()
        )
    }

    /// A fresh database on the cluster; returns its connection string.
    pub(crate) fn create_database(&self, name: &str) -> Result<String> {
        run(self.client("createdb").arg(name), "createdb")?;
        Ok(format!(
            "host={} port={PORT} user=postgres dbname={name}",
            self.dir.display()
        ))
    }

    /// How many transactions the database `name` has committed or rolled
    /// back (`pg_stat_database`): each statement run on its own is one,
    /// so over a load of single statements, its round trips. The counters
    /// are flushed by each backend about once a second; read them a moment
    /// after the load.
    pub(crate) fn transactions(&self, name: &str) -> Result<u64> {
        let text = run(
            self.client("psql").args(["-At", "-d", name]).args([
                "-c",
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()",
            ]),
            "psql",
        )?;
        text.parse()
            .with_context(|| format!("psql answered `{text}`, not a count"))
    }

    /// A PostgreSQL client program, connecting to this cluster as
    /// `postgres`.
    fn client(&self, program: &str) -> Command {
        let mut c = self.command(program);
        c.args(["-h", &self.dir.to_string_lossy()]).args([
            "-p",
            &PORT.to_string(),
            "-U",
            "postgres",
        ]);
        c
    }

    /// A PostgreSQL program, run as `postgres` when we are root.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        if data.join("postmaster.pid").exists() {
            let stopped = self
                .command("pg_ctl")
                .arg("-D")
                .arg(&data)
                .args(["-m", "fast", "-w", "-t", "60", "stop"])
                .stdout(Stdio::null())
                .status();
            if !stopped.is_ok_and(|s| s.success()) {
                eprintln!(
                    "warning: could not stop the PostgreSQL cluster in {}",
                    self.dir.display()
                );
                return;
            }
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Debian's `/usr/lib/postgresql/<version>/bin`, the newest version.
fn postgres_bin() -> Result<PathBuf> {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir(root)
        .with_context(|| {
            format!(
                "no {} (Debian's package `postgresql`; .ci/install-system-packages installs it)",
                root.display()
            )
        })?
        .filter_map(|e| {
            let e = e.ok()?;
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .with_context(|| format!("no PostgreSQL server under {}", root.display()))
}

fn is_root() -> Result<bool> {
    let out = Command::new("id")
        .arg("-u")
        .output()
        .context("cannot run `id -u`")?;
    Ok(String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// Runs `command`; its standard output, trimmed, when it succeeds.
fn run(command: &mut Command, what: &str) -> Result<String> {
    let out = command
        .output()
        .with_context(|| format!("could not run {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
