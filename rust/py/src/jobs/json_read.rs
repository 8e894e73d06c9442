//! Reading a MARC-in-JSON document straight into records as pymarc's
//! `JSONReader` builds them, with serde visitors (no JSON value tree).
//!
//! What Python's `json` and `JSONReader` do, kept here: an object's
//! repeated key keeps its first place and takes its last value; a field
//! object is read by its first key; a body that is an object holding
//! `subfields` makes a data field (`ind1`, `ind2` and each subfield pair's
//! items), any other body a control field's data. A record whose parts are
//! not all strings where pymarc writes strings (or that `JSONReader` would
//! fail on) is read as `None`, for pymarc's own path.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use pymrrc_core::marcxml::{FieldOrigin, XmlField, XmlRecord};

/// The visitor methods for numbers, booleans and `null`: each value `$v`.
macro_rules! scalars {
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

/// A document: its records (`None`: not plain).
pub(crate) struct Document(pub(crate) Vec<Option<XmlRecord>>);

/// Any JSON value, kept when it is a string.
struct Text(Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E>(self, v: &str) -> Result<Text, E> {
                Ok(Text(Some(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Text, E> {
                Ok(Text(Some(v)))
            }
            scalars!(Text, Text(None));
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// Puts `(key, value)` into an object's entries as a `dict` would.
fn insert<T>(entries: &mut Vec<(String, T)>, key: String, value: T) {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => entries.push((key, value)),
    }
}

/// A field body: `Some(Ok(data))` for a string, `Some(Err(parts))` for a
/// data field's object, `None` for anything else.
struct Body(Option<Result<String, DataBody>>);

/// Subfield items `(code, value)` in dict order; a value that is not a
/// string is `None`.
type Items = Vec<(String, Option<String>)>;

/// A data field's object, as far as `JSONReader` reads it: `subfields` is
/// `Some` when the key is there, `Some(None)` when its value is not an
/// array of objects.
#[derive(Default)]
struct DataBody {
    ind1: Option<Text>,
    ind2: Option<Text>,
    subfields: Option<Option<Items>>,
}

/// One subfield pair object's items, in dict order.
struct Pair(Items);

impl<'de> Deserialize<'de> for Pair {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Pair;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a subfield object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pair, A::Error> {
                let mut items = Vec::new();
                while let Some((code, value)) = map.next_entry::<String, Text>()? {
                    insert(&mut items, code, value.0);
                }
                Ok(Pair(items))
            }
        }
        d.deserialize_map(V)
    }
}

/// The `subfields` array: every pair's items, or `None` when it is not an
/// array of objects.
struct Subfields(Option<Items>);

impl<'de> Deserialize<'de> for Subfields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Subfields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Subfields, A::Error> {
                let mut all = Vec::new();
                let mut plain = true;
                while let Some(item) = seq.next_element::<MaybePair>()? {
                    match item.0 {
                        Some(pair) => all.extend(pair.0),
                        None => plain = false,
                    }
                }
                Ok(Subfields(plain.then_some(all)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Subfields, A::Error> {
                Text::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Subfields(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Subfields, E> {
                Ok(Subfields(None))
            }
            scalars!(Subfields, Subfields(None));
        }
        d.deserialize_any(V)
    }
}

/// A subfield pair, or `None` when the array item is not an object.
struct MaybePair(Option<Pair>);

impl<'de> Deserialize<'de> for MaybePair {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MaybePair;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<MaybePair, A::Error> {
                let pair = Pair::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(MaybePair(Some(pair)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<MaybePair, A::Error> {
                Text::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
                Ok(MaybePair(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<MaybePair, E> {
                Ok(MaybePair(None))
            }
            scalars!(MaybePair, MaybePair(None));
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Body;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Body, A::Error> {
                let mut body = DataBody::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "ind1" => body.ind1 = Some(map.next_value()?),
                        "ind2" => body.ind2 = Some(map.next_value()?),
                        "subfields" => body.subfields = Some(map.next_value::<Subfields>()?.0),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(Body(Some(Err(body))))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Body, A::Error> {
                Text::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))?;
                Ok(Body(None))
            }
            fn visit_str<E>(self, v: &str) -> Result<Body, E> {
                Ok(Body(Some(Ok(v.to_owned()))))
            }
            scalars!(Body, Body(None));
        }
        d.deserialize_any(V)
    }
}

/// A field as `JSONReader` builds it, when plain.
fn make_field(tag: String, body: Body) -> Option<XmlField> {
    match body.0? {
        Ok(data) => Some(XmlField {
            tag,
            origin: FieldOrigin::Control,
            subfields: Vec::new(),
            data: Some(data),
        }),
        Err(body) => {
            // `"subfields" in body`, else Field(tag, data=body): not plain.
            let subfields = body.subfields??;
            let subfields = subfields
                .into_iter()
                .map(|(code, value)| Some((code, value?)))
                .collect::<Option<Vec<_>>>()?;
            Some(XmlField {
                tag,
                origin: FieldOrigin::Data {
                    ind1: Some(body.ind1?.0?),
                    ind2: Some(body.ind2?.0?),
                },
                subfields,
                data: None,
            })
        }
    }
}

/// A field object, read by its first key.
struct Entry(Option<XmlField>);

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entry;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entry, A::Error> {
                let mut first: Option<(String, Body)> = None;
                while let Some(key) = map.next_key::<String>()? {
                    match &mut first {
                        None => first = Some((key, map.next_value()?)),
                        Some((tag, body)) if *tag == key => *body = map.next_value()?,
                        Some(_) => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(Entry(first.and_then(|(tag, body)| make_field(tag, body))))
            }
        }
        d.deserialize_map(V)
    }
}

/// A record object, or `None` when not plain.
struct RecordObject(Option<XmlRecord>);

struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = RecordObject;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a record object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RecordObject, A::Error> {
        let mut leader: Option<Text> = None;
        let mut fields: Option<Option<Vec<Option<XmlField>>>> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "leader" => leader = Some(map.next_value()?),
                "fields" => {
                    fields = Some(
                        map.next_value::<Option<Vec<Entry>>>()?
                            .map(|v| v.into_iter().map(|e| e.0).collect()),
                    )
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let record = (|| {
            let fields = fields??.into_iter().collect::<Option<Vec<_>>>()?;
            Some(XmlRecord {
                leader: Some(leader?.0?),
                fields,
            })
        })();
        Ok(RecordObject(record))
    }
}

impl<'de> DeserializeSeed<'de> for RecordVisitor {
    type Value = RecordObject;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RecordObject, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Document;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of records or one record")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Document, A::Error> {
                let mut records = Vec::new();
                while let Some(record) = seq.next_element_seed(RecordVisitor)? {
                    records.push(record.0);
                }
                Ok(Document(records))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Document, A::Error> {
                Ok(Document(vec![RecordVisitor.visit_map(map)?.0]))
            }
        }
        d.deserialize_any(V)
    }
}

/// One record object (an element of a document's array), read as
/// [`Document`] reads each.
fn record_from_str(text: &str) -> serde_json::Result<Option<XmlRecord>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let record = RecordVisitor.deserialize(&mut de)?;
    de.end()?;
    Ok(record.0)
}

/// The records of `document` as [`Document`] reads them, or `None` when
/// serde_json refuses it. An array's elements are found in one pass, which
/// checks the whole document, and read on the rayon pool. Measured on
/// 10,000 LoC records: the first pass costs about a seventh of the CPU
/// time of reading them, and the reading is spread over the cores.
pub(crate) fn read_document(document: &[u8]) -> Option<Vec<Option<XmlRecord>>> {
    use rayon::prelude::*;
    if let Ok(elements) = serde_json::from_slice::<Vec<&RawValue>>(document) {
        return elements
            .par_iter()
            .map(|raw| record_from_str(raw.get()).ok())
            .collect();
    }
    serde_json::from_slice::<Document>(document)
        .ok()
        .map(|Document(records)| records)
}
