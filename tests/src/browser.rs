//! A real headless Chromium, driven over the W3C WebDriver protocol by Debian's `chromedriver` (plain
//! JSON over HTTP on localhost, so no client library): open a page, click, choose a file, read text,
//! wait for a condition, take a screenshot.

use std::{
    io::BufRead,
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{json, Value};

/// The key WebDriver names element references by.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Where Debian's packages put the browser and its driver (overridable by CHROMIUM / CHROMEDRIVER).
fn tool(var: &str, default: &str) -> Option<String> {
    let path = std::env::var(var).unwrap_or_else(|_| default.to_owned());
    Path::new(&path).is_file().then_some(path)
}

/// A headless Chromium session.
pub struct Browser {
    driver: Child,
    base: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium; `None` when either is not installed.
    pub fn start() -> Option<Self> {
        let chromium = tool("CHROMIUM", "/usr/bin/chromium")?;
        let chromedriver = tool("CHROMEDRIVER", "/usr/bin/chromedriver")?;
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let mut driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        // It says when it listens.
        let out = driver.stdout.take().expect("piped");
        let mut lines = std::io::BufReader::new(out).lines();
        for line in lines.by_ref() {
            if line.map_or(true, |l| l.contains("started successfully")) {
                break;
            }
        }
        std::thread::spawn(move || for _ in lines {});
        let profile = tempfile::tempdir().expect("a profile folder");
        let base = format!("http://127.0.0.1:{port}");
        // Flags from the machine's notes: without the network ones Chromium keeps trying to reach
        // Google's hosts, which this closed network refuses.
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1100,1400",
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let answer = post(
            &format!("{base}/session"),
            &json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": chromium, "args": args},
            }}}),
        );
        let session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("a WebDriver session: {answer}"))
            .to_owned();
        Some(Self {
            driver,
            base: format!("{base}/session/{session}"),
            _profile: profile,
        })
    }

    /// Opens `url` and waits for it to load.
    pub fn open(&self, url: &str) {
        post(&format!("{}/url", self.base), &json!({ "url": url }));
    }

    fn element(&self, css: &str) -> String {
        let answer = post(
            &format!("{}/element", self.base),
            &json!({"using": "css selector", "value": css}),
        );
        answer["value"][ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element `{css}`: {answer}"))
            .to_owned()
    }

    /// Clicks the first element `css` selects.
    pub fn click(&self, css: &str) {
        let e = self.element(css);
        post(&format!("{}/element/{e}/click", self.base), &json!({}));
    }

    /// Chooses `file` in the file input `css` selects, as a user picking it would.
    pub fn choose_file(&self, css: &str, file: &Path) {
        let e = self.element(css);
        post(
            &format!("{}/element/{e}/value", self.base),
            &json!({ "text": file.display().to_string() }),
        );
    }

    /// Sets the window to `width` × `height` CSS pixels, as a phone's screen is.
    pub fn resize(&self, width: u32, height: u32) {
        post(
            &format!("{}/window/rect", self.base),
            &json!({ "width": width, "height": height }),
        );
    }

    /// Runs `script` in the page; returns what it returns.
    pub fn eval(&self, script: &str) -> Value {
        post(
            &format!("{}/execute/sync", self.base),
            &json!({"script": script, "args": []}),
        )["value"]
            .clone()
    }

    /// The page's visible text.
    pub fn text(&self) -> String {
        self.eval("return document.body.innerText")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits up to `limit` for `script` to return something other than null or false; returns it.
    pub fn wait_for(&self, script: &str, limit: Duration) -> Value {
        let until = Instant::now() + limit;
        loop {
            let v = self.eval(script);
            if !(v.is_null() || v == Value::Bool(false)) {
                return v;
            }
            assert!(Instant::now() < until, "timed out waiting for `{script}`");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Saves a screenshot of the window as PNG at `path`.
    pub fn screenshot(&self, path: &Path) {
        use base64::Engine as _;
        let answer = get(&format!("{}/screenshot", self.base));
        let png = base64::engine::general_purpose::STANDARD
            .decode(answer["value"].as_str().expect("a screenshot"))
            .expect("base64");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("the screenshots folder");
        }
        std::fs::write(path, png).expect("the screenshot is written");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(&self.base).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn answer(result: Result<ureq::Response, ureq::Error>) -> Value {
    match result {
        Ok(r) => r.into_json().expect("WebDriver answers JSON"),
        Err(ureq::Error::Status(_, r)) => {
            let v: Value = r.into_json().unwrap_or_default();
            panic!("WebDriver refused: {v}")
        }
        Err(e) => panic!("WebDriver: {e}"),
    }
}

fn post(url: &str, body: &Value) -> Value {
    answer(ureq::post(url).send_json(body.clone()))
}

fn get(url: &str) -> Value {
    answer(ureq::get(url).call())
}
