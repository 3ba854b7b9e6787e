//! The CPU time the processes of this machine spend while a load runs, by
//! process name, read from `/proc/<pid>/stat` every 200 ms: what
//! `cargo xtask cluster` reports as CPU per signed call for the replicas,
//! PostgreSQL, nginx and the load client.
//!
//! A process seen at the first sample counts from there; one that starts
//! later counts whole. A process that exits between two samples loses at
//! most its last 200 ms (the servers under load do not exit).

use std::collections::HashMap;
use std::fs;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// `/proc` counts CPU time in ticks of 1/100 s (`USER_HZ`, fixed at 100 for
/// what the kernel shows user space).
const TICKS_PER_SECOND: f64 = 100.0;

/// A sampler running on a thread of its own until [`Sampler::finish`].
pub(crate) struct Sampler {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<HashMap<String, f64>>,
}

impl Sampler {
    /// Starts sampling every process now.
    pub(crate) fn start() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            // pid -> (name, ticks at the first sample, ticks at the last).
            let mut seen: HashMap<u32, (String, u64, u64)> = HashMap::new();
            let mut first = true;
            loop {
                for (pid, name, ticks) in processes() {
                    let start = if first { ticks } else { 0 };
                    seen.entry(pid)
                        .and_modify(|e| e.2 = ticks)
                        .or_insert((name, start, ticks));
                }
                first = false;
                if flag.load(Ordering::Relaxed) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            let mut seconds: HashMap<String, f64> = HashMap::new();
            for (name, start, last) in seen.into_values() {
                *seconds.entry(name).or_default() +=
                    last.saturating_sub(start) as f64 / TICKS_PER_SECOND;
            }
            seconds
        });
        Self { stop, thread }
    }

    /// Takes a last sample and returns the CPU seconds spent since the
    /// start, by process name.
    pub(crate) fn finish(self) -> HashMap<String, f64> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or_default()
    }
}

/// Every process's pid, name and CPU ticks (user and system) so far.
fn processes() -> Vec<(u32, String, u64)> {
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let e = e.ok()?;
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let stat = fs::read_to_string(e.path().join("stat")).ok()?;
        let (name, ticks) = parse_stat(&stat)?;
        Some((pid, name, ticks))
    })
    .collect()
}

/// The name and the user plus system ticks of one `/proc/<pid>/stat` line:
/// `pid (name) state ppid ...`, the name possibly holding spaces and
/// parentheses, `utime` and `stime` the 12th and 13th fields after it.
fn parse_stat(stat: &str) -> Option<(String, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat.get(open + 1..close)?.to_owned();
    let rest: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
    let utime: u64 = rest.get(11)?.parse().ok()?;
    let stime: u64 = rest.get(12)?.parse().ok()?;
    Some((name, utime + stime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_gives_its_name_and_ticks_even_with_odd_names() {
        let line = "4725 (smart-container) S 1 4725 4725 0 -1 4194560 1914 0 0 0 2750 431 0 0 20 0 4 0 123 0 0";
        assert_eq!(parse_stat(line), Some(("smart-container".to_owned(), 3181)));
        let odd = "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 5 6 0 0 20 0";
        assert_eq!(parse_stat(odd), Some(("a (b) c".to_owned(), 11)));
        assert_eq!(parse_stat("7 (short) R 1"), None);
    }

    #[test]
    fn a_busy_thread_of_this_process_is_counted() {
        let sampler = Sampler::start();
        let until = std::time::Instant::now() + Duration::from_millis(600);
        let mut x = 0u64;
        while std::time::Instant::now() < until {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        let seconds = sampler.finish();
        let total: f64 = seconds.values().sum();
        assert!(total >= 0.3, "{total} s of CPU seen for 0.6 s of spinning");
    }
}
