//! Building whole batches on rayon's pool: the records of a batch are
//! grouped on the consumer's thread (ids are positions, so a group knows its
//! first id), and each group is built into a record batch by a pool thread
//! while the consumer waits for the group before it. Groups come back in
//! order. A group holding a record that needs Python (a rejected record, or
//! one for the exact decoder) is built by the consumer instead, in order.
//! Builders go back and forth with the groups, so that each batch is sized
//! like the last and built in the memory of batches already consumed.

use std::sync::mpsc::{sync_channel, Receiver};

use arrow_array::RecordBatch;
use pymrrc_columnar::{BatchBuilder, ColumnarError, Provenance};
use pymrrc_core::batch::{Item, Outcome};
use pymrrc_core::text::Utf8Handling;

/// Batches being built at once (besides the one the consumer holds).
pub(crate) const IN_FLIGHT: usize = 2;

/// A batch is finished before its text passes this many bytes (Arrow's
/// 32-bit offsets allow 2 GiB); the rest of its group goes on in the next.
pub(crate) const MAX_BATCH_TEXT: usize = 1 << 30;

/// The records of one batch, and the id of the first.
pub(crate) struct Group {
    pub items: Vec<Item>,
    pub start_id: i64,
}

/// What a pool thread made of a group.
pub(crate) enum Built {
    /// The batch, the records in it, and the records of the group that
    /// did not fit (see [`MAX_BATCH_TEXT`]).
    Batch {
        batch: Result<RecordBatch, ColumnarError>,
        records: usize,
        rest: Option<Group>,
        builder: BatchBuilder,
    },
    /// A record needs Python after all: the consumer builds the group.
    Sequential(Group, BatchBuilder),
    /// The builder panicked (a bug); the group is lost, and said so.
    Panicked,
}

/// A group on its way to becoming a batch.
pub(crate) enum Work {
    /// Being built on the pool.
    Job(Receiver<Built>),
    /// To be built by the consumer.
    Sequential(Group),
}

/// Where a record's bytes were read.
pub(crate) fn provenance(item: &Item) -> Provenance {
    Provenance {
        offset: i64::try_from(item.offset).ok(),
        length: i64::try_from(item.chunk.len()).ok(),
    }
}

/// Whether every record of `items` can be built with no Python (no
/// rejection, no exact decoder, no log line of pymarc's).
fn native(items: &[Item]) -> bool {
    items.iter().all(|item| {
        item.notes.is_empty()
            && matches!(
                item.outcome,
                Outcome::Record(_) | Outcome::Transcoded { .. }
            )
    })
}

/// The work for `group`: a pool job building it with `builder`, or the
/// consumer's (then `builder` is handed back).
pub(crate) fn schedule(
    builder: BatchBuilder,
    group: Group,
    handling: Utf8Handling,
) -> (Work, Option<BatchBuilder>) {
    if !native(&group.items) {
        return (Work::Sequential(group), Some(builder));
    }
    let (tx, rx) = sync_channel(1);
    rayon::spawn(move || {
        let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            build(builder, group, handling)
        }))
        .unwrap_or(Built::Panicked);
        let _ = tx.send(built);
    });
    (Work::Job(rx), None)
}

fn build(mut builder: BatchBuilder, mut group: Group, handling: Utf8Handling) -> Built {
    let mut records = 0;
    for item in &group.items {
        if builder.text_bytes() >= MAX_BATCH_TEXT {
            break;
        }
        let id = group.start_id + records as i64;
        let appended = match &item.outcome {
            Outcome::Record(layout) => {
                builder.append_layout(id, provenance(item), &item.chunk, layout, handling)
            }
            Outcome::Transcoded { text, layout } => {
                builder.append_layout(id, provenance(item), text, layout, Utf8Handling::Strict)
            }
            _ => Err(pymrrc_core::visit::VisitError::SpanOutOfRange),
        };
        if appended.is_err() {
            // The batch so far is dropped (its memory goes back to the
            // pool) and the consumer builds the group.
            drop(builder.finish());
            return Built::Sequential(group, builder);
        }
        records += 1;
    }
    let rest = (records < group.items.len()).then(|| Group {
        items: group.items.split_off(records),
        start_id: group.start_id + records as i64,
    });
    drop(group);
    Built::Batch {
        batch: builder.finish(),
        records,
        rest,
        builder,
    }
}
