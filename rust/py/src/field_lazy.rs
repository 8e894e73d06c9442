//! A data field built from a record's bytes (or from a record read from
//! MARCXML) keeps its place in that record ([`LazyField`]) until something
//! needs its `Subfield` and `Indicators` objects: `value()`, `get()`,
//! `field[code]`, `code in field`, `get_subfields()`, `format_field()` and
//! `str(field)` answer from the record, building only the strings they
//! return. Reading `subfields` or `indicators`, or any change, builds the
//! ordinary objects once (exactly those the reader used to build), and the
//! field forgets the record.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

use crate::lazy_record::{ascii_joined, decoded_text, joined_text, LazyRecord};
use crate::pytypes::{ascii_char, indicators, new_pair, types};
use crate::xml_lazy::XmlLazy;
use pymrrc_core::decode::DataFieldParts;
use pymrrc_core::text::{decode_utf8, is_py_space, py_strip, Utf8Handling};

/// The record a lazy field lies in.
#[derive(Clone)]
enum Source {
    /// A record read from MARC: the field's bytes.
    Marc(Arc<LazyRecord>),
    /// A record read from MARCXML: the field's parsed text, whose
    /// subfield codes and indicators are each one ASCII character
    /// (`xml_fields::is_lazy_candidate`).
    Xml(Arc<XmlLazy>),
    /// None: a control field, whose empty `subfields` list (and `None`
    /// indicators) are built on first use.
    Control,
}

/// Where a data field's data are: its record and its index there.
#[derive(Clone)]
pub(crate) struct LazyField {
    source: Source,
    index: usize,
}

/// The `(code, value bytes)` of a lazy field's subfields, in order.
enum Parts<'a> {
    Marc(&'a [u8], DataFieldParts<'a>),
    Xml(std::slice::Iter<'a, (String, String)>),
}

impl<'a> Iterator for Parts<'a> {
    type Item = (u8, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::Marc(bytes, parts) => parts.next().map(|span| marc_pair(bytes, span)),
            Self::Xml(iter) => xml_pair(iter.next()?),
        }
    }

    // Measured (docs/decisions/0032): one dispatch for a whole walk, not
    // one per subfield.
    fn fold<B, F>(self, init: B, f: F) -> B
    where
        F: FnMut(B, Self::Item) -> B,
    {
        match self {
            Self::Marc(bytes, parts) => parts.map(|span| marc_pair(bytes, span)).fold(init, f),
            Self::Xml(iter) => iter.map_while(xml_pair).fold(init, f),
        }
    }
}

/// A subfield's code and value at `(start, end)` of a field's bytes.
fn marc_pair(bytes: &[u8], (start, end): (usize, usize)) -> (u8, &[u8]) {
    (bytes[start], &bytes[start + 1..end])
}

/// A subfield of a field read from MARCXML as code byte and value bytes
/// (`None`, which ends the walk, for an empty code).
fn xml_pair((code, value): &(String, String)) -> Option<(u8, &[u8])> {
    Some((code.as_bytes().first().copied()?, value.as_bytes()))
}

impl LazyField {
    pub(crate) fn new(record: Arc<LazyRecord>, index: usize) -> Self {
        Self {
            source: Source::Marc(record),
            index,
        }
    }

    /// Field `index` of a record read from MARCXML.
    pub(crate) fn xml(record: Arc<XmlLazy>, index: usize) -> Self {
        Self {
            source: Source::Xml(record),
            index,
        }
    }

    /// A control field's empty subfields, not built yet.
    pub(crate) fn control() -> Self {
        Self {
            source: Source::Control,
            index: 0,
        }
    }

    /// The field's bytes (without its terminator) when read from MARC.
    fn bytes(&self) -> &[u8] {
        let Source::Marc(record) = &self.source else {
            return &[];
        };
        record
            .layout
            .fields
            .get(self.index)
            .and_then(|span| record.bytes.get(span.start..span.end))
            .unwrap_or_default()
    }

    /// `(code, value bytes)` of each subfield, in order.
    fn subfields(&self) -> Parts<'_> {
        match &self.source {
            Source::Marc(_) | Source::Control => {
                let bytes = self.bytes();
                Parts::Marc(bytes, DataFieldParts::new(bytes))
            }
            Source::Xml(record) => Parts::Xml(
                record
                    .field(self.index)
                    .map_or(&[][..], |f| &f.subfields[..])
                    .iter(),
            ),
        }
    }

    /// The two indicators.
    fn indicators(&self) -> [u8; 2] {
        match &self.source {
            Source::Marc(_) | Source::Control => DataFieldParts::new(self.bytes()).indicators,
            Source::Xml(record) => record
                .field(self.index)
                .map_or([b' ', b' '], crate::xml_lazy::indicator_bytes),
        }
    }

    /// How the field's text is decoded (text read from MARCXML is UTF-8).
    fn handling(&self) -> Utf8Handling {
        match &self.source {
            Source::Marc(record) => record.handling,
            Source::Xml(_) | Source::Control => Utf8Handling::Strict,
        }
    }

    /// About how many bytes the field's text takes.
    fn size_hint(&self) -> usize {
        match &self.source {
            Source::Marc(_) | Source::Control => self.bytes().len(),
            Source::Xml(_) => self.subfields().map(|(_, v)| v.len() + 2).sum(),
        }
    }

    /// A value's text, as the field's `Subfield` would hold it.
    fn text<'py>(&self, py: Python<'py>, value: &[u8]) -> Bound<'py, PyString> {
        decoded_text(py, value, self.handling())
    }

    /// The `Indicators` tuple and the list of `Subfield` tuples the reader
    /// builds for this field.
    pub(crate) fn build(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, Py<PyAny>)> {
        if let Source::Control = self.source {
            return Ok((py.None(), PyList::empty(py).into_any().unbind()));
        }
        let subfield_cls = types(py)?.subfield.bind(py);
        let [first, second] = self.indicators();
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
        if self.handling() != Utf8Handling::Strict {
            return self.value().map(|text| PyString::new(py, &text));
        }
        if let Some(text) = self.ascii_value(py) {
            return Some(text);
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

    /// `value()` when all the field's text is ASCII (the common case),
    /// written in one pass into a buffer and copied into a string made for
    /// ASCII; `None` otherwise.
    fn ascii_value<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyString>> {
        // Each value takes its delimiter and code in the bytes (or two
        // bytes of `size_hint`): room for one space before it.
        with_buffer(self.size_hint(), |out| {
            let len = self
                .subfields()
                .enumerate()
                .fold(Some(0), |len, (i, (_, value))| {
                    let mut len = len?;
                    if !value.is_ascii() {
                        return None;
                    }
                    if i > 0 {
                        *out.get_mut(len)? = b' ';
                        len += 1;
                    }
                    push(out, &mut len, trim_py_ascii(value))?;
                    Some(len)
                })?;
            ascii_joined(py, &[out.get(..len)?], b"").ok()
        })
    }

    /// `format_field()` when all its text is ASCII, written as
    /// [`Self::ascii_value`] writes `value()`; `None` otherwise.
    fn ascii_format<'py>(&self, py: Python<'py>, subject: bool) -> Option<Bound<'py, PyString>> {
        // A value's separator takes at most two bytes more than its
        // delimiter and code.
        with_buffer(2 * self.size_hint() + 4, |out| {
            let len = self.subfields().fold(Some(0), |len, (code, value)| {
                let mut len = len?;
                if code == b'6' {
                    return Some(len);
                }
                if !value.is_ascii() {
                    return None;
                }
                if subject && matches!(code, b'v' | b'x' | b'y' | b'z') {
                    push(out, &mut len, b" -- ")?;
                } else {
                    *out.get_mut(len)? = b' ';
                    len += 1;
                }
                push(out, &mut len, value)?;
                Some(len)
            })?;
            ascii_joined(py, &[trim_py_ascii(out.get(..len)?)], b"").ok()
        })
    }

    /// `format_field()` as a Python string, as [`Self::value_text`] makes
    /// it; `None` when only [`Self::format_field`] can tell.
    pub(crate) fn format_text<'py>(
        &self,
        py: Python<'py>,
        subject: bool,
    ) -> Option<Bound<'py, PyString>> {
        if self.handling() != Utf8Handling::Strict {
            return None;
        }
        if let Some(text) = self.ascii_format(py, subject) {
            return Some(text);
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
        let mut out = String::with_capacity(self.size_hint());
        for (i, (_, value)) in self.subfields().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(py_strip(&decode_utf8(value, self.handling())?));
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
        let mut out = String::with_capacity(self.size_hint() + 8);
        for (code, value) in self.subfields() {
            if code == b'6' {
                continue;
            }
            if subject && matches!(code, b'v' | b'x' | b'y' | b'z') {
                out.push_str(" -- ");
            } else {
                out.push(' ');
            }
            out.push_str(&decode_utf8(value, self.handling())?);
        }
        Some(py_strip(&out).to_owned())
    }

    /// What `str(field)` writes after `=TAG  `: the indicators (a blank or
    /// a backslash as a backslash) and `$` with each code and value.
    pub(crate) fn str_body(&self, out: &mut String) -> Option<()> {
        for ind in self.indicators() {
            match ind {
                b' ' | b'\\' => out.push('\\'),
                other => out.push(char::from(other)),
            }
        }
        for (code, value) in self.subfields() {
            out.push('$');
            out.push(char::from(code));
            out.push_str(&decode_utf8(value, self.handling())?);
        }
        Some(())
    }
}

/// Runs `build` with a buffer of `len` bytes: on the stack when it is
/// short (as most fields are: a small one costs less to clear), else on
/// the heap.
fn with_buffer<R>(len: usize, build: impl FnOnce(&mut [u8]) -> Option<R>) -> Option<R> {
    if len <= 128 {
        build(&mut [0; 128][..len])
    } else if len <= 1024 {
        build(&mut [0; 1024][..len])
    } else {
        build(&mut vec![0; len])
    }
}

/// Copies `piece` into `out` at `*len` and moves `*len` past it; `None`
/// when it does not fit.
fn push(out: &mut [u8], len: &mut usize, piece: &[u8]) -> Option<()> {
    let end = len.checked_add(piece.len())?;
    out.get_mut(*len..end)?.copy_from_slice(piece);
    *len = end;
    Some(())
}

/// ASCII `bytes` less what Python's `str.strip()` removes at either end.
fn trim_py_ascii(bytes: &[u8]) -> &[u8] {
    let space = |b: &u8| is_py_space(char::from(*b));
    let start = bytes.iter().position(|b| !space(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !space(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// UTF-8 `bytes` less the ASCII characters Python's `str.strip()` removes
/// at either end; `None` when what is left starts or ends with a
/// non-ASCII byte (a non-ASCII space may be there, which only the decoded
/// text can tell). ASCII bytes never belong to a multi-byte character, so
/// decoding the result equals stripping the decoded text.
fn strip_ascii_edges(bytes: &[u8]) -> Option<&[u8]> {
    let space = |b: &u8| b.is_ascii() && is_py_space(char::from(*b));
    let start = bytes.iter().position(|b| !space(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !space(b))
        .map_or(start, |i| i + 1);
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
