//! A load driver for the portal: many clients on loopback asking for pages at once, each answer
//! timed. `make bench` measures the portal with it and the tests check with it that a burst of
//! customers gets pages or quick `503`s, never a queue. It only ever talks to 127.0.0.1 and stops
//! by itself.

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpStream},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};

/// One answer: its HTTP status and how long the client waited for all of it.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// From connecting to the last byte.
    pub waited: Duration,
    /// When a `503` said to come back (`Retry-After`, in seconds).
    pub retry_after: Option<Duration>,
}

/// Asks `addr` (a loopback address) for `path` once, giving up after `timeout`.
pub fn fetch(addr: SocketAddr, path: &str, timeout: Duration) -> Result<Answer> {
    if !addr.ip().is_loopback() {
        bail!("the load driver only talks to this machine (127.0.0.1), not {addr}");
    }
    let began = Instant::now();
    let mut stream = TcpStream::connect_timeout(&addr, timeout).context("connecting")?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = Vec::new();
    stream
        .read_to_end(&mut answer)
        .context("reading the answer")?;
    let waited = began.elapsed();
    let head = String::from_utf8_lossy(&answer[..answer.len().min(1024)]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("not an HTTP answer: {head:.80}"))?;
    let retry_after = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("retry-after")
                .then(|| value.trim().parse().ok())?
        })
        .map(Duration::from_secs);
    Ok(Answer {
        status,
        waited,
        retry_after,
    })
}

/// What a load run saw.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Every answer, in the order they came.
    pub answers: Vec<Answer>,
    /// Requests that got no answer (connection refused or reset, timed out), with why.
    pub failures: Vec<String>,
    /// How long the run lasted.
    pub lasted: Duration,
}

impl Outcome {
    /// Answers with `status`.
    pub fn count(&self, status: u16) -> usize {
        self.answers.iter().filter(|a| a.status == status).count()
    }

    /// Pages (`200`) per second over the run.
    pub fn pages_per_second(&self) -> f64 {
        self.count(200) as f64 / self.lasted.as_secs_f64().max(1e-9)
    }

    /// The `q` quantile (0 to 1) of the time waited for answers with `status`, in milliseconds.
    pub fn quantile_ms(&self, status: u16, q: f64) -> Option<f64> {
        let mut waited: Vec<f64> = self
            .answers
            .iter()
            .filter(|a| a.status == status)
            .map(|a| a.waited.as_secs_f64() * 1e3)
            .collect();
        quantile(&mut waited, q)
    }

    /// The longest any client waited for any answer.
    pub fn longest_wait(&self) -> Duration {
        self.answers
            .iter()
            .map(|a| a.waited)
            .max()
            .unwrap_or_default()
    }
}

/// The `q` quantile (0 to 1) of `values`, nearest rank; `None` when empty.
pub fn quantile(values: &mut [f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((values.len() as f64 * q).ceil() as usize).clamp(1, values.len());
    Some(values[rank - 1])
}

/// How load clients behave after a `503`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clients {
    /// They ask again at once, as a script hammering the portal would.
    Impatient,
    /// They wait as `Retry-After` says (at most 5 s), as a person told to try again in a few
    /// seconds does.
    Patient,
}

/// `clients` clients, each asking for the next of `paths` (round robin across all clients) as soon
/// as its last answer came (after a `503`, as `behave` says), until `lasting` has passed; a request
/// gives up after `timeout`.
pub fn drive(
    addr: SocketAddr,
    paths: &[String],
    clients: usize,
    behave: Clients,
    lasting: Duration,
    timeout: Duration,
) -> Result<Outcome> {
    if paths.is_empty() {
        bail!("no pages to ask for");
    }
    if !addr.ip().is_loopback() {
        bail!("the load driver only talks to this machine (127.0.0.1), not {addr}");
    }
    let paths: Arc<Vec<String>> = Arc::new(paths.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Outcome::default()));
    let began = Instant::now();
    let until = began + lasting;
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (paths, next, seen) = (paths.clone(), next.clone(), seen.clone());
            std::thread::spawn(move || {
                while Instant::now() < until {
                    let path = &paths[next.fetch_add(1, Ordering::Relaxed) % paths.len()];
                    let got = fetch(addr, path, timeout);
                    let wait = match &got {
                        Ok(a) if a.status == 503 && behave == Clients::Patient => a.retry_after,
                        _ => None,
                    };
                    let mut seen = seen.lock().expect("outcome lock");
                    match got {
                        Ok(answer) => seen.answers.push(answer),
                        Err(e) => seen.failures.push(format!("{path}: {e:#}")),
                    }
                    drop(seen);
                    if let Some(wait) = wait {
                        std::thread::sleep(wait.min(Duration::from_secs(5)));
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker
            .join()
            .map_err(|_| anyhow::anyhow!("a load client panicked"))?;
    }
    let mut outcome = std::mem::take(&mut *seen.lock().expect("outcome lock"));
    outcome.lasted = began.elapsed();
    Ok(outcome)
}

/// `count` requests for `path` one after another; the time each waited.
pub fn one_by_one(addr: SocketAddr, paths: &[String], count: usize) -> Result<Vec<Duration>> {
    (0..count)
        .map(|i| {
            let path = &paths[i % paths.len()];
            let answer = fetch(addr, path, Duration::from_secs(30))?;
            if answer.status != 200 {
                bail!("{path}: status {}", answer.status);
            }
            Ok(answer.waited)
        })
        .collect()
}
