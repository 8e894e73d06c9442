//! The Python classes and helpers that Rust needs, imported on first use and
//! cached for the life of the interpreter, plus interned strings for tags and
//! subfield codes.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};

/// Classes defined in the pure-Python part of the package.
pub(crate) struct PyTypes {
    pub field: Py<PyType>,
    pub raw_field: Py<PyType>,
    pub subfield: Py<PyType>,
    pub indicators: Py<PyType>,
    pub record: Py<PyType>,
    pub leader: Py<PyType>,
    /// `pymrrc._support`: exception construction, logging, fallbacks.
    pub support: Py<PyModule>,
}

static TYPES: PyOnceLock<PyTypes> = PyOnceLock::new();

/// The cached classes; imports the Python modules on first call.
pub(crate) fn types(py: Python<'_>) -> PyResult<&PyTypes> {
    TYPES.get_or_try_init(py, || {
        let field = py.import("pymrrc.field")?;
        let get = |m: &Bound<'_, PyModule>, name: &str| -> PyResult<Py<PyType>> {
            Ok(m.getattr(name)?.cast_into::<PyType>()?.unbind())
        };
        Ok(PyTypes {
            field: get(&field, "Field")?,
            raw_field: get(&field, "RawField")?,
            subfield: get(&field, "Subfield")?,
            indicators: get(&field, "Indicators")?,
            record: get(&py.import("pymrrc.record")?, "Record")?,
            leader: get(&py.import("pymrrc.leader")?, "Leader")?,
            support: py.import("pymrrc._support")?.unbind(),
        })
    })
}

/// Interned `str` objects for the 1,000 numeric tags and 128 ASCII codes.
struct Interned {
    numeric_tags: Vec<Py<PyString>>,
    ascii: Vec<Py<PyString>>,
}

static INTERNED: PyOnceLock<Interned> = PyOnceLock::new();

fn interned(py: Python<'_>) -> &Interned {
    INTERNED.get_or_init(py, || Interned {
        numeric_tags: (0..1000)
            .map(|n| PyString::intern(py, &format!("{n:03}")).unbind())
            .collect(),
        ascii: (0u8..128)
            .map(|b| PyString::intern(py, &char::from(b).to_string()).unbind())
            .collect(),
    })
}

/// The `str` for a directory tag (three ASCII bytes).
pub(crate) fn tag_str<'py>(py: Python<'py>, tag: [u8; 3]) -> Bound<'py, PyString> {
    if tag.iter().all(u8::is_ascii_digit) {
        let n = tag
            .iter()
            .fold(0usize, |acc, d| acc * 10 + usize::from(d - b'0'));
        return interned(py).numeric_tags[n].bind(py).clone();
    }
    // Tags come from the ASCII-checked directory; non-UTF-8 cannot occur,
    // but stay total: fall back to Latin-1 reading.
    let text: String = tag.iter().map(|&b| char::from(b)).collect();
    PyString::intern(py, &text)
}

/// The one-character `str` for an ASCII byte.
pub(crate) fn ascii_char(py: Python<'_>, byte: u8) -> Bound<'_, PyString> {
    match interned(py).ascii.get(usize::from(byte)) {
        Some(s) => s.bind(py).clone(),
        None => PyString::new(py, &char::from(byte).to_string()),
    }
}

/// An `Indicators(first, second)` tuple for two ASCII bytes. Tuples are
/// immutable, so equal pairs share one object.
pub(crate) fn indicators<'py>(
    py: Python<'py>,
    first: u8,
    second: u8,
) -> PyResult<Bound<'py, PyAny>> {
    static CACHE: PyOnceLock<Vec<PyOnceLock<Py<PyAny>>>> = PyOnceLock::new();
    let cache = CACHE.get_or_init(py, || (0..128 * 128).map(|_| PyOnceLock::new()).collect());
    let slot = cache.get(usize::from(first) * 128 + usize::from(second));
    let make = || -> PyResult<Py<PyAny>> {
        let t = types(py)?;
        Ok(new_pair(
            py,
            t.indicators.bind(py),
            ascii_char(py, first).into_any(),
            ascii_char(py, second).into_any(),
        )?
        .unbind())
    };
    match slot {
        Some(cell) => Ok(cell.get_or_try_init(py, make)?.bind(py).clone()),
        None => Ok(make()?.into_bound(py)),
    }
}

/// A two-item instance of a tuple subclass (a NamedTuple such as `Subfield`)
/// built without running the class's Python-level `__new__`.
pub(crate) fn new_pair<'py>(
    py: Python<'py>,
    cls: &Bound<'py, PyType>,
    first: Bound<'py, PyAny>,
    second: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    // Measured: calling a NamedTuple class costs about 4x this path, and
    // records hold tens of subfields each.
    #[allow(unsafe_code)]
    // SAFETY: `cls` is a subclass of `tuple` (checked below). Its `tp_alloc`
    // returns a zeroed tuple of two NULL slots (or NULL with an exception
    // set), exactly as CPython's own `tuple_subtype_new` uses it; each slot
    // is then filled once with a new strong reference, which the tuple owns.
    unsafe {
        let tp = cls.as_type_ptr();
        if pyo3::ffi::PyType_IsSubtype(tp, std::ptr::addr_of_mut!(pyo3::ffi::PyTuple_Type)) == 0 {
            return cls.call1((first, second));
        }
        let alloc = (*tp).tp_alloc.unwrap_or(pyo3::ffi::PyType_GenericAlloc);
        let obj = alloc(tp, 2);
        let obj = Bound::from_owned_ptr_or_err(py, obj)?;
        pyo3::ffi::PyTuple_SET_ITEM(obj.as_ptr(), 0, first.into_ptr());
        pyo3::ffi::PyTuple_SET_ITEM(obj.as_ptr(), 1, second.into_ptr());
        Ok(obj)
    }
}

/// A new instance of `cls` (a Python subclass of a native base) made by the
/// base's `tp_new` alone, without running any Python `__init__`.
pub(crate) fn new_instance<'py>(
    py: Python<'py>,
    cls: &Bound<'py, PyType>,
) -> PyResult<Bound<'py, PyAny>> {
    let empty = PyTuple::empty(py);
    #[allow(unsafe_code)]
    // SAFETY: `tp_new` is the slot CPython itself calls for `cls(...)`; it
    // receives a valid type, a valid (empty) args tuple and NULL kwargs, and
    // returns a new reference or NULL with an exception set.
    unsafe {
        let tp = cls.as_type_ptr();
        match (*tp).tp_new {
            Some(new) => {
                Bound::from_owned_ptr_or_err(py, new(tp, empty.as_ptr(), std::ptr::null_mut()))
            }
            None => cls.call0(),
        }
    }
}

/// What `MARCReader` looks up to build records as pymarc's reader does:
/// the `Record` that `pymrrc.reader` names at each record, and whether a
/// record class may be decoded natively. Separate from [`PyTypes`] because
/// `pymrrc.reader` is imported after the modules that class list needs.
pub(crate) struct ReaderHooks {
    /// `pymrrc.reader`'s globals.
    pub reader_globals: Py<PyDict>,
    /// `pymrrc.record._decodes_natively`.
    pub decodes_natively: Py<PyAny>,
}

static READER_HOOKS: PyOnceLock<ReaderHooks> = PyOnceLock::new();

/// The cached [`ReaderHooks`]; imports `pymrrc.reader` on first call.
pub(crate) fn reader_hooks(py: Python<'_>) -> PyResult<&ReaderHooks> {
    READER_HOOKS.get_or_try_init(py, || {
        Ok(ReaderHooks {
            reader_globals: py.import("pymrrc.reader")?.dict().unbind(),
            decodes_natively: py
                .import("pymrrc.record")?
                .getattr("_decodes_natively")?
                .unbind(),
        })
    })
}

/// `True` or `False` as an owned object.
pub(crate) fn py_bool(py: Python<'_>, value: bool) -> Py<PyAny> {
    pyo3::types::PyBool::new(py, value)
        .to_owned()
        .into_any()
        .unbind()
}
