//! Shared helpers for the integration tests: the real `smart-container`
//! binary in a temporary data directory on a loopback port, and the dance
//! driven like a browser.

pub mod cluster;

/// `cargo` without what cargo set for this test (one rule with `cargo xtask`).
#[path = "../../xtask/src/cargo_env.rs"]
mod cargo_env;

use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use smart_browser::Browser;
use smart_client::{AccessToken, Credentials, SmartClient};
use url::Url;

/// The app id of the reference app's manifest.
pub const APP_ID: &str = "rest-minimal@apps.smartplatforms.org";

/// The user the container creates in development mode.
pub const USER: &str = "demo";

/// Its password.
pub const PASSWORD: &str = "demo";

/// A failure of a helper, with what it was doing.
pub type HelperResult<T> = Result<T, String>;

/// The `smart-container` binary next to the test executable
/// (`target/debug/deps/../smart-container`), built first if missing.
pub fn container_binary() -> HelperResult<PathBuf> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT.get_or_init(|| binary("smart-container")).clone()
}

/// The `smart-rest-minimal` binary, built first if missing.
pub fn app_binary() -> HelperResult<PathBuf> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT.get_or_init(|| binary("smart-rest-minimal")).clone()
}

/// The `smart-demo` binary, built first if missing.
pub fn demo_binary() -> HelperResult<PathBuf> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT.get_or_init(|| binary("smart-demo")).clone()
}

/// The binary of a workspace package (named like the package) next to the
/// test executable. It is built once per test run with `cargo build -p NAME
/// --bin NAME` (a no-op when fresh): `cargo test` builds a package's binary
/// only for that package's own integration tests, so without this an old
/// binary could be tested.
fn binary(name: &str) -> HelperResult<PathBuf> {
    let exe = std::env::current_exe().map_err(|e| format!("no current exe: {e}"))?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("the test executable is not in target/<profile>/deps")?;
    let binary = profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let mut command =
        cargo_env::command(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .args(["build", "--quiet", "-p", name, "--bin", name])
        .current_dir(workspace_root());
    if profile_dir.file_name().is_some_and(|p| p == "release") {
        command.arg("--release");
    }
    match command.status() {
        Ok(status) if status.success() && binary.exists() => Ok(binary),
        // Without a working cargo (tests run from a copied binary), an
        // existing binary is still usable.
        _ if binary.exists() => Ok(binary),
        Ok(status) => Err(format!("building {name} failed ({status})")),
        Err(e) => Err(format!("cannot run cargo build for {name}: {e}")),
    }
}

/// An example of a workspace package, built (with `features`) once per test
/// run: `target/<profile>/examples/NAME`. `cargo test` does not build
/// examples for another package's tests, and `CARGO_BIN_EXE_*` does not name them.
pub fn example_binary(package: &str, name: &str, features: &str) -> HelperResult<PathBuf> {
    let exe = std::env::current_exe().map_err(|e| format!("no current exe: {e}"))?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("the test executable is not in target/<profile>/deps")?;
    let binary = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let mut command =
        cargo_env::command(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .args(["build", "--quiet", "-p", package, "--example", name])
        .args(["--features", features])
        .current_dir(workspace_root());
    if profile_dir.file_name().is_some_and(|p| p == "release") {
        command.arg("--release");
    }
    match command.status() {
        Ok(status) if status.success() && binary.exists() => Ok(binary),
        Ok(status) => Err(format!("building example {name} failed ({status})")),
        Err(e) => Err(format!("cannot run cargo build for example {name}: {e}")),
    }
}

/// A child process killed (and reaped) when dropped.
#[derive(Debug)]
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Polls `url` until it answers (any status) or 60 s pass.
pub async fn wait_for_http(url: &str) -> HelperResult<()> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if client.get(url).send().await.is_ok() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("nothing answered at {url}"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(Path::to_path_buf).unwrap_or(here)
}

/// A free loopback address (bound, then released: another process could
/// take it in between, which on a test machine is rare enough).
pub fn free_addr() -> HelperResult<SocketAddr> {
    let listener = StdListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map_err(|e| format!("no local address: {e}"))
}

/// The reference app's manifest with its URLs under `app_url`.
pub fn app_manifest(app_url: &Url) -> HelperResult<String> {
    smart_demo::app_manifest(app_url).map_err(|e| e.to_string())
}

/// The real container binary serving a temporary data directory, with one
/// app installed; killed when dropped.
#[derive(Debug)]
pub struct ContainerProcess {
    /// The container's api_base, e.g. `http://127.0.0.1:41234`.
    pub api_base: String,
    /// The consumer secret the app was installed with.
    pub app_secret: String,
    data_dir: tempfile::TempDir,
    child: Child,
}

impl ContainerProcess {
    /// Installs the app described by `manifest_json` with a fresh secret,
    /// then serves in development mode on a free loopback port and waits
    /// until the manifest answers.
    pub async fn start(manifest_json: &str) -> HelperResult<Self> {
        let binary = container_binary()?;
        let data_dir = tempfile::Builder::new()
            .prefix("smart-it-")
            .tempdir()
            .map_err(|e| format!("no temporary directory: {e}"))?;
        let manifest_path = data_dir.path().join("app-manifest.json");
        std::fs::write(&manifest_path, manifest_json)
            .map_err(|e| format!("cannot write manifest: {e}"))?;
        let app_secret = smart_demo::random_secret().map_err(|e| e.to_string())?;
        let manifest_arg = manifest_path.to_string_lossy().into_owned();
        run_cli(
            &binary,
            data_dir.path(),
            &[
                "load-app",
                manifest_arg.as_str(),
                "--secret",
                app_secret.as_str(),
            ],
        )?;
        let addr = free_addr()?;
        let api_base = format!("http://{addr}");
        let child = serve(&binary, data_dir.path(), &addr.to_string(), &api_base)?;
        let container = ContainerProcess {
            api_base,
            app_secret,
            data_dir,
            child,
        };
        container.wait_until_up().await?;
        Ok(container)
    }

    /// Stops the container and serves the same data directory again on the
    /// same address, as after a restart.
    pub async fn restart(&mut self) -> HelperResult<()> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let addr = self
            .api_base
            .strip_prefix("http://")
            .ok_or("the api_base is not http")?
            .to_owned();
        self.child = serve(
            &container_binary()?,
            self.data_dir.path(),
            &addr,
            &self.api_base,
        )?;
        self.wait_until_up().await
    }

    /// Runs a `smart-container` command on this data directory (e.g.
    /// `revoke-tokens APP_ID`).
    pub fn cli(&self, args: &[&str]) -> HelperResult<Output> {
        run_cli(&container_binary()?, self.data_dir.path(), args)
    }

    /// A client with the installed app's credentials.
    pub fn client(&self) -> HelperResult<SmartClient> {
        SmartClient::new(
            &self.api_base,
            Credentials::new(APP_ID, self.app_secret.clone()),
        )
        .map_err(|e| e.to_string())
    }

    async fn wait_until_up(&self) -> HelperResult<()> {
        let url = format!("{}/manifest", self.api_base);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(response) = reqwest::get(&url).await
                && response.status().is_success()
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("the container did not answer at {url}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for ContainerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The dance done by the client with the browser part played headlessly:
/// request token, sign in and approve at the container, take the verifier
/// from the redirect to the callback (not followed), exchange.
pub async fn authorize(client: &SmartClient, record_id: &str) -> HelperResult<AccessToken> {
    let pending = client
        .request_token(record_id)
        .await
        .map_err(|e| e.to_string())?;
    let authorize = client.authorize_url(&pending).map_err(|e| e.to_string())?;
    let callback = approve(authorize).await?;
    let query: Vec<(String, String)> = callback.query_pairs().into_owned().collect();
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("callback without {name}"))
    };
    client
        .exchange(pending, &get("oauth_token")?, &get("oauth_verifier")?)
        .await
        .map_err(|e| e.to_string())
}

/// The browser part of the dance: opens the authorization URL, signs in as
/// the demo user, approves, and returns the callback URL the container
/// redirects to (not followed).
pub async fn approve(authorize: Url) -> HelperResult<Url> {
    let mut browser = Browser::new().map_err(|e| e.to_string())?;
    let page = browser.get(authorize).await.map_err(|e| e.to_string())?;
    let page = smart_browser::flow::sign_in(&mut browser, page, USER, PASSWORD)
        .await
        .map_err(|e| e.to_string())?;
    smart_browser::flow::approve_to_callback(&mut browser, &page)
        .await
        .map_err(|e| e.to_string())
}

/// The record ids the container's picker offers to the demo user.
pub async fn record_ids(container: &ContainerProcess) -> HelperResult<Vec<String>> {
    let url = Url::parse(&format!("{}/apps/{APP_ID}/launch", container.api_base))
        .map_err(|e| e.to_string())?;
    let mut browser = Browser::new().map_err(|e| e.to_string())?;
    let (_, choices) = smart_browser::flow::open_picker(&mut browser, &url, USER, PASSWORD)
        .await
        .map_err(|e| e.to_string())?;
    Ok(choices.into_iter().map(|c| c.record_id).collect())
}

/// Starts `smart-container serve` in development mode on `addr`.
fn serve(binary: &Path, data_dir: &Path, addr: &str, api_base: &str) -> HelperResult<Child> {
    Command::new(binary)
        .arg("--data-dir")
        .arg(data_dir)
        .args(["serve", "--listen", addr, "--public-url", api_base, "--dev"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))
}

fn run_cli(binary: &Path, data_dir: &Path, args: &[&str]) -> HelperResult<Output> {
    let output = Command::new(binary)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    if !output.status.success() {
        return Err(format!(
            "smart-container {} failed: {}",
            args.first().copied().unwrap_or_default(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(output)
}
