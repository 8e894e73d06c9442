//! Framing and validating many records at once, with no Python involved:
//! the unit of work the readers hand to other threads.

use std::sync::Arc;

use crate::decode::{decode_layout, DecodeOptions, Layout, Note};
use crate::error::{Error, ErrorKind};
use crate::framing::{next_frame, Frame};

/// What reading one record produced.
#[derive(Debug)]
pub enum Outcome {
    /// A valid record, ready to be handed out lazily.
    Record(Layout),
    /// A record pymarc would reject with this error (the reader yields
    /// `None` and goes on).
    Invalid(Error),
    /// A record the native decoder leaves to the exact Python decoder
    /// (another encoding, or a non-ASCII subfield code).
    Fallback,
    /// A framing error: the reader yields `None` and then stops.
    Fatal(ErrorKind),
}

/// One framed record (or failed chunk) and what became of it.
#[derive(Debug)]
pub struct Item {
    /// The bytes pymarc exposes as `current_chunk`.
    pub chunk: Arc<[u8]>,
    /// Where the chunk starts in the stream.
    pub offset: u64,
    /// The result of validating it.
    pub outcome: Outcome,
    /// What pymarc logs while decoding it, in order.
    pub notes: Vec<Note>,
}

/// How records are to be validated: `None` means every record goes to the
/// Python decoder (options the native decoder does not implement).
pub type Validation = Option<DecodeOptions>;

/// Validates one framed record.
#[must_use]
pub fn decode_item(chunk: Arc<[u8]>, offset: u64, validation: &Validation) -> Item {
    let mut notes = Vec::new();
    let outcome = match validation {
        Some(options) if options.force_utf8 || chunk.get(9) == Some(&b'a') => {
            match decode_layout(&chunk, options, &mut notes) {
                Ok(layout) if layout.needs_fallback => {
                    notes.clear();
                    Outcome::Fallback
                }
                Ok(layout) => Outcome::Record(layout),
                Err(err) => Outcome::Invalid(err),
            }
        }
        _ => Outcome::Fallback,
    };
    Item {
        chunk,
        offset,
        outcome,
        notes,
    }
}

/// Frames records from the start of `buf` (which begins at stream offset
/// `offset`) until `max_records` are framed, the buffer runs short, or the
/// stream ends. Returns the framed chunks and the bytes consumed; `done` is
/// set once the stream ended or a fatal framing error was found.
#[must_use]
pub fn frame_batch(buf: &[u8], offset: u64, at_eof: bool, max_records: usize) -> FramedBatch {
    let mut chunks = Vec::new();
    let mut used = 0usize;
    let mut done = false;
    while chunks.len() < max_records {
        match next_frame(&buf[used..], at_eof) {
            Frame::NeedMore => break,
            Frame::End => {
                done = true;
                break;
            }
            Frame::Record { len } => {
                chunks.push(Framed {
                    start: used,
                    len,
                    fatal: None,
                });
                used += len;
            }
            Frame::Fatal { kind, len } => {
                chunks.push(Framed {
                    start: used,
                    len,
                    fatal: Some(kind),
                });
                used += len;
                done = true;
                break;
            }
        }
    }
    FramedBatch {
        chunks,
        used,
        done,
        offset,
    }
}

/// One chunk's place in a buffer.
#[derive(Clone, Copy, Debug)]
pub struct Framed {
    /// Start within the buffer.
    pub start: usize,
    /// Length in bytes.
    pub len: usize,
    /// The framing error, if framing failed here.
    pub fatal: Option<ErrorKind>,
}

/// The result of [`frame_batch`].
#[derive(Debug)]
pub struct FramedBatch {
    /// The chunks, in stream order.
    pub chunks: Vec<Framed>,
    /// Bytes of the buffer consumed.
    pub used: usize,
    /// The stream ended (or framing failed fatally) within this batch.
    pub done: bool,
    /// Stream offset of the buffer's first byte.
    pub offset: u64,
}

impl FramedBatch {
    /// Copies each chunk out of `buf` and validates it.
    #[must_use]
    pub fn decode(&self, buf: &[u8], validation: &Validation) -> Vec<Item> {
        self.chunks
            .iter()
            .map(|f| {
                let chunk: Arc<[u8]> = Arc::from(&buf[f.start..f.start + f.len]);
                let offset = self.offset + f.start as u64;
                match f.fatal {
                    Some(kind) => Item {
                        chunk,
                        offset,
                        outcome: Outcome::Fatal(kind),
                        notes: Vec::new(),
                    },
                    None => decode_item(chunk, offset, validation),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::tests::sample_record;

    #[test]
    fn frames_and_decodes_a_batch() {
        let rec = sample_record();
        let mut data = rec.repeat(3);
        data.extend_from_slice(b"00010abc");
        let batch = frame_batch(&data, 100, true, 10);
        assert!(batch.done);
        assert_eq!(batch.chunks.len(), 4);
        let items = batch.decode(&data, &Some(DecodeOptions::default()));
        assert!(matches!(items[0].outcome, Outcome::Record(_)));
        assert_eq!(items[1].offset, 100 + rec.len() as u64);
        assert!(matches!(
            items[3].outcome,
            Outcome::Fatal(ErrorKind::TruncatedRecord)
        ));
        let items = batch.decode(&data, &None);
        assert!(matches!(items[0].outcome, Outcome::Fallback));
    }

    #[test]
    fn stops_when_the_buffer_runs_short() {
        let rec = sample_record();
        let data = rec.repeat(2);
        let batch = frame_batch(&data[..rec.len() + 10], 0, false, 10);
        assert!(!batch.done);
        assert_eq!(batch.chunks.len(), 1);
        assert_eq!(batch.used, rec.len());
    }
}
