//! Growable columns that become Arrow arrays: UTF-8 strings, integers and
//! list offsets, each kept as plain vectors so that a partly written record
//! can be taken back and a batch is finished without copying. Each batch is
//! built in vectors from a [`BufferPool`], sized like the last batch's.

use std::sync::Arc;

use arrow_array::{ArrayRef, Int32Array, Int64Array, StringArray};
use arrow_buffer::{BooleanBuffer, NullBuffer, OffsetBuffer, ScalarBuffer};

use crate::error::ColumnarError;
use crate::recycle::{lend, BufferPool, Pooled};

/// Validity bits (packed, as Arrow keeps them), materialised only once a
/// null is pushed: until then every row is valid.
#[derive(Debug, Default)]
struct Validity {
    bits: Option<Bits>,
    /// Bytes of bits in the last batch that had any.
    last: usize,
}

/// Packed bits, least significant first.
#[derive(Debug)]
struct Bits {
    bytes: Vec<u8>,
    len: usize,
}

impl Bits {
    #[inline]
    fn push(&mut self, bit: bool) {
        let at = self.len % 8;
        if at == 0 {
            self.bytes.push(0);
        }
        if bit {
            if let Some(last) = self.bytes.last_mut() {
                *last |= 1 << at;
            }
        }
        self.len += 1;
    }

    fn push_n(&mut self, n: usize, bit: bool) {
        let mut n = n;
        while n > 0 && self.len % 8 != 0 {
            self.push(bit);
            n -= 1;
        }
        let whole = n / 8;
        self.bytes
            .resize(self.bytes.len() + whole, if bit { 0xff } else { 0 });
        self.len += whole * 8;
        for _ in 0..n % 8 {
            self.push(bit);
        }
    }

    fn truncate(&mut self, len: usize) {
        if len < self.len {
            self.bytes.truncate(len.div_ceil(8));
            if let Some(last) = self.bytes.last_mut() {
                if len % 8 != 0 {
                    *last &= (1u8 << (len % 8)) - 1;
                }
            }
            self.len = len;
        }
    }
}

impl Validity {
    #[inline]
    fn push(&mut self, len_before: usize, valid: bool) {
        match &mut self.bits {
            Some(bits) => bits.push(valid),
            None if valid => {}
            None => self.start(len_before, 1),
        }
    }

    fn push_many(&mut self, len_before: usize, valid: bool, n: usize) {
        match &mut self.bits {
            Some(bits) => bits.push_n(n, valid),
            None if valid => {}
            None => self.start(len_before, n),
        }
    }

    /// The first nulls (`n` of them) after `len_before` valid rows.
    #[cold]
    fn start(&mut self, len_before: usize, n: usize) {
        let want = (len_before + n).div_ceil(8).max(self.last);
        let mut bits = Bits {
            bytes: Vec::with_capacity(want + want / 8),
            len: 0,
        };
        bits.push_n(len_before, true);
        bits.push_n(n, false);
        self.bits = Some(bits);
    }

    fn truncate(&mut self, len: usize) {
        if let Some(bits) = &mut self.bits {
            bits.truncate(len);
        }
    }

    fn finish(&mut self, pool: &Arc<BufferPool>) -> Option<NullBuffer> {
        let bits = self.bits.take()?;
        self.last = bits.bytes.len();
        let buffer = lend(bits.bytes, Some(pool));
        Some(NullBuffer::new(BooleanBuffer::new(buffer, 0, bits.len)))
    }
}

/// Room for the next batch: the last batch's size and an eighth more.
fn hint(last: usize) -> usize {
    last + last / 8 + 1
}

/// A column of nullable UTF-8 strings (pushed as bytes: the caller has
/// either checked them or they were validated with the record; Arrow checks
/// the whole column again when the batch is finished).
#[derive(Debug, Default)]
pub(crate) struct StrColumn {
    /// Empty until [`Self::prepare`]; then starts with 0.
    offsets: Vec<i32>,
    data: Vec<u8>,
    validity: Validity,
    overflow: bool,
    /// Rows and bytes of the last batch.
    last: (usize, usize),
}

impl StrColumn {
    /// Takes vectors for a new batch from `pool` (once per batch).
    pub(crate) fn prepare(&mut self, pool: &BufferPool) {
        if self.offsets.is_empty() {
            self.offsets = pool.take(hint(self.last.0));
            self.offsets.push(0);
            self.data = pool.take(hint(self.last.1));
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Bytes of string data held.
    pub(crate) fn data_len(&self) -> usize {
        self.data.len()
    }

    #[inline]
    pub(crate) fn push(&mut self, value: &[u8]) {
        self.validity.push(self.len(), true);
        match value {
            // Indicators and codes: no call to copy one byte.
            [byte] => self.data.push(*byte),
            _ => self.data.extend_from_slice(value),
        }
        self.push_end();
    }

    #[inline]
    pub(crate) fn push_null(&mut self) {
        self.validity.push(self.len(), false);
        self.push_end();
    }

    #[inline]
    pub(crate) fn push_opt(&mut self, value: Option<&[u8]>) {
        match value {
            Some(v) => self.push(v),
            None => self.push_null(),
        }
    }

    #[inline]
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

    /// The column's array; the column is empty again, its vectors lent to
    /// the array (they come back to `pool` when it is dropped).
    pub(crate) fn finish(&mut self, pool: &Arc<BufferPool>) -> Result<ArrayRef, ColumnarError> {
        self.prepare(pool);
        self.last = (self.len(), self.data.len());
        let offsets = std::mem::take(&mut self.offsets);
        let data = std::mem::take(&mut self.data);
        let nulls = self.validity.finish(pool);
        if std::mem::take(&mut self.overflow) {
            return Err(ColumnarError::BatchTooLarge);
        }
        let rows = offsets.len();
        let offsets = ScalarBuffer::new(lend(offsets, Some(pool)), 0, rows);
        let array = StringArray::try_new(OffsetBuffer::new(offsets), lend(data, Some(pool)), nulls)
            .map_err(|e| ColumnarError::Arrow(e.to_string()))?;
        Ok(Arc::new(array))
    }
}

/// A column of nullable integers (`i32` or `i64`).
#[derive(Debug, Default)]
pub(crate) struct IntColumn<T> {
    values: Vec<T>,
    validity: Validity,
    last: usize,
    prepared: bool,
}

impl<T: Pooled> IntColumn<T> {
    /// Takes a vector for a new batch from `pool` (once per batch).
    pub(crate) fn prepare(&mut self, pool: &BufferPool) {
        if !self.prepared {
            self.values = pool.take(hint(self.last));
            self.prepared = true;
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    #[inline]
    pub(crate) fn push(&mut self, value: T) {
        self.validity.push(self.values.len(), true);
        self.values.push(value);
    }

    #[inline]
    pub(crate) fn push_opt(&mut self, value: Option<T>) {
        self.validity.push(self.values.len(), value.is_some());
        self.values.push(value.unwrap_or_default());
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        self.values.truncate(len);
        self.validity.truncate(len);
    }

    /// The column's values and validity; the column is empty again.
    fn take(&mut self, pool: &Arc<BufferPool>) -> (ScalarBuffer<T>, Option<NullBuffer>) {
        self.prepare(pool);
        self.prepared = false;
        self.last = self.values.len();
        let values = std::mem::take(&mut self.values);
        let len = values.len();
        (
            ScalarBuffer::new(lend(values, Some(pool)), 0, len),
            self.validity.finish(pool),
        )
    }
}

impl IntColumn<i64> {
    pub(crate) fn finish(&mut self, pool: &Arc<BufferPool>) -> ArrayRef {
        let (values, nulls) = self.take(pool);
        Arc::new(Int64Array::new(values, nulls))
    }
}

impl IntColumn<i32> {
    pub(crate) fn finish(&mut self, pool: &Arc<BufferPool>) -> ArrayRef {
        let (values, nulls) = self.take(pool);
        Arc::new(Int32Array::new(values, nulls))
    }
}

/// The offsets of a list column: one list per row, holding the child rows
/// pushed since it was opened; a row may be null.
#[derive(Debug, Default)]
pub(crate) struct ListOffsets {
    /// Empty until [`Self::prepare`]; then starts with 0.
    offsets: Vec<i32>,
    validity: Validity,
    last: usize,
}

impl ListOffsets {
    /// Takes a vector for a new batch from `pool` (once per batch).
    pub(crate) fn prepare(&mut self, pool: &BufferPool) {
        if self.offsets.is_empty() {
            self.offsets = pool.take(hint(self.last));
            self.offsets.push(0);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    fn end(&self) -> i32 {
        self.offsets.last().copied().unwrap_or(0)
    }

    /// Closes a list that ends at child row `child_len`.
    #[inline]
    pub(crate) fn push(&mut self, child_len: usize) {
        self.validity.push(self.len(), true);
        self.offsets
            .push(i32::try_from(child_len).unwrap_or(i32::MAX));
    }

    /// A null list (no child rows).
    pub(crate) fn push_null(&mut self) {
        let end = self.end();
        self.validity.push(self.len(), false);
        self.offsets.push(end);
    }

    /// `n` null lists.
    pub(crate) fn push_nulls(&mut self, n: usize) {
        let end = self.end();
        self.validity.push_many(self.len(), false, n);
        self.offsets.resize(self.offsets.len() + n, end);
    }

    /// The child row count after `len` lists.
    pub(crate) fn child_len_at(&self, len: usize) -> usize {
        let at = self.offsets.get(len.min(self.len())).copied().unwrap_or(0);
        usize::try_from(at).unwrap_or(0)
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        if len < self.len() {
            self.offsets.truncate(len + 1);
            self.validity.truncate(len);
        }
    }

    /// The offsets and validity; the column is empty again.
    pub(crate) fn finish(
        &mut self,
        pool: &Arc<BufferPool>,
    ) -> (OffsetBuffer<i32>, Option<NullBuffer>) {
        self.prepare(pool);
        self.last = self.len();
        let offsets = std::mem::take(&mut self.offsets);
        let len = offsets.len();
        (
            OffsetBuffer::new(ScalarBuffer::new(lend(offsets, Some(pool)), 0, len)),
            self.validity.finish(pool),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;

    #[test]
    fn strings_with_nulls_and_truncation() {
        let pool = Arc::new(BufferPool::default());
        let mut c = StrColumn::default();
        c.prepare(&pool);
        c.push(b"ab");
        c.push_null();
        c.push(b"cde");
        c.truncate(2);
        c.push(b"f");
        let a = c.finish(&pool).unwrap();
        let s = a.as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s.value(0), "ab");
        assert!(s.is_null(1));
        assert_eq!(s.value(2), "f");
        assert_eq!(c.len(), 0);
    }

    #[test]
    fn validity_bits_after_truncation() {
        let pool = Arc::new(BufferPool::default());
        let mut c = StrColumn::default();
        c.prepare(&pool);
        for i in 0..21 {
            c.push_opt((i % 3 != 0).then_some(b"x".as_slice()));
        }
        c.truncate(10);
        c.push(b"y");
        c.push_null();
        let a = c.finish(&pool).unwrap();
        let s = a.as_any().downcast_ref::<StringArray>().unwrap();
        let valid: Vec<bool> = (0..s.len()).map(|i| s.is_valid(i)).collect();
        let mut want: Vec<bool> = (0..10).map(|i| i % 3 != 0).collect();
        want.extend([true, false]);
        assert_eq!(valid, want);
        assert_eq!(s.null_count(), 5);
        // The first null after 13 valid rows.
        c.prepare(&pool);
        for _ in 0..13 {
            c.push(b"v");
        }
        c.push_null();
        let a = c.finish(&pool).unwrap();
        assert_eq!(a.null_count(), 1);
        assert!(a.is_null(13) && a.is_valid(12));
    }

    #[test]
    fn runs_of_nulls() {
        let pool = Arc::new(BufferPool::default());
        let mut l = ListOffsets::default();
        l.prepare(&pool);
        l.push(1);
        l.push_nulls(19);
        l.push(2);
        l.push_nulls(3);
        let (offsets, nulls) = l.finish(&pool);
        assert_eq!(offsets.len(), 25);
        let nulls = nulls.unwrap();
        let valid: Vec<usize> = (0..24).filter(|&i| nulls.is_valid(i)).collect();
        assert_eq!(valid, [0, 20]);
        assert_eq!(nulls.null_count(), 22);
    }

    #[test]
    fn list_offsets() {
        let pool = Arc::new(BufferPool::default());
        let mut l = ListOffsets::default();
        l.prepare(&pool);
        l.push(2);
        l.push_null();
        l.push(5);
        assert_eq!(l.child_len_at(2), 2);
        l.truncate(1);
        let (offsets, nulls) = l.finish(&pool);
        assert_eq!(&offsets[..], &[0, 2]);
        assert_eq!(nulls.map_or(0, |n| n.null_count()), 0);
    }
}
