//! Nonces, stored with group commit: the calls that arrive while a batch
//! is being written wait, and the next batch writes all of their nonces in
//! one statement, one commit. Each call is answered only after the commit
//! that holds its nonce, so replay protection survives a crash exactly as
//! with one commit per nonce; what is saved is the commits (on SQLite, a
//! WAL append each) and, on PostgreSQL, the round trips.
//!
//! No thread of its own: the first call that finds no batch being written
//! writes one (its own nonce and whatever queued since), the others wait
//! for its result, and when it is done one of the calls that queued
//! meanwhile writes the next. A call alone writes at once, as before.
//!
//! The statement is one multi-row `INSERT ... ON CONFLICT DO NOTHING
//! RETURNING` (SQLite 3.35 and PostgreSQL alike): the rows it returns are
//! the nonces that were new. Two calls with the same nonce in one batch:
//! the first wins, the second is a replay.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use super::Store;
use super::sql::{Value, args};
use crate::Error;

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

#[derive(Debug, Default)]
struct State {
    /// Nonces waiting for the next batch, with their tickets.
    queue: Vec<(u64, NonceRow)>,
    /// Whether a batch is being written now.
    writing: bool,
    /// Answers not yet collected, by ticket: whether the nonce was new.
    answers: HashMap<u64, Result<bool, Error>>,
    next_ticket: u64,
}

/// The queue of nonces and the batches' answers.
#[derive(Debug, Default)]
pub(super) struct GroupCommit {
    state: Mutex<State>,
    answered: Condvar,
}

impl GroupCommit {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Store {
    /// Records a nonce unless (consumer, token, timestamp, nonce) was seen:
    /// `true` when it is new. Returns once the nonce is committed. The
    /// primary key decides, atomically on either backend and across
    /// replicas.
    pub(crate) fn insert_nonce(&self, row: NonceRow) -> Result<bool, Error> {
        let group = &self.nonces;
        let mut state = group.lock();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.queue.push((ticket, row));
        loop {
            if let Some(answer) = state.answers.remove(&ticket) {
                return answer;
            }
            if !state.writing && state.queue.iter().any(|(t, _)| *t == ticket) {
                state.writing = true;
                let take = state.queue.len().min(MAX_BATCH);
                // Our own nonce is in the batch: take it first, then the oldest.
                let mine = state.queue.iter().position(|(t, _)| *t == ticket);
                let mut batch = Vec::with_capacity(take);
                if let Some(i) = mine {
                    batch.push(state.queue.remove(i));
                }
                let rest = take.saturating_sub(batch.len()).min(state.queue.len());
                batch.extend(state.queue.drain(..rest));
                drop(state);
                let answers = self.write_batch(&batch);
                state = group.lock();
                state.answers.extend(answers);
                state.writing = false;
                group.answered.notify_all();
                continue;
            }
            state = group
                .answered
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Writes one batch; every ticket gets its answer. When the batch
    /// statement fails, each nonce is tried alone so that each call gets
    /// its own error (or its own success).
    fn write_batch(&self, batch: &[(u64, NonceRow)]) -> Vec<(u64, Result<bool, Error>)> {
        // Within the batch, a repeat of an earlier row is a replay at once.
        let mut firsts: Vec<&(u64, NonceRow)> = Vec::with_capacity(batch.len());
        let mut seen = HashSet::with_capacity(batch.len());
        let mut out = Vec::with_capacity(batch.len());
        for entry in batch {
            if seen.insert(entry.1.key()) {
                firsts.push(entry);
            } else {
                out.push((entry.0, Ok(false)));
            }
        }
        let rows: Vec<&NonceRow> = firsts.iter().map(|(_, r)| r).collect();
        match self.insert_rows(&rows) {
            Ok(new) => {
                out.extend(firsts.iter().map(|(t, r)| (*t, Ok(was_new(&new, r)))));
            }
            Err(_) => {
                for (t, r) in firsts {
                    let alone = self.insert_rows(&[r]).map(|new| was_new(&new, r));
                    out.push((*t, alone));
                }
            }
        }
        out
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
        let batch: Vec<(u64, NonceRow)> = ["x", "old", "y", "x"]
            .iter()
            .enumerate()
            .map(|(i, n)| (i as u64, row(n)))
            .collect();
        let before = s.statements();
        let mut answers = s.write_batch(&batch);
        assert_eq!(s.statements() - before, 1, "one statement for the batch");
        answers.sort_by_key(|(t, _)| *t);
        let answers: Vec<bool> = answers.into_iter().map(|(_, a)| a.unwrap()).collect();
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
}
