//! Reading MARC-in-JSON documents, and single record objects, into
//! records laid out like decoded ISO 2709 ones, with the visitors of
//! [`super::json_read`].

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::json_read::{any_value, other_str, other_values, Out, RecordObject};
use pymrrc_core::consts::{END_OF_RECORD, LEADER_LEN};
use pymrrc_core::Layout;

/// A record laid out like a decoded one: its bytes (leader, then each
/// field's text and terminator) and its layout.
pub(crate) type Laid = (Arc<[u8]>, Layout);

impl Out {
    /// The laid-out record, copied out of the reused buffers.
    fn laid(&mut self) -> Laid {
        self.bytes.push(END_OF_RECORD);
        let mut leader = [0; LEADER_LEN];
        leader.copy_from_slice(&self.bytes[..LEADER_LEN]);
        let layout = Layout {
            leader,
            fields: self.fields.clone(),
            utf8: true,
            needs_fallback: false,
            canonical: false,
        };
        (Arc::from(&self.bytes[..]), layout)
    }
}

thread_local! {
    /// Each thread's buffers, reused from record to record.
    static OUT: RefCell<Out> = RefCell::new(Out::default());
}

/// Reads one record object from `de` with this thread's buffers: the
/// laid-out record, or `None` when it is not plain.
pub(crate) fn read_record<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Laid>, D::Error> {
    OUT.with(|cell| match cell.try_borrow_mut() {
        Ok(mut out) => {
            let plain = RecordObject(&mut out).deserialize(de)?;
            let laid = plain.then(|| out.laid());
            if out.bytes.capacity() > 1 << 20 {
                *out = Out::default();
            }
            Ok(laid)
        }
        Err(_) => {
            let mut out = Out::default();
            let plain = RecordObject(&mut out).deserialize(de)?;
            Ok(plain.then(|| out.laid()))
        }
    })
}

/// One record object's text (an element of a document's array, or the
/// whole of a one-record document), read as [`read_record`] reads it;
/// `Err` when serde_json refuses it.
pub(crate) fn record_from_str(text: &str) -> serde_json::Result<Option<Laid>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let record = read_record(&mut de)?;
    de.end()?;
    Ok(record)
}

/// A document: an array of record objects, each read as it is reached,
/// or one record object (`None`: anything else). `stop` is asked every
/// [`RECORDS_PER_CHECK`] records whether to give up.
struct Records<'a> {
    stop: &'a mut dyn FnMut() -> bool,
}

/// Records read between two calls of [`Records`]' `stop`.
const RECORDS_PER_CHECK: usize = 1024;

impl<'de> DeserializeSeed<'de> for Records<'_> {
    type Value = Option<Vec<Option<Laid>>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Records<'_> {
    type Value = Option<Vec<Option<Laid>>>;
    any_value!();
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut records = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(record) = seq.next_element_seed(OneRecord)? {
            records.push(record);
            if records.len() % RECORDS_PER_CHECK == 0 && (self.stop)() {
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        Ok(Some(records))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let record = read_record(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(Some(vec![record]))
    }
    other_values!(Self::Value, None);
    other_str!(Self::Value, None);
}

/// One element of a document's array, read with [`read_record`].
struct OneRecord;

impl<'de> DeserializeSeed<'de> for OneRecord {
    type Value = Option<Laid>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        read_record(d)
    }
}

/// The records of `document` as [`read_record`] reads each (`None`: not
/// plain), or `None` when serde_json refuses the document or it is
/// neither an array nor an object.
///
/// One pass, on one thread: measured on 10,000 LoC records (17 MB), it
/// takes about a third of the CPU time of the two passes (split the array
/// into elements, then read them on the rayon pool) it replaced, and less
/// wall time too on a loaded two-core machine.
pub(crate) fn read_document(document: &[u8]) -> Option<Vec<Option<Laid>>> {
    read_document_until(document, &mut || false)
}

/// [`read_document`], asking `stop` every so often whether to give up
/// (then `None`).
pub(crate) fn read_document_until(
    document: &[u8],
    stop: &mut dyn FnMut() -> bool,
) -> Option<Vec<Option<Laid>>> {
    // Checked as UTF-8 once, so that no string is checked again.
    let text = std::str::from_utf8(document).ok()?;
    let mut de = serde_json::Deserializer::from_str(text);
    let records = Records { stop }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    records
}
