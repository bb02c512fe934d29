//! The watched folder: every `.csv` or `.jsonl` file that appears in it is ingested and then moved to
//! its `done/` subfolder (rejected lines go to the rejects log), so nothing is ingested twice and
//! nothing is lost. Files are picked up in name order.
//!
//! Write a file elsewhere (or under a name ending in `.tmp`) and rename it into the folder when it is
//! complete; as a safeguard a file modified in the last second waits for the next look.

use std::{
    path::{Path, PathBuf},
    sync::{mpsc, Arc},
    time::{Duration, SystemTime},
};

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use super::Shared;
use crate::ingest::Format;

/// How long a file must have been left alone before it is read.
const SETTLE: Duration = Duration::from_secs(1);

/// Files ready to ingest in `dir`, in name order.
fn ready_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let now = SystemTime::now();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let meta = entry.metadata()?;
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_none_or(|n| n.starts_with('.'));
        if !meta.is_file() || hidden || Format::of(&path).is_none() {
            continue;
        }
        let quiet = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age >= SETTLE);
        if quiet {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Where `file` goes once ingested: `done/<name>`, with a numeric suffix if that name is taken.
fn done_path(dir: &Path, file: &Path) -> PathBuf {
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    let done = dir.join("done");
    let mut target = done.join(&*name);
    let mut n = 1;
    while target.exists() {
        target = done.join(format!("{name}.{n}"));
        n += 1;
    }
    target
}

/// Ingests every ready file once; returns how many were taken.
pub fn scan(shared: &Shared, dir: &Path) -> usize {
    let files = match ready_files(dir) {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(dir = %dir.display(), error = %e, "cannot list the watched folder");
            return 0;
        }
    };
    let mut taken = 0;
    for file in files {
        match shared.ingest_file(&file) {
            Ok(report) => {
                tracing::info!(
                    file = %file.display(),
                    readings = report.readings,
                    events = report.events,
                    rejected = report.rejects.len(),
                    "ingested"
                );
                let target = done_path(dir, &file);
                let moved = std::fs::create_dir_all(dir.join("done"))
                    .and_then(|()| std::fs::rename(&file, &target));
                if let Err(e) = moved {
                    // Stop here rather than ingest the same file again on every look.
                    tracing::error!(file = %file.display(), error = %e, "ingested but cannot move it to done/");
                    return taken;
                }
                taken += 1;
            }
            // Left in place: the next look tries again.
            Err(e) => tracing::error!(file = %file.display(), error = %e, "cannot ingest"),
        }
    }
    taken
}

/// Watches `dir` until the daemon stops, ingesting what appears (also every second, in case an
/// event was missed or a file was still settling).
pub fn run(shared: Arc<Shared>, dir: PathBuf) {
    if let Err(e) = std::fs::create_dir_all(&dir) {
        tracing::error!(dir = %dir.display(), error = %e, "cannot create the watched folder");
        return;
    }
    let (tx, rx) = mpsc::channel();
    let watcher = RecommendedWatcher::new(
        move |event| {
            // A closed channel means we are stopping.
            let _ = tx.send(event);
        },
        notify::Config::default(),
    )
    .and_then(|mut w| w.watch(&dir, RecursiveMode::NonRecursive).map(|()| w));
    let _watcher = match watcher {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::warn!(error = %e, "no file notifications; looking every second instead");
            None
        }
    };
    tracing::info!(dir = %dir.display(), "watching for .csv and .jsonl files");
    while !shared.shutdown.is_asked() {
        scan(&shared, &dir);
        // Woken by a notification, or after a second at the latest.
        let _ = rx.recv_timeout(Duration::from_secs(1));
        while rx.try_recv().is_ok() {}
    }
}
