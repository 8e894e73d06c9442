//! Text rules that pymarc inherits from Python: `int()` on short ASCII
//! strings, slice clamping, `str.strip()` whitespace and the UTF-8 decoder's
//! error handlers.

use std::ops::Range;

/// Python's `int()` in base 10 on ASCII text: surrounding ASCII whitespace,
/// an optional sign, and digits with single underscores between them.
/// Returns `None` where Python raises `ValueError`.
#[must_use]
#[inline]
pub fn parse_py_int(text: &[u8]) -> Option<i64> {
    plain_digits(text).or_else(|| parse_py_int_in_full(text))
}

/// The common case of [`parse_py_int`]: nothing but ASCII digits (at most
/// 18 of them, which cannot overflow).
#[inline]
fn plain_digits(text: &[u8]) -> Option<i64> {
    if text.is_empty() || text.len() > 18 {
        return None;
    }
    let mut value = 0i64;
    for &b in text {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value * 10 + i64::from(digit);
    }
    Some(value)
}

#[cold]
#[inline(never)]
fn parse_py_int_in_full(text: &[u8]) -> Option<i64> {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r');
    let start = text.iter().position(|b| !is_space(b))?;
    let end = text.iter().rposition(|b| !is_space(b))? + 1;
    let mut body = &text[start..end];
    let negative = match body.first() {
        Some(b'-') => true,
        Some(b'+') => false,
        _ => {
            return parse_digits(body);
        }
    };
    body = &body[1..];
    let value = parse_digits(body)?;
    Some(if negative { -value } else { value })
}

fn parse_digits(body: &[u8]) -> Option<i64> {
    let mut value: i64 = 0;
    let mut previous_was_digit = false;
    for &b in body {
        match b {
            b'0'..=b'9' => {
                value = value.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
                previous_was_digit = true;
            }
            b'_' if previous_was_digit => previous_was_digit = false,
            _ => return None,
        }
    }
    previous_was_digit.then_some(value)
}

/// The range Python's `seq[start:stop]` selects from a sequence of `len`.
#[must_use]
pub fn py_slice(len: usize, start: i64, stop: i64) -> Range<usize> {
    let clamp = |i: i64| -> usize {
        let len_i = i64::try_from(len).unwrap_or(i64::MAX);
        let i = if i < 0 { i + len_i } else { i };
        usize::try_from(i.clamp(0, len_i)).unwrap_or(0)
    };
    let (s, e) = (clamp(start), clamp(stop));
    if s >= e {
        s..s
    } else {
        s..e
    }
}

/// Python's `str.isspace()` for one character: what `str.strip()` removes.
#[must_use]
pub fn is_py_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\x1c'..='\x20'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Python's `str.strip()` with no arguments.
#[must_use]
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// How invalid UTF-8 is treated, as Python's codec error handlers do it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Utf8Handling {
    /// `'strict'`: invalid bytes are an error.
    Strict,
    /// `'replace'`: each invalid sequence becomes U+FFFD.
    Replace,
    /// `'ignore'`: invalid sequences are dropped.
    Ignore,
}

impl Utf8Handling {
    /// The handler for a Python error-handler name, if Rust implements it.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "strict" => Some(Self::Strict),
            "replace" => Some(Self::Replace),
            "ignore" => Some(Self::Ignore),
            _ => None,
        }
    }
}

/// Decodes UTF-8 as `bytes.decode("utf-8", handling)` does. Returns `None`
/// only for invalid input under [`Utf8Handling::Strict`].
#[must_use]
pub fn decode_utf8(bytes: &[u8], handling: Utf8Handling) -> Option<std::borrow::Cow<'_, str>> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Some(std::borrow::Cow::Borrowed(s));
    }
    let mut out = String::with_capacity(bytes.len() + 2);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            match handling {
                Utf8Handling::Strict => return None,
                Utf8Handling::Replace => out.push('\u{FFFD}'),
                Utf8Handling::Ignore => {}
            }
        }
    }
    Some(std::borrow::Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_parsing_follows_python() {
        assert_eq!(parse_py_int(b"00123"), Some(123));
        assert_eq!(parse_py_int(b" 1_2 "), Some(12));
        assert_eq!(parse_py_int(b"+12"), Some(12));
        assert_eq!(parse_py_int(b"-0001"), Some(-1));
        assert_eq!(parse_py_int(b"\x0b1\x0c"), Some(1));
        for bad in [
            &b"1__2"[..],
            b"_12",
            b"12_",
            b"",
            b"   ",
            b"1\x002",
            b"0x1",
            b"- 1",
            b"+",
            b"\x1c12",
        ] {
            assert_eq!(parse_py_int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn slices_follow_python() {
        assert_eq!(py_slice(10, 2, 5), 2..5);
        assert_eq!(py_slice(10, -3, 20), 7..10);
        assert_eq!(py_slice(10, 5, 2), 5..5);
        assert_eq!(py_slice(10, -30, -20), 0..0);
        assert_eq!(py_slice(10, 12, 15), 10..10);
    }

    #[test]
    fn strip_matches_python_whitespace() {
        assert_eq!(py_strip("\x1c a b\u{3000}\u{85}"), "a b");
        assert_eq!(py_strip("\u{200b}x"), "\u{200b}x");
    }

    #[test]
    fn utf8_handlers() {
        let bad = b"a\xffb\xe2\x82";
        assert_eq!(decode_utf8(bad, Utf8Handling::Strict), None);
        assert_eq!(
            decode_utf8(bad, Utf8Handling::Replace).unwrap(),
            "a\u{FFFD}b\u{FFFD}"
        );
        assert_eq!(decode_utf8(bad, Utf8Handling::Ignore).unwrap(), "ab");
    }
}
