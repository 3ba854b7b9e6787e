//! The `smart-demo` command (container and app in one process), and the
//! `smart-rest-minimal` command serving
//! configured by the environment or by a TOML file.

use std::process::{Command, Stdio};

use reqwest::StatusCode;
use smart_browser::{Browser, app};
use smart_rest_tests::{
    APP_ID, ContainerProcess, KillOnDrop, PASSWORD, USER, app_binary, app_manifest, demo_binary,
    free_addr, wait_for_http,
};
use url::Url;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_smoke_shows_every_patient_and_exits_0() {
    let output = tokio::task::spawn_blocking(|| {
        Command::new(demo_binary().unwrap())
            .args([
                "--smoke",
                "--listen",
                "127.0.0.1:0",
                "--container-listen",
                "127.0.0.1:0",
                "--ui-listen",
                "127.0.0.1:0",
            ])
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("ok  record "))
        .collect();
    assert!(lines.len() >= 40, "{stdout}");
    assert!(lines.iter().all(|l| !l.ends_with("Unknown")), "{stdout}");
    assert!(
        stdout.contains(&format!("smoke: {} patients, all shown", lines.len())),
        "{stdout}"
    );
}

/// Starts the app binary with `configure` applied and waits until it answers.
async fn serve(listen: std::net::SocketAddr, configure: impl FnOnce(&mut Command)) -> KillOnDrop {
    let mut command = Command::new(app_binary().unwrap());
    command
        .args(["--listen", &listen.to_string()])
        .env_remove("SMART_API_BASE")
        .env_remove("SMART_APP_ID")
        .env_remove("SMART_CONSUMER_SECRET")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    configure(&mut command);
    let child = KillOnDrop(command.spawn().unwrap());
    wait_for_http(&format!("http://{listen}/static/icon.png"))
        .await
        .unwrap();
    child
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_configured_by_environment_variables() {
    let listen = free_addr().unwrap();
    let app_url = Url::parse(&format!("http://{listen}/")).unwrap();
    let container = ContainerProcess::start(&app_manifest(&app_url).unwrap())
        .await
        .unwrap();
    let _app = serve(listen, |c| {
        c.env("SMART_API_BASE", &container.api_base)
            .env("SMART_APP_ID", APP_ID)
            .env("SMART_CONSUMER_SECRET", &container.app_secret);
    })
    .await;
    let ids = smart_rest_tests::record_ids(&container).await.unwrap();
    let outcome = app::run_flow(&app_url, USER, PASSWORD, &ids[0])
        .await
        .unwrap();
    assert_ne!(outcome.name, "Unknown");
    assert_eq!(outcome.api_base, container.api_base);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_configured_by_a_toml_file_with_several_containers() {
    let listen = free_addr().unwrap();
    let app_url = Url::parse(&format!("http://{listen}/")).unwrap();
    let container = ContainerProcess::start(&app_manifest(&app_url).unwrap())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("app.toml");
    // Two containers; the second is unreachable. A launch without an
    // api_base goes to the first in api_base order: the real one
    // (127.0.0.1) sorts before the other (127.0.0.2).
    let other = "http://127.0.0.2:1";
    std::fs::write(
        &config,
        format!(
            "public_url = \"{app_url}\"\n\
             [[containers]]\napi_base = \"{other}\"\nconsumer_secret = \"another-secret-of-sorts\"\n\
             [[containers]]\napi_base = \"{}\"\napp_id = \"{APP_ID}\"\nconsumer_secret = \"{}\"\n",
            container.api_base, container.app_secret
        ),
    )
    .unwrap();
    let _app = serve(listen, |c| {
        c.arg("--config").arg(&config);
    })
    .await;
    let ids = smart_rest_tests::record_ids(&container).await.unwrap();
    let outcome = app::run_flow(&app_url, USER, PASSWORD, &ids[1])
        .await
        .unwrap();
    assert_ne!(outcome.name, "Unknown");

    // Configured but down: a friendly 502, not a stack trace.
    let mut browser = Browser::new().unwrap();
    let mut url = app_url.clone();
    url.query_pairs_mut()
        .append_pair("record_id", &ids[0])
        .append_pair("api_base", other);
    let page = browser.get(url).await.unwrap();
    assert_eq!(page.status, StatusCode::BAD_GATEWAY);
    assert!(page.text_by_id("error-message").is_some(), "{}", page.body);
    // Not configured at all: 400.
    let mut url = app_url.clone();
    url.query_pairs_mut()
        .append_pair("record_id", &ids[0])
        .append_pair("api_base", "http://127.0.0.3:1");
    let page = browser.get(url).await.unwrap();
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
}
