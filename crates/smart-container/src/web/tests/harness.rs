//! The test harness: a container in a temporary directory with one app and
//! one user, and helpers that drive the dance with the `oauth1-dance`
//! consumer side.

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use oauth1_dance::{Authorized, Consumer, Endpoints, Stamp, TemporaryCredentialsRequest};
use oauth1_sign::Secret as SignSecret;
use tower::ServiceExt as _;

use crate::{AppState, Container, PasswordCost, Secret, app};

pub(super) const PUBLIC: &str = "http://container.test";
pub(super) const APP_ID: &str = "rest-minimal@apps.smartplatforms.org";
pub(super) const OTHER_APP_ID: &str = "other@apps.example";
pub(super) const RECORD: &str = "2000000";
pub(super) const OTHER_RECORD: &str = "2010007";

pub(super) fn manifest(id: &str, callback: &str) -> String {
    format!(
        r#"{{ "name": "SMART REST Minimal", "description": "The minimal SMART REST example app",
  "id": "{id}", "mode": "ui", "scope": "record",
  "index": "http://localhost:8000/", "oauth_callback": "{callback}",
  "icon": "http://localhost:8000/static/icon.png", "smart_version": "1.0", "version": ".1" }}"#
    )
}

/// A container with the reference app, another app, and users `alice` and `bob`.
pub(super) struct Harness {
    pub(super) dir: tempfile::TempDir,
    pub(super) state: AppState,
    pub(super) secret: Secret,
    pub(super) other_secret: Secret,
}

/// A response with its body read.
pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) headers: axum::http::HeaderMap,
    pub(super) body: String,
}

impl Reply {
    pub(super) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl Harness {
    pub(super) fn new() -> Self {
        Self::with_callback("http://localhost:8000/authorized")
    }

    pub(super) fn with_callback(callback: &str) -> Self {
        Self::build(callback, PUBLIC)
    }

    pub(super) fn build(callback: &str, public_url: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut container = Container::open(dir.path()).unwrap();
        container.set_password_cost(PasswordCost::Test);
        let (_, secret) = container
            .install_app(&manifest(APP_ID, callback), None)
            .unwrap();
        let (_, other_secret) = container
            .install_app(&manifest(OTHER_APP_ID, "http://other.example/cb"), None)
            .unwrap();
        container.add_user("alice", "alice-password").unwrap();
        container.add_user("bob", "bob-password").unwrap();
        let state = AppState::new(container, public_url, false).unwrap();
        Self {
            dir,
            state,
            secret,
            other_secret,
        }
    }

    pub(super) fn consumer(&self) -> Consumer {
        Consumer::new(APP_ID, SignSecret::new(self.secret.expose()))
    }

    pub(super) fn other_consumer(&self) -> Consumer {
        Consumer::new(OTHER_APP_ID, SignSecret::new(self.other_secret.expose()))
    }

    pub(super) fn endpoints() -> Endpoints {
        Endpoints::new(
            format!("{PUBLIC}/oauth/request_token"),
            format!("{PUBLIC}/oauth/authorize"),
            format!("{PUBLIC}/oauth/access_token"),
        )
        .expect("valid endpoints")
    }

    pub(super) async fn send(&self, req: Request<Body>) -> Reply {
        let res: Response<Body> = app(self.state.clone()).oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub(super) async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        let mut b = Request::get(format!("{PUBLIC}{path}"));
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    pub(super) async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> Reply {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut b = Request::post(format!("{PUBLIC}{path}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    pub(super) async fn send_outgoing(&self, r: &oauth1_dance::OutgoingRequest) -> Reply {
        let req = r.to_http().unwrap().map(Body::from);
        self.send(req).await
    }

    /// Opens the login page and posts its form with `fields`, the login
    /// cookie and the CSRF token, as a browser does.
    pub(super) async fn post_login(&self, fields: &[(&str, &str)]) -> Reply {
        let page = self.get("/login", None).await;
        let cookie = page
            .header("set-cookie")
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let csrf = page
            .body
            .split("name=\"csrf_token\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        let mut form = fields.to_vec();
        form.push(("csrf_token", &csrf));
        self.post_form("/login", &form, Some(&cookie)).await
    }

    /// Logs in and returns the `Cookie` header value.
    pub(super) async fn login(&self, user: &str, password: &str) -> String {
        let r = self
            .post_login(&[
                ("username", user),
                ("password", password),
                ("return_url", "/"),
            ])
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "login of {user} failed: {}",
            r.body
        );
        r.header("set-cookie").split(';').next().unwrap().to_owned()
    }

    /// Step 1: a request token for `record`.
    pub(super) async fn request_token(
        &self,
        consumer: &Consumer,
        record: &str,
    ) -> oauth1_dance::AwaitAuthorization<oauth1_dance::OutOfBand> {
        let (req, st) = TemporaryCredentialsRequest::out_of_band(Self::endpoints())
            .param("smart_record_id", record)
            .sign(consumer, Stamp::now().unwrap())
            .unwrap();
        let r = self.send_outgoing(&req).await;
        assert_eq!(r.status, StatusCode::OK, "request token: {}", r.body);
        st.handle_response(r.status.as_u16(), r.body.as_bytes())
            .unwrap()
    }

    /// Step 2: the authorize page's CSRF token for `token` in this session.
    pub(super) async fn csrf(&self, token: &str, cookie: &str) -> String {
        let page = self
            .get(
                &format!("/oauth/authorize?oauth_token={token}"),
                Some(cookie),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "authorize page: {}", page.body);
        extract_value(&page.body, "csrf_token")
    }

    /// Step 2: approve; returns the redirect location.
    pub(super) async fn approve(&self, token: &str, cookie: &str) -> String {
        let csrf = self.csrf(token, cookie).await;
        let r = self
            .post_form(
                "/oauth/authorize",
                &[
                    ("oauth_token", token),
                    ("csrf_token", &csrf),
                    ("decision", "approve"),
                ],
                Some(cookie),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "approve: {}", r.body);
        r.header("location").to_owned()
    }

    /// The whole dance for `alice` on `record`.
    pub(super) async fn dance(&self, record: &str) -> Authorized {
        let consumer = self.consumer();
        let st = self.request_token(&consumer, record).await;
        let cookie = self.login("alice", "alice-password").await;
        let location = self.approve(st.token(), &cookie).await;
        let query = location.split_once('?').unwrap().1.to_owned();
        let (req, st) = st
            .handle_callback(
                &callback_param(&query, "oauth_token"),
                &callback_param(&query, "oauth_verifier"),
                Stamp::now().unwrap(),
            )
            .unwrap();
        let r = self.send_outgoing(&req).await;
        assert_eq!(r.status, StatusCode::OK, "access token: {}", r.body);
        assert_eq!(r.header("cache-control"), "no-store");
        st.handle_response(r.status.as_u16(), r.body.as_bytes())
            .unwrap()
    }

    /// A signed GET of `path` (with its query) with this token.
    pub(super) async fn signed_get(&self, auth: &Authorized, path: &str) -> Reply {
        let url = format!("{PUBLIC}{path}");
        let h = auth
            .request("GET", &url, None, b"", Stamp::now().unwrap())
            .map(|r| r.authorization)
            .unwrap();
        self.send(
            Request::get(url)
                .header(header::AUTHORIZATION, h)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// A signed request with a body.
    pub(super) async fn signed(
        &self,
        auth: &Authorized,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Reply {
        let url = format!("{PUBLIC}{path}");
        let h = auth
            .request(method, &url, content_type, body, Stamp::now().unwrap())
            .map(|r| r.authorization)
            .unwrap();
        let mut b = Request::builder()
            .method(method)
            .uri(url)
            .header(header::AUTHORIZATION, h);
        if let Some(ct) = content_type {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        self.send(b.body(Body::from(body.to_vec())).unwrap()).await
    }
}

/// The `value` of the form field named `name` in a page.
pub(super) fn extract_value(html: &str, name: &str) -> String {
    smart_browser::html::field_value(html, name)
        .unwrap_or_else(|| panic!("no input {name} in {html}"))
}

pub(super) use smart_browser::query_param as callback_param;
