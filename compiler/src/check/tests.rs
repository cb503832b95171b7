//! Checker rules that the corpus does not show as text: what the IR holds.

use crate::ir::{
    Categories, DType, Encoding, Missing, Scalar, TensorAxis, TensorKind, Transform, Unknown,
};
use crate::{compile, SourceFile};

fn ok(text: &str) -> crate::Checked {
    let out = compile(&SourceFile::new("t.seam", text));
    match out.checked {
        Some(c) => c,
        None => panic!("{:#?}", out.diagnostics),
    }
}

fn codes(path: &str, text: &str) -> Vec<&'static str> {
    compile(&SourceFile::new(path, text))
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

#[test]
fn tensor_order_follows_the_spec() {
    let c = ok(r#"schema s v1 {
        dim items
        dim seq max 4
        label y: str { encode index("a", "b") }
        input title: str { encode bytes(max_len: 8) }
        input x: f32[seq]
        input b: i64[items] { encode hash(buckets: 7) }
        weight w: f32
        input c: f32
        input d: f64 { scale log1p }
        tensor f = concat(c, d)
    }"#);
    let names: Vec<&str> = c.specs.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "f",
            "title",
            "x",
            "b",
            "items_mask",
            "seq_mask",
            "title_mask",
            "y",
            "w"
        ]
    );
    let kinds: Vec<TensorKind> = c.specs.iter().map(|t| t.kind).collect();
    assert_eq!(kinds[4], TensorKind::Mask);
    assert_eq!(kinds[7], TensorKind::Label);
    assert_eq!(kinds[8], TensorKind::Weight);
    // c (f32, raw) and d (scaled, f32 out) concatenate as [batch, 2].
    assert_eq!(c.specs[0].dtype, DType::F32);
    assert_eq!(
        c.specs[0].axes,
        vec![TensorAxis::Batch, TensorAxis::Fixed(Some(2))]
    );
    assert_eq!(
        c.specs[5].axes,
        vec![
            TensorAxis::Batch,
            TensorAxis::Dim {
                name: "seq".into(),
                max: Some(4)
            }
        ]
    );
    assert_eq!(
        c.specs[4].axes,
        vec![
            TensorAxis::Batch,
            TensorAxis::Dim {
                name: "items".into(),
                max: None
            }
        ]
    );
}

#[test]
fn encoding_shapes() {
    let c = ok(r#"schema s v1 {
        dim tags max 5
        input a: str[3] { encode one_hot("x", "y") }
        input b: str[tags] { encode multi_hot("x", "y", "z") }
        input e: i32[2, 2] { encode bucketize(0, 1.5) }
        input g: str { encode chars(max_len: 9) }
        input h: str { encode index(fit; unknown: oov(3)) }
    }"#);
    let shape =
        |n: &str| crate::explain::shape(&c.specs.iter().find(|t| t.name == n).expect(n).axes);
    assert_eq!(shape("a"), "[batch, 3, 2]");
    assert_eq!(shape("b"), "[batch, 3]");
    assert_eq!(shape("e"), "[batch, 2, 2]");
    assert_eq!(shape("g"), "[batch, 9]");
    assert_eq!(shape("h"), "[batch]");
    assert_eq!(
        c.specs.iter().find(|t| t.name == "g").map(|t| t.dtype),
        Some(DType::I32)
    );
    match &c.input("h").expect("h").transform {
        Transform::Encode(Encoding::Index {
            categories: Categories::Fit { .. },
            unknown: Unknown::Oov(3),
            dtype: DType::I64,
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn literals_take_the_input_dtype() {
    let c = ok(r#"schema s v1 {
        input a: f32 { missing fill(44) range 0 ..= 100 }
        input b: u64 { encode index(0, 18446744073709551615) }
        input k: bool { missing fill(false) }
    }"#);
    assert_eq!(
        c.input("a").expect("a").missing,
        Missing::Fill(Scalar::Float(44.0))
    );
    match &c.input("b").expect("b").transform {
        Transform::Encode(Encoding::Index {
            categories: Categories::List(l),
            ..
        }) => {
            assert_eq!(l[1], Scalar::Int(u64::MAX.into()));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        c.input("k").expect("k").missing,
        Missing::Fill(Scalar::Bool(false))
    );
}

#[test]
fn yaml_core_schema_rules() {
    // `no` is a string; an integer may not be written as a float; a float may be an integer.
    let y = "tensorseam: 1\nname: s\nversion: 1\ninputs:\n  a: {dtype: str, encode: {index: {categories: [no, yes, on]}}}\n  b: {dtype: f32, scale: {standardize: {mean: 1, std: 2}}}\n";
    assert!(codes("t.yaml", y).is_empty());
    let y = "tensorseam: 1\nname: s\nversion: 1\ninputs:\n  b: {dtype: str, encode: {hash: {buckets: 8.0}}}\n";
    assert_eq!(codes("t.yaml", y), ["E0009"]);
    let y = "tensorseam: 1\nname: s\nversion: 1\ninputs:\n  a: {dtype: bool, encode: {one_hot: {categories: [true, no]}}}\n";
    assert_eq!(codes("t.yaml", y), ["E0304"]);
}

#[test]
fn every_error_of_a_file_is_reported_in_one_run() {
    let c = codes(
        "t.seam",
        r#"schema s v1 {
        input a: f32 { scale standardize(mean: 0, std: 0) }
        input b: f32 { range 3 ..= 1 }
        input c: str { encode one_hot("x", "x") }
        input d: f33
        input e: f32[0]
        tensor t = concat(a, zz)
    }"#,
    );
    assert_eq!(c, ["E0203", "E0407", "E0303", "E0401", "E0403", "E0501"]);
}

#[test]
fn index_output_dtype_must_hold_oov_positions() {
    let cats: Vec<String> = (0..250).map(|i| format!("\"c{i}\"")).collect();
    let text = |oov: u32| {
        format!(
            "schema s v1 {{ input a: str {{ encode index({}; unknown: oov({oov}), dtype: u8) }} }}",
            cats.join(", ")
        )
    };
    assert!(codes("t.seam", &text(6)).is_empty()); // 250 + 6 - 1 = 255 fits u8
    assert_eq!(codes("t.seam", &text(7)), ["E0307"]);
}

#[test]
fn negative_zero_and_identity() {
    assert!(crate::check::is_identifier("a_1"));
    let c = ok("schema s v1 { input a: f64 { scale affine(scale: 1, offset: 0) } }");
    assert!(matches!(
        &c.input("a").expect("a").transform,
        Transform::Scale {
            out: DType::F32,
            ..
        }
    ));
}
