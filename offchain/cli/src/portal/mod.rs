//! `gridtrust portal`: the customer and regulator portal, read-only, served over a node through a
//! deployment's manifest (or over the demo's sandbox chain by `gridtrust demo --serve`).
//!
//! - [`customer`]: look up a meter or an account; each payout and entry can be checked in the browser;
//! - [`insurer`]: pools, capital, exposure, premiums and payouts;
//! - [`regulator`]: outages on a timeline, demand-response events and disputes;
//! - [`proofs`]: the JSON the browser checks with (roots from the chain, proofs from an operator);
//! - [`html`] and [`i18n`]: escaping, the page shell, English and Chinese.
//!
//! The pages work without JavaScript; `check.js` runs only the checks, with `contracts/common`'s own
//! rules compiled to WebAssembly (`offchain/check`). Everything is served by the portal itself: no CDN,
//! no font, since neither this machine nor a utility's network may reach one. No keys, no signing.
//!
//! The chain client is not shared between threads: one thread owns it ([`Desk`]) and HTTP handlers
//! hand it jobs, one at a time, which also bounds the load a burst of requests puts on the node.

pub mod customer;
pub mod html;
pub mod i18n;
pub mod insurer;
pub mod proofs;
pub mod regulator;

use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::{mpsc, Arc},
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
}

/// How many demand-response events the chain holds (ids are dense from 0).
pub fn event_count(chain: &mut impl Chain, site: &Site) -> Result<u64> {
    let dr = site.contracts.demand;
    let api = call_builder::<demand_response::DemandResponse>(dr);
    let mut count = 0;
    while chain.query(&dr, api.event(count), &site.asker)?.is_some() {
        count += 1;
    }
    Ok(count)
}

type Job<C> = Box<dyn FnOnce(&mut C, &Site) + Send>;

/// The thread that owns the chain client, and the queue of jobs it works through.
pub struct Desk<C> {
    jobs: mpsc::Sender<Job<C>>,
}

impl<C> Clone for Desk<C> {
    fn clone(&self) -> Self {
        Self {
            jobs: self.jobs.clone(),
        }
    }
}

impl<C: 'static> Desk<C> {
    /// Runs `job` on the chain's thread and waits for its answer; `None` if the desk has closed.
    async fn ask<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut C, &Site) -> R + Send + 'static,
    ) -> Option<R> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |chain, site| {
                let _ = tx.send(job(chain, site));
            }))
            .ok()?;
        rx.await.ok()
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
    let (jobs, queue) = mpsc::channel::<Job<C>>();
    let desk = Desk { jobs };
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

/// The page titled `title` with the body the chain's thread `answer`ed, or the chain-down page;
/// `checks` loads the in-browser check.
fn answered(
    lang: Lang,
    title: &str,
    here: &str,
    answer: Option<Result<String>>,
    checks: bool,
) -> Response {
    match answer {
        Some(Ok(body)) => html(StatusCode::OK, page(lang, title, here, &body, checks)),
        Some(Err(e)) => chain_down(lang, here, &e),
        None => chain_down(lang, here, &anyhow::anyhow!("the portal is stopping")),
    }
}

/// A page whose body `job` renders on the chain's thread, or the chain-down page.
async fn render<C: Chain + 'static>(
    desk: &Desk<C>,
    lang: Lang,
    title: Text,
    here: &'static str,
    job: fn(&mut C, &Site, Lang) -> Result<String>,
) -> Response {
    let answer = desk.ask(move |chain, site| job(chain, site, lang)).await;
    answered(lang, lang.t(title), here, answer, false)
}

async fn insurer_page<C: Chain + 'static>(State(desk): Shared<C>, a: Asked) -> Response {
    render(&desk, a.lang, Text::Insurer, "/insurer", insurer::body::<C>).await
}

async fn regulator_page<C: Chain + 'static>(State(desk): Shared<C>, a: Asked) -> Response {
    let body = regulator::body::<C>;
    render(&desk, a.lang, Text::Regulator, "/regulator", body).await
}

fn json_answer(answer: Option<Result<serde_json::Value>>) -> Response {
    match answer {
        Some(Ok(value)) => axum::Json(value).into_response(),
        Some(Err(e)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(serde_json::json!({ "error": format!("{e:#}") })),
        )
            .into_response(),
        None => StatusCode::SERVICE_UNAVAILABLE.into_response(),
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
