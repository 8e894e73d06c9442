//! `FieldBase`'s data: the attributes pymarc's `Field` keeps in its slots,
//! or, for a data field read from a record's bytes, its place there
//! ([`LazyField`]) until its `Subfield`/`Indicators` objects are needed;
//! building those, and making `Field` objects with their values. The
//! Python-facing methods are in [`crate::field`].

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

/// Makes instances of a `Field` class holding given values, as the
/// base's `tp_new` makes them but with no Python-level call (no
/// `__init__`).
pub(crate) struct FieldMaker<'py> {
    cls: Bound<'py, PyType>,
    /// `cls` is a `FieldBase` whose `tp_new` is the base's.
    direct: bool,
}

impl<'py> FieldMaker<'py> {
    /// A maker of `cls` instances (`cls` is `Field` where the reader makes
    /// them).
    pub(crate) fn new(cls: &Bound<'py, PyType>) -> PyResult<Self> {
        let py = cls.py();
        let base = py.get_type::<FieldBase>();
        #[allow(unsafe_code)]
        // SAFETY: both pointers are live type objects; only their `tp_new`
        // slots are read.
        let same_new = unsafe {
            let slot = |tp: *mut pyo3::ffi::PyTypeObject| (*tp).tp_new.map(|f| f as usize);
            slot(cls.as_type_ptr()) == slot(base.as_type_ptr())
        };
        Ok(Self {
            cls: cls.clone(),
            direct: same_new && cls.is_subclass(&base)?,
        })
    }

    /// A new instance holding `values`.
    pub(crate) fn make(&self, values: FieldBase) -> PyResult<Bound<'py, PyAny>> {
        let py = self.cls.py();
        if !self.direct {
            // A `__new__` of its own (or not a `FieldBase` at all): make
            // the object as `cls()` would, then fill it.
            let obj = new_instance(py, &self.cls)?;
            *obj.cast::<FieldBase>()?.borrow_mut() = values;
            return Ok(obj);
        }
        // Measured (docs/decisions/0032): calling the `tp_new` slot went
        // through PyO3's trampoline, `*args`/`**kwargs` extraction and a
        // hand-over of the values through a thread-local, about a fifth of
        // making a field. PyO3's own `tp_new` body (what the slot runs
        // once the arguments are extracted) makes the object directly.
        #[allow(unsafe_code)]
        // SAFETY: `cls` is `FieldBase` or a subclass of it (`direct`),
        // which is what `tp_new_impl` requires; it returns a new reference.
        unsafe {
            let ptr = pyo3::impl_::pymethods::tp_new_impl(
                py,
                pyo3::PyClassInitializer::from(values),
                self.cls.as_type_ptr(),
            )?;
            Ok(Bound::from_owned_ptr(py, ptr))
        }
    }
}

/// Changes a field whose objects are built first (the other one must not
/// be lost with the bytes).
pub(crate) fn edit_built(
    slf: &Bound<'_, FieldBase>,
    edit: impl FnOnce(&mut FieldBase),
) -> PyResult<()> {
    drop(built(slf)?);
    edit(&mut slf.borrow_mut());
    Ok(())
}

/// `answer(field, lazy)` while the field was read lazily, its class is
/// exactly `Field` (a subclass's Python overrides must see the objects)
/// and it is still a data field; `None` otherwise. `answer` runs with the
/// field borrowed, so it must run no Python code: making strings is fine,
/// making a list is not (it may start a collection, and so finalizers).
pub(crate) fn with_lazy<R>(
    slf: &Bound<'_, FieldBase>,
    answer: impl FnOnce(&FieldBase, &LazyField) -> Option<R>,
) -> PyResult<Option<R>> {
    if !is_plain_field(slf.as_any())? {
        return Ok(None);
    }
    let py = slf.py();
    let control = {
        let b = slf.borrow();
        if b.lazy.is_none() {
            return Ok(None);
        }
        // The common case, `False` as the reader made it, needs no call.
        if b.control_field.is(&*pyo3::types::PyBool::new(py, false)) {
            return Ok(b.lazy.as_ref().and_then(|lazy| answer(&b, lazy)));
        }
        b.control_field.clone_ref(py)
    };
    if truthy(control.bind(py))? {
        return Ok(None);
    }
    let b = slf.borrow();
    Ok(b.lazy.as_ref().and_then(|lazy| answer(&b, lazy)))
}

/// The `data` of a field whose `control_field` is exactly `True` (as the
/// reader and `Field.__init__` make control fields), read with one
/// borrow; `None` otherwise.
pub(crate) fn data_if_control(slf: &Bound<'_, FieldBase>) -> Option<Py<PyAny>> {
    let py = slf.py();
    let b = slf.borrow();
    b.control_field
        .is(&*pyo3::types::PyBool::new(py, true))
        .then(|| b.data.clone_ref(py))
}

/// What pymarc's `self.data or ""` gives.
pub(crate) fn data_or_empty(py: Python<'_>, data: Py<PyAny>) -> PyResult<Py<PyAny>> {
    if truthy(data.bind(py))? {
        return Ok(data);
    }
    Ok(pyo3::types::PyString::new(py, "").into_any().unbind())
}

/// The field's bytes while [`with_lazy`] would answer from them.
pub(crate) fn lazy_of(slf: &Bound<'_, FieldBase>) -> PyResult<Option<LazyField>> {
    with_lazy(slf, |_, lazy| Some(lazy.clone()))
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
