//! `RecordBase`'s data and the moves between its storage states
//! ([`crate::storage`]): building the `fields` list and the `Leader` on
//! first use, and handing out single `Field` objects of a record read from
//! MARC without building the others. The Python-facing methods are in
//! [`crate::record`].

use std::sync::Arc;

use pyo3::exceptions::PyAttributeError;
use pyo3::prelude::*;
use pyo3::types::PyType;
use pyo3::{PyClassInitializer, PyTypeInfo};

use crate::field::FieldMaker;
use crate::materialize::{build_field, build_fields, LazyRecord};
use crate::pytypes::{new_instance, types};
use crate::storage::{Fields, HandedOut, Leader, Storage};
use crate::xml_fields::{build_xml_fields, XmlLazy};
use pymrrc_core::consts::LEADER_LEN;

/// Native storage for a MARC record.
#[pyclass(subclass, module = "pymrrc._core", name = "RecordBase")]
pub struct RecordBase {
    /// The fields and the leader (see [`crate::storage`]).
    pub(crate) storage: Storage,
    /// pymarc's public `pos` attribute.
    #[pyo3(get, set)]
    pub(crate) pos: Py<PyAny>,
    /// Whether text is treated as UTF-8 whatever the leader says.
    #[pyo3(get, set)]
    pub(crate) force_utf8: Py<PyAny>,
    /// Whether text was decoded to `str`.
    #[pyo3(get, set)]
    pub(crate) to_unicode: Py<PyAny>,
    pub(crate) iter_pos: usize,
}

impl RecordBase {
    /// An empty record with pymarc's attribute defaults.
    pub(crate) fn empty(py: Python<'_>) -> Self {
        Self {
            storage: Storage::unset(),
            pos: 0i32
                .into_pyobject(py)
                .map(|v| v.into_any().unbind())
                .unwrap_or_else(|_| py.None()),
            force_utf8: crate::pytypes::py_bool(py, false),
            to_unicode: crate::pytypes::py_bool(py, true),
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
        self.storage = Storage::read_from_marc(lazy);
        self.to_unicode = to_unicode;
        self.force_utf8 = force_utf8;
    }

    /// A new instance of `cls` (`Record`) holding the lazy record a reader
    /// read, with the reader's option values: what `new_instance` followed
    /// by [`RecordBase::fill_from_reader`] gives. The reader makes one per
    /// record with the GIL held; where `cls` makes its instances with this
    /// class's own `tp_new` (as `Record` does), the object is made in one
    /// step by the function that `tp_new` runs once its arguments are
    /// parsed, without parsing empty arguments and setting defaults that
    /// are replaced at once (docs/decisions/0038).
    pub(crate) fn new_read<'py>(
        cls: &Bound<'py, PyType>,
        lazy: LazyRecord,
        to_unicode: Py<PyAny>,
        force_utf8: Py<PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = cls.py();
        let base = Self::type_object_raw(py);
        #[allow(unsafe_code)]
        // SAFETY: both pointers are live type objects; only their `tp_new`
        // slots and MROs are read (`PyType_IsSubtype` runs no
        // `__subclasscheck__`: it asks about the instance layout).
        let direct = unsafe {
            let slot = |tp: *mut pyo3::ffi::PyTypeObject| (*tp).tp_new.map(|f| f as usize);
            slot(cls.as_type_ptr()) == slot(base)
                && pyo3::ffi::PyType_IsSubtype(cls.as_type_ptr(), base) != 0
        };
        if !direct {
            // A `__new__` of its own: made as `cls()` would make it.
            let record = new_instance(py, cls)?;
            record
                .cast::<Self>()?
                .borrow_mut()
                .fill_from_reader(lazy, to_unicode, force_utf8);
            return Ok(record);
        }
        let record = Self {
            storage: Storage::read_from_marc(lazy),
            pos: 0i32.into_pyobject(py)?.into_any().unbind(),
            force_utf8,
            to_unicode,
            iter_pos: 0,
        };
        #[allow(unsafe_code)]
        // SAFETY: `cls` is `RecordBase` or a subclass of it (`direct`),
        // which is what `tp_new_impl` requires: it is what PyO3's `tp_new`
        // runs with the value `#[new]` returned, allocating with `cls`'s
        // `tp_alloc`. It returns a new reference or an error.
        unsafe {
            let init = PyClassInitializer::from(record);
            let ptr = pyo3::impl_::pymethods::tp_new_impl(py, init, cls.as_type_ptr())?;
            Ok(Bound::from_owned_ptr(py, ptr))
        }
    }

    /// Makes a freshly created record one read from MARCXML: its fields
    /// (built on first use), and its leader either as ASCII text (built
    /// lazily) or as a ready `Leader` object.
    pub(crate) fn fill_from_xml(
        &mut self,
        xml: XmlLazy,
        raw_leader: Option<[u8; LEADER_LEN]>,
        leader: Option<Py<PyAny>>,
    ) {
        self.storage = Storage::read_from_xml(xml, raw_leader, leader);
    }
}

/// The record's storage for the serialisers, with its fields built first
/// unless they are the untouched bytes of a record read from MARC (the
/// serialisers read built fields or those bytes).
pub(crate) fn built_storage(slf: &Bound<'_, RecordBase>) -> PyResult<Storage> {
    if matches!(
        slf.borrow().storage.fields,
        Fields::Xml(_) | Fields::Handed(_)
    ) {
        fields_of(slf)?;
    }
    Ok(slf.borrow().storage.snapshot(slf.py()))
}

/// How many `Field` objects were handed out of a [`HandedOut`].
fn handed_count(handed: &HandedOut) -> usize {
    handed.objects.iter().filter(|o| o.is_some()).count()
}

/// What the fields list is built from.
enum Source {
    Marc(Arc<LazyRecord>, Vec<Option<Py<PyAny>>>),
    Xml(Arc<XmlLazy>),
}

/// The record's field list, built from its bytes on first use (holding
/// the `Field` objects handed out before, at their places).
pub(crate) fn fields_of<'py>(slf: &Bound<'py, RecordBase>) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    loop {
        let (source, count) = match &slf.borrow().storage.fields {
            Fields::Objects(f) => return Ok(f.bind(py).clone()),
            Fields::Unset => return Err(PyAttributeError::new_err("fields")),
            Fields::Marc(lazy) => (Source::Marc(Arc::clone(lazy), Vec::new()), 0),
            Fields::Handed(h) => {
                let objects = h
                    .objects
                    .iter()
                    .map(|o| o.as_ref().map(|o| o.clone_ref(py)));
                (
                    Source::Marc(Arc::clone(&h.lazy), objects.collect()),
                    handed_count(h),
                )
            }
            Fields::Xml(xml) => (Source::Xml(Arc::clone(xml)), 0),
        };
        // Built with no borrow held: making Python objects can run other
        // threads, which may look at this record meanwhile.
        let list = match &source {
            Source::Marc(lazy, handed) => build_fields(py, lazy, handed)?.into_any(),
            Source::Xml(xml) => build_xml_fields(py, xml)?.into_any(),
        };
        let mut b = slf.borrow_mut();
        let unchanged = match (&b.storage.fields, &source) {
            (Fields::Marc(now), Source::Marc(lazy, _)) => Arc::ptr_eq(now, lazy),
            (Fields::Handed(now), Source::Marc(lazy, _)) => {
                Arc::ptr_eq(&now.lazy, lazy) && handed_count(now) == count
            }
            (Fields::Xml(now), Source::Xml(xml)) => Arc::ptr_eq(now, xml),
            // Another thread built or assigned the list; everyone must see
            // one list.
            _ => false,
        };
        if unchanged {
            b.storage.fields = Fields::Objects(list.clone().unbind());
            return Ok(list);
        }
        // Another thread handed out a field, or changed the state, while
        // the list was built: start again from what is there now.
    }
}

/// The `Field` objects at `indices` of a record read from MARC whose list
/// is not built, made once each and kept (so they are the same objects on
/// every lookup and in the list once built); `None` when the record's
/// fields are not such bytes (the caller goes through `record.fields`).
pub(crate) fn hand_out<'py>(
    slf: &Bound<'py, RecordBase>,
    indices: &[usize],
) -> PyResult<Option<Vec<Bound<'py, PyAny>>>> {
    let py = slf.py();
    loop {
        let (lazy, missing): (Arc<LazyRecord>, Vec<usize>) = match &slf.borrow().storage.fields {
            Fields::Marc(lazy) => (Arc::clone(lazy), indices.to_vec()),
            Fields::Handed(h) => (
                Arc::clone(&h.lazy),
                indices
                    .iter()
                    .copied()
                    .filter(|&i| h.objects.get(i).is_some_and(Option::is_none))
                    .collect(),
            ),
            _ => return Ok(None),
        };
        if missing.is_empty() {
            // Nothing to make, and nothing changed (a lookup that found
            // nothing leaves an untouched record untouched).
            return Ok(Some(handed_objects(slf, indices)));
        }
        // Made with no borrow held (see `fields_of`).
        let maker = FieldMaker::new(types(py)?.field.bind(py))?;
        let mut made = Vec::with_capacity(missing.len());
        for &i in &missing {
            made.push((i, build_field(py, &maker, &lazy, i)?.unbind()));
        }
        let mut b = slf.borrow_mut();
        let first = match &b.storage.fields {
            Fields::Marc(now) if Arc::ptr_eq(now, &lazy) => true,
            Fields::Handed(h) if Arc::ptr_eq(&h.lazy, &lazy) => false,
            // The list was built or assigned meanwhile: look again.
            _ => continue,
        };
        if first {
            let objects = (0..lazy.layout.fields.len()).map(|_| None).collect();
            b.storage.fields = Fields::Handed(HandedOut { lazy, objects });
        }
        let Fields::Handed(handed) = &mut b.storage.fields else {
            continue;
        };
        for (i, obj) in made {
            if let Some(slot @ None) = handed.objects.get_mut(i) {
                *slot = Some(obj);
            }
            // else another thread handed this one out first; it wins and
            // `obj` is dropped (no Python code runs for a fresh `Field`).
        }
        drop(b);
        return Ok(Some(handed_objects(slf, indices)));
    }
}

/// The handed-out objects at `indices` (all handed out already).
fn handed_objects<'py>(slf: &Bound<'py, RecordBase>, indices: &[usize]) -> Vec<Bound<'py, PyAny>> {
    let py = slf.py();
    let b = slf.borrow();
    let Fields::Handed(handed) = &b.storage.fields else {
        return Vec::new();
    };
    indices
        .iter()
        .filter_map(|&i| handed.objects.get(i).and_then(Option::as_ref))
        .map(|o| o.bind(py).clone())
        .collect()
}

/// The record's leader object, built from its bytes on first use.
pub(crate) fn leader_of<'py>(slf: &Bound<'py, RecordBase>) -> PyResult<Bound<'py, PyAny>> {
    let py = slf.py();
    let raw = match &slf.borrow().storage.leader {
        Leader::Object(l) => return Ok(l.bind(py).clone()),
        Leader::Unset => return Err(PyAttributeError::new_err("leader")),
        Leader::Text(raw) => *raw,
    };
    let text: String = raw.iter().map(|&b| char::from(b)).collect();
    let leader = types(py)?.leader.bind(py).call1((text,))?;
    let mut b = slf.borrow_mut();
    if let Leader::Object(l) = &b.storage.leader {
        return Ok(l.bind(py).clone());
    }
    b.storage.leader = Leader::Object(leader.clone().unbind());
    Ok(leader)
}
