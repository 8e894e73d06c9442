//! `RecordBase`: the native base class of `pymrrc.record.Record`.
//!
//! A record read from MARC starts out holding only its validated bytes; the
//! `fields` list and the `Leader` object are built the first time anything
//! asks for them, after which they are ordinary Python objects with stable
//! identity. A few hot read-only operations (`title`, `as_marc`) answer from
//! the bytes while the record is still untouched.

use std::sync::Arc;

use pyo3::exceptions::{PyAttributeError, PyStopIteration};
use pyo3::gc::PyVisit;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};
use pyo3::PyTraverseError;

use crate::marcxml::{build_xml_fields, XmlLazy};
use crate::materialize::{build_fields, find_field, first_subfield, LazyRecord};
use crate::pytypes::types;
use crate::text::truthy;
use crate::walk::{plain_record_type, walk_record};
use pymrrc_core::consts::LEADER_LEN;
use pymrrc_core::encode::{reencode_layout, reencode_layout_into};
use pymrrc_core::json_write::{JsonRecordWriter, JsonStyle};
use pymrrc_core::text::Utf8Handling;
use pymrrc_core::xml_write::{XmlCharset, XmlRecordWriter};

/// Native storage for a MARC record.
#[pyclass(subclass, module = "pymrrc._core")]
pub struct RecordBase {
    lazy: Option<Arc<LazyRecord>>,
    /// A record read from MARCXML whose fields are not built yet.
    xml: Option<Arc<XmlLazy>>,
    raw_leader: Option<[u8; LEADER_LEN]>,
    fields: Option<Py<PyAny>>,
    leader: Option<Py<PyAny>>,
    /// pymarc's public `pos` attribute.
    #[pyo3(get, set)]
    pos: Py<PyAny>,
    /// Whether text is treated as UTF-8 whatever the leader says.
    #[pyo3(get, set)]
    force_utf8: Py<PyAny>,
    /// Whether text was decoded to `str`.
    #[pyo3(get, set)]
    to_unicode: Py<PyAny>,
    iter_pos: usize,
}

impl RecordBase {
    /// An empty record with pymarc's attribute defaults.
    fn empty(py: Python<'_>) -> Self {
        Self {
            lazy: None,
            xml: None,
            raw_leader: None,
            fields: None,
            leader: None,
            pos: 0i32
                .into_pyobject(py)
                .map(|v| v.into_any().unbind())
                .unwrap_or_else(|_| py.None()),
            force_utf8: pyo3::types::PyBool::new(py, false)
                .to_owned()
                .into_any()
                .unbind(),
            to_unicode: pyo3::types::PyBool::new(py, true)
                .to_owned()
                .into_any()
                .unbind(),
            iter_pos: 0,
        }
    }

    /// Makes a freshly created record the lazy record a reader read, with
    /// the reader's option values.
    pub(crate) fn fill_from_reader(
        &mut self,
        lazy: LazyRecord,
        to_unicode: Py<PyAny>,
        force_utf8: Py<PyAny>,
    ) {
        self.raw_leader = Some(lazy.layout.leader);
        self.lazy = Some(Arc::new(lazy));
        self.to_unicode = to_unicode;
        self.force_utf8 = force_utf8;
    }
}

impl RecordBase {
    /// Makes a freshly created record one read from MARCXML: its fields
    /// (built on first use), and its leader either as ASCII text (built
    /// lazily) or as a ready `Leader` object.
    pub(crate) fn fill_from_xml(
        &mut self,
        xml: XmlLazy,
        raw_leader: Option<[u8; LEADER_LEN]>,
        leader: Option<Py<PyAny>>,
    ) {
        self.lazy = None;
        self.fields = None;
        self.xml = Some(Arc::new(xml));
        self.raw_leader = raw_leader;
        self.leader = leader;
    }
}

/// What the text serialisers read from a record, taken under one borrow.
pub(crate) struct Snapshot {
    /// The record's bytes, while its fields have not been built.
    pub lazy: Option<Arc<LazyRecord>>,
    /// The `fields` value, once built or assigned.
    pub fields: Option<Py<PyAny>>,
    /// The leader bytes, while no `Leader` object was built.
    pub raw_leader: Option<[u8; LEADER_LEN]>,
    /// The `leader` value, once built or assigned.
    pub leader: Option<Py<PyAny>>,
}

impl RecordBase {
    /// The record's storage as it is now.
    pub(crate) fn snapshot(&self, py: Python<'_>) -> Snapshot {
        let lazy = match &self.fields {
            None => self.lazy.clone(),
            Some(_) => None,
        };
        Snapshot {
            lazy,
            fields: self.fields.as_ref().map(|f| f.clone_ref(py)),
            raw_leader: self.raw_leader,
            leader: self.leader.as_ref().map(|l| l.clone_ref(py)),
        }
    }

    /// Leaves the record's own iterator where a completed
    /// `for field in record` loop over `count` fields leaves it.
    pub(crate) fn end_iteration(&mut self, count: usize) {
        self.iter_pos = count;
    }
}

/// Builds the fields of a record read from MARCXML that were not built yet,
/// so that [`RecordBase::snapshot`] sees them (the serialisers walk built
/// fields or MARC bytes).
pub(crate) fn build_pending_xml(slf: &Bound<'_, RecordBase>) -> PyResult<()> {
    let pending = {
        let b = slf.borrow();
        b.fields.is_none() && b.xml.is_some()
    };
    if pending {
        fields_of(slf)?;
    }
    Ok(())
}

/// The record's field list, built from its bytes on first use.
fn fields_of<'py>(slf: &Bound<'py, RecordBase>) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let (lazy, xml) = {
        let b = slf.borrow();
        if let Some(f) = &b.fields {
            return Ok(f.bind(py).clone());
        }
        (b.lazy.clone(), b.xml.clone())
    };
    // Built with no borrow held: making Python objects can run other
    // threads, which may look at this record meanwhile.
    let list = match (lazy, xml) {
        (Some(lazy), _) => build_fields(py, &lazy)?.into_any(),
        (None, Some(xml)) => build_xml_fields(py, &xml)?.into_any(),
        (None, None) => return Err(PyAttributeError::new_err("fields")),
    };
    let mut b = slf.borrow_mut();
    if let Some(f) = &b.fields {
        // Another thread got there first; everyone must see one list.
        return Ok(f.bind(py).clone());
    }
    b.fields = Some(list.clone().unbind());
    b.lazy = None;
    b.xml = None;
    Ok(list)
}

/// Whether `for field in record` may run natively: the record is exactly
/// `Record`, or its class overrides nothing pymarc's `__iter__`/`__next__`
/// go through (attribute access and assignment, `fields`).
fn plain_iteration(slf: &Bound<'_, RecordBase>) -> PyResult<bool> {
    if is_exact_record(slf)? {
        return Ok(true);
    }
    plain_record_type(slf, &[])
}

/// Whether `slf` is exactly `Record` (a pointer comparison: this is on the
/// hot paths).
fn is_exact_record(slf: &Bound<'_, RecordBase>) -> PyResult<bool> {
    let py = slf.py();
    Ok(std::ptr::eq(
        slf.get_type_ptr(),
        types(py)?.record.as_ptr().cast(),
    ))
}

/// Whether `as_marc` may read the record's storage directly: it is exactly
/// `Record`, or its class overrides none of the attributes pymarc's
/// `as_marc` reads or assigns.
fn plain_for_as_marc(slf: &Bound<'_, RecordBase>) -> PyResult<bool> {
    if is_exact_record(slf)? {
        return Ok(true);
    }
    plain_record_type(slf, &["to_unicode", "force_utf8"])
}

/// The record's leader object, built from its bytes on first use.
fn leader_of<'py>(slf: &Bound<'py, RecordBase>) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let raw = {
        let b = slf.borrow();
        if let Some(l) = &b.leader {
            return Ok(l.bind(py).clone());
        }
        b.raw_leader
    };
    let Some(raw) = raw else {
        return Err(PyAttributeError::new_err("leader"));
    };
    let text: String = raw.iter().map(|&b| char::from(b)).collect();
    let leader = types(py)?.leader.bind(py).call1((text,))?;
    let mut b = slf.borrow_mut();
    if let Some(l) = &b.leader {
        return Ok(l.bind(py).clone());
    }
    b.leader = Some(leader.clone().unbind());
    b.raw_leader = None;
    Ok(leader)
}

#[pymethods]
impl RecordBase {
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        visit.call(&self.fields)?;
        visit.call(&self.leader)?;
        for obj in [&self.pos, &self.force_utf8, &self.to_unicode] {
            visit.call(obj)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.fields = None;
        self.xml = None;
        self.leader = None;
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
    #[getter]
    fn get_fields(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        Ok(fields_of(slf)?.unbind())
    }

    #[setter]
    fn set_fields(slf: &Bound<'_, Self>, value: Py<PyAny>) -> PyResult<()> {
        let mut b = slf.borrow_mut();
        b.lazy = None;
        b.xml = None;
        b.fields = Some(value);
        Ok(())
    }

    /// The record's `Leader`.
    #[getter]
    fn get_leader(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        Ok(leader_of(slf)?.unbind())
    }

    #[setter]
    fn set_leader(slf: &Bound<'_, Self>, value: Py<PyAny>) -> PyResult<()> {
        let mut b = slf.borrow_mut();
        b.raw_leader = None;
        b.leader = Some(value);
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
        let (None, None, None, Some(lazy), Some(leader)) = (
            &self.fields,
            &self.leader,
            &self.xml,
            &self.lazy,
            &self.raw_leader,
        ) else {
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
        self.lazy = Some(Arc::new(lazy));
        self.raw_leader = Some(leader);
        self.xml = None;
        self.fields = None;
        self.leader = None;
        self.to_unicode = to_unicode;
        self.force_utf8 = force_utf8;
        self.pos = pos;
        self.iter_pos = iter_pos;
        Ok(())
    }

    /// Whether the record still holds only its bytes (nothing looked into).
    #[getter]
    fn _is_lazy(&self) -> bool {
        (self.lazy.is_some() || self.xml.is_some()) && self.fields.is_none()
    }

    /// The title (245 $a and $b), as pymarc's `Record.title` computes it.
    #[getter]
    fn title(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        key_title(slf, b"245", "_py_title")
    }

    /// The key title (222 $a and $b).
    #[getter]
    fn issn_title(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        key_title(slf, b"222", "_py_issn_title")
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
        crate::encode::encode_record_objects(slf.as_any(), &leader, force)
    }

    /// Alias of `as_marc`.
    fn as_marc21(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        Self::as_marc(slf)
    }

    /// The record as a MARC-in-JSON dictionary.
    fn as_dict(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        if plain_record_type(slf, &[])? {
            if let Some(dict) = crate::as_dict::record_dict(slf)? {
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
            let mut b = slf.borrow_mut();
            b.raw_leader = Some(lazy.layout.leader);
            b.leader = None;
            b.fields = None;
            b.xml = None;
            b.lazy = Some(Arc::new(lazy));
        } else {
            let existing = fields_of(slf)?;
            let built = build_fields(py, &lazy)?;
            existing.call_method1("extend", (built,))?;
            let mut b = slf.borrow_mut();
            b.raw_leader = Some(lazy.layout.leader);
            b.leader = None;
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

/// `title`/`issn_title`: subfields a and b of the first field `tag`, read
/// from the bytes while the record is untouched.
fn key_title(slf: &Bound<'_, RecordBase>, tag: &[u8], python_impl: &str) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    let lazy = {
        let b = slf.borrow();
        match (&b.lazy, &b.fields) {
            (Some(lazy), None) => Some(Arc::clone(lazy)),
            _ => None,
        }
    };
    let answer = match lazy {
        Some(lazy) => Some(match find_field(&lazy, tag) {
            None => None,
            Some(i) => match first_subfield(py, &lazy, i, b'a') {
                None => None,
                Some(a) if a.to_cow()?.is_empty() => Some(a),
                Some(a) => match first_subfield(py, &lazy, i, b'b') {
                    Some(sub) if !sub.to_cow()?.is_empty() => Some(PyString::new(
                        py,
                        &format!("{} {}", a.to_cow()?, sub.to_cow()?),
                    )),
                    _ => Some(a),
                },
            },
        }),
        None => None,
    };
    match answer {
        Some(Some(s)) => Ok(s.into_any().unbind()),
        Some(None) => Ok(py.None()),
        None => Ok(slf.call_method0(python_impl)?.unbind()),
    }
}

/// What `as_marc` needs of a record nobody has edited: its bytes as read
/// and its leader text. Plain Rust data, so it can be encoded with the GIL
/// released.
pub(crate) struct UntouchedRecord {
    lazy: Arc<LazyRecord>,
    leader: [u8; LEADER_LEN],
}

impl UntouchedRecord {
    /// The record's transmission-format bytes, exactly as `as_marc` gives.
    pub(crate) fn encode(&self) -> Vec<u8> {
        reencode_layout(&self.lazy.bytes, &self.lazy.layout, &self.leader)
    }

    /// Appends [`Self::encode`]'s bytes to `out`.
    pub(crate) fn encode_into(&self, out: &mut Vec<u8>) {
        reencode_layout_into(out, &self.lazy.bytes, &self.lazy.layout, &self.leader);
    }

    /// About how long [`Self::encode`]'s bytes are (exactly, for most
    /// records).
    pub(crate) fn size_hint(&self) -> usize {
        self.lazy.bytes.len()
    }
}

/// The record as an [`UntouchedRecord`] when `as_marc` would re-encode it
/// straight from the bytes it was read from (its fields and leader were
/// never built, and its text is UTF-8 that re-encodes to itself); `None`
/// when only the field-by-field encoder can tell. As `as_marc` does, it
/// marks the leader as Unicode when the record was decoded to `str`.
pub(crate) fn untouched_snapshot(slf: &Bound<'_, RecordBase>) -> PyResult<Option<UntouchedRecord>> {
    let py = slf.py();
    let to_unicode = truthy(slf.borrow().to_unicode.bind(py))?;
    let mut b = slf.borrow_mut();
    let force = truthy(b.force_utf8.bind(py))?;
    let (None, None, Some(lazy)) = (&b.fields, &b.leader, b.lazy.clone()) else {
        return Ok(None);
    };
    let Some(raw) = b.raw_leader.as_mut() else {
        return Ok(None);
    };
    if to_unicode {
        raw[9] = b'a';
    }
    let leader = *raw;
    // With 'replace' or 'ignore', invalid bytes decode to other text, so
    // only fields of clean UTF-8 re-encode to themselves (a record valid as
    // a whole may still have a field that starts or ends inside a
    // character).
    let clean = lazy.handling == Utf8Handling::Strict
        || pymrrc_core::decode::fields_are_utf8(&lazy.bytes, &lazy.layout);
    if (leader[9] == b'a' || force) && clean {
        Ok(Some(UntouchedRecord { lazy, leader }))
    } else {
        Ok(None)
    }
}
