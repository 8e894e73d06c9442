//! Framing over arbitrary bytes: `next_frame` and `frame_batch`, with and
//! without `at_eof`.
//!
//! Properties: a frame lies inside the buffer and a record ends with the
//! end-of-record byte; a decision taken on a prefix of the stream is never
//! changed by more bytes (streaming is consistent); `bytes_wanted` agrees
//! with `NeedMore`; and framing the stream in arbitrary pieces with small
//! batches, or carrying what is left of each piece into the next
//! (`decode_after_carry`, as the file-object reader does), gives exactly the
//! chunks that framing it whole gives.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pymrrc_core::batch::{frame_batch, Outcome};
use pymrrc_core::carry::decode_after_carry;
use pymrrc_core::consts::END_OF_RECORD;
use pymrrc_core::error::ErrorKind;
use pymrrc_core::framing::{bytes_wanted, next_frame, Frame};

/// (start, len, fatal) of every chunk, framing `data` whole.
fn frame_whole(data: &[u8]) -> Vec<(usize, usize, Option<ErrorKind>)> {
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        match next_frame(&data[at..], true) {
            Frame::NeedMore => panic!("NeedMore at end of stream"),
            Frame::End => return out,
            Frame::Record { len } => {
                assert!(len > 0);
                out.push((at, len, None));
                at += len;
            }
            Frame::Fatal { kind, len } => {
                out.push((at, len, Some(kind)));
                return out;
            }
        }
    }
}

/// The same, fed in pieces of `piece` bytes through `frame_batch` with at
/// most `max_records` per batch and the consumed bytes drained each time.
fn frame_streamed(
    data: &[u8],
    piece: usize,
    max_records: usize,
) -> Vec<(usize, usize, Option<ErrorKind>)> {
    let mut out = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut fed = 0;
    let mut offset = 0u64;
    let mut at_eof = false;
    // Each round either frames a record, feeds bytes or reaches the end.
    for _ in 0..4 * data.len() + 16 {
        let batch = frame_batch(&buf, offset, at_eof, max_records);
        assert_eq!(batch.offset, offset);
        assert!(batch.used <= buf.len());
        let mut expect_start = 0;
        for f in &batch.chunks {
            assert_eq!(f.start, expect_start, "chunks are contiguous");
            assert!(f.start + f.len <= buf.len());
            out.push((offset as usize + f.start, f.len, f.fatal));
            expect_start = f.start + f.len;
        }
        assert_eq!(batch.used, expect_start);
        if let Some(last) = batch.chunks.last() {
            if last.fatal.is_some() {
                assert!(batch.done, "a fatal chunk ends the stream");
            }
        }
        for f in batch.chunks.iter().rev().skip(1) {
            assert!(f.fatal.is_none(), "only the last chunk may be fatal");
        }
        buf.drain(..batch.used);
        offset += batch.used as u64;
        if batch.done {
            return out;
        }
        if batch.chunks.len() == max_records {
            continue;
        }
        // Fewer than asked for and not done: the framer needs more bytes.
        assert!(!at_eof, "frame_batch stalled at end of stream");
        if fed < data.len() {
            let end = (fed + piece).min(data.len());
            buf.extend_from_slice(&data[fed..end]);
            fed = end;
        } else {
            at_eof = true;
        }
    }
    panic!("streaming did not finish");
}

/// The same, fed in pieces of `piece` bytes through `decode_after_carry`,
/// which carries the bytes it did not frame into the next call.
fn frame_carried(
    data: &[u8],
    piece: usize,
    max_records: usize,
) -> Vec<(usize, usize, Option<ErrorKind>)> {
    let mut out = Vec::new();
    let mut carry: Vec<u8> = Vec::new();
    let mut fed = 0;
    let mut offset = 0u64;
    for _ in 0..4 * data.len() + 16 {
        let end = (fed + piece).min(data.len());
        let at_eof = end == data.len();
        let decoded = decode_after_carry(&mut carry, &data[fed..end], offset, at_eof, max_records, &None);
        fed = end;
        assert!(decoded.items.len() <= max_records);
        for item in &decoded.items {
            let fatal = match item.outcome {
                Outcome::Fatal(kind) => Some(kind),
                _ => None,
            };
            out.push((item.offset as usize, item.chunk.len(), fatal));
        }
        offset += decoded.used as u64;
        assert_eq!(offset as usize + carry.len(), fed, "carried bytes are the ones not framed");
        if decoded.done {
            return out;
        }
    }
    panic!("carrying did not finish");
}

fuzz_target!(|input: &[u8]| {
    let (control, data) = match input.split_first() {
        Some((c, rest)) => (*c, rest),
        None => (0, input),
    };

    let whole_eof = next_frame(data, true);
    let whole = next_frame(data, false);
    match whole_eof {
        Frame::NeedMore => panic!("NeedMore with at_eof"),
        Frame::End => assert!(data.is_empty()),
        Frame::Record { len } => {
            assert!(len >= 5 && len <= data.len());
            assert_eq!(data[len - 1], END_OF_RECORD);
        }
        Frame::Fatal { kind, len } => {
            assert!(kind.is_fatal());
            assert!(len <= data.len());
        }
    }
    match whole {
        Frame::End => panic!("End without at_eof"),
        Frame::NeedMore => {}
        decided => assert_eq!(decided, whole_eof, "at_eof changed a decision"),
    }
    match bytes_wanted(data) {
        Some(0) => assert_ne!(whole, Frame::NeedMore),
        Some(_) => assert_eq!(whole, Frame::NeedMore),
        None => {}
    }
    // A decision taken on any prefix stands once more bytes arrive.
    for k in 0..=data.len() {
        match next_frame(&data[..k], false) {
            Frame::NeedMore => {}
            decided => assert_eq!(decided, whole_eof, "prefix of {k} bytes decided otherwise"),
        }
    }

    let reference = frame_whole(data);
    let piece = usize::from(control & 0x0f) * 7 + 1;
    let max_records = usize::from(control >> 4) + 1;
    assert_eq!(frame_streamed(data, piece, max_records), reference);
    assert_eq!(frame_streamed(data, data.len().max(1), 512), reference);
    assert_eq!(frame_carried(data, piece, max_records), reference);
    assert_eq!(frame_carried(data, piece, usize::MAX), reference);
    let one_shot = frame_batch(data, 0, true, usize::MAX);
    assert!(one_shot.done);
    let got: Vec<_> = one_shot
        .chunks
        .iter()
        .map(|f| (f.start, f.len, f.fatal))
        .collect();
    assert_eq!(got, reference);
});
