//! Record-aligned partitions of a MARC file, so that several processes or
//! machines can each read part of one file.
//!
//! Three steps, each reading little:
//!
//! * [`plan`] cuts a file into byte ranges of about a target size. At each
//!   cut it looks for a record terminator and takes the byte after it as a
//!   boundary only when a leader that checks out starts there (five digits
//!   whose length ends on a terminator, a base address that ends on a field
//!   terminator); otherwise it scans on. It reads a few kilobytes per
//!   boundary, never the whole file. Compressed and MARCXML files are one
//!   partition.
//! * [`frame_span`] follows the file's framing through one range as
//!   pymarc's reader would (five length digits, then the claimed length,
//!   which must end on a terminator) without decoding anything, and says
//!   where the framing leaves the range and how many records it met.
//! * [`resolve`] chains those results: where sequential reading really
//!   enters each range, and how many records come before it. A damaged
//!   record whose length is wrong moves the framing of what follows, and a
//!   framing error ends reading, so a range's true entry depends on every
//!   record before it; a planned boundary is only a good guess of it.
//!
//! A record belongs to the range in which it starts. Read from its entry,
//! up to the first record that starts at or after its end, each range
//! yields exactly the records (and failures) of one sequential read that
//! start in it.

use std::io::{self, Read, Seek, SeekFrom};

use crate::consts::{END_OF_FIELD, END_OF_RECORD, LEADER_LEN};
use crate::text::parse_py_int;

/// Bytes read at a time while framing a range.
pub const FRAME_BLOCK: usize = 1 << 20;
/// Bytes read at a time while looking for a boundary.
const SCAN_BLOCK: usize = 1 << 14;
/// Length of the record-length prefix.
const LENGTH_PREFIX: u64 = 5;
/// The longest record five length digits can claim.
const MAX_RECORD: u64 = 99_999;
/// The smallest record that can pass the planner's leader check: a leader,
/// the directory's terminator and the record's.
const MIN_RECORD: u64 = LEADER_LEN as u64 + 2;

/// A compression recognised by its magic bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// gzip (`1f 8b`).
    Gzip,
    /// bzip2 (`BZh`).
    Bzip2,
    /// xz (`fd 37 7a 58 5a 00`).
    Xz,
}

impl Compression {
    /// The name Python's modules go by: "gzip", "bz2" or "xz".
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Gzip => "gzip",
            Self::Bzip2 => "bz2",
            Self::Xz => "xz",
        }
    }
}

/// What a file holds, judged by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// ISO 2709 records, or anything not recognised as something else
    /// (read as pymarc's reader would read it).
    Iso2709,
    /// MARCXML: the first byte after blanks (and a byte order mark) is `<`.
    MarcXml,
    /// A compressed file, whatever it holds.
    Compressed(Compression),
}

impl Format {
    /// Whether the file can be cut into several partitions.
    #[must_use]
    pub fn splittable(self) -> bool {
        self == Self::Iso2709
    }
}

/// The partitions of one file: `bounds[i]..bounds[i + 1]` is partition
/// `i`. There is always at least one (`[0, 0]` for an empty file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// What the file holds.
    pub format: Format,
    /// Partition boundaries, from 0 to the file's length, increasing.
    pub bounds: Vec<u64>,
}

/// How framing left a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// Where the next record starts (at or after the range's end, or the
    /// file's length when reading ends there); `None` when a framing error
    /// in the range ends sequential reading.
    pub next: Option<u64>,
    /// Records (and failed chunks) that start in the range.
    pub records: u64,
}

/// Where sequential reading enters one partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The offset of the first record that starts in the partition; the
    /// partition's end when none does (reading ended before it, or a
    /// record that starts before it runs past it).
    pub offset: u64,
    /// Records (and failed chunks) of the file before that one.
    pub records_before: u64,
}

/// Byte access to a file through one reused block: positioned reads, with
/// the file's length taken as the end of the data (a file that shrinks
/// while it is read ends where the data ends).
struct Window<'a, R> {
    src: &'a mut R,
    len: u64,
    start: u64,
    buf: Vec<u8>,
    block: usize,
    /// Blocks are not read past this offset unless a read asks for it.
    limit: u64,
}

impl<'a, R: Read + Seek> Window<'a, R> {
    fn new(src: &'a mut R, len: u64, block: usize) -> Self {
        Self {
            src,
            len,
            start: 0,
            buf: Vec::new(),
            block,
            limit: u64::MAX,
        }
    }

    /// Up to `n` bytes from `pos`: fewer only at the end of the data.
    fn bytes(&mut self, pos: u64, n: usize) -> io::Result<&[u8]> {
        if pos >= self.len {
            return Ok(&[]);
        }
        let end = pos.saturating_add(n as u64).min(self.len);
        let held = self.start + self.buf.len() as u64;
        if pos < self.start || end > held {
            self.load(pos, n)?;
        }
        let from = usize::try_from(pos - self.start).unwrap_or(usize::MAX);
        let to = usize::try_from(end.min(self.start + self.buf.len() as u64) - self.start)
            .unwrap_or(usize::MAX);
        Ok(self.buf.get(from..to).unwrap_or(&[]))
    }

    /// The byte at `pos`, if the data reaches it.
    fn byte(&mut self, pos: u64) -> io::Result<Option<u8>> {
        Ok(self.bytes(pos, 1)?.first().copied())
    }

    fn load(&mut self, pos: u64, n: usize) -> io::Result<()> {
        let block = (self.block as u64).min(self.limit.saturating_sub(pos));
        let want = (self.len - pos).min(block.max(n as u64));
        self.src.seek(SeekFrom::Start(pos))?;
        self.buf.clear();
        let got = (&mut *self.src).take(want).read_to_end(&mut self.buf)? as u64;
        self.start = pos;
        if got < want {
            // The file ended early (it shrank): that is the end of the data.
            self.len = pos + got;
        }
        Ok(())
    }
}

/// What the file holds, from its first bytes.
fn sniff(head: &[u8]) -> Format {
    match head {
        [0x1f, 0x8b, ..] => return Format::Compressed(Compression::Gzip),
        [b'B', b'Z', b'h', ..] => return Format::Compressed(Compression::Bzip2),
        [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => return Format::Compressed(Compression::Xz),
        // UTF-16 byte order marks: only XML is written that way.
        [0xff, 0xfe, ..] | [0xfe, 0xff, ..] => return Format::MarcXml,
        _ => {}
    }
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') => Format::MarcXml,
        _ => Format::Iso2709,
    }
}

/// Plans partitions of about `target` bytes (at least one byte) for the
/// data `src` holds, `len` bytes long.
///
/// # Errors
/// Reading or seeking failed.
pub fn plan<R: Read + Seek>(src: &mut R, len: u64, target: u64) -> io::Result<Plan> {
    let target = target.max(1);
    let mut w = Window::new(src, len, SCAN_BLOCK);
    let format = sniff(w.bytes(0, 512)?);
    let mut bounds = vec![0];
    if format.splittable() {
        let mut cut = target;
        while cut < w.len {
            match find_record_start(&mut w, cut)? {
                Some(boundary) => {
                    bounds.push(boundary);
                    cut = boundary.saturating_add(target);
                }
                None => break,
            }
        }
    }
    bounds.push(w.len);
    Ok(Plan { format, bounds })
}

/// The first offset at or after `from` (at least 1) that follows a record
/// terminator and starts a plausible record.
fn find_record_start<R: Read + Seek>(w: &mut Window<'_, R>, from: u64) -> io::Result<Option<u64>> {
    let mut pos = from - 1;
    loop {
        let found = {
            let block = w.bytes(pos, SCAN_BLOCK)?;
            if block.is_empty() {
                return Ok(None);
            }
            match memchr::memchr(END_OF_RECORD, block) {
                Some(i) => Some(pos + i as u64 + 1),
                None => {
                    pos += block.len() as u64;
                    None
                }
            }
        };
        if let Some(candidate) = found {
            if candidate >= w.len {
                return Ok(None);
            }
            if plausible_record_start(w, candidate)? {
                return Ok(Some(candidate));
            }
            pos = candidate;
        }
    }
}

/// Whether a record whose leader checks out starts at `p`: five digits of
/// length that end on a record terminator, five digits of base address
/// inside the record that end on a field terminator.
fn plausible_record_start<R: Read + Seek>(w: &mut Window<'_, R>, p: u64) -> io::Result<bool> {
    let leader = w.bytes(p, LEADER_LEN)?;
    if leader.len() < LEADER_LEN {
        return Ok(false);
    }
    let (Some(length), Some(base)) = (digits5(&leader[0..5]), digits5(&leader[12..17])) else {
        return Ok(false);
    };
    if length < MIN_RECORD || p + length > w.len || base <= LEADER_LEN as u64 || base >= length {
        return Ok(false);
    }
    Ok(w.byte(p + base - 1)? == Some(END_OF_FIELD)
        && w.byte(p + length - 1)? == Some(END_OF_RECORD))
}

/// Five ASCII digits as a number.
fn digits5(b: &[u8]) -> Option<u64> {
    b.iter().try_fold(0u64, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0'))
    })
}

/// One step of pymarc's framing at `p`.
enum Step {
    /// The data ends at `p`: reading ends normally.
    End,
    /// A record (good or bad) spans `p` to this offset.
    Next(u64),
    /// A framing error: pymarc's reader yields `None` and stops.
    Fatal,
}

/// Frames the record at `p` as `framing::next_frame` does at the end of a
/// stream, reading only the length prefix and the last byte.
fn step<R: Read + Seek>(w: &mut Window<'_, R>, p: u64) -> io::Result<Step> {
    if p >= w.len {
        return Ok(Step::End);
    }
    let prefix = w.bytes(p, LENGTH_PREFIX as usize)?;
    if prefix.len() < LENGTH_PREFIX as usize {
        return Ok(Step::Fatal);
    }
    let Some(claimed) = parse_py_int(prefix) else {
        return Ok(Step::Fatal);
    };
    // pymarc reads `claimed - 5` more bytes; a negative count reads them all.
    let end = match u64::try_from(claimed) {
        Ok(n) if n >= LENGTH_PREFIX => match p.checked_add(n) {
            Some(end) if end <= w.len => end,
            _ => return Ok(Step::Fatal),
        },
        _ => w.len,
    };
    Ok(if w.byte(end - 1)? == Some(END_OF_RECORD) {
        Step::Next(end)
    } else {
        Step::Fatal
    })
}

/// Follows pymarc's framing from `entry` (where a record starts in
/// sequential reading) through the records that start before `end`.
///
/// # Errors
/// Reading or seeking failed.
pub fn frame_span<R: Read + Seek>(src: &mut R, len: u64, entry: u64, end: u64) -> io::Result<Span> {
    let mut w = Window::new(src, len, FRAME_BLOCK);
    // The last record that starts before `end` ends within this (or reads
    // to the end of the file, of which only the last byte is looked at).
    w.limit = end.saturating_add(MAX_RECORD);
    let mut at = entry;
    let mut records = 0u64;
    while at < end {
        match step(&mut w, at)? {
            Step::End => break,
            Step::Next(next) => {
                records += 1;
                at = next;
            }
            Step::Fatal => {
                return Ok(Span {
                    next: None,
                    records: records + 1,
                })
            }
        }
    }
    Ok(Span {
        next: Some(at),
        records,
    })
}

/// Where sequential reading enters each of `ranges` (sorted, not
/// overlapping, all of one file). `spans[i]`, when given, is what
/// [`frame_span`] found for range `i` entered at its start; `reframe(from,
/// to)` frames whatever else the walk needs (gaps between ranges, a range
/// entered elsewhere than at its start, a missing span) and is called only
/// then.
///
/// # Errors
/// Whatever `reframe` returns.
pub fn resolve<E>(
    ranges: &[(u64, u64)],
    spans: &[Option<Span>],
    mut reframe: impl FnMut(u64, u64) -> Result<Span, E>,
) -> Result<Vec<Entry>, E> {
    let mut entries = Vec::with_capacity(ranges.len());
    // The next record's offset; `None` once reading has ended.
    let mut at = Some(0u64);
    let mut before = 0u64;
    let follow = |at: &mut Option<u64>, before: &mut u64, span: Span| {
        *before += span.records;
        *at = span.next;
    };
    for (i, &(start, end)) in ranges.iter().enumerate() {
        if let Some(a) = at.filter(|&a| a < start) {
            let span = reframe(a, start)?;
            follow(&mut at, &mut before, span);
        }
        match at {
            Some(a) if a < end => {
                entries.push(Entry {
                    offset: a,
                    records_before: before,
                });
                if i + 1 < ranges.len() {
                    let span = match spans.get(i).copied().flatten() {
                        Some(span) if a == start => span,
                        _ => reframe(a, end)?,
                    };
                    follow(&mut at, &mut before, span);
                }
            }
            _ => entries.push(Entry {
                offset: end,
                records_before: before,
            }),
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::frame_batch;
    use crate::encode::tests::sample_record;
    use std::io::Cursor;

    /// Where the records (and the failure that ends reading) of one
    /// sequential read start, from `from` on, before `stop`.
    fn starts(data: &[u8], from: u64, stop: u64) -> Vec<u64> {
        let rest = &data[usize::try_from(from).unwrap()..];
        let batch = frame_batch(rest, from, true, usize::MAX);
        batch
            .chunks
            .iter()
            .map(|c| from + c.start as u64)
            .take_while(|&o| o < stop)
            .collect()
    }

    fn sequential(data: &[u8]) -> Vec<u64> {
        starts(data, 0, u64::MAX)
    }

    fn plan_of(data: &[u8], target: u64) -> Plan {
        plan(&mut Cursor::new(data), data.len() as u64, target).unwrap()
    }

    fn entries(data: &[u8], bounds: &[u64], with_spans: bool) -> Vec<Entry> {
        let len = data.len() as u64;
        let ranges: Vec<(u64, u64)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
        let spans: Vec<Option<Span>> = ranges
            .iter()
            .map(|&(s, e)| {
                with_spans.then(|| frame_span(&mut Cursor::new(data), len, s, e).unwrap())
            })
            .collect();
        resolve(&ranges, &spans, |from, to| {
            frame_span(&mut Cursor::new(data), len, from, to)
        })
        .unwrap()
    }

    /// The record offsets each partition yields when read from its entry.
    fn read_partitions(data: &[u8], bounds: &[u64], with_spans: bool) -> Vec<u64> {
        let all = sequential(data);
        let mut out = Vec::new();
        for (entry, w) in entries(data, bounds, with_spans)
            .iter()
            .zip(bounds.windows(2))
        {
            let mine = starts(data, entry.offset, w[1]);
            let count = mine.len();
            out.extend(mine);
            // records_before counts what the partitions before yielded.
            assert_eq!(entry.records_before as usize, out.len() - count);
            assert!(all.len() >= out.len());
        }
        out
    }

    #[test]
    fn clean_files_cut_at_record_starts() {
        let rec = sample_record();
        let data = rec.repeat(50);
        let plan = plan_of(&data, 3 * rec.len() as u64 + 1);
        assert_eq!(plan.format, Format::Iso2709);
        assert_eq!(plan.bounds.first(), Some(&0));
        assert_eq!(plan.bounds.last(), Some(&(data.len() as u64)));
        for b in &plan.bounds {
            assert_eq!(b % rec.len() as u64, 0);
        }
        assert_eq!(plan.bounds.len(), 14);
        assert_eq!(
            read_partitions(&data, &plan.bounds, true),
            sequential(&data)
        );
    }

    #[test]
    fn tiny_targets_give_one_record_per_partition() {
        let rec = sample_record();
        let data = rec.repeat(5);
        let plan = plan_of(&data, 1);
        assert_eq!(plan.bounds.len(), 6);
        assert_eq!(
            read_partitions(&data, &plan.bounds, true),
            sequential(&data)
        );
    }

    #[test]
    fn a_wrong_length_moves_the_framing_of_later_partitions() {
        let rec = sample_record();
        let n = rec.len();
        // The second record claims two records' length: it swallows the
        // third, and sequential reading goes on at the fourth.
        let mut data = rec.repeat(6);
        let long = format!("{:05}", 2 * n);
        data[n..n + 5].copy_from_slice(long.as_bytes());
        let plan = plan_of(&data, 1);
        assert_eq!(plan.bounds.len(), 7, "the planner cuts at every leader");
        let seq = sequential(&data);
        assert_eq!(
            seq,
            vec![0, n as u64, 3 * n as u64, 4 * n as u64, 5 * n as u64]
        );
        assert_eq!(read_partitions(&data, &plan.bounds, true), seq);
        assert_eq!(read_partitions(&data, &plan.bounds, false), seq);
        let e = entries(&data, &plan.bounds, true);
        assert_eq!(
            e[2].offset, plan.bounds[3],
            "the swallowed record's partition is empty"
        );
    }

    #[test]
    fn a_framing_error_ends_every_later_partition() {
        let rec = sample_record();
        let n = rec.len();
        let mut data = rec.repeat(4);
        data[n..n + 5].copy_from_slice(b"12x45");
        let plan = plan_of(&data, 1);
        let seq = sequential(&data);
        assert_eq!(seq, vec![0, n as u64]);
        assert_eq!(read_partitions(&data, &plan.bounds, true), seq);
        // The damaged record is no boundary; the partitions after the one
        // that holds it are empty.
        assert_eq!(
            plan.bounds,
            vec![0, 2 * n as u64, 3 * n as u64, 4 * n as u64]
        );
        let e = entries(&data, &plan.bounds, true);
        assert_eq!(
            e[2],
            Entry {
                offset: data.len() as u64,
                records_before: 2
            }
        );
    }

    #[test]
    fn a_short_length_reads_to_the_end() {
        let rec = sample_record();
        let n = rec.len();
        let mut data = rec.repeat(4);
        data[n..n + 5].copy_from_slice(b"00003");
        let seq = sequential(&data);
        assert_eq!(seq, vec![0, n as u64]);
        for target in [1, 7, n as u64, 2 * n as u64 + 3] {
            let plan = plan_of(&data, target);
            assert_eq!(read_partitions(&data, &plan.bounds, true), seq);
        }
    }

    /// A reader that counts the bytes it hands out.
    struct Counting<R> {
        inner: R,
        read: u64,
    }

    impl<R: Read> Read for Counting<R> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.read += n as u64;
            Ok(n)
        }
    }

    impl<R: Seek> Seek for Counting<R> {
        fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
            self.inner.seek(pos)
        }
    }

    #[test]
    fn planning_reads_a_few_blocks_per_boundary() {
        let rec = sample_record();
        let data = rec.repeat((16 << 20) / rec.len());
        let mut src = Counting {
            inner: Cursor::new(&data),
            read: 0,
        };
        let plan = plan(&mut src, data.len() as u64, 4 << 20).unwrap();
        assert_eq!(plan.bounds.len(), 5);
        assert!(src.read <= 5 * SCAN_BLOCK as u64, "read {} bytes", src.read);
    }

    #[test]
    fn formats_are_recognised() {
        assert_eq!(plan_of(b"", 10).bounds, vec![0, 0]);
        assert_eq!(
            plan_of(b"\x1f\x8b\x08rest", 1).format,
            Format::Compressed(Compression::Gzip)
        );
        assert_eq!(
            plan_of(b"BZh91AY", 1).format,
            Format::Compressed(Compression::Bzip2)
        );
        assert_eq!(
            plan_of(b"\xfd7zXZ\x00..", 1).format,
            Format::Compressed(Compression::Xz)
        );
        let xml = b"\xef\xbb\xbf \n<?xml version='1.0'?><collection/>";
        let p = plan_of(xml, 1);
        assert_eq!(
            (p.format, p.bounds),
            (Format::MarcXml, vec![0, xml.len() as u64])
        );
        assert_eq!(plan_of(b"00026", 1).format, Format::Iso2709);
    }

    #[test]
    fn frame_span_agrees_with_next_frame_on_short_garbage() {
        let samples: [&[u8]; 6] = [
            b"",
            b"0001",
            b"abcde\x1d",
            b"00006\x1d00007a\x1d0001",
            b"-0001abc\x1d",
            b"00005",
        ];
        for data in samples {
            let span = frame_span(
                &mut Cursor::new(data),
                data.len() as u64,
                0,
                data.len() as u64,
            )
            .unwrap();
            let seq = sequential(data);
            assert_eq!(span.records as usize, seq.len(), "{data:?}");
        }
    }
}
