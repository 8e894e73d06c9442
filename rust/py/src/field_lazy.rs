//! A data field built from a record's bytes keeps its place in them
//! ([`LazyField`]) until something needs its `Subfield` and `Indicators`
//! objects: `value()`, `get()`, `field[code]`, `code in field`,
//! `get_subfields()`, `format_field()` and `str(field)` answer from the
//! bytes, building only the strings they return. Reading `subfields` or
//! `indicators`, or any change, builds the ordinary objects once (exactly
//! those the reader used to build), and the field forgets the bytes.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

use crate::lazy_record::{decoded_text, joined_text, LazyRecord};
use crate::pytypes::{ascii_char, indicators, new_pair, types};
use pymrrc_core::decode::DataFieldParts;
use pymrrc_core::text::{decode_utf8, is_py_space, py_strip, Utf8Handling};

/// Where a data field's bytes are: its record and its index there.
#[derive(Clone)]
pub(crate) struct LazyField {
    record: Arc<LazyRecord>,
    index: usize,
}

impl LazyField {
    pub(crate) fn new(record: Arc<LazyRecord>, index: usize) -> Self {
        Self { record, index }
    }

    /// The field's bytes, without its terminator.
    fn bytes(&self) -> &[u8] {
        self.record
            .layout
            .fields
            .get(self.index)
            .and_then(|span| self.record.bytes.get(span.start..span.end))
            .unwrap_or_default()
    }

    /// `(code, value bytes)` of each subfield, in order.
    fn subfields(&self) -> impl Iterator<Item = (u8, &[u8])> {
        let bytes = self.bytes();
        DataFieldParts::new(bytes).map(move |(start, end)| (bytes[start], &bytes[start + 1..end]))
    }

    /// A value's text, as the field's `Subfield` would hold it.
    fn text<'py>(&self, py: Python<'py>, value: &[u8]) -> Bound<'py, PyString> {
        decoded_text(py, value, self.record.handling)
    }

    /// The `Indicators` tuple and the list of `Subfield` tuples the reader
    /// builds for this field.
    pub(crate) fn build(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
        let subfield_cls = types(py)?.subfield.bind(py);
        let parts = DataFieldParts::new(self.bytes());
        let [first, second] = parts.indicators;
        let list = PyList::empty(py);
        for (code, value) in self.subfields() {
            let code = ascii_char(py, code).into_any();
            let value = self.text(py, value).into_any();
            list.append(new_pair(py, subfield_cls, code, value)?)?;
        }
        Ok((
            indicators(py, first, second)?.unbind(),
            list.into_any().unbind(),
        ))
    }

    /// `value()` as a Python string. A record decoded strictly (the
    /// reader's default) has its text joined as bytes and decoded once by
    /// CPython; `None` when some value is not valid UTF-8.
    pub(crate) fn value_text<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyString>> {
        if self.record.handling != Utf8Handling::Strict {
            return self.value().map(|text| PyString::new(py, &text));
        }
        joined_text(py, |out| {
            for (i, (_, value)) in self.subfields().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                match strip_ascii_edges(value) {
                    Some(body) => out.extend_from_slice(body),
                    None => {
                        let text = decode_utf8(value, Utf8Handling::Strict)?;
                        out.extend_from_slice(py_strip(&text).as_bytes());
                    }
                }
            }
            Some(0..out.len())
        })
    }

    /// `format_field()` as a Python string, as [`Self::value_text`] makes
    /// it; `None` when only [`Self::format_field`] can tell.
    pub(crate) fn format_text<'py>(
        &self,
        py: Python<'py>,
        subject: bool,
    ) -> Option<Bound<'py, PyString>> {
        if self.record.handling != Utf8Handling::Strict {
            return None;
        }
        joined_text(py, |out| {
            for (code, value) in self.subfields() {
                if code == b'6' {
                    continue;
                }
                if subject && matches!(code, b'v' | b'x' | b'y' | b'z') {
                    out.extend_from_slice(b" -- ");
                } else {
                    out.push(b' ');
                }
                out.extend_from_slice(value);
            }
            let body = strip_ascii_edges(out)?;
            let start = body.as_ptr() as usize - out.as_ptr() as usize;
            Some(start..start + body.len())
        })
    }

    /// `value()`: the stripped subfield values joined by spaces.
    pub(crate) fn value(&self) -> Option<String> {
        let mut out = String::with_capacity(self.bytes().len());
        for (i, (_, value)) in self.subfields().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(py_strip(&decode_utf8(value, self.record.handling)?));
        }
        Some(out)
    }

    /// The first value of subfield `code` (`None`: no match).
    pub(crate) fn first<'py>(&self, py: Python<'py>, code: Code) -> Option<Bound<'py, PyString>> {
        let Code::Byte(code) = code else {
            return None;
        };
        let (_, value) = self.subfields().find(|&(c, _)| c == code)?;
        Some(self.text(py, value))
    }

    /// The values of the subfields whose code is one of `codes`, in order.
    pub(crate) fn values_of<'py>(
        &self,
        py: Python<'py>,
        codes: &[Code],
    ) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for (code, value) in self.subfields() {
            if codes.contains(&Code::Byte(code)) {
                out.append(self.text(py, value))?;
            }
        }
        Ok(out)
    }

    /// `format_field()` of a data field; `subject`: its tag starts with 6.
    pub(crate) fn format_field(&self, subject: bool) -> Option<String> {
        let mut out = String::with_capacity(self.bytes().len() + 8);
        for (code, value) in self.subfields() {
            if code == b'6' {
                continue;
            }
            if subject && matches!(code, b'v' | b'x' | b'y' | b'z') {
                out.push_str(" -- ");
            } else {
                out.push(' ');
            }
            out.push_str(&decode_utf8(value, self.record.handling)?);
        }
        Some(py_strip(&out).to_owned())
    }

    /// What `str(field)` writes after `=TAG  `: the indicators (a blank or
    /// a backslash as a backslash) and `$` with each code and value.
    pub(crate) fn str_body(&self, out: &mut String) -> Option<()> {
        for ind in DataFieldParts::new(self.bytes()).indicators {
            match ind {
                b' ' | b'\\' => out.push('\\'),
                other => out.push(char::from(other)),
            }
        }
        for (code, value) in self.subfields() {
            out.push('$');
            out.push(char::from(code));
            out.push_str(&decode_utf8(value, self.record.handling)?);
        }
        Some(())
    }
}

/// UTF-8 `bytes` less the ASCII characters Python's `str.strip()` removes
/// at either end; `None` when what is left starts or ends with a
/// non-ASCII byte (a non-ASCII space may be there, which only the decoded
/// text can tell). ASCII bytes never belong to a multi-byte character, so
/// decoding the result equals stripping the decoded text.
fn strip_ascii_edges(bytes: &[u8]) -> Option<&[u8]> {
    let space = |b: &u8| b.is_ascii() && is_py_space(char::from(*b));
    let start = bytes.iter().position(|b| !space(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !space(b)).map_or(start, |i| i + 1);
    let body = &bytes[start..end];
    match (body.first(), body.last()) {
        (Some(first), Some(last)) if !first.is_ascii() || !last.is_ascii() => None,
        _ => Some(body),
    }
}

/// A requested subfield code, as far as comparing it with the one-letter
/// ASCII codes of a field read from bytes can tell.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
    /// An exact `str` of this one ASCII character.
    Byte(u8),
    /// An exact `str` no such code equals.
    Never,
}

impl Code {
    /// `None` when only Python's `==` can tell (not an exact `str`).
    pub(crate) fn of(obj: &Bound<'_, PyAny>) -> Option<Self> {
        let s = obj.cast_exact::<PyString>().ok()?;
        Some(match s.to_str().map(str::as_bytes) {
            Ok([b]) if b.is_ascii() => Self::Byte(*b),
            _ => Self::Never,
        })
    }

    /// Each of `codes`, or `None` when one is not an exact `str`.
    pub(crate) fn all(codes: &Bound<'_, PyTuple>) -> Option<Vec<Self>> {
        codes.iter().map(|c| Self::of(&c)).collect()
    }
}
