//! A provider in axum over `oauth1-dance`: an `Authenticated` extractor that
//! runs `Provider::authenticate`, a store seeded with a consumer and an access
//! token, and one request signed with them, sent to the server and accepted
//! (then replayed and refused).
//!
//! ```text
//! cargo run -p oauth1-dance --features os --example provider_axum
//! ```

use std::sync::Arc;

use axum::Router;
use axum::extract::{FromRequest, Path, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use oauth1_dance::memory::MemoryStore;
use oauth1_dance::store::{AccessTokenRecord, AccessTokenStore, Attributes, ConsumerRecord};
use oauth1_dance::{
    Authenticated, Authorized, Consumer, Error, Provider, ProviderConfig, ProviderRequest, Secret,
    SignatureMethod, Stamp, unix_time,
};

/// The server's configured external origin: the base string uses it, never the `Host` header.
const ORIGIN: &str = "http://127.0.0.1:7000";

type AppState = Arc<Provider<MemoryStore>>;

/// The extractor: a handler that takes `Auth` runs only for a verified request.
struct Auth(Authenticated);

impl FromRequest<AppState> for Auth {
    type Rejection = Response;

    async fn from_request(request: Request, provider: &AppState) -> Result<Self, Response> {
        let (parts, body) = request.into_parts();
        // Bounded by the provider's own body limit.
        let limit = provider.config().max_body_len;
        let body = axum::body::to_bytes(body, limit)
            .await
            .map_err(|_| error(provider, &Error::TooLarge))?;
        let request = http::Request::from_parts(parts, body);
        let checker = Arc::clone(provider);
        // The stores are synchronous: off the async threads.
        let checked = tokio::task::spawn_blocking(move || {
            let now = unix_time(std::time::SystemTime::now())?;
            let incoming = ProviderRequest::from_http(&request, ORIGIN)?;
            checker.authenticate(now, &incoming)
        })
        .await;
        match checked {
            Ok(result) => result.map(Auth).map_err(|e| error(provider, &e)),
            // The blocking task panicked.
            Err(_) => Err(http::StatusCode::INTERNAL_SERVER_ERROR.into_response()),
        }
    }
}

/// The error response, with the realm of the example's provider.
fn error(provider: &Provider<MemoryStore>, e: &Error) -> Response {
    provider.error_response(e).into_response()
}

fn config() -> ProviderConfig {
    ProviderConfig::new("Example")
}

/// A protected resource: the token must be bound to the record in the path.
async fn demographics(Path(record_id): Path<String>, Auth(who): Auth) -> Response {
    match who.require_attribute("record_id", &record_id) {
        Ok(()) => format!(
            "record {record_id}, read by {} for {}\n",
            who.consumer_key, who.user_id
        )
        .into_response(),
        Err(e) => e.to_http_response("Example").into_response(),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The store: one consumer, and one access token issued earlier (seeded here).
    let store = MemoryStore::new();
    store.add_consumer(ConsumerRecord {
        key: "app@example.org".into(),
        secret: Secret::new("consumer-secret-0123456789"),
        signature_methods: vec![SignatureMethod::HmacSha1],
        callback: Some("http://127.0.0.1:8000/authorized".into()),
    })?;
    let mut attributes = Attributes::new();
    attributes.insert("record_id".into(), "123".into());
    let now = unix_time(std::time::SystemTime::now())?;
    store.insert_access_token(&AccessTokenRecord {
        token: "seeded-access-token".into(),
        secret: Secret::new("seeded-token-secret-0123"),
        consumer_key: "app@example.org".into(),
        user_id: "alice".into(),
        attributes: attributes.clone(),
        issued_at: now,
        expires_at: None,
    })?;
    let provider: AppState = Arc::new(Provider::new(config(), store));
    let app = Router::new()
        .route("/records/{record_id}/demographics", get(demographics))
        .with_state(provider);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });

    // The consumer side: the same token credentials, signing with the consumer.
    let consumer = Consumer::new("app@example.org", Secret::new("consumer-secret-0123456789"));
    let authorized = Authorized::from_parts(
        consumer,
        "seeded-access-token",
        Secret::new("seeded-token-secret-0123"),
        attributes,
    );
    // Signed for the provider's external origin; sent to wherever it listens.
    let request = authorized.request(
        "GET",
        &format!("{ORIGIN}/records/123/demographics"),
        None,
        b"",
        Stamp::now()?,
    )?;
    let local = request.url.replacen(ORIGIN, &format!("http://{addr}"), 1);
    let http = reqwest::Client::new();
    for attempt in ["first", "replayed"] {
        let response = http
            .get(&local)
            .header("Authorization", &request.authorization)
            .send()
            .await?;
        println!(
            "{attempt}: {} {}",
            response.status().as_u16(),
            response.text().await?.trim()
        );
    }
    Ok(())
}
