//! `gen ir`: the IR as readable JSON (docs and the tensor layout included), with the fingerprint.

use crate::check::Checked;
use crate::ir::json::{value, Form};
use crate::json;

/// The readable IR with the fingerprint (`gen ir`).
pub fn pretty_text(c: &Checked) -> String {
    let mut v = value(c.schema(), Form::Readable);
    v["fingerprint"] = serde_json::json!(c.fingerprint());
    json::pretty(&v)
}
