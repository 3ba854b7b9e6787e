//! The reference app in a real browser (issue 7, "Browser test").
//!
//! `smart-demo` runs the container and the app; headless
//! Chromium, driven over WebDriver by Debian's `chromedriver`, goes through
//! them as a person would: open the app, sign in, pick a patient, approve,
//! see the name; then deny and see the app's friendly error page. Every page
//! is saved as a screenshot under `target/browser-screenshots/`.
//!
//! `attacks` replays issue 16's stored-script and login-CSRF attacks.
//!
//! Run it with `cargo xtask browser` (it builds the binaries and checks
//! that `chromium` and `chromedriver` are installed).

// Tests panic on purpose with a message naming the failed step; unwrap and
// expect there are assertions, not error handling.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

#[path = "../interop/support.rs"]
mod support;

use support::{Service, binary, free_port, scratch_dir, target_dir};

mod attacks;
mod flow;

/// The flags every Chromium start gets here (no sandbox as root, no
/// network beyond loopback, nothing in the background).
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_in_chromium() {
    let dir = scratch_dir("browser", "demo");
    let shots = target_dir().join("browser-screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("create the screenshot folder");

    // Free ports rather than the demo's 7000 and 8000, so that a demo a
    // developer left running is never the one under test.
    let ports = flow::Ports {
        container: free_port(),
        ui: free_port(),
        app: free_port(),
    };
    let mut demo = Service::start(
        "demo",
        Command::new(binary("smart-demo"))
            .args([
                "--container-listen",
                &format!("127.0.0.1:{}", ports.container),
            ])
            .args(["--ui-listen", &format!("127.0.0.1:{}", ports.ui)])
            .args(["--listen", &format!("127.0.0.1:{}", ports.app)])
            .current_dir(&dir),
        &dir,
    );
    demo.wait_for_port(ports.container, Duration::from_secs(90));
    demo.wait_for_port(ports.ui, Duration::from_secs(90));
    demo.wait_for_port(ports.app, Duration::from_secs(90));

    let port = free_port();
    let mut driver = Service::start(
        "chromedriver",
        Command::new(program("SMART_REST_CHROMEDRIVER", "chromedriver"))
            .arg(format!("--port={port}")),
        &dir,
    );
    driver.wait_for_port(port, Duration::from_secs(30));

    let browser = connect(port, &dir.join("chromium-profile")).await;
    let outcome = flow::run(&browser, &shots, &demo, ports).await;
    if outcome.is_err() {
        // The page the failure happened on, for whoever reads the report.
        if let Ok(png) = browser.screenshot().await {
            let _ = std::fs::write(shots.join("failure.png"), png);
        }
    }
    let _ = browser.close().await;
    if let Err(message) = outcome {
        panic!(
            "browser test failed: {message}\n{}\n{}",
            demo.log_tail(),
            driver.log_tail()
        );
    }
}

/// Opens a WebDriver session on a fresh Chromium profile.
async fn connect(port: u16, profile: &Path) -> Client {
    std::fs::create_dir_all(profile).expect("create the Chromium profile folder");
    let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".to_owned(), json!("chrome"));
    capabilities.insert(
        "goog:chromeOptions".to_owned(),
        json!({
            "binary": program("SMART_REST_CHROMIUM", "chromium"),
            "args": args,
        }),
    );
    // The browser's console, read back by `flow::console_errors`.
    capabilities.insert("goog:loggingPrefs".to_owned(), json!({ "browser": "ALL" }));
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap_or_else(|e| panic!("could not open a Chromium session through chromedriver: {e}"))
}

/// A program from an environment override, or found on `PATH`.
fn program(variable: &str, name: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(variable) {
        return PathBuf::from(path);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!("`{name}` is not installed: run .ci/install-system-packages (as root)")
        })
}

/// Waits for an element, naming the step when it does not come.
pub(crate) async fn wait_for(
    browser: &Client,
    css: &str,
    step: &str,
) -> Result<fantoccini::elements::Element, String> {
    browser
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .map_err(|e| format!("{step}: no `{css}` on the page: {e}"))
}
