//! Stopping the daemon: one value that every part waits on. The round loop sleeps on it between
//! rounds, the watcher looks at it between scans and the HTTP server awaits it for a graceful stop, so
//! one signal stops them all and the round under way still finishes.

use std::{
    sync::{Condvar, Mutex},
    time::Duration,
};

use tokio::sync::watch;

/// Whether a stop was asked for, waitable from threads and from async tasks.
pub struct Shutdown {
    asked: watch::Sender<bool>,
    // Threads sleep on the condition variable; async tasks subscribe to `asked`.
    sleepers: (Mutex<()>, Condvar),
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

impl Shutdown {
    /// Not asked yet.
    pub fn new() -> Self {
        Self {
            asked: watch::Sender::new(false),
            sleepers: (Mutex::new(()), Condvar::new()),
        }
    }

    /// Asks every part of the daemon to stop; asking again changes nothing.
    pub fn ask(&self) {
        let _guard = self.sleepers.0.lock().expect("shutdown lock");
        self.asked.send_replace(true);
        self.sleepers.1.notify_all();
    }

    /// Whether a stop was asked for.
    pub fn is_asked(&self) -> bool {
        *self.asked.borrow()
    }

    /// Blocks the calling thread for `d`, or less when a stop is asked for; returns whether it was.
    pub fn sleep(&self, d: Duration) -> bool {
        let guard = self.sleepers.0.lock().expect("shutdown lock");
        if self.is_asked() {
            return true;
        }
        let _ = self
            .sleepers
            .1
            .wait_timeout_while(guard, d, |_| !self.is_asked());
        self.is_asked()
    }

    /// Completes once a stop is asked for.
    pub async fn wait(&self) {
        let mut asked = self.asked.subscribe();
        // An error means the sender is gone, which only happens once the daemon is dropped.
        let _ = asked.wait_for(|&stop| stop).await;
    }
}

#[cfg(test)]
mod tests {
    use std::{sync::Arc, time::Instant};

    use super::*;

    #[test]
    fn a_stop_wakes_a_sleeping_thread_and_an_awaiting_task() {
        let shutdown = Arc::new(Shutdown::new());
        let sleeper = {
            let s = shutdown.clone();
            std::thread::spawn(move || {
                let started = Instant::now();
                (s.sleep(Duration::from_secs(60)), started.elapsed())
            })
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let waiter = {
            let s = shutdown.clone();
            runtime.spawn(async move { s.wait().await })
        };
        std::thread::sleep(Duration::from_millis(50));
        assert!(!shutdown.is_asked());
        shutdown.ask();
        let (asked, slept) = sleeper.join().unwrap();
        assert!(asked && slept < Duration::from_secs(60));
        runtime
            .block_on(async { tokio::time::timeout(Duration::from_secs(5), waiter).await })
            .expect("the task saw the stop")
            .unwrap();
        assert!(shutdown.sleep(Duration::from_secs(60)), "asked stays asked");
    }
}
