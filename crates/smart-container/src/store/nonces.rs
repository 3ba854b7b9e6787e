//! Nonces, stored with group commit: the calls that arrive while a batch
//! is being written queue, and the next batch writes all of their nonces in
//! one statement, one commit. Each call is answered only after the commit
//! that holds its nonce, so replay protection survives a crash exactly as
//! with one commit per nonce; what is saved is the commits (on SQLite, a
//! WAL append each) and, on PostgreSQL, the round trips.
//!
//! No thread of its own: a call that finds no batch being written writes
//! one at once (its own nonce and whatever queued since it began). A call
//! that finds one being written queues and waits; the call that wrote that
//! batch answers every nonce in it and then hands the writing on to the
//! first call still queued, which writes the next batch with its own nonce
//! first. Each call writes at most one batch, so none waits for more than
//! the batch before its own and that one.
//!
//! A call waits either on its thread ([`Store::insert_nonce`], the blocking
//! sections) or as an async task ([`Store::insert_nonce_async`], the signed
//! calls that run on the async workers with SQLite). A queued task that is
//! dropped (its client went away) passes the writing on if it was handed
//! it, so a batch is never left unwritten.
//!
//! The statement is one multi-row `INSERT ... ON CONFLICT DO NOTHING
//! RETURNING` (SQLite 3.35 and PostgreSQL alike): the rows it returns are
//! the nonces that were new. Two calls with the same nonce in one batch:
//! the first wins, the second is a replay.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::sync::oneshot;

use super::Store;
use super::sql::{Value, args};
use crate::Error;
use crate::error::StorageError;

/// The most nonces written by one statement (the statement text depends on
/// the count, so this also bounds the prepared statements it makes).
pub(super) const MAX_BATCH: usize = 32;

/// A nonce to store: (consumer, token digest, timestamp, nonce) is the key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct NonceRow {
    pub(crate) consumer_key: String,
    pub(crate) token_hash: String,
    pub(crate) timestamp: i64,
    pub(crate) nonce: String,
    pub(crate) expires_at: i64,
}

impl NonceRow {
    fn key(&self) -> (&str, &str, i64, &str) {
        (
            &self.consumer_key,
            &self.token_hash,
            self.timestamp,
            &self.nonce,
        )
    }
}

/// What a queued call is woken with.
#[derive(Debug)]
enum Wake {
    /// Whether its nonce was new, or why it could not be written.
    Answer(Result<bool, Error>),
    /// It writes the next batch; its own nonce, given back, goes first.
    Lead(NonceRow),
}

/// A call waiting for a batch to hold its nonce.
#[derive(Debug)]
struct Queued {
    row: NonceRow,
    wake: oneshot::Sender<Wake>,
}

#[derive(Debug, Default)]
struct State {
    /// The calls waiting for the next batch, oldest first. Empty whenever
    /// no batch is being written.
    queue: VecDeque<Queued>,
    /// Whether a call is writing a batch now.
    writing: bool,
}

/// The queue of nonces waiting for the next batch.
#[derive(Debug, Default)]
pub(super) struct GroupCommit {
    state: Mutex<State>,
}

/// A call's turn: write a batch now, or wait for one.
enum Turn {
    Lead(NonceRow),
    Wait(oneshot::Receiver<Wake>),
}

impl GroupCommit {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes at once when no batch is being written; queues otherwise.
    fn enqueue(&self, row: NonceRow) -> Turn {
        let mut state = self.lock();
        if !state.writing {
            state.writing = true;
            return Turn::Lead(row);
        }
        let (wake, woken) = oneshot::channel();
        state.queue.push_back(Queued { row, wake });
        Turn::Wait(woken)
    }

    /// Up to `n` queued calls, oldest first, for the batch being written.
    fn take(&self, n: usize) -> Vec<Queued> {
        let mut state = self.lock();
        let n = n.min(state.queue.len());
        state.queue.drain(..n).collect()
    }

    /// After a batch: the first queued call that is still there writes the
    /// next one; with none, no batch is being written. A queued call that
    /// is gone answered nobody, so its nonce need not be stored.
    fn hand_on(&self) {
        let mut state = self.lock();
        while let Some(next) = state.queue.pop_front() {
            if next.wake.send(Wake::Lead(next.row)).is_ok() {
                return;
            }
        }
        state.writing = false;
    }
}

/// Hands the writing on when the batch is done, or when writing it
/// panicked (then the calls in it see [`StorageError::NonceBatchLost`]).
struct HandOn<'a>(&'a GroupCommit);

impl Drop for HandOn<'_> {
    fn drop(&mut self) {
        self.0.hand_on();
    }
}

/// A task's wait for its batch. Dropped before it is answered (the task
/// was cancelled), it refuses any later answer and, if it had just been
/// handed the writing, hands it on.
struct Waiting<'a> {
    group: &'a GroupCommit,
    woken: oneshot::Receiver<Wake>,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.woken.close();
        if let Ok(Wake::Lead(_)) = self.woken.try_recv() {
            self.group.hand_on();
        }
    }
}

impl Store {
    /// Records a nonce unless (consumer, token, timestamp, nonce) was seen:
    /// `true` when it is new. Returns once the nonce is committed. The
    /// primary key decides, atomically on either backend and across
    /// replicas. Blocks its thread while an earlier batch is written.
    pub(crate) fn insert_nonce(&self, row: NonceRow) -> Result<bool, Error> {
        match self.nonces.enqueue(row) {
            Turn::Lead(row) => self.lead(row),
            Turn::Wait(woken) => self.woken(woken.blocking_recv()),
        }
    }

    /// [`Store::insert_nonce`] for an async task: it waits without holding
    /// its thread. When it writes the batch, it writes it on its own
    /// thread, so only for a store whose statements are local
    /// ([`Store::is_embedded`]).
    pub(crate) async fn insert_nonce_async(&self, row: NonceRow) -> Result<bool, Error> {
        match self.nonces.enqueue(row) {
            Turn::Lead(row) => {
                // Let the calls ready on this worker queue first, so that
                // they share this batch; if this task is dropped meanwhile,
                // the writing is handed on.
                let hand_on = HandOn(&self.nonces);
                tokio::task::yield_now().await;
                self.lead_with(row, hand_on)
            }
            Turn::Wait(woken) => {
                let mut waiting = Waiting {
                    group: &self.nonces,
                    woken,
                };
                let wake = (&mut waiting.woken).await;
                self.woken(wake)
            }
        }
    }

    /// What a queued call does when woken.
    fn woken(&self, wake: Result<Wake, oneshot::error::RecvError>) -> Result<bool, Error> {
        match wake {
            Ok(Wake::Answer(answer)) => answer,
            Ok(Wake::Lead(row)) => self.lead(row),
            Err(_) => Err(StorageError::NonceBatchLost.into()),
        }
    }

    /// Writes one batch, `own` first, then the oldest queued calls; answers
    /// each of those, hands the writing on, and returns `own`'s answer.
    fn lead(&self, own: NonceRow) -> Result<bool, Error> {
        self.lead_with(own, HandOn(&self.nonces))
    }

    /// [`Store::lead`], the writing to be handed on by `_hand_on`.
    fn lead_with(&self, own: NonceRow, _hand_on: HandOn<'_>) -> Result<bool, Error> {
        let queued = self.nonces.take(MAX_BATCH - 1);
        let mut rows = Vec::with_capacity(queued.len() + 1);
        rows.push(&own);
        rows.extend(queued.iter().map(|q| &q.row));
        let mut answers = self.write_batch(&rows).into_iter();
        let mine = answers
            .next()
            .unwrap_or(Err(StorageError::NonceBatchLost.into()));
        for (q, answer) in queued.into_iter().zip(answers) {
            // A call that is gone has nobody to answer.
            let _ = q.wake.send(Wake::Answer(answer));
        }
        mine
    }

    /// Writes one batch; returns each row's answer, in order. When the
    /// batch statement fails, each nonce is tried alone so that each call
    /// gets its own error (or its own success).
    fn write_batch(&self, batch: &[&NonceRow]) -> Vec<Result<bool, Error>> {
        // Within the batch, a repeat of an earlier row is a replay at once.
        let firsts: Vec<bool> = batch
            .iter()
            .enumerate()
            .map(|(i, r)| !batch[..i].iter().any(|e| e.key() == r.key()))
            .collect();
        let rows: Vec<&NonceRow> = batch
            .iter()
            .zip(&firsts)
            .filter(|(_, first)| **first)
            .map(|(r, _)| *r)
            .collect();
        let inserted = self.insert_rows(&rows);
        batch
            .iter()
            .zip(firsts)
            .map(|(r, first)| {
                if !first {
                    return Ok(false);
                }
                match &inserted {
                    Ok(new) => Ok(was_new(new, r)),
                    Err(_) => self.insert_rows(&[r]).map(|new| was_new(&new, r)),
                }
            })
            .collect()
    }

    /// One statement inserting `rows`; returns the keys that were new.
    fn insert_rows(&self, rows: &[&NonceRow]) -> Result<Vec<OwnedKey>, Error> {
        let mut sql = String::from(
            "INSERT INTO nonces (consumer_key, token_hash, timestamp, nonce, expires_at) VALUES ",
        );
        let mut params = Vec::with_capacity(rows.len() * 5);
        for (i, r) in rows.iter().enumerate() {
            let n = i * 5;
            if i > 0 {
                sql.push_str(", ");
            }
            let _ = write!(
                sql,
                "(?{}, ?{}, ?{}, ?{}, ?{})",
                n + 1,
                n + 2,
                n + 3,
                n + 4,
                n + 5
            );
            params.extend([
                Value::from(r.consumer_key.as_str()),
                Value::from(r.token_hash.as_str()),
                Value::Int(r.timestamp),
                Value::from(r.nonce.as_str()),
                Value::Int(r.expires_at),
            ]);
        }
        sql.push_str(
            " ON CONFLICT DO NOTHING RETURNING consumer_key, token_hash, timestamp, nonce",
        );
        self.run(|c| {
            c.query(&sql, &params)?
                .into_iter()
                .map(|mut r| Ok((r.text(0)?, r.text(1)?, r.int(2)?, r.text(3)?)))
                .collect()
        })
    }

    /// Drops nonces expired before `now`.
    pub(crate) fn purge_nonces(&self, now: i64) -> Result<(), Error> {
        self.execute("DELETE FROM nonces WHERE expires_at < ?1", args![now])?;
        Ok(())
    }
}

/// A nonce's key, owned, as the statement returns it.
type OwnedKey = (String, String, i64, String);

/// Whether the statement returned `r`'s key: a batch is at most
/// [`MAX_BATCH`] rows, so a scan, with nothing copied.
fn was_new(new: &[OwnedKey], r: &NonceRow) -> bool {
    new.iter()
        .any(|(c, t, ts, n)| (c.as_str(), t.as_str(), *ts, n.as_str()) == r.key())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]

    use std::sync::Arc;

    use super::*;

    fn row(nonce: &str) -> NonceRow {
        NonceRow {
            consumer_key: "app".into(),
            token_hash: "t".into(),
            timestamp: 1_000,
            nonce: nonce.into(),
            expires_at: 2_000,
        }
    }

    fn store() -> (tempfile::TempDir, Arc<Store>) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        (dir, Arc::new(store))
    }

    #[test]
    fn a_nonce_is_new_once() {
        let (_dir, s) = store();
        assert!(s.insert_nonce(row("a")).unwrap());
        assert!(!s.insert_nonce(row("a")).unwrap());
        assert!(s.insert_nonce(row("b")).unwrap());
        let other_token = NonceRow {
            token_hash: "u".into(),
            ..row("a")
        };
        assert!(s.insert_nonce(other_token).unwrap());
    }

    #[test]
    fn a_batch_answers_each_row_and_a_repeat_within_it_is_a_replay() {
        let (_dir, s) = store();
        assert!(s.insert_nonce(row("old")).unwrap());
        let rows: Vec<NonceRow> = ["x", "old", "y", "x"].iter().map(|n| row(n)).collect();
        let batch: Vec<&NonceRow> = rows.iter().collect();
        let before = s.statements();
        let answers = s.write_batch(&batch);
        assert_eq!(s.statements() - before, 1, "one statement for the batch");
        let answers: Vec<bool> = answers.into_iter().map(|a| a.unwrap()).collect();
        assert_eq!(answers, [true, false, true, false]);
    }

    #[test]
    fn parallel_calls_each_get_their_own_answer_and_share_commits() {
        let (_dir, s) = store();
        let threads = 8;
        let per_thread = 200;
        let before = s.statements();
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let s = Arc::clone(&s);
                std::thread::spawn(move || {
                    let mut new = 0;
                    for i in 0..per_thread {
                        // Every nonce is sent twice, by two threads.
                        if s.insert_nonce(row(&format!("{}-{i}", t / 2))).unwrap() {
                            new += 1;
                        }
                    }
                    new
                })
            })
            .collect();
        let new: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(
            new,
            threads / 2 * per_thread,
            "each nonce is new exactly once"
        );
        let statements = s.statements() - before;
        let calls = (threads * per_thread) as u64;
        assert!(
            statements <= calls,
            "{statements} statements for {calls} calls"
        );
        println!("{calls} nonce calls in {statements} statements");
    }

    #[tokio::test]
    async fn a_waiting_call_that_goes_away_hands_the_writing_on() {
        let (_dir, s) = store();
        let Turn::Lead(_) = s.nonces.enqueue(row("a")) else {
            panic!("the first call writes at once");
        };
        // While "a" is being written, "b" and then "c" queue.
        let mut b = Box::pin(s.insert_nonce_async(row("b")));
        let mut c = Box::pin(s.insert_nonce_async(row("c")));
        let once = std::time::Duration::ZERO;
        assert!(tokio::time::timeout(once, &mut b).await.is_err());
        assert!(tokio::time::timeout(once, &mut c).await.is_err());
        // "a" is done and hands the writing to "b", whose client is gone.
        s.nonces.hand_on();
        drop(b);
        let Ok(c) = tokio::time::timeout(std::time::Duration::from_secs(5), c).await else {
            panic!("the writing never reached the next call in the queue");
        };
        assert!(c.unwrap());
        // "b" answered nobody and was not stored.
        assert!(s.insert_nonce_async(row("b")).await.unwrap());
        assert!(!s.insert_nonce_async(row("c")).await.unwrap());
    }

    #[test]
    fn tasks_and_threads_share_batches_and_each_get_their_own_answer() {
        let (_dir, s) = store();
        let per_caller = 300;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let before = s.statements();
        // Each nonce is sent twice: by a thread and by a task.
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let s = Arc::clone(&s);
                std::thread::spawn(move || {
                    (0..per_caller)
                        .filter(|i| s.insert_nonce(row(&format!("{t}-{i}"))).unwrap())
                        .count()
                })
            })
            .collect();
        let tasks: Vec<_> = (0..4)
            .map(|t| {
                let s = Arc::clone(&s);
                runtime.spawn(async move {
                    let mut new = 0;
                    for i in 0..per_caller {
                        if s.insert_nonce_async(row(&format!("{t}-{i}")))
                            .await
                            .unwrap()
                        {
                            new += 1;
                        }
                    }
                    new
                })
            })
            .collect();
        let mut new: usize = threads.into_iter().map(|h| h.join().unwrap()).sum();
        for task in tasks {
            new += runtime.block_on(task).unwrap();
        }
        assert_eq!(new, 4 * per_caller, "each nonce is new exactly once");
        let statements = s.statements() - before;
        let calls = (8 * per_caller) as u64;
        assert!(
            statements < calls,
            "{statements} statements for {calls} calls"
        );
        println!("{calls} nonce calls in {statements} statements");
    }
}
