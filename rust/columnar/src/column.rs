//! Growable columns that become Arrow arrays: UTF-8 strings, integers and
//! list offsets, each kept as plain vectors so that a partly written record
//! can be taken back (see [`Mark`]) and a batch is finished without copying.

use std::sync::Arc;

use arrow_array::{ArrayRef, Int32Array, Int64Array, StringArray};
use arrow_buffer::{BooleanBufferBuilder, Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};

use crate::error::ColumnarError;

/// Validity bits (packed, as Arrow keeps them), materialised only once a
/// null is pushed.
#[derive(Debug, Default)]
struct Validity {
    bits: Option<BooleanBufferBuilder>,
}

impl Validity {
    fn push(&mut self, len_before: usize, valid: bool) {
        self.push_many(len_before, valid, 1);
    }

    fn push_many(&mut self, len_before: usize, valid: bool, n: usize) {
        match &mut self.bits {
            Some(bits) => bits.append_n(n, valid),
            None if valid => {}
            None => {
                let mut bits = BooleanBufferBuilder::new((len_before + n).max(1024));
                bits.append_n(len_before, true);
                bits.append_n(n, false);
                self.bits = Some(bits);
            }
        }
    }

    fn truncate(&mut self, len: usize) {
        if let Some(bits) = &mut self.bits {
            bits.truncate(len);
        }
    }

    fn finish(&mut self) -> Option<NullBuffer> {
        self.bits
            .take()
            .map(|mut bits| NullBuffer::new(bits.finish()))
    }
}

/// A column of nullable UTF-8 strings.
#[derive(Debug)]
pub(crate) struct StrColumn {
    offsets: Vec<i32>,
    data: Vec<u8>,
    validity: Validity,
    overflow: bool,
}

/// A vector for the next batch, sized like the last one (plus an eighth):
/// growing from empty costs copies and fresh pages the kernel must zero,
/// a fifth of the whole conversion's time when measured.
fn like<T>(last: usize) -> Vec<T> {
    Vec::with_capacity(last + last / 8)
}

impl Default for StrColumn {
    fn default() -> Self {
        Self {
            offsets: vec![0],
            data: Vec::new(),
            validity: Validity::default(),
            overflow: false,
        }
    }
}

impl StrColumn {
    pub(crate) fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Bytes of string data held.
    pub(crate) fn data_len(&self) -> usize {
        self.data.len()
    }

    pub(crate) fn push(&mut self, value: &str) {
        self.validity.push(self.len(), true);
        self.data.extend_from_slice(value.as_bytes());
        self.push_end();
    }

    pub(crate) fn push_null(&mut self) {
        self.validity.push(self.len(), false);
        self.push_end();
    }

    pub(crate) fn push_opt(&mut self, value: Option<&str>) {
        match value {
            Some(v) => self.push(v),
            None => self.push_null(),
        }
    }

    fn push_end(&mut self) {
        match i32::try_from(self.data.len()) {
            Ok(end) => self.offsets.push(end),
            Err(_) => {
                self.overflow = true;
                self.offsets.push(i32::MAX);
            }
        }
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        if len < self.len() {
            self.offsets.truncate(len + 1);
            let end = self.offsets[len];
            self.data.truncate(usize::try_from(end).unwrap_or(0));
            self.validity.truncate(len);
        }
    }

    pub(crate) fn finish(&mut self) -> Result<ArrayRef, ColumnarError> {
        if std::mem::take(&mut self.overflow) {
            *self = Self::default();
            return Err(ColumnarError::BatchTooLarge);
        }
        let mut next_offsets = like(self.offsets.len());
        next_offsets.push(0);
        let offsets = std::mem::replace(&mut self.offsets, next_offsets);
        let next_data = like(self.data.len());
        let data = std::mem::replace(&mut self.data, next_data);
        let nulls = self.validity.finish();
        let array = StringArray::try_new(
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            Buffer::from_vec(data),
            nulls,
        )
        .map_err(|e| ColumnarError::Arrow(e.to_string()))?;
        Ok(Arc::new(array))
    }
}

/// A column of nullable integers (`i32` or `i64`).
#[derive(Debug, Default)]
pub(crate) struct IntColumn<T> {
    values: Vec<T>,
    validity: Validity,
}

impl<T: Copy + Default> IntColumn<T> {
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    pub(crate) fn push(&mut self, value: T) {
        self.validity.push(self.values.len(), true);
        self.values.push(value);
    }

    pub(crate) fn push_opt(&mut self, value: Option<T>) {
        self.validity.push(self.values.len(), value.is_some());
        self.values.push(value.unwrap_or_default());
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        self.values.truncate(len);
        self.validity.truncate(len);
    }
}

impl IntColumn<i64> {
    pub(crate) fn finish(&mut self) -> ArrayRef {
        let next = like(self.values.len());
        let values = std::mem::replace(&mut self.values, next);
        Arc::new(Int64Array::new(
            ScalarBuffer::from(values),
            self.validity.finish(),
        ))
    }
}

impl IntColumn<i32> {
    pub(crate) fn finish(&mut self) -> ArrayRef {
        let next = like(self.values.len());
        let values = std::mem::replace(&mut self.values, next);
        Arc::new(Int32Array::new(
            ScalarBuffer::from(values),
            self.validity.finish(),
        ))
    }
}

/// The offsets of a list column: one list per row, holding the child rows
/// pushed since it was opened; a row may be null.
#[derive(Debug)]
pub(crate) struct ListOffsets {
    offsets: Vec<i32>,
    validity: Validity,
}

impl Default for ListOffsets {
    fn default() -> Self {
        Self {
            offsets: vec![0],
            validity: Validity::default(),
        }
    }
}

impl ListOffsets {
    pub(crate) fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Closes a list that ends at child row `child_len`.
    pub(crate) fn push(&mut self, child_len: usize) {
        self.validity.push(self.len(), true);
        self.offsets
            .push(i32::try_from(child_len).unwrap_or(i32::MAX));
    }

    /// A null list (no child rows).
    pub(crate) fn push_null(&mut self) {
        let end = self.offsets[self.len()];
        self.validity.push(self.len(), false);
        self.offsets.push(end);
    }

    /// `n` null lists.
    pub(crate) fn push_nulls(&mut self, n: usize) {
        let end = self.offsets[self.len()];
        self.validity.push_many(self.len(), false, n);
        self.offsets.resize(self.offsets.len() + n, end);
    }

    /// The child row count after `len` lists.
    pub(crate) fn child_len_at(&self, len: usize) -> usize {
        usize::try_from(self.offsets[len.min(self.len())]).unwrap_or(0)
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        if len < self.len() {
            self.offsets.truncate(len + 1);
            self.validity.truncate(len);
        }
    }

    pub(crate) fn finish(&mut self) -> (OffsetBuffer<i32>, Option<NullBuffer>) {
        let mut next = like(self.offsets.len());
        next.push(0);
        let offsets = std::mem::replace(&mut self.offsets, next);
        (
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            self.validity.finish(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;

    #[test]
    fn strings_with_nulls_and_truncation() {
        let mut c = StrColumn::default();
        c.push("ab");
        c.push_null();
        c.push("cde");
        c.truncate(2);
        c.push("f");
        let a = c.finish().unwrap();
        let s = a.as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s.value(0), "ab");
        assert!(s.is_null(1));
        assert_eq!(s.value(2), "f");
        assert_eq!(c.len(), 0);
    }

    #[test]
    fn list_offsets() {
        let mut l = ListOffsets::default();
        l.push(2);
        l.push_null();
        l.push(5);
        assert_eq!(l.child_len_at(2), 2);
        l.truncate(1);
        let (offsets, nulls) = l.finish();
        assert_eq!(&offsets[..], &[0, 2]);
        assert_eq!(nulls.map_or(0, |n| n.null_count()), 0);
    }
}
