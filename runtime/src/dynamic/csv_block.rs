//! A chunk of CSV records held flat: every field's text in one string and the field bounds in one
//! vector. Reading a record costs a copy, not the two allocations a `StringRecord` makes, and
//! the chunk is freed at once — the reader is the one serial stage of a CSV stream, so what it
//! does per record bounds the whole stream's speed.

use std::path::Path;

/// Records of one CSV file, in order.
#[derive(Clone, Debug, Default)]
pub struct CsvBlock {
    /// Every field's text, back to back.
    text: String,
    /// The end of each field in `text`.
    ends: Vec<usize>,
    /// Per record, the index in `ends` of its first field; one more entry closes the last.
    records: Vec<usize>,
}

impl CsvBlock {
    /// Reads up to `max` records from `reader`; `Ok(None)` at the end of the file.
    ///
    /// # Errors
    /// A malformed record or text that is not UTF-8, with its line.
    pub fn read(
        reader: &mut csv::Reader<impl std::io::Read>,
        max: usize,
        path: &Path,
    ) -> Result<Option<CsvBlock>, super::ReadError> {
        let mut bytes = Vec::new();
        let mut ends = Vec::new();
        let mut records = Vec::with_capacity(max + 1);
        let mut lines = Vec::with_capacity(max);
        let mut record = csv::ByteRecord::new();
        while records.len() < max {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {
                    records.push(ends.len());
                    lines.push(record.position().map_or(0, |p| p.line() as usize));
                    for field in &record {
                        bytes.extend_from_slice(field);
                        ends.push(bytes.len());
                    }
                }
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    return Err(super::source::syntax(path, line, &e));
                }
            }
        }
        if records.is_empty() {
            return Ok(None);
        }
        records.push(ends.len());
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            // The record holding the first bad byte: the last whose first field starts at or
            // before it.
            let r = records[..records.len() - 1]
                .partition_point(|&f| f == 0 || ends[f - 1] <= at)
                .saturating_sub(1);
            super::source::syntax(path, lines[r], &"a field is not valid UTF-8")
        })?;
        Ok(Some(CsvBlock {
            text,
            ends,
            records,
        }))
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.records.len().saturating_sub(1)
    }

    /// Whether it holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Field `c` of record `r`.
    pub fn get(&self, r: usize, c: usize) -> Option<&str> {
        let (first, last) = (*self.records.get(r)?, *self.records.get(r + 1)?);
        let f = first + c;
        if f >= last {
            return None;
        }
        let start = if f == 0 { 0 } else { self.ends[f - 1] };
        self.text.get(start..self.ends[f])
    }

    /// The fields of record `r`.
    pub fn record(&self, r: usize) -> impl Iterator<Item = &str> {
        let fields = match (self.records.get(r), self.records.get(r + 1)) {
            (Some(&a), Some(&b)) => a..b,
            _ => 0..0,
        };
        fields.map(move |f| {
            let start = if f == 0 { 0 } else { self.ends[f - 1] };
            &self.text[start..self.ends[f]]
        })
    }

    /// The first `n` records, and the rest.
    #[must_use]
    pub fn split(self, n: usize) -> (CsvBlock, CsvBlock) {
        let n = n.min(self.len());
        let cut_field = self.records[n];
        let cut_text = if cut_field == 0 {
            0
        } else {
            self.ends[cut_field - 1]
        };
        let rest = CsvBlock {
            text: self.text[cut_text..].to_string(),
            ends: self.ends[cut_field..]
                .iter()
                .map(|e| e - cut_text)
                .collect(),
            records: self.records[n..].iter().map(|f| f - cut_field).collect(),
        };
        let mut head = self;
        head.text.truncate(cut_text);
        head.ends.truncate(cut_field);
        head.records.truncate(n + 1);
        (head, rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str) -> CsvBlock {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        CsvBlock::read(&mut reader, 100, Path::new("t.csv"))
            .unwrap()
            .unwrap()
    }

    #[test]
    fn fields_and_splits() {
        let b = block("a,,\"c,1\"\nd,e,f\n\"\",h,ü\n");
        assert_eq!(b.len(), 3);
        assert_eq!(b.get(0, 1), Some(""));
        assert_eq!(b.get(0, 2), Some("c,1"));
        assert_eq!(b.get(0, 3), None);
        assert_eq!(b.record(2).collect::<Vec<_>>(), ["", "h", "ü"]);
        let (head, rest) = b.split(1);
        assert_eq!(head.len(), 1);
        assert_eq!(head.record(0).collect::<Vec<_>>(), ["a", "", "c,1"]);
        assert_eq!(rest.len(), 2);
        assert_eq!(rest.get(0, 0), Some("d"));
        assert_eq!(rest.get(1, 2), Some("ü"));
    }

    #[test]
    fn bad_utf8_names_its_line() {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&b"a,b\nc,\xff\n"[..]);
        match CsvBlock::read(&mut reader, 100, Path::new("t.csv")) {
            Err(super::super::ReadError::Syntax { line, .. }) => assert_eq!(line, 2),
            other => panic!("{other:?}"),
        }
    }
}
