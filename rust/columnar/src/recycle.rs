//! Memory that comes back: the vectors a batch is built in are handed to
//! Arrow as owners that return them to a [`BufferPool`] when the consumer
//! drops the batch (pyarrow, once it has written a row group), and the next
//! batch is built in them.
//!
//! Fresh memory costs more than it seems: the allocator gives freed pages
//! back to the kernel, and the kernel zeroes every page it hands out again
//! (a fifth to a third of a whole conversion's CPU time, measured). Reused
//! vectors are already paged in. The pool is bounded (see
//! [`BufferPool::new`]); vectors beyond its bound are freed.

use std::sync::{Arc, Mutex, PoisonError, Weak};

use arrow_buffer::{ArrowNativeType, Buffer, ToByteSlice};

/// Vectors waiting to be built in again, per element type.
#[derive(Debug, Default)]
pub(crate) struct Spare {
    bytes: Vec<Vec<u8>>,
    i32s: Vec<Vec<i32>>,
    i64s: Vec<Vec<i64>>,
    /// Bytes of capacity held in all three.
    held: usize,
}

/// The element types a pool keeps: bytes (text), `i32` (offsets, small
/// numbers) and `i64` (ids).
pub(crate) trait Pooled: ArrowNativeType {
    /// The spare vectors of this type.
    fn spare(spare: &mut Spare) -> &mut Vec<Vec<Self>>;
}

impl Pooled for u8 {
    fn spare(spare: &mut Spare) -> &mut Vec<Vec<Self>> {
        &mut spare.bytes
    }
}

impl Pooled for i32 {
    fn spare(spare: &mut Spare) -> &mut Vec<Vec<Self>> {
        &mut spare.i32s
    }
}

impl Pooled for i64 {
    fn spare(spare: &mut Spare) -> &mut Vec<Vec<Self>> {
        &mut spare.i64s
    }
}

fn bytes_of<T>(vec: &Vec<T>) -> usize {
    vec.capacity() * std::mem::size_of::<T>()
}

/// Where the vectors of finished batches come back to; shared by the
/// builders of one conversion.
#[derive(Debug)]
pub struct BufferPool {
    spare: Mutex<Spare>,
    /// The most bytes of capacity kept.
    limit: usize,
}

impl Default for BufferPool {
    fn default() -> Self {
        Self::new(DEFAULT_LIMIT)
    }
}

/// A pool's bound unless told: about two batches of the default size.
/// Whole-corpus `to_parquet` peaks (docs/decisions/0030): `wide` 286-302
/// MiB with 64 MiB, 245-269 with 8-24 MiB; `nested` the same with 8 to 64
/// MiB, 10-15% higher with no pool.
pub const DEFAULT_LIMIT: usize = 16 << 20;

impl BufferPool {
    /// A pool that keeps at most `limit` bytes of spare capacity.
    #[must_use]
    pub fn new(limit: usize) -> Self {
        Self {
            spare: Mutex::new(Spare::default()),
            limit,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Spare> {
        self.spare.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// An empty vector with room for at least `want` elements: the spare
    /// one that fits best (the smallest that is large enough, else the
    /// largest), or a new one.
    pub(crate) fn take<T: Pooled>(&self, want: usize) -> Vec<T> {
        let mut spare = self.lock();
        let list = T::spare(&mut spare);
        // Kept sorted by capacity.
        let at = list.partition_point(|v| v.capacity() < want);
        let Some(i) = (at < list.len())
            .then_some(at)
            .or(list.len().checked_sub(1))
        else {
            drop(spare);
            return Vec::with_capacity(want);
        };
        let mut vec = list.remove(i);
        spare.held -= bytes_of(&vec);
        drop(spare);
        vec.clear();
        vec.reserve(want);
        vec
    }

    /// Keeps `vec` for a later batch, if the pool has room for it.
    fn give_back<T: Pooled>(&self, vec: Vec<T>) {
        let size = bytes_of(&vec);
        if size == 0 {
            return;
        }
        let mut spare = self.lock();
        if spare.held + size <= self.limit {
            spare.held += size;
            let list = T::spare(&mut spare);
            let at = list.partition_point(|v| v.capacity() < vec.capacity());
            list.insert(at, vec);
        }
    }

    /// Bytes of spare capacity held now.
    #[must_use]
    pub fn held(&self) -> usize {
        self.lock().held
    }
}

/// A vector lent to Arrow: it goes back to its pool when Arrow drops the
/// last buffer over it (or is freed when the pool is gone).
struct Lent<T: Pooled> {
    vec: Vec<T>,
    pool: Weak<BufferPool>,
}

impl<T: Pooled> AsRef<[u8]> for Lent<T> {
    fn as_ref(&self) -> &[u8] {
        self.vec.to_byte_slice()
    }
}

impl<T: Pooled> Drop for Lent<T> {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.upgrade() {
            pool.give_back(std::mem::take(&mut self.vec));
        }
    }
}

/// An Arrow buffer over `vec` (no copy) that returns `vec` to `pool` when
/// it is dropped; a plain buffer when there is no pool.
pub(crate) fn lend<T: Pooled>(vec: Vec<T>, pool: Option<&Arc<BufferPool>>) -> Buffer {
    match pool {
        Some(pool) if vec.capacity() > 0 => Buffer::from(bytes::Bytes::from_owner(Lent {
            vec,
            pool: Arc::downgrade(pool),
        })),
        _ => Buffer::from_vec(vec),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_buffer::ScalarBuffer;

    #[test]
    fn a_dropped_buffer_comes_back_and_is_reused() {
        let pool = Arc::new(BufferPool::new(1 << 20));
        let mut vec: Vec<i32> = pool.take(1000);
        vec.extend([1, 2, 3]);
        let ptr = vec.as_ptr();
        let buffer = lend(vec, Some(&pool));
        let scalars = ScalarBuffer::<i32>::new(buffer, 0, 3);
        assert_eq!(&scalars[..], &[1, 2, 3]);
        assert_eq!(pool.held(), 0);
        drop(scalars);
        assert!(pool.held() >= 4000);
        let again: Vec<i32> = pool.take(10);
        assert_eq!(again.as_ptr(), ptr);
        assert!(again.is_empty());
        assert_eq!(pool.held(), 0);
    }

    #[test]
    fn the_pool_keeps_no_more_than_its_limit() {
        let pool = Arc::new(BufferPool::new(100));
        drop(lend(vec![0u8; 80], Some(&pool)));
        drop(lend(vec![0u8; 80], Some(&pool)));
        assert_eq!(pool.held(), 80);
    }

    #[test]
    fn best_fit_and_a_gone_pool() {
        let pool = Arc::new(BufferPool::new(1 << 20));
        drop(lend(Vec::<u8>::with_capacity(100), Some(&pool)));
        drop(lend(Vec::<u8>::with_capacity(10_000), Some(&pool)));
        assert!(pool.take::<u8>(50).capacity() < 10_000);
        assert!(pool.take::<u8>(50_000).capacity() >= 50_000);
        let buffer = lend(vec![1i64, 2], Some(&pool));
        drop(pool);
        assert_eq!(buffer.len(), 16);
    }
}
