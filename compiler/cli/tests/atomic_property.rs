//! Property (SPEC §10, "Nothing lost"): for any schema of the repository (the bundled ones, the
//! derive's test schemas that use every encoding, dim kind and scaling step, the corpus's valid
//! ones) and any records sampled from it, an `encode` or a `build` that fails — on invalid
//! records, or on a disk that fills at any byte — leaves its target byte-identical and no
//! temporary behind.

use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn schema_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [
        "schemas",
        "runtime/tests/ui/schemas",
        "compiler/tests/corpus/ok",
    ] {
        for e in std::fs::read_dir(repo().join(dir)).expect("dir") {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "yaml" || x == "seam") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn run(dir: &Path, args: &[&str], fault: Option<usize>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tensorseam"));
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    if let Some(n) = fault {
        cmd.env("TENSORSEAM_FAULT_WRITE_BYTES", n.to_string());
    }
    cmd.output().expect("run tensorseam")
}

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("under")
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    out
}

fn scratch(n: u64) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("tensorseam-atomic-prop-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_failing_encode_or_build_leaves_the_target(
        pick in any::<prop::sample::Index>(),
        seed in any::<u64>(),
        n in 1usize..40,
        at in 0.0f64..1.0,
        invalid in any::<bool>(),
        safetensors in any::<bool>(),
        old in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let files = schema_files();
        let schema = files[pick.index(files.len())].clone();
        let schema_arg = schema.to_str().expect("path");
        let dir = scratch(seed);
        let (n_text, seed_text) = (n.to_string(), seed.to_string());
        let mut sample = vec!["sample", schema_arg, "-n", &n_text, "--seed", &seed_text];
        if invalid {
            sample.push("--invalid");
        }
        let records = run(&dir, &sample, None);
        prop_assume!(records.status.success());
        let lines: String = String::from_utf8_lossy(&records.stdout)
            .lines()
            .map(|l| {
                if invalid {
                    // `{"expect": {…}, "record": {…}}`: the record is the last member, kept as
                    // text (it may hold Python's NaN and Infinity tokens).
                    let at = l.find("\"record\":").expect("tagged") + "\"record\":".len();
                    format!("{}\n", &l[at..l.len() - 1])
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        std::fs::write(dir.join("rows.jsonl"), lines).expect("rows");
        let name = if safetensors { "batch.safetensors" } else { "batch.npz" };
        std::fs::write(dir.join(name), &old).expect("old batch");
        let encode = ["encode", schema_arg, "--data", "rows.jsonl", "-o", name, "--training"];
        // Where to fail: a fraction of the size a successful run writes (when one succeeds).
        let probe = dir.join("probe");
        std::fs::create_dir_all(&probe).expect("probe");
        let ok = run(&dir, &["encode", schema_arg, "--data", "rows.jsonl", "-o", &format!("probe/{name}"), "--training"], None);
        let fault = ok.status.success().then(|| {
            let size = std::fs::metadata(probe.join(name)).expect("probe").len() as f64;
            (size * at) as usize
        });
        std::fs::remove_dir_all(&probe).expect("rm probe");
        let before = snapshot(&dir);
        let out = run(&dir, &encode, fault.or(Some(0)));
        prop_assert!(!out.status.success(), "encode succeeded failing at {fault:?}");
        prop_assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
        prop_assert_eq!(snapshot(&dir), before, "{} changed after a failed encode", name);

        // A build into a directory holding another schema's artifacts.
        let out_dir = dir.join("out");
        std::fs::create_dir_all(&out_dir).expect("out");
        for (file, bytes) in [("a.rs", &old), ("DATASHEET.md", &old)] {
            std::fs::write(out_dir.join(file), bytes).expect("old artifact");
        }
        let total: usize = {
            let ok = run(&dir, &["build", schema_arg, "-o", "built"], None);
            prop_assume!(ok.status.success());
            let sizes: usize = snapshot(&dir.join("built")).values().map(Vec::len).sum();
            std::fs::remove_dir_all(dir.join("built")).expect("rm");
            sizes
        };
        let before = snapshot(&dir);
        let out = run(&dir, &["build", schema_arg, "-o", "out"], Some((total as f64 * at) as usize));
        prop_assert_eq!(out.status.code(), Some(2));
        prop_assert_eq!(snapshot(&dir), before, "a failed build changed the set");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
