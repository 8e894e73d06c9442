//! Unicode to MARC-8: the encoder behind `Record.as_marc8()` and
//! `MARCWriter(..., encoding="marc8")`.
//!
//! The text of one subfield is written so that pymarc's decoder (and any
//! decoder that follows LoC's rules) reads back the same text, in NFC:
//!
//! * Each character is looked up in the reversed tables (`encode_table.rs`,
//!   generated from the same mapping as the decoder's). A set already in
//!   effect is used when it has the character; otherwise the preferred set
//!   is designated first: `ESC ( F` for G0 (`ESC $ 1` for EACC, the
//!   two-byte `ESC g`, `ESC b`, `ESC p` for Greek symbols, subscripts and
//!   superscripts, and `ESC s` back from them) and `ESC ) F` for G1.
//! * A character and the combining marks that follow it are one cluster.
//!   The character itself is used when a table has it (Cyrillic й, a Hangul
//!   syllable); otherwise the cluster is decomposed (NFD), as é becomes e
//!   and U+0301. The marks are written before their base, as MARC-8 wants.
//! * A character with no MARC-8 form is written as LoC's numeric character
//!   reference `&#xXXXX;` and counted; so are the marks of such a
//!   character, marks with no base before them, and control characters.
//! * Every subfield starts and ends in the default sets (Basic Latin and
//!   ANSEL), since decoders start each subfield afresh.
//!
//! pymarc's decoder goes on after a two-byte escape without looking for a
//! second escape, so the encoder writes one only right before a code (or
//! at the very end).

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::UnicodeNormalization;

use super::decode::{ANSEL, BASIC_LATIN};
use super::encode_table::ENCODE;
use super::table::COMBINING;

const ESC: u8 = 0x1B;
/// ISO final byte of the three-byte East Asian set.
const EACC: u8 = 0x31;
/// The sets designated by a two-byte escape (`ESC F`), left with `ESC s`.
const TWO_BYTE_SETS: [u8; 3] = [0x67, 0x62, 0x70];
const RESET_G0: u8 = 0x73;

/// One way to write a character: the set and the code in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Code {
    set: u8,
    /// One byte, or three EACC bytes packed big-endian.
    code: u32,
    combining: bool,
}

impl Code {
    /// Whether the code is read through G1 (one byte from 0xA1 on).
    fn is_g1(self) -> bool {
        self.set != EACC && self.code > 0x80
    }
}

/// The ways to write `c`, preferred first (see the generator).
fn codes(c: char) -> impl Iterator<Item = Code> {
    let point = u32::from(c);
    let start = ENCODE.partition_point(|&(p, _, _)| p < point);
    ENCODE
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(move |&&(p, _, _)| p == point)
        .map(|&(_, set, code)| Code {
            set,
            code: code & !COMBINING,
            combining: code & COMBINING != 0,
        })
}

/// Whether `c` has a MARC-8 form.
fn has_code(c: char) -> bool {
    codes(c).next().is_some()
}

/// Writes MARC-8 text, keeping track of the sets in effect.
struct Writer<'a> {
    out: &'a mut Vec<u8>,
    g0: u8,
    g1: u8,
    references: usize,
}

impl Writer<'_> {
    /// Whether `code` can be written without an escape sequence.
    fn in_effect(&self, code: Code) -> bool {
        if code.is_g1() {
            self.g1 == code.set && self.g0 != EACC
        } else {
            self.g0 == code.set
        }
    }

    /// The code for `c`: one in a set in effect if there is one, else the
    /// preferred one.
    fn choose(&self, c: char) -> Option<Code> {
        let mut first = None;
        for code in codes(c) {
            if self.in_effect(code) {
                return Some(code);
            }
            first.get_or_insert(code);
        }
        first
    }

    /// Designates `set` as G0. The two-byte escapes (`ESC g`, `ESC b`,
    /// `ESC p`, and `ESC s` back to Basic Latin) are used only when a code
    /// follows at once (`code_next`), since pymarc reads the byte after
    /// them as a character even if it starts another escape; otherwise
    /// Basic Latin is designated with `ESC ( B`.
    fn set_g0(&mut self, set: u8, code_next: bool) {
        if self.g0 == set {
            return;
        }
        if TWO_BYTE_SETS.contains(&set) {
            self.out.extend_from_slice(&[ESC, set]);
        } else if set == BASIC_LATIN && TWO_BYTE_SETS.contains(&self.g0) && code_next {
            self.out.extend_from_slice(&[ESC, RESET_G0]);
        } else if set == EACC {
            self.out.extend_from_slice(&[ESC, b'$', EACC]);
        } else {
            self.out.extend_from_slice(&[ESC, b'(', set]);
        }
        self.g0 = set;
    }

    /// Designates `set` as G1.
    fn set_g1(&mut self, set: u8) {
        if self.g1 != set {
            self.out.extend_from_slice(&[ESC, b')', set]);
            self.g1 = set;
        }
    }

    /// Makes `code` writable: G1 codes also need a one-byte G0 (EACC
    /// would read them as part of a three-byte character). `code_next`:
    /// the code is written right after.
    fn designate(&mut self, code: Code, code_next: bool) {
        if code.is_g1() {
            if self.g0 == EACC {
                self.set_g0(BASIC_LATIN, false);
            }
            self.set_g1(code.set);
        } else {
            self.set_g0(code.set, code_next);
        }
    }

    fn write(&mut self, code: Code) {
        self.designate(code, true);
        if code.set == EACC {
            let [_, a, b, c] = code.code.to_be_bytes();
            self.out.extend_from_slice(&[a, b, c]);
        } else {
            self.out.push(u8::try_from(code.code).unwrap_or(b' '));
        }
    }

    /// Writes `c` as `&#xXXXX;` in Basic Latin, and counts it.
    fn reference(&mut self, c: char) {
        self.set_g0(BASIC_LATIN, true);
        push_reference(self.out, c);
        self.references += 1;
    }

    /// Writes one cluster: a character and the combining marks after it.
    fn cluster(&mut self, cluster: &[char]) {
        let Some((&first, marks)) = cluster.split_first() else {
            return;
        };
        if canonical_combining_class(first) != 0 {
            // Marks with no base before them.
            cluster.iter().for_each(|&c| self.reference(c));
            return;
        }
        let decomposed: Vec<char>;
        let (base, rest) = match self.choose(first) {
            Some(code) if !code.combining => (code, marks),
            _ => {
                decomposed = compose_encodable(cluster);
                let base = decomposed.first().and_then(|&c| self.choose(c));
                match base {
                    Some(code) if !code.combining => {
                        (code, decomposed.get(1..).unwrap_or_default())
                    }
                    _ => {
                        cluster.iter().for_each(|&c| self.reference(c));
                        return;
                    }
                }
            }
        };
        // Designate the base's set first, so that marks it has are taken
        // from it; not for a two-byte escape, which an escape for a mark
        // could follow.
        if !TWO_BYTE_SETS.contains(&base.set) {
            self.designate(base, false);
        }
        for &mark in rest {
            if let Some(code) = self.choose(mark).filter(|c| c.combining) {
                self.write(code);
            }
        }
        self.write(base);
        // Then what follows the base: characters MARC-8 does not treat as
        // combining, and marks it cannot write.
        for &c in rest {
            match self.choose(c) {
                Some(code) if code.combining => {}
                Some(code) => self.write(code),
                None => self.reference(c),
            }
        }
    }

    /// Returns to the default sets (G1 first: `ESC s` may end the text,
    /// where nothing follows it).
    fn finish(&mut self) {
        self.set_g1(ANSEL);
        self.set_g0(BASIC_LATIN, true);
    }
}

/// A cluster MARC-8 lacks as one character, in NFD, with as many of its
/// marks composed back into the base as give a character MARC-8 has (ờ
/// is ơ, which ANSEL has, and a grave accent). A mark is only composed when
/// no mark left before it blocks it (one of the same or a higher class).
fn compose_encodable(cluster: &[char]) -> Vec<char> {
    let mut chars: Vec<char> = cluster.iter().copied().nfd().collect();
    let Some(&first) = chars.first() else {
        return chars;
    };
    let mut base = first;
    let mut kept = vec![];
    let mut highest_kept = 0u8;
    for &c in chars.get(1..).unwrap_or_default() {
        let class = canonical_combining_class(c);
        let blocked = !kept.is_empty() && (class == 0 || highest_kept >= class);
        let composed = if blocked {
            None
        } else {
            unicode_normalization::char::compose(base, c).filter(|&d| has_code(d))
        };
        match composed {
            Some(d) => base = d,
            None => {
                kept.push(c);
                highest_kept = highest_kept.max(class);
            }
        }
    }
    chars.clear();
    chars.push(base);
    chars.extend(kept);
    chars
}

/// Appends LoC's numeric character reference for `c`: `&#x` and at least
/// four upper-case hex digits, then `;`.
pub(crate) fn push_reference(out: &mut Vec<u8>, c: char) {
    out.extend_from_slice(format!("&#x{:04X};", u32::from(c)).as_bytes());
}

/// Whether a byte of text is printable ASCII, which Basic Latin writes as
/// it is.
fn is_plain(b: u8) -> bool {
    (0x20..0x7F).contains(&b)
}

/// Appends `text` (the value of one subfield) in MARC-8 to `out`, starting
/// and ending in the default sets. Returns how many characters had no
/// MARC-8 form and were written as `&#xXXXX;`.
pub fn encode(text: &str, out: &mut Vec<u8>) -> usize {
    if text.bytes().all(is_plain) {
        out.extend_from_slice(text.as_bytes());
        return 0;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut writer = Writer {
        out,
        g0: BASIC_LATIN,
        g1: ANSEL,
        references: 0,
    };
    let mut start = 0;
    while start < chars.len() {
        let mut end = start + 1;
        while chars
            .get(end)
            .is_some_and(|&c| canonical_combining_class(c) != 0)
        {
            end += 1;
        }
        let cluster = chars.get(start..end).unwrap_or_default();
        match cluster {
            // Plain ASCII in Basic Latin, the common case.
            [c] if c.is_ascii() && is_plain(*c as u8) && writer.g0 == BASIC_LATIN => {
                writer.out.push(*c as u8);
            }
            _ => writer.cluster(cluster),
        }
        start = end;
    }
    writer.finish();
    writer.references
}

/// Appends `text` one byte per character (ISO 8859-1), as pymarc reads
/// control fields, indicators and subfield codes of a MARC-8 record; a
/// character beyond U+00FF, or a control character, becomes `&#xXXXX;`.
/// Returns how many did.
pub fn encode_latin1(text: &str, out: &mut Vec<u8>) -> usize {
    if text.bytes().all(is_plain) {
        out.extend_from_slice(text.as_bytes());
        return 0;
    }
    let mut references = 0;
    for c in text.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) if is_plain(b) || b >= 0xA0 => out.push(b),
            _ => {
                push_reference(out, c);
                references += 1;
            }
        }
    }
    references
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::marc8::{decode, Charsets};

    fn marc8(text: &str) -> (Vec<u8>, usize) {
        let mut out = Vec::new();
        let n = encode(text, &mut out);
        (out, n)
    }

    /// What pymarc's decoder reads back, and whether it noted anything.
    fn read_back(bytes: &[u8]) -> String {
        let mut out = Vec::new();
        let mut notes = Vec::new();
        decode(bytes, &mut Charsets::default(), false, &mut out, &mut notes).unwrap();
        assert!(notes.is_empty(), "{bytes:?}: {notes:?}");
        String::from_utf8(out).unwrap()
    }

    fn nfc(text: &str) -> String {
        text.nfc().collect()
    }

    #[test]
    fn ascii_is_copied() {
        assert_eq!(marc8("Hello, world"), (b"Hello, world".to_vec(), 0));
        assert_eq!(marc8(""), (Vec::new(), 0));
    }

    #[test]
    fn marks_go_before_their_base() {
        assert_eq!(marc8("Caf\u{e9}"), (b"Caf\xe2e".to_vec(), 0));
        assert_eq!(marc8("Cafe\u{301}"), (b"Caf\xe2e".to_vec(), 0));
        // Dot below (ccc 220) before acute (230), as NFD orders them.
        let (bytes, _) = marc8("\u{1ea1}\u{301}");
        assert_eq!(bytes, b"\xf2\xe2a");
        assert_eq!(read_back(&bytes), "\u{1ea1}\u{301}");
    }

    #[test]
    fn scripts_switch_sets_and_come_back() {
        let (bytes, n) = marc8("\u{430}\u{431} a");
        assert_eq!(n, 0);
        assert_eq!(bytes, b"\x1b(NAB\x1b(B a");
        let (bytes, _) = marc8("x \u{439}");
        // й is in Basic Cyrillic itself: not decomposed.
        assert_eq!(bytes, b"x \x1b(NJ\x1b(B");
        let (bytes, _) = marc8("\u{3b1}");
        assert_eq!(bytes, b"\x1bga\x1bs");
        assert_eq!(read_back(&bytes), "\u{3b1}");
        let (bytes, _) = marc8("\u{4e00}x");
        assert_eq!(bytes, b"\x1b$1\x21\x30\x21\x1b(Bx");
    }

    #[test]
    fn missing_characters_become_references() {
        let (bytes, n) = marc8("a\u{1F600}b\u{7}");
        assert_eq!(n, 2);
        assert_eq!(bytes, b"a&#x1F600;b&#x0007;");
        // An orphan mark, and a mark on a character MARC-8 lacks.
        let (bytes, n) = marc8("\u{301}x\u{915}\u{301}");
        assert_eq!(n, 3);
        assert_eq!(bytes, b"&#x0301;x&#x0915;&#x0301;");
        let mut out = Vec::new();
        assert_eq!(encode_latin1("a\u{e9}\u{100}", &mut out), 1);
        assert_eq!(out, b"a\xe9&#x0100;");
    }

    #[test]
    fn text_with_a_marc8_form_reads_back_in_nfc() {
        for text in [
            "Dvo\u{159}\u{e1}k",
            "\u{1b0}\u{1edd}ng",
            "\u{5e9}\u{5c1}\u{5b8}\u{5dc}\u{5d5}\u{5b9}\u{5dd} \u{5e2}",
            "\u{627}\u{644}\u{639}\u{631}\u{628}\u{64a}\u{629}",
            "\u{395}\u{3bb}\u{3bb}\u{3ac}\u{3b4}\u{3b1}",
            "\u{4e2d}\u{6587} \u{ac00}",
            "x\u{2080}\u{2081}\u{b2}",
            "\u{451}\u{301}\u{435}",
        ] {
            let (bytes, n) = marc8(text);
            assert_eq!(n, 0, "{text}");
            assert_eq!(read_back(&bytes), nfc(text), "{text}: {bytes:?}");
        }
    }

    #[test]
    fn never_an_escape_right_after_a_two_byte_escape() {
        // Greek symbol alpha with a mark: the mark comes from ANSEL.
        let (bytes, _) = marc8("\u{3b1}\u{301}\u{3b2}");
        assert_eq!(read_back(&bytes), nfc("\u{3b1}\u{301}\u{3b2}"));
        for w in bytes.windows(3) {
            if w[0] == ESC && TWO_BYTE_SETS.contains(&w[1]) {
                assert_ne!(w[2], ESC, "{bytes:?}");
            }
        }
    }

    #[test]
    fn arbitrary_text_reads_back_or_is_counted() {
        // Every code point the tables name, one at a time and in pairs:
        // whatever has no form is referenced, the rest reads back.
        let mut previous = 'a';
        for &(point, _, _) in ENCODE.iter().step_by(7) {
            let Some(c) = char::from_u32(point) else {
                continue;
            };
            for text in [c.to_string(), format!("{previous}{c} ")] {
                let (bytes, n) = marc8(&text);
                if n == 0 {
                    assert_eq!(read_back(&bytes), nfc(&text), "{text:?}");
                }
            }
            previous = c;
        }
    }
}
