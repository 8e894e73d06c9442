//! Framing and validating a block read from a stream when the block
//! before it ended part way through a record. The bytes carried over and
//! the new block are framed as if they were one buffer, but only the
//! record that straddles the two is copied: the rest of the block is
//! framed where it lies. A reader that appended every block to its
//! carried bytes would copy each byte once more, and keep twice the block
//! in the processor's cache while validating it.

use crate::batch::{frame_batch, Item, Validation};
use crate::framing::bytes_wanted;

/// What [`decode_after_carry`] framed and validated.
#[derive(Debug)]
pub struct Decoded {
    /// The validated items, in stream order.
    pub items: Vec<Item>,
    /// Bytes consumed, counted from the start of the carried bytes.
    pub used: usize,
    /// The stream ended, or a fatal framing error was found.
    pub done: bool,
}

/// Frames and validates up to `max_records` records from `carry` followed
/// by `block`, which start at stream offset `offset`, exactly as
/// [`frame_batch`] and [`crate::batch::FramedBatch::decode`] would over
/// the two joined; `at_eof` says that nothing follows `block`. On return
/// `carry` holds the bytes not consumed (a record cut off at the end of
/// `block`, usually), to be carried into the next call.
pub fn decode_after_carry(
    carry: &mut Vec<u8>,
    block: &[u8],
    offset: u64,
    at_eof: bool,
    max_records: usize,
    validation: &Validation,
) -> Decoded {
    let taken = match complete_first_frame(carry, block) {
        Ok(taken) => taken,
        // A length that does not say where the record ends: join them.
        Err(taken) => {
            return decode_joined(
                carry,
                &block[taken..],
                offset,
                at_eof,
                max_records,
                validation,
            )
        }
    };
    let rest = &block[taken..];
    // `carry` is empty or starts with a whole record.
    let head = frame_batch(carry, offset, at_eof && rest.is_empty(), max_records);
    let mut items = head.decode(carry, validation);
    if head.used < carry.len() || head.done || items.len() >= max_records {
        // Carried bytes left over (more than one record was carried) or
        // framing stopped: the usual join, for what is left.
        carry.drain(..head.used);
        if head.done || items.len() >= max_records {
            carry.extend_from_slice(rest);
            return Decoded {
                items,
                used: head.used,
                done: head.done,
            };
        }
        let after = decode_joined(
            carry,
            rest,
            offset + head.used as u64,
            at_eof,
            max_records - items.len(),
            validation,
        );
        items.extend(after.items);
        return Decoded {
            items,
            used: head.used + after.used,
            done: after.done,
        };
    }
    let carried = carry.len();
    let body = frame_batch(
        rest,
        offset + carried as u64,
        at_eof,
        max_records - items.len(),
    );
    items.extend(body.decode(rest, validation));
    carry.clear();
    carry.extend_from_slice(&rest[body.used..]);
    Decoded {
        items,
        used: carried + body.used,
        done: body.done,
    }
}

/// Moves from the start of `block` to the end of `carry` the bytes that
/// complete the record `carry` starts with. `Ok(n)`: `carry` is empty or
/// now holds that whole record, with `n` bytes taken. `Err(n)`: its length
/// does not tell where it ends (not a number, below 5), or `block` does
/// not hold the rest; `n` bytes were taken.
fn complete_first_frame(carry: &mut Vec<u8>, block: &[u8]) -> Result<usize, usize> {
    let mut taken = 0;
    if carry.is_empty() {
        return Ok(0);
    }
    loop {
        match bytes_wanted(carry) {
            Some(0) => return Ok(taken),
            Some(wanted) if wanted <= block.len() - taken => {
                carry.extend_from_slice(&block[taken..taken + wanted]);
                taken += wanted;
            }
            _ => return Err(taken),
        }
    }
}

/// The plain way: `block` appended to `carry`, then framed.
fn decode_joined(
    carry: &mut Vec<u8>,
    block: &[u8],
    offset: u64,
    at_eof: bool,
    max_records: usize,
    validation: &Validation,
) -> Decoded {
    carry.extend_from_slice(block);
    let batch = frame_batch(carry, offset, at_eof, max_records);
    let items = batch.decode(carry, validation);
    carry.drain(..batch.used);
    Decoded {
        items,
        used: batch.used,
        done: batch.done,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Outcome;
    use crate::decode::DecodeOptions;
    use crate::encode::tests::sample_record;

    /// What an item says, for comparing two ways of reading.
    fn summary(item: &Item) -> (u64, Vec<u8>, String) {
        let outcome = match &item.outcome {
            Outcome::Record(layout) => format!("record {}", layout.fields.len()),
            Outcome::Invalid(err) => format!("invalid {err:?}"),
            Outcome::Fatal(kind) => format!("fatal {kind:?}"),
            Outcome::Fallback => "fallback".into(),
            Outcome::Transcoded { .. } => "transcoded".into(),
        };
        (item.offset, item.chunk.to_vec(), outcome)
    }

    /// Reads `stream` in blocks of `block` bytes, carrying, and the plain
    /// way; both must give the same items, consumption and end.
    fn same_both_ways(stream: &[u8], block: usize, max_records: usize) {
        let validation = Some(DecodeOptions::default());
        let (mut carry, mut joined) = (Vec::new(), Vec::new());
        let (mut offset_a, mut offset_b) = (0u64, 0u64);
        let mut at = 0;
        loop {
            let end = (at + block).min(stream.len());
            let piece = &stream[at..end];
            let eof = end == stream.len();
            let a = decode_after_carry(&mut carry, piece, offset_a, eof, max_records, &validation);
            let b = decode_joined(&mut joined, piece, offset_b, eof, max_records, &validation);
            let sa: Vec<_> = a.items.iter().map(summary).collect();
            let sb: Vec<_> = b.items.iter().map(summary).collect();
            assert_eq!(sa, sb, "block {block}, at {at}");
            assert_eq!((a.used, a.done), (b.used, b.done), "block {block}, at {at}");
            assert_eq!(carry, joined, "block {block}, at {at}");
            offset_a += a.used as u64;
            offset_b += b.used as u64;
            at = end;
            if a.done || (eof && a.items.is_empty()) {
                break;
            }
        }
    }

    fn stream_of(records: &[Vec<u8>]) -> Vec<u8> {
        records.concat()
    }

    #[test]
    fn every_block_size_gives_what_joining_gives() {
        let one = sample_record();
        let records: Vec<Vec<u8>> = (0..7).map(|_| one.clone()).collect();
        let stream = stream_of(&records);
        for block in 1..=(one.len() * 2 + 3) {
            for max in [1, 2, 3, 512] {
                same_both_ways(&stream, block, max);
            }
        }
    }

    #[test]
    fn damaged_records_are_framed_as_joining_frames_them() {
        let one = sample_record();
        let mut no_terminator = one.clone();
        *no_terminator.last_mut().unwrap() = b'x';
        let mut short_length = one.clone();
        short_length[..5].copy_from_slice(b"00003");
        let mut not_a_number = one.clone();
        not_a_number[..5].copy_from_slice(b"12a45");
        let mut too_long = one.clone();
        too_long[..5].copy_from_slice(b"99999");
        for bad in [no_terminator, short_length, not_a_number, too_long] {
            let stream = stream_of(&[one.clone(), one.clone(), bad, one.clone()]);
            for block in 1..=(one.len() * 3) {
                same_both_ways(&stream, block, 512);
                same_both_ways(&stream, block, 2);
            }
        }
    }

    #[test]
    fn a_stream_cut_short_is_framed_as_joining_frames_it() {
        let one = sample_record();
        let full = stream_of(&[one.clone(), one.clone(), one.clone()]);
        for cut in [1, 3, 5, 6, one.len() + 2, full.len() - 1] {
            let stream = &full[..full.len() - cut];
            for block in [1, 4, 7, 100, one.len(), stream.len()] {
                same_both_ways(stream, block, 512);
            }
        }
    }
}
