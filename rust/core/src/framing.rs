//! Record framing: where the next record in a byte stream ends.
//!
//! The rules are those of pymarc's `MARCReader.__next__`: read five bytes,
//! parse them with Python's `int()`, read the rest of the claimed length and
//! check that the last byte is the end-of-record mark. A length under five
//! makes pymarc call `read()` with a negative size, which reads to the end of
//! the stream; that is reproduced too. Framing allocates nothing.

use crate::consts::END_OF_RECORD;
use crate::error::ErrorKind;
use crate::text::parse_py_int;

/// The outcome of looking for one record at the start of a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frame {
    /// The buffer holds too little to decide; supply more bytes, or call
    /// again with `at_eof` set once the stream is exhausted.
    NeedMore,
    /// The stream is exhausted at a record boundary.
    End,
    /// The first `len` bytes are one framed record, ready for decoding.
    Record {
        /// Length of the record in bytes.
        len: usize,
    },
    /// Framing failed; pymarc's reader stops here. The first `len` bytes are
    /// what pymarc exposes as `current_chunk`.
    Fatal {
        /// One of the three fatal kinds.
        kind: ErrorKind,
        /// Length of `current_chunk`.
        len: usize,
    },
}

/// Length of the record-length prefix.
const LENGTH_PREFIX: usize = 5;

/// Frames the record at the start of `buf`. `at_eof` says that no bytes
/// follow `buf` in the stream.
#[must_use]
pub fn next_frame(buf: &[u8], at_eof: bool) -> Frame {
    if buf.is_empty() {
        return if at_eof { Frame::End } else { Frame::NeedMore };
    }
    if buf.len() < LENGTH_PREFIX {
        return if at_eof {
            Frame::Fatal {
                kind: ErrorKind::TruncatedRecord,
                len: buf.len(),
            }
        } else {
            Frame::NeedMore
        };
    }
    let Some(claimed) = parse_py_int(&buf[..LENGTH_PREFIX]) else {
        return Frame::Fatal {
            kind: ErrorKind::RecordLengthInvalid,
            len: LENGTH_PREFIX,
        };
    };
    // pymarc reads `claimed - 5` more bytes; a negative count reads them all.
    let len = match usize::try_from(claimed) {
        Ok(n) if n >= LENGTH_PREFIX => {
            if buf.len() < n {
                return if at_eof {
                    Frame::Fatal {
                        kind: ErrorKind::TruncatedRecord,
                        len: buf.len(),
                    }
                } else {
                    Frame::NeedMore
                };
            }
            n
        }
        _ => {
            if !at_eof {
                return Frame::NeedMore;
            }
            buf.len()
        }
    };
    if buf[len - 1] == END_OF_RECORD {
        Frame::Record { len }
    } else {
        Frame::Fatal {
            kind: ErrorKind::EndOfRecordNotFound,
            len,
        }
    }
}

/// Bytes still needed before [`next_frame`] can decide, if that is known:
/// the claimed record length minus what is buffered.
#[must_use]
pub fn bytes_wanted(buf: &[u8]) -> Option<usize> {
    if buf.len() < LENGTH_PREFIX {
        return Some(LENGTH_PREFIX - buf.len());
    }
    let claimed = usize::try_from(parse_py_int(&buf[..LENGTH_PREFIX])?).ok()?;
    (claimed >= LENGTH_PREFIX).then(|| claimed.saturating_sub(buf.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame_all(mut data: &[u8]) -> Vec<Frame> {
        let mut out = Vec::new();
        loop {
            let f = next_frame(data, true);
            out.push(f);
            match f {
                Frame::Record { len } => data = &data[len..],
                _ => return out,
            }
        }
    }

    #[test]
    fn frames_records_in_sequence() {
        let data = b"00006\x1d00007a\x1d0001";
        assert_eq!(
            frame_all(data),
            vec![
                Frame::Record { len: 6 },
                Frame::Record { len: 7 },
                Frame::Fatal {
                    kind: ErrorKind::TruncatedRecord,
                    len: 4
                }
            ]
        );
        assert_eq!(
            frame_all(b"00006\x1d"),
            vec![Frame::Record { len: 6 }, Frame::End]
        );
    }

    #[test]
    fn fatal_cases_match_pymarc() {
        assert_eq!(
            next_frame(b"12", true),
            Frame::Fatal {
                kind: ErrorKind::TruncatedRecord,
                len: 2
            }
        );
        assert_eq!(
            next_frame(b"abcde....", true),
            Frame::Fatal {
                kind: ErrorKind::RecordLengthInvalid,
                len: 5
            }
        );
        assert_eq!(
            next_frame(b"00007xx", true),
            Frame::Fatal {
                kind: ErrorKind::EndOfRecordNotFound,
                len: 7
            }
        );
        assert_eq!(
            next_frame(b"00005", true),
            Frame::Fatal {
                kind: ErrorKind::EndOfRecordNotFound,
                len: 5
            }
        );
        // A length under five reads to the end of the stream.
        assert_eq!(next_frame(b"00000abc\x1d", true), Frame::Record { len: 9 });
        assert_eq!(
            next_frame(b"-0001abc", true),
            Frame::Fatal {
                kind: ErrorKind::EndOfRecordNotFound,
                len: 8
            }
        );
    }

    #[test]
    fn partial_input_asks_for_more() {
        assert_eq!(next_frame(b"0001", false), Frame::NeedMore);
        assert_eq!(next_frame(b"00010abc", false), Frame::NeedMore);
        assert_eq!(bytes_wanted(b"00010abc"), Some(2));
        assert_eq!(next_frame(b"00000abc", false), Frame::NeedMore);
        assert_eq!(bytes_wanted(b"00000abc"), None);
    }

    #[test]
    fn never_panics_on_short_garbage() {
        for n in 0..64u8 {
            let data: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            let _ = next_frame(&data, true);
            let _ = next_frame(&data, false);
            let _ = bytes_wanted(&data);
        }
    }
}
