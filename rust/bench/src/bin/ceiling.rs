//! The pure-Rust ceiling: what pymrrc-core does per second over a MARC file
//! with no Python involved. The benchmark suite runs it beside the Python
//! cases and reports pymrrc's throughput as a share of it.
//!
//! ```text
//! ceiling FILE [--source path|memory] [--workers one|default|N]
//!              [--workload iterate|values|as_marc] [--repeat N]
//! ```
//!
//! `--source path` reads the file through `PathPipeline`, exactly as
//! `MARCReader(path)` does; `--source memory` reads it whole and frames and
//! validates it on the calling thread (the bytes backend's work). Prints one
//! JSON line: `{"records": N, "checksum": C, "seconds": [..], "peak_rss_kib": K}`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use pymrrc_bench::{default_options, frame_all, Workload};
use pymrrc_core::batch::Outcome;
use pymrrc_core::decode_layout;
use pymrrc_core::pipeline::{PathPipeline, Workers};

/// Where records come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Path,
    Memory,
}

struct Args {
    file: PathBuf,
    source: Source,
    workers: Workers,
    workload: Workload,
    repeat: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut file = None;
    let mut source = Source::Path;
    let mut workers = Workers::Default;
    let mut workload = Workload::Iterate;
    let mut repeat = 3;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--source" => {
                source = match value("--source")?.as_str() {
                    "path" => Source::Path,
                    "memory" => Source::Memory,
                    other => return Err(format!("unknown source {other}")),
                }
            }
            "--workers" => {
                workers = match value("--workers")?.as_str() {
                    "one" | "1" => Workers::One,
                    "default" => Workers::Default,
                    n => Workers::Pool(n.parse().map_err(|_| format!("bad worker count {n}"))?),
                }
            }
            "--workload" => {
                let name = value("--workload")?;
                workload = Workload::from_name(&name).ok_or(format!("unknown workload {name}"))?;
            }
            "--repeat" => {
                let n = value("--repeat")?;
                repeat = n.parse().map_err(|_| format!("bad repeat {n}"))?;
            }
            _ if file.is_none() => file = Some(PathBuf::from(arg)),
            other => return Err(format!("unexpected argument {other}")),
        }
    }
    Ok(Args {
        file: file.ok_or("usage: ceiling FILE [options]")?,
        source,
        workers,
        workload,
        repeat: repeat.max(1),
    })
}

/// Reads the file as `MARCReader(path)` does; returns (records, checksum).
fn through_pipeline(
    path: &Path,
    workers: Workers,
    workload: Workload,
) -> std::io::Result<(usize, usize)> {
    let mut pipeline = PathPipeline::open(path, Some(default_options()), workers)?;
    let (mut records, mut checksum) = (0, 0);
    while let Some(batch) = pipeline.next_batch() {
        for item in batch? {
            if let Outcome::Record(layout) = &item.outcome {
                checksum += workload.apply(&item.chunk, layout);
                records += 1;
            }
        }
    }
    Ok((records, checksum))
}

/// Frames and validates a file held in memory on this thread.
fn in_memory(data: &[u8], workload: Workload) -> (usize, usize) {
    let options = default_options();
    let mut notes = Vec::new();
    let (mut records, mut checksum) = (0, 0);
    for record in frame_all(data) {
        notes.clear();
        if let Ok(layout) = decode_layout(record, &options, &mut notes) {
            checksum += workload.apply(record, &layout);
            records += 1;
        }
    }
    (records, checksum)
}

/// This process's peak resident set size (VmHWM) in KiB; 0 where
/// /proc/self/status is not available.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let mut seconds = Vec::with_capacity(args.repeat);
    let mut counted = (0, 0);
    for _ in 0..args.repeat {
        let started = Instant::now();
        counted = match args.source {
            Source::Path => match through_pipeline(&args.file, args.workers, args.workload) {
                Ok(counted) => counted,
                Err(err) => {
                    eprintln!("{}: {err}", args.file.display());
                    return ExitCode::FAILURE;
                }
            },
            Source::Memory => match std::fs::read(&args.file) {
                Ok(data) => in_memory(&data, args.workload),
                Err(err) => {
                    eprintln!("{}: {err}", args.file.display());
                    return ExitCode::FAILURE;
                }
            },
        };
        seconds.push(started.elapsed().as_secs_f64());
    }
    let times: Vec<String> = seconds.iter().map(|s| format!("{s:.6}")).collect();
    println!(
        "{{\"records\": {}, \"checksum\": {}, \"seconds\": [{}], \"peak_rss_kib\": {}}}",
        counted.0,
        counted.1,
        times.join(", "),
        peak_rss_kib()
    );
    ExitCode::SUCCESS
}
