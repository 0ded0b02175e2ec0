//! What serving costs in memory, each store side by side in one run: `gridmap serve` started
//! as a process of its own on each database, and once it answers, its resident, anonymous
//! and peak memory as the kernel counts them (`/proc/<pid>/status`, Linux), read again
//! after a settling pause (the allocator gives freed pages back lazily).

use serde::Serialize;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One store's figures.
#[derive(Debug, Clone, Serialize)]
pub struct ServingMemory {
    pub database: String,
    /// From starting the process to its first answer (the engine loaded).
    pub loaded_s: f64,
    /// Resident memory once serving, and after the settling pause.
    pub resident_mb: f64,
    pub settled_resident_mb: f64,
    pub anonymous_mb: f64,
    /// The most it held at any time (loading included).
    pub peak_mb: f64,
}

impl ServingMemory {
    pub fn line(&self) -> String {
        format!(
            "{:<48} loaded in {:>5.1} s  resident {:>6.1} MB, after settling {:>6.1} MB (anonymous {:>6.1} MB)  peak {:>6.1} MB",
            self.database,
            self.loaded_s,
            self.resident_mb,
            self.settled_resident_mb,
            self.anonymous_mb,
            self.peak_mb
        )
    }
}

/// The serving process, stopped when dropped.
struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Serves `database` (`--no-demo`, a free loopback port) with this very binary and measures
/// it; `settle` is the pause before the second reading.
pub fn measure(database: &str, settle: Duration) -> Result<ServingMemory, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let started = Instant::now();
    let mut child = Command::new(exe)
        .args([
            "serve",
            "--no-demo",
            "--addr",
            "127.0.0.1:0",
            "--database",
            database,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start gridmap serve: {e}"))?;
    let stdout = child.stdout.take();
    let serving = Serving(child);
    let lines = BufReader::new(stdout.ok_or("gridmap serve gave no output")?).lines();
    let ready = lines
        .map_while(Result::ok)
        .any(|line| line.starts_with("gridmap serving on "));
    if !ready {
        return Err(format!("gridmap serve on {database} ended before serving"));
    }
    let loaded_s = started.elapsed().as_secs_f64();
    let pid = serving.0.id();
    let first = status_kb(pid)?;
    std::thread::sleep(settle);
    let settled = status_kb(pid)?;
    Ok(ServingMemory {
        database: database.to_string(),
        loaded_s,
        resident_mb: first.resident_kb as f64 / 1024.0,
        settled_resident_mb: settled.resident_kb as f64 / 1024.0,
        anonymous_mb: settled.anonymous_kb as f64 / 1024.0,
        peak_mb: settled.peak_kb as f64 / 1024.0,
    })
}

/// Memory figures of a process, in kB.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct StatusKb {
    resident_kb: u64,
    anonymous_kb: u64,
    peak_kb: u64,
}

/// Reads `VmRSS`, `RssAnon` and `VmHWM` of process `pid`.
fn status_kb(pid: u32) -> Result<StatusKb, String> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {path} (Linux only): {e}"))?;
    Ok(parse_status(&text))
}

/// The memory lines of a `/proc/<pid>/status` text.
fn parse_status(text: &str) -> StatusKb {
    let mut kb = StatusKb::default();
    for line in text.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .unwrap_or(0);
        match name {
            "VmRSS" => kb.resident_kb = value,
            "RssAnon" => kb.anonymous_kb = value,
            "VmHWM" => kb.peak_kb = value,
            _ => {}
        }
    }
    kb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_lines_are_read_from_a_status_text() {
        let text = "Name:\tgridmap\nVmHWM:\t  427428 kB\nVmRSS:\t  252376 kB\nRssAnon:\t  238000 kB\nThreads:\t5\n";
        assert_eq!(
            parse_status(text),
            StatusKb {
                resident_kb: 252_376,
                anonymous_kb: 238_000,
                peak_kb: 427_428
            }
        );
    }

    #[test]
    fn this_process_has_resident_memory() {
        let kb = status_kb(std::process::id()).expect("status");
        assert!(kb.resident_kb > 0 && kb.peak_kb >= kb.resident_kb);
    }
}
