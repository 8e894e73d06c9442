//! Properties of the partition planner on random files: it never panics,
//! its boundaries tile the file, and the partitions, each read from the
//! entry `resolve` gives up to its end, yield exactly the records (and the
//! failure) of one sequential read, for any target size, damaged records
//! included. A small deterministic generator, so failures reproduce.

use std::io::Cursor;

use pymrrc_core::batch::frame_batch;
use pymrrc_core::encode::RecordBuilder;
use pymrrc_core::partition::{frame_span, plan, resolve, Span};

mod common;
use common::Rng;

/// Iterations are divided by this under Miri, which runs far slower.
const SCALE: usize = if cfg!(miri) { 100 } else { 1 };

fn record(rng: &mut Rng) -> Vec<u8> {
    let mut b = RecordBuilder::new();
    for _ in 0..=rng.below(5) {
        let tag = format!("{:03}", 10 + rng.below(990));
        let start = b.position();
        let out = b.field_buffer();
        out.extend_from_slice(b"  ");
        for _ in 0..rng.below(4) {
            out.push(0x1f);
            out.push(b'a');
            out.extend(std::iter::repeat(b'x').take(rng.below(200)));
        }
        out.push(0x1e);
        b.end_field(tag.as_bytes(), start);
    }
    b.finish(b"nam a22", b"   4500")
}

/// A file of records with some damage: lengths that are wrong (longer,
/// shorter, under five, not a number), flipped bytes, stray terminators,
/// garbage between records, a truncated end.
fn damaged_file(rng: &mut Rng) -> Vec<u8> {
    let mut data = Vec::new();
    let mut starts = Vec::new();
    for _ in 0..rng.below(12) {
        starts.push(data.len());
        data.extend(record(rng));
        if rng.below(10) == 0 {
            data.extend((0..rng.below(30)).map(|_| rng.byte_from(b"0123\x1d\x1e")));
        }
    }
    for _ in 0..rng.below(3) {
        if starts.is_empty() {
            break;
        }
        let i = rng.below(starts.len());
        let at = starts[i];
        let patch: Vec<u8> = match rng.below(6) {
            // A length that ends on a later record's terminator: that
            // record is swallowed and framing goes on after it.
            0 if i + 2 < starts.len() => {
                let swallow = starts[i + 2 + rng.below(starts.len() - i - 2)] - at;
                format!("{:05}", swallow.min(99_999)).into_bytes()
            }
            0 | 5 => format!("{:05}", rng.below(3000)).into_bytes(),
            1 => b"00003".to_vec(),
            2 => b"12x45".to_vec(),
            3 => format!("{:05}", rng.below(100_000)).into_bytes(),
            _ => vec![0x1d; 1 + rng.below(4)],
        };
        let end = (at + patch.len()).min(data.len());
        data[at..end].copy_from_slice(&patch[..end - at]);
    }
    if !data.is_empty() && rng.below(4) == 0 {
        let i = rng.below(data.len());
        data[i] = rng.byte_from(b"\x1d\x1e0");
    }
    if !data.is_empty() && rng.below(5) == 0 {
        data.truncate(data.len() - rng.below(40).min(data.len()));
    }
    data
}

/// Offsets of the records of one sequential read (the failure that ends
/// it included) that start at `from` or later and before `stop`, as pymarc
/// frames them.
fn sequential(data: &[u8], from: usize, stop: u64) -> Vec<u64> {
    let batch = frame_batch(&data[from..], from as u64, true, usize::MAX);
    batch
        .chunks
        .iter()
        .map(|c| (from + c.start) as u64)
        .take_while(|&o| o < stop)
        .collect()
}

fn check(data: &[u8], target: u64, use_spans: bool) {
    let len = data.len() as u64;
    let p = plan(&mut Cursor::new(data), len, target).unwrap();
    assert_eq!(p.bounds.first(), Some(&0));
    assert_eq!(p.bounds.last(), Some(&len));
    assert!(p.bounds.windows(2).all(|w| w[0] < w[1] || len == 0));
    let ranges: Vec<(u64, u64)> = p.bounds.windows(2).map(|w| (w[0], w[1])).collect();
    let spans: Vec<Option<Span>> = ranges
        .iter()
        .map(|&(s, e)| use_spans.then(|| frame_span(&mut Cursor::new(data), len, s, e).unwrap()))
        .collect();
    let entries = resolve(&ranges, &spans, |a, b| {
        frame_span(&mut Cursor::new(data), len, a, b)
    })
    .unwrap();
    let mut concatenated = Vec::new();
    for (entry, &(start, end)) in entries.iter().zip(&ranges) {
        assert!(entry.offset >= start && entry.offset <= end);
        assert_eq!(entry.records_before as usize, concatenated.len());
        let mine = sequential(data, entry.offset as usize, end);
        assert!(mine.iter().all(|&o| o >= start && o < end));
        concatenated.extend(mine);
    }
    assert_eq!(
        concatenated,
        sequential(data, 0, u64::MAX),
        "target {target}"
    );
}

#[test]
fn partitions_read_as_one_sequential_read() {
    let mut rng = Rng(0x5eed_0016);
    for _ in 0..3000 / SCALE {
        let data = damaged_file(&mut rng);
        let target = match rng.below(3) {
            0 => 1 + rng.below(40) as u64,
            1 => 1 + rng.below(data.len().max(1)) as u64,
            _ => 1 + rng.below(4 * data.len().max(1)) as u64,
        };
        check(&data, target, rng.below(2) == 0);
    }
}

#[test]
fn never_panics_on_random_bytes() {
    let mut rng = Rng(0xbad_b17e5);
    for _ in 0..3000 / SCALE {
        let n = rng.below(300);
        let data: Vec<u8> = (0..n)
            .map(|_| rng.byte_from(b"0123456789\x1d\x1e<"))
            .collect();
        check(&data, 1 + rng.below(64) as u64, rng.below(2) == 0);
    }
}

#[test]
fn a_file_shorter_than_its_stated_length_is_read_as_far_as_it_goes() {
    let mut rng = Rng(7);
    let data: Vec<u8> = (0..4).flat_map(|_| record(&mut rng)).collect();
    let claimed = data.len() as u64 + 1000;
    let p = plan(&mut Cursor::new(&data), claimed, 10).unwrap();
    assert_eq!(p.bounds.last(), Some(&(data.len() as u64)));
    let span = frame_span(&mut Cursor::new(&data), claimed, 0, claimed).unwrap();
    assert_eq!(
        span,
        Span {
            next: Some(data.len() as u64),
            records: 4
        }
    );
}
