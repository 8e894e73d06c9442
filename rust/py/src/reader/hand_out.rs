//! Turning one framed and validated item into what `next()` returns: a
//! lazy `Record`, `None` with pymarc's `current_exception` and
//! `current_chunk`, or a call of the exact Python decoder.

use std::sync::Arc;

use pyo3::exceptions::{PyException, PyNameError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::source::Source;
use super::{Chunk, ReaderBase};
use crate::errors::{emit_notes, exception_for, framing_exception};
use crate::materialize::LazyRecord;
use crate::pytypes::{reader_hooks, types};
use crate::record::RecordBase;
use crate::record_decode::with_declined;
use pymrrc_core::batch::{Item, Outcome};
use pymrrc_core::Note;

/// How often (in records) the reader asks again whether records may be
/// built natively: a decoding hook replaced on `Record` or in
/// `pymrrc.record` while a reader is part way through is seen within this
/// many records (compat-tests/DIVERGENCES.md, D12). Asking costs about a
/// microsecond; a record costs about one.
const NATIVE_CHECK_EVERY: u32 = 256;

/// Whether records may be built natively, as last asked.
pub(super) struct NativeCheck {
    /// Records left before asking again (0: ask at the next record).
    left: u32,
    ok: bool,
}

impl NativeCheck {
    pub(super) fn new() -> Self {
        Self { left: 0, ok: true }
    }
}

impl ReaderBase {
    /// Turns one item into what `__next__` returns. An item validated
    /// under options that have changed since is validated again first.
    pub(super) fn hand_out(&mut self, py: Python<'_>, item: Item) -> PyResult<Py<PyAny>> {
        if !matches!(item.outcome, Outcome::Fatal(_)) {
            if let Some(class) = self.replaced_record_class(py)? {
                return self.decode_in_python(py, class, &item.chunk, false);
            }
        }
        let validation = self.options.validation();
        let Item {
            chunk,
            outcome,
            notes,
            ..
        } = item.validated_with(&validation);
        match LazyRecord::from_outcome(&chunk, outcome, &validation) {
            Ok(lazy) => self.lazy_record(py, chunk, &notes, lazy),
            Err(Outcome::Invalid(err)) => {
                let chunk_obj = PyBytes::new(py, &chunk).into_any();
                emit_notes(py, &notes, &chunk_obj)?;
                self.chunk = Chunk::Object(chunk_obj.clone().unbind());
                self.exception = Some(exception_for(py, &err, &chunk_obj)?.unbind());
                Ok(py.None())
            }
            Err(Outcome::Fatal(kind)) => {
                self.chunk = Chunk::Object(PyBytes::new(py, &chunk).into_any().unbind());
                self.fatal = true;
                self.exception = Some(framing_exception(py, kind)?.unbind());
                Ok(py.None())
            }
            Err(Outcome::Record(_) | Outcome::Transcoded { .. } | Outcome::Fallback) => {
                let class = Ok(types(py)?.record.bind(py).clone().into_any());
                self.decode_in_python(py, class, &chunk, true)
            }
        }
    }

    /// `None` while records may be built natively; otherwise what pymarc's
    /// reader would call to build this one: the `Record` that
    /// `pymrrc.reader` names now (a program may have replaced it), or the
    /// `NameError` of a name that is gone. pymarc looks that name up at
    /// every record, and so does this (one dictionary lookup).
    fn replaced_record_class<'py>(
        &mut self,
        py: Python<'py>,
    ) -> PyResult<Option<PyResult<Bound<'py, PyAny>>>> {
        let hooks = reader_hooks(py)?;
        let record = types(py)?.record.bind(py);
        match hooks
            .reader_globals
            .bind(py)
            .get_item(intern!(py, "Record"))?
        {
            Some(class) if class.is(record) => {}
            Some(class) => return Ok(Some(Ok(class))),
            None => {
                let missing = PyNameError::new_err("name 'Record' is not defined");
                return Ok(Some(Err(missing)));
            }
        }
        if self.native_check.left == 0 {
            let ok = hooks.decodes_natively.bind(py).call1((record,))?;
            self.native_check.ok = ok.is_truthy()?;
            self.native_check.left = NATIVE_CHECK_EVERY;
        }
        self.native_check.left -= 1;
        Ok((!self.native_check.ok).then(|| Ok(record.clone().into_any())))
    }

    /// pymarc's `Record(chunk, **options)`, through `class` (or the error
    /// of looking it up): a record, or `None` with `current_exception`.
    /// `declined`: the native decoder declined the chunk under these
    /// options, so `Record.__init__` goes straight to the Python decoder.
    fn decode_in_python<'py>(
        &mut self,
        py: Python<'py>,
        class: PyResult<Bound<'py, PyAny>>,
        chunk: &[u8],
        declined: bool,
    ) -> PyResult<Py<PyAny>> {
        let chunk_obj = PyBytes::new(py, chunk).into_any();
        self.chunk = Chunk::Object(chunk_obj.clone().unbind());
        let kwargs = self.options.kwargs(py);
        let call = |c: Bound<'py, PyAny>| c.call((&chunk_obj,), kwargs.as_ref());
        let built = match class {
            Ok(c) if declined => with_declined(&chunk_obj, || call(c)),
            other => other.and_then(call),
        };
        match built {
            Ok(record) => Ok(record.unbind()),
            // pymarc catches `Exception` and yields `None`; anything
            // else (KeyboardInterrupt, SystemExit) propagates.
            Err(err) if err.is_instance_of::<PyException>(py) => {
                self.exception = Some(err.into_value(py).into_any());
                Ok(py.None())
            }
            Err(err) => Err(err),
        }
    }

    /// A lazy `Record` over `lazy` (the chunk itself, or a MARC-8 chunk's
    /// UTF-8 transcoding); `current_chunk` becomes the original chunk.
    fn lazy_record(
        &mut self,
        py: Python<'_>,
        chunk: Arc<[u8]>,
        notes: &[Note],
        lazy: LazyRecord,
    ) -> PyResult<Py<PyAny>> {
        if !notes.is_empty() {
            emit_notes(py, notes, PyBytes::new(py, &chunk).as_any())?;
        }
        self.chunk = Chunk::Pending(chunk);
        let record = RecordBase::new_read(
            types(py)?.record.bind(py),
            lazy,
            self.options.get(py, super::options::Opt::ToUnicode),
            self.options.get(py, super::options::Opt::ForceUtf8),
        )?;
        Ok(record.unbind())
    }

    /// A length field below 4 makes pymarc call `read()` with a size below
    /// -1, which some streams refuse (`ValueError` from a real file) and
    /// others treat as "read everything" (`BytesIO`). Ask the stream the
    /// same question, so that the same error comes out of `next()`.
    pub(super) fn probe_short_length(&mut self, py: Python<'_>, item: &Item) -> PyResult<()> {
        let Source::File(file) = &self.source else {
            return Ok(());
        };
        if !claims_short_length(&item.chunk) {
            return Ok(());
        }
        let Some(head) = item.chunk.get(..5) else {
            return Ok(());
        };
        match pymrrc_core::text::parse_py_int(head) {
            Some(claimed) if claimed < 4 => {
                self.chunk = Chunk::Object(PyBytes::new(py, head).into_any().unbind());
                let handle = file.handle.bind(py);
                if let Some(tracked) = &mut self.tracked {
                    tracked.stand_at(py, item.offset + 5)?;
                }
                let rest = handle.call_method1(intern!(py, "read"), (claimed - 5,))?;
                if let Some(tracked) = &mut self.tracked {
                    tracked.at += rest.len().unwrap_or(0) as u64;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// Whether a chunk's length field is a number below 4 (see
/// `ReaderBase::probe_short_length`).
pub(super) fn claims_short_length(chunk: &[u8]) -> bool {
    chunk
        .get(..5)
        .and_then(pymrrc_core::text::parse_py_int)
        .is_some_and(|claimed| claimed < 4)
}
