//! Finding the elements of a JSON document's top-level array (or the one
//! top-level object) in a byte stream, without parsing them, so that a
//! MARC-in-JSON document can be read one record at a time in bounded
//! memory. No I/O: the caller keeps the bytes in a buffer, asks
//! [`Splitter::next`] for the next element, appends more bytes when told
//! [`Split::NeedMore`], and may drop a prefix it no longer needs
//! ([`Splitter::consumed`], [`Splitter::shift`]).
//!
//! Only the document's frame is checked here (the brackets and commas of
//! the top-level array, nothing but whitespace after it); an element is
//! delimited by its brackets and strings alone, and checked by whoever
//! parses it. Whitespace is JSON's: space, tab, line feed, carriage return.

use std::ops::Range;

/// What [`Splitter::next`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Split {
    /// The next element lies at this range of the buffer. At the end of
    /// the input an element may be cut short: its parser then says what
    /// is wrong with it.
    Element(Range<usize>),
    /// More input is needed (or, given `eof`, never came).
    NeedMore,
    /// The document ended properly.
    End,
    /// The document's frame is broken at this offset of the buffer.
    Broken(usize, FrameError),
}

/// What is wrong with a document's frame, in the words of Python's `json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// A value was expected (the input ended, or an array had `,]`).
    ExpectingValue,
    /// A `,` or `]` was expected after an element.
    ExpectingDelimiter,
    /// Something other than whitespace follows the document.
    ExtraData,
}

impl FrameError {
    /// Python's `json` message for it.
    #[must_use]
    pub fn message(self) -> &'static str {
        match self {
            Self::ExpectingValue => "Expecting value",
            Self::ExpectingDelimiter => "Expecting ',' delimiter",
            Self::ExtraData => "Extra data",
        }
    }
}

/// Where the splitter is in the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before the document's first character.
    Top,
    /// After `[`: an element or `]`.
    First,
    /// After `,`: an element.
    Next,
    /// After an element: `,` or `]`.
    After,
    /// Inside an element starting at `start`.
    Element(Scan),
    /// After the document: whitespace only.
    Trailing,
    /// Nothing more (the end, or a broken frame).
    Done,
}

/// How far into an element the scan is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Scan {
    start: usize,
    /// Open brackets (0 for a string, number or literal element).
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// A number or literal: it ends at the first delimiter.
    scalar: bool,
    /// The document's single top-level object, not an array element.
    whole: bool,
}

/// The state of a split (see the module's documentation).
#[derive(Clone, Debug)]
pub struct Splitter {
    state: State,
    /// The next byte of the buffer to look at.
    pos: usize,
}

impl Default for Splitter {
    fn default() -> Self {
        Self::new()
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Whether `b` may start a value (Python's `json` also reads `NaN`,
/// `Infinity` and `-Infinity`).
fn starts_value(b: u8) -> bool {
    matches!(
        b,
        b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n' | b'N' | b'I'
    )
}

impl Splitter {
    /// A splitter at the start of a document.
    #[must_use]
    pub fn new() -> Self {
        Self {
            state: State::Top,
            pos: 0,
        }
    }

    /// A splitter that has nothing more to find ([`Split::End`]).
    #[must_use]
    pub fn finished() -> Self {
        Self {
            state: State::Done,
            pos: 0,
        }
    }

    /// How many bytes at the front of the buffer are no longer needed.
    #[must_use]
    pub fn consumed(&self) -> usize {
        match self.state {
            State::Element(scan) => scan.start,
            _ => self.pos,
        }
    }

    /// The caller dropped the first `n` bytes of the buffer (at most
    /// [`Splitter::consumed`]).
    pub fn shift(&mut self, n: usize) {
        self.pos -= n;
        if let State::Element(scan) = &mut self.state {
            scan.start -= n;
        }
    }

    /// The next thing in `buffer` (all of the input so far, less what was
    /// dropped); `eof` says no more input will come.
    pub fn next(&mut self, buffer: &[u8], eof: bool) -> Split {
        loop {
            let Some(&b) = buffer.get(self.pos) else {
                return self.at_end(buffer, eof);
            };
            match self.state {
                State::Top => match b {
                    b'[' => self.step(State::First),
                    b'{' => self.begin(b, true),
                    _ if is_space(b) => self.pos += 1,
                    _ => return self.broken(FrameError::ExpectingValue),
                },
                State::First | State::Next | State::After if is_space(b) => self.pos += 1,
                State::First if b == b']' => self.step(State::Trailing),
                State::First | State::Next if b == b']' => {
                    return self.broken(FrameError::ExpectingValue)
                }
                State::First | State::Next if starts_value(b) => self.begin(b, false),
                State::First | State::Next => return self.broken(FrameError::ExpectingValue),
                State::After => match b {
                    b',' => self.step(State::Next),
                    b']' => self.step(State::Trailing),
                    _ => return self.broken(FrameError::ExpectingDelimiter),
                },
                State::Element(_) => {
                    if let Some(found) = self.scan(buffer) {
                        return found;
                    }
                }
                State::Trailing if is_space(b) => self.pos += 1,
                State::Trailing => return self.broken(FrameError::ExtraData),
                State::Done => return Split::End,
            }
        }
    }

    fn step(&mut self, state: State) {
        self.state = state;
        self.pos += 1;
    }

    fn broken(&mut self, error: FrameError) -> Split {
        self.state = State::Done;
        Split::Broken(self.pos, error)
    }

    /// Starts an element at `self.pos`, whose first byte is `b`.
    fn begin(&mut self, b: u8, whole: bool) {
        let container = matches!(b, b'{' | b'[');
        self.state = State::Element(Scan {
            start: self.pos,
            depth: u32::from(container),
            in_string: b == b'"',
            escaped: false,
            scalar: !container && b != b'"',
            whole,
        });
        self.pos += 1;
    }

    /// Scans the element under way; `Some` once it ends.
    fn scan(&mut self, buffer: &[u8]) -> Option<Split> {
        let State::Element(mut scan) = self.state else {
            return None;
        };
        while self.pos < buffer.len() {
            let b = buffer[self.pos];
            if scan.in_string {
                if scan.escaped {
                    scan.escaped = false;
                } else if b == b'\\' {
                    scan.escaped = true;
                } else if b == b'"' {
                    scan.in_string = false;
                    if scan.depth == 0 {
                        self.pos += 1;
                        return Some(self.finish(scan));
                    }
                } else {
                    // Skip to the next quote or backslash.
                    match memchr::memchr2(b'"', b'\\', &buffer[self.pos..]) {
                        Some(i) => {
                            self.pos += i;
                            continue;
                        }
                        None => {
                            self.pos = buffer.len();
                            break;
                        }
                    }
                }
            } else if scan.scalar {
                if is_space(b) || matches!(b, b',' | b']' | b'}' | b'[' | b'{' | b'"') {
                    return Some(self.finish(scan));
                }
            } else {
                match b {
                    b'"' => scan.in_string = true,
                    b'{' | b'[' => scan.depth += 1,
                    b'}' | b']' => {
                        scan.depth -= 1;
                        if scan.depth == 0 {
                            self.pos += 1;
                            return Some(self.finish(scan));
                        }
                    }
                    _ => {}
                }
            }
            self.pos += 1;
        }
        self.state = State::Element(scan);
        None
    }

    fn finish(&mut self, scan: Scan) -> Split {
        self.state = if scan.whole {
            State::Trailing
        } else {
            State::After
        };
        Split::Element(scan.start..self.pos)
    }

    /// The end of what `buffer` holds.
    fn at_end(&mut self, buffer: &[u8], eof: bool) -> Split {
        if !eof {
            return Split::NeedMore;
        }
        match self.state {
            State::Trailing | State::Done => {
                self.state = State::Done;
                Split::End
            }
            State::Element(scan) => {
                // A number or literal ends here; anything else was cut
                // short, and its parser says how.
                self.state = if scan.scalar {
                    State::After
                } else {
                    State::Done
                };
                Split::Element(scan.start..buffer.len())
            }
            State::After => self.broken(FrameError::ExpectingDelimiter),
            State::Top | State::First | State::Next => self.broken(FrameError::ExpectingValue),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every element's text and the end, feeding `doc` in pieces of
    /// `piece` bytes and dropping what is consumed as a reader would.
    fn split(doc: &str, piece: usize) -> (Vec<String>, Split) {
        let (mut splitter, mut buffer, mut fed) = (Splitter::new(), Vec::new(), 0);
        let mut found = Vec::new();
        loop {
            let eof = fed == doc.len();
            match splitter.next(&buffer, eof) {
                Split::Element(r) => found.push(String::from_utf8(buffer[r].to_vec()).unwrap()),
                Split::NeedMore if !eof => {
                    let n = splitter.consumed();
                    buffer.drain(..n);
                    splitter.shift(n);
                    let end = (fed + piece).min(doc.len());
                    buffer.extend_from_slice(&doc.as_bytes()[fed..end]);
                    fed = end;
                }
                other => return (found, other),
            }
        }
    }

    fn check(doc: &str, elements: &[&str], end: &Split) {
        for piece in [1, 2, 3, 7, 64, doc.len().max(1)] {
            let (found, last) = split(doc, piece);
            assert_eq!(found, elements, "{doc:?} in pieces of {piece}");
            match (&last, end) {
                (Split::Broken(_, a), Split::Broken(_, b)) => assert_eq!(a, b, "{doc:?}"),
                _ => assert_eq!(&last, end, "{doc:?} in pieces of {piece}"),
            }
        }
    }

    #[test]
    fn arrays_are_split_into_their_elements() {
        check("[]", &[], &Split::End);
        check(" [ ] \n", &[], &Split::End);
        check(
            r#"[{"a": [1, {"b": "]}\"["}]}, 5 ,"x\"y", [], true]"#,
            &[
                r#"{"a": [1, {"b": "]}\"["}]}"#,
                "5",
                r#""x\"y""#,
                "[]",
                "true",
            ],
            &Split::End,
        );
        check("[1,2]", &["1", "2"], &Split::End);
        check(
            r#"["\\", "a\\\"b"]"#,
            &[r#""\\""#, r#""a\\\"b""#],
            &Split::End,
        );
    }

    #[test]
    fn one_object_is_one_element() {
        check(
            r#" {"leader": "x", "f": [{}]} "#,
            &[r#"{"leader": "x", "f": [{}]}"#],
            &Split::End,
        );
    }

    #[test]
    fn broken_frames_say_what_python_says() {
        let broken = |e| Split::Broken(0, e);
        check("", &[], &broken(FrameError::ExpectingValue));
        check("[", &[], &broken(FrameError::ExpectingValue));
        check("[1,]", &["1"], &broken(FrameError::ExpectingValue));
        check("[,1]", &[], &broken(FrameError::ExpectingValue));
        check("[1 2]", &["1"], &broken(FrameError::ExpectingDelimiter));
        check("[{} {}]", &["{}"], &broken(FrameError::ExpectingDelimiter));
        check("[1", &["1"], &broken(FrameError::ExpectingDelimiter));
        check("[] x", &[], &broken(FrameError::ExtraData));
        check("{} {}", &["{}"], &broken(FrameError::ExtraData));
        check("x", &[], &broken(FrameError::ExpectingValue));
        assert_eq!(
            split("[1 2]", 100).1,
            Split::Broken(3, FrameError::ExpectingDelimiter)
        );
    }

    #[test]
    fn elements_cut_short_are_handed_out_for_their_parser() {
        check(r#"[{"a": "b"#, &[r#"{"a": "b"#], &Split::End);
        check(r#"[{"a": 1}, [2"#, &[r#"{"a": 1}"#, "[2"], &Split::End);
    }
}
