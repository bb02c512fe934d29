//! The network's processes — nodes, oracle daemons, the portal — started in their own process groups
//! so they outlive `up` and a Ctrl-C in its terminal, each with a pid file and a log in its party's
//! folder; stopped by `down` with SIGTERM, as an operator would stop them, and SIGKILL only if one
//! will not stop.

use std::{
    os::unix::process::CommandExt,
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, Result};

/// How long a process may take to stop after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(30);

/// The running process a pid file names, if it still runs and is the program that wrote it.
pub fn running(pid_file: &Path, program: &str) -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(pid_file)
        .ok()?
        .trim()
        .parse()
        .ok()?;
    // A pid is reused after its process ends: check it is still ours by its command line.
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let argv0 = cmdline.split(|b| *b == 0).next()?;
    let name = Path::new(std::str::from_utf8(argv0).ok()?).file_name()?;
    (name == program).then_some(pid)
}

/// Starts `command` detached, logging to `log` (appended) and writing its pid to `pid_file`.
pub fn start(mut command: Command, pid_file: &Path, log: &Path) -> Result<u32> {
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .with_context(|| format!("opening {}", log.display()))?;
    let err = out.try_clone()?;
    let child = command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .with_context(|| format!("starting {:?}", command.get_program()))?;
    let pid = child.id();
    std::fs::write(pid_file, pid.to_string())
        .with_context(|| format!("writing {}", pid_file.display()))?;
    Ok(pid)
}

/// Sends `signal` to `pid`.
pub fn signal(pid: u32, signal: i32) -> Result<()> {
    let pid = i32::try_from(pid).context("a process id out of range")?;
    // SAFETY: kill(2) only takes numbers; a process already gone is reported as ESRCH.
    if unsafe { libc::kill(pid, signal) } != 0 {
        let error = std::io::Error::last_os_error();
        if error.raw_os_error() != Some(libc::ESRCH) {
            return Err(error).context("signalling a process");
        }
    }
    Ok(())
}

/// Stops the process `pid_file` names, if it runs; returns whether one was running.
pub fn stop(pid_file: &Path, program: &str) -> Result<bool> {
    let Some(pid) = running(pid_file, program) else {
        let _ = std::fs::remove_file(pid_file);
        return Ok(false);
    };
    signal(pid, libc::SIGTERM)?;
    let deadline = Instant::now() + STOP_GRACE;
    while running(pid_file, program).is_some() {
        if Instant::now() >= deadline {
            signal(pid, libc::SIGKILL)?;
            std::thread::sleep(Duration::from_millis(500));
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = std::fs::remove_file(pid_file);
    Ok(true)
}
