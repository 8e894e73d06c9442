//! `FileJob`: one input file of a `pymrrc` command, worked through batch by
//! batch. Each `next()` reads, validates and converts a batch of records
//! with the GIL released (the next batch converting while Python handles
//! this one) and hands back a [`JobBatch`]: the output bytes,
//! the counts, and the records Python must handle itself (rejected ones,
//! with their pymarc exception; those the native decoder leaves to the
//! Python decoder; those a format cannot convert exactly here). The Python
//! loop between batches is where Ctrl-C arrives, a few milliseconds apart.

use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyList, PyString};

use super::ahead::Ahead;
use super::parts::{lay_out, JobBatch, Layout};
use super::source::{JsonRecords, Source, XmlStream};
use crate::native_options::{text_handling, OptionValues};
use crate::reader::workers_from;
use crate::text::plain_text;
use pymrrc_core::batch::{Item, Keep, Outcome, Validation};
use pymrrc_core::convert::{convert_batch, Format};
use pymrrc_core::grep::FieldSelector;
use pymrrc_core::stats::Stats;
use pymrrc_core::text::Utf8Handling;

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
    /// The batch converting on the pool.
    ahead: Option<Ahead>,
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

/// pymarc's reader options as the native decoder takes them (the rules
/// `MARCReader` goes by, in `native_options`); `None` when only the Python
/// decoder implements them (every record goes there).
fn validation_from(
    py: Python<'_>,
    force_utf8: bool,
    utf8_handling: &str,
    file_encoding: &str,
    hide_utf8_warnings: bool,
) -> PyResult<Validation> {
    let flag = |value: bool| PyBool::new(py, value).to_owned().into_any();
    OptionValues {
        to_unicode: &flag(true),
        force_utf8: &flag(force_utf8),
        hide_utf8_warnings: &flag(hide_utf8_warnings),
        utf8_handling: &PyString::new(py, utf8_handling).into_any(),
        file_encoding: &PyString::new(py, file_encoding).into_any(),
    }
    .native_validation()
}

#[pymethods]
impl FileJob {
    /// Starts a job over `source`: a path (`str`) or a binary stream of
    /// ISO 2709 records, or with `xml` a binary stream of MARCXML; with
    /// `json` (a MARC-in-JSON document's bytes) `source` is not read.
    #[new]
    #[pyo3(signature = (source, *, format, force_utf8 = false, utf8_handling = "strict",
        file_encoding = "iso8859-1", hide_utf8_warnings = false, workers = None,
        separator = None, sizes = false, start = 0, stop = None, report_invalid = true,
        stats = false, grep_tag = None, grep_code = None, xml = false, json = None))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        py: Python<'_>,
        source: &Bound<'_, PyAny>,
        format: &str,
        force_utf8: bool,
        utf8_handling: &str,
        file_encoding: &str,
        hide_utf8_warnings: bool,
        workers: Option<&Bound<'_, PyAny>>,
        separator: Option<Vec<u8>>,
        sizes: bool,
        start: u64,
        stop: Option<u64>,
        report_invalid: bool,
        stats: bool,
        grep_tag: Option<String>,
        grep_code: Option<String>,
        xml: bool,
        json: Option<Vec<u8>>,
    ) -> PyResult<Self> {
        let format = format_from(format)?;
        let validation = validation_from(
            py,
            force_utf8,
            utf8_handling,
            file_encoding,
            hide_utf8_warnings,
        )?;
        let handling = text_handling(&validation);
        let workers = workers_from(workers)?;
        // Records copied as they are, valid or not (`split`, `slice`
        // without `--to`): framed only, nothing looks into them.
        let validation = if format == Format::Raw && !stats && grep_tag.is_none() {
            None
        } else {
            validation
        };
        let source = if let Some(document) = json {
            Source::Json(JsonRecords::parse(py, document)?)
        } else if xml {
            Source::Xml(Box::new(XmlStream::new(source.clone().unbind())))
        } else if let Some(path) = plain_text(source) {
            let path = PathBuf::from(path);
            // Validating or counting: a valid record's bytes are not needed.
            let keep = if format == Format::Nothing && !stats && grep_tag.is_none() {
                Keep::Unhandled
            } else {
                Keep::Everything
            };
            py.detach(|| Source::path(&path, validation, workers, keep))
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
            ahead: None,
            position: 0,
        })
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The next batch's results; `None` (ending the iteration) when the
    /// input, or the window asked for, is exhausted.
    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<JobBatch>> {
        if self.grep.is_some() {
            return self.next_for_grep(py);
        }
        // One batch converts on the pool while Python handles the one
        // before it: start the first, then always the one after.
        if self.ahead.is_none() {
            self.ahead = self.start_next(py)?;
        }
        let Some(current) = self.ahead.take() else {
            return Ok(None);
        };
        self.ahead = self.start_next(py)?;
        let done = current.wait(py)?;
        if let (Some(stats), Some(batch_stats)) = (self.stats.as_mut(), done.stats) {
            stats.merge(batch_stats);
        }
        let last = done
            .items
            .last()
            .map_or(self.position, |i| i.offset + i.chunk.len() as u64);
        lay_out(
            py,
            &self.layout(),
            &done.items,
            done.first,
            done.pieces,
            None,
            last,
        )
        .map(Some)
    }

    /// `grep`: the results of the held batch for the records at the batch
    /// positions `selected` (ascending); records Python must handle come
    /// back whatever `selected` says.
    fn select(&mut self, py: Python<'_>, selected: Vec<usize>) -> PyResult<JobBatch> {
        let (items, first) = self
            .held
            .take()
            .ok_or_else(|| PyValueError::new_err("no batch is held"))?;
        let (format, handling) = (self.format, self.handling);
        let pieces = py.detach(|| convert_batch(format, &items, handling, first + 1));
        let last = items
            .last()
            .map_or(self.position, |i| i.offset + i.chunk.len() as u64);
        lay_out(
            py,
            &self.layout(),
            &items,
            first,
            pieces,
            Some(&selected),
            last,
        )
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

    /// MARCXML: why the native reader stopped before the end of the
    /// document (the rest is for pymarc's path), or `None`.
    #[getter]
    fn stopped(&self) -> Option<&'static str> {
        self.source.stopped()
    }

    /// Stops reading and releases the input.
    fn close(&mut self, py: Python<'_>) {
        self.held = None;
        if let Some(ahead) = self.ahead.take() {
            // Let the pool finish with the batch; nothing waits for it.
            drop(ahead);
        }
        self.source.finish(py);
    }
}

impl FileJob {
    fn layout(&self) -> Layout<'_> {
        Layout {
            separator: &self.separator,
            sizes: self.sizes,
            report_invalid: self.report_invalid,
        }
    }

    /// The next batch of the window asked for, and the number of records
    /// before it; `None` at the end of the input or of the window.
    fn next_window(&mut self, py: Python<'_>) -> PyResult<Option<(Vec<Item>, u64)>> {
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
            return Ok(Some((items, first + skip as u64)));
        }
    }

    /// Reads the next batch and hands it to the pool.
    fn start_next(&mut self, py: Python<'_>) -> PyResult<Option<Ahead>> {
        let (format, handling, stats) = (self.format, self.handling, self.stats.is_some());
        Ok(self
            .next_window(py)?
            .map(|(items, first)| Ahead::start(items, first, format, handling, stats)))
    }

    /// `grep`'s first step: the batch's values to match, the batch held
    /// until `select` says which records to keep.
    fn next_for_grep(&mut self, py: Python<'_>) -> PyResult<Option<JobBatch>> {
        let Some((items, first)) = self.next_window(py)? else {
            return Ok(None);
        };
        let Some(selector) = &self.grep else {
            return Ok(None);
        };
        let handling = self.handling;
        let values = py.detach(|| grep_values(selector, &items, handling));
        let mut out = JobBatch::empty(py, self.position);
        out.owners = Some(PyList::new(py, values.iter().map(|(i, _)| *i))?.unbind());
        out.values = Some(PyList::new(py, values.iter().map(|(_, v)| v.as_str()))?.unbind());
        out.count = items.len();
        self.held = Some((items, first));
        Ok(Some(out))
    }
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
