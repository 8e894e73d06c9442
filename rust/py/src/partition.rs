//! `pymrrc.partition`'s native side: planning partitions of a file,
//! framing one, and working out where sequential reading enters each
//! (`pymrrc_core::partition`), with the GIL released and Ctrl-C answered
//! between blocks.

use std::fs::File;
use std::io;
use std::path::PathBuf;

use pyo3::prelude::*;

use crate::errors::os_error;
use pymrrc_core::partition::{self, Format, Span};

/// Bytes framed between two checks for Ctrl-C.
const FRAME_STEP: u64 = 64 << 20;

/// `(next, records)`: a [`Span`] as Python sees it.
type SpanTuple = (Option<u64>, u64);

fn open(path: &PathBuf) -> io::Result<(File, u64)> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::from_raw_os_error(21));
    }
    Ok((file, meta.len()))
}

/// Plans partitions of about `target` bytes for the file at `path`:
/// `(format, compression, bounds)`, `format` being "iso2709", "marcxml" or
/// "compressed" (then `compression` is "gzip", "bz2" or "xz").
#[pyfunction]
pub(crate) fn plan_partitions(
    py: Python<'_>,
    path: &Bound<'_, PyAny>,
    target: u64,
) -> PyResult<(&'static str, Option<&'static str>, Vec<u64>)> {
    let file_path: PathBuf = path.extract()?;
    let planned = py.detach(|| {
        let (mut file, len) = open(&file_path)?;
        partition::plan(&mut file, len, target)
    });
    let planned = planned.map_err(|err| os_error(py, &err, Some(path)))?;
    let (format, compression) = match planned.format {
        Format::Iso2709 => ("iso2709", None),
        Format::MarcXml => ("marcxml", None),
        Format::Compressed(c) => ("compressed", Some(c.name())),
    };
    Ok((format, compression, planned.bounds))
}

/// Frames `entry..end` of an open file in steps, checking for Ctrl-C
/// between them.
fn frame_in_steps(
    py: Python<'_>,
    file: &mut File,
    len: u64,
    entry: u64,
    end: u64,
    path: &Bound<'_, PyAny>,
) -> PyResult<Span> {
    let mut at = entry;
    let mut records = 0u64;
    loop {
        let step_end = end.min(at.saturating_add(FRAME_STEP));
        let span = py
            .detach(|| partition::frame_span(file, len, at, step_end))
            .map_err(|err| os_error(py, &err, Some(path)))?;
        records += span.records;
        match span.next {
            Some(next) if next < end && next < len => at = next,
            next => return Ok(Span { next, records }),
        }
        py.check_signals()?;
    }
}

/// Follows sequential framing from `entry` (a record's start) through the
/// records that start before `end`: `(next, records)`, `next` being where
/// the next record starts, or `None` when a framing error ends reading.
#[pyfunction]
pub(crate) fn frame_partition(
    py: Python<'_>,
    path: &Bound<'_, PyAny>,
    entry: u64,
    end: u64,
) -> PyResult<SpanTuple> {
    let file_path: PathBuf = path.extract()?;
    let (mut file, len) = open(&file_path).map_err(|err| os_error(py, &err, Some(path)))?;
    let span = frame_in_steps(py, &mut file, len, entry, end, path)?;
    Ok((span.next, span.records))
}

/// Where sequential reading enters each of `ranges` (sorted, not
/// overlapping, all of the file at `path`): `(offset, records_before)`
/// for each. `spans[i]` is `frame_partition(path, start_i, end_i)` when
/// known; whatever else is needed is framed here.
#[pyfunction]
pub(crate) fn resolve_partitions(
    py: Python<'_>,
    path: &Bound<'_, PyAny>,
    ranges: Vec<(u64, u64)>,
    spans: Vec<Option<SpanTuple>>,
) -> PyResult<Vec<(u64, u64)>> {
    let spans: Vec<Option<Span>> = spans
        .into_iter()
        .map(|s| s.map(|(next, records)| Span { next, records }))
        .collect();
    let file_path: PathBuf = path.extract()?;
    let (mut file, len) = open(&file_path).map_err(|err| os_error(py, &err, Some(path)))?;
    let entries = partition::resolve(&ranges, &spans, |from, to| {
        frame_in_steps(py, &mut file, len, from, to, path)
    })?;
    Ok(entries
        .into_iter()
        .map(|e| (e.offset, e.records_before))
        .collect())
}

/// Registers the functions.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(plan_partitions, m)?)?;
    m.add_function(wrap_pyfunction!(frame_partition, m)?)?;
    m.add_function(wrap_pyfunction!(resolve_partitions, m)?)?;
    Ok(())
}
