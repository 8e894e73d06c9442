//! The MARC-8 decoder: pymarc's `MARC8ToUnicode.translate`, step for step.
//!
//! pymarc's rules, malformed input included:
//!
//! * `ESC ( F`, `ESC , F` and `ESC $ F` (also `ESC $ , F`) set G0 to `F`;
//!   `ESC ) F` and `ESC - F` set G1. A G0 escape with fewer than three bytes
//!   left keeps the ESC in the text as U+001B.
//! * A two-byte `ESC F` whose `F` names a character set sets G0, and `ESC s`
//!   resets G0 to Basic Latin; decoding then goes on at the next byte
//!   without checking it for another escape. An ESC followed by anything
//!   else is decoded as an ordinary (dropped) control byte.
//! * Bytes below 0x20 and from 0x81 to 0x9F are dropped.
//! * A code missing from the active set is looked up in `ODD_MAP`; failing
//!   that it becomes a space, noted unless quiet.
//! * Combining marks are held back until the next base character; marks
//!   still held at the end are dropped. The result is NFC.
//! * In EACC a truncated final character is noted (even when quiet) and
//!   decoded as code 0x20, which EACC lacks.
//! * Where pymarc's slicing runs off the end inside an escape (or after a
//!   two-byte escape at the very end), Python raises; so does this decoder.

use std::fmt;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use super::table::{is_known_set, single_byte_set, COMBINING, EACC_CODES, EACC_ENTRIES, ODD_MAP};

/// ISO final byte of Basic Latin (ASCII), the default G0.
pub const BASIC_LATIN: u8 = 0x42;
/// ISO final byte of Extended Latin (ANSEL), the default G1.
pub const ANSEL: u8 = 0x45;
/// ISO final byte of the three-byte East Asian set.
const EACC: u8 = 0x31;
/// Final byte of the two-byte escape that resets G0 to Basic Latin.
const RESET_G0: u8 = 0x73;
const ESC: u8 = 0x1B;

/// The character sets in effect: ISO final bytes of G0 and G1. Escape
/// sequences change them, and the change outlives one call of [`decode`],
/// as it outlives one call of pymarc's `translate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Charsets {
    /// The set for bytes 0x21-0x7E (and all of EACC's three bytes).
    pub g0: u8,
    /// The set for bytes 0xA1-0xFE.
    pub g1: u8,
}

impl Default for Charsets {
    fn default() -> Self {
        Self {
            g0: BASIC_LATIN,
            g1: ANSEL,
        }
    }
}

/// A line pymarc writes to `sys.stderr` while decoding; [`fmt::Display`]
/// gives the line's exact text, without its final newline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marc8Note {
    /// A code no table maps (only when not quiet); it became a space.
    Unmappable {
        /// The code: a byte, or three EACC bytes packed big-endian.
        code: u32,
        /// G0 at the time.
        g0: u8,
        /// G1 at the time.
        g1: u8,
    },
    /// An EACC character cut short by the end of the input (always noted).
    EaccTruncated {
        /// Where the character would have ended.
        position: usize,
        /// The input's length.
        length: usize,
    },
}

impl fmt::Display for Marc8Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Unmappable { code, g0, g1 } => {
                write!(f, "Unable to parse character 0x{code:x} in g0={g0} g1={g1}")
            }
            Self::EaccTruncated { position, length } => write!(
                f,
                "Multi-byte position {position} exceeds length of marc8 string {length}"
            ),
        }
    }
}

/// An input on which pymarc's decoder raises (an escape sequence cut off
/// by the end of the input): `marc8_to_unicode` turns that into
/// `UnicodeDecodeError('marc8_to_unicode', ...)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Marc8Error {
    /// The offset at which decoding broke down.
    pub position: usize,
}

impl fmt::Display for Marc8Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid multibyte character encoding at byte {}",
            self.position
        )
    }
}

impl std::error::Error for Marc8Error {}

/// Decodes `input` as pymarc does, appending the NFC text to `out` (as
/// UTF-8: `out` stays valid UTF-8 if it was) and pymarc's stderr lines to
/// `notes`. `state` holds G0 and G1 on entry and
/// on return. With `quiet`, unmappable codes are not noted.
///
/// # Errors
/// Where pymarc raises; `out` is then left as it was (`notes` and `state`
/// keep what happened before the failure, as pymarc's would).
pub fn decode(
    input: &[u8],
    state: &mut Charsets,
    quiet: bool,
    out: &mut Vec<u8>,
    notes: &mut Vec<Marc8Note>,
) -> Result<(), Marc8Error> {
    let start = out.len();
    if let Err(err) = decode_raw(input, state, quiet, out, notes) {
        out.truncate(start);
        return Err(err);
    }
    normalize_tail(out, start);
    Ok(())
}

/// Puts `out[start..]` (UTF-8 written by [`decode_raw`]) in NFC.
fn normalize_tail(out: &mut Vec<u8>, start: usize) {
    let Some(tail) = out.get(start..) else {
        return;
    };
    if tail.is_ascii() {
        return;
    }
    let Ok(tail) = std::str::from_utf8(tail) else {
        return;
    };
    if is_nfc_quick(tail.chars()) == IsNormalized::Yes {
        return;
    }
    let normalized: String = tail.nfc().collect();
    out.truncate(start);
    out.extend_from_slice(normalized.as_bytes());
}

/// Appends `ch` as UTF-8.
fn push_char(out: &mut Vec<u8>, ch: char) {
    let mut buf = [0u8; 4];
    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
}

/// The character for a code in the set `charset`: (char, combining).
fn lookup(charset: u8, code: u32) -> Option<(char, bool)> {
    let entry = if charset == EACC {
        let at = EACC_CODES.binary_search(&code).ok()?;
        *EACC_ENTRIES.get(at)?
    } else {
        let table = single_byte_set(charset)?;
        *table.get(usize::try_from(code).ok()?)?
    };
    if entry == 0 {
        return None;
    }
    let ch = char::from_u32(entry & !COMBINING)?;
    Some((ch, entry & COMBINING != 0))
}

fn odd_map(code: u32) -> Option<char> {
    let at = ODD_MAP.binary_search_by_key(&code, |&(c, _)| c).ok()?;
    char::from_u32(ODD_MAP.get(at)?.1)
}

/// The decoding loop, before normalisation.
fn decode_raw(
    input: &[u8],
    state: &mut Charsets,
    quiet: bool,
    out: &mut Vec<u8>,
    notes: &mut Vec<Marc8Note>,
) -> Result<(), Marc8Error> {
    let size = input.len();
    let byte_at = |at: usize| input.get(at).copied().ok_or(Marc8Error { position: at });
    let mut marks: Vec<char> = Vec::new();
    let mut i = 0usize;
    while i < size {
        if state.g0 == BASIC_LATIN && marks.is_empty() {
            // Printable ASCII maps to itself in Basic Latin: copy the run.
            let run = input[i..]
                .iter()
                .position(|b| !(0x20..0x7F).contains(b))
                .unwrap_or(size - i);
            if run > 0 {
                out.extend_from_slice(&input[i..i + run]);
                i += run;
                continue;
            }
        }
        if input[i] == ESC {
            match input.get(i + 1).copied() {
                None => return Err(Marc8Error { position: i + 1 }),
                Some(intro @ (b'(' | b',' | b'$')) => {
                    if size < i + 3 {
                        out.push(ESC);
                        i += 1;
                        continue;
                    }
                    if intro == b'$' && input.get(i + 2) == Some(&b',') {
                        i += 1;
                    }
                    state.g0 = byte_at(i + 2)?;
                    i += 3;
                    continue;
                }
                Some(b')' | b'-') => {
                    // pymarc's `ESC $ - F` form is unreachable: `$` is
                    // taken by the G0 branch above.
                    state.g1 = byte_at(i + 2)?;
                    i += 3;
                    continue;
                }
                Some(final_byte) => {
                    if is_known_set(final_byte) {
                        state.g0 = final_byte;
                        i += 2;
                    } else if final_byte == RESET_G0 {
                        state.g0 = BASIC_LATIN;
                        i += 2;
                        if i == size {
                            break;
                        }
                    }
                }
            }
        }

        let wide = state.g0 == EACC;
        let code = if wide {
            let code = match input.get(i..i + 3) {
                Some(&[a, b, c]) => u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c),
                _ => {
                    notes.push(Marc8Note::EaccTruncated {
                        position: i + 3,
                        length: size,
                    });
                    0x20
                }
            };
            i += 3;
            code
        } else {
            let code = u32::from(byte_at(i)?);
            i += 1;
            code
        };

        if code < 0x20 || (0x80 < code && code < 0xA0) {
            continue;
        }
        let charset = if code > 0x80 && !wide {
            state.g1
        } else {
            state.g0
        };
        let (ch, combining) = match lookup(charset, code) {
            Some(found) => found,
            None => {
                if let Some(ch) = odd_map(code) {
                    push_char(out, ch);
                    continue;
                }
                if !quiet {
                    notes.push(Marc8Note::Unmappable {
                        code,
                        g0: state.g0,
                        g1: state.g1,
                    });
                }
                (' ', false)
            }
        };
        if combining {
            marks.push(ch);
        } else {
            push_char(out, ch);
            for mark in marks.drain(..) {
                push_char(out, mark);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8], quiet: bool) -> (Result<String, Marc8Error>, Vec<Marc8Note>, Charsets) {
        let mut state = Charsets::default();
        let mut out = Vec::new();
        let mut notes = Vec::new();
        let result = decode(input, &mut state, quiet, &mut out, &mut notes)
            .map(|()| String::from_utf8(out).unwrap());
        (result, notes, state)
    }

    fn text(input: &[u8]) -> String {
        run(input, false).0.unwrap()
    }

    #[test]
    fn no_table_maps_to_a_control_character() {
        let point = |entry: u32| entry & !COMBINING;
        for set in 0..=255u8 {
            if let Some(table) = single_byte_set(set) {
                for (code, &entry) in table.iter().enumerate().skip(0x20) {
                    assert!(entry == 0 || point(entry) >= 0x20, "{set:#x} {code:#x}");
                }
            }
        }
        assert!(EACC_ENTRIES.iter().all(|&e| point(e) >= 0x20));
        assert!(ODD_MAP.iter().all(|&(_, p)| p >= 0x20));
    }

    #[test]
    fn ascii_passes_through() {
        assert_eq!(text(b"Hello, world"), "Hello, world");
        assert_eq!(text(b""), "");
    }

    #[test]
    fn combining_marks_move_after_their_base_and_compose() {
        // ANSEL 0xE2 is the combining acute accent.
        assert_eq!(text(b"Caf\xe2e"), "Caf\u{e9}");
        // Two marks: acute (E2) then dot below (F2) on 'a'.
        assert_eq!(text(b"\xe2\xf2a"), "\u{1ea1}\u{301}");
        // A mark left pending at the end is dropped.
        assert_eq!(text(b"ab\xe2"), "ab");
    }

    #[test]
    fn controls_are_dropped() {
        assert_eq!(text(b"a\x01b\x85c\x9fd"), "abcd");
    }

    #[test]
    fn escapes_switch_sets() {
        // Cyrillic (N) as G0 via ESC ( N, back to ASCII via ESC ( B.
        assert_eq!(text(b"\x1b(NA\x1b(BA"), "\u{430}A");
        // Two-byte form ESC g (Greek symbols) then ESC s reset.
        assert_eq!(text(b"\x1bga\x1bsa"), "\u{3b1}a");
        let (_, _, state) = run(b"\x1b)Q", false);
        assert_eq!(state.g1, b'Q');
        // ESC $ , F sets G0 to F.
        let (_, _, state) = run(b"\x1b$,1", false);
        assert_eq!(state.g0, EACC);
    }

    #[test]
    fn eacc_is_three_bytes() {
        // 0x213021 is U+4E00 in EACC (one).
        assert_eq!(text(b"\x1b$1\x21\x30\x21\x1b(Bx"), "\u{4e00}x");
    }

    #[test]
    fn truncated_eacc_is_noted_even_when_quiet() {
        let (result, notes, _) = run(b"\x1b$1\x21\x30", true);
        assert_eq!(result.unwrap(), " ");
        assert_eq!(
            notes,
            vec![Marc8Note::EaccTruncated {
                position: 6,
                length: 5
            }]
        );
        assert_eq!(
            notes[0].to_string(),
            "Multi-byte position 6 exceeds length of marc8 string 5"
        );
    }

    #[test]
    fn unmappable_codes_become_spaces() {
        let (result, notes, _) = run(b"a\xafb", false);
        assert_eq!(result.unwrap(), "a b");
        assert_eq!(
            notes[0].to_string(),
            "Unable to parse character 0xaf in g0=66 g1=69"
        );
        let (result, notes, _) = run(b"a\xafb", true);
        assert_eq!(result.unwrap(), "a b");
        assert!(notes.is_empty());
    }

    #[test]
    fn short_escapes() {
        // A G0 escape with too few bytes keeps the ESC.
        assert_eq!(text(b"a\x1b("), "a\u{1b}(");
        // A lone ESC at the end, a G1 escape cut off, a two-byte escape at
        // the very end and a cut `ESC $ ,` are errors.
        for bad in [&b"a\x1b"[..], b"\x1b)", b"\x1bN", b"\x1b$,"] {
            assert!(run(bad, false).0.is_err(), "{bad:?}");
        }
        // ESC s at the very end just stops.
        assert_eq!(text(b"a\x1bs"), "a");
    }

    #[test]
    fn state_carries_over() {
        let mut state = Charsets::default();
        let mut out = Vec::new();
        decode(b"\x1b(N", &mut state, false, &mut out, &mut Vec::new()).unwrap();
        decode(b"A", &mut state, false, &mut out, &mut Vec::new()).unwrap();
        assert_eq!(out, "\u{430}".as_bytes());
    }

    #[test]
    fn errors_leave_the_output_alone() {
        let mut out = b"kept".to_vec();
        let mut state = Charsets::default();
        assert!(decode(b"abc\x1b", &mut state, false, &mut out, &mut Vec::new()).is_err());
        assert_eq!(out, b"kept");
    }
}
