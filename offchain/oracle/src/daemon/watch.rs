//! The watched folder: every `.csv`, `.jsonl` or `.xml` file that appears in it is ingested and then
//! moved to its `done/` subfolder (rejected lines go to the rejects log), so nothing is ingested twice
//! and nothing is lost. Files are picked up in name order.
//!
//! A file is moved to `ingesting/` before it is read. One that cannot be ingested at all (unreadable,
//! a bad meter mapping) goes to `rejected/` with a `<name>.reason` beside it; so does one found in
//! `ingesting/` when the daemon starts, because the daemon stopped while reading it — whatever a file
//! holds, it is read once, never again at every restart. A file whose store refused the write (a
//! full disk, say) goes back into the folder to be tried again. To retry a rejected file, fix it and
//! move it back into the folder.
//!
//! A Green Button feed's meter mapping (`feed.meters.csv` beside `feed.xml`) is not meter data: it
//! is never ingested on its own, and it moves along with its feed.
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
use crate::ingest::{Format, IngestError};

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
        let mapping = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(".meters.csv"));
        if !meta.is_file() || hidden || mapping || Format::of(&path).is_none() {
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

/// Moves `file` (with its feed's meter mapping, if it has one) into `dir`'s subfolder `sub` under its
/// own name, with a numeric suffix if that name is taken there; returns where it went.
fn move_into(dir: &Path, sub: &str, file: &Path) -> std::io::Result<PathBuf> {
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    let folder = dir.join(sub);
    std::fs::create_dir_all(&folder)?;
    let mut target = folder.join(&*name);
    let mut n = 1;
    while target.exists() {
        target = folder.join(format!("{name}.{n}"));
        n += 1;
    }
    std::fs::rename(file, &target)?;
    let mapping = file.with_extension("meters.csv");
    if Format::of(file) == Some(Format::GreenButton) && mapping.is_file() {
        let beside = if target.extension() == file.extension() {
            target.with_extension("meters.csv")
        } else {
            let mut beside = target.clone().into_os_string();
            beside.push(".meters.csv");
            beside.into()
        };
        std::fs::rename(mapping, beside)?;
    }
    Ok(target)
}

/// Puts `reading` (and its mapping) back where it was found, `file`.
fn move_back(reading: &Path, file: &Path) -> std::io::Result<()> {
    std::fs::rename(reading, file)?;
    let mapping = reading.with_extension("meters.csv");
    if Format::of(reading) == Some(Format::GreenButton) && mapping.is_file() {
        std::fs::rename(mapping, file.with_extension("meters.csv"))?;
    }
    Ok(())
}

/// Sets `file` aside in `rejected/`, with why in `<name>.reason` beside it.
fn reject(dir: &Path, file: &Path, why: &str) {
    match move_into(dir, "rejected", file) {
        Ok(target) => {
            let mut reason = target.into_os_string();
            reason.push(".reason");
            if let Err(e) = std::fs::write(&reason, format!("{why}\n")) {
                tracing::error!(file = %file.display(), error = %e, "cannot write why it was rejected");
            }
            tracing::error!(file = %file.display(), reason = why, "set aside in rejected/");
        }
        Err(e) => {
            tracing::error!(file = %file.display(), error = %e, "cannot set it aside in rejected/")
        }
    }
}

/// Sets aside every file left in `ingesting/`: the daemon stopped while reading it, maybe because of
/// it, so it is not read again by itself.
pub fn recover(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir.join("ingesting")) else {
        return;
    };
    for entry in entries.flatten() {
        // A feed's mapping moves with its feed.
        if entry.file_name().to_string_lossy().ends_with(".meters.csv") {
            continue;
        }
        reject(
            dir,
            &entry.path(),
            "the daemon stopped while ingesting this file (it may have crashed on it), so it is \
             not read again by itself: nothing of it was stored; check it, then move it back into \
             the watched folder to retry",
        );
    }
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
        // Out of the folder before it is read: if reading it brings the daemon down, the next
        // start finds it in ingesting/ and sets it aside instead of reading it again. Under its own
        // name, which the format is read from (ingesting/ is emptied at every start).
        let reading = dir
            .join("ingesting")
            .join(file.file_name().unwrap_or_default());
        let moved = if reading.exists() {
            Err(std::io::Error::other(
                "a file of that name is being ingested",
            ))
        } else {
            move_into(dir, "ingesting", &file)
        };
        if let Err(e) = moved {
            tracing::error!(file = %file.display(), error = %e, "cannot move it to ingesting/");
            return taken;
        }
        match shared.ingest_file(&reading, &file) {
            Ok(report) => {
                tracing::info!(
                    file = %file.display(),
                    readings = report.readings,
                    events = report.events,
                    rejected = report.rejects.len(),
                    "ingested"
                );
                if let Err(e) = move_into(dir, "done", &reading) {
                    // Stop here rather than ingest the same file again on every look.
                    tracing::error!(file = %file.display(), error = %e, "ingested but cannot move it to done/");
                    return taken;
                }
                taken += 1;
            }
            Err(IngestError::Store(e)) => {
                // The store, not the file: put it back for the next look.
                tracing::error!(file = %file.display(), error = %e, "cannot store it; will try again");
                if let Err(e) = move_back(&reading, &file) {
                    tracing::error!(file = %file.display(), error = %e, "cannot put it back");
                }
            }
            Err(e) => {
                reject(dir, &reading, &e.to_string());
                taken += 1;
            }
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
    recover(&dir);
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
    tracing::info!(dir = %dir.display(), "watching for .csv, .jsonl and .xml files");
    while !shared.shutdown.is_asked() {
        scan(&shared, &dir);
        // Woken by a notification, or after a second at the latest.
        let _ = rx.recv_timeout(Duration::from_secs(1));
        while rx.try_recv().is_ok() {}
    }
}
