//! Records into each layout and back: nested and long give the same
//! records, and wide keeps every value.

use arrow_array::cast::AsArray;
use arrow_array::Array;
use pymrrc_columnar::{
    nested_records, BatchBuilder, FieldParts, LongReader, Provenance, RecordParts, TableShape,
    WideColumns,
};
use pymrrc_core::decode::{decode_layout, DecodeOptions};
use pymrrc_core::encode::RecordBuilder;
use pymrrc_core::text::Utf8Handling;

fn record(fields: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut b = RecordBuilder::new();
    for (tag, data) in fields {
        let start = b.position();
        b.field_buffer().extend_from_slice(data);
        b.field_buffer().push(0x1e);
        b.end_field(tag, start);
    }
    b.finish(b"nam a22", b" a 4500")
}

fn sample() -> Vec<Vec<u8>> {
    vec![
        record(&[
            (b"001", b"id1"),
            (b"245", "10\x1faTitre \u{e9}\x1fbsub\x1fa".as_bytes()),
            (b"650", b" 0\x1faOne"),
            (b"650", b" 0\x1faTwo\x1fxThree"),
            (b"500", b"  "),
        ]),
        record(&[(b"001", b"id2"), (b"999", b"ab\x1fzlocal")]),
    ]
}

fn build(shape: TableShape) -> arrow_array::RecordBatch {
    let mut builder = BatchBuilder::new(shape, Some("x.mrc".into()));
    for (i, rec) in sample().iter().enumerate() {
        let layout = decode_layout(rec, &DecodeOptions::default(), &mut Vec::new()).unwrap();
        let prov = Provenance {
            offset: Some(i as i64 * 100),
            length: Some(rec.len() as i64),
        };
        builder
            .append_layout(i as i64, prov, rec, &layout, Utf8Handling::Strict)
            .unwrap();
    }
    builder.finish().unwrap()
}

fn expected() -> Vec<RecordParts> {
    let data = |tag: &str, i: &str, subs: &[(&str, &str)]| FieldParts::Data {
        tag: tag.into(),
        ind1: i[..1].into(),
        ind2: i[1..].into(),
        subfields: subs
            .iter()
            .map(|(c, v)| ((*c).into(), (*v).into()))
            .collect(),
    };
    let control = |tag: &str, d: &str| FieldParts::Control {
        tag: tag.into(),
        data: d.into(),
    };
    let leaders: Vec<String> = sample()
        .iter()
        .map(|r| String::from_utf8(r[..24].to_vec()).unwrap())
        .collect();
    vec![
        RecordParts {
            record_id: 0,
            leader: leaders[0].clone(),
            fields: vec![
                control("001", "id1"),
                data(
                    "245",
                    "10",
                    &[("a", "Titre \u{e9}"), ("b", "sub"), ("a", "")],
                ),
                data("650", " 0", &[("a", "One")]),
                data("650", " 0", &[("a", "Two"), ("x", "Three")]),
                data("500", "  ", &[]),
            ],
        },
        RecordParts {
            record_id: 1,
            leader: leaders[1].clone(),
            fields: vec![control("001", "id2"), data("999", "ab", &[("z", "local")])],
        },
    ]
}

#[test]
fn nested_and_long_give_the_records_back() {
    let nested = nested_records(&build(TableShape::Nested)).unwrap();
    assert_eq!(nested, expected());
    let mut reader = LongReader::default();
    let batch = build(TableShape::Long);
    // A record's rows may be split between batches.
    let mut long = reader.push(&batch.slice(0, 3)).unwrap();
    long.extend(reader.push(&batch.slice(3, batch.num_rows() - 3)).unwrap());
    long.extend(reader.finish().unwrap());
    assert_eq!(long, expected());
    for (parts, original) in nested.iter().zip(sample()) {
        let (text, layout) = parts.encode().unwrap();
        assert_eq!(layout.fields.len(), parts.fields.len());
        assert_eq!(&text[..24], &original[..24]);
    }
}

#[test]
fn wide_keeps_every_value_in_order() {
    let columns = WideColumns::select(&["245a", "650a", "001", "other"]).unwrap();
    let batch = build(TableShape::Wide(columns));
    let names: Vec<_> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(names, ["record_id", "F245a", "F650a", "F001", "other"]);
    let a245 = batch.column(1).as_list::<i32>();
    let first = a245.value(0);
    let first = first.as_string::<i32>();
    assert_eq!(
        (0..first.len()).map(|i| first.value(i)).collect::<Vec<_>>(),
        ["Titre \u{e9}", ""]
    );
    assert!(a245.is_null(1));
    let a650 = batch.column(2).as_list::<i32>().value(0);
    let a650 = a650.as_string::<i32>();
    assert_eq!(
        (0..a650.len()).map(|i| a650.value(i)).collect::<Vec<_>>(),
        ["One", "Two"]
    );
    // 245 $b, 650 $x, the 500 without subfields and the 999 went to other.
    let other = batch.column(4).as_list::<i32>();
    assert_eq!(other.value(0).len(), 3);
    assert_eq!(other.value(1).len(), 1);
}

#[test]
fn records_that_text_cannot_carry_are_not_encoded() {
    let mut parts = expected().remove(1);
    assert!(parts.encode().is_some());
    parts.fields.push(FieldParts::Data {
        tag: "245".into(),
        ind1: "1".into(),
        ind2: "0".into(),
        subfields: vec![("a".into(), "x\u{1f}y".into())],
    });
    assert!(parts.encode().is_none());
    let mut parts = expected().remove(1);
    parts.leader.push('x');
    assert!(parts.encode().is_none());
}

#[test]
fn names_with_nul_get_no_column() {
    let rec = record(&[(b"001", b"id"), (b"245", b"10\x1f\x00nul\x1faok")]);
    let layout = decode_layout(&rec, &DecodeOptions::default(), &mut Vec::new()).unwrap();
    let mut scan = pymrrc_columnar::ColumnScan::default();
    pymrrc_core::visit::visit_fields(&rec, &layout, Utf8Handling::Strict, &mut scan).unwrap();
    let columns = WideColumns::discovered(&scan);
    assert_eq!(columns.names(), ["FLDR", "F001", "F245a", "other"]);
    let mut builder = BatchBuilder::new(TableShape::Wide(columns), None);
    builder
        .append_layout(
            0,
            Provenance::default(),
            &rec,
            &layout,
            Utf8Handling::Strict,
        )
        .unwrap();
    let batch = builder.finish().unwrap();
    // The NUL code's value is kept, in `other`.
    assert_eq!(batch.column(4).as_list::<i32>().value(0).len(), 1);
    assert!(WideColumns::select(&["245\0"]).is_err());
}
