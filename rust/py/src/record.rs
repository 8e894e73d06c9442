//! `RecordBase`: the native base class of `pymrrc.record.Record`.
//!
//! A record read from MARC starts out holding only its validated bytes; the
//! `fields` list and the `Leader` object are built the first time anything
//! asks for them, after which they are ordinary Python objects with stable
//! identity. A few hot read-only operations (`title`, `as_marc`) answer from
//! the bytes while the record is still untouched.

use std::sync::Arc;

use pyo3::exceptions::{PyKeyError, PyStopIteration};
use pyo3::gc::PyVisit;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};
use pyo3::PyTraverseError;

use crate::materialize::{build_fields, key_title};
use crate::pytypes::types;
use crate::record_class::{is_exact_record, plain_for_as_marc, plain_iteration, plain_record_type};
use crate::record_lookup::{all_tagged, first_tagged, Found};
pub use crate::record_state::RecordBase;
use crate::record_state::{built_storage, fields_of, leader_of};
use crate::storage::{Fields, Leader, Storage, UntouchedRecord};
use crate::text::truthy;
use pymrrc_core::json_write::{JsonRecordWriter, JsonStyle};
use pymrrc_core::visit::RecordSink;
use pymrrc_core::xml_write::{XmlCharset, XmlRecordWriter};

/// Walks `record` into `sink` (see [`crate::walk::walk_storage`]).
/// `Ok(false)` means something is not plain: the sink holds partial
/// output, and the caller must use the Python path. On success the
/// record's own iterator is left at its end, as pymarc's loop leaves it;
/// an untouched record read from MARC stays untouched. The caller has
/// checked the record's class.
pub(crate) fn walk_record<S: RecordSink>(
    record: &Bound<'_, RecordBase>,
    sink: &mut S,
) -> PyResult<bool> {
    let storage = built_storage(record)?;
    match crate::walk::walk_storage(record.py(), &storage, sink)? {
        Some(count) => {
            record.borrow_mut().iter_pos = count;
            Ok(true)
        }
        None => Ok(false),
    }
}

#[pymethods]
impl RecordBase {
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for obj in self.storage.objects() {
            visit.call(obj)?;
        }
        for obj in [&self.pos, &self.force_utf8, &self.to_unicode] {
            visit.call(obj)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.storage = Storage::unset();
        Python::attach(|py| {
            for obj in [&mut self.pos, &mut self.force_utf8, &mut self.to_unicode] {
                *obj = py.None();
            }
        });
    }

    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn py_new(
        py: Python<'_>,
        _args: &Bound<'_, PyTuple>,
        _kwargs: Option<&Bound<'_, PyDict>>,
    ) -> Self {
        Self::empty(py)
    }

    /// The record's fields, in order (a plain list).
    #[getter(fields)]
    fn fields_list(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        Ok(fields_of(slf)?.unbind())
    }

    #[setter(fields)]
    fn set_fields(slf: &Bound<'_, Self>, value: Py<PyAny>) -> PyResult<()> {
        let old = std::mem::replace(&mut slf.borrow_mut().storage.fields, Fields::Objects(value));
        // Released with no borrow held: it may run Python code.
        drop(old);
        Ok(())
    }

    /// The record's `Leader`.
    #[getter]
    fn get_leader(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        Ok(leader_of(slf)?.unbind())
    }

    #[setter]
    fn set_leader(slf: &Bound<'_, Self>, value: Py<PyAny>) -> PyResult<()> {
        slf.borrow_mut().storage.leader = Leader::Object(value);
        Ok(())
    }

    #[getter(_Record__pos)]
    fn get_iter_pos(&self) -> usize {
        self.iter_pos
    }

    #[setter(_Record__pos)]
    fn set_iter_pos(&mut self, value: Option<usize>) {
        self.iter_pos = value.unwrap_or(0);
    }

    fn __iter__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        if !plain_iteration(slf)? {
            // pymarc's `self.__pos = 0`, through the subclass's overrides.
            slf.setattr(intern!(slf.py(), "_Record__pos"), 0)?;
        } else {
            slf.borrow_mut().iter_pos = 0;
        }
        Ok(slf.clone().into_any().unbind())
    }

    fn __next__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        if !plain_iteration(slf)? {
            return Ok(slf.call_method0(intern!(slf.py(), "_py_next"))?.unbind());
        }
        let fields = fields_of(slf)?;
        let pos = slf.borrow().iter_pos;
        if pos >= fields.len()? {
            return Err(PyStopIteration::new_err(()));
        }
        slf.borrow_mut().iter_pos = pos + 1;
        Ok(fields.get_item(pos)?.unbind())
    }

    /// `(payload, to_unicode, force_utf8, pos, _Record__pos)` for pickling a
    /// record that still holds only the bytes it was read from (neither
    /// its fields nor its leader object built), or `None`; see
    /// [`crate::record_pickle`].
    #[allow(clippy::type_complexity)]
    fn _pickle_state(
        &self,
        py: Python<'_>,
    ) -> Option<(Py<PyBytes>, Py<PyAny>, Py<PyAny>, Py<PyAny>, usize)> {
        let (Fields::Marc(lazy), Leader::Text(leader)) =
            (&self.storage.fields, &self.storage.leader)
        else {
            return None;
        };
        let payload = crate::record_pickle::payload(lazy, leader);
        Some((
            PyBytes::new(py, &payload).unbind(),
            self.to_unicode.clone_ref(py),
            self.force_utf8.clone_ref(py),
            self.pos.clone_ref(py),
            self.iter_pos,
        ))
    }

    /// Makes a new record the one `_pickle_state` described.
    fn _restore_pickle_state(
        &mut self,
        payload: &[u8],
        to_unicode: Py<PyAny>,
        force_utf8: Py<PyAny>,
        pos: Py<PyAny>,
        iter_pos: usize,
    ) -> PyResult<()> {
        let Some((lazy, leader)) = crate::record_pickle::parse(payload) else {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "not a record pickled by this version of pymrrc",
            ));
        };
        self.storage = Storage {
            fields: Fields::Marc(Arc::new(lazy)),
            leader: Leader::Text(leader),
        };
        self.to_unicode = to_unicode;
        self.force_utf8 = force_utf8;
        self.pos = pos;
        self.iter_pos = iter_pos;
        Ok(())
    }

    /// The first field tagged `tag`; `KeyError` when there is none.
    fn __getitem__(slf: &Bound<'_, Self>, tag: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        match first_tagged(slf, tag)? {
            Found::Native(Some(field)) => Ok(field.unbind()),
            Found::Native(None) => Err(PyKeyError::new_err(())),
            Found::Python => Ok(slf
                .call_method1(intern!(slf.py(), "_py_getitem"), (tag,))?
                .unbind()),
        }
    }

    /// The first field tagged `tag`, or `default`.
    #[pyo3(signature = (tag, default = None))]
    fn get(
        slf: &Bound<'_, Self>,
        tag: &Bound<'_, PyAny>,
        default: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let default = default.unwrap_or_else(|| py.None());
        match first_tagged(slf, tag)? {
            Found::Native(Some(field)) => Ok(field.unbind()),
            Found::Native(None) => Ok(default),
            Found::Python => Ok(slf
                .call_method1(intern!(py, "_py_get"), (tag, default))?
                .unbind()),
        }
    }

    fn __contains__(slf: &Bound<'_, Self>, tag: &Bound<'_, PyAny>) -> PyResult<bool> {
        match first_tagged(slf, tag)? {
            Found::Native(found) => Ok(found.is_some()),
            Found::Python => slf
                .call_method1(intern!(slf.py(), "_py_contains"), (tag,))?
                .is_truthy(),
        }
    }

    /// The fields tagged with any of `tags`, in order; with no tags,
    /// `self.fields` itself.
    #[pyo3(signature = (*tags))]
    fn get_fields(slf: &Bound<'_, Self>, tags: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        if tags.is_empty() && is_exact_record(slf.as_any())? {
            return Ok(fields_of(slf)?.unbind());
        }
        if !tags.is_empty() {
            if let Found::Native(list) = all_tagged(slf, tags)? {
                return Ok(list.into_any().unbind());
            }
        }
        Ok(slf
            .call_method1(intern!(slf.py(), "_py_get_fields"), tags)?
            .unbind())
    }

    /// Whether the record still holds only its bytes (nothing looked into).
    #[getter]
    fn _is_lazy(&self) -> bool {
        self.storage.is_untouched()
    }

    /// The title (245 $a and $b), as pymarc's `Record.title` computes it.
    #[getter]
    fn title(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        title_of(slf, b"245", "_py_title")
    }

    /// The key title (222 $a and $b).
    #[getter]
    fn issn_title(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        title_of(slf, b"222", "_py_issn_title")
    }

    /// Serialises the record as MARC 21 bytes, exactly as pymarc does.
    fn as_marc(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if !plain_for_as_marc(slf)? {
            return Ok(slf.call_method0(intern!(py, "_py_as_marc"))?.unbind());
        }
        if let Some(snapshot) = untouched_snapshot(slf)? {
            // Kept under the GIL: it takes about a microsecond, less than
            // handing the GIL to another thread and back.
            return Ok(PyBytes::new(py, &snapshot.encode()).into_any().unbind());
        }
        let to_unicode = truthy(slf.borrow().to_unicode.bind(py))?;
        let t = types(py)?;
        if to_unicode {
            let leader = leader_of(slf)?;
            if leader.is_instance(t.leader.bind(py))? {
                leader.setattr("coding_scheme", "a")?;
            } else {
                let updated = t
                    .support
                    .bind(py)
                    .call_method1("leader_with_utf8_flag", (&leader,))?;
                slf.setattr("leader", updated)?;
            }
        }
        let leader = leader_of(slf)?;
        let force = {
            let f = slf.borrow().force_utf8.clone_ref(py);
            truthy(f.bind(py))?
        };
        crate::record_encode::encode_record_objects(slf.as_any(), &leader, force)
    }

    /// Alias of `as_marc`.
    fn as_marc21(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        Self::as_marc(slf)
    }

    /// The record as a MARC-in-JSON dictionary.
    fn as_dict(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        if plain_record_type(slf, &[])? {
            let storage = built_storage(slf)?;
            if let Some((dict, count)) = crate::as_dict::storage_dict(slf.py(), &storage)? {
                slf.borrow_mut().iter_pos = count;
                return Ok(dict.into_any().unbind());
            }
        }
        Ok(slf.call_method0("_py_as_dict")?.unbind())
    }

    /// The record as MARC-in-JSON text; keyword arguments go to
    /// `json.dumps`.
    #[pyo3(signature = (**kwargs))]
    fn as_json(slf: &Bound<'_, Self>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if kwargs.map_or(true, |k| k.is_empty()) {
            if let Some(text) = json_text(slf, JsonStyle::Spaced)? {
                return Ok(PyString::new(py, &text).into_any().unbind());
            }
        }
        Ok(slf.call_method("_py_as_json", (), kwargs)?.unbind())
    }

    /// `json.dumps(self.as_dict())` with `separators=(",", ":")` when
    /// `compact`, or `None` when only the Python implementation can tell.
    fn _json_text(slf: &Bound<'_, Self>, compact: bool) -> PyResult<Option<String>> {
        let style = if compact {
            JsonStyle::Compact
        } else {
            JsonStyle::Spaced
        };
        json_text(slf, style)
    }

    /// `ET.tostring(record_to_xml_node(self, namespace=namespace))` as
    /// pymarc computes it (UTF-8 output when `utf8`, else ASCII with
    /// character references), or `None` when only the Python implementation
    /// can tell.
    fn _xml_bytes(
        slf: &Bound<'_, Self>,
        namespace: &Bound<'_, PyAny>,
        utf8: bool,
    ) -> PyResult<Option<Py<PyAny>>> {
        let py = slf.py();
        if !plain_record_type(slf, &[])? {
            return Ok(None);
        }
        let charset = if utf8 {
            XmlCharset::Utf8
        } else {
            XmlCharset::Ascii
        };
        let mut writer = XmlRecordWriter::new(charset, truthy(namespace)?);
        if !walk_record(slf, &mut writer)? {
            return Ok(None);
        }
        Ok(Some(PyBytes::new(py, &writer.finish()).into_any().unbind()))
    }

    /// Decodes `marc` into this record natively when the options allow it
    /// and the record is valid. Returns `False`, having changed nothing,
    /// when the record needs the exact Python fallback (other encodings,
    /// `to_unicode=False`, non-ASCII subfield codes, an invalid record).
    /// `fresh` is set by `Record.__init__`: the record has no fields anyone
    /// could hold yet, so it may stay lazy; otherwise, as in pymarc, the new
    /// fields are appended to the existing list. See
    /// [`crate::record_decode::decode_valid`].
    #[pyo3(signature = (marc, to_unicode, force_utf8, utf8_handling, fresh, hide_utf8_warnings = None, encoding = None))]
    #[allow(clippy::too_many_arguments)]
    fn _decode_marc(
        slf: &Bound<'_, Self>,
        marc: &Bound<'_, PyAny>,
        to_unicode: &Bound<'_, PyAny>,
        force_utf8: &Bound<'_, PyAny>,
        utf8_handling: &Bound<'_, PyAny>,
        fresh: bool,
        hide_utf8_warnings: Option<&Bound<'_, PyAny>>,
        encoding: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let py = slf.py();
        let decoded = crate::record_decode::decode_valid(
            marc,
            to_unicode,
            force_utf8,
            utf8_handling,
            hide_utf8_warnings,
            encoding,
        )?;
        let Some(lazy) = decoded else {
            return Ok(false);
        };
        if fresh {
            slf.borrow_mut().storage = Storage::read_from_marc(lazy);
        } else {
            let existing = fields_of(slf)?;
            let leader = lazy.layout.leader;
            let built = build_fields(py, &Arc::new(lazy), &[])?;
            existing.call_method1("extend", (built,))?;
            slf.borrow_mut().storage.leader = Leader::Text(leader);
        }
        Ok(true)
    }
}

/// The record's MARC-in-JSON text, unless its class overrides `as_dict` or
/// iteration, or a value is not plain.
fn json_text(slf: &Bound<'_, RecordBase>, style: JsonStyle) -> PyResult<Option<String>> {
    if !plain_record_type(slf, &["as_dict"])? {
        return Ok(None);
    }
    let mut writer = JsonRecordWriter::new(style);
    if !walk_record(slf, &mut writer)? {
        return Ok(None);
    }
    Ok(Some(writer.finish()))
}

/// `title`/`issn_title`: read from the bytes while the record is
/// untouched, else pymarc's Python implementation.
fn title_of(slf: &Bound<'_, RecordBase>, tag: &[u8], python_impl: &str) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    let lazy = slf.borrow().storage.marc_bytes().cloned();
    match lazy {
        Some(lazy) => Ok(match key_title(py, &lazy, tag)? {
            Some(s) => s.into_any().unbind(),
            None => py.None(),
        }),
        None => Ok(slf.call_method0(python_impl)?.unbind()),
    }
}

/// The record as an [`UntouchedRecord`] when `as_marc` would re-encode it
/// straight from the bytes it was read from ([`Storage::untouched`]); as
/// `as_marc` does, it marks the leader as Unicode when the record was
/// decoded to `str`.
pub(crate) fn untouched_snapshot(slf: &Bound<'_, RecordBase>) -> PyResult<Option<UntouchedRecord>> {
    let py = slf.py();
    let (to_unicode, force) = {
        let b = slf.borrow();
        (b.to_unicode.clone_ref(py), b.force_utf8.clone_ref(py))
    };
    // Truth tested with no borrow held: `__bool__` may run Python code.
    let (to_unicode, force) = (truthy(to_unicode.bind(py))?, truthy(force.bind(py))?);
    Ok(slf.borrow_mut().storage.untouched(to_unicode, force))
}
