//! Character-level XML rules: names, whitespace, character validity,
//! references, and the normalisation of text and attribute values.
//!
//! Only what expat accepts may pass; anything rarer than MARCXML needs
//! (non-ASCII names, entities other than the five predefined ones) is
//! refused with a reason, which sends the document to expat.

/// XML's `S`: space, tab, carriage return, line feed.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The number of `S` bytes at the start of `s`.
pub(crate) fn space_len(s: &[u8]) -> usize {
    s.iter().take_while(|&&b| is_space(b)).count()
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':')
}

/// The length of the (ASCII) XML name at the start of `s`. Names that use
/// characters outside ASCII, or that start with a colon, are refused.
pub(crate) fn name_len(s: &[u8]) -> Result<usize, &'static str> {
    match s.first() {
        Some(&b) if is_name_start(b) => {}
        Some(&b) if b >= 0x80 || b == b':' => return Err("unusual name"),
        _ => return Err("name expected"),
    }
    let n = s.iter().take_while(|&&b| is_name_char(b)).count();
    if s.get(n).is_some_and(|&b| b >= 0x80) {
        return Err("non-ASCII name");
    }
    Ok(n)
}

/// Splits a namespace-aware name into `(prefix, local)`. Names with more
/// than one colon, or an empty or odd part, are refused.
pub(crate) fn split_qname(name: &str) -> Result<(Option<&str>, &str), &'static str> {
    let colon = memchr::memchr(b':', name.as_bytes());
    match colon.and_then(|i| Some((name.get(..i)?, name.get(i + 1..)?))) {
        None => Ok((None, name)),
        Some((prefix, local)) => {
            let ok = !prefix.is_empty()
                && local.as_bytes().first().is_some_and(|&b| is_name_start(b))
                && memchr::memchr(b':', local.as_bytes()).is_none();
            if ok {
                Ok((Some(prefix), local))
            } else {
                Err("unusual qualified name")
            }
        }
    }
}

/// XML 1.0's `Char` (Rust's `char` already excludes surrogates).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `s` as text, if it is UTF-8 made only of XML characters.
pub(crate) fn xml_text(s: &[u8]) -> Result<&str, &'static str> {
    // One pass over the bytes: control characters, and whether any byte is
    // outside ASCII (only then is UTF-8 and the character range checked).
    let mut high = 0u8;
    for &b in s {
        if b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') {
            return Err("control character");
        }
        high |= b;
    }
    let text = std::str::from_utf8(s).map_err(|_| "invalid UTF-8")?;
    if high >= 0x80 && !text.chars().all(is_xml_char) {
        return Err("non-character");
    }
    Ok(text)
}

/// The character a reference stands for; `body` is what lies between `&`
/// and `;`.
fn reference(body: &str) -> Result<char, &'static str> {
    let code = if let Some(hex) = body.strip_prefix("#x") {
        parse_number(hex, 16)?
    } else if let Some(dec) = body.strip_prefix('#') {
        parse_number(dec, 10)?
    } else {
        return match body {
            "lt" => Ok('<'),
            "gt" => Ok('>'),
            "amp" => Ok('&'),
            "apos" => Ok('\''),
            "quot" => Ok('"'),
            _ => Err("entity reference"),
        };
    };
    char::from_u32(code)
        .filter(|&c| is_xml_char(c))
        .ok_or("bad character reference")
}

fn parse_number(digits: &str, radix: u32) -> Result<u32, &'static str> {
    if digits.is_empty() || digits.len() > 10 {
        return Err("bad character reference");
    }
    let mut value: u32 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix).ok_or("bad character reference")?;
        value = value
            .checked_mul(radix)
            .and_then(|v| v.checked_add(d))
            .ok_or("bad character reference")?;
    }
    Ok(value)
}

/// Splits off the reference at the start of `s` (which starts with `&`):
/// the character and the number of bytes it took.
fn take_reference(s: &str) -> Result<(char, usize), &'static str> {
    let end = s.as_bytes().iter().take(16).position(|&b| b == b';');
    let end = end.ok_or("unterminated reference")?;
    let body = s.get(1..end).ok_or("bad reference")?;
    Ok((reference(body)?, end + 1))
}

/// Character data (already checked by [`xml_text`]) with references
/// expanded and line ends normalised, appended to `out`.
pub(crate) fn decode_text(text: &str, out: &mut String) -> Result<(), &'static str> {
    let mut rest = text;
    while let Some(i) = rest.find(['&', '\r']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with('&') {
            let (c, used) = take_reference(tail)?;
            out.push(c);
            rest = &tail[used..];
        } else {
            out.push('\n');
            rest = tail.strip_prefix("\r\n").unwrap_or(&tail[1..]);
        }
    }
    out.push_str(rest);
    Ok(())
}

/// CDATA content: line ends normalised only.
pub(crate) fn decode_cdata(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push('\n');
        let tail = &rest[i..];
        rest = tail.strip_prefix("\r\n").unwrap_or(&tail[1..]);
    }
    out.push_str(rest);
}

/// An attribute value (between its quotes) normalised as XML says for
/// CDATA attributes: references expanded, each literal tab, line feed,
/// carriage return or CR LF pair turned into one space. Appended to `out`.
pub(crate) fn decode_attr(raw: &[u8], out: &mut String) -> Result<(), &'static str> {
    if memchr::memchr(b'<', raw).is_some() {
        return Err("'<' in attribute value");
    }
    let text = xml_text(raw)?;
    if !raw
        .iter()
        .any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r'))
    {
        out.push_str(text);
        return Ok(());
    }
    let mut rest = text;
    while let Some(i) = rest.find(['&', '\t', '\n', '\r']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with('&') {
            let (c, used) = take_reference(tail)?;
            out.push(c);
            rest = &tail[used..];
        } else {
            out.push(' ');
            rest = tail.strip_prefix("\r\n").unwrap_or(&tail[1..]);
        }
    }
    out.push_str(rest);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let mut out = String::new();
        decode_text("a&amp;b&#65;&#x42;\r\nc\rd", &mut out).unwrap();
        assert_eq!(out, "a&bAB\nc\nd");
        assert!(decode_text("&#0;", &mut String::new()).is_err());
        assert!(decode_text("&#xD800;", &mut String::new()).is_err());
        assert!(decode_text("&#X41;", &mut String::new()).is_err());
        assert!(decode_text("&nbsp;", &mut String::new()).is_err());
        assert!(decode_text("&amp", &mut String::new()).is_err());
    }

    #[test]
    fn attribute_values() {
        let mut out = String::new();
        decode_attr(b"a\tb\r\nc&#10;d", &mut out).unwrap();
        assert_eq!(out, "a b c\nd");
        assert!(decode_attr(b"a<b", &mut String::new()).is_err());
    }

    #[test]
    fn names() {
        assert_eq!(name_len(b"abc d"), Ok(3));
        assert!(name_len(b"1abc").is_err());
        assert!(name_len("ab\u{e9}".as_bytes()).is_err());
        assert_eq!(split_qname("m:record"), Ok((Some("m"), "record")));
        assert!(split_qname("a:b:c").is_err());
        assert!(split_qname("a:").is_err());
    }

    #[test]
    fn characters() {
        assert!(xml_text(b"ok\t\n").is_ok());
        assert!(xml_text(b"\x01").is_err());
        assert!(xml_text("\u{FFFE}".as_bytes()).is_err());
        assert!(xml_text(b"\xff").is_err());
    }
}
