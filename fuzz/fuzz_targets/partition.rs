//! Partitions over arbitrary bytes: `partition::plan` with a target size
//! taken from the first two bytes, `frame_span` over each range and
//! `resolve` over the ranges.
//!
//! Properties: the boundaries start at 0, end at the data's length and
//! increase; every entry lies in its range; and the ranges, each framed
//! from its entry up to its end, give exactly the chunk offsets (the
//! failure that ends reading included) that framing the data whole gives,
//! with `records_before` counting the ranges before.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use pymrrc_core::batch::frame_batch;
use pymrrc_core::partition::{frame_span, plan, resolve, Span};

/// Chunk offsets of sequential framing from `from`, of chunks starting
/// before `stop`.
fn offsets(data: &[u8], from: usize, stop: usize) -> Vec<usize> {
    let batch = frame_batch(&data[from..], from as u64, true, usize::MAX);
    batch
        .chunks
        .iter()
        .map(|c| from + c.start)
        .take_while(|&o| o < stop)
        .collect()
}

fuzz_target!(|input: &[u8]| {
    let (target, data) = match input {
        [a, b, rest @ ..] => (u64::from(u16::from_le_bytes([*a, *b])) + 1, rest),
        _ => (1, input),
    };
    let len = data.len() as u64;
    let p = plan(&mut Cursor::new(data), len, target).expect("in memory");
    assert_eq!(p.bounds.first(), Some(&0));
    assert_eq!(p.bounds.last(), Some(&len));
    assert!(p.bounds.windows(2).all(|w| w[0] < w[1]) || len == 0);
    let ranges: Vec<(u64, u64)> = p.bounds.windows(2).map(|w| (w[0], w[1])).collect();
    let spans: Vec<Option<Span>> = ranges
        .iter()
        .enumerate()
        .map(|(i, &(s, e))| {
            (i % 2 == 0).then(|| frame_span(&mut Cursor::new(data), len, s, e).expect("in memory"))
        })
        .collect();
    let entries = resolve(&ranges, &spans, |a, b| {
        frame_span(&mut Cursor::new(data), len, a, b)
    })
    .expect("in memory");
    let mut joined = Vec::new();
    for (entry, &(start, end)) in entries.iter().zip(&ranges) {
        assert!(start <= entry.offset && entry.offset <= end);
        assert_eq!(entry.records_before as usize, joined.len());
        joined.extend(offsets(data, entry.offset as usize, end as usize));
    }
    assert_eq!(joined, offsets(data, 0, data.len()));
});
