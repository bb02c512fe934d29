//! `gridtrust portal`: the customer and regulator portal, read-only, served over a node through a
//! deployment's manifest (or over the demo's sandbox chain by `gridtrust demo --serve`).
//!
//! - [`customer`]: look up a meter or an account; each payout and entry can be checked in the browser;
//! - [`insurer`]: pools, capital, exposure, premiums and payouts;
//! - [`regulator`]: outages on a timeline, demand-response events and disputes;
//! - [`proofs`]: the JSON the browser checks with (roots from the chain, proofs from an operator);
//! - [`html`] and [`i18n`]: escaping, the page shell, English and Chinese;
//! - [`load`]: a loopback load driver, for `make bench` and the load test.
//!
//! The pages work without JavaScript; `check.js` runs only the checks, with `contracts/common`'s own
//! rules compiled to WebAssembly (`offchain/check`). Everything is served by the portal itself: no CDN,
//! no font, since neither this machine nor a utility's network may reach one. No keys, no signing.
//!
//! The chain client is not shared between threads: one thread owns it ([`Desk`]) and HTTP handlers
//! hand it jobs, one at a time, which also bounds the load a burst of requests puts on the node.
//!
//! **Under load** (the storm's customers all arriving at once) the portal answers everyone quickly,
//! with a page or with a `503 Service Unavailable` and `Retry-After`, never with a queue:
//! - at most [`QUEUE`] pages wait for the chain's thread; past that a request is turned away at once;
//! - every request has a deadline ([`DEADLINE`]): one not answered by then gets the busy page, and
//!   its job is dropped unread if it has not started;
//! - a job whose client has gone (closed the tab, timed out) is dropped unread;
//! - the insurer and regulator pages, the same for everyone and the costliest, are kept for
//!   [`SHARED_PAGE_TTL`] and served from memory meanwhile, and while one request renders one again
//!   the others get the page kept (each says the block it was read at);
//! - no page probes the chain without bound: the count of demand-response events is remembered and
//!   at most [`PROBES_PER_PAGE`] new ids are probed per page.

pub mod customer;
pub mod html;
pub mod i18n;
pub mod insurer;
pub mod load;
pub mod proofs;
pub mod regulator;

use std::{
    collections::HashMap,
    net::SocketAddr,
    path::PathBuf,
    sync::{
        atomic::{AtomicU64, Ordering},
        mpsc, Arc, Mutex,
    },
    time::{Duration, Instant},
};

use anyhow::{Context, Result};
use axum::{
    extract::{rejection::QueryRejection, FromRequestParts, Query, State},
    http::{header, request::Parts, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use gridtrust_chain::{encode::call_builder, parse_ss58, AccountId, Chain, Contracts};
use gridtrust_oracle::settings::WorkerConfig;
use serde::Deserialize;

use self::{
    html::{escape, page, query_value},
    i18n::{Lang, Text},
};
use crate::deploy;

/// What every page needs to know besides the chain.
#[derive(Debug, Clone)]
pub struct Site {
    /// The deployment's contracts.
    pub contracts: Contracts,
    /// The attestation schemas to list, by name.
    pub schemas: Vec<(String, u32)>,
    /// An operator's store, for the proofs the browser checks.
    pub operator_store: Option<PathBuf>,
    /// How that operator computes results (its demand rule); `operator` is only who asks queries.
    pub worker: WorkerConfig,
    /// Who asks the read-only queries (they sign nothing).
    pub asker: AccountId,
    /// How many demand-response events were seen so far: events are never removed, so counting
    /// goes on from here instead of from 0 on every page.
    pub known_events: Arc<AtomicU64>,
}

/// Most new event ids one page probes: a page costs a bounded number of queries even right after a
/// burst of events, and the next page goes on counting where it stopped.
pub const PROBES_PER_PAGE: u64 = 64;

/// How many demand-response events the chain holds (ids are dense from 0), as far as this page
/// counts: from the count known so far, at most [`PROBES_PER_PAGE`] ids further.
pub fn event_count(chain: &mut impl Chain, site: &Site) -> Result<u64> {
    let dr = site.contracts.demand;
    let api = call_builder::<demand_response::DemandResponse>(dr);
    let known = site.known_events.load(Ordering::Relaxed);
    let mut count = known;
    while count < known.saturating_add(PROBES_PER_PAGE)
        && chain.query(&dr, api.event(count), &site.asker)?.is_some()
    {
        count += 1;
    }
    site.known_events.fetch_max(count, Ordering::Relaxed);
    Ok(count)
}

/// Most pages waiting for the chain's thread; more are turned away at once with the busy page.
pub const QUEUE: usize = 32;
/// Longest a request waits for its page before it gets the busy page instead.
pub const DEADLINE: Duration = Duration::from_secs(5);
/// How long the insurer's and the regulator's pages are served from memory.
pub const SHARED_PAGE_TTL: Duration = Duration::from_secs(2);
/// What a turned-away client is told to wait before asking again (seconds).
const RETRY_AFTER_S: &str = "2";

type Job<C> = Box<dyn FnOnce(&mut C, &Site) + Send>;

/// Why a page could not be had from the chain's thread.
enum Unanswered {
    /// The queue is full, or the deadline passed.
    Busy,
    /// The portal is stopping.
    Stopping,
}

/// A shared page's key: its path and language.
type SharedKey = (&'static str, Lang);

/// A shared page as last rendered, and whether a request is rendering it again.
#[derive(Default)]
struct Kept {
    page: Option<(Instant, String)>,
    refreshing: bool,
}

/// The shared pages kept, by key.
type KeptPages = Arc<Mutex<HashMap<SharedKey, Kept>>>;

/// What a request for a shared page does.
enum SharedAnswer {
    /// Serves this page: rendered less than [`SHARED_PAGE_TTL`] ago, or older while another request
    /// renders it again (so a burst makes one render, not a queue of them).
    Serve(String),
    /// Renders the page; the guard ends the render however the request ends.
    Render(Refresh),
}

/// A request's claim to render a shared page: while it lives, other requests serve the page kept.
struct Refresh {
    pages: KeptPages,
    key: SharedKey,
}

impl Refresh {
    /// Keeps `page` as the shared page just rendered.
    fn keep(self, page: &str) {
        if let Ok(mut pages) = self.pages.lock() {
            pages.entry(self.key).or_default().page = Some((Instant::now(), page.to_owned()));
        }
    }
}

impl Drop for Refresh {
    fn drop(&mut self) {
        if let Ok(mut pages) = self.pages.lock() {
            pages.entry(self.key).or_default().refreshing = false;
        }
    }
}

/// The thread that owns the chain client, and the bounded queue of jobs it works through.
pub struct Desk<C> {
    jobs: mpsc::SyncSender<Job<C>>,
    /// Shared pages as last rendered.
    shared: KeptPages,
}

impl<C> Clone for Desk<C> {
    fn clone(&self) -> Self {
        Self {
            jobs: self.jobs.clone(),
            shared: self.shared.clone(),
        }
    }
}

impl<C: 'static> Desk<C> {
    /// A desk over the queue `jobs` feeds.
    fn new(jobs: mpsc::SyncSender<Job<C>>) -> Self {
        Self {
            jobs,
            shared: Arc::default(),
        }
    }

    /// Runs `job` on the chain's thread and waits for its answer, at most until [`DEADLINE`]. The
    /// job is not run if it is still waiting when the deadline passes or its client has gone.
    async fn ask<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut C, &Site) -> R + Send + 'static,
    ) -> Result<R, Unanswered> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let deadline = Instant::now() + DEADLINE;
        let queued: Job<C> = Box::new(move |chain, site| {
            if tx.is_closed() || Instant::now() >= deadline {
                return;
            }
            let _ = tx.send(job(chain, site));
        });
        match self.jobs.try_send(queued) {
            Ok(()) => {}
            Err(mpsc::TrySendError::Full(_)) => return Err(Unanswered::Busy),
            Err(mpsc::TrySendError::Disconnected(_)) => return Err(Unanswered::Stopping),
        }
        match tokio::time::timeout_at(deadline.into(), rx).await {
            Ok(Ok(answer)) => Ok(answer),
            // Dropped unrun (its deadline passed in the queue), or not answered in time.
            Ok(Err(_)) | Err(_) => Err(Unanswered::Busy),
        }
    }

    /// What a request for the shared page `key` does now (see [`SharedAnswer`]).
    fn shared_page(&self, key: SharedKey) -> SharedAnswer {
        let render = || {
            SharedAnswer::Render(Refresh {
                pages: self.shared.clone(),
                key,
            })
        };
        let Ok(mut pages) = self.shared.lock() else {
            return render();
        };
        let kept = pages.entry(key).or_default();
        match &kept.page {
            Some((at, page)) if at.elapsed() < SHARED_PAGE_TTL || kept.refreshing => {
                SharedAnswer::Serve(page.clone())
            }
            _ => {
                kept.refreshing = true;
                drop(pages);
                render()
            }
        }
    }
}

/// Serve the customer and regulator portal (read-only) over a deployment on a node.
#[derive(Debug, clap::Args)]
pub struct PortalCommand {
    /// The deployment configuration whose chain and manifest to use.
    #[arg(long, value_name = "FILE", default_value = "deploy/local.toml")]
    config: PathBuf,
    /// The node to talk to, instead of the configuration's.
    #[arg(long, value_name = "WS_URL")]
    url: Option<String>,
    /// Where to listen.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// An oracle operator's daemon configuration (as `gridtrust oracle run` takes): its store holds
    /// the proofs the browser checks payouts and entries with, computed by its demand rule.
    #[arg(long, value_name = "FILE")]
    oracle: Option<PathBuf>,
}

impl PortalCommand {
    /// Connects and serves until interrupted.
    pub fn run(&self) -> Result<()> {
        let loaded = deploy::load(&self.config)?;
        let manifest = loaded.manifest()?;
        let chain = deploy::connect(&loaded, self.url.as_deref())?;
        let asker = gridtrust_chain::named_account("gridtrust-reader");
        let mut worker = reader_config(asker);
        let mut operator_store = None;
        if let Some(path) = &self.oracle {
            let daemon = gridtrust_oracle::daemon::DaemonConfig::load(path)?;
            worker.demand = daemon.demand;
            worker.outages = daemon.outages;
            operator_store = Some(daemon.store);
        }
        let site = Site {
            contracts: manifest.contracts()?,
            schemas: manifest
                .schemas
                .iter()
                .map(|(name, id)| (name.clone(), *id))
                .collect(),
            operator_store,
            worker,
            asker,
            known_events: Arc::default(),
        };
        serve(chain, site, self.listen, |addr| {
            println!("portal: http://{addr}/ (Ctrl-C stops it)")
        })
    }
}

/// The default oracle rules with `asker` asking; `--oracle` replaces them with an operator's own.
pub fn reader_config(asker: AccountId) -> WorkerConfig {
    WorkerConfig {
        operator: asker,
        outages: Default::default(),
        demand: Default::default(),
        keeper: false,
        heartbeat_ms: 0,
    }
}

/// Serves the portal over `chain` at `listen` until SIGINT/SIGTERM; `ready` is told the address once
/// it listens. The calling thread works the chain's jobs.
pub fn serve<C: Chain + 'static>(
    mut chain: C,
    site: Site,
    listen: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(listen))
        .with_context(|| format!("listening on {listen}"))?;
    let addr = listener.local_addr()?;
    let (jobs, queue) = mpsc::sync_channel::<Job<C>>(QUEUE);
    let desk = Desk::new(jobs);
    let server = runtime.spawn(async move {
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        axum::serve(listener, router(desk))
            .with_graceful_shutdown(stop)
            .await
    });
    ready(addr);
    // The desk: every job in turn, until the server stops and drops its senders.
    while let Ok(job) = queue.recv() {
        job(&mut chain, &site);
    }
    runtime
        .block_on(server)
        .context("the portal's server task")?
        .context("the portal's server")?;
    Ok(())
}

/// The portal's routes over `desk`.
pub fn router<C: Chain + 'static>(desk: Desk<C>) -> Router {
    Router::new()
        .route("/", get(customer_page::<C>))
        .route("/insurer", get(insurer_page::<C>))
        .route("/regulator", get(regulator_page::<C>))
        .route("/api/payout-proof", get(payout_proof::<C>))
        .route("/api/entry-proof", get(entry_proof::<C>))
        .route("/assets/style.css", get(style))
        .route("/assets/check.js", get(script))
        .route("/assets/check.wasm", get(wasm))
        .fallback(not_found)
        .with_state(Arc::new(desk))
}

#[derive(Debug, Deserialize, Default)]
struct Params {
    lang: Option<String>,
    account: Option<String>,
    meter: Option<String>,
    outage: Option<u64>,
    event: Option<u64>,
    policy: Option<u64>,
}

/// A page request: its query, and the language to answer in (`?lang=`, else the browser's
/// `Accept-Language`).
struct Asked {
    params: Params,
    lang: Lang,
}

#[axum::async_trait]
impl<S: Send + Sync> FromRequestParts<S> for Asked {
    type Rejection = QueryRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(params) = Query::<Params>::from_request_parts(parts, state).await?;
        let accept = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        let lang = Lang::of(params.lang.as_deref(), accept);
        Ok(Self { params, lang })
    }
}

/// The portal's shared state, as a handler takes it.
type Shared<C> = State<Arc<Desk<C>>>;

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The page shown when the portal has more requests than it can answer in time: a quick `503` with
/// `Retry-After`, so a burst of clients is told to come back instead of waiting in a queue.
fn busy(lang: Lang, here: &str) -> Response {
    let body = format!("<p class=\"bad\">{}</p>", escape(lang.t(Text::Busy)));
    let mut response = html(
        StatusCode::SERVICE_UNAVAILABLE,
        page(lang, lang.t(Text::Busy), here, &body, false),
    );
    response.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from_static(RETRY_AFTER_S),
    );
    response
}

/// The page shown when the chain cannot answer: what happened in words, never a trace.
fn chain_down(lang: Lang, here: &str, error: &anyhow::Error) -> Response {
    let body = format!(
        "<p class=\"bad\">{}</p><p><small>{}</small></p>",
        escape(lang.t(Text::ChainDown)),
        escape(&format!("{error:#}"))
    );
    html(
        StatusCode::SERVICE_UNAVAILABLE,
        page(lang, lang.t(Text::ChainDown), here, &body, false),
    )
}

async fn customer_page<C: Chain + 'static>(State(desk): Shared<C>, asked: Asked) -> Response {
    let Asked { params, lang } = asked;
    let t = |x| lang.t(x);
    let account_text = params.account.as_deref().map(str::trim).unwrap_or_default();
    let meter_text = params.meter.as_deref().map(str::trim).unwrap_or_default();
    let mut here = "/".to_owned();
    let mut query = Vec::new();
    if !meter_text.is_empty() {
        query.push(format!("meter={}", query_value(meter_text)));
    }
    if !account_text.is_empty() {
        query.push(format!("account={}", query_value(account_text)));
    }
    if !query.is_empty() {
        here = format!("/?{}", query.join("&"));
    }
    let form = format!(
        "<p>{tagline}</p><form method=\"get\" action=\"/\"><input type=\"hidden\" name=\"lang\" value=\"{code}\">\
         <label>{meter} <input name=\"meter\" inputmode=\"numeric\" value=\"{mv}\"></label> \
         <label>{account} <input name=\"account\" value=\"{av}\" size=\"50\"></label> \
         <button type=\"submit\">{look}</button></form><p><small>{help}</small></p>",
        tagline = escape(t(Text::Tagline)),
        code = lang.code(),
        meter = escape(t(Text::Meter)),
        mv = escape(meter_text),
        account = escape(t(Text::Account)),
        av = escape(account_text),
        look = escape(t(Text::LookUp)),
        help = escape(t(Text::LookUpHelp)),
    );
    if account_text.is_empty() && meter_text.is_empty() {
        return html(
            StatusCode::OK,
            page(lang, t(Text::Customer), &here, &form, false),
        );
    }
    let meter = (!meter_text.is_empty())
        .then(|| meter_text.parse::<u64>())
        .transpose();
    let account = (!account_text.is_empty())
        .then(|| parse_ss58(account_text).ok_or(()))
        .transpose();
    let (Ok(meter), Ok(account)) = (meter, account) else {
        let body = format!("{form}<p class=\"bad\">{}</p>", escape(t(Text::BadRequest)));
        return html(
            StatusCode::BAD_REQUEST,
            page(lang, t(Text::Customer), &here, &body, false),
        );
    };
    let lookup = customer::Lookup { account, meter };
    let answer = desk
        .ask(move |chain, site| customer::body(chain, site, &lookup, lang))
        .await
        .map(|body| body.map(|body| form + &body));
    answered(lang, t(Text::Customer), &here, answer, true)
}

/// The page titled `title` with the body the chain's thread `answer`ed, or the busy or chain-down
/// page; `checks` loads the in-browser check.
fn answered(
    lang: Lang,
    title: &str,
    here: &str,
    answer: Result<Result<String>, Unanswered>,
    checks: bool,
) -> Response {
    match answer {
        Ok(Ok(body)) => html(StatusCode::OK, page(lang, title, here, &body, checks)),
        Ok(Err(e)) => chain_down(lang, here, &e),
        Err(Unanswered::Busy) => busy(lang, here),
        Err(Unanswered::Stopping) => {
            chain_down(lang, here, &anyhow::anyhow!("the portal is stopping"))
        }
    }
}

/// A page the same for everyone, whose body `job` renders on the chain's thread: served from memory
/// when it was rendered less than [`SHARED_PAGE_TTL`] ago or another request is rendering it again,
/// else rendered and kept.
async fn shared_page<C: Chain + 'static>(
    desk: &Desk<C>,
    lang: Lang,
    title: Text,
    here: &'static str,
    job: fn(&mut C, &Site, Lang) -> Result<String>,
) -> Response {
    let refresh = match desk.shared_page((here, lang)) {
        SharedAnswer::Serve(kept) => return html(StatusCode::OK, kept),
        SharedAnswer::Render(refresh) => refresh,
    };
    match desk.ask(move |chain, site| job(chain, site, lang)).await {
        Ok(Ok(body)) => {
            let rendered = page(lang, lang.t(title), here, &body, false);
            refresh.keep(&rendered);
            html(StatusCode::OK, rendered)
        }
        other => answered(lang, lang.t(title), here, other, false),
    }
}

async fn insurer_page<C: Chain + 'static>(State(desk): Shared<C>, a: Asked) -> Response {
    shared_page(&desk, a.lang, Text::Insurer, "/insurer", insurer::body::<C>).await
}

async fn regulator_page<C: Chain + 'static>(State(desk): Shared<C>, a: Asked) -> Response {
    let body = regulator::body::<C>;
    shared_page(&desk, a.lang, Text::Regulator, "/regulator", body).await
}

fn json_answer(answer: Result<Result<serde_json::Value>, Unanswered>) -> Response {
    match answer {
        Ok(Ok(value)) => axum::Json(value).into_response(),
        Ok(Err(e)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(serde_json::json!({ "error": format!("{e:#}") })),
        )
            .into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, RETRY_AFTER_S)],
            axum::Json(serde_json::json!({ "error": "the portal is busy: try again shortly" })),
        )
            .into_response(),
    }
}

fn bad_params() -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(serde_json::json!({ "error": "give outage, meter and policy (or event and meter) as numbers" })),
    )
        .into_response()
}

async fn payout_proof<C: Chain + 'static>(
    State(desk): Shared<C>,
    Query(p): Query<Params>,
) -> Response {
    let (Some(outage), Some(Ok(meter)), Some(policy)) = (
        p.outage,
        p.meter.as_deref().map(str::parse::<u64>),
        p.policy,
    ) else {
        return bad_params();
    };
    json_answer(
        desk.ask(move |chain, site| proofs::payout(chain, site, outage, meter, policy))
            .await,
    )
}

async fn entry_proof<C: Chain + 'static>(
    State(desk): Shared<C>,
    Query(p): Query<Params>,
) -> Response {
    let (Some(event), Some(Ok(meter))) = (p.event, p.meter.as_deref().map(str::parse::<u64>))
    else {
        return bad_params();
    };
    json_answer(
        desk.ask(move |chain, site| proofs::entry(chain, site, event, meter))
            .await,
    )
}

async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../assets/portal/style.css"),
    )
        .into_response()
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../../assets/portal/check.js"),
    )
        .into_response()
}

/// Where the in-browser check's WebAssembly is built (`scripts/build-check.sh`).
pub fn check_wasm_path() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| option_env!("CARGO_TARGET_DIR").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("wasm32-unknown-unknown/release/gridtrust_check.wasm")
}

async fn wasm() -> Response {
    let path = check_wasm_path();
    let read = path.clone();
    let bytes = tokio::task::spawn_blocking(move || std::fs::read(read))
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)));
    match bytes {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/wasm")], bytes).into_response(),
        Err(e) => (
            StatusCode::NOT_FOUND,
            format!(
                "the in-browser check is not built ({}: {e}); run scripts/build-check.sh\n",
                path.display()
            ),
        )
            .into_response(),
    }
}

async fn not_found(Asked { lang, .. }: Asked) -> Response {
    html(
        StatusCode::NOT_FOUND,
        page(
            lang,
            lang.t(Text::NotFoundPage),
            "/",
            &format!(
                "<p><a href=\"/\">{}</a></p>",
                escape(lang.t(Text::Customer))
            ),
            false,
        ),
    )
}
