//! The dynamic path against hand-computed expectations: every validation code with its row and
//! path, and the edge cases of SPEC §9.

use ndarray::{Ix1, Ix2, Ix3};
use serde_json::{json, Value};
use tensorseam::dynamic::{EncodeOptions, Schema};
use tensorseam::{ErrorCode, ValidationErrors};

fn schema(seam: &str) -> Schema {
    Schema::from_text("t.seam", seam).unwrap_or_else(|e| panic!("{e}"))
}

fn errors(s: &Schema, rows: &[Value]) -> Vec<(usize, String, &'static str)> {
    errs(s.encode_json(rows).expect_err("should fail"))
}

fn errs(e: ValidationErrors) -> Vec<(usize, String, &'static str)> {
    e.errors()
        .iter()
        .map(|e| (e.row, e.path.clone(), e.code.as_str()))
        .collect()
}

fn rows(text: &str) -> Vec<Value> {
    Schema::read_jsonl(text.as_bytes()).expect("jsonl")
}

#[test]
fn every_error_code_with_row_and_path() {
    let s = schema(
        r#"schema t v1 {
        dim seq max 3
        input a: f32 { range 0 ..= 10 }
        input b: u8
        input c: str { charset ascii encode one_hot("x", "y") }
        input d: f32[seq, 2]
        input e: i64[seq]
        input f: str { encode bytes(max_len: 2) }
    }"#,
    );
    let ok = json!({"a": 1, "b": 1, "c": "x", "d": [[1, 2]], "e": [5], "f": "ab"});
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"b": 1, "c": "x", "d": [[1, 2]], "e": [5], "f": "ab"}),
            "a",
            "missing",
        ),
        (json!({"a": "1"}), "a", "wrong_type"),
        (json!({"a": true}), "a", "wrong_type"),
        (json!({"a": 1e39}), "a", "non_finite"),
        (json!({"a": 11}), "a", "out_of_range"),
        (json!({"b": 300}), "b", "out_of_range"),
        (json!({"b": 2.5}), "b", "wrong_type"),
        (json!({"c": "é"}), "c", "not_ascii"),
        (json!({"c": "z"}), "c", "unknown_category"),
        (json!({"d": [[1, 2, 3]]}), "d[0]", "wrong_length"),
        (
            json!({"d": [[1, 2], [3, 4]], "e": [1]}),
            "e",
            "dim_mismatch",
        ),
        (json!({"d": [[1, null]]}), "d[0][1]", "missing"),
        (json!({"f": "abc"}), "f", "too_long"),
        (json!({"e": 5}), "e", "wrong_type"),
    ];
    for (n, (patch, path, code)) in cases.into_iter().enumerate() {
        let mut row = ok.clone();
        if let (Value::Object(base), Value::Object(p)) = (&mut row, &patch) {
            if !p.contains_key("a") && path == "a" {
                base.remove("a");
            }
            for (k, v) in p {
                base.insert(k.clone(), v.clone());
            }
        }
        let got = errors(&s, &[ok.clone(), row]);
        assert_eq!(
            got.first().map(|(r, p, c)| (*r, p.as_str(), *c)),
            Some((1, path, code)),
            "case {n}: {got:?}"
        );
        assert_eq!(got.len(), 1, "case {n}: one error per value: {got:?}");
    }
    // unknown_field only in strict mode; a record that is not an object is wrong_type at the row.
    let strict = EncodeOptions {
        strict: true,
        ..EncodeOptions::default()
    };
    let mut extra = ok.clone();
    extra["zz"] = json!(1);
    assert!(s.encode_json(std::slice::from_ref(&extra)).is_ok());
    assert_eq!(
        errs(s.encode_with(&[extra], &strict).expect_err("strict")),
        vec![(0, "zz".to_string(), "unknown_field")]
    );
    assert_eq!(
        errors(&s, &[json!([1, 2])]),
        vec![(0, String::new(), "wrong_type")]
    );
    let codes: std::collections::BTreeSet<&str> =
        ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(codes.len(), 11);
}

#[test]
fn all_errors_are_collected_up_to_the_limit() {
    let s = schema("schema t v1 { input a: f32 input b: str { encode index(\"x\") } }");
    let rows: Vec<Value> = (0..150).map(|_| json!({"a": "no", "b": "y"})).collect();
    let e = s.encode_json(&rows).expect_err("bad");
    assert_eq!(e.len(), 300);
    assert_eq!(e.errors().len(), 100);
    assert_eq!(e.omitted(), 200);
    assert_eq!((e.errors()[1].row, e.errors()[1].path.as_str()), (0, "b"));
    assert!(e
        .to_string()
        .contains("`a` in 50 rows (0, 1, 2, 3, 4, …): wrong_type: expected a number for `f32`, found the string \"no\" (row 0)"));
}

#[test]
fn nan_is_missing_infinities_are_not_finite() {
    let s = schema("schema t v1 { input a: f64 { missing fill(0.5) } input b: f32 input c: i32 }");
    let r = rows("{\"a\": NaN, \"b\": 1, \"c\": 1}\n{\"a\": 1, \"b\": Infinity, \"c\": 1}\n{\"a\": 1, \"b\": 1, \"c\": NaN}\n{\"a\": 1, \"b\": NaN, \"c\": -Infinity}");
    assert_eq!(
        errors(&s, &r),
        vec![
            (1, "b".into(), "non_finite"),
            (2, "c".into(), "wrong_type"),
            (3, "b".into(), "missing"),
            (3, "c".into(), "wrong_type")
        ]
    );
    let b = s.encode_json(&r[..1]).expect("fill");
    assert_eq!(b.view::<f64, Ix1>("a").expect("a")[0], 0.5);
}

#[test]
fn raw_values_keep_their_dtype() {
    let s =
        schema("schema t v1 { input a: f32 input b: i64 input c: u64 input d: f64 input e: bool }");
    let r = rows(
        r#"{"a": 0.1, "b": 9007199254740993, "c": 18446744073709551615, "d": -0.0, "e": false}
{"a": 1e-45, "b": -9223372036854775808, "c": 2.0, "d": 5e-324, "e": true}"#,
    );
    let b = s.encode_json(&r).expect("valid");
    let a = b.view::<f32, Ix1>("a").expect("a");
    assert_eq!(a[0], 0.1f32);
    assert_eq!(a[1].to_bits(), 1); // the smallest subnormal
    assert_eq!(
        b.view::<i64, Ix1>("b").expect("b").to_vec(),
        vec![9007199254740993, i64::MIN]
    );
    assert_eq!(
        b.view::<u64, Ix1>("c").expect("c").to_vec(),
        vec![u64::MAX, 2]
    );
    let d = b.view::<f64, Ix1>("d").expect("d");
    assert_eq!(d[0].to_bits(), (-0.0f64).to_bits());
    assert_eq!(d[1], 5e-324);
    assert_eq!(
        b.view::<bool, Ix1>("e").expect("e").to_vec(),
        vec![false, true]
    );
    // No lossy coercion.
    let bad = rows(r#"{"a": true, "b": 2.5, "c": -1, "d": "1", "e": 1}"#);
    assert_eq!(
        errors(&s, &bad),
        vec![
            (0, "a".into(), "wrong_type"),
            (0, "b".into(), "wrong_type"),
            (0, "c".into(), "out_of_range"),
            (0, "d".into(), "wrong_type"),
            (0, "e".into(), "wrong_type")
        ]
    );
}

#[test]
fn categorical_policies_and_hashing() {
    let s = schema(
        r#"schema t v1 {
        input a: str { encode one_hot("x", "y"; unknown: ignore) }
        input b: str { encode index("x", "y"; unknown: oov(3)) }
        input c: i64 { encode hash(buckets: 1000) }
        input d: bool { encode index(true, false) }
        input e: str { encode hash(buckets: 7, dtype: i32) }
    }"#,
    );
    let r = rows(
        r#"{"a": "zz", "b": "zz", "c": -12, "d": false, "e": ""}
{"a": "y", "b": "y", "c": 0, "d": true, "e": "😀"}"#,
    );
    let b = s.encode_json(&r).expect("valid");
    assert_eq!(
        b.view::<f32, Ix2>("a").expect("a").row(0).to_vec(),
        vec![0.0, 0.0]
    );
    assert_eq!(
        b.view::<f32, Ix2>("a").expect("a").row(1).to_vec(),
        vec![0.0, 1.0]
    );
    let fnv = tensorseam::ops::fnv1a64;
    assert_eq!(
        b.view::<i64, Ix1>("b").expect("b").to_vec(),
        vec![2 + (fnv(b"zz") % 3) as i64, 1]
    );
    assert_eq!(
        b.view::<i64, Ix1>("c").expect("c").to_vec(),
        vec![(fnv(b"-12") % 1000) as i64, (fnv(b"0") % 1000) as i64]
    );
    assert_eq!(b.view::<i64, Ix1>("d").expect("d").to_vec(), vec![1, 0]);
    assert_eq!(
        b.view::<i32, Ix1>("e").expect("e").to_vec(),
        vec![(fnv(b"") % 7) as i32, (fnv("😀".as_bytes()) % 7) as i32]
    );
}

#[test]
fn scaling_is_exact_and_checks_domains() {
    let s = schema("schema t v1 { input a: f32 { scale log1p |> standardize(mean: 8.33, std: 0.19) } input b: f64 { scale divide(by: 3) out f64 } }");
    let r = rows(r#"{"a": 4000, "b": 0.1}"#);
    let b = s.encode_json(&r).expect("valid");
    let expected = ((f64::from(4000f32).ln_1p() - 8.33) / 0.19) as f32;
    assert_eq!(
        b.view::<f32, Ix1>("a").expect("a")[0].to_bits(),
        expected.to_bits()
    );
    assert_eq!(b.view::<f64, Ix1>("b").expect("b")[0], 0.1 / 3.0);
    let bad = rows(r#"{"a": -1, "b": 1e308}"#);
    assert_eq!(errors(&s, &bad), vec![(0, "a".into(), "out_of_range")]);
    let s = schema("schema t v1 { input b: f64 { scale affine(scale: 1e300, offset: 0) } }");
    assert_eq!(
        errors(&s, &rows(r#"{"b": 1e10}"#)),
        vec![(0, "b".into(), "non_finite")]
    );
}

#[test]
fn bucketize_at_exact_boundaries() {
    let s = schema("schema t v1 { input a: f64 { encode bucketize(0, 10, 20) } input b: i64 { encode bucketize(-1.5, 3) } }");
    let r = rows(
        r#"{"a": -0.0, "b": -2}
{"a": 10, "b": 3}
{"a": 19.999999999999996, "b": 4}"#,
    );
    let b = s.encode_json(&r).expect("valid");
    assert_eq!(b.view::<i64, Ix1>("a").expect("a").to_vec(), vec![1, 2, 2]);
    assert_eq!(b.view::<i64, Ix1>("b").expect("b").to_vec(), vec![0, 2, 2]);
}

#[test]
fn padding_truncation_and_masks() {
    let s = schema(
        r#"schema t v1 {
        dim seq max 3 truncate left
        dim items
        input h: f32[seq, 2]
        input n: i32[seq]
        input tags: str[items] { encode hash(buckets: 5) }
        input title: str { encode chars(max_len: 3, truncate: right) }
    }"#,
    );
    let r = rows(
        r#"{"h": [[1, 2], [3, 4], [5, 6], [7, 8]], "n": [1, 2, 3, 4], "tags": ["a"], "title": "héllo"}
{"h": [[9, 9]], "n": [9], "tags": ["a", "b", "c"], "title": "😀"}
{"h": [], "n": [], "tags": [], "title": ""}"#,
    );
    let b = s.encode_json(&r).expect("valid");
    let h = b.view::<f32, Ix3>("h").expect("h");
    assert_eq!(h.shape(), &[3, 3, 2]);
    assert_eq!(
        h.index_axis(ndarray::Axis(0), 0)
            .iter()
            .copied()
            .collect::<Vec<_>>(),
        vec![3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    );
    assert_eq!(
        h.index_axis(ndarray::Axis(0), 1)
            .iter()
            .copied()
            .collect::<Vec<_>>(),
        vec![9.0, 9.0, 0.0, 0.0, 0.0, 0.0]
    );
    assert_eq!(
        b.view::<i32, Ix2>("n").expect("n").row(0).to_vec(),
        vec![2, 3, 4]
    );
    let seq_mask = b.view::<bool, Ix2>("seq_mask").expect("seq_mask");
    assert_eq!(seq_mask.row(0).to_vec(), vec![true, true, true]);
    assert_eq!(seq_mask.row(1).to_vec(), vec![true, false, false]);
    assert_eq!(seq_mask.row(2).to_vec(), vec![false, false, false]);
    let items_mask = b.view::<bool, Ix2>("items_mask").expect("items_mask");
    assert_eq!(items_mask.shape(), &[3, 3], "padded to the batch's longest");
    assert_eq!(items_mask.row(0).to_vec(), vec![true, false, false]);
    let title = b.view::<i32, Ix2>("title").expect("title");
    assert_eq!(
        title.row(0).to_vec(),
        vec!['h' as i32, 'é' as i32, 'l' as i32]
    );
    assert_eq!(title.row(1).to_vec(), vec![0x1F600, 0, 0]);
    assert_eq!(
        b.view::<bool, Ix2>("title_mask")
            .expect("mask")
            .row(1)
            .to_vec(),
        vec![true, false, false]
    );
    let names: Vec<&str> = b.tensors().iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "h",
            "n",
            "tags",
            "title",
            "seq_mask",
            "items_mask",
            "title_mask"
        ]
    );
    // Cut elements are not validated; paths index the raw value.
    let r = rows(
        r#"{"h": [["x", 2], [3, 4], [5, 6], [7, null]], "n": [1, 2, 3, 4], "tags": [], "title": ""}"#,
    );
    assert_eq!(errors(&s, &r), vec![(0, "h[3][1]".into(), "missing")]);
}

#[test]
fn dims_with_min_and_exact_max() {
    let s = schema("schema t v1 { dim seq max 2 min 1 input a: f32[seq] }");
    assert!(s.encode_json(&rows(r#"{"a": [1, 2]}"#)).is_ok());
    assert_eq!(
        errors(&s, &rows(r#"{"a": [1, 2, 3]}"#)),
        vec![(0, "a".into(), "too_long")]
    );
    assert_eq!(
        errors(&s, &rows(r#"{"a": []}"#)),
        vec![(0, "a".into(), "wrong_length")]
    );
}

#[test]
fn multi_hot_and_concat_layout() {
    let s = schema(
        r#"schema t v1 {
        input tags: str[3] { encode multi_hot("a", "b", "c"; unknown: ignore) }
        input x: f32
        input color: str { encode one_hot("r", "g") }
        input ids: i64[2] { encode multi_hot(1, 2) }
        tensor f = concat(x, color)
    }"#,
    );
    let r = rows(r#"{"tags": ["c", "a", "zz"], "x": 0.5, "color": "g", "ids": [2, 2]}"#);
    let b = s.encode_json(&r).expect("valid");
    assert_eq!(
        b.view::<f32, Ix2>("f").expect("f").row(0).to_vec(),
        vec![0.5, 0.0, 1.0]
    );
    assert_eq!(
        b.view::<f32, Ix2>("tags").expect("tags").row(0).to_vec(),
        vec![1.0, 0.0, 1.0]
    );
    assert_eq!(
        b.view::<f32, Ix2>("ids").expect("ids").row(0).to_vec(),
        vec![0.0, 1.0]
    );
    let bad = rows(r#"{"tags": ["a", "b", "c"], "x": 0.5, "color": "g", "ids": [2, 7]}"#);
    assert_eq!(
        errors(&s, &bad),
        vec![(0, "ids[1]".into(), "unknown_category")]
    );
}

#[test]
fn labels_and_weights_only_when_training() {
    let s = schema(
        "schema t v1 { input x: f32 label y: str { encode index(\"a\", \"b\") } weight w: f32 }",
    );
    let r = rows(r#"{"x": 1}"#);
    let serving = s.encode_json(&r).expect("serving ignores labels");
    assert_eq!(serving.tensors().len(), 1);
    assert_eq!(
        errs(s.encode_training_json(&r).expect_err("labels required")),
        vec![(0, "y".into(), "missing"), (0, "w".into(), "missing")]
    );
    let t = s
        .encode_training_json(&rows(r#"{"x": 1, "y": "b", "w": 2}"#))
        .expect("training");
    let names: Vec<&str> = t.tensors().iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["x", "y", "w"]);
    assert_eq!(t.view::<i64, Ix1>("y").expect("y")[0], 1);
}

#[test]
fn csv_rows() {
    let s = schema("schema t v1 { input a: f64 { missing fill(7) } input b: str { encode index(\"x\", \"12\") } input c: f32[2] input d: bool }");
    let csv = "b,a,c,d,extra\nx,,\"[1, 2]\",true,9\n12,nan,\"[3, 4]\",False,\n";
    let r = s.read_csv(csv.as_bytes()).expect("csv");
    let b = s.encode_json(&r).expect("valid");
    assert_eq!(b.view::<f64, Ix1>("a").expect("a").to_vec(), vec![7.0, 7.0]);
    assert_eq!(b.view::<i64, Ix1>("b").expect("b").to_vec(), vec![0, 1]);
    assert_eq!(
        b.view::<f32, Ix2>("c").expect("c").row(1).to_vec(),
        vec![3.0, 4.0]
    );
    assert_eq!(
        b.view::<bool, Ix1>("d").expect("d").to_vec(),
        vec![true, false]
    );
    let bad = s
        .read_csv("a,b,c,d\n1e400,x,[1],maybe\n".as_bytes())
        .expect("csv");
    // 1e400 is a number beyond f64: infinite, as JSONL and Python read it, so `non_finite`.
    assert_eq!(
        errors(&s, &bad),
        vec![
            (0, "a".into(), "non_finite"),
            (0, "c".into(), "wrong_length"),
            (0, "d".into(), "wrong_type")
        ]
    );
}

#[test]
fn unfitted_schemas_say_to_run_fit() {
    let e = Schema::from_text(
        "t.seam",
        "schema t v1 { input a: f32 { scale standardize(fit) } }",
    )
    .expect_err("unfitted");
    assert!(e.to_string().contains("run `tensorseam fit"), "{e}");
    let e = Schema::from_text("t.seam", "schema t v1 { input a: f33 }").expect_err("invalid");
    assert!(e.to_string().contains("error[E0401]"), "{e}");
}

/// The runtime's tensor dtypes mirror the compiler's (the runtime does not depend on the compiler
/// without `dynamic`): every compiler dtype maps through both by name, and back.
#[test]
fn dtype_mirrors_agree() {
    use tensorseam_compiler::ir::DType as C;
    for d in C::ALL {
        assert_eq!(d.raw().name(), d.name(), "{d}");
        assert_eq!(
            tensorseam::value::RawType::from_name(d.name()),
            Some(d.raw())
        );
        match tensorseam::DType::from_name(d.name()) {
            Some(t) => assert_eq!(t.name(), d.name()),
            None => assert_eq!(d, C::Str, "only `str` has no tensor dtype"),
        }
    }
}
