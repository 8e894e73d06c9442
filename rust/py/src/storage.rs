//! What a `Record` holds, as one explicit state: its fields and its leader
//! each stored either as the data they were read from (not looked into
//! yet) or as the Python objects pymarc-shaped code sees. Everything that
//! reads a record natively (the serialisers, `as_marc`, `title`, pickling,
//! the writers) reads a [`Storage`] taken under one borrow.
//!
//! The states, and what moves a record between them:
//!
//! * [`Fields::Marc`]: bytes and layout of a record read from ISO 2709
//!   (by `MARCReader`, `Record(data=...)`, `from_arrow`, unpickling);
//! * [`Fields::Handed`]: a record read from MARC some of whose `Field`
//!   objects were handed out (by `record['245']`, `get`, `get_fields`,
//!   the properties) while its `fields` list was not built: those objects
//!   are kept by index, so a second lookup, and the list once built, give
//!   the same objects;
//! * [`Fields::Xml`]: a record read from MARCXML, its data parsed but no
//!   Python object built;
//! * [`Fields::Objects`]: the `fields` list, once built from any of the
//!   above on first use of `record.fields` (or iteration), or assigned;
//! * [`Fields::Unset`]: a record made by `Record.__new__` alone.
//!
//! The leader is [`Leader::Text`] (24 ASCII bytes) until `record.leader` is
//! asked for or assigned, then [`Leader::Object`].

use std::sync::Arc;

use pyo3::prelude::*;

use crate::materialize::LazyRecord;
use crate::xml_fields::XmlLazy;
use pymrrc_core::consts::LEADER_LEN;
use pymrrc_core::encode::{reencode_layout, reencode_layout_into};
use pymrrc_core::text::Utf8Handling;

/// Where a record's fields are.
pub(crate) enum Fields {
    /// Not set (a record made by `__new__` alone): `record.fields` raises
    /// `AttributeError`.
    Unset,
    /// The validated bytes of a record read from MARC, not looked into.
    Marc(Arc<LazyRecord>),
    /// The bytes of a record read from MARC and the `Field` objects handed
    /// out so far. A handed-out field may have been changed since, so
    /// whatever reads every field (serialisers, pickling) builds the list
    /// first.
    Handed(HandedOut),
    /// A record read from MARCXML, not looked into.
    Xml(Arc<XmlLazy>),
    /// The `fields` value: built from one of the above, or assigned.
    Objects(Py<PyAny>),
}

/// The `Field` objects handed out from a record read from MARC, by their
/// index in its directory.
pub(crate) struct HandedOut {
    pub lazy: Arc<LazyRecord>,
    /// One slot per field; `Some` once handed out (never changed after).
    pub objects: Vec<Option<Py<PyAny>>>,
}

/// Where a record's leader is.
pub(crate) enum Leader {
    /// Not set: `record.leader` raises `AttributeError`.
    Unset,
    /// The leader's bytes, while no `Leader` object was asked for.
    Text([u8; LEADER_LEN]),
    /// The `leader` value: built from the text, or assigned.
    Object(Py<PyAny>),
}

/// A record's fields and leader.
pub(crate) struct Storage {
    pub fields: Fields,
    pub leader: Leader,
}

impl Storage {
    /// Nothing set.
    pub(crate) fn unset() -> Self {
        Self {
            fields: Fields::Unset,
            leader: Leader::Unset,
        }
    }

    /// A record read from MARC, untouched.
    pub(crate) fn read_from_marc(lazy: LazyRecord) -> Self {
        Self {
            leader: Leader::Text(lazy.layout.leader),
            fields: Fields::Marc(Arc::new(lazy)),
        }
    }

    /// A record read from MARCXML, untouched: its leader as ASCII text, or
    /// as a ready `Leader` object.
    pub(crate) fn read_from_xml(
        xml: XmlLazy,
        raw_leader: Option<[u8; LEADER_LEN]>,
        leader: Option<Py<PyAny>>,
    ) -> Self {
        Self {
            fields: Fields::Xml(Arc::new(xml)),
            leader: match (raw_leader, leader) {
                (Some(raw), _) => Leader::Text(raw),
                (None, Some(obj)) => Leader::Object(obj),
                (None, None) => Leader::Unset,
            },
        }
    }

    /// A copy for reading with no borrow held (the objects are shared).
    pub(crate) fn snapshot(&self, py: Python<'_>) -> Storage {
        Storage {
            fields: match &self.fields {
                Fields::Unset => Fields::Unset,
                Fields::Marc(lazy) => Fields::Marc(Arc::clone(lazy)),
                Fields::Handed(handed) => Fields::Handed(HandedOut {
                    lazy: Arc::clone(&handed.lazy),
                    objects: handed
                        .objects
                        .iter()
                        .map(|o| o.as_ref().map(|o| o.clone_ref(py)))
                        .collect(),
                }),
                Fields::Xml(xml) => Fields::Xml(Arc::clone(xml)),
                Fields::Objects(list) => Fields::Objects(list.clone_ref(py)),
            },
            leader: match &self.leader {
                Leader::Unset => Leader::Unset,
                Leader::Text(raw) => Leader::Text(*raw),
                Leader::Object(obj) => Leader::Object(obj.clone_ref(py)),
            },
        }
    }

    /// Whether the fields are still the data they were read from.
    pub(crate) fn is_untouched(&self) -> bool {
        matches!(self.fields, Fields::Marc(_) | Fields::Xml(_))
    }

    /// The bytes of a record read from MARC whose fields were not built.
    pub(crate) fn marc_bytes(&self) -> Option<&Arc<LazyRecord>> {
        match &self.fields {
            Fields::Marc(lazy) => Some(lazy),
            _ => None,
        }
    }

    /// The record as an [`UntouchedRecord`] when `as_marc` would re-encode
    /// it straight from the bytes it was read from (its fields and leader
    /// were never built, and its text is UTF-8 that re-encodes to itself);
    /// `None` when only the field-by-field encoder can tell. As `as_marc`
    /// does, it marks the leader as Unicode when `to_unicode`.
    pub(crate) fn untouched(
        &mut self,
        to_unicode: bool,
        force_utf8: bool,
    ) -> Option<UntouchedRecord> {
        let (Fields::Marc(lazy), Leader::Text(raw)) = (&self.fields, &mut self.leader) else {
            return None;
        };
        if to_unicode {
            raw[9] = b'a';
        }
        let leader = *raw;
        // With 'replace' or 'ignore', invalid bytes decode to other text,
        // so only fields of clean UTF-8 re-encode to themselves (a record
        // valid as a whole may still have a field that starts or ends
        // inside a character).
        let clean = lazy.handling == Utf8Handling::Strict
            || pymrrc_core::decode::fields_are_utf8(&lazy.bytes, &lazy.layout);
        ((leader[9] == b'a' || force_utf8) && clean).then(|| UntouchedRecord {
            lazy: Arc::clone(lazy),
            leader,
        })
    }

    /// The Python objects the storage holds, for the garbage collector.
    pub(crate) fn objects(&self) -> impl Iterator<Item = &Py<PyAny>> {
        let list = match &self.fields {
            Fields::Objects(list) => Some(list),
            _ => None,
        };
        let handed: &[Option<Py<PyAny>>] = match &self.fields {
            Fields::Handed(handed) => &handed.objects,
            _ => &[],
        };
        let leader = match &self.leader {
            Leader::Object(obj) => Some(obj),
            _ => None,
        };
        list.into_iter()
            .chain(handed.iter().flatten())
            .chain(leader)
    }
}

/// What `as_marc` needs of a record nobody has edited: its bytes as read
/// and its leader text. Plain Rust data, so it can be encoded with the GIL
/// released.
pub(crate) struct UntouchedRecord {
    lazy: Arc<LazyRecord>,
    leader: [u8; LEADER_LEN],
}

impl UntouchedRecord {
    /// The record's transmission-format bytes, exactly as `as_marc` gives.
    pub(crate) fn encode(&self) -> Vec<u8> {
        reencode_layout(&self.lazy.bytes, &self.lazy.layout, &self.leader)
    }

    /// Appends [`Self::encode`]'s bytes to `out`.
    pub(crate) fn encode_into(&self, out: &mut Vec<u8>) {
        reencode_layout_into(out, &self.lazy.bytes, &self.lazy.layout, &self.leader);
    }

    /// About how long [`Self::encode`]'s bytes are (exactly, for most
    /// records).
    pub(crate) fn size_hint(&self) -> usize {
        self.lazy.bytes.len()
    }
}
