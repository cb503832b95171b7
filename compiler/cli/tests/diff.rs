//! `tensorseam diff` end to end: two files, and `--git REV` in a temporary repository with added,
//! deleted and modified schema files (and a YAML file that is not a schema).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tensorseam-diff-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn tensorseam(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tensorseam"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run tensorseam")
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn bundled(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../schemas")
            .join(name),
    )
    .expect("bundled schema")
}

#[test]
fn two_files_exit_codes_and_formats() {
    let dir = scratch("files");
    let old = bundled("penguins.seam");
    std::fs::write(dir.join("old.seam"), &old).unwrap();
    let new = old.replace("oov(2)", "oov(3)");
    std::fs::write(dir.join("new.seam"), &new).unwrap();
    std::fs::write(dir.join("same.yaml"), bundled("penguins.yaml")).unwrap();

    // YAML -> DSL of one schema: no changes.
    let out = tensorseam(&dir, &["diff", "old.seam", "same.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains("no changes"),
        "{}",
        text(&out.stdout)
    );

    // Breaking without a bump: exit 1, and the report says what to do.
    let out = tensorseam(&dir, &["diff", "old.seam", "new.seam"]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    assert!(
        report.contains("breaking  inputs.year.encode: unknown categories land in other positions"),
        "{report}"
    );
    assert!(report.contains("bump `version`"), "{report}");
    assert_eq!(
        tensorseam(&dir, &["diff", "old.seam", "new.seam", "--allow-breaking"])
            .status
            .code(),
        Some(0)
    );

    // The bump approves it.
    std::fs::write(
        dir.join("bumped.seam"),
        new.replace("penguins v3", "penguins v4"),
    )
    .unwrap();
    let out = tensorseam(
        &dir,
        &["diff", "old.seam", "bumped.seam", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["verdict"], "breaking_approved");
    assert_eq!(v["old"]["version"], 3);
    assert_eq!(v["new"]["version"], 4);
    assert_eq!(v["changes"][1]["path"], "inputs.year.encode");
    assert_eq!(v["changes"][1]["old"], "oov(2)");

    // GitHub annotations point at the changed line in the new file: the year's encoding.
    let out = tensorseam(
        &dir,
        &["diff", "old.seam", "new.seam", "--format", "github"],
    );
    let line = new.lines().position(|l| l.contains("oov(3)")).unwrap() + 1;
    assert!(
        text(&out.stdout).contains(&format!("::error file=new.seam,line={line},")),
        "{}",
        text(&out.stdout)
    );

    // Usage and unreadable files exit 2; an invalid schema exits 1 with its diagnostic.
    assert_eq!(
        tensorseam(&dir, &["diff", "old.seam"]).status.code(),
        Some(2)
    );
    assert_eq!(
        tensorseam(&dir, &["diff", "old.seam", "missing.seam"])
            .status
            .code(),
        Some(2)
    );
    std::fs::write(dir.join("bad.seam"), "schema b v1 { input x: f33 }\n").unwrap();
    let out = tensorseam(&dir, &["diff", "old.seam", "bad.seam"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("bad.seam:1:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn git_revision_against_the_working_tree() {
    let dir = scratch("git");
    git(&dir, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(dir.join("schemas")).unwrap();
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    std::fs::write(dir.join("schemas/penguins.yaml"), bundled("penguins.yaml")).unwrap();
    std::fs::write(dir.join("schemas/digits.seam"), bundled("digits.seam")).unwrap();
    std::fs::write(dir.join("schemas/reviews.seam"), bundled("reviews.seam")).unwrap();
    std::fs::write(dir.join(".github/workflows/ci.yml"), "on: push\njobs: {}\n").unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "base"]);

    // Modified (a category appended to one_hot, breaking, with a bump), deleted, added, reformatted.
    let penguins = bundled("penguins.yaml")
        .replace(
            "[Biscoe, Dream, Torgersen]",
            "[Biscoe, Dream, Torgersen, Anvers]",
        )
        .replace("version: 3", "version: 4");
    std::fs::write(dir.join("schemas/penguins.yaml"), penguins).unwrap();
    std::fs::remove_file(dir.join("schemas/digits.seam")).unwrap();
    std::fs::write(dir.join("schemas/sessions.seam"), bundled("sessions.seam")).unwrap();
    std::fs::write(
        dir.join("schemas/reviews.seam"),
        bundled("reviews.seam").replace("  ", "    "),
    )
    .unwrap();
    std::fs::write(
        dir.join(".github/workflows/ci.yml"),
        "on: [push]\njobs: {}\n",
    )
    .unwrap();

    let out = tensorseam(&dir, &["diff", "--git", "HEAD", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&out.stdout), text(&out.stderr)));
    let files: Vec<(String, String)> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            ("schemas/digits.seam".to_string(), "deleted".to_string()),
            ("schemas/penguins.yaml".to_string(), "modified".to_string()),
            ("schemas/reviews.seam".to_string(), "modified".to_string()),
            ("schemas/sessions.seam".to_string(), "added".to_string()),
        ]
    );
    assert_eq!(v["files"][1]["review"]["verdict"], "breaking_approved");
    assert_eq!(v["files"][2]["review"]["verdict"], "no_changes");
    // The deleted schema is breaking for every model trained on it: exit 1 unless allowed.
    assert_eq!(out.status.code(), Some(1));
    let out = tensorseam(&dir, &["diff", "--git", "HEAD", "--allow-breaking"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // PATHS narrow the search; the Markdown comment covers each file.
    let out = tensorseam(
        &dir,
        &[
            "diff",
            "--git",
            "HEAD",
            "schemas/penguins.yaml",
            "--format",
            "markdown",
        ],
    );
    let md = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{md}");
    assert!(
        md.starts_with("## tensorseam schema review against `HEAD`"),
        "{md}"
    );
    assert!(
        md.contains(
            "| `island` | categories appended: \"Anvers\" (the tensor widens) | **breaking** |"
        ),
        "{md}"
    );
    assert!(!md.contains("digits"), "{md}");

    // An unknown revision is a usage error.
    assert_eq!(
        tensorseam(&dir, &["diff", "--git", "no-such-rev"])
            .status
            .code(),
        Some(2)
    );
}

/// `git mv` of a schema is reviewed as the change it is (paired by git's rename detection, or by
/// schema name when the content changed too much for git), and `--format github` puts each
/// annotation on the line that changed — the version, the name, the encoding — in YAML and in the
/// DSL.
#[test]
fn moved_schemas_are_reviewed_and_annotated_on_the_changed_line() {
    let dir = scratch("moved");
    git(&dir, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(dir.join("schemas")).unwrap();
    std::fs::write(dir.join("schemas/penguins.yaml"), bundled("penguins.yaml")).unwrap();
    std::fs::write(dir.join("schemas/cars.seam"), bundled("cars.seam")).unwrap();
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "base"]);

    std::fs::create_dir_all(dir.join("contracts")).unwrap();
    git(
        &dir,
        &["mv", "schemas/penguins.yaml", "contracts/penguins.yaml"],
    );
    let penguins = bundled("penguins.yaml")
        .replace(
            "[Biscoe, Dream, Torgersen]",
            "[Biscoe, Dream, Torgersen, Anvers]",
        )
        .replace("version: 3", "version: 4");
    std::fs::write(dir.join("contracts/penguins.yaml"), &penguins).unwrap();
    // The DSL file moved and rewritten beyond git's rename detection: paired by its name.
    std::fs::remove_file(dir.join("schemas/cars.seam")).unwrap();
    let cars = "schema cars v2 {\n  input cylinders: i64 from \"Cylinders\" {\n    encode one_hot(4, 6, 8)\n  }\n}\n";
    std::fs::write(dir.join("contracts/cars.seam"), cars).unwrap();
    git(&dir, &["add", "-A"]);

    let out = tensorseam(&dir, &["diff", "--git", "HEAD", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", text(&out.stdout), text(&out.stderr)));
    let statuses: Vec<String> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap().to_string())
        .collect();
    assert!(
        statuses.iter().all(|s| s != "deleted" && s != "added"),
        "moves are changes, not a deletion and an addition: {}",
        text(&out.stdout)
    );
    assert_eq!(statuses.len(), 2, "{}", text(&out.stdout));

    let out = tensorseam(&dir, &["diff", "--git", "HEAD", "--format", "github"]);
    let annotations = text(&out.stdout);
    let line_of = |file: &str, needle: &str| {
        std::fs::read_to_string(dir.join(file))
            .unwrap()
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
            .expect("needle")
    };
    let version_line = line_of("contracts/penguins.yaml", "version: 4");
    assert!(
        annotations.contains(&format!(
            "file=contracts/penguins.yaml,line={version_line},col=1,title=tensorseam diff%3A safe::schema.version: version changed"
        )),
        "{annotations}"
    );
    let encode_line = line_of("contracts/penguins.yaml", "Anvers");
    assert!(
        annotations.contains(&format!("file=contracts/penguins.yaml,line={encode_line},")),
        "{annotations}"
    );
    // In the DSL the version sits on the `schema` line, after the name.
    assert!(
        annotations.contains(
            "file=contracts/cars.seam,line=1,col=13,title=tensorseam diff%3A safe::schema.version"
        ),
        "{annotations}"
    );
}
