//! The daemon's HTTP side: meter data in (`POST /ingest`), Prometheus metrics out (`GET /metrics`),
//! a health check for supervisors (`GET /health`), and the evidence behind this operator's final
//! outage reports for anyone to check (`GET /evidence/<root>`).
//!
//! `GET /evidence/0x<root>` answers the [`EvidenceFile`] kept under that root (404 when this operator
//! made no report with it); with `?meter=M` it adds, for each of that meter's events, its index and
//! Merkle proof (`proofs`), so a customer can check their own events without building the tree.
//!
//! `POST /ingest?format=csv|jsonl` takes the same lines as the files (the format may also come from
//! `Content-Type: text/csv` or `application/x-ndjson`) and judges them the same way, line by line (a
//! line that is not UTF-8 is one rejected line). It needs the [`super::door`]'s bearer token when one
//! is configured (401 without). The answer lists what was stored and every rejected line with its
//! number; rejected lines also go to the rejects log. A store failure is an error status and stores
//! nothing.

use std::{
    sync::{atomic::Ordering, Arc},
    time::Duration,
};

use axum::{
    body::Body,
    extract::{Path, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;

use super::Shared;
use crate::{
    evidence::{parse_root, EvidenceFile},
    ingest::Format,
};

/// Largest request body accepted (64 MiB: about two million readings).
const MAX_BODY: usize = 64 << 20;
/// Longest a client may take to send its body: 64 MiB at under 1 MB/s. A client that promises a
/// body and sends it slowly, or not at all, is answered `408` instead of holding a worker.
const BODY_TIME: Duration = Duration::from_secs(90);

#[derive(Deserialize)]
struct IngestQuery {
    format: Option<String>,
}

/// The router serving `shared`.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/ingest", post(ingest))
        .route("/metrics", get(metrics))
        .route("/health", get(health))
        .route("/evidence/:root", get(evidence))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(shared)
}

/// Serves on `listener` until the daemon is asked to stop; requests under way are finished.
pub async fn serve(shared: Arc<Shared>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let stopped = shared.clone();
    let shutdown = async move { stopped.shutdown.wait().await };
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "serving /ingest, /metrics, /health and /evidence");
    }
    axum::serve(listener, router(shared))
        .with_graceful_shutdown(shutdown)
        .await
}

fn format_of(query: &IngestQuery, headers: &HeaderMap) -> Option<Format> {
    let named = query.format.as_deref().or_else(|| {
        headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim())
    });
    match named? {
        "csv" | "text/csv" => Some(Format::Csv),
        "jsonl" | "application/x-ndjson" | "application/jsonl" => Some(Format::JsonLines),
        "xml" | "application/atom+xml" | "application/xml" | "text/xml" => {
            Some(Format::GreenButton)
        }
        _ => None,
    }
}

/// The answer to a request the door does not admit.
fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        "this needs the operator's ingest token: Authorization: Bearer <token>\n",
    )
        .into_response()
}

async fn ingest(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<IngestQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if !shared.door.admits_ingest(&headers) {
        return unauthorized();
    }
    let Some(format) = format_of(&query, &headers) else {
        return (
            StatusCode::BAD_REQUEST,
            "say the format: ?format=csv or ?format=jsonl (or Content-Type text/csv, application/x-ndjson)\n",
        )
            .into_response();
    };
    let too_large = || {
        let why = format!("bodies of at most {} MiB are taken\n", MAX_BODY >> 20);
        (StatusCode::PAYLOAD_TOO_LARGE, why).into_response()
    };
    // A body announced too large is refused before a byte of it is read.
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_BODY as u64) {
        return too_large();
    }
    let body = match tokio::time::timeout(BODY_TIME, axum::body::to_bytes(body, MAX_BODY)).await {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => return too_large(),
        Err(_) => {
            let why = format!("the body did not arrive within {} s\n", BODY_TIME.as_secs());
            return (StatusCode::REQUEST_TIMEOUT, why).into_response();
        }
    };
    let request = shared.requests.fetch_add(1, Ordering::Relaxed) + 1;
    let source = format!("http#{request}");
    let worker = shared.clone();
    let done = tokio::task::spawn_blocking(move || {
        worker.ingest(std::io::Cursor::new(&body[..]), format, &source)
    })
    .await;
    match done {
        Ok(Ok(report)) => Json(serde_json::json!({
            "readings": report.readings,
            "events": report.events,
            "unchanged": report.unchanged,
            "corrections": report.corrections,
            "marked_estimated_or_missing": report.unusable,
            "rejected": report.rejects.iter().map(|r| serde_json::json!({
                "line": r.line,
                "reason": r.reason,
            })).collect::<Vec<_>>(),
        }))
        .into_response(),
        Ok(Err(e)) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    }
}

async fn metrics(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !shared.door.admits_reads(&headers) {
        return unauthorized();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        shared.metrics.render(),
    )
        .into_response()
}

async fn health(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !shared.door.admits_reads(&headers) {
        return unauthorized();
    }
    let health = shared.health();
    let status = if health.ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(health)).into_response()
}

#[derive(Deserialize)]
struct EvidenceQuery {
    meter: Option<u64>,
}

async fn evidence(
    State(shared): State<Arc<Shared>>,
    Path(root): Path<String>,
    Query(query): Query<EvidenceQuery>,
) -> Response {
    let Some(digest) = parse_root(&root) else {
        return (
            StatusCode::BAD_REQUEST,
            "an evidence root is 32 bytes of hex, e.g. /evidence/0x1f…\n",
        )
            .into_response();
    };
    let found = tokio::task::spawn_blocking(move || shared.evidence(&digest)).await;
    let doc: EvidenceFile = match found {
        Ok(Ok(Some(doc))) => doc,
        Ok(Ok(None)) => {
            return (
                StatusCode::NOT_FOUND,
                format!("this operator made no final report with evidence root {root}\n"),
            )
                .into_response()
        }
        Ok(Err(e)) => return (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    };
    let mut body = serde_json::to_value(&doc).unwrap_or_default();
    if let Some(meter) = query.meter {
        let proofs: Vec<serde_json::Value> = doc
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| e.meter == meter)
            .filter_map(|(index, e)| {
                let proof = gridtrust_common::outage::evidence_proof(&doc.events, index)?;
                Some(serde_json::json!({
                    "event": e,
                    "index": proof.index,
                    "leaf_count": proof.leaf_count,
                    "siblings": proof.siblings.iter().map(crate::evidence::root_hex).collect::<Vec<_>>(),
                }))
            })
            .collect();
        body["proofs"] = serde_json::Value::Array(proofs);
    }
    Json(body).into_response()
}
