//! Laying a converted batch out for Python: runs of converted records as
//! one `bytes` object each, and between them, in order, the records
//! Python handles itself.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};

use crate::errors::{exception_for, framing_exception};
use pymrrc_core::batch::{Item, Outcome};
use pymrrc_core::convert::Piece;

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

impl JobBatch {
    /// A batch with no parts yet, read through `position`.
    pub(crate) fn empty(py: Python<'_>, position: u64) -> Self {
        Self {
            parts: PyList::empty(py).unbind(),
            sizes: None,
            records: 0,
            rejected: 0,
            references: 0,
            position,
            values: None,
            owners: None,
            count: 0,
        }
    }
}

/// How a job wants its batches laid out.
pub(crate) struct Layout<'a> {
    /// Between two converted records of a run (none with `sizes`).
    pub separator: &'a [u8],
    /// Give each record's size (`split`), records not joined.
    pub sizes: bool,
    /// Hand rejected records to Python (else only count them).
    pub report_invalid: bool,
}

/// The batch `items` (numbered from `first + 1`) with their `pieces`, or
/// only the positions in `selected` (ascending), as a [`JobBatch`].
pub(crate) fn lay_out(
    py: Python<'_>,
    layout: &Layout<'_>,
    items: &[Item],
    first: u64,
    pieces: Vec<Piece>,
    selected: Option<&[usize]>,
    position: u64,
) -> PyResult<JobBatch> {
    let mut out = JobBatch::empty(py, position);
    out.count = items.len();
    let parts = out.parts.bind(py).clone();
    let separator: &[u8] = if layout.sizes { b"" } else { layout.separator };
    let mut run: Vec<&[u8]> = Vec::new();
    let mut sizes: Vec<u8> = Vec::new();
    let mut wanted = selected.map(|s| s.iter().peekable());
    for (at, (item, piece)) in items.iter().zip(&pieces).enumerate() {
        let number = first + 1 + at as u64;
        let chosen = match wanted.as_mut() {
            None => true,
            Some(w) => {
                while w.next_if(|&&i| i < at).is_some() {}
                w.next_if(|&&i| i == at).is_some()
            }
        };
        match piece {
            Piece::Done { .. } | Piece::Own => {
                if !chosen {
                    continue;
                }
                let (bytes, references) = match piece {
                    Piece::Done { bytes, references } => (&bytes[..], *references),
                    _ => (&item.chunk[..], 0),
                };
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
                    if !layout.report_invalid {
                        continue;
                    }
                }
                flush_run(&parts, &mut run, separator)?;
                parts.append(pending_tuple(py, item, number)?)?;
            }
        }
    }
    flush_run(&parts, &mut run, separator)?;
    if layout.sizes {
        out.sizes = Some(PyBytes::new(py, &sizes).unbind());
    }
    Ok(out)
}

/// Appends `(bytes, count)` for the records in `run`, joined by
/// `separator`, written straight into the `bytes` object; empties `run`.
fn flush_run(parts: &Bound<'_, PyList>, run: &mut Vec<&[u8]>, separator: &[u8]) -> PyResult<()> {
    if run.is_empty() {
        return Ok(());
    }
    let total =
        run.iter().map(|piece| piece.len()).sum::<usize>() + separator.len() * (run.len() - 1);
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
