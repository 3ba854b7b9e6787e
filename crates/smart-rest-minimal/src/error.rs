//! The app's one error type: every failure becomes a friendly page with the
//! right status, the details going to the log only.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::pages;

/// What can go wrong in the app.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// The configuration is unusable.
    #[error("configuration error: {0}")]
    Config(String),
    /// The request lacks a parameter or carries a malformed one.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The `api_base` is not a container this app is configured for.
    #[error("unknown container: {0}")]
    UnknownContainer(String),
    /// The callback does not belong to this browser session's authorisation.
    #[error("callback does not match this session")]
    ForeignCallback,
    /// The user denied the app access at the container.
    #[error("access denied by the user")]
    Denied,
    /// The container could not be reached or answered wrongly.
    #[error("container error: {0}")]
    Container(#[from] smart_client::Error),
    /// The browser keeps no cookie, so the app cannot start an authorisation.
    #[error("the client keeps no cookies")]
    CookiesRequired,
    /// This client address started too many authorisations; retry after
    /// this many seconds.
    #[error("too many authorisations from one address")]
    TooManyDances(u64),
    /// Something failed inside the app.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The HTTP status of the error page.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) | AppError::UnknownContainer(_) | AppError::ForeignCallback => {
                StatusCode::BAD_REQUEST
            }
            AppError::Denied => StatusCode::FORBIDDEN,
            AppError::CookiesRequired => StatusCode::BAD_REQUEST,
            AppError::TooManyDances(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Container(smart_client::Error::Timeout) => StatusCode::GATEWAY_TIMEOUT,
            AppError::Container(smart_client::Error::TokenMismatch) => StatusCode::BAD_REQUEST,
            AppError::Container(_) => StatusCode::BAD_GATEWAY,
            AppError::Config(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The sentence shown to the user: what happened, without internals.
    pub fn user_message(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "The link you followed is incomplete or malformed.",
            AppError::UnknownContainer(_) => {
                "This app is not set up to work with that SMART container."
            }
            AppError::ForeignCallback | AppError::Container(smart_client::Error::TokenMismatch) => {
                "This authorisation does not belong to your browser session. \
                 Please launch the app again from your SMART container."
            }
            AppError::Denied => {
                "You did not allow the app to read this record. \
                 Launch it again from your SMART container to change your mind."
            }
            AppError::CookiesRequired => {
                "This app needs a cookie to keep your session. \
                 Allow cookies for this site, then open the app again."
            }
            AppError::TooManyDances(_) => {
                "Too many launches from your address. Please wait a minute, then try again."
            }
            AppError::Container(smart_client::Error::Timeout) => {
                "The SMART container did not answer in time. Please try again."
            }
            AppError::Container(_) => {
                "The SMART container could not complete the request. Please try again later."
            }
            AppError::Config(_) | AppError::Internal(_) => "Something went wrong inside the app.",
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::warn!(error = %self, "request refused");
        }
        let page =
            axum::response::Html(pages::error_page(status, self.user_message()).into_string());
        let mut response = (status, page).into_response();
        pages::no_store(response.headers_mut());
        if let AppError::TooManyDances(secs) = self {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}
