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

/// The indices of the directory entries whose tag is one of `wanted`
/// (at most `limit` of them); `None` when the record's fields are not its
/// bytes.
fn tagged_indices(
    record: &Bound<'_, RecordBase>,
    wanted: &[[u8; 3]],
    limit: usize,
) -> Option<Vec<usize>> {
    let scan = |layout: &Layout| {
        let found = layout.fields.iter().enumerate();
        found
            .filter(|(_, span)| wanted.contains(&span.tag))
            .map(|(i, _)| i)
            .take(limit)
            .collect()
    };
    match &record.borrow().storage.fields {
        Fields::Marc(lazy) => Some(scan(&lazy.layout)),
        Fields::Handed(handed) => Some(scan(&handed.lazy.layout)),
        _ => None,
    }
}

/// The directory tags of `tags` when every one is an exact `str`.
fn directory_tags<'a>(tags: impl Iterator<Item = Bound<'a, PyAny>>) -> Option<Vec<[u8; 3]>> {
    let mut out = Vec::new();
    for tag in tags {
        out.extend(directory_tag(&tag)?);
    }
    Some(out)
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
    if let Some(wanted) = directory_tags(std::iter::once(tag.clone())) {
        if let Some(indices) = tagged_indices(record, &wanted, 1) {
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
    if let Some(wanted) = directory_tags(tags.iter()) {
        if let Some(indices) = tagged_indices(record, &wanted, usize::MAX) {
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
