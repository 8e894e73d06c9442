//! Looking fields up by tag (`record[tag]`, `get`, `in`, `get_fields`) as
//! pymarc's loops over `self.fields` do, for a record of exactly `Record`.
//!
//! While a record read from MARC has no `fields` list yet, the tags are
//! read from its directory and only the matching `Field` objects are made
//! (handed out once, see [`crate::record_state::hand_out`]). Otherwise the
//! loop runs natively over the list, comparing `field.tag == tag` with
//! Python's `==` as pymarc's loop does. A subclass, or a `fields` value
//! that is not a list, gets pymarc's Python loop (the caller's `_py_*`).

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyList, PySet, PyString, PyTuple};

use crate::field::FieldBase;
use crate::record_class::is_exact_record;
use crate::record_state::{fields_of, hand_out, RecordBase};
use crate::storage::Fields;
use pymrrc_core::Layout;

/// What a lookup found.
pub(crate) enum Found<T> {
    /// The answer.
    Native(T),
    /// Only pymarc's Python loop can tell.
    Python,
}

/// A requested tag as directory bytes: `Some(Some(tag))` for an exact `str`
/// of three Latin-1 characters, `Some(None)` for an exact `str` no tag
/// read from bytes equals, `None` when only Python's `==` can tell.
fn directory_tag(obj: &Bound<'_, PyAny>) -> Option<Option<[u8; 3]>> {
    let text = obj.cast_exact::<PyString>().ok()?;
    let Ok(text) = text.to_str() else {
        return Some(None);
    };
    let mut out = [0u8; 3];
    let mut chars = text.chars();
    for slot in &mut out {
        match chars.next().map(u32::from).map(u8::try_from) {
            Some(Ok(b)) => *slot = b,
            _ => return Some(None),
        }
    }
    Some(chars.next().is_none().then_some(out))
}

/// Requested tags, each an exact `str`, with their directory bytes.
struct Wanted<'py> {
    text: Vec<Bound<'py, PyString>>,
    bytes: Vec<[u8; 3]>,
}

impl<'py> Wanted<'py> {
    /// `None` when a tag is not an exact `str` (only Python's `==` can
    /// tell).
    fn of(tags: impl Iterator<Item = Bound<'py, PyAny>>) -> Option<Self> {
        let mut wanted = Self {
            text: Vec::new(),
            bytes: Vec::new(),
        };
        for tag in tags {
            wanted.bytes.extend(directory_tag(&tag)?);
            wanted.text.push(tag.cast_into_exact::<PyString>().ok()?);
        }
        Some(wanted)
    }

    /// Whether a handed-out field's tag, an exact `str`, is one of these
    /// (comparing two exact `str` runs no Python code).
    fn has(&self, tag: &Bound<'_, PyString>) -> PyResult<bool> {
        for wanted in &self.text {
            if tag.as_any().eq(wanted)? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// The indices of the fields whose tag is one of `wanted` (at most `limit`
/// of them): directory tags, or the current tag of a field handed out
/// (it may have been changed). `None` when the record's fields are not its
/// bytes, or a handed-out field's tag is no longer an exact `str`.
fn tagged_indices(
    record: &Bound<'_, RecordBase>,
    wanted: &Wanted<'_>,
    limit: usize,
) -> PyResult<Option<Vec<usize>>> {
    let py = record.py();
    let b = record.borrow();
    let (layout, handed): (&Layout, &[Option<Py<PyAny>>]) = match &b.storage.fields {
        Fields::Marc(lazy) => (&lazy.layout, &[]),
        Fields::Handed(h) => (&h.lazy.layout, &h.objects),
        _ => return Ok(None),
    };
    let mut found = Vec::new();
    for (i, span) in layout.fields.iter().enumerate() {
        let hit = match handed.get(i) {
            Some(Some(field)) => {
                let field = field.bind(py).cast::<FieldBase>()?;
                let tag = field.borrow().tag.clone_ref(py).into_bound(py);
                match tag.cast_into_exact::<PyString>() {
                    Ok(tag) => wanted.has(&tag)?,
                    Err(_) => return Ok(None),
                }
            }
            _ => wanted.bytes.contains(&span.tag),
        };
        if hit {
            found.push(i);
            if found.len() == limit {
                break;
            }
        }
    }
    Ok(Some(found))
}

/// The first field tagged `tag` (`Native(None)`: none), as pymarc's
/// `for field in self.fields: if field.tag == tag` finds it.
pub(crate) fn first_tagged<'py>(
    record: &Bound<'py, RecordBase>,
    tag: &Bound<'py, PyAny>,
) -> PyResult<Found<Option<Bound<'py, PyAny>>>> {
    if !is_exact_record(record.as_any())? {
        return Ok(Found::Python);
    }
    if let Some(wanted) = Wanted::of(std::iter::once(tag.clone())) {
        if let Some(indices) = tagged_indices(record, &wanted, 1)? {
            if let Some(mut fields) = hand_out(record, &indices)? {
                return Ok(Found::Native(fields.pop()));
            }
        }
    }
    let fields = fields_of(record)?;
    let Ok(list) = fields.cast_exact::<PyList>() else {
        return Ok(Found::Python);
    };
    let name = intern!(record.py(), "tag");
    // Indexed, as a list iterator is: the list may change under `==`.
    let mut i = 0;
    while i < list.len() {
        let field = list.get_item(i)?;
        if field.getattr(name)?.eq(tag)? {
            return Ok(Found::Native(Some(field)));
        }
        i += 1;
    }
    Ok(Found::Native(None))
}

/// `get_fields(*tags)` with at least one tag: the fields whose tag equals
/// the one tag, or is in the set of several, in record order.
pub(crate) fn all_tagged<'py>(
    record: &Bound<'py, RecordBase>,
    tags: &Bound<'py, PyTuple>,
) -> PyResult<Found<Bound<'py, PyList>>> {
    let py = record.py();
    if !is_exact_record(record.as_any())? {
        return Ok(Found::Python);
    }
    if let Some(wanted) = Wanted::of(tags.iter()) {
        if let Some(indices) = tagged_indices(record, &wanted, usize::MAX)? {
            if let Some(fields) = hand_out(record, &indices)? {
                return Ok(Found::Native(PyList::new(py, fields)?));
            }
        }
    }
    // pymarc makes the set before it reads `self.fields`.
    let set = match tags.len() {
        1 => None,
        _ => Some(PySet::new(py, tags)?),
    };
    let fields = fields_of(record)?;
    let Ok(list) = fields.cast_exact::<PyList>() else {
        return Ok(Found::Python);
    };
    let name = intern!(py, "tag");
    let out = PyList::empty(py);
    if let Some(wanted) = set {
        let mut i = 0;
        while i < list.len() {
            let field = list.get_item(i)?;
            if wanted.contains(field.getattr(name)?)? {
                out.append(field)?;
            }
            i += 1;
        }
    } else {
        let wanted = tags.get_item(0)?;
        let mut i = 0;
        while i < list.len() {
            let field = list.get_item(i)?;
            if field.getattr(name)?.eq(&wanted)? {
                out.append(field)?;
            }
            i += 1;
        }
    }
    Ok(Found::Native(out))
}
