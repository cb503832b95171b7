//! The `tensorseam` binary end to end: exit codes, formats, colour, and each command's output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn schemas() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas")
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tensorseam"));
    cmd.args(args).current_dir(schemas()).env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run tensorseam")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("utf-8 output")
}

/// A scratch directory unique to one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tensorseam-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

const BAD: &str =
    "schema m v1 {\n  input x: f32 { scale standardize(mean: 1, std: 0) }\n  input y: f33\n}\n";

#[test]
fn check_exit_codes() {
    let ok = run(
        &["check", "penguins.yaml", "penguins.seam", "digits.yaml"],
        &[],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    // One line per schema says what was checked.
    let lines: Vec<String> = text(&ok.stdout).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines[0].starts_with("penguins.yaml: ok — penguins v3, 8 inputs, 3 tensors, fingerprint "),
        "{lines:?}"
    );
    let unfitted = run(&["check", "reviews.seam"], &[]);
    assert!(
        text(&unfitted.stdout).contains("`fit` placeholders in language (run `tensorseam fit`)"),
        "{}",
        text(&unfitted.stdout)
    );

    let dir = scratch("exit");
    let bad = dir.join("bad.seam");
    std::fs::write(&bad, BAD).expect("write");
    let out = run(&["check", bad.to_str().expect("path")], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("error[E0203]: std must be positive"), "{err}");
    assert!(err.contains("bad.seam:2:50"), "{err}");
    assert!(err.contains("error[E0401]: unknown dtype `f33`"), "{err}");
    assert!(err.contains("= help: did you mean `f32`?"), "{err}");
    assert!(err.contains("error: 2 errors in 1 file"), "{err}");

    assert_eq!(
        run(&["check", "no-such-file.yaml"], &[]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["check"], &[]).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"], &[]).status.code(), Some(2));
    assert_eq!(run(&["--help"], &[]).status.code(), Some(0));
}

#[test]
fn machine_formats() {
    let dir = scratch("formats");
    let bad = dir.join("bad.seam");
    std::fs::write(&bad, BAD).expect("write");
    let path = bad.to_str().expect("path");

    let out = run(&["check", "--format", "json", path], &[]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["errors"], 2);
    let first = &doc["diagnostics"][0];
    assert_eq!(first["code"], "E0203");
    assert_eq!(first["line"], 2);
    assert_eq!(first["column"], 50);
    assert_eq!(first["severity"], "error");

    let out = run(&["check", "--format", "github", path], &[]);
    let lines = text(&out.stdout);
    let first = lines.lines().next().expect("a line");
    assert!(first.starts_with("::error file="), "{first}");
    assert!(first.contains(",line=2,col=50,"), "{first}");
    assert!(
        first.contains("title=E0203::std must be positive%0Ahelp: "),
        "{first}"
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let dir = scratch("colour");
    let bad = dir.join("bad.seam");
    std::fs::write(&bad, BAD).expect("write");
    let path = bad.to_str().expect("path");
    let piped = run(&["check", path], &[]);
    assert!(
        !piped.stderr.contains(&0x1b),
        "no escapes when stderr is not a terminal"
    );
    let forced = run(&["--color", "always", "check", path], &[]);
    assert!(forced.stderr.contains(&0x1b));
    let never = run(&["--color", "never", "check", path], &[("NO_COLOR", "1")]);
    assert!(!never.stderr.contains(&0x1b));
}

#[test]
fn explain_prints_the_tensor_table() {
    let out = run(&["explain", "penguins.seam"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let table = text(&out.stdout);
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("features") && l.contains("f32") && l.contains("[batch, 10]")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("species") && l.contains("label")),
        "{table}"
    );

    let out = run(&["explain", "--format", "json", "sessions.yaml"], &[]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let tensors = doc["tensors"].as_array().expect("tensors");
    let mask = tensors
        .iter()
        .find(|t| t["name"] == "events_mask")
        .expect("events_mask");
    assert_eq!(mask["dtype"], "bool");
    assert_eq!(
        mask["shape"],
        serde_json::json!(["batch", {"dim": "events", "max": 32}])
    );
    let basket = tensors
        .iter()
        .find(|t| t["name"] == "basket")
        .expect("basket");
    assert_eq!(
        basket["shape"],
        serde_json::json!(["batch", {"dim": "items", "max": null}])
    );
}

#[test]
fn gen_ir_canonical_is_what_the_fingerprint_hashes() {
    let pretty = run(&["gen", "ir", "penguins.yaml"], &[]);
    let doc: serde_json::Value = serde_json::from_slice(&pretty.stdout).expect("json");
    let fingerprint = doc["fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_string();
    assert_eq!(doc["doc"], "Palmer penguins species classifier.");
    let canonical = run(&["gen", "ir", "--canonical", "penguins.seam"], &[]);
    assert_eq!(canonical.status.code(), Some(0));
    assert_eq!(
        tensorseam_compiler::fingerprint::of(&text(&canonical.stdout)),
        fingerprint
    );
    assert!(!text(&canonical.stdout).contains("Palmer"));

    let dir = scratch("gen");
    let out_path = dir.join("ir.json");
    let written = run(
        &[
            "gen",
            "ir",
            "penguins.yaml",
            "-o",
            out_path.to_str().expect("path"),
        ],
        &[],
    );
    assert_eq!(written.status.code(), Some(0));
    assert_eq!(std::fs::read(&out_path).expect("written"), pretty.stdout);
}

#[test]
fn fmt_checks_rewrites_and_converts() {
    let dir = scratch("fmt");
    let canonical = run(
        &[
            "fmt",
            "--check",
            "penguins.seam",
            "reviews.seam",
            "digits.yaml",
            "sessions.yaml",
        ],
        &[],
    );
    assert_eq!(
        canonical.status.code(),
        Some(0),
        "{}",
        text(&canonical.stdout)
    );

    let messy = dir.join("messy.yaml");
    std::fs::write(&messy, "tensorseam: 1\nname: m\nversion: 1\ninputs:\n  x:\n    dtype: f32\n    missing: error\n    scale:\n      - log1p\n").expect("write");
    let p = messy.to_str().expect("path");
    let check = run(&["fmt", "--check", p], &[]);
    assert_eq!(check.status.code(), Some(1));
    assert!(text(&check.stdout).contains("would reformat"));
    assert_eq!(run(&["fmt", p], &[]).status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&messy).expect("read"),
        "tensorseam: 1\nname: m\nversion: 1\ninputs:\n  x:\n    dtype: f32\n    scale: log1p\n"
    );
    assert_eq!(run(&["fmt", "--check", p], &[]).status.code(), Some(0));

    // Comments are kept beside their elements, in either syntax; --drop-comments deletes them.
    let commented = dir.join("commented.seam");
    std::fs::write(
        &commented,
        "# keep me\nschema m v1 { input x: f32  # raw\n}\n",
    )
    .expect("write");
    let c = commented.to_str().expect("path");
    assert_eq!(run(&["fmt", c], &[]).status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&commented).expect("read"),
        "# keep me\nschema m v1 {\n  input x: f32  # raw\n}\n"
    );
    let yaml = run(&["fmt", "--to", "yaml", c], &[]);
    assert_eq!(
        text(&yaml.stdout),
        "# keep me\ntensorseam: 1\nname: m\nversion: 1\ninputs:\n  x:  # raw\n    dtype: f32\n"
    );
    assert_eq!(
        run(&["fmt", "--drop-comments", c], &[]).status.code(),
        Some(0)
    );
    assert_eq!(
        std::fs::read_to_string(&commented).expect("read"),
        "schema m v1 {\n  input x: f32\n}\n"
    );

    // Conversion both ways keeps the fingerprint.
    let seam = dir.join("p.seam");
    let yaml = dir.join("p.yaml");
    assert_eq!(
        run(
            &[
                "fmt",
                "--to",
                "seam",
                "penguins.yaml",
                "-o",
                seam.to_str().expect("p")
            ],
            &[]
        )
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        run(
            &[
                "fmt",
                "--to",
                "yaml",
                seam.to_str().expect("p"),
                "-o",
                yaml.to_str().expect("p")
            ],
            &[]
        )
        .status
        .code(),
        Some(0)
    );
    let ir =
        |p: &Path| text(&run(&["gen", "ir", "--canonical", p.to_str().expect("p")], &[]).stdout);
    assert_eq!(ir(&yaml), ir(&schemas().join("penguins.yaml")));
    assert_eq!(ir(&seam), ir(&yaml));

    // An invalid schema is not formatted.
    let bad = dir.join("bad.seam");
    std::fs::write(&bad, BAD).expect("write");
    assert_eq!(
        run(&["fmt", bad.to_str().expect("p")], &[]).status.code(),
        Some(1)
    );
    assert_eq!(std::fs::read_to_string(&bad).expect("read"), BAD);
}

#[test]
fn deprecated_inputs_warn_in_every_command() {
    for args in [
        vec!["check", "reviews.yaml"],
        vec!["explain", "reviews.seam"],
        vec!["gen", "ir", "reviews.yaml"],
    ] {
        let out = run(&args, &[]);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            text(&out.stderr).contains("warning[W0001]: input `stars` is deprecated"),
            "{args:?}"
        );
    }
}

#[test]
fn encode_csv_and_verify_safetensors() {
    let dir = scratch("encode");
    let csv = dir.join("p.csv");
    std::fs::write(
        &csv,
        "species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n\
         Adelie,Torgersen,39.1,18.7,181,3750,male,2007\n\
         Gentoo,Biscoe,,15,220,5000,,2009\n",
    )
    .expect("write");
    let out = dir.join("p.safetensors");
    let p = |x: &Path| x.to_str().expect("path").to_string();
    let done = run(
        &[
            "encode",
            "penguins.yaml",
            "--data",
            &p(&csv),
            "-o",
            &p(&out),
            "--training",
        ],
        &[],
    );
    assert_eq!(done.status.code(), Some(0), "{}", text(&done.stderr));
    assert!(text(&done.stderr).contains("wrote 2 rows, 3 tensors"));
    let verified = run(&["verify", "penguins.seam", &p(&out)], &[]);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        text(&verified.stdout)
    );
    // The same file against another schema: every difference, exit 1.
    let other = run(&["verify", "digits.yaml", &p(&out)], &[]);
    assert_eq!(other.status.code(), Some(1));
    assert!(text(&other.stdout).lines().count() >= 4);

    // Invalid CSV rows: exit 1, nothing written; unreadable data: exit 2.
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\nMars,abc,,200,,,2008\n",
    )
    .expect("write");
    let target = dir.join("bad.npz");
    let done = run(
        &[
            "encode",
            "penguins.yaml",
            "--data",
            &p(&bad),
            "-o",
            &p(&target),
        ],
        &[],
    );
    assert_eq!(done.status.code(), Some(1));
    let err = text(&done.stderr);
    assert!(err.contains("row 0, `bill_length_mm`: wrong_type"), "{err}");
    assert!(err.contains("row 0, `island`: unknown_category"), "{err}");
    assert!(!err.contains("`sex`"), "sex has a fill: {err}");
    assert!(!target.exists());
    let missing = run(
        &[
            "encode",
            "penguins.yaml",
            "--data",
            "nope.jsonl",
            "-o",
            &p(&target),
        ],
        &[],
    );
    assert_eq!(missing.status.code(), Some(2));
    let wrong_ext = run(
        &[
            "encode",
            "penguins.yaml",
            "--data",
            &p(&csv),
            "-o",
            &p(&dir.join("x.pt")),
        ],
        &[],
    );
    assert_eq!(wrong_ext.status.code(), Some(2));
    // A schema with `fit` placeholders says to run `fit`.
    let unfitted = run(
        &[
            "encode",
            "sessions.yaml",
            "--data",
            &p(&csv),
            "-o",
            &p(&target),
        ],
        &[],
    );
    assert_eq!(unfitted.status.code(), Some(1));
    assert!(text(&unfitted.stderr).contains("run `tensorseam fit"));
}

#[test]
fn sample_is_deterministic_and_encodes() {
    let a = run(&["sample", "penguins.yaml", "-n", "20", "--seed", "9"], &[]);
    let b = run(&["sample", "penguins.seam", "-n", "20", "--seed", "9"], &[]);
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(a.stdout, b.stdout, "same schema, same seed, same records");
    assert_eq!(text(&a.stdout).lines().count(), 20);
    let dir = scratch("sample");
    let rows = dir.join("rows.jsonl");
    std::fs::write(&rows, &a.stdout).expect("write");
    let out = dir.join("rows.npz");
    let p = |x: &Path| x.to_str().expect("path").to_string();
    let done = run(
        &[
            "encode",
            "penguins.yaml",
            "--data",
            &p(&rows),
            "-o",
            &p(&out),
            "--training",
        ],
        &[],
    );
    assert_eq!(done.status.code(), Some(0), "{}", text(&done.stderr));

    let invalid = run(&["sample", "digits.yaml", "-n", "5", "--invalid"], &[]);
    let cases = tensorseam::dynamic::Schema::read_jsonl(&invalid.stdout[..])
        .expect("JSONL with NaN/Infinity tokens");
    assert_eq!(cases.len(), 5);
    for case in cases {
        let code = case["expect"]["code"].as_str().expect("code");
        assert!(tensorseam::ErrorCode::parse(code).is_some(), "{code}");
        assert!(case["record"].is_object());
    }
}

#[test]
fn gen_rust_writes_a_derived_struct() {
    let out = run(
        &[
            "gen",
            "rust",
            "penguins.yaml",
            "--schema-path",
            "schemas/penguins.yaml",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    let code = text(&out.stdout);
    assert!(
        code.starts_with("// @generated by `tensorseam gen rust` from schemas/penguins.yaml"),
        "{code}"
    );
    assert!(
        code.contains("#[tensorseam(schema = \"schemas/penguins.yaml\")]\npub struct Penguins {"),
        "{code}"
    );
    assert!(code.contains("pub bill_length_mm: Option<f32>,"), "{code}");
    assert!(
        !code.contains("pub species"),
        "labels only with --training: {code}"
    );
    let training = text(&run(&["gen", "rust", "penguins.yaml", "--training"], &[]).stdout);
    assert!(training.contains("pub species: String,"), "{training}");
}

#[test]
fn build_writes_every_artifact() {
    let dir = scratch("build");
    let out = run(
        &["build", "sessions.seam", "-o", &dir.to_string_lossy()],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let read =
        |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    let ir: serde_json::Value = serde_json::from_str(&read("sessions.ir.json")).expect("ir json");
    let fingerprint = ir["fingerprint"].as_str().expect("fingerprint").to_string();
    for f in ["sessions_schema.py", "DATASHEET.md"] {
        assert!(read(f).contains(&fingerprint), "{f}");
    }
    assert!(read("sessions.rs").contains("ModelInput"));
    let schema: serde_json::Value =
        serde_json::from_str(&read("sessions.schema.json")).expect("json");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    let training: serde_json::Value =
        serde_json::from_str(&read("sessions.training.schema.json")).expect("json");
    assert!(training["required"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("purchased")));
    assert!(!schema["required"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("purchased")));
    let sheet = read("DATASHEET.md");
    assert!(sheet.starts_with("# `sessions` v1 — data sheet"), "{sheet}");
    assert!(
        sheet.contains(
            "| `events` | 32 | 1 | cut: the last `max` kept | The last 32 events of a session. |"
        ),
        "{sheet}"
    );
    assert!(sheet.contains("### `dwell_ms` (u32, feature)"), "{sheet}");
}

/// `gen rust -o` and `build -o` write the schema path relative to the Cargo.toml that owns the
/// output, whatever the working directory and however the schema was named (an absolute path
/// would be refused by the derive); with no Cargo.toml above and an absolute schema, they warn
/// to pass `--schema-path`.
#[test]
fn schema_paths_are_relative_to_the_owning_crate() {
    let p = |x: &Path| x.to_str().expect("path").to_string();
    let dir =
        std::env::temp_dir().join(format!("tensorseam-cli-schema-path-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("app/src")).expect("dirs");
    std::fs::create_dir_all(dir.join("contracts")).expect("dirs");
    std::fs::write(dir.join("app/Cargo.toml"), "[package]\nname = \"app\"\n").expect("manifest");
    let schema = dir.join("contracts/cars.yaml");
    std::fs::copy(schemas().join("cars.yaml"), &schema).expect("copy");
    let out = dir.join("app/src/cars.rs");
    let done = run(
        &["gen", "rust", &p(&schema), "--serde", "-o", &p(&out)],
        &[],
    );
    assert_eq!(done.status.code(), Some(0), "{}", text(&done.stderr));
    let struct_text = std::fs::read_to_string(&out).expect("written");
    assert!(
        struct_text.contains("#[tensorseam(schema = \"../contracts/cars.yaml\")]"),
        "{struct_text}"
    );
    let built = run(
        &["build", &p(&schema), "-o", &p(&dir.join("app/gen/cars"))],
        &[],
    );
    assert_eq!(built.status.code(), Some(0), "{}", text(&built.stderr));
    let built_text = std::fs::read_to_string(dir.join("app/gen/cars/cars.rs")).expect("built");
    assert!(
        built_text.contains("schema = \"../contracts/cars.yaml\""),
        "{built_text}"
    );
    // --serde on a schema whose inputs share a column: an error naming them.
    let shared = run(&["gen", "rust", "weather.yaml", "--serde"], &[]);
    assert_eq!(shared.status.code(), Some(1));
    assert!(
        text(&shared.stderr).contains("both read column"),
        "{}",
        text(&shared.stderr)
    );
    // Outside any crate, an absolute schema path cannot be made relative: a warning says what
    // to pass (unless this machine has a crate above its temp dir).
    std::fs::remove_file(dir.join("app/Cargo.toml")).expect("rm");
    let outside = run(&["gen", "rust", &p(&schema), "-o", &p(&out)], &[]);
    assert_eq!(outside.status.code(), Some(0));
    if !dir.ancestors().any(|a| a.join("Cargo.toml").is_file()) {
        let err = text(&outside.stderr);
        assert!(
            err.contains("warning: no Cargo.toml at or above")
                && err.contains("pass --schema-path"),
            "{err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
