//! Framing and validating many records at once, with no Python involved:
//! the unit of work the readers hand to other threads.

use std::sync::Arc;

use crate::decode::{check_record, decode_layout, DecodeOptions, Layout, Note};
use crate::error::{Error, ErrorKind};
use crate::framing::{next_frame, Frame};
use crate::marc8::transcode_record;

/// What reading one record produced.
#[derive(Debug)]
pub enum Outcome {
    /// A valid record, ready to be handed out lazily.
    Record(Layout),
    /// A valid MARC-8 record, decoded to UTF-8 text laid out like a record
    /// (see [`crate::marc8::transcode_record`]); `chunk` stays the original.
    Transcoded {
        /// The leader and the fields' UTF-8 text.
        text: Arc<[u8]>,
        /// Where the fields lie in `text`.
        layout: Layout,
    },
    /// A record pymarc would reject with this error (the reader yields
    /// `None` and goes on).
    Invalid(Error),
    /// A record the native decoder leaves to the exact Python decoder
    /// (another encoding, a non-ASCII subfield code, or MARC-8 on which
    /// pymarc writes to stderr or raises).
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
    /// The options it was validated with: a reader whose options changed
    /// since validates it again before handing it out.
    pub validation: Validation,
}

/// How records are to be validated: `None` means every record goes to the
/// Python decoder (options the native decoder does not implement).
pub type Validation = Option<DecodeOptions>;

/// Which validated items keep their record's bytes and layout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Keep {
    /// Every item (readers, and jobs that write or look into records).
    #[default]
    Everything,
    /// Only the items the caller handles itself: rejected records, framing
    /// errors and records left to the exact fallback. A valid UTF-8 record
    /// is only checked ([`crate::decode::check_record`]: no fields, no
    /// notes) and keeps no bytes (validating or counting a file copies
    /// nothing), except the batch's last item, whose bytes say where the
    /// batch ends.
    Unhandled,
}

/// Validates one framed record.
#[must_use]
pub fn decode_item(chunk: Arc<[u8]>, offset: u64, validation: &Validation) -> Item {
    let mut notes = Vec::new();
    let outcome = outcome_of(&chunk, validation, &mut notes, Keep::Everything);
    Item::new(chunk, offset, outcome, notes, validation)
}

/// What validating `chunk` gives (and what pymarc would log, in `notes`).
/// With [`Keep::Unhandled`] a valid UTF-8 record is only checked (see
/// [`check_record`]): its layout has no fields and no notes are taken.
fn outcome_of(chunk: &[u8], validation: &Validation, notes: &mut Vec<Note>, keep: Keep) -> Outcome {
    match validation {
        Some(options) if options.force_utf8 || chunk.get(9) == Some(&b'a') => {
            let checked = if keep == Keep::Unhandled {
                check_record(chunk, options)
            } else {
                decode_layout(chunk, options, notes)
            };
            match checked {
                Ok(layout) if layout.needs_fallback => {
                    notes.clear();
                    Outcome::Fallback
                }
                Ok(layout) => Outcome::Record(layout),
                Err(err) => Outcome::Invalid(err),
            }
        }
        Some(options) if options.marc8 && options.to_unicode => decode_marc8(chunk, options, notes),
        _ => Outcome::Fallback,
    }
}

impl Item {
    fn new(
        chunk: Arc<[u8]>,
        offset: u64,
        outcome: Outcome,
        notes: Vec<Note>,
        validation: &Validation,
    ) -> Self {
        Self {
            chunk,
            offset,
            outcome,
            notes,
            validation: *validation,
        }
    }

    /// This item as `validation` would have made it: validated again if
    /// it was validated with other options. A framing error does not
    /// depend on the options and stays as it is.
    #[must_use]
    pub fn validated_with(self, validation: &Validation) -> Self {
        if self.validation == *validation || matches!(self.outcome, Outcome::Fatal(_)) {
            return self;
        }
        decode_item(self.chunk, self.offset, validation)
    }
}

/// Validates and transcodes a MARC-8 record. Whatever pymarc would report
/// on its own terms (an invalid record, whose error may come after MARC-8
/// decoding has written to stderr or raised; a stderr line; a decoding
/// error) is left to the exact fallback.
fn decode_marc8(chunk: &[u8], options: &DecodeOptions, notes: &mut Vec<Note>) -> Outcome {
    let outcome = match decode_layout(chunk, options, notes) {
        Ok(layout) if !layout.needs_fallback => {
            match transcode_record(chunk, &layout, options.hide_utf8_warnings) {
                Ok(t) => Outcome::Transcoded {
                    text: Arc::from(t.bytes),
                    layout: t.layout,
                },
                Err(_) => Outcome::Fallback,
            }
        }
        _ => Outcome::Fallback,
    };
    if matches!(outcome, Outcome::Fallback) {
        notes.clear();
    }
    outcome
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
    /// Keeps only the chunks that start before stream offset `stop`; if
    /// any did not, the batch ends reading (a partition's end).
    pub fn stop_before(&mut self, stop: u64) {
        let limit = stop.saturating_sub(self.offset);
        if let Some(cut) = self.chunks.iter().position(|c| c.start as u64 >= limit) {
            self.used = self.chunks[cut].start;
            self.chunks.truncate(cut);
            self.done = true;
        }
    }

    /// Copies each chunk out of `buf` and validates it.
    #[must_use]
    pub fn decode(&self, buf: &[u8], validation: &Validation) -> Vec<Item> {
        self.decode_keeping(buf, validation, Keep::Everything)
    }

    /// Validates each chunk of `buf`, copying out the bytes of the items
    /// `keep` asks for.
    #[must_use]
    pub fn decode_keeping(&self, buf: &[u8], validation: &Validation, keep: Keep) -> Vec<Item> {
        let nothing: Arc<[u8]> = Arc::from(&[][..]);
        let last = self.chunks.len().saturating_sub(1);
        self.chunks
            .iter()
            .enumerate()
            .map(|(at, f)| {
                let bytes = &buf[f.start..f.start + f.len];
                let offset = self.offset + f.start as u64;
                let mut notes = Vec::new();
                let outcome = match f.fatal {
                    Some(kind) => Outcome::Fatal(kind),
                    None => outcome_of(bytes, validation, &mut notes, keep),
                };
                let (chunk, outcome) = match outcome {
                    Outcome::Record(layout) if keep == Keep::Unhandled && at < last => {
                        (Arc::clone(&nothing), Outcome::Record(layout))
                    }
                    outcome => (Arc::from(bytes), outcome),
                };
                Item::new(chunk, offset, outcome, notes, validation)
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
    fn only_unhandled_items_keep_their_bytes_when_asked() {
        let rec = sample_record();
        let mut data = rec.repeat(3);
        let mut bad = rec.clone();
        bad[12..17].copy_from_slice(b"00000");
        data.splice(rec.len()..rec.len(), bad.iter().copied());
        let batch = frame_batch(&data, 10, true, 10);
        let all = batch.decode(&data, &Some(DecodeOptions::default()));
        let some = batch.decode_keeping(&data, &Some(DecodeOptions::default()), Keep::Unhandled);
        assert_eq!(some.len(), 4);
        for (full, kept) in all.iter().zip(&some) {
            assert_eq!(full.offset, kept.offset);
            assert_eq!(
                std::mem::discriminant(&full.outcome),
                std::mem::discriminant(&kept.outcome)
            );
        }
        // The valid first record keeps nothing; the rejected second and
        // the batch's last record keep their bytes.
        assert!(some[0].chunk.is_empty() && some[2].chunk.is_empty());
        assert!(matches!(some[1].outcome, Outcome::Invalid(_)));
        assert_eq!(&*some[1].chunk, &bad[..]);
        assert_eq!(&*some[3].chunk, &rec[..]);
    }

    #[test]
    fn marc8_records_are_transcoded_or_left_to_the_fallback() {
        let mut rec = sample_record();
        rec[9] = b' ';
        let options = DecodeOptions::default();
        let item = decode_item(Arc::from(&rec[..]), 0, &Some(options));
        let Outcome::Transcoded { text, layout } = item.outcome else {
            panic!("not transcoded: {:?}", item.outcome);
        };
        // The sample's 0xC3 0xA9 is not MARC-8 for é: 0xC3 is ANSEL's
        // copyright sign and 0xA9 the flat sign.
        let title = layout.fields[2];
        assert!(std::str::from_utf8(&text[title.start..title.end])
            .unwrap()
            .ends_with("subtitle \u{a9}\u{266d}"));
        let off = DecodeOptions {
            marc8: false,
            ..options
        };
        let item = decode_item(Arc::from(&rec[..]), 0, &Some(off));
        assert!(matches!(item.outcome, Outcome::Fallback));
        // An unmappable code (ANSEL 0xAF) is noted by pymarc: fallback,
        // unless warnings are hidden.
        let at = rec.len() - 3;
        rec[at] = 0xaf;
        let item = decode_item(Arc::from(&rec[..]), 0, &Some(options));
        assert!(matches!(item.outcome, Outcome::Fallback));
        let quiet = DecodeOptions {
            hide_utf8_warnings: true,
            ..options
        };
        let item = decode_item(Arc::from(&rec[..]), 0, &Some(quiet));
        assert!(matches!(item.outcome, Outcome::Transcoded { .. }));
    }

    #[test]
    fn items_are_validated_again_under_other_options() {
        let mut rec = sample_record();
        rec[9] = b' ';
        let marc8 = Some(DecodeOptions::default());
        let item = decode_item(Arc::from(&rec[..]), 7, &marc8);
        assert!(matches!(item.outcome, Outcome::Transcoded { .. }));
        // The same options: the item as it is.
        let same = item.validated_with(&marc8);
        assert!(matches!(same.outcome, Outcome::Transcoded { .. }));
        // force_utf8: the bytes are taken as UTF-8.
        let forced = Some(DecodeOptions {
            force_utf8: true,
            ..DecodeOptions::default()
        });
        let again = same.validated_with(&forced);
        assert!(matches!(again.outcome, Outcome::Record(_)));
        assert_eq!((again.offset, again.validation), (7, forced));
        // No native validation: the Python decoder.
        assert!(matches!(
            again.validated_with(&None).outcome,
            Outcome::Fallback
        ));
        // A framing error stays one.
        let batch = frame_batch(b"0001", 0, true, 4);
        let fatal = batch.decode(b"0001", &marc8).remove(0);
        assert!(matches!(
            fatal.validated_with(&None).outcome,
            Outcome::Fatal(ErrorKind::TruncatedRecord)
        ));
    }

    #[test]
    fn a_partition_end_stops_a_batch() {
        let rec = sample_record();
        let n = rec.len() as u64;
        let data = rec.repeat(4);
        let mut batch = frame_batch(&data, 1000, true, 10);
        // The third record starts at 1000 + 2n: it and the fourth are cut.
        batch.stop_before(1000 + 2 * n - 1);
        assert_eq!(
            (batch.chunks.len(), batch.used, batch.done),
            (2, 2 * rec.len(), true)
        );
        let mut batch = frame_batch(&data, 1000, true, 10);
        batch.stop_before(1000 + 2 * n);
        assert_eq!(batch.chunks.len(), 2);
        let mut batch = frame_batch(&data, 1000, false, 10);
        batch.stop_before(1000 + 9 * n);
        assert_eq!((batch.chunks.len(), batch.done), (4, false));
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
