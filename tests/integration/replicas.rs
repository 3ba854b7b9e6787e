//! Replicas are one container: three `smart-container` processes on one
//! PostgreSQL database, sharing the data key, behind Debian's nginx (round
//! robin). Replay protection, the token exchange, revocation and the
//! browser's login and approval hold across them.
//!
//! Needs `SMART_TEST_POSTGRES_URL` (a server where databases may be
//! created) and nginx; without the variable each test prints why it is
//! skipped. `cargo xtask ci` and `cargo xtask cluster` start a throwaway
//! PostgreSQL and set it.

use oauth1_dance::{Consumer, OutgoingRequest, Stamp, TemporaryCredentialsRequest};
use oauth1_sign::Secret;
use smart_browser::dance::{Danced, User, dance, launch_urls};
use smart_browser::{Browser, flow, query_of, query_param};
use smart_rest_tests::cluster::{
    CLUSTER_APP_ID, CLUSTER_APP_SECRET, CLUSTER_PASSWORD, CLUSTER_USER, Cluster, postgres_url,
};

const RECORD: &str = "2000000";
const REPLICAS: usize = 3;

/// A fresh cluster, or `None` (the reason printed) without PostgreSQL.
async fn cluster() -> Option<Cluster> {
    match postgres_url() {
        Err(why) => {
            eprintln!("skipped: {why}");
            None
        }
        Ok(url) => Some(Cluster::start(&url, REPLICAS).await.unwrap()),
    }
}

fn consumer() -> Consumer {
    Consumer::new(CLUSTER_APP_ID, Secret::new(CLUSTER_APP_SECRET))
}

fn user() -> User<'static> {
    User {
        username: CLUSTER_USER,
        password: CLUSTER_PASSWORD,
        record_id: Some(RECORD),
    }
}

/// The whole dance through nginx.
async fn dance_through_front(c: &Cluster) -> Danced {
    dance(&c.front, &consumer(), user()).await.unwrap()
}

/// Sends a request signed for the public URL (nginx) to one replica
/// directly; returns the status and body.
async fn send_to(replica: &str, front: &str, r: &OutgoingRequest) -> (u16, String) {
    let url = format!("{replica}{}", r.url.strip_prefix(front).unwrap());
    let mut req = reqwest::Client::new()
        .request(r.method.clone(), url)
        .header("Authorization", &r.authorization);
    if let Some(ct) = &r.content_type {
        req = req.header("Content-Type", ct);
    }
    let res = req.body(r.body.clone()).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

fn demographics(c: &Cluster, d: &Danced) -> OutgoingRequest {
    let url = format!("{}/records/{}/demographics", c.front, d.record_id);
    d.authorized
        .request("GET", &url, None, b"", Stamp::now().unwrap())
        .unwrap()
}

#[tokio::test]
async fn a_request_accepted_by_one_replica_is_refused_by_the_others() {
    let Some(c) = cluster().await else { return };
    let d = dance_through_front(&c).await;
    let request = demographics(&c, &d);
    let (status, body) = send_to(&c.replicas[0], &c.front, &request).await;
    assert_eq!(status, 200, "first use on replica 0: {body}");
    for (i, r) in c.replicas.iter().enumerate() {
        let (status, body) = send_to(r, &c.front, &request).await;
        assert_eq!(
            status, 401,
            "the replay on replica {i} was accepted: {body}"
        );
    }
}

#[tokio::test]
async fn a_request_token_exchanged_on_two_replicas_at_once_yields_one_access_token() {
    let Some(c) = cluster().await else { return };
    for round in 0..3 {
        let mut browser = Browser::new().unwrap();
        let urls = launch_urls(&mut browser, &c.front, CLUSTER_APP_ID)
            .await
            .unwrap();
        flow::open_picker(
            &mut browser,
            &urls.app_launch,
            CLUSTER_USER,
            CLUSTER_PASSWORD,
        )
        .await
        .unwrap();
        let (request, state) = TemporaryCredentialsRequest::out_of_band(urls.endpoints)
            .param("smart_record_id", RECORD)
            .sign(&consumer(), Stamp::now().unwrap())
            .unwrap();
        let reply = browser.send_signed(&request).await.unwrap();
        let state = state
            .handle_response(reply.status.as_u16(), reply.body.as_bytes())
            .unwrap();
        let page = browser
            .get(state.authorization_url().parse().unwrap())
            .await
            .unwrap();
        let callback = flow::approve_to_callback(&mut browser, &page)
            .await
            .unwrap();
        let query = query_of(callback.as_str());
        let (exchange, _) = state
            .handle_callback(
                &query_param(query, "oauth_token"),
                &query_param(query, "oauth_verifier"),
                Stamp::now().unwrap(),
            )
            .unwrap();
        // The same signed exchange, on two replicas at the same moment.
        let ((a, body_a), (b, body_b)) = tokio::join!(
            send_to(&c.replicas[round % REPLICAS], &c.front, &exchange),
            send_to(&c.replicas[(round + 1) % REPLICAS], &c.front, &exchange),
        );
        let mut statuses = [a, b];
        statuses.sort_unstable();
        assert_eq!(
            statuses,
            [200, 401],
            "round {round}: exactly one exchange may win:\n{body_a}\n{body_b}"
        );
        let tokens = [&body_a, &body_b]
            .iter()
            .filter(|b| b.contains("oauth_token="))
            .count();
        assert_eq!(tokens, 1, "round {round}: one access token");
    }
}

#[tokio::test]
async fn a_revoked_token_is_refused_by_every_replica_on_the_next_request() {
    let Some(c) = cluster().await else { return };
    let d = dance_through_front(&c).await;
    for (i, r) in c.replicas.iter().enumerate() {
        let (status, body) = send_to(r, &c.front, &demographics(&c, &d)).await;
        assert_eq!(status, 200, "replica {i} before the revocation: {body}");
    }
    let (ok, out, err) = c.command(&["revoke-tokens", CLUSTER_APP_ID]).unwrap();
    assert!(ok, "revoke-tokens: {err}");
    assert!(out.contains("revoked 1 access token"), "{out}");
    for (i, r) in c.replicas.iter().enumerate() {
        let (status, body) = send_to(r, &c.front, &demographics(&c, &d)).await;
        assert_eq!(
            status, 401,
            "replica {i} still accepts a revoked token: {body}"
        );
    }
}

#[tokio::test]
async fn login_and_approval_work_when_the_browser_alternates_replicas() {
    let Some(c) = cluster().await else { return };
    // nginx sends each request to the next replica: the login form, its
    // post, the picker, the authorisation page and its post land on
    // different processes, so the CSRF tokens and the session cross them.
    for _ in 0..2 {
        let d = dance_through_front(&c).await;
        let request = demographics(&c, &d);
        let (status, body) = send_to(&c.replicas[1], &c.front, &request).await;
        assert_eq!(status, 200, "{body}");
    }
    let logins = (0..REPLICAS)
        .filter(|i| c.log(*i).contains("path=/login"))
        .count();
    let approvals = (0..REPLICAS)
        .filter(|i| c.log(*i).contains("path=/oauth/authorize"))
        .count();
    assert!(
        logins >= 2 && approvals >= 2,
        "the flow stayed on one replica (login on {logins}, authorize on {approvals}):\n{}\n{}",
        c.log(0),
        c.nginx_log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_app_runs_through_nginx() {
    let Some(c) = cluster().await else { return };
    let listen = smart_rest_tests::free_addr().unwrap();
    let app_url = url::Url::parse(&format!("http://{listen}/")).unwrap();
    let manifest = c.dir().join("reference-app.json");
    std::fs::write(&manifest, smart_rest_tests::app_manifest(&app_url).unwrap()).unwrap();
    let secret = "reference-app-secret-2c8e51d9f0a4";
    let (ok, _, err) = c
        .command(&["load-app", &manifest.to_string_lossy(), "--secret", secret])
        .unwrap();
    assert!(ok, "load-app: {err}");
    let app_dir = tempfile::tempdir().unwrap();
    let _app = smart_rest_tests::KillOnDrop(
        std::process::Command::new(smart_rest_tests::app_binary().unwrap())
            .args(["--listen", &listen.to_string()])
            .arg("--data-dir")
            .arg(app_dir.path())
            .env_remove("SMART_REST_SESSION_KEY")
            .env("SMART_API_BASE", &c.front)
            .env("SMART_APP_ID", smart_rest_tests::APP_ID)
            .env("SMART_CONSUMER_SECRET", secret)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    smart_rest_tests::wait_for_http(&format!("http://{listen}/static/icon.png"))
        .await
        .unwrap();
    for record in [RECORD, "2010007"] {
        let outcome =
            smart_browser::app::run_flow(&app_url, CLUSTER_USER, CLUSTER_PASSWORD, record)
                .await
                .unwrap();
        assert_ne!(outcome.name, "Unknown", "record {record}");
        assert_eq!(outcome.api_base, c.front);
    }
}

#[tokio::test]
async fn replicas_starting_together_on_a_fresh_database_migrate_and_seed_once() {
    let Ok(server) = postgres_url() else {
        eprintln!("skipped: {}", postgres_url().unwrap_err());
        return;
    };
    let database = smart_rest_tests::cluster::fresh_database(&server)
        .await
        .unwrap();
    let binary = smart_rest_tests::container_binary().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Five processes open the empty database at the same moment: each runs
    // the migrations and the seed unless another already did.
    let children: Vec<_> = (0..5)
        .map(|i| {
            std::process::Command::new(&binary)
                .arg("--data-dir")
                .arg(dir.path().join(format!("replica-{i}")))
                .arg("list-apps")
                .env("SMART_CONTAINER_DATABASE", &database)
                .env(
                    "SMART_CONTAINER_KEY",
                    "8f0e1d2c3b4a59687766554433221100ffeeddccbbaa99887766554433221100",
                )
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a replica failed to start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (client, connection) = tokio_postgres::connect(&database, tokio_postgres::NoTls)
        .await
        .unwrap();
    let task = tokio::spawn(connection);
    let count = |sql: &'static str| {
        let client = &client;
        async move {
            let row = client.query_one(sql, &[]).await.unwrap();
            row.get::<_, i64>(0)
        }
    };
    assert_eq!(
        count("SELECT COUNT(*) FROM records").await,
        i64::try_from(smart_container::DEFAULT_PATIENTS).unwrap()
    );
    // Every migration applied once: versions 1 to the last, none twice.
    let applied = count("SELECT COUNT(*) FROM schema_version").await;
    assert!(applied >= 4, "{applied} migrations");
    assert_eq!(
        count("SELECT COUNT(DISTINCT version) FROM schema_version").await,
        applied
    );
    assert_eq!(
        count("SELECT MAX(version)::BIGINT FROM schema_version").await,
        applied
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM meta WHERE name = 'seeded'").await,
        1
    );
    let items = count("SELECT COUNT(*) FROM record_items").await;
    let distinct = count(
        "SELECT COUNT(*) FROM (SELECT DISTINCT record_id, kind, item_id FROM record_items) AS d",
    )
    .await;
    assert_eq!(items, distinct);
    drop(client);
    let _ = task.await;
}
