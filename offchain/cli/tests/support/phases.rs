//! What the long scenarios on real nodes share: naming the phase a failure happened in, and waiting
//! for what real time brings.

use std::time::{Duration, Instant};

/// The phase of a long scenario under way: a failure anywhere in it names the phase it failed in
/// (the scenario's steps depend on each other, so they run as one test).
pub struct Phase(pub &'static str);

impl Phase {
    /// Says that `name` begins.
    pub fn enter(&mut self, name: &'static str) {
        eprintln!("== phase: {name}");
        self.0 = name;
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("== FAILED in phase: {}", self.0);
        }
    }
}

/// Polls `done` every half second; fails naming `what` after `limit`.
pub fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(500));
    }
}
