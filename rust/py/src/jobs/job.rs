//! `FileJob`: one input file of a `pymrrc` command, worked through batch by
//! batch. Each `next()` reads, validates and converts a batch of records
//! with the GIL released and hands back a [`JobBatch`]: the output bytes,
//! the counts, and the records Python must handle itself (rejected ones,
//! with their pymarc exception; those the native decoder leaves to the
//! Python decoder; those a format cannot convert exactly here). The Python
//! loop between batches is where Ctrl-C arrives, a few milliseconds apart.

use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};

use super::source::Source;
use crate::errors::{exception_for, framing_exception};
use crate::text::plain_text;
use pymrrc_core::batch::{Item, Outcome, Validation};
use pymrrc_core::convert::{convert_batch, Format, Piece};
use pymrrc_core::decode::DecodeOptions;
use pymrrc_core::grep::FieldSelector;
use pymrrc_core::pipeline::Workers;
use pymrrc_core::stats::Stats;
use pymrrc_core::text::Utf8Handling;

/// One batch's results.
#[pyclass(module = "pymrrc._core", frozen, get_all)]
pub struct JobBatch {
    /// In order: `(bytes, count)` for `count` converted records joined by
    /// the job's separator (with none when sizes are asked for), and
    /// `(number, offset, chunk, exception)` for records Python handles
    /// (`exception` is `None` where the Python decoder must decide).
    pub parts: Py<PyList>,
    /// The byte length of each converted record, as little-endian `u64`s,
    /// when asked for (`split`); else `None`.
    pub sizes: Option<Py<PyBytes>>,
    /// Valid records converted (or counted) natively.
    pub records: u64,
    /// Records rejected natively.
    pub rejected: u64,
    /// Characters written as `&#xXXXX;` (MARC-8 output).
    pub references: u64,
    /// Input bytes read through the end of this batch.
    pub position: u64,
    /// `grep`: the values to match, and the batch position of the record
    /// each belongs to (parts then come from `select`).
    pub values: Option<Py<PyList>>,
    pub owners: Option<Py<PyList>>,
    /// Records (framed items) in the batch.
    pub count: usize,
}

/// A whole-file job over one input.
#[pyclass(module = "pymrrc._core")]
pub struct FileJob {
    source: Source,
    format: Format,
    handling: Utf8Handling,
    separator: Vec<u8>,
    sizes: bool,
    /// Records (framed items) seen so far.
    seen: u64,
    /// Items before this number are skipped; from `stop` on, reading ends.
    start: u64,
    stop: Option<u64>,
    report_invalid: bool,
    stats: Option<Stats>,
    grep: Option<FieldSelector>,
    /// `grep`: the batch whose values were handed out, and its first number.
    held: Option<(Vec<Item>, u64)>,
    position: u64,
}

fn format_from(name: &str) -> PyResult<Format> {
    Ok(match name {
        "raw" => Format::Raw,
        "marc" => Format::Marc,
        "marc8" => Format::Marc8,
        "xml" => Format::Xml,
        "json" => Format::Json,
        "jsonl" => Format::Jsonl,
        "text" => Format::Text,
        "mrk" => Format::Mrk,
        "dump" => Format::Dump { offsets: false },
        "dump-offsets" => Format::Dump { offsets: true },
        "none" => Format::Nothing,
        other => return Err(PyValueError::new_err(format!("unknown format {other:?}"))),
    })
}

/// pymarc's reader options as the native decoder takes them; `None` when
/// only the Python decoder implements them (every record goes there).
fn validation_from(
    force_utf8: bool,
    utf8_handling: &str,
    file_encoding: &str,
    hide_utf8_warnings: bool,
) -> (Validation, Utf8Handling) {
    match Utf8Handling::from_name(utf8_handling) {
        Some(handling) => (
            Some(DecodeOptions {
                force_utf8,
                to_unicode: true,
                utf8_handling: handling,
                marc8: file_encoding == "iso8859-1",
                hide_utf8_warnings,
            }),
            handling,
        ),
        None => (None, Utf8Handling::Strict),
    }
}

#[pymethods]
impl FileJob {
    /// Starts a job over `source`: a path (`str`) or a binary stream.
    #[new]
    #[pyo3(signature = (source, *, format, force_utf8 = false, utf8_handling = "strict",
        file_encoding = "iso8859-1", hide_utf8_warnings = false, workers = None,
        separator = None, sizes = false, start = 0, stop = None, report_invalid = true,
        stats = false, grep_tag = None, grep_code = None))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        py: Python<'_>,
        source: &Bound<'_, PyAny>,
        format: &str,
        force_utf8: bool,
        utf8_handling: &str,
        file_encoding: &str,
        hide_utf8_warnings: bool,
        workers: Option<usize>,
        separator: Option<Vec<u8>>,
        sizes: bool,
        start: u64,
        stop: Option<u64>,
        report_invalid: bool,
        stats: bool,
        grep_tag: Option<String>,
        grep_code: Option<String>,
    ) -> PyResult<Self> {
        let format = format_from(format)?;
        let (validation, handling) =
            validation_from(force_utf8, utf8_handling, file_encoding, hide_utf8_warnings);
        let workers = match workers {
            None | Some(0) => Workers::Default,
            Some(1) => Workers::One,
            Some(n) => Workers::Pool(n),
        };
        let source = if let Some(path) = plain_text(source) {
            let path = PathBuf::from(path);
            py.detach(|| Source::path(&path, validation, workers))
                .map_err(|err| crate::errors::os_error(py, &err, Some(source)))?
        } else {
            Source::stream(source.clone().unbind(), validation)
        };
        Ok(Self {
            source,
            format,
            handling,
            separator: separator.unwrap_or_default(),
            sizes,
            seen: 0,
            start,
            stop,
            report_invalid,
            stats: stats.then(Stats::default),
            grep: grep_tag.map(|tag| FieldSelector {
                tag,
                code: grep_code,
            }),
            held: None,
            position: 0,
        })
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The next batch's results; `None` (ending the iteration) when the
    /// input, or the window asked for, is exhausted.
    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<JobBatch>> {
        loop {
            if self.stop.is_some_and(|stop| self.seen >= stop) {
                self.source.finish(py);
                return Ok(None);
            }
            let Some(mut items) = self.source.next_batch(py)? else {
                return Ok(None);
            };
            let first = self.seen;
            self.seen += items.len() as u64;
            if let Some(last) = items.last() {
                self.position = last.offset + last.chunk.len() as u64;
            }
            // Keep the window's part of the batch.
            let skip = usize::try_from(self.start.saturating_sub(first)).unwrap_or(usize::MAX);
            if skip >= items.len() {
                continue;
            }
            items.drain(..skip);
            if let Some(stop) = self.stop {
                let keep =
                    usize::try_from(stop.saturating_sub(first + skip as u64)).unwrap_or(usize::MAX);
                items.truncate(keep);
            }
            let first = first + skip as u64;
            if let Some(stats) = self.stats.as_mut() {
                let batch_stats = py.detach(|| Stats::of_batch(&items));
                stats.merge(batch_stats);
            }
            if let Some(selector) = &self.grep {
                let handling = self.handling;
                let values = py.detach(|| grep_values(selector, &items, handling));
                let owners = PyList::new(py, values.iter().map(|(i, _)| *i))?;
                let texts = PyList::new(py, values.iter().map(|(_, v)| v.as_str()))?;
                let mut out = self.empty_batch(py)?;
                out.values = Some(texts.unbind());
                out.owners = Some(owners.unbind());
                out.count = items.len();
                self.held = Some((items, first));
                return Ok(Some(out));
            }
            return self.finish_batch(py, &items, first, None).map(Some);
        }
    }

    /// `grep`: the results of the held batch for the records at the batch
    /// positions `selected` (ascending); records Python must handle come
    /// back whatever `selected` says.
    fn select(&mut self, py: Python<'_>, selected: Vec<usize>) -> PyResult<JobBatch> {
        let (items, first) = self
            .held
            .take()
            .ok_or_else(|| PyValueError::new_err("no batch is held"))?;
        self.finish_batch(py, &items, first, Some(&selected))
    }

    /// The statistics so far: `(records, tags, subfields, leader_06_07,
    /// leader_09)`, keys as text, counts as `(records, occurrences)`.
    #[allow(clippy::type_complexity)]
    fn stats(
        &self,
    ) -> Option<(
        u64,
        Vec<(String, (u64, u64))>,
        Vec<(String, (u64, u64))>,
        Vec<(String, u64)>,
        Vec<(String, u64)>,
    )> {
        let s = self.stats.as_ref()?;
        let text = |b: &[u8]| b.iter().map(|&c| char::from(c)).collect::<String>();
        Some((
            s.records,
            s.tags
                .iter()
                .map(|(k, c)| (text(k), (c.records, c.occurrences)))
                .collect(),
            s.subfields
                .iter()
                .map(|((t, c), n)| {
                    (
                        format!("{}${}", text(t), char::from(*c)),
                        (n.records, n.occurrences),
                    )
                })
                .collect(),
            s.leader_06_07.iter().map(|(k, n)| (text(k), *n)).collect(),
            s.leader_09.iter().map(|(k, n)| (text(&[*k]), *n)).collect(),
        ))
    }

    /// Bytes read from a stream but not framed as records (what follows a
    /// framing error); empty for a path.
    fn unframed<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.source.unframed())
    }

    /// Input bytes read so far.
    #[getter]
    fn position(&self) -> u64 {
        self.position
    }

    /// Records (framed items, valid or not) read so far.
    #[getter]
    fn seen(&self) -> u64 {
        self.seen
    }

    /// Stops reading and releases the input.
    fn close(&mut self, py: Python<'_>) {
        self.held = None;
        self.source.finish(py);
    }
}

impl FileJob {
    fn empty_batch(&self, py: Python<'_>) -> PyResult<JobBatch> {
        Ok(JobBatch {
            parts: PyList::empty(py).unbind(),
            sizes: None,
            records: 0,
            rejected: 0,
            references: 0,
            position: self.position,
            values: None,
            owners: None,
            count: 0,
        })
    }

    /// Converts `items` (numbered from `first + 1`), or only the positions
    /// in `selected`, and lays out the results.
    fn finish_batch(
        &mut self,
        py: Python<'_>,
        items: &[Item],
        first: u64,
        selected: Option<&[usize]>,
    ) -> PyResult<JobBatch> {
        let (format, handling) = (self.format, self.handling);
        let pieces = py.detach(|| convert_batch(format, items, handling, first + 1));
        let mut out = self.empty_batch(py)?;
        out.count = items.len();
        let parts = out.parts.bind(py).clone();
        let separator: &[u8] = if self.sizes { b"" } else { &self.separator };
        let mut run: Vec<Vec<u8>> = Vec::new();
        let mut sizes: Vec<u8> = Vec::new();
        let mut wanted = selected.map(|s| s.iter().peekable());
        for (at, (item, piece)) in items.iter().zip(pieces).enumerate() {
            let number = first + 1 + at as u64;
            let chosen = match wanted.as_mut() {
                None => true,
                Some(w) => {
                    while w.next_if(|&&i| i < at).is_some() {}
                    w.next_if(|&&i| i == at).is_some()
                }
            };
            match piece {
                Piece::Done { bytes, references } => {
                    if !chosen {
                        continue;
                    }
                    sizes.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
                    run.push(bytes);
                    out.records += 1;
                    out.references += references as u64;
                }
                Piece::Counted => {
                    if chosen {
                        out.records += 1;
                    }
                }
                Piece::Pending => {
                    let rejected = matches!(item.outcome, Outcome::Invalid(_) | Outcome::Fatal(_));
                    if rejected {
                        out.rejected += 1;
                        if !self.report_invalid {
                            continue;
                        }
                    }
                    flush_run(&parts, &mut run, separator)?;
                    parts.append(pending_tuple(py, item, number)?)?;
                }
            }
        }
        flush_run(&parts, &mut run, separator)?;
        if self.sizes {
            out.sizes = Some(PyBytes::new(py, &sizes).unbind());
        }
        Ok(out)
    }
}

/// Appends `(bytes, count)` for the records in `run`, joined by
/// `separator`, written straight into the `bytes` object; empties `run`.
fn flush_run(parts: &Bound<'_, PyList>, run: &mut Vec<Vec<u8>>, separator: &[u8]) -> PyResult<()> {
    if run.is_empty() {
        return Ok(());
    }
    let total = run.iter().map(Vec::len).sum::<usize>() + separator.len() * (run.len() - 1);
    let blob = PyBytes::new_with(parts.py(), total, |buf| {
        let mut at = 0;
        for (i, piece) in run.iter().enumerate() {
            if i > 0 {
                buf[at..at + separator.len()].copy_from_slice(separator);
                at += separator.len();
            }
            buf[at..at + piece.len()].copy_from_slice(piece);
            at += piece.len();
        }
        Ok(())
    })?;
    parts.append((blob, run.len()))?;
    run.clear();
    Ok(())
}

/// `(number, offset, chunk, exception)` for a record Python handles.
fn pending_tuple<'py>(py: Python<'py>, item: &Item, number: u64) -> PyResult<Bound<'py, PyTuple>> {
    let chunk = PyBytes::new(py, &item.chunk);
    let exception = match &item.outcome {
        Outcome::Invalid(err) => exception_for(py, err, chunk.as_any())?.unbind(),
        Outcome::Fatal(kind) => framing_exception(py, *kind)?.unbind(),
        _ => py.None(),
    };
    PyTuple::new(
        py,
        [
            number.into_pyobject(py)?.into_any(),
            item.offset.into_pyobject(py)?.into_any(),
            chunk.into_any(),
            exception.into_bound(py),
        ],
    )
}

/// `(batch position, value)` for every value `selector` picks from the
/// valid records of `items`.
fn grep_values(
    selector: &FieldSelector,
    items: &[Item],
    handling: Utf8Handling,
) -> Vec<(usize, String)> {
    use rayon::prelude::*;
    items
        .par_iter()
        .enumerate()
        .with_min_len(32)
        .flat_map_iter(|(at, item)| {
            let values = match &item.outcome {
                Outcome::Record(layout) => selector.values(&item.chunk, layout, handling).ok(),
                Outcome::Transcoded { text, layout } => {
                    selector.values(text, layout, handling).ok()
                }
                _ => None,
            };
            values.unwrap_or_default().into_iter().map(move |v| (at, v))
        })
        .collect()
}
