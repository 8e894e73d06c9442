//! `FieldBase`'s data: the attributes pymarc's `Field` keeps in its slots,
//! or, for a data field read from a record's bytes, its place there
//! ([`LazyField`]) until its `Subfield`/`Indicators` objects are needed;
//! building those, and making `Field` objects with their values. The
//! Python-facing methods are in [`crate::field`].

use std::cell::RefCell;

use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::encode::FieldParts;
use crate::field_lazy::LazyField;
use crate::plain_field::is_plain_field;
use crate::pytypes::new_instance;
use crate::text::truthy;

/// Native storage and methods for MARC fields.
#[pyclass(subclass, module = "pymrrc._core")]
pub struct FieldBase {
    /// The field tag.
    #[pyo3(get)]
    pub tag: Py<PyAny>,
    /// Control-field data (`None` for data fields).
    #[pyo3(get)]
    pub data: Py<PyAny>,
    /// The `Indicators` tuple (`None` for control fields); read through
    /// [`built`] while `lazy` is set.
    pub indicators: Py<PyAny>,
    /// The list of `Subfield` tuples; read through [`built`] while `lazy`
    /// is set.
    pub subfields: Py<PyAny>,
    /// Whether this is a control field.
    #[pyo3(get)]
    pub control_field: Py<PyAny>,
    /// A data field read from a record's bytes whose `indicators` and
    /// `subfields` are not built yet.
    pub(crate) lazy: Option<LazyField>,
}

/// `slf` with its `indicators` and `subfields` objects built (once, from the
/// bytes, if it was read lazily): what anything that reads them natively
/// borrows.
pub(crate) fn built<'py>(slf: &Bound<'py, FieldBase>) -> PyResult<PyRef<'py, FieldBase>> {
    let py = slf.py();
    let lazy = match &slf.borrow().lazy {
        None => return Ok(slf.borrow()),
        Some(lazy) => lazy.clone(),
    };
    // Built with no borrow held, as a record's fields are.
    let (indicators, subfields) = lazy.build(py)?;
    {
        let mut b = slf.borrow_mut();
        if b.lazy.is_some() {
            b.indicators = indicators;
            b.subfields = subfields;
            b.lazy = None;
        }
    }
    crate::gc_untrack::track(slf.as_any());
    Ok(slf.borrow())
}

thread_local! {
    /// The values of the `Field` [`new_field`] is making: its call of the
    /// base's `tp_new` takes them, so the object is made once with them.
    static PENDING: RefCell<Option<FieldBase>> = const { RefCell::new(None) };
}

/// A new instance of `cls` (`Field`) holding `values`, made by the base's
/// `tp_new` alone (no Python `__init__`).
pub(crate) fn new_field<'py>(
    py: Python<'py>,
    cls: &Bound<'py, PyType>,
    values: FieldBase,
) -> PyResult<Bound<'py, PyAny>> {
    // Measured: about a fifth of building a field went to making the
    // default values (an empty list among them) only to replace them.
    // `tp_new` runs no Python code before `py_new` takes the values, unless
    // `cls` has a `__new__` of its own: then fill the object afterwards.
    let own_new = {
        let base = py.get_type::<FieldBase>();
        #[allow(unsafe_code)]
        // SAFETY: both pointers are live type objects; only their `tp_new`
        // slots are read.
        unsafe {
            let slot = |tp: *mut pyo3::ffi::PyTypeObject| (*tp).tp_new.map(|f| f as usize);
            slot(cls.as_type_ptr()) == slot(base.as_type_ptr())
        }
    };
    if !own_new {
        let obj = new_instance(py, cls)?;
        *obj.cast::<FieldBase>()?.borrow_mut() = values;
        return Ok(obj);
    }
    PENDING.with(|p| p.replace(Some(values)));
    let made = new_instance(py, cls);
    let left = PENDING.with(RefCell::take);
    let obj = made?;
    if let Some(values) = left {
        *obj.cast::<FieldBase>()?.borrow_mut() = values;
    }
    Ok(obj)
}

/// Changes a field whose objects are built first (the other one must not
/// be lost with the bytes).
pub(crate) fn edit_built(slf: &Bound<'_, FieldBase>, edit: impl FnOnce(&mut FieldBase)) -> PyResult<()> {
    drop(built(slf)?);
    edit(&mut slf.borrow_mut());
    Ok(())
}

/// The field's bytes while it was read lazily, its class is exactly
/// `Field` (a subclass's Python overrides must see the objects) and it is
/// still a data field.
pub(crate) fn lazy_of(slf: &Bound<'_, FieldBase>) -> PyResult<Option<LazyField>> {
    if !is_plain_field(slf.as_any())? {
        return Ok(None);
    }
    let py = slf.py();
    let (lazy, control) = {
        let b = slf.borrow();
        let Some(lazy) = &b.lazy else {
            return Ok(None);
        };
        // The common case, `False` as the reader made it, needs no call.
        if b.control_field.is(&*pyo3::types::PyBool::new(py, false)) {
            return Ok(Some(lazy.clone()));
        }
        (lazy.clone(), b.control_field.clone_ref(py))
    };
    Ok((!truthy(control.bind(py))?).then_some(lazy))
}

impl FieldBase {
    /// A data field read from a record's bytes, tagged `tag`.
    pub(crate) fn lazy_data_field(py: Python<'_>, tag: Py<PyAny>, lazy: LazyField) -> Self {
        let mut field = Self::with_values(
            tag,
            py.None(),
            py.None(),
            py.None(),
            crate::pytypes::py_bool(py, false),
        );
        field.lazy = Some(lazy);
        field
    }

    /// The values encoding reads (of a field borrowed through [`built`]).
    pub(crate) fn parts(&self, py: Python<'_>) -> FieldParts {
        FieldParts {
            data: self.data.clone_ref(py),
            indicators: self.indicators.clone_ref(py),
            subfields: self.subfields.clone_ref(py),
            control_field: self.control_field.clone_ref(py),
        }
    }

    /// Storage for a field with the given attribute values.
    pub(crate) fn with_values(
        tag: Py<PyAny>,
        data: Py<PyAny>,
        indicators: Py<PyAny>,
        subfields: Py<PyAny>,
        control_field: Py<PyAny>,
    ) -> Self {
        Self {
            tag,
            data,
            indicators,
            subfields,
            control_field,
            lazy: None,
        }
    }
}

/// Whether the field's `control_field` attribute is true.
pub(crate) fn is_control(slf: &Bound<'_, FieldBase>) -> PyResult<bool> {
    let py = slf.py();
    let flag = slf.borrow().control_field.clone_ref(py);
    truthy(flag.bind(py))
}


/// The values [`new_field`] left for the `tp_new` it called, if any.
pub(crate) fn take_pending() -> Option<FieldBase> {
    PENDING.with(RefCell::take)
}
