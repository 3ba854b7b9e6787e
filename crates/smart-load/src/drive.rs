//! The load itself: tasks that sign and send data calls until a deadline
//! (or send calls signed before the clock started), their latencies, the
//! server's memory and the client's own CPU time, read from `/proc`.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http::header::{AUTHORIZATION, HOST};
use http::{Request, Uri};
use http_body_util::{BodyExt as _, Empty};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use oauth1_dance::{Authorized, Stamp};

/// What the load is sent to, with the credentials to sign it.
pub(crate) struct Target {
    pub(crate) api_base: String,
    pub(crate) record_id: String,
    /// The token credentials; they sign with the consumer of the dance.
    pub(crate) authorized: Authorized,
}

impl Target {
    /// The `n`th request's URL: demographics, then the two medication pages, in turn.
    fn url(&self, n: u64) -> String {
        let base = &self.api_base;
        let rid = &self.record_id;
        match n % 3 {
            0 => format!("{base}/records/{rid}/demographics"),
            1 => format!("{base}/records/{rid}/medications/?limit=5&offset=0"),
            _ => format!("{base}/records/{rid}/medications/?limit=5&offset=5"),
        }
    }

    /// `count` requests (URL and `Authorization` header) signed now, each
    /// with its own nonce, for the `task`th of `tasks` workers to send later.
    fn pre_sign(&self, task: u64, tasks: u64, count: u64) -> Result<Vec<(String, String)>> {
        (0..count)
            .map(|i| {
                let url = self.url(task + i * tasks);
                let header = self.sign(&url)?;
                Ok((url, header))
            })
            .collect()
    }

    /// A fresh `Authorization` header for a GET of `url`: new nonce, current time.
    fn sign(&self, url: &str) -> Result<String> {
        Ok(self
            .authorized
            .request("GET", url, None, b"", Stamp::now()?)
            .map(|r| r.authorization)?)
    }
}

/// What one concurrency level measured.
pub(crate) struct Report {
    pub(crate) requests: u64,
    pub(crate) errors: u64,
    pub(crate) error_kinds: BTreeMap<String, u64>,
    pub(crate) elapsed: Duration,
    /// Latencies of the successful requests, in microseconds, sorted.
    latencies_us: Vec<u32>,
    pub(crate) rss_end_kb: Option<u64>,
    pub(crate) rss_peak_kb: Option<u64>,
    /// The server's resident memory every `rss_every` (seconds into the
    /// level, kilobytes), when asked for: a leak shows as a rising series.
    pub(crate) rss_trace: Vec<(u64, u64)>,
    /// CPU time this load client used during the level, all threads.
    pub(crate) client_cpu: Duration,
    /// CPU time the server used during the level (with its pid).
    pub(crate) server_cpu: Option<Duration>,
}

impl Report {
    /// The share of the machine's CPU time this client used during the
    /// level, in percent: its CPU time over wall time times the cores.
    pub(crate) fn client_cpu_percent(&self) -> f64 {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let available = self.elapsed.as_secs_f64() * cores as f64;
        100.0 * self.client_cpu.as_secs_f64() / available.max(1e-9)
    }

    /// The server's CPU time per successful request, in microseconds.
    pub(crate) fn server_cpu_us_per_request(&self) -> Option<f64> {
        let ok = self.latencies_us.len();
        self.server_cpu
            .filter(|_| ok > 0)
            .map(|cpu| cpu.as_secs_f64() * 1e6 / ok as f64)
    }

    /// Successful requests per second.
    pub(crate) fn throughput(&self) -> f64 {
        self.latencies_us.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The latency at quantile `q` (0 to 1), in milliseconds.
    pub(crate) fn percentile_ms(&self, q: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let last = self.latencies_us.len() - 1;
        let index = ((last as f64) * q).round() as usize;
        f64::from(self.latencies_us[index.min(last)]) / 1000.0
    }
}

/// The client of the warm-up and of the saved documents (the load itself
/// goes through each task's own [`Connection`]): keep-alive connections,
/// no proxy, no redirects.
pub(crate) fn client(max_concurrency: usize) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(max_concurrency)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .context("cannot build the HTTP client")
}

/// One signed call of each kind, which must all succeed before any load.
pub(crate) async fn warm_up(client: &reqwest::Client, target: &Target) -> Result<()> {
    for n in 0..3 {
        fetch(client, target, n).await?;
    }
    Ok(())
}

/// Fetches each kind of document once and writes them, with the record id,
/// for the Python peer to serve the very same bytes.
pub(crate) async fn save_documents(
    client: &reqwest::Client,
    target: &Target,
    dir: &Path,
) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (n, name) in [
        (0, "demographics.rdf"),
        (1, "medications-0.rdf"),
        (2, "medications-5.rdf"),
    ] {
        let body = fetch(client, target, n).await?;
        std::fs::write(dir.join(name), body)?;
    }
    std::fs::write(dir.join("record_id"), &target.record_id)?;
    Ok(())
}

async fn fetch(client: &reqwest::Client, target: &Target, n: u64) -> Result<Vec<u8>> {
    let url = target.url(n);
    let response = client
        .get(&url)
        .header(AUTHORIZATION, target.sign(&url)?)
        .send()
        .await
        .with_context(|| format!("GET {url}"))?;
    let status = response.status();
    let body = response.bytes().await?;
    if !status.is_success() {
        bail!(
            "GET {url} answered {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        );
    }
    Ok(body.to_vec())
}

/// How long a level lasts and when its requests are signed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Mode {
    /// For this long, each request signed as it is sent.
    Timed(Duration),
    /// Exactly this many requests, all signed before the clock starts
    /// (each with its own nonce), so that the client's signing is not
    /// measured; the level lasts until they are all answered.
    PreSigned(u64),
}

/// Runs `level` tasks as `mode` says, sampling the server's memory meanwhile
/// (and keeping a sample every `rss_every`, when given).
pub(crate) async fn run_level(
    target: &Arc<Target>,
    level: usize,
    mode: Mode,
    pid: Option<u32>,
    rss_every: Option<Duration>,
) -> Result<Report> {
    let tasks_n = level as u64;
    let mut batches = Vec::with_capacity(level);
    for task in 0..tasks_n {
        batches.push(match mode {
            Mode::Timed(_) => Vec::new(),
            // The first `total % tasks` workers take one request more.
            Mode::PreSigned(total) => {
                let count = total / tasks_n + u64::from(task < total % tasks_n);
                target.pre_sign(task, tasks_n, count)?
            }
        });
    }
    let cpu_before = client_cpu_time();
    let server_cpu_before = pid.and_then(process_cpu_time);
    let start = Instant::now();
    let deadline = match mode {
        Mode::Timed(duration) => Some(start + duration),
        Mode::PreSigned(_) => None,
    };
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = pid.map(|pid| {
        let stop = Arc::clone(&stop);
        tokio::spawn(async move {
            let mut peak = 0;
            let mut trace = Vec::new();
            let mut next_trace = Duration::ZERO;
            while !stop.load(Ordering::Relaxed) {
                let rss = proc_status_kb(pid, "VmRSS:").unwrap_or(0);
                peak = peak.max(rss);
                if let Some(every) = rss_every {
                    let at = start.elapsed();
                    if at >= next_trace {
                        trace.push((at.as_secs(), rss));
                        next_trace += every;
                    }
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            (peak, trace)
        })
    });
    let mut tasks = Vec::with_capacity(level);
    for (task, batch) in (0..tasks_n).zip(batches) {
        let target = Arc::clone(target);
        tasks.push(tokio::spawn(async move {
            match deadline {
                Some(deadline) => worker(target, task, deadline).await,
                None => pre_signed_worker(batch).await,
            }
        }));
    }
    let mut report = Report {
        requests: 0,
        errors: 0,
        error_kinds: BTreeMap::new(),
        elapsed: Duration::ZERO,
        latencies_us: Vec::new(),
        rss_end_kb: None,
        rss_peak_kb: None,
        rss_trace: Vec::new(),
        client_cpu: Duration::ZERO,
        server_cpu: None,
    };
    for task in tasks {
        let part = task.await.context("a load task panicked")?;
        report.requests += part.requests;
        report.errors += part.errors;
        for (kind, count) in part.error_kinds {
            *report.error_kinds.entry(kind).or_default() += count;
        }
        report.latencies_us.extend(part.latencies_us);
    }
    report.elapsed = start.elapsed();
    report.client_cpu = client_cpu_time().saturating_sub(cpu_before);
    report.server_cpu = pid
        .and_then(process_cpu_time)
        .zip(server_cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    stop.store(true, Ordering::Relaxed);
    if let (Some(sampler), Some(pid)) = (sampler, pid) {
        let (sampled, trace) = sampler.await.unwrap_or_default();
        report.rss_trace = trace;
        report.rss_end_kb = proc_status_kb(pid, "VmRSS:");
        // VmHWM is the peak over the process's life; the sampled peak is this level's.
        report.rss_peak_kb = proc_status_kb(pid, "VmHWM:").or(Some(sampled));
    }
    report.latencies_us.sort_unstable();
    Ok(report)
}

/// What one task saw.
struct Part {
    requests: u64,
    errors: u64,
    error_kinds: BTreeMap<String, u64>,
    latencies_us: Vec<u32>,
}

async fn worker(target: Arc<Target>, task: u64, deadline: Instant) -> Part {
    let mut part = Part::with_capacity(64 * 1024);
    let mut connection = Connection::default();
    let mut n = task;
    while Instant::now() < deadline {
        let url = target.url(n);
        n += 1;
        let sent = Instant::now();
        let outcome = match target.sign(&url) {
            Ok(header) => connection.send(&url, &header).await,
            Err(e) => Err(format!("signing: {e}")),
        };
        part.record(sent, outcome);
    }
    part
}

/// Sends the requests signed before the clock started, in order.
async fn pre_signed_worker(batch: Vec<(String, String)>) -> Part {
    let mut part = Part::with_capacity(batch.len());
    let mut connection = Connection::default();
    for (url, header) in batch {
        let sent = Instant::now();
        let outcome = connection.send(&url, &header).await;
        part.record(sent, outcome);
    }
    part
}

impl Part {
    /// Nothing seen yet, with room for `latencies` latencies.
    fn with_capacity(latencies: usize) -> Self {
        Part {
            requests: 0,
            errors: 0,
            error_kinds: BTreeMap::new(),
            latencies_us: Vec::with_capacity(latencies),
        }
    }

    /// Counts one request sent at `sent`, and its latency if it succeeded.
    fn record(&mut self, sent: Instant, outcome: Result<(), String>) {
        self.requests += 1;
        match outcome {
            Ok(()) => {
                let micros = sent.elapsed().as_micros();
                self.latencies_us
                    .push(u32::try_from(micros).unwrap_or(u32::MAX));
            }
            Err(kind) => {
                self.errors += 1;
                *self.error_kinds.entry(kind).or_default() += 1;
            }
        }
    }
}

/// The CPU time all of this process's threads have used so far: the sum
/// of the first field (nanoseconds on a CPU) of each
/// `/proc/self/task/<tid>/schedstat`; zero where `/proc` is not there.
fn client_cpu_time() -> Duration {
    let Ok(threads) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    let nanos: u64 = threads
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(nanos)
}

/// The CPU time another process has used, user and system, including its
/// threads that have already exited (the blocking pool's come and go):
/// fields 14 and 15 of `/proc/<pid>/stat`, in clock ticks of 10 ms (Linux
/// reports them in `USER_HZ`, which is 100).
fn process_cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name, in parentheses, may hold spaces: count after it.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((user + system) * 10))
}

/// How long one request may take, connecting included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A load task's keep-alive HTTP/1.1 connection, made on first use and made
/// again after an error: each task sends its requests one after another on
/// it, as an app does on its connection. Plain hyper, without a pool, so
/// that the client spends as little of the shared CPU as it can.
#[derive(Default)]
struct Connection(Option<SendRequest<Empty<Bytes>>>);

impl Connection {
    /// One signed GET of `url` (origin-form request line, `Host` from the
    /// URL); the body is read in full. An error is described briefly and
    /// drops the connection.
    async fn send(&mut self, url: &str, header: &str) -> Result<(), String> {
        let outcome = tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(url, header)).await;
        let outcome = outcome.unwrap_or_else(|_| Err("transport: timed out".into()));
        if outcome.as_ref().is_err_and(|e| !e.starts_with("HTTP ")) {
            self.0 = None;
        }
        outcome
    }

    async fn exchange(&mut self, url: &str, header: &str) -> Result<(), String> {
        let uri: Uri = url.parse().map_err(|e| format!("url: {e}"))?;
        let authority = uri.authority().ok_or("url: no host")?.as_str().to_owned();
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        if self.0.as_ref().is_none_or(SendRequest::is_closed) {
            self.0 = Some(connect(&authority).await?);
        }
        let Some(sender) = self.0.as_mut() else {
            return Err("transport: no connection".into());
        };
        sender.ready().await.map_err(|e| transport(&e))?;
        let request = Request::get(path)
            .header(HOST, authority)
            .header(AUTHORIZATION, header)
            .body(Empty::new())
            .map_err(|e| format!("request: {e}"))?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| transport(&e))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("body: {}", transport(&e)))?
            .to_bytes();
        if status.is_success() && !body.is_empty() {
            Ok(())
        } else {
            let text = String::from_utf8_lossy(&body[..body.len().min(80)]).into_owned();
            Err(format!("HTTP {}: {}", status.as_u16(), text.trim()))
        }
    }
}

/// A transport error with its sources, briefly: the error counts are keyed
/// by this text.
fn transport(error: &dyn std::error::Error) -> String {
    let mut text = format!("transport: {error}");
    let mut source = error.source();
    while let Some(inner) = source {
        text = format!("{text}: {inner}");
        source = inner.source();
    }
    text.chars().take(160).collect()
}

/// A new connection to `authority` (host:port), its I/O driven by a task of
/// its own.
async fn connect(authority: &str) -> Result<SendRequest<Empty<Bytes>>, String> {
    let stream = tokio::net::TcpStream::connect(authority)
        .await
        .map_err(|e| format!("connect: {}", transport(&e)))?;
    stream.set_nodelay(true).map_err(|e| transport(&e))?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| transport(&e))?;
    tokio::spawn(connection);
    Ok(sender)
}

/// A `kB` line of `/proc/<pid>/status`.
fn proc_status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kb| kb.parse().ok())
}

/// The total size of the files under `dir`, in megabytes.
pub(crate) fn dir_size_mb(dir: &Path) -> f64 {
    fn walk(dir: &Path) -> u64 {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return 0;
        };
        entries
            .flatten()
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => walk(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    }
    walk(dir) as f64 / (1024.0 * 1024.0)
}

/// Appends `label, level, requests, req/s, p50, p99, max, errors, RSS kB,
/// peak kB, data MB, client CPU %`.
pub(crate) fn append_tsv(
    path: &Path,
    label: &str,
    level: usize,
    report: &Report,
    data_mb: Option<f64>,
) -> Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let opt = |v: Option<u64>| v.map_or_else(|| "-".into(), |v| v.to_string());
    writeln!(
        file,
        "{label}\t{level}\t{}\t{:.1}\t{:.3}\t{:.3}\t{:.3}\t{}\t{}\t{}\t{}\t{:.1}\t{}",
        report.requests,
        report.throughput(),
        report.percentile_ms(0.50),
        report.percentile_ms(0.99),
        report.percentile_ms(1.0),
        report.errors,
        opt(report.rss_end_kb),
        opt(report.rss_peak_kb),
        data_mb.map_or_else(|| "-".into(), |m| format!("{m:.1}")),
        report.client_cpu_percent(),
        report
            .server_cpu_us_per_request()
            .map_or_else(|| "-".into(), |us| format!("{us:.0}")),
    )?;
    Ok(())
}

#[cfg(test)]
#[allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test fails loudly where its own process's /proc entry is missing"
)]
mod tests {
    use std::time::{Duration, Instant};

    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    use super::{Connection, process_cpu_time};

    /// A server that answers each request of a connection with the next of
    /// `replies` (raw HTTP/1.1), then closes that connection; it records
    /// the request heads it read.
    async fn serve(replies: Vec<&'static str>) -> (String, tokio::task::JoinHandle<Vec<String>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let mut heads = Vec::new();
            let (mut stream, _) = listener.accept().await.unwrap();
            for reply in replies {
                let mut buf = vec![0u8; 4096];
                let n = stream.read(&mut buf).await.unwrap();
                heads.push(String::from_utf8_lossy(&buf[..n]).into_owned());
                stream.write_all(reply.as_bytes()).await.unwrap();
            }
            heads
        });
        (base, server)
    }

    #[tokio::test]
    async fn a_connection_sends_origin_form_keeps_alive_and_reports_what_failed() {
        let (base, server) = serve(vec![
            "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc",
            "HTTP/1.1 401 Unauthorized\r\ncontent-length: 18\r\n\r\nnonce already used",
            "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
        ])
        .await;
        let mut c = Connection::default();
        let url = format!("{base}/records/1/demographics?x=1");
        assert_eq!(c.send(&url, "OAuth a=1").await, Ok(()));
        assert_eq!(
            c.send(&url, "OAuth a=2").await,
            Err("HTTP 401: nonce already used".into())
        );
        // An empty body is no document.
        assert_eq!(c.send(&url, "OAuth a=3").await, Err("HTTP 200: ".into()));
        let heads = server.await.unwrap();
        assert_eq!(heads.len(), 3, "one connection for the three requests");
        assert!(heads[0].starts_with("GET /records/1/demographics?x=1 HTTP/1.1\r\n"));
        assert!(
            heads[1]
                .to_ascii_lowercase()
                .contains("authorization: oauth a=2\r\n")
        );
        assert!(heads[0].to_ascii_lowercase().contains("host: 127.0.0.1:"));
        // The server is gone: a transport error, and the connection is
        // dropped rather than reused.
        let gone = c.send(&url, "OAuth a=4").await.unwrap_err();
        assert!(
            gone.starts_with("transport: ") || gone.starts_with("connect: "),
            "{gone}"
        );
        assert!(
            c.0.is_none()
                || c.0
                    .as_ref()
                    .is_some_and(hyper::client::conn::http1::SendRequest::is_closed)
        );
    }

    #[test]
    fn process_cpu_time_counts_what_a_process_spends() {
        let pid = std::process::id();
        let before = process_cpu_time(pid).expect("own /proc/<pid>/stat");
        let start = Instant::now();
        let mut x = 1u64;
        while start.elapsed() < Duration::from_millis(300) {
            x = std::hint::black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
        }
        let spent = process_cpu_time(pid).expect("own /proc/<pid>/stat") - before;
        assert!(spent >= Duration::from_millis(150), "{spent:?}");
        assert!(spent <= Duration::from_secs(5), "{spent:?}");
        assert_eq!(process_cpu_time(u32::MAX), None);
    }
}
