//! Validating one framed record and locating its fields.
//!
//! [`decode_layout`] checks a record the way pymarc's `Record.decode_marc`
//! does, in the same order, so that the first problem found is the one
//! pymarc would raise. It copies nothing: the result says where each field's
//! bytes lie, and callers build strings from those spans when asked.

use crate::consts::{
    DIRECTORY_ENTRY_LEN, END_OF_FIELD, END_OF_RECORD, LEADER_LEN, SUBFIELD_INDICATOR,
};
use crate::error::{Error, ErrorKind};
use crate::text::{decode_utf8, parse_py_int, py_slice, Utf8Handling};
use std::ops::Range;

/// Options that change what counts as valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Treat the record as UTF-8 whatever leader position 9 says.
    pub force_utf8: bool,
    /// Decode text at all (`to_unicode`); when false no text is checked.
    pub to_unicode: bool,
    /// How subfield values that are not valid UTF-8 are treated.
    pub utf8_handling: Utf8Handling,
    /// Decode records that are not UTF-8 as MARC-8, as pymarc does with its
    /// default `file_encoding` ('iso8859-1'); when false the batch reader
    /// leaves them to the caller's fallback.
    pub marc8: bool,
    /// pymarc's `hide_utf8_warnings`: no stderr line for unmappable MARC-8.
    pub hide_utf8_warnings: bool,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        Self {
            force_utf8: false,
            to_unicode: true,
            utf8_handling: Utf8Handling::Strict,
            marc8: true,
            hide_utf8_warnings: false,
        }
    }
}

/// Where one field's bytes lie in the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpan {
    /// The three tag bytes from the directory (always ASCII).
    pub tag: [u8; 3],
    /// Start of the field's bytes (its terminator excluded).
    pub start: usize,
    /// End of the field's bytes.
    pub end: usize,
}

impl FieldSpan {
    /// Whether pymarc treats this field as a control field: a numeric tag
    /// below `010`.
    #[must_use]
    pub fn is_control(&self) -> bool {
        self.tag.iter().all(u8::is_ascii_digit) && self.tag < *b"010"
    }
}

/// Something pymarc logs while decoding a record; `field` is the span of
/// the field's bytes, which pymarc includes in the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// A data field had no indicators.
    MissingIndicators { field: Range<usize> },
    /// A data field had one indicator.
    OneIndicator { field: Range<usize> },
    /// A data field had more than two indicators.
    ExtraIndicators { field: Range<usize> },
}

/// A validated record: its leader, fields in directory order, and notes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The 24 leader bytes (ASCII).
    pub leader: [u8; LEADER_LEN],
    /// The fields, in directory order.
    pub fields: Vec<FieldSpan>,
    /// Whether text is UTF-8 (leader position 9 is `a`, or forced).
    pub utf8: bool,
    /// A subfield code is not ASCII: pymarc then warns and normalises the
    /// code with Unicode compatibility decomposition. This crate leaves such
    /// records to the caller's exact fallback; validation stopped there.
    pub needs_fallback: bool,
    /// The record's bytes are exactly what re-encoding its fields gives
    /// (numbers zero-padded, fields back to back, each subfield non-empty,
    /// two indicators), so re-encoding may copy them instead.
    pub canonical: bool,
}

impl Layout {
    /// Whether leader position 9 says UTF-8.
    #[must_use]
    pub fn leader_says_utf8(&self) -> bool {
        self.leader[9] == b'a'
    }
}

/// Validates `record` as pymarc's `decode_marc` would, and locates its
/// fields. Text is validated as UTF-8 only when the record is UTF-8 and
/// `to_unicode` is set; other encodings are the caller's business. What
/// pymarc would log on the way is pushed onto `notes`, also when an error
/// follows (pymarc logs before it raises).
///
/// # Errors
/// The first problem pymarc would raise, with the bytes it concerned.
pub fn decode_layout(
    record: &[u8],
    options: &DecodeOptions,
    notes: &mut Vec<Note>,
) -> Result<Layout, Error> {
    decode_with(record, options, notes, Detail::Full)
}

/// Validates `record` exactly as [`decode_layout`] does (the same error,
/// the same fallback), for a caller that wants only the verdict: the
/// layout comes back with no fields, `canonical` unset, and no notes are
/// taken. A field whose bytes are all ASCII can be neither invalid text
/// nor hold a non-ASCII subfield code or indicator, so it is not looked
/// into (nor is any field of an all-ASCII record).
///
/// # Errors
/// The first problem pymarc would raise, as [`decode_layout`] gives it.
pub fn check_record(record: &[u8], options: &DecodeOptions) -> Result<Layout, Error> {
    decode_with(record, options, &mut Vec::new(), Detail::Verdict)
}

/// How much [`decode_with`] finds out about a valid record.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// Its fields, notes and whether it is canonical.
    Full,
    /// Only whether it is valid (or needs the fallback).
    Verdict,
}

fn decode_with(
    record: &[u8],
    options: &DecodeOptions,
    notes: &mut Vec<Note>,
    detail: Detail,
) -> Result<Layout, Error> {
    let full = detail == Detail::Full;
    let leader_span = 0..record.len().min(LEADER_LEN);
    if !record[leader_span.clone()].is_ascii() {
        return Err(Error::new(ErrorKind::NotAscii, leader_span));
    }
    let Ok(leader) = <[u8; LEADER_LEN]>::try_from(&record[leader_span.clone()]) else {
        return Err(Error::new(ErrorKind::RecordLeaderInvalid, leader_span));
    };
    let utf8 = leader[9] == b'a' || options.force_utf8;

    let base_address =
        parse_py_int(&record[12..17]).ok_or_else(|| Error::new(ErrorKind::IntFromBytes, 12..17))?;
    if base_address <= 0 {
        return Err(Error::new(ErrorKind::BaseAddressNotFound, 12..17));
    }
    let len_i = i64::try_from(record.len()).unwrap_or(i64::MAX);
    if base_address >= len_i {
        return Err(Error::new(ErrorKind::BaseAddressInvalid, 12..17));
    }
    let claimed =
        parse_py_int(&leader[..5]).ok_or_else(|| Error::new(ErrorKind::IntFromText, 0..5))?;
    if len_i < claimed {
        return Err(Error::new(ErrorKind::TruncatedRecord, 0..5));
    }

    let directory_span = py_slice(record.len(), LEADER_LEN as i64, base_address - 1);
    let directory = &record[directory_span.clone()];
    if !directory.is_ascii() {
        return Err(Error::new(ErrorKind::NotAscii, directory_span));
    }
    if directory.len() % DIRECTORY_ENTRY_LEN != 0 {
        return Err(Error::new(
            ErrorKind::RecordDirectoryInvalid,
            directory_span,
        ));
    }

    let entries = directory.len() / DIRECTORY_ENTRY_LEN;
    let mut layout = Layout {
        leader,
        fields: Vec::with_capacity(if full { entries } else { 0 }),
        utf8,
        needs_fallback: false,
        canonical: full
            && is_padded(&leader[..5], len_i, 5)
            && usize::try_from(base_address).ok()
                == Some(LEADER_LEN + entries * DIRECTORY_ENTRY_LEN + 1)
            && is_padded(&record[12..17], base_address, 5)
            && record.get(directory_span.end) == Some(&END_OF_FIELD),
    };
    // Where the next field starts if the fields are back to back.
    let mut next_offset = 0i64;
    // In a record that is valid UTF-8 as a whole, a field is valid text
    // when its span starts and ends on character boundaries (subfield
    // delimiters are ASCII), so only the other fields need checking. The
    // directory may point anywhere, also into the middle of a character.
    let text_matters = utf8 && options.to_unicode;
    // Only for a verdict: no field of an all-ASCII record needs a look.
    let record_is_ascii = !full && record.is_ascii();
    let record_is_utf8 = text_matters && (record_is_ascii || std::str::from_utf8(record).is_ok());
    let mut fields_seen = 0usize;
    for (index, entry) in directory.chunks_exact(DIRECTORY_ENTRY_LEN).enumerate() {
        let entry_at = directory_span.start + index * DIRECTORY_ENTRY_LEN;
        let length = parse_py_int(&entry[3..7])
            .ok_or_else(|| Error::new(ErrorKind::IntFromText, entry_at + 3..entry_at + 7))?;
        let offset = parse_py_int(&entry[7..12])
            .ok_or_else(|| Error::new(ErrorKind::IntFromText, entry_at + 7..entry_at + 12))?;
        fields_seen += 1;
        if record_is_ascii {
            // A verdict, and neither text nor a subfield code can be wrong.
            continue;
        }
        let start = base_address + offset;
        let data = py_slice(record.len(), start, start + length - 1);
        let span = FieldSpan {
            tag: [entry[0], entry[1], entry[2]],
            start: data.start,
            end: data.end,
        };
        let bytes = &record[data.clone()];
        let check_text = text_matters
            && !(record_is_utf8
                && is_char_boundary(record, data.start)
                && is_char_boundary(record, data.end));
        if !full && bytes.is_ascii() {
            continue;
        }
        layout.canonical = layout.canonical
            && offset == next_offset
            && is_padded(&entry[3..7], length, 4)
            && is_padded(&entry[7..12], offset, 5)
            && usize::try_from(start + length).ok() == Some(data.end + 1)
            && record.get(data.end) == Some(&END_OF_FIELD);
        next_offset = offset.saturating_add(length);
        if span.is_control() {
            if check_text && std::str::from_utf8(bytes).is_err() {
                return Err(Error::new(ErrorKind::NotUtf8, data));
            }
        } else {
            match check_data_field(bytes, data, check_text, options.utf8_handling, notes)? {
                DataField::NeedsFallback => {
                    layout.needs_fallback = true;
                    layout.canonical = false;
                    return Ok(layout);
                }
                DataField::Canonical => {}
                DataField::Normalised => layout.canonical = false,
            }
        }
        if full {
            layout.fields.push(span);
        }
    }
    if fields_seen == 0 {
        return Err(Error::new(ErrorKind::NoFieldsFound, directory_span));
    }
    layout.canonical = layout.canonical
        && base_address
            .checked_add(next_offset)
            .and_then(|n| n.checked_add(1))
            == Some(len_i)
        && record.last() == Some(&END_OF_RECORD);
    Ok(layout)
}

/// Whether `text` is `value` in decimal, zero-padded to exactly `width`
/// digits: what the encoder writes for it.
fn is_padded(text: &[u8], value: i64, width: usize) -> bool {
    if text.len() != width || value < 0 {
        return false;
    }
    let mut rest = value;
    for &digit in text.iter().rev() {
        if digit != b'0' + (rest % 10) as u8 {
            return false;
        }
        rest /= 10;
    }
    rest == 0
}

/// What [`check_data_field`] found in a valid data field.
enum DataField {
    /// Re-encoding gives back its bytes.
    Canonical,
    /// Re-encoding changes its bytes (indicators added or dropped, empty
    /// subfields skipped).
    Normalised,
    /// A subfield code is not ASCII.
    NeedsFallback,
}

/// Whether a span of valid UTF-8 `text` may start or end at `at`: not on a
/// continuation byte.
fn is_char_boundary(text: &[u8], at: usize) -> bool {
    text.get(at).map_or(true, |&b| !(0x80..0xc0).contains(&b))
}

/// Whether every field of a decoded record is valid UTF-8 (what decoding
/// with the 'replace' or 'ignore' handler leaves unchanged).
#[must_use]
pub fn fields_are_utf8(record: &[u8], layout: &Layout) -> bool {
    layout.fields.iter().all(|span| {
        record
            .get(span.start..span.end)
            .is_some_and(|bytes| std::str::from_utf8(bytes).is_ok())
    })
}

/// Checks a data field's indicators and subfields, pushing pymarc's
/// indicator log notes.
fn check_data_field(
    bytes: &[u8],
    span: Range<usize>,
    check_text: bool,
    handling: Utf8Handling,
    notes: &mut Vec<Note>,
) -> Result<DataField, Error> {
    let base = span.start;
    let mut parts = SubfieldParts::new(bytes);
    let (ind_start, ind_end) = parts.next().unwrap_or((0, 0));
    if !bytes[ind_start..ind_end].is_ascii() {
        return Err(Error::new(
            ErrorKind::NotAscii,
            base + ind_start..base + ind_end,
        ));
    }
    let mut found = DataField::Canonical;
    match ind_end - ind_start {
        0 => notes.push(Note::MissingIndicators { field: span }),
        1 => notes.push(Note::OneIndicator { field: span }),
        2 => {}
        _ => notes.push(Note::ExtraIndicators { field: span }),
    }
    if ind_end - ind_start != 2 {
        found = DataField::Normalised;
    }
    for (start, end) in parts {
        if start == end {
            found = DataField::Normalised;
            continue;
        }
        if !bytes[start].is_ascii() {
            return Ok(DataField::NeedsFallback);
        }
        if check_text && handling == Utf8Handling::Strict {
            let value = &bytes[start + 1..end];
            if decode_utf8(value, handling).is_none() {
                return Err(Error::new(ErrorKind::NotUtf8, base + start + 1..base + end));
            }
        }
    }
    Ok(found)
}

/// The pieces of `bytes.split(b"\x1f")`, as (start, end) offsets.
pub struct SubfieldParts<'a> {
    bytes: &'a [u8],
    at: usize,
    done: bool,
}

impl<'a> SubfieldParts<'a> {
    /// Splits `bytes` on the subfield delimiter.
    #[must_use]
    pub fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            at: 0,
            done: false,
        }
    }
}

impl Iterator for SubfieldParts<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        if self.done {
            return None;
        }
        let start = self.at;
        let rest = self.bytes.get(start..).unwrap_or_default();
        match find_delimiter(rest) {
            Some(i) => {
                self.at = start + i + 1;
                Some((start, start + i))
            }
            None => {
                self.done = true;
                Some((start, self.bytes.len()))
            }
        }
    }
}

/// The index of the first subfield delimiter in `bytes`. Measured
/// (docs/decisions/0032): subfields are short, where `memchr`'s dispatch
/// and set-up cost more than the search; this looks at eight bytes at a
/// time with plain integer arithmetic.
fn find_delimiter(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    const DELIMITERS: u64 = u64::from_le_bytes([SUBFIELD_INDICATOR; 8]);
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let Ok(eight) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        // A zero byte of `word` is a delimiter. The lowest byte whose
        // high bit `found` sets is the first zero byte (bytes above it may
        // be false hits, never bytes below).
        let word = u64::from_le_bytes(eight) ^ DELIMITERS;
        let found = word.wrapping_sub(ONES) & !word & HIGHS;
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let tail = bytes.get(at..).unwrap_or_default();
    tail.iter()
        .position(|&b| b == SUBFIELD_INDICATOR)
        .map(|i| at + i)
}

/// A data field's bytes as pymarc's decoder reads them: the one home of
/// its two field rules. The indicators are the first two bytes before the
/// first delimiter, a blank standing in for each one missing (extras are
/// dropped); the subfields are the pieces after it that are not empty
/// (pymarc skips the empty pieces of `split(b"\x1f")`).
pub struct DataFieldParts<'a> {
    /// The two indicators.
    pub indicators: [u8; 2],
    parts: SubfieldParts<'a>,
}

impl<'a> DataFieldParts<'a> {
    /// Reads the field `bytes` (without its terminator).
    #[must_use]
    pub fn new(bytes: &'a [u8]) -> Self {
        let mut parts = SubfieldParts::new(bytes);
        let (start, end) = parts.next().unwrap_or((0, 0));
        let given = bytes.get(start..end).unwrap_or_default();
        Self {
            indicators: [
                given.first().copied().unwrap_or(b' '),
                given.get(1).copied().unwrap_or(b' '),
            ],
            parts,
        }
    }
}

impl Iterator for DataFieldParts<'_> {
    /// The `(start, end)` offsets of a subfield: its code at `start`, its
    /// value at `start + 1..end` (`start < end`).
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        self.parts.by_ref().find(|&(start, end)| start < end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::tests::sample_record;

    #[test]
    fn finds_the_first_delimiter_as_a_plain_search_does() {
        // Every placement of up to two delimiters (and bytes that differ
        // from one by a bit) in buffers of 0 to 20 bytes.
        let others = [0x00, 0x1e, 0x20, 0x3f, 0x9f, 0xff, b'a'];
        for len in 0..=20 {
            for first in 0..=len {
                for second in first..=len {
                    for n in 0..others.len() {
                        let mut bytes: Vec<u8> =
                            (0..len).map(|i| others[(i + n) % others.len()]).collect();
                        for at in [first, second] {
                            if let Some(b) = bytes.get_mut(at) {
                                *b = SUBFIELD_INDICATOR;
                            }
                        }
                        let plain = bytes.iter().position(|&b| b == SUBFIELD_INDICATOR);
                        assert_eq!(find_delimiter(&bytes), plain, "{bytes:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn decodes_a_well_formed_record() {
        let rec = sample_record();
        let layout = decode_layout(&rec, &DecodeOptions::default(), &mut Vec::new()).unwrap();
        assert_eq!(layout.fields.len(), 3);
        assert_eq!(&layout.fields[0].tag, b"001");
        assert!(layout.fields[0].is_control());
        assert_eq!(&rec[layout.fields[0].start..layout.fields[0].end], b"12345");
        assert!(!layout.fields[1].is_control());
        assert!(!layout.needs_fallback);
    }

    #[test]
    fn reports_errors_in_pymarc_order() {
        let rec = sample_record();
        let mut bad = rec.clone();
        bad[12] = b'x';
        assert_eq!(
            decode_layout(&bad, &DecodeOptions::default(), &mut Vec::new())
                .unwrap_err()
                .kind,
            ErrorKind::IntFromBytes
        );
        let mut bad = rec.clone();
        bad[12..17].copy_from_slice(b"00000");
        assert_eq!(
            decode_layout(&bad, &DecodeOptions::default(), &mut Vec::new())
                .unwrap_err()
                .kind,
            ErrorKind::BaseAddressNotFound
        );
        let mut bad = rec.clone();
        bad[12..17].copy_from_slice(b"99999");
        assert_eq!(
            decode_layout(&bad, &DecodeOptions::default(), &mut Vec::new())
                .unwrap_err()
                .kind,
            ErrorKind::BaseAddressInvalid
        );
        assert_eq!(
            decode_layout(&rec[..20], &DecodeOptions::default(), &mut Vec::new())
                .unwrap_err()
                .kind,
            ErrorKind::RecordLeaderInvalid
        );
        let mut bad = rec.clone();
        bad[5] = 0xff;
        assert_eq!(
            decode_layout(&bad, &DecodeOptions::default(), &mut Vec::new())
                .unwrap_err()
                .kind,
            ErrorKind::NotAscii
        );
        let mut bad = rec.clone();
        bad[27] = b'x';
        assert_eq!(
            decode_layout(&bad, &DecodeOptions::default(), &mut Vec::new())
                .unwrap_err()
                .kind,
            ErrorKind::IntFromText
        );
    }

    #[test]
    fn invalid_utf8_depends_on_handling() {
        let rec = sample_record();
        let layout = decode_layout(&rec, &DecodeOptions::default(), &mut Vec::new()).unwrap();
        let title = layout.fields[2];
        let mut bad = rec.clone();
        bad[title.end - 1] = 0xff;
        let err = decode_layout(&bad, &DecodeOptions::default(), &mut Vec::new()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::NotUtf8);
        let lenient = DecodeOptions {
            utf8_handling: Utf8Handling::Replace,
            ..DecodeOptions::default()
        };
        assert!(decode_layout(&bad, &lenient, &mut Vec::new()).is_ok());
    }

    #[test]
    fn never_panics_on_mutations() {
        let rec = sample_record();
        // Miri runs far slower: there, every 11th position.
        let step = if cfg!(miri) { 11 } else { 1 };
        for i in (0..rec.len()).step_by(step) {
            for b in [0u8, b'0', b'9', b'-', 0x1e, 0x1f, 0x1d, 0xff, b' '] {
                let mut m = rec.clone();
                m[i] = b;
                let _ = decode_layout(&m, &DecodeOptions::default(), &mut Vec::new());
                let _ = decode_layout(&m[..i], &DecodeOptions::default(), &mut Vec::new());
            }
        }
    }

    /// What a caller that only wants the verdict may rely on.
    fn verdict(result: Result<Layout, Error>) -> Result<(bool, bool), Error> {
        result.map(|l| (l.needs_fallback, l.utf8))
    }

    #[test]
    fn checking_gives_the_verdict_decoding_gives() {
        let rec = sample_record();
        // An all-ASCII record too, where no field is looked into.
        let ascii: Vec<u8> = rec
            .iter()
            .map(|&b| if b < 0x80 { b } else { b'e' })
            .collect();
        let handlers = [Utf8Handling::Strict, Utf8Handling::Replace];
        let step = if cfg!(miri) { 11 } else { 1 };
        for base in [&rec, &ascii] {
            for i in (0..base.len()).step_by(step) {
                for b in [
                    0u8, b'0', b'9', b' ', 0x1e, 0x1f, 0x1d, 0x80, 0xc3, 0xe9, 0xff,
                ] {
                    let mut m = base.clone();
                    m[i] = b;
                    for (force_utf8, utf8_handling) in [(false, handlers[0]), (true, handlers[1])] {
                        let options = DecodeOptions {
                            force_utf8,
                            utf8_handling,
                            ..DecodeOptions::default()
                        };
                        for cut in [&m[..], &m[..i]] {
                            assert_eq!(
                                verdict(check_record(cut, &options)),
                                verdict(decode_layout(cut, &options, &mut Vec::new())),
                                "byte {i} set to {b:#x}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn subfield_parts_are_the_pieces_of_a_split() {
        // Delimiters before, at and after the bytes looked at one by one.
        for len in 0..80 {
            for step in [1, 5, 23, 24, 25, 31, 70] {
                let bytes: Vec<u8> = (0..len)
                    .map(|i| {
                        if i % step == step - 1 {
                            0x1f
                        } else {
                            b'a' + (i % 26) as u8
                        }
                    })
                    .collect();
                let pieces: Vec<&[u8]> = bytes.split(|&b| b == SUBFIELD_INDICATOR).collect();
                let parts: Vec<&[u8]> = SubfieldParts::new(&bytes)
                    .map(|(s, e)| &bytes[s..e])
                    .collect();
                assert_eq!(parts, pieces, "len {len}, step {step}");
            }
        }
    }

    #[test]
    fn data_field_parts_default_indicators_and_drop_empty_subfields() {
        let one = DataFieldParts::new(b"1\x1f\x1faA\x1fbB\x1f");
        assert_eq!(one.indicators, *b"1 ");
        assert_eq!(one.collect::<Vec<_>>(), vec![(3, 5), (6, 8)]);
        let none = DataFieldParts::new(b"");
        assert_eq!(none.indicators, *b"  ");
        assert_eq!(none.count(), 0);
        let extra = DataFieldParts::new(b"123\x1fa");
        assert_eq!(extra.indicators, *b"12");
        assert_eq!(extra.collect::<Vec<_>>(), vec![(4, 5)]);
    }
}
