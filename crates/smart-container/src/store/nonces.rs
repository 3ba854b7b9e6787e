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
//!
//! The batch also reads, after the request of every call in it arrived,
//! what a signed call checks its proof against ([`NonceAnswer`]): the
//! credentials generation and the version of each record the calls name.
//! On PostgreSQL that read is part of the batch's one statement (a
//! data-modifying `WITH`), so a warm signed call costs one round trip; on
//! SQLite, which has no such `WITH`, it is a second statement on the same
//! connection.

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

/// A nonce to write, and the record whose version its call needs.
#[derive(Debug)]
struct Entry {
    row: NonceRow,
    record: Option<String>,
}

/// What a call learns from the batch that held its nonce, read by that
/// batch after the call's request arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NonceAnswer {
    /// Whether the nonce was new (`false`: a replay).
    pub(crate) new: bool,
    /// The credentials generation.
    pub(crate) generation: i64,
    /// The version of the record the call named (`None`: no such record,
    /// or none named).
    pub(crate) record_version: Option<i64>,
}

/// What a queued call is woken with.
#[derive(Debug)]
enum Wake {
    /// Its answer, or why its nonce could not be written.
    Answer(Result<NonceAnswer, Error>),
    /// It writes the next batch; its own nonce, given back, goes first.
    Lead(Entry),
}

/// A call waiting for a batch to hold its nonce.
#[derive(Debug)]
struct Queued {
    entry: Entry,
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
    Lead(Entry),
    Wait(oneshot::Receiver<Wake>),
}

impl GroupCommit {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes at once when no batch is being written; queues otherwise.
    fn enqueue(&self, entry: Entry) -> Turn {
        let mut state = self.lock();
        if !state.writing {
            state.writing = true;
            return Turn::Lead(entry);
        }
        let (wake, woken) = oneshot::channel();
        state.queue.push_back(Queued { entry, wake });
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
            if next.wake.send(Wake::Lead(next.entry)).is_ok() {
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
        self.insert_nonce_for(row, None).map(|a| a.new)
    }

    /// [`Store::insert_nonce`] for a signed call about `record` (if any):
    /// also answers the credentials generation and the record's version,
    /// as the batch read them after the nonce was queued.
    pub(crate) fn insert_nonce_for(
        &self,
        row: NonceRow,
        record: Option<&str>,
    ) -> Result<NonceAnswer, Error> {
        match self.nonces.enqueue(Entry::new(row, record)) {
            Turn::Lead(entry) => self.lead(entry),
            Turn::Wait(woken) => self.woken(woken.blocking_recv()),
        }
    }

    /// [`Store::insert_nonce_for`] for an async task: it waits without
    /// holding its thread. When it writes the batch, it writes it on its own
    /// thread, so only for a store whose statements are local
    /// ([`Store::is_embedded`]).
    pub(crate) async fn insert_nonce_async(
        &self,
        row: NonceRow,
        record: Option<&str>,
    ) -> Result<NonceAnswer, Error> {
        match self.nonces.enqueue(Entry::new(row, record)) {
            Turn::Lead(entry) => {
                // Let the calls ready on this worker queue first, so that
                // they share this batch; if this task is dropped meanwhile,
                // the writing is handed on.
                let hand_on = HandOn(&self.nonces);
                tokio::task::yield_now().await;
                self.lead_with(entry, hand_on)
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
    fn woken(&self, wake: Result<Wake, oneshot::error::RecvError>) -> Result<NonceAnswer, Error> {
        match wake {
            Ok(Wake::Answer(answer)) => answer,
            Ok(Wake::Lead(entry)) => self.lead(entry),
            Err(_) => Err(StorageError::NonceBatchLost.into()),
        }
    }

    /// Writes one batch, `own` first, then the oldest queued calls; answers
    /// each of those, hands the writing on, and returns `own`'s answer.
    fn lead(&self, own: Entry) -> Result<NonceAnswer, Error> {
        self.lead_with(own, HandOn(&self.nonces))
    }

    /// [`Store::lead`], the writing to be handed on by `_hand_on`.
    fn lead_with(&self, own: Entry, _hand_on: HandOn<'_>) -> Result<NonceAnswer, Error> {
        let queued = self.nonces.take(MAX_BATCH - 1);
        let mut entries = Vec::with_capacity(queued.len() + 1);
        entries.push(&own);
        entries.extend(queued.iter().map(|q| &q.entry));
        let mut answers = self.write_batch(&entries).into_iter();
        let mine = answers
            .next()
            .unwrap_or(Err(StorageError::NonceBatchLost.into()));
        for (q, answer) in queued.into_iter().zip(answers) {
            // A call that is gone has nobody to answer.
            let _ = q.wake.send(Wake::Answer(answer));
        }
        mine
    }

    /// Writes one batch; returns each entry's answer, in order. When the
    /// batch statement fails, each nonce is tried alone so that each call
    /// gets its own error (or its own success).
    fn write_batch(&self, batch: &[&Entry]) -> Vec<Result<NonceAnswer, Error>> {
        // Within the batch, a repeat of an earlier row is a replay at once.
        let firsts: Vec<bool> = batch
            .iter()
            .enumerate()
            .map(|(i, e)| !batch[..i].iter().any(|f| f.row.key() == e.row.key()))
            .collect();
        let rows: Vec<&NonceRow> = batch
            .iter()
            .zip(&firsts)
            .filter(|(_, first)| **first)
            .map(|(e, _)| &e.row)
            .collect();
        // The records asked about, each once, padded to one a call, so that
        // the statement's text depends on the batch's size only.
        let mut records: Vec<Option<&str>> = Vec::with_capacity(batch.len());
        for record in batch.iter().filter_map(|e| e.record.as_deref()) {
            if !records.contains(&Some(record)) {
                records.push(Some(record));
            }
        }
        records.resize(batch.len(), None);
        let written = self.insert_rows(&rows, &records);
        batch
            .iter()
            .zip(firsts)
            .map(|(e, first)| match &written {
                Ok(w) => Ok(w.answer(e, first)),
                Err(_) => self
                    .insert_rows(&[&e.row], &[e.record.as_deref()])
                    .map(|w| w.answer(e, first)),
            })
            .collect()
    }

    /// Inserts `rows` in one statement and reads the credentials generation
    /// and the versions of `records` (`None`s ask nothing): on PostgreSQL
    /// in the same statement, on SQLite in a second one on the same
    /// connection.
    fn insert_rows(&self, rows: &[&NonceRow], records: &[Option<&str>]) -> Result<Written, Error> {
        let mut values = String::new();
        let mut params = Vec::with_capacity(rows.len() * 5 + records.len());
        for r in rows {
            let n = params.len();
            if n > 0 {
                values.push_str(", ");
            }
            let _ = write!(
                values,
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
        let insert = format!(
            "INSERT INTO nonces (consumer_key, token_hash, timestamp, nonce, expires_at) VALUES {values} ON CONFLICT DO NOTHING"
        );
        let asked: Vec<Value> = records
            .iter()
            .map(|r| r.map_or(Value::Null, Value::from))
            .collect();
        self.run(|c| {
            let returned = if self.is_embedded() {
                let mut out = c.query(
                    &format!("{insert} RETURNING 'nonce', consumer_key, token_hash, timestamp, nonce"),
                    &params,
                )?;
                out.extend(c.query(&versions_sql(0, asked.len()), &asked)?);
                out
            } else {
                let sql = format!(
                    "WITH new AS ({insert} RETURNING consumer_key, token_hash, timestamp, nonce) SELECT 'nonce', consumer_key, token_hash, timestamp, nonce FROM new UNION ALL {}",
                    versions_sql(params.len(), asked.len())
                );
                params.extend(asked);
                c.query(&sql, &params)?
            };
            Written::from_rows(returned)
        })
    }

    /// How many statements one nonce batch runs: on PostgreSQL one writes
    /// the nonces and reads the versions; SQLite, without a data-modifying
    /// `WITH`, runs two.
    #[cfg(test)]
    pub(crate) fn statements_per_nonce_batch(&self) -> u64 {
        if self.is_embedded() { 2 } else { 1 }
    }

    /// Drops nonces expired before `now`.
    pub(crate) fn purge_nonces(&self, now: i64) -> Result<(), Error> {
        self.execute("DELETE FROM nonces WHERE expires_at < ?1", args![now])?;
        Ok(())
    }
}

/// The read of the credentials generation and of `records` records'
/// versions, their placeholders numbered after `before` others. Each row is
/// (what, text, text, number, text), as the nonce rows returned beside it.
fn versions_sql(before: usize, records: usize) -> String {
    let mut sql = String::from(
        "SELECT 'generation', NULL, NULL, value, NULL FROM generations WHERE name = 'credentials'",
    );
    if records > 0 {
        sql.push_str(
            " UNION ALL SELECT 'record', id, NULL, version, NULL FROM records WHERE id IN (",
        );
        for i in 0..records {
            if i > 0 {
                sql.push_str(", ");
            }
            let _ = write!(sql, "?{}", before + i + 1);
        }
        sql.push(')');
    }
    sql
}

/// A nonce's key, owned, as the statement returns it.
type OwnedKey = (String, String, i64, String);

/// What a batch's statements returned.
#[derive(Debug)]
struct Written {
    /// The keys of the nonces that were new.
    new: Vec<OwnedKey>,
    /// The credentials generation.
    generation: i64,
    /// The version of each record asked about that exists.
    versions: Vec<(String, i64)>,
}

impl Written {
    fn from_rows(rows: Vec<super::sql::Row>) -> Result<Self, Error> {
        let mut new = Vec::new();
        let mut generation = None;
        let mut versions = Vec::new();
        for mut r in rows {
            match r.text(0)?.as_str() {
                "nonce" => new.push((r.text(1)?, r.text(2)?, r.int(3)?, r.text(4)?)),
                "generation" => generation = Some(r.int(3)?),
                _ => versions.push((r.text(1)?, r.int(3)?)),
            }
        }
        Ok(Self {
            new,
            generation: generation.ok_or(crate::error::UnexpectedValue::NoRow)?,
            versions,
        })
    }

    /// The answer for `e`; `first`: no earlier entry of the batch had its
    /// nonce. The statement returned the new keys: a batch is at most
    /// [`MAX_BATCH`] rows, so a scan, with nothing copied.
    fn answer(&self, e: &Entry, first: bool) -> NonceAnswer {
        let key = e.row.key();
        NonceAnswer {
            new: first
                && self
                    .new
                    .iter()
                    .any(|(c, t, ts, n)| (c.as_str(), t.as_str(), *ts, n.as_str()) == key),
            generation: self.generation,
            record_version: e
                .record
                .as_deref()
                .and_then(|id| self.versions.iter().find(|(r, _)| r == id).map(|(_, v)| *v)),
        }
    }
}

impl Entry {
    fn new(row: NonceRow, record: Option<&str>) -> Self {
        Self {
            row,
            record: record.map(str::to_owned),
        }
    }
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

    /// A container's store: SQLite, or PostgreSQL when the suite runs on
    /// it (`SMART_TEST_POSTGRES_URL`).
    fn store() -> (tempfile::TempDir, Arc<Store>) {
        let dir = tempfile::tempdir().unwrap();
        let container = crate::Container::open(dir.path()).unwrap();
        (dir, Arc::clone(&container.store))
    }

    fn entry(nonce: &str, record: Option<&str>) -> Entry {
        Entry::new(row(nonce), record)
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
        let entries: Vec<Entry> = ["x", "old", "y", "x"]
            .iter()
            .map(|n| entry(n, None))
            .collect();
        let batch: Vec<&Entry> = entries.iter().collect();
        let before = s.statements();
        let answers = s.write_batch(&batch);
        assert_eq!(
            s.statements() - before,
            s.statements_per_nonce_batch(),
            "one batch"
        );
        let answers: Vec<bool> = answers.into_iter().map(|a| a.unwrap().new).collect();
        assert_eq!(answers, [true, false, true, false]);
    }

    #[test]
    fn a_batch_reads_the_generation_and_each_records_version_after_its_nonces() {
        let (_dir, s) = store();
        let records: Vec<(String, i64)> = s
            .run(|c| {
                c.query("SELECT id, version FROM records ORDER BY id LIMIT 2", &[])?
                    .into_iter()
                    .map(|mut r| Ok((r.text(0)?, r.int(1)?)))
                    .collect()
            })
            .unwrap();
        let [(one, v1), (two, v2)] = &records[..] else {
            panic!("a container has at least two records: {records:?}");
        };
        let generation = s
            .run(|c| {
                c.query_int(
                    "SELECT value FROM generations WHERE name = 'credentials'",
                    &[],
                )
            })
            .unwrap();
        // Three calls about two records and one about none share a batch.
        let entries = [
            entry("a", Some(one)),
            entry("b", Some(two)),
            entry("c", Some(one)),
            entry("d", Some("no-such-record")),
        ];
        let batch: Vec<&Entry> = entries.iter().collect();
        let answers: Vec<NonceAnswer> = s
            .write_batch(&batch)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let answer = |record_version| NonceAnswer {
            new: true,
            generation,
            record_version,
        };
        assert_eq!(
            answers,
            [
                answer(Some(*v1)),
                answer(Some(*v2)),
                answer(Some(*v1)),
                answer(None)
            ]
        );
        // A revocation and a write to a record are seen by the next batch,
        // also by a replay.
        s.execute(super::super::tokens::BUMP_CREDENTIALS, &[])
            .unwrap();
        s.execute(
            "UPDATE records SET version = version + 1 WHERE id = ?1",
            args![one.as_str()],
        )
        .unwrap();
        let before = s.statements();
        let replay = s.insert_nonce_for(row("a"), Some(one)).unwrap();
        assert_eq!(
            s.statements() - before,
            s.statements_per_nonce_batch(),
            "a call alone"
        );
        assert_eq!(
            replay,
            NonceAnswer {
                new: false,
                generation: generation + 1,
                record_version: Some(v1 + 1),
            }
        );
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
        let batches = (s.statements() - before) / s.statements_per_nonce_batch();
        let calls = (threads * per_thread) as u64;
        assert!(batches <= calls, "{batches} batches for {calls} calls");
        println!("{calls} nonce calls in {batches} batches");
    }

    #[tokio::test]
    async fn a_waiting_call_that_goes_away_hands_the_writing_on() {
        let (_dir, s) = store();
        let Turn::Lead(_) = s.nonces.enqueue(entry("a", None)) else {
            panic!("the first call writes at once");
        };
        // While "a" is being written, "b" and then "c" queue.
        let mut b = Box::pin(s.insert_nonce_async(row("b"), None));
        let mut c = Box::pin(s.insert_nonce_async(row("c"), None));
        let once = std::time::Duration::ZERO;
        assert!(tokio::time::timeout(once, &mut b).await.is_err());
        assert!(tokio::time::timeout(once, &mut c).await.is_err());
        // "a" is done and hands the writing to "b", whose client is gone.
        s.nonces.hand_on();
        drop(b);
        let Ok(c) = tokio::time::timeout(std::time::Duration::from_secs(5), c).await else {
            panic!("the writing never reached the next call in the queue");
        };
        assert!(c.unwrap().new);
        // "b" answered nobody and was not stored.
        assert!(s.insert_nonce_async(row("b"), None).await.unwrap().new);
        assert!(!s.insert_nonce_async(row("c"), None).await.unwrap().new);
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
                        if s.insert_nonce_async(row(&format!("{t}-{i}")), None)
                            .await
                            .unwrap()
                            .new
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
        let batches = (s.statements() - before) / s.statements_per_nonce_batch();
        let calls = (8 * per_caller) as u64;
        assert!(batches < calls, "{batches} batches for {calls} calls");
        println!("{calls} nonce calls in {batches} batches");
    }
}
