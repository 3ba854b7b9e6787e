//! What keeps password checks from exhausting the server (SECURITY.md 28):
//! a fixed pool of hashing threads, one per core, fed by a short queue
//! (full: 503 with `Retry-After`), and failure counters per user name and
//! per client address with exponential backoff (blocked: 429 with
//! `Retry-After`, no hash computed).
//!
//! argon2 takes 19 MiB per check. A fixed set of threads keeps the memory
//! bounded: glibc gives each thread its own arena, so hashing on an ever
//! changing set of blocking threads (`spawn_blocking`) left each arena
//! holding its 19 MiB, 5 GB after 288 parallel attempts.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

/// Failures of one user name tolerated before backoff starts.
const USER_FREE_FAILURES: u32 = 5;
/// Failures from one client address tolerated before backoff starts.
const ADDRESS_FREE_FAILURES: u32 = 20;
/// The longest wait backoff imposes.
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// A counter with no failure for this long is forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// The most counters kept per kind; past it, the stalest are dropped.
const MAX_COUNTERS: usize = 10_000;

/// A password check that could not run now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Too many checks are queued: 503, retry after this many seconds.
    Busy(u64),
    /// Too many recent failures for this user or address: 429, retry after
    /// this many seconds.
    Throttled(u64),
}

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads and their queue.
#[derive(Debug, Clone)]
pub(crate) struct PasswordPool {
    queue: SyncSender<Job>,
}

impl PasswordPool {
    /// `threads` hashing threads and room for `queue` waiting checks.
    pub(crate) fn new(threads: usize, queue: usize) -> Self {
        let (tx, rx) = sync_channel::<Job>(queue);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = Arc::clone(&rx);
            let spawned = std::thread::Builder::new()
                .name(format!("password-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while waiting for a job.
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password thread");
            }
        }
        Self { queue: tx }
    }

    /// A pool sized to the machine: one thread per core, a queue of two
    /// checks per core.
    pub(crate) fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self::new(cores, 2 * cores)
    }

    /// Queues `check` for a hashing thread at once (`Busy` when the queue is
    /// full); the returned future waits for its answer.
    pub(crate) fn run<T, F>(
        &self,
        check: F,
    ) -> impl std::future::Future<Output = Result<T, Refusal>> + Send + 'static
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(check());
        });
        let queued = match self.queue.try_send(job) {
            Ok(()) => Ok(rx),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(Refusal::Busy(1)),
        };
        async move { queued?.await.map_err(|_| Refusal::Busy(1)) }
    }
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

/// Failure counters per user name and per client address.
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    users: Mutex<HashMap<String, Failures>>,
    addresses: Mutex<HashMap<IpAddr, Failures>>,
}

impl Throttle {
    /// `Throttled` when this user or address must wait before trying again.
    pub(crate) fn check(&self, user: &str, address: Option<IpAddr>) -> Result<(), Refusal> {
        let now = Instant::now();
        let user_wait = wait(lock(&self.users).get(user), USER_FREE_FAILURES, now);
        let address_wait =
            address.and_then(|a| wait(lock(&self.addresses).get(&a), ADDRESS_FREE_FAILURES, now));
        match user_wait.max(address_wait) {
            Some(w) => Err(Refusal::Throttled(w.as_secs().max(1))),
            None => Ok(()),
        }
    }

    /// Counts a failed login.
    pub(crate) fn failed(&self, user: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        bump(&mut lock(&self.users), user.to_owned(), now);
        if let Some(a) = address {
            bump(&mut lock(&self.addresses), a, now);
        }
    }

    /// A successful login clears the user's counter (the address keeps its
    /// own: one good password does not pay for a spray of wrong ones).
    pub(crate) fn succeeded(&self, user: &str) {
        lock(&self.users).remove(user);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// How long to wait after `f`: nothing within the free failures, then 1 s,
/// 2 s, 4 s ... up to [`MAX_BACKOFF`] after the last failure.
fn wait(f: Option<&Failures>, free: u32, now: Instant) -> Option<Duration> {
    let f = f?;
    if f.count < free || now.duration_since(f.last) > FORGET_AFTER {
        return None;
    }
    let backoff = Duration::from_secs(1u64 << (f.count - free).min(16)).min(MAX_BACKOFF);
    let until = f.last + backoff;
    (until > now).then(|| until - now)
}

fn bump<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Failures>, key: K, now: Instant) {
    if map.len() >= MAX_COUNTERS {
        map.retain(|_, f| now.duration_since(f.last) <= FORGET_AFTER);
        if map.len() >= MAX_COUNTERS {
            // Still full of fresh counters: drop the half that is oldest.
            let mut lasts: Vec<Instant> = map.values().map(|f| f.last).collect();
            lasts.sort_unstable();
            let cut = lasts[lasts.len() / 2];
            map.retain(|_, f| f.last > cut);
        }
    }
    let entry = map.entry(key).or_insert(Failures {
        count: 0,
        last: now,
    });
    if now.duration_since(entry.last) > FORGET_AFTER {
        entry.count = 0;
    }
    entry.count = entry.count.saturating_add(1);
    entry.last = now;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn a_user_is_throttled_after_five_failures_and_others_are_not() {
        let t = Throttle::default();
        for _ in 0..USER_FREE_FAILURES {
            assert_eq!(t.check("alice", None), Ok(()));
            t.failed("alice", None);
        }
        assert!(matches!(t.check("alice", None), Err(Refusal::Throttled(_))));
        assert_eq!(t.check("bob", None), Ok(()));
        t.succeeded("alice");
        assert_eq!(t.check("alice", None), Ok(()));
    }

    #[test]
    fn an_address_is_throttled_across_user_names() {
        let t = Throttle::default();
        let a: IpAddr = "192.0.2.7".parse().unwrap();
        for i in 0..ADDRESS_FREE_FAILURES {
            t.failed(&format!("user{i}"), Some(a));
        }
        assert!(matches!(
            t.check("someone", Some(a)),
            Err(Refusal::Throttled(_))
        ));
        assert_eq!(
            t.check("someone", Some("192.0.2.8".parse().unwrap())),
            Ok(())
        );
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let now = Instant::now();
        let at = |count| wait(Some(&Failures { count, last: now }), 5, now).map(|d| d.as_secs());
        assert_eq!(at(4), None);
        assert_eq!(at(5), Some(1));
        assert_eq!(at(7), Some(4));
        assert_eq!(at(40), Some(300));
    }

    #[test]
    fn the_counters_stay_bounded() {
        let t = Throttle::default();
        for i in 0..(MAX_COUNTERS + 10) {
            t.failed(&format!("u{i}"), None);
        }
        assert!(lock(&t.users).len() <= MAX_COUNTERS);
    }

    #[tokio::test]
    async fn a_full_queue_is_busy_not_a_pile_of_threads() {
        let pool = PasswordPool::new(1, 1);
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let gate = Arc::new(Mutex::new(gate));
        let g = Arc::clone(&gate);
        let first = pool.run(move || g.lock().unwrap().recv().is_ok());
        let first = tokio::spawn(first);
        // Let the single thread take the first job.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let g = Arc::clone(&gate);
        let second = tokio::spawn(pool.run(move || g.lock().unwrap().recv().is_ok()));
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(pool.run(|| true).await, Err(Refusal::Busy(1)));
        release.send(()).unwrap();
        release.send(()).unwrap();
        assert_eq!(first.await.unwrap(), Ok(true));
        assert_eq!(second.await.unwrap(), Ok(true));
    }
}
