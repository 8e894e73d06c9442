//! Reading a MARC-in-JSON record object straight into the layout of a
//! decoded ISO 2709 record (its fields' text in one UTF-8 buffer,
//! delimited as in a record, with a [`Layout`] over it), as pymarc's
//! `JSONReader` builds it. serde visitors write each string where it goes
//! (keys and values are borrowed from the input, never owned), so a record
//! costs one buffer and one list of field spans.
//!
//! A record is laid out only when it is plain, that is when pymarc's calls
//! build it in the one way a laid-out record stands for: a `leader` of 24
//! ASCII characters; a `fields` array of at least one object, each read by
//! its first key, a tag of three ASCII characters (a repeat of that key
//! would replace the body: not plain); a control field's tag (digits below
//! `010`) with a string body; any other tag with a string body (a data
//! field with blank indicators and no subfields, `Field()` drops the data)
//! or an object holding `ind1`, `ind2` (one ASCII character each) and a
//! `subfields` array of objects whose items are one ASCII character codes
//! to string values (a repeated code in one object: not plain); no
//! delimiter characters in any text. An object's repeated key otherwise
//! takes its last value, as in a `dict`. Anything else is `None`, for
//! pymarc's own path to build (or fail on) from Python's parse.
//!
//! [`super::json_document`] reads whole documents (and single records)
//! with these visitors.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use pymrrc_core::consts::{END_OF_FIELD, END_OF_RECORD, LEADER_LEN, SUBFIELD_INDICATOR};
use pymrrc_core::decode::FieldSpan;

/// The visitor methods for values a visitor does not read: each is
/// consumed and gives `$v`.
macro_rules! other_values {
    ($t:ty, $v:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<$t, E> {
            Ok($v)
        }
        fn visit_i64<E>(self, _: i64) -> Result<$t, E> {
            Ok($v)
        }
        fn visit_u64<E>(self, _: u64) -> Result<$t, E> {
            Ok($v)
        }
        fn visit_f64<E>(self, _: f64) -> Result<$t, E> {
            Ok($v)
        }
        fn visit_unit<E>(self) -> Result<$t, E> {
            Ok($v)
        }
    };
}

/// `visit_str` giving `$v` (a string where something else is read).
macro_rules! other_str {
    ($t:ty, $v:expr) => {
        fn visit_str<E>(self, _: &str) -> Result<$t, E> {
            Ok($v)
        }
    };
}

/// `visit_seq` consuming an array and giving `$v`.
macro_rules! other_seq {
    ($t:ty, $v:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<$t, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($v)
        }
    };
}

/// `visit_map` consuming an object and giving `$v`.
macro_rules! other_map {
    ($t:ty, $v:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<$t, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($v)
        }
    };
}

/// `DeserializeSeed` for visitors that are their own seeds, reading any
/// value: `Visitor => Value`.
macro_rules! visitor_seeds {
    ($($t:ty => $v:ty),* $(,)?) => {$(
        impl<'de> DeserializeSeed<'de> for $t {
            type Value = $v;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<$v, D::Error> {
                d.deserialize_any(self)
            }
        }
    )*};
}

/// `fn expecting` for a visitor that takes any value.
macro_rules! any_value {
    () => {
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any value")
        }
    };
}

visitor_seeds!(
    Text<'_> => bool,
    OneAscii => Option<u8>,
    Pair<'_> => bool,
    Subfields<'_> => bool,
    Body<'_> => bool,
    FieldObject<'_> => bool,
    Fields<'_> => bool,
    LeaderText<'_> => bool,
    RecordObject<'_> => bool,
);

pub(super) use {any_value, other_str, other_values};

/// Whether `text` holds a character that delimits a record's parts.
fn has_delimiter(text: &[u8]) -> bool {
    text.iter()
        .any(|&b| matches!(b, END_OF_FIELD | END_OF_RECORD | SUBFIELD_INDICATOR))
}

/// `text` as one ASCII character that is not a delimiter.
fn one_ascii(text: &str) -> Option<u8> {
    match *text.as_bytes() {
        [b] if b.is_ascii() && !has_delimiter(&[b]) => Some(b),
        _ => None,
    }
}

/// Appends `text` (`true`), or nothing when it holds a delimiter.
fn push_text(out: &mut Vec<u8>, text: &str) -> bool {
    if has_delimiter(text.as_bytes()) {
        return false;
    }
    out.extend_from_slice(text.as_bytes());
    true
}

/// The record being laid out (buffers reused from record to record).
#[derive(Default)]
pub(super) struct Out {
    pub(super) bytes: Vec<u8>,
    pub(super) fields: Vec<FieldSpan>,
}

/// A string value written to the buffer (`true`), or `false` when the
/// value is not a string free of delimiters.
struct Text<'a>(&'a mut Vec<u8>);

impl<'de> Visitor<'de> for Text<'_> {
    type Value = bool;
    any_value!();
    fn visit_str<E>(self, v: &str) -> Result<bool, E> {
        Ok(push_text(self.0, v))
    }
    other_values!(bool, false);
    other_seq!(bool, false);
    other_map!(bool, false);
}

/// A key or value read as one ASCII character that is not a delimiter
/// (`None`: anything else).
struct OneAscii;

impl<'de> Visitor<'de> for OneAscii {
    type Value = Option<u8>;
    any_value!();
    fn visit_str<E>(self, v: &str) -> Result<Option<u8>, E> {
        Ok(one_ascii(v))
    }
    other_values!(Option<u8>, None);
    other_seq!(Option<u8>, None);
    other_map!(Option<u8>, None);
}

/// A key compared with a tag: `Some(tag)` for a plain tag, with whether
/// the key equals `first` (the field object's first tag).
struct TagKey(Option<[u8; 3]>);

impl<'de> DeserializeSeed<'de> for TagKey {
    type Value = (Option<[u8; 3]>, bool);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for TagKey {
    type Value = (Option<[u8; 3]>, bool);
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        let tag = <[u8; 3]>::try_from(v.as_bytes())
            .ok()
            .filter(|t| t.is_ascii() && !has_delimiter(t));
        Ok((tag, tag.is_some() && tag == self.0))
    }
}

/// The keys an object is read by; `Other` for the rest.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Leader,
    Fields,
    Ind1,
    Ind2,
    Subfields,
    Other,
}

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "leader" => Key::Leader,
                    "fields" => Key::Fields,
                    "ind1" => Key::Ind1,
                    "ind2" => Key::Ind2,
                    "subfields" => Key::Subfields,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// One subfield object: each item (code, value) written as a subfield;
/// `false` when not plain.
struct Pair<'a>(&'a mut Vec<u8>);

impl<'de> Visitor<'de> for Pair<'_> {
    type Value = bool;
    any_value!();
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let out = self.0;
        let (mut plain, mut seen) = (true, [false; 128]);
        while let Some(code) = map.next_key_seed(OneAscii)? {
            match code {
                Some(code) if !std::mem::replace(&mut seen[usize::from(code)], true) => {
                    out.push(SUBFIELD_INDICATOR);
                    out.push(code);
                    plain &= map.next_value_seed(Text(out))?;
                }
                // A code repeated in one object keeps its first place and
                // takes its last value: left to pymarc's path.
                _ => {
                    plain = false;
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(plain)
    }
    other_values!(bool, false);
    other_str!(bool, false);
    other_seq!(bool, false);
}

/// The `subfields` array; `false` when not plain.
struct Subfields<'a>(&'a mut Vec<u8>);

impl<'de> Visitor<'de> for Subfields<'_> {
    type Value = bool;
    any_value!();
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let mut plain = true;
        while let Some(pair) = seq.next_element_seed(Pair(self.0))? {
            plain &= pair;
        }
        Ok(plain)
    }
    other_values!(bool, false);
    other_str!(bool, false);
    other_map!(bool, false);
}

/// A field's body, written after its tag's place; `control` says whether
/// the tag is a control field's. `false` when not plain.
struct Body<'a> {
    out: &'a mut Vec<u8>,
    control: bool,
}

impl<'de> Visitor<'de> for Body<'_> {
    type Value = bool;
    any_value!();
    fn visit_str<E>(self, v: &str) -> Result<bool, E> {
        if self.control {
            return Ok(push_text(self.out, v));
        }
        // `Field(tag, data=v)` of a data field's tag: blank indicators, no
        // subfields, the data dropped.
        self.out.extend_from_slice(b"  ");
        Ok(true)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        if self.control {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(false);
        }
        let out = self.out;
        let start = out.len();
        out.extend_from_slice(b"  ");
        let (mut ind1, mut ind2, mut subfields) = (None, None, None);
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Ind1 => ind1 = Some(map.next_value_seed(OneAscii)?),
                Key::Ind2 => ind2 = Some(map.next_value_seed(OneAscii)?),
                Key::Subfields => {
                    // A repeated key takes its last value.
                    out.truncate(start + 2);
                    subfields = Some(map.next_value_seed(Subfields(out))?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let (Some(Some(ind1)), Some(Some(ind2)), Some(true)) = (ind1, ind2, subfields) else {
            return Ok(false);
        };
        out[start] = ind1;
        out[start + 1] = ind2;
        Ok(true)
    }
    other_values!(bool, false);
    other_seq!(bool, false);
}

/// One object of `fields`, read by its first key: laid out as a field
/// (`true`), or `false` when not plain.
struct FieldObject<'a>(&'a mut Out);

impl<'de> Visitor<'de> for FieldObject<'_> {
    type Value = bool;
    any_value!();
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let out = self.0;
        let Some((tag, _)) = map.next_key_seed(TagKey(None))? else {
            return Ok(false); // `{}`: no first item
        };
        let mut plain = match tag {
            Some(tag) => {
                let control = tag.iter().all(u8::is_ascii_digit) && tag < *b"010";
                let start = out.bytes.len();
                let body = map.next_value_seed(Body {
                    out: &mut out.bytes,
                    control,
                })?;
                out.fields.push(FieldSpan {
                    tag,
                    start,
                    end: out.bytes.len(),
                });
                out.bytes.push(END_OF_FIELD);
                body
            }
            None => {
                map.next_value::<IgnoredAny>()?;
                false
            }
        };
        while let Some((_, repeat)) = map.next_key_seed(TagKey(tag))? {
            // The first key repeated replaces the body it read.
            plain &= !repeat;
            map.next_value::<IgnoredAny>()?;
        }
        Ok(plain)
    }
    other_values!(bool, false);
    other_str!(bool, false);
    other_seq!(bool, false);
}

/// The `fields` array, laid out after the leader; `false` when not plain.
struct Fields<'a>(&'a mut Out);

impl<'de> Visitor<'de> for Fields<'_> {
    type Value = bool;
    any_value!();
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let out = self.0;
        out.bytes.truncate(LEADER_LEN);
        out.fields.clear();
        let mut plain = true;
        while let Some(field) = seq.next_element_seed(FieldObject(&mut *out))? {
            plain &= field;
        }
        Ok(plain && !out.fields.is_empty())
    }
    other_values!(bool, false);
    other_str!(bool, false);
    other_map!(bool, false);
}

/// The leader value: 24 ASCII characters written in place (`true`).
struct LeaderText<'a>(&'a mut [u8]);

impl<'de> Visitor<'de> for LeaderText<'_> {
    type Value = bool;
    any_value!();
    fn visit_str<E>(self, v: &str) -> Result<bool, E> {
        if v.len() != LEADER_LEN || !v.is_ascii() {
            return Ok(false);
        }
        self.0.copy_from_slice(v.as_bytes());
        Ok(true)
    }
    other_values!(bool, false);
    other_seq!(bool, false);
    other_map!(bool, false);
}

/// A record object laid out in `Out`; `true` when it is plain.
pub(super) struct RecordObject<'a>(pub(super) &'a mut Out);

impl<'de> Visitor<'de> for RecordObject<'_> {
    type Value = bool;
    any_value!();
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let out = self.0;
        out.bytes.clear();
        out.bytes.resize(LEADER_LEN, 0);
        out.fields.clear();
        let (mut leader, mut fields) = (false, false);
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Leader => {
                    leader = map.next_value_seed(LeaderText(&mut out.bytes[..LEADER_LEN]))?;
                }
                Key::Fields => fields = map.next_value_seed(Fields(&mut *out))?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(leader && fields)
    }
    other_values!(bool, false);
    other_str!(bool, false);
    other_seq!(bool, false);
}
