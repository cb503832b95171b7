//! Property: for generated schemas, YAML → IR equals YAML → DSL text → IR, formatting is
//! idempotent, and the fingerprint survives the round trip. The generator builds IR directly, so
//! the first check also proves the YAML writer and reader lossless for every field.

use proptest::collection::{btree_set, vec};
use proptest::prelude::*;
use tensorseam_compiler::emit::{seam, yaml};
use tensorseam_compiler::ir::*;
use tensorseam_compiler::{compile, Checked, SourceFile};

/// Any text: control characters, quotes, backslashes, `"""`, non-ASCII, astral-plane.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        vec(any::<char>(), 0..12).prop_map(String::from_iter),
        "[a-zA-Z \"'\\\\#:{}\\[\\],*/\n\t]{0,16}",
        Just("\"\"\"".to_string()),
        Just("*/ no yes null 1.5".to_string()),
    ]
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1e6f64..1e6,
        any::<f64>().prop_filter("finite", |x| x.is_finite()),
        Just(0.0),
        Just(1e-300),
        Just(5e-324)
    ]
    .prop_map(|x| if x == 0.0 { 0.0 } else { x })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::Standardize(None)),
        (finite(), 1e-6f64..1e6)
            .prop_map(|(mean, std)| Step::Standardize(Some(Standardize { mean, std }))),
        Just(Step::MinMax(None)),
        (finite(), 1e-3f64..1e3).prop_map(|(min, d)| Step::MinMax(Some(MinMax {
            min,
            max: min + d.max(min.abs() * 1e-3)
        }))),
        (finite(), finite()).prop_map(|(scale, offset)| Step::Affine { scale, offset }),
        finite()
            .prop_filter("non-zero", |b| *b != 0.0)
            .prop_map(Step::Divide),
        Just(Step::Log1p),
        (
            proptest::option::of(-1e3f64..0.0),
            proptest::option::of(0.0f64..1e3)
        )
            .prop_filter("a bound", |(a, b)| a.is_some() || b.is_some())
            .prop_map(|(min, max)| Step::Clip { min, max }),
    ]
}

fn categories(dtype: DType) -> BoxedStrategy<Categories> {
    let list: BoxedStrategy<Vec<Scalar>> = match dtype {
        DType::Str => btree_set(text(), 1..6)
            .prop_map(|s| s.into_iter().map(Scalar::Str).collect())
            .boxed(),
        DType::Bool => Just(vec![Scalar::Bool(true), Scalar::Bool(false)]).boxed(),
        d => {
            let (lo, hi) = d.int_bounds().expect("integer dtype");
            btree_set(lo..=hi, 1..6)
                .prop_map(|s| s.into_iter().map(Scalar::Int).collect())
                .boxed()
        }
    };
    let fit = (
        any::<bool>(),
        proptest::option::of(1u64..100),
        proptest::option::of(1u64..10),
        proptest::option::of(list.clone()),
    )
        .prop_map(
            |(freq, max_categories, min_frequency, include)| Categories::Fit {
                order: if freq {
                    FitOrder::Frequency
                } else {
                    FitOrder::Lexical
                },
                max_categories,
                min_frequency,
                include: include.unwrap_or_default(),
            },
        );
    prop_oneof![1 => fit, 3 => list.prop_map(Categories::List)].boxed()
}

fn encoding(dtype: DType, shaped: bool) -> BoxedStrategy<Encoding> {
    let mut options: Vec<BoxedStrategy<Encoding>> = Vec::new();
    if dtype == DType::Str || dtype == DType::Bool || dtype.is_int() {
        options.push(
            (categories(dtype), any::<bool>())
                .prop_map(|(categories, ignore)| Encoding::OneHot {
                    categories,
                    unknown: if ignore {
                        Unknown::Ignore
                    } else {
                        Unknown::Error
                    },
                    dtype: DType::F32,
                })
                .boxed(),
        );
        options.push(
            (categories(dtype), proptest::option::of(1u64..5))
                .prop_map(|(categories, oov)| Encoding::Index {
                    categories,
                    unknown: oov.map_or(Unknown::Error, Unknown::Oov),
                    dtype: DType::I64,
                })
                .boxed(),
        );
    }
    if dtype == DType::Str || dtype.is_int() {
        options.push(
            (1u64..1000, any::<bool>())
                .prop_map(|(buckets, i32)| Encoding::Hash {
                    buckets,
                    dtype: if i32 { DType::I32 } else { DType::I64 },
                })
                .boxed(),
        );
        if shaped {
            options.push(
                categories(dtype)
                    .prop_map(|categories| Encoding::MultiHot {
                        categories,
                        unknown: Unknown::Ignore,
                        dtype: DType::F64,
                    })
                    .boxed(),
            );
        }
    }
    if dtype.is_numeric() {
        options.push(
            btree_set(-1_000_000i64..1_000_000, 1..5)
                .prop_map(|b| Encoding::Bucketize {
                    boundaries: b.into_iter().map(|x| x as f64 / 8.0).collect(),
                    dtype: DType::I32,
                })
                .boxed(),
        );
    }
    if dtype == DType::Str && !shaped {
        let t = prop_oneof![
            Just(Truncate::Error),
            Just(Truncate::Right),
            Just(Truncate::Left)
        ];
        options.push(
            (1u64..64, t.clone())
                .prop_map(|(max_len, truncate)| Encoding::Bytes {
                    max_len,
                    truncate,
                    dtype: DType::U8,
                })
                .boxed(),
        );
        options.push(
            (1u64..64, t)
                .prop_map(|(max_len, truncate)| Encoding::Chars {
                    max_len,
                    truncate,
                    dtype: DType::I32,
                })
                .boxed(),
        );
    }
    proptest::strategy::Union::new(options).boxed()
}

fn input(index: usize, dims: Vec<String>) -> BoxedStrategy<Input> {
    let dtype = proptest::sample::select(DType::ALL.to_vec());
    let axis = prop_oneof![
        (1u64..5).prop_map(Axis::Fixed),
        proptest::sample::select(if dims.is_empty() {
            vec!["".to_string()]
        } else {
            dims.clone()
        })
        .prop_map(Axis::Dim)
    ]
    .prop_filter(
        "declared dim",
        |a| !matches!(a, Axis::Dim(d) if d.is_empty()),
    );
    (
        dtype,
        vec(axis, 0..3),
        proptest::option::of(text()),
        proptest::option::of(text()),
        0u8..10,
        any::<bool>(),
    )
        .prop_flat_map(move |(dtype, shape, doc, deprecated, role, ascii)| {
            let shaped = !shape.is_empty();
            let transform: BoxedStrategy<Transform> = match dtype {
                DType::Str => encoding(dtype, shaped).prop_map(Transform::Encode).boxed(),
                DType::Bool => prop_oneof![
                    Just(Transform::None),
                    encoding(dtype, shaped).prop_map(Transform::Encode)
                ]
                .boxed(),
                _ => prop_oneof![
                    Just(Transform::None),
                    (vec(step(), 1..4), any::<bool>()).prop_map(|(steps, f64)| Transform::Scale {
                        steps,
                        out: if f64 { DType::F64 } else { DType::F32 }
                    }),
                    encoding(dtype, shaped).prop_map(Transform::Encode),
                ]
                .boxed(),
            };
            let range = if dtype.is_int() {
                let (lo, hi) = dtype.int_bounds().expect("int");
                (lo..=hi, lo..=hi)
                    .prop_map(|(a, b)| {
                        Some(Range {
                            lo: Some(Scalar::Int(a.min(b))),
                            hi: Some(Scalar::Int(a.max(b))),
                        })
                    })
                    .boxed()
            } else if dtype.is_float() {
                (
                    proptest::option::of(-1e9f64..0.0),
                    proptest::option::of(0.0f64..1e9),
                )
                    .prop_map(|(lo, hi)| {
                        Some(Range {
                            lo: lo.map(Scalar::Float),
                            hi: hi.map(Scalar::Float),
                        })
                    })
                    .boxed()
            } else {
                Just(None).boxed()
            };
            let fill = match (dtype, shaped) {
                (DType::Bool, false) => {
                    proptest::option::of(any::<bool>().prop_map(Scalar::Bool)).boxed()
                }
                _ => Just(None).boxed(),
            };
            (transform, range, fill, proptest::option::of(text())).prop_map(
                move |(transform, range, fill, column)| Input {
                    name: format!("i{index}"),
                    column: column.filter(|c| *c != format!("i{index}")),
                    dtype,
                    shape: shape.clone(),
                    role: match role {
                        0 if !matches!(
                            transform,
                            Transform::Encode(Encoding::Bytes { .. } | Encoding::Chars { .. })
                        ) =>
                        {
                            Role::Label
                        }
                        _ => Role::Feature,
                    },
                    doc: doc.clone(),
                    deprecated: deprecated.clone(),
                    range: if dtype.is_numeric() { range } else { None },
                    missing: fill.map_or(Missing::Error, Missing::Fill),
                    charset: if dtype == DType::Str && ascii {
                        Charset::Ascii
                    } else {
                        Charset::Utf8
                    },
                    transform,
                },
            )
        })
        .boxed()
}

fn schema() -> impl Strategy<Value = Schema> {
    let dims = vec(
        (
            proptest::option::of(1u64..64),
            any::<bool>(),
            proptest::option::of(text()),
        ),
        0..3,
    );
    (
        1u64..u64::MAX,
        proptest::option::of(text()),
        dims,
        1usize..8,
    )
        .prop_flat_map(|(version, doc, dims, n)| {
            let dims: Vec<Dim> = dims
                .into_iter()
                .enumerate()
                .map(|(i, (max, trunc, doc))| Dim {
                    name: format!("d{i}"),
                    max,
                    min: max.map(|m| m.div_ceil(2)),
                    truncate: if trunc && max.is_some() {
                        Truncate::Left
                    } else {
                        Truncate::Error
                    },
                    doc,
                })
                .collect();
            let names: Vec<String> = dims.iter().map(|d| d.name.clone()).collect();
            let inputs: Vec<BoxedStrategy<Input>> =
                (0..n).map(|i| input(i, names.clone())).collect();
            (Just(version), Just(doc), Just(dims), inputs)
        })
        .prop_map(|(version, doc, dims, mut inputs)| {
            inputs[0].role = Role::Feature;
            // Concatenate the scalar f32-scaled features, when there are two or more.
            let parts: Vec<String> = inputs
                .iter()
                .filter(|i| {
                    i.role == Role::Feature
                        && i.shape.is_empty()
                        && matches!(
                            i.transform,
                            Transform::Scale {
                                out: DType::F32,
                                ..
                            }
                        )
                })
                .map(|i| i.name.clone())
                .collect();
            let tensors = if parts.len() >= 2 {
                vec![TensorDecl {
                    name: "joined".into(),
                    concat: parts,
                    doc: None,
                }]
            } else {
                Vec::new()
            };
            Schema {
                name: "gen".into(),
                version,
                doc,
                dims,
                inputs,
                tensors,
                specs: Vec::new(),
            }
        })
}

fn checked(path: &str, text: &str) -> Result<Checked, TestCaseError> {
    let out = compile(&SourceFile::new(path, text));
    out.checked.ok_or_else(|| {
        TestCaseError::fail(format!(
            "{path} does not check:\n{text}\n{:#?}",
            out.diagnostics
        ))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn yaml_and_dsl_round_trip_to_one_ir(generated in schema()) {
        let yaml_text = yaml::write(&generated);
        let from_yaml = checked("g.yaml", &yaml_text)?;
        let mut without_specs = from_yaml.schema().clone();
        without_specs.specs.clear();
        prop_assert_eq!(&without_specs, &generated, "YAML lost or changed something:\n{}", yaml_text);

        let seam_text = seam::write(from_yaml.schema());
        let from_seam = checked("g.seam", &seam_text)?;
        prop_assert_eq!(from_seam.schema(), from_yaml.schema(), "DSL round trip differs:\n{}", seam_text);
        prop_assert_eq!(from_seam.fingerprint(), from_yaml.fingerprint());

        // fmt is idempotent in both syntaxes.
        prop_assert_eq!(yaml::write(from_seam.schema()), yaml_text);
        prop_assert_eq!(seam::write(from_seam.schema()), seam_text);
    }
}

/// Found by the property above: an integral float beyond 64-bit range was written as an integer
/// literal (ECMAScript form), which read back as an out-of-range integer.
#[test]
fn huge_integral_floats_round_trip() {
    let yaml = "tensorseam: 1\nname: g\nversion: 1\ninputs:\n  x: {dtype: f64, scale: {minmax: {min: -1.0730005104119261e19, max: 1e300}}}\n";
    let c = checked("g.yaml", yaml).expect("valid");
    for (path, text) in [
        ("a.yaml", yaml::write(c.schema())),
        ("a.seam", seam::write(c.schema())),
    ] {
        assert!(text.contains("-1.0730005104119261e19"), "{text}");
        assert_eq!(
            checked(path, &text).expect("round trip").fingerprint(),
            c.fingerprint()
        );
    }
}
