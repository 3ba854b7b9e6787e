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
    assert!(lines.iter().all(|l| !l.contains("Unknown")), "{stdout}");
    // Every patient's summary: each section counted.
    for line in &lines {
        for section in smart_browser::app::SECTIONS {
            assert!(line.contains(&format!("{section} ")), "{line}");
        }
    }
    assert!(
        stdout.contains(&format!("smoke: {} patients, all shown", lines.len())),
        "{stdout}"
    );
}

/// The app binary serving, with its data directory.
struct Served {
    _child: KillOnDrop,
    _dir: tempfile::TempDir,
}

/// Starts the app binary with `configure` applied, its data in a fresh
/// temporary directory, and waits until it answers.
async fn serve(listen: std::net::SocketAddr, configure: impl FnOnce(&mut Command)) -> Served {
    let dir = tempfile::tempdir().unwrap();
    let child = serve_in(listen, dir.path(), configure).await;
    Served {
        _child: child,
        _dir: dir,
    }
}

/// Starts the app binary with its data in `data_dir`.
async fn serve_in(
    listen: std::net::SocketAddr,
    data_dir: &std::path::Path,
    configure: impl FnOnce(&mut Command),
) -> KillOnDrop {
    let mut command = Command::new(app_binary().unwrap());
    command
        .args(["--listen", &listen.to_string()])
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("SMART_REST_DATA_DIR")
        .env_remove("SMART_REST_SESSION_KEY")
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

/// Issue 15 item 4 with the real binary: sign in, restart the app process,
/// reload: still signed in; after sign-out a copy of the cookie opens nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_survive_a_restart_and_end_at_sign_out() {
    let listen = free_addr().unwrap();
    let app_url = Url::parse(&format!("http://{listen}/")).unwrap();
    let container = ContainerProcess::start(&app_manifest(&app_url).unwrap())
        .await
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let configure = |c: &mut Command| {
        c.env("SMART_API_BASE", &container.api_base)
            .env("SMART_APP_ID", APP_ID)
            .env("SMART_CONSUMER_SECRET", &container.app_secret);
    };
    let app = serve_in(listen, data.path(), configure).await;
    let ids = smart_rest_tests::record_ids(&container).await.unwrap();
    let mut outcome = app::run_flow(&app_url, USER, PASSWORD, &ids[0])
        .await
        .unwrap();
    let name_url = outcome.page.url.clone();
    let cookie = outcome
        .browser
        .cookie_set("smart_rest_minimal_session")
        .unwrap();

    drop(app);
    let _app = serve_in(listen, data.path(), configure).await;
    let reloaded = outcome.browser.get(name_url.clone()).await.unwrap();
    assert_eq!(reloaded.status, StatusCode::OK, "{}", reloaded.body);
    assert_eq!(
        reloaded.text_by_id("patient-name"),
        Some(outcome.name.clone())
    );
    assert!(
        outcome.browser.history.last().unwrap().url == name_url,
        "no detour through the container after the restart"
    );

    // Sign out through the page's form; the cookie is cleared.
    let form = reloaded
        .forms()
        .into_iter()
        .find(|f| f.action == "/logout")
        .expect("a sign-out form");
    let signed_out = outcome.browser.submit(&reloaded, &form, &[]).await.unwrap();
    assert_eq!(signed_out.status, StatusCode::OK);
    assert!(signed_out.text_by_id("signed-out").is_some());

    // A copy of the old cookie, as a thief would replay it: no patient data,
    // a fresh dance at the container instead.
    let thief = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let stolen = thief
        .get(name_url.as_str())
        .header("Cookie", format!("smart_rest_minimal_session={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(stolen.status(), StatusCode::SEE_OTHER);
    let location = stolen.headers()["location"].to_str().unwrap();
    assert!(location.contains("/oauth/authorize"), "{location}");
    let body = stolen.text().await.unwrap();
    assert!(!body.contains(&outcome.name), "{body}");
}
