//! The composite action's review script (`action/review.sh`), run as the action runs it, against a
//! temporary git repository: annotations on stdout, the comment written and appended to the job
//! summary, exit 1 on a breaking change without a version bump, 0 once it is bumped. And the
//! action itself installs a released tensorseam and calls that script.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn review(dir: &Path, args: &[&str], summary: &Path) -> Output {
    Command::new("bash")
        .arg(root().join("action/review.sh"))
        .args(args)
        .current_dir(dir)
        .env("TENSORSEAM", env!("CARGO_BIN_EXE_tensorseam"))
        .env("GITHUB_STEP_SUMMARY", summary)
        .env("REVIEW_COMMENT", dir.join("comment.md"))
        .env_remove("ALLOW_BREAKING")
        .output()
        .expect("bash")
}

#[test]
fn the_review_script_annotates_comments_and_gates() {
    let dir = std::env::temp_dir().join(format!("tensorseam-action-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("schemas")).expect("dir");
    git(&dir, &["init", "-q", "-b", "main"]);
    let penguins = std::fs::read_to_string(root().join("schemas/penguins.yaml")).expect("schema");
    std::fs::write(dir.join("schemas/penguins.yaml"), &penguins).expect("write");
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    git(&dir, &["checkout", "-q", "-b", "feature"]);

    // A breaking change (a category appended) without a version bump.
    let changed = penguins.replace(
        "[Biscoe, Dream, Torgersen]",
        "[Biscoe, Dream, Torgersen, Anvers]",
    );
    std::fs::write(dir.join("schemas/penguins.yaml"), &changed).expect("write");
    git(&dir, &["commit", "-qam", "anvers"]);
    let summary = dir.join("summary.md");
    let out = review(&dir, &["main", "schemas"], &summary);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = changed
        .lines()
        .position(|l| l.contains("Anvers"))
        .expect("line")
        + 1;
    assert!(
        stdout.contains(&format!("::error file=schemas/penguins.yaml,line={line},")),
        "{stdout}"
    );
    let comment = std::fs::read_to_string(dir.join("comment.md")).expect("comment");
    assert!(
        comment.contains("breaking without a version bump"),
        "{comment}"
    );
    assert_eq!(std::fs::read_to_string(&summary).expect("summary"), comment);
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a version bump"));

    // Approved by the bump: exit 0, the comment says so.
    std::fs::write(
        dir.join("schemas/penguins.yaml"),
        changed.replace("version: 3", "version: 4"),
    )
    .expect("write");
    git(&dir, &["commit", "-qam", "bump"]);
    let out = review(&dir, &["main", "schemas"], &summary);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let comment = std::fs::read_to_string(dir.join("comment.md")).expect("comment");
    assert!(
        comment.contains("approved by the version bump v3 → v4"),
        "{comment}"
    );

    // An unknown base is a usage error, said as such.
    let out = review(&dir, &["no-such-branch"], &summary);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fetch-depth: 0"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The action installs a released tensorseam from crates.io (never the user's repository) and
/// runs the script above; the example workflow is a `uses:` line.
#[test]
fn the_action_installs_a_release_and_runs_the_script() {
    let action = std::fs::read_to_string(root().join("action.yml")).expect("action.yml");
    let file = tensorseam_compiler::SourceFile::new("action.yml", action.as_str());
    let mut diags = Vec::new();
    let tree = tensorseam_compiler::syntax::yaml::parse(file.text(), &mut diags).expect("YAML");
    let runs = tree.get("runs").expect("runs");
    assert_eq!(
        runs.get("using").and_then(|n| n.as_str()),
        Some("composite")
    );
    for input in ["version", "paths", "base", "comment", "allow-breaking"] {
        assert!(
            tree.get("inputs").and_then(|i| i.get(input)).is_some(),
            "input {input}"
        );
    }
    assert!(action.contains("cargo install --locked tensorseam-cli --version"));
    assert!(action.contains("/action/review.sh"));
    assert!(!action.contains("--git https://github.com/${{ github.repository }}"));
    let example =
        std::fs::read_to_string(root().join("examples/ci/schema-review.yml")).expect("example");
    assert!(
        example.contains("uses: tensorseam/tensorseam@"),
        "{example}"
    );
    assert!(!example.contains("github.repository"), "{example}");
}
