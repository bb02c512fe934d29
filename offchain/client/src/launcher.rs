//! Starting a local gridtrust-node dev chain (`gridtrust-node --dev`) for development and the
//! end-to-end tests: one authority, a block sealed and final for every transaction, `//Alice` and
//! friends funded, RPC on a free loopback port, its database in a fresh folder, its log beside it.
//!
//! The binary is `$GRIDTRUST_NODE` when set, else `gridtrust-node` on `PATH` (`make node` builds
//! and installs it from `deploy/node`, see `deploy/README.md`).

use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// The binary's name on `PATH`.
pub const NODE_BINARY: &str = "gridtrust-node";
/// The environment variable that names the binary instead.
pub const NODE_VARIABLE: &str = "GRIDTRUST_NODE";

/// Why a node could not be started.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// No binary found.
    #[error(
        "no {NODE_BINARY} binary: set {NODE_VARIABLE} or put {NODE_BINARY} on PATH \
         (`make node` builds and installs it; see deploy/README.md)"
    )]
    NotFound,
    /// Starting the process or preparing its folder failed.
    #[error("starting {binary}: {reason}")]
    Spawn {
        /// The binary.
        binary: String,
        /// What failed.
        reason: String,
    },
    /// The node exited or never answered RPC.
    #[error("the node did not come up ({reason}); its log is {}", log.display())]
    NotReady {
        /// Why.
        reason: String,
        /// Where the node's output went.
        log: PathBuf,
    },
}

/// A gridtrust-node dev chain this program started; stopped when dropped.
pub struct LocalNode {
    binary: PathBuf,
    base: PathBuf,
    owns_base: bool,
    rpc_port: u16,
    p2p_port: u16,
    child: Option<Child>,
}

impl LocalNode {
    /// The node binary to use, if there is one.
    pub fn binary() -> Option<PathBuf> {
        if let Some(path) = std::env::var_os(NODE_VARIABLE) {
            let path = PathBuf::from(path);
            return path.is_file().then_some(path);
        }
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(NODE_BINARY))
                .find(|candidate| candidate.is_file())
        })
    }

    /// Starts a fresh dev chain in a new temporary folder, on a free port, and waits until its RPC
    /// answers.
    pub fn start() -> Result<Self, LaunchError> {
        Self::start_temporary(free_port()?)
    }

    /// A fresh dev chain in a new temporary folder (removed with the node), RPC on `rpc_port`.
    pub fn start_temporary(rpc_port: u16) -> Result<Self, LaunchError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let base =
            std::env::temp_dir().join(format!("gridtrust-node-{}-{nanos}", std::process::id()));
        let mut node = Self::start_at(&base, rpc_port)?;
        node.owns_base = true;
        Ok(node)
    }

    /// Starts (or restarts) the dev chain kept in `base` and waits until its RPC answers.
    pub fn start_in(base: &Path) -> Result<Self, LaunchError> {
        Self::start_at(base, free_port()?)
    }

    /// Like [`LocalNode::start_in`], with RPC on `rpc_port` (e.g. the usual 9944 that configuration
    /// files name).
    pub fn start_at(base: &Path, rpc_port: u16) -> Result<Self, LaunchError> {
        let binary = Self::binary().ok_or(LaunchError::NotFound)?;
        std::fs::create_dir_all(base).map_err(|e| LaunchError::Spawn {
            binary: binary.display().to_string(),
            reason: format!("creating {}: {e}", base.display()),
        })?;
        let mut node = Self {
            binary,
            base: base.to_owned(),
            owns_base: false,
            rpc_port,
            p2p_port: free_port()?,
            child: None,
        };
        node.spawn()?;
        Ok(node)
    }

    fn spawn(&mut self) -> Result<(), LaunchError> {
        let log = self.log_path();
        let spawn_error = |reason: String| LaunchError::Spawn {
            binary: self.binary.display().to_string(),
            reason,
        };
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .map_err(|e| spawn_error(format!("opening {}: {e}", log.display())))?;
        let err = out.try_clone().map_err(|e| spawn_error(e.to_string()))?;
        let child = Command::new(&self.binary)
            .arg("--dev")
            .arg("--base-path")
            .arg(&self.base)
            .args(["--rpc-port", &self.rpc_port.to_string()])
            .args(["--port", &self.p2p_port.to_string()])
            .args(["--no-prometheus", "--no-telemetry"])
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| spawn_error(e.to_string()))?;
        self.child = Some(child);
        self.wait_ready(Duration::from_secs(60))
    }

    fn wait_ready(&mut self, limit: Duration) -> Result<(), LaunchError> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    return Err(LaunchError::NotReady {
                        reason: format!("it exited with {status}"),
                        log: self.log_path(),
                    });
                }
            }
            if rpc_answers(self.rpc_port) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                self.stop();
                return Err(LaunchError::NotReady {
                    reason: format!("no RPC answer on port {} within {limit:?}", self.rpc_port),
                    log: self.log_path(),
                });
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The websocket endpoint, `ws://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.rpc_port)
    }

    /// Where the node writes its output.
    pub fn log_path(&self) -> PathBuf {
        self.base.join("node.log")
    }

    /// The folder holding the chain's database.
    pub fn base_path(&self) -> &Path {
        &self.base
    }

    /// Stops the node (SIGTERM, then SIGKILL after 10 s). Its chain stays in its folder.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            terminate(&mut child, Duration::from_secs(10));
        }
    }

    /// Stops the node and starts it again on the same ports and chain database, as after a crash or
    /// an upgrade; clients see their connection drop and come back.
    pub fn restart(&mut self) -> Result<(), LaunchError> {
        self.stop();
        self.spawn()
    }
}

impl Drop for LocalNode {
    fn drop(&mut self) {
        self.stop();
        if self.owns_base {
            std::fs::remove_dir_all(&self.base).ok();
        }
    }
}

/// Asks the process to shut down and waits; kills it when it does not.
fn terminate(child: &mut Child, grace: Duration) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: sending a signal to a child we spawned and have not yet reaped.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
    }
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().ok();
    child.wait().ok();
}

/// A loopback port nobody listens on right now.
fn free_port() -> Result<u16, LaunchError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| LaunchError::Spawn {
            binary: NODE_BINARY.to_owned(),
            reason: format!("finding a free port: {e}"),
        })
}

/// Whether a JSON-RPC `system_health` over HTTP on `port` gets an answer.
fn rpc_answers(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"system_health","params":[]}"#;
    let request = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok();
    answer.contains("\"result\"")
}
