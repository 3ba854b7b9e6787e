//! Processes, ports and paths shared by the peer and browser suites.
//!
//! Both suites start real programs (our binaries, the Python peers,
//! chromedriver); each is held by a [`Service`] that ends it when dropped,
//! with its output kept in a log file that failures quote.

use std::fs::{self, File};
use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A program started for a test, ended (killed and reaped) on drop.
pub(crate) struct Service {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Service {
    /// Starts `command` with stdout and stderr in `log_dir/<name>.log`.
    pub(crate) fn start(name: &str, command: &mut Command, log_dir: &Path) -> Service {
        let log = log_dir.join(format!("{name}.log"));
        let out = File::create(&log).unwrap_or_else(|e| panic!("{name}: log file: {e}"));
        let err = out
            .try_clone()
            .unwrap_or_else(|e| panic!("{name}: log file: {e}"));
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("{name}: could not start {command:?}: {e}"));
        Service {
            name: name.to_owned(),
            child,
            log,
        }
    }

    /// Waits until the service accepts TCP connections on `port` (loopback).
    pub(crate) fn wait_for_port(&mut self, port: u16, timeout: Duration) {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let start = Instant::now();
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) before listening on {port}:\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            if start.elapsed() > timeout {
                panic!(
                    "{} did not listen on {port} within {timeout:?}:\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The last lines of the service's output, for failure messages.
    pub(crate) fn log_tail(&self) -> String {
        log_tail(&self.log)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        // The process may have ended already; both calls are then harmless.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The last 40 lines of a log file.
pub(crate) fn log_tail(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut file) = File::open(path) {
        let _ = file.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.len().saturating_sub(40);
    format!("--- {} ---\n{}", path.display(), lines[from..].join("\n"))
}

/// A TCP port that was free on loopback a moment ago.
pub(crate) fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local address").port()
}

/// The workspace root (the parent of this crate's folder).
pub(crate) fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// Cargo's target folder: the test binary lives in `<target>/<profile>/deps/`.
pub(crate) fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// A binary of the workspace, built beside this test binary.
pub(crate) fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| target_dir().join("debug"));
    let path = profile_dir.join(name);
    assert!(
        path.is_file(),
        "{} is missing: build it first (`cargo build -p {name}`, or run the suite with `cargo xtask`)",
        path.display()
    );
    path
}

/// A fresh folder under the target folder for one test's files and logs.
pub(crate) fn scratch_dir(suite: &str, test: &str) -> PathBuf {
    let dir = target_dir().join(format!("{suite}-runs")).join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}
