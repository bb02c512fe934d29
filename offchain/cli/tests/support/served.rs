//! `gridtrust demo --serve` as a newcomer runs it: the demo, then its portal on a free port.

use std::{
    io::{BufRead, BufReader},
    net::SocketAddr,
    process::{Child, Command, Stdio},
};

/// The demo's portal, serving until dropped.
pub struct Served {
    child: Child,
    /// Where it serves, e.g. `http://127.0.0.1:40123/`.
    pub url: String,
    /// The same as a socket address.
    pub addr: SocketAddr,
    /// What the demo printed before it said where it serves.
    pub said: Vec<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        // SIGTERM, as Ctrl-C would: the portal stops and the demo's stores are removed.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

/// Runs the demo and waits until its portal serves.
pub fn serve_demo() -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gridtrust"))
        .args(["demo", "--serve", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("gridtrust demo --serve starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut said = Vec::new();
    let mut url = None;
    for line in lines.by_ref() {
        let line = line.expect("the demo's output");
        if let Some(at) = line.find("http://") {
            url = Some(line[at..].split_whitespace().next().unwrap().to_owned());
            break;
        }
        said.push(line);
    }
    std::thread::spawn(move || for _ in lines {});
    let url = url.expect("the demo says where the portal serves");
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("the portal serves at an address");
    Served {
        child,
        url,
        addr,
        said,
    }
}
