//! The bound on authorisations one client address can start (SECURITY.md
//! 33): each launch makes the container create a request token, so a
//! script replaying launch links must not make it create them without end.
//! A token bucket per address: [`BURST`] at once, then one every
//! [`REFILL`].

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::error::AppError;

/// Launches one address may start at once.
pub const BURST: u32 = 60;

/// How often an address gets one launch back.
pub const REFILL: Duration = Duration::from_secs(2);

/// The most addresses tracked; past it, full buckets are forgotten first.
const MAX_ADDRESSES: usize = 10_000;

/// The client's address, when the server recorded it (not in in-process
/// tests). Behind a reverse proxy it is the proxy's.
#[derive(Debug, Clone, Copy)]
pub struct PeerAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(a)| a.ip()),
        ))
    }
}

/// Token buckets per client address.
#[derive(Debug, Default)]
pub struct DanceLimit {
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl DanceLimit {
    /// Takes one launch for `peer`; [`AppError::TooManyDances`] with the
    /// seconds to wait when its bucket is empty. An unknown address (no
    /// socket, as in in-process tests) is not limited.
    pub fn take(&self, peer: Option<IpAddr>) -> Result<(), AppError> {
        let Some(peer) = peer else {
            return Ok(());
        };
        let now = Instant::now();
        let mut map = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= MAX_ADDRESSES && !map.contains_key(&peer) {
            map.retain(|_, (level, at)| level_now(*level, *at, now) < f64::from(BURST));
        }
        let (level, at) = map.entry(peer).or_insert((f64::from(BURST), now));
        let current = level_now(*level, *at, now);
        if current < 1.0 {
            let wait = (1.0 - current) * REFILL.as_secs_f64();
            return Err(AppError::TooManyDances(wait.ceil().max(1.0) as u64));
        }
        *level = current - 1.0;
        *at = now;
        Ok(())
    }
}

fn level_now(level: f64, at: Instant, now: Instant) -> f64 {
    let refilled = now.duration_since(at).as_secs_f64() / REFILL.as_secs_f64();
    (level + refilled).min(f64::from(BURST))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn an_address_gets_its_burst_then_waits_and_others_are_free() {
        let limit = DanceLimit::default();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..BURST {
            limit.take(Some(a)).unwrap();
        }
        assert!(matches!(limit.take(Some(a)), Err(AppError::TooManyDances(s)) if s >= 1));
        limit.take(Some("192.0.2.2".parse().unwrap())).unwrap();
        limit.take(None).unwrap();
    }
}
