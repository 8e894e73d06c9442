//! The values `pymrrc grep` matches a pattern against, as a pymarc script
//! would take them: for a control field its data, for a data field
//! `field.value()` (every subfield value stripped of Python whitespace,
//! joined by spaces), or with a subfield code each value of that code.

use crate::decode::Layout;
use crate::text::{py_strip, Utf8Handling};
use crate::visit::{visit_fields, RecordSink, VisitError};

/// Which values of a record are matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSelector {
    /// The field tag, as pymarc's `Field.tag` reads it.
    pub tag: String,
    /// A subfield code: its values instead of `field.value()`.
    pub code: Option<String>,
}

impl FieldSelector {
    /// The values of the fields `layout` locates in `bytes`.
    ///
    /// # Errors
    /// [`VisitError`] when the layout does not fit the bytes.
    pub fn values(
        &self,
        bytes: &[u8],
        layout: &Layout,
        handling: Utf8Handling,
    ) -> Result<Vec<String>, VisitError> {
        let mut sink = Values {
            selector: self,
            open: None,
            out: Vec::new(),
        };
        visit_fields(bytes, layout, handling, &mut sink)?;
        Ok(sink.out)
    }
}

struct Values<'a> {
    selector: &'a FieldSelector,
    /// The stripped subfield values of the open data field, if selected.
    open: Option<Vec<String>>,
    out: Vec<String>,
}

impl RecordSink for Values<'_> {
    fn leader(&mut self, _: &str) {}

    fn control_field(&mut self, tag: &str, data: &str) {
        if tag == self.selector.tag && self.selector.code.is_none() {
            self.out.push(data.to_owned());
        }
    }

    fn begin_data_field(&mut self, tag: &str, _: &str, _: &str) {
        self.open = (tag == self.selector.tag).then(Vec::new);
    }

    fn subfield(&mut self, code: &str, value: &str) {
        let Some(open) = self.open.as_mut() else {
            return;
        };
        match &self.selector.code {
            Some(wanted) if wanted == code => self.out.push(value.to_owned()),
            Some(_) => {}
            None => open.push(py_strip(value).to_owned()),
        }
    }

    fn end_data_field(&mut self) {
        if let Some(values) = self.open.take() {
            if self.selector.code.is_none() {
                self.out.push(values.join(" "));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode_layout, DecodeOptions};
    use crate::encode::tests::sample_record;

    #[test]
    fn values_as_pymarc_gives_them() {
        let rec = sample_record();
        let layout = decode_layout(&rec, &DecodeOptions::default(), &mut Vec::new()).unwrap();
        let pick = |tag: &str, code: Option<&str>| {
            FieldSelector {
                tag: tag.into(),
                code: code.map(Into::into),
            }
            .values(&rec, &layout, Utf8Handling::Strict)
            .unwrap()
        };
        assert_eq!(pick("245", None), ["A title : subtitle \u{e9}"]);
        assert_eq!(pick("245", Some("b")), ["subtitle \u{e9}"]);
        assert_eq!(pick("001", None), ["12345"]);
        assert!(pick("001", Some("a")).is_empty());
        assert!(pick("999", None).is_empty());
    }
}
