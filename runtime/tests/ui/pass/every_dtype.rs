#![deny(warnings)]
#![allow(dead_code)]

use tensorseam::ModelInput;

/// Every dtype; `&str` and `Box<str>` for strings; arrays, nested arrays and `Vec` of arrays; an
/// input named like a keyword; the label left out.
#[derive(ModelInput)]
#[tensorseam(schema = "tests/ui/schemas/all.seam")]
struct All<'a> {
    flag: bool,
    tiny: i8,
    small: i16,
    mid: i32,
    big: i64,
    ubyte: u8,
    ushort: u16,
    uint: u32,
    ulong: u64,
    single: Option<f32>,
    double: f64,
    name: &'a str,
    title: Box<str>,
    r#type: String,
    history: Vec<[f32; 4]>,
    grid: [[u8; 3]; 2],
    tokens: Vec<String>,
}

/// The same inputs with `Vec` for fixed axes, a plain `T` where a fill exists, renames, and the
/// label present.
#[derive(ModelInput)]
#[tensorseam(schema = "tests/ui/schemas/all.seam")]
struct Training {
    flag: bool,
    tiny: i8,
    small: i16,
    mid: i32,
    big: i64,
    ubyte: u8,
    ushort: u16,
    uint: u32,
    ulong: u64,
    single: f32,
    double: f64,
    name: String,
    title: String,
    #[tensorseam(rename = "type")]
    kind: String,
    history: Vec<Vec<f32>>,
    grid: Vec<Vec<u8>>,
    #[tensorseam(rename = "tokens")]
    words: Vec<Box<str>>,
    y: i64,
}

fn main() {
    assert_eq!(All::SCHEMA_NAME, "all");
    assert_eq!(All::SCHEMA_VERSION, 1);
    assert_eq!(All::FINGERPRINT.len(), 64);
    assert_eq!(All::FINGERPRINT, Training::FINGERPRINT);
    assert_eq!(All::TENSORS.last(), Some(&"title_mask"));
}
