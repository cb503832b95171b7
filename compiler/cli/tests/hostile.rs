//! The tool under hostile input and failing disks (SPEC §10): each case asserts the exit code, the
//! coded error, and that the output directory holds exactly what it held before (hashes of every
//! file). Disk-full cases run twice: through the injected writer that fails at byte N
//! (`TENSORSEAM_FAULT_WRITE_BYTES`), for N swept over the whole output, and on a real full tmpfs
//! where the test may mount one (root).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_tensorseam")
}

fn schemas() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas")
}

fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(bin());
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run tensorseam")
}

/// Runs under an address-space limit: an attempt to take more memory fails instead of
/// succeeding lazily, so "bounded" is tested, not assumed.
fn run_limited(dir: &Path, limit_mib: u64, args: &[&str]) -> Output {
    let mut script = format!("ulimit -v {} && exec \"$0\"", limit_mib * 1024);
    for (i, _) in args.iter().enumerate() {
        script.push_str(&format!(" \"${}\"", i + 1));
    }
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run tensorseam")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn scratch(test: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("tensorseam-hostile-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Every file under `dir` with its content: a failed write must leave this unchanged.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir") {
            let e = e.expect("entry");
            let p = e.path();
            if e.file_type().expect("type").is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("under dir");
                out.insert(
                    rel.to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap_or_default(),
                );
            }
        }
    }
    out
}

const PENGUINS: &str = "penguins.yaml";

fn penguin_records(dir: &Path, n: usize) -> PathBuf {
    let out = run_in(
        &schemas(),
        &["sample", PENGUINS, "-n", &n.to_string(), "--seed", "3"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let path = dir.join("rows.jsonl");
    std::fs::write(&path, &out.stdout).expect("records");
    path
}

/// The byte positions at which to fail: every byte of the first KiB (headers, small files), then
/// a stride across the rest, and the very end.
fn fault_points(size: usize) -> Vec<usize> {
    let mut points: Vec<usize> = (0..size.min(1024)).collect();
    points.extend((1024..size).step_by(257));
    points.push(size.saturating_sub(1));
    points
}

/// Puts `dir` back as `snap` holds it (files written since are removed).
fn restore(dir: &Path, snap: &BTreeMap<String, Vec<u8>>) {
    for name in snapshot(dir).keys() {
        if !snap.contains_key(name) {
            std::fs::remove_file(dir.join(name)).expect("rm");
        }
    }
    for (name, bytes) in snap {
        std::fs::write(dir.join(name), bytes).expect("restore");
    }
}

/// Runs `args` (which write `target` in `dir`) failing at each point of the output; every run
/// must exit 2, name `target` and leave `dir` as it was. Returns how many points were tried.
fn sweep(dir: &Path, args: &[&str], target: &str) -> usize {
    let before = snapshot(dir);
    // One run that succeeds tells the output's size.
    let ok = run_in(dir, args, &[]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    let size = std::fs::metadata(dir.join(target)).expect("written").len() as usize;
    restore(dir, &before);
    let points = fault_points(size);
    for n in &points {
        let out = run_in(
            dir,
            args,
            &[("TENSORSEAM_FAULT_WRITE_BYTES", &n.to_string())],
        );
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "failing at byte {n}: {err}");
        assert!(
            err.contains(target),
            "failing at byte {n}, no path named: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(
            snapshot(dir),
            before,
            "failing at byte {n} changed {}",
            dir.display()
        );
    }
    points.len()
}

#[test]
fn a_failing_encode_leaves_the_old_batch_at_every_byte() {
    let dir = scratch("encode-fault");
    let rows = penguin_records(&dir, 40);
    let schema = schemas().join(PENGUINS);
    let schema = schema.to_str().expect("path");
    for name in ["batch.npz", "batch.safetensors"] {
        let ok = run_in(
            &dir,
            &["encode", schema, "--data", "rows.jsonl", "-o", name],
            &[],
        );
        assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
        // Another batch over the old one, failing everywhere.
        std::fs::write(
            &rows,
            text(&std::fs::read(&rows).expect("rows")).replace("Dream", "Biscoe"),
        )
        .expect("rows");
        let tried = sweep(
            &dir,
            &["encode", schema, "--data", "rows.jsonl", "-o", name],
            name,
        );
        assert!(tried > 1000, "{tried}");
    }
    // Invalid data writes nothing either (exit 1).
    let before = snapshot(&dir);
    std::fs::write(dir.join("bad.jsonl"), "{\"island\": 3}\n").expect("bad");
    let before_bad = {
        let mut b = before.clone();
        b.insert("bad.jsonl".into(), b"{\"island\": 3}\n".to_vec());
        b
    };
    let out = run_in(
        &dir,
        &["encode", schema, "--data", "bad.jsonl", "-o", "batch.npz"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(snapshot(&dir), before_bad);
}

#[test]
fn a_failing_build_leaves_the_old_set() {
    let dir = scratch("build-fault");
    let schema = schemas().join(PENGUINS);
    let schema = schema.to_str().expect("path");
    let ok = run_in(&dir, &["build", schema, "-o", "out"], &[]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    // A build of another schema into the same directory, failing at every point of the set: the
    // old artifacts stay, all of one fingerprint.
    let other = schemas().join("penguins.seam");
    let other = other.to_str().expect("path");
    let mut changed = std::fs::read_to_string(other).expect("seam");
    changed = changed.replace("v3", "v4");
    std::fs::write(dir.join("penguins.seam"), changed).expect("write");
    let probe = run_in(&dir, &["build", "penguins.seam", "-o", "probe"], &[]);
    assert_eq!(probe.status.code(), Some(0), "{}", text(&probe.stderr));
    let total: usize = snapshot(&dir.join("probe")).values().map(Vec::len).sum();
    std::fs::remove_dir_all(dir.join("probe")).expect("rm");
    let before = snapshot(&dir);
    let points: Vec<usize> = (0..total).step_by(997).chain([0, 1, total - 1]).collect();
    for n in points {
        let out = run_in(
            &dir,
            &["build", "penguins.seam", "-o", "out"],
            &[("TENSORSEAM_FAULT_WRITE_BYTES", &n.to_string())],
        );
        assert_eq!(out.status.code(), Some(2), "at {n}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains("nothing in `out` was changed"));
        assert_eq!(snapshot(&dir), before, "at byte {n}");
    }
}

#[test]
fn a_failing_fmt_gen_or_fit_leaves_the_old_file() {
    let dir = scratch("fmt-fault");
    let messy = "schema m v1 {\ninput x: f32 { scale standardize(mean: 1, std: 2) } }\n";
    std::fs::write(dir.join("m.seam"), messy).expect("schema");
    let canonical = run_in(&dir, &["fmt", "--to", "seam", "m.seam"], &[]).stdout;
    assert_ne!(canonical, messy.as_bytes());
    let tried = sweep(&dir, &["fmt", "m.seam"], "m.seam");
    assert!(tried >= canonical.len());
    let ok = run_in(&dir, &["fmt", "m.seam"], &[]);
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(std::fs::read(dir.join("m.seam")).expect("fmt"), canonical);

    std::fs::write(dir.join("m.py"), "# an old module\n").expect("old");
    sweep(&dir, &["gen", "python", "m.seam", "-o", "m.py"], "m.py");
    std::fs::write(dir.join("m.rs"), "// an old struct\n").expect("old");
    sweep(&dir, &["gen", "rust", "m.seam", "-o", "m.rs"], "m.rs");

    let unfitted = "schema f v1 {\n  input x: f64 { scale standardize(fit) }\n}\n";
    std::fs::write(dir.join("f.seam"), unfitted).expect("schema");
    std::fs::write(dir.join("d.csv"), "x\n1\n2\n4\n").expect("data");
    std::fs::write(dir.join("f.fitted.seam"), "# an old fit\n").expect("old");
    sweep(
        &dir,
        &["fit", "f.seam", "--data", "d.csv", "-o", "f.fitted.seam"],
        "f.fitted.seam",
    );
}

/// A real full disk: a 64 KiB tmpfs holding the old batch, too small for the new one.
#[test]
fn a_full_tmpfs_leaves_the_old_file() {
    let dir = scratch("tmpfs");
    let mount = dir.join("disk");
    std::fs::create_dir_all(&mount).expect("mount point");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&mount)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        // Not root here: the injected-fault sweeps above cover the same paths.
        eprintln!("tmpfs not mountable here; covered by the injected-fault sweeps");
        return;
    }
    struct Unmount(PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    let _guard = Unmount(mount.clone());
    let rows = penguin_records(&dir, 2000);
    let schema = schemas().join(PENGUINS);
    let schema = schema.to_str().expect("path");
    // An old batch that fits, then a batch that does not.
    let small = dir.join("small.jsonl");
    let first: String = text(&std::fs::read(&rows).expect("rows"))
        .lines()
        .take(5)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&small, first).expect("small");
    let target = mount.join("batch.npz");
    let target = target.to_str().expect("path");
    let ok = run_in(
        &dir,
        &["encode", schema, "--data", "small.jsonl", "-o", target],
        &[],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    let before = snapshot(&mount);
    let full = run_in(
        &dir,
        &["encode", schema, "--data", "rows.jsonl", "-o", target],
        &[],
    );
    let err = text(&full.stderr);
    assert_eq!(full.status.code(), Some(2), "{err}");
    assert!(
        err.contains("batch.npz") && err.to_lowercase().contains("space"),
        "{err}"
    );
    assert_eq!(snapshot(&mount), before);
    // fmt in place on a full disk keeps the schema.
    std::fs::remove_file(mount.join("batch.npz")).expect("rm");
    std::fs::write(mount.join("m.seam"), "schema m v1 {\ninput x: f32 }\n").expect("schema");
    // Fill what is left (the write stops at the end of the disk).
    let _ = std::fs::write(mount.join("filler"), vec![0u8; 64 * 1024]);
    let before = snapshot(&mount);
    let out = run_in(&mount, &["fmt", "m.seam"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(snapshot(&mount), before);
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
}

#[test]
fn review_cannot_be_bypassed_by_file_names_or_links() {
    let dir = scratch("git");
    git(&dir, &["init", "-q"]);
    std::fs::create_dir_all(dir.join("schemas")).expect("dir");
    let penguins = std::fs::read_to_string(schemas().join(PENGUINS)).expect("schema");
    let names = [
        "pingüinos.yaml",
        "tab\there.yaml",
        "quote\"d.yaml",
        "back\\slash.yaml",
        "new\nline.yaml",
    ];
    for n in names {
        std::fs::write(dir.join("schemas").join(n), &penguins).expect("write");
    }
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-qm", "schemas"]);
    let reordered = penguins.replace("[Biscoe, Dream, Torgersen]", "[Dream, Biscoe, Torgersen]");
    assert_ne!(reordered, penguins);
    for n in names {
        std::fs::write(dir.join("schemas").join(n), &reordered).expect("write");
    }
    // Links are reviewed as the paths they hold, never followed: no secret is printed, no
    // endless file is read.
    std::os::unix::fs::symlink("/proc/self/environ", dir.join("schemas/env.yaml")).expect("link");
    std::os::unix::fs::symlink("/dev/zero", dir.join("schemas/zero.yaml")).expect("link");
    let out = run_in(
        &dir,
        &["diff", "--git", "HEAD", "--format", "json"],
        &[("SECRET_TOKEN", "s3cr3t")],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    let files = doc["files"].as_array().expect("files");
    assert_eq!(files.len(), names.len(), "{stdout}");
    for (f, n) in files.iter().zip({
        let mut sorted: Vec<String> = names.iter().map(|n| format!("schemas/{n}")).collect();
        sorted.sort();
        sorted
    }) {
        assert_eq!(f["path"], n.as_str());
        assert_eq!(f["review"]["verdict"], "breaking");
    }
    assert!(!stdout.contains("s3cr3t") && !text(&out.stderr).contains("s3cr3t"));
    // Text output shows the odd names escaped.
    let out = run_in(&dir, &["diff", "--git", "HEAD"], &[]);
    let shown = text(&out.stdout);
    assert!(shown.contains("schemas/tab\\u{9}here.yaml"), "{shown}");
    assert!(shown.contains("schemas/new\\u{a}line.yaml"), "{shown}");
    // A tracked schema that is no longer a regular file cannot be read: an error, not a skip.
    let fifo = dir.join("schemas/pingüinos.yaml");
    std::fs::remove_file(&fifo).expect("rm");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo")
        .success());
    let out = run_in(&dir, &["diff", "--git", "HEAD"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("not a regular file"));
}

#[test]
fn paths_and_names_from_files_are_escaped() {
    let dir = scratch("names");
    // A schema path holding a newline cannot inject items into the generated Rust.
    let odd = dir.join("x\n}\nfn injected() {}\n.seam");
    std::fs::write(
        &odd,
        "schema m v1 {\n  doc \"line one\\rline two\"\n  input x: f32 { doc \"a\\rb\" }\n}\n",
    )
    .expect("schema");
    let out = run_in(&dir, &["gen", "rust", odd.to_str().expect("path")], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rust = text(&out.stdout);
    assert!(!rust.contains("\nfn injected"), "{rust}");
    assert!(
        !rust.contains('\r'),
        "a bare CR does not compile in a doc comment"
    );
    assert!(
        rust.lines().next().expect("header").contains("\\u{a}"),
        "{rust}"
    );
    // Field names from records and tensor names from files reach the terminal escaped.
    std::fs::write(dir.join("s.seam"), "schema s v1 { input x: f32 }\n").expect("schema");
    std::fs::write(
        dir.join("r.jsonl"),
        "{\"x\": 1, \"\\u001b]0;pwned\\u0007\": 2}\n",
    )
    .expect("records");
    let out = run_in(
        &dir,
        &[
            "encode", "s.seam", "--data", "r.jsonl", "-o", "b.npz", "--strict",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("unknown_field") && err.contains("\\u{1b}]0;pwned"),
        "{err}"
    );
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}'), "{err:?}");
    // A batch file whose tensor is named with an escape sequence.
    let mut npz = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    npz.start_file("x\u{1b}[2J.npy", options).expect("member");
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }";
    let mut npy = b"\x93NUMPY\x01\x00".to_vec();
    npy.extend_from_slice(&(header.len() as u16).to_le_bytes());
    npy.extend_from_slice(header.as_bytes());
    npy.extend_from_slice(&1.0f32.to_le_bytes());
    npz.write_all(&npy).expect("write");
    let bytes = npz.finish().expect("zip").into_inner();
    std::fs::write(dir.join("odd.npz"), bytes).expect("npz");
    let out = run_in(&dir, &["verify", "s.seam", "odd.npz"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let shown = text(&out.stdout);
    assert!(shown.contains("x\\u{1b}[2J"), "{shown}");
    assert!(!shown.contains('\u{1b}'));
}

#[test]
fn memory_is_bounded_by_the_output_not_the_input() {
    let dir = scratch("bounded");
    std::fs::write(
        dir.join("seq.seam"),
        "schema s v1 {\n  dim t\n  input x: f32[t]\n}\n",
    )
    .expect("schema");
    // One record with a 2-million-element list for a dim without `max`.
    let long = format!("{{\"x\": [{}]}}\n", vec!["0.5"; 2_000_000].join(","));
    std::fs::write(dir.join("long.jsonl"), long).expect("records");
    let out = run_limited(
        &dir,
        1024,
        &["encode", "seq.seam", "--data", "long.jsonl", "-o", "b.npz"],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("too_long") && err.contains("65536"), "{err}");
    let out = run_limited(
        &dir,
        1024,
        &[
            "encode",
            "seq.seam",
            "--data",
            "long.jsonl",
            "-o",
            "b.npz",
            "--max-dim-len",
            "3000000",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // A shape of 2^31 elements passes `check`; encoding or sampling it is a clear error.
    std::fs::write(
        dir.join("huge.seam"),
        "schema h v1 {\n  input x: f32[2147483648]\n}\n",
    )
    .expect("schema");
    assert_eq!(
        run_in(&dir, &["check", "huge.seam"], &[]).status.code(),
        Some(0)
    );
    std::fs::write(dir.join("one.jsonl"), "{\"x\": [1]}\n{\"x\": [1]}\n").expect("records");
    let out = run_limited(
        &dir,
        1024,
        &["encode", "huge.seam", "--data", "one.jsonl", "-o", "h.npz"],
    );
    let err = text(&out.stderr);
    assert!(matches!(out.status.code(), Some(1 | 2)), "{err}");
    assert!(
        err.contains("wrong_length") || err.contains("cannot be built"),
        "{err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("memory allocation"),
        "{err}"
    );
    let out = run_limited(&dir, 1024, &["sample", "huge.seam", "-n", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("at most"));

    // A small .npz that inflates to 256 MiB: verify reads headers only.
    let mut npz = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    npz.start_file("x.npy", deflated).expect("member");
    let n = 64 << 20;
    let header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({n},), }}");
    let mut npy = b"\x93NUMPY\x01\x00".to_vec();
    npy.extend_from_slice(&(header.len() as u16).to_le_bytes());
    npy.extend_from_slice(header.as_bytes());
    npz.write_all(&npy).expect("header");
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..(n * 4 / zeros.len()) {
        npz.write_all(&zeros).expect("zeros");
    }
    let bytes = npz.finish().expect("zip").into_inner();
    assert!(bytes.len() < 2 << 20, "{}", bytes.len());
    std::fs::write(dir.join("bomb.npz"), bytes).expect("npz");
    std::fs::write(dir.join("x.seam"), "schema s v1 { input x: f32 }\n").expect("schema");
    let out = run_limited(&dir, 128, &["verify", "x.seam", "bomb.npz"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("no `__tensorseam__` entry"));
    // A device is not a batch file, nor a schema: refused at once, never read to its end.
    let out = run_in(&dir, &["verify", "x.seam", "/dev/zero"], &[]);
    assert_eq!(out.status.code(), Some(2));
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.npz")).expect("link");
    let out = run_in(&dir, &["verify", "x.seam", "zero.npz"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not a regular file"));
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.seam")).expect("link");
    let out = run_limited(&dir, 256, &["check", "zero.seam"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("E0012"));
    // A JSONL record with no end is refused before it fills memory.
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.jsonl")).expect("link");
    let out = run_limited(
        &dir,
        1024,
        &["encode", "x.seam", "--data", "zero.jsonl", "-o", "z.npz"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn check_is_linear_and_its_diagnostics_capped() {
    let dir = scratch("check");
    let mut yaml = String::from("tensorseam: 1\nname: c\nversion: 1\ninputs:\n  c:\n    dtype: str\n    encode: {index: {categories: [");
    yaml.push_str(
        &(0..300_000)
            .map(|i| format!("c{}", i % 10))
            .collect::<Vec<_>>()
            .join(", "),
    );
    yaml.push_str("]}}\n");
    std::fs::write(dir.join("dups.yaml"), yaml).expect("schema");
    let out = run_in(&dir, &["check", "dups.yaml"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.len() < 100_000, "{} bytes of diagnostics", err.len());
    assert!(
        err.contains("error[E0015]: 299890 more errors are not shown"),
        "{err}"
    );
    assert!(err.contains("error: 299990 errors in 1 file"), "{err}");
    let out = run_in(&dir, &["check", "--format", "json", "dups.yaml"], &[]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["errors"], 299_990);
    assert_eq!(doc["diagnostics"].as_array().map(Vec::len), Some(101));
}

#[test]
fn closed_pipes_end_quietly_and_full_disks_are_errors() {
    let schema = schemas().join(PENGUINS);
    let schema = schema.to_str().expect("path");
    for args in [
        vec!["sample", schema, "-n", "5000"],
        vec!["check", "--format", "github", schema],
        vec!["explain", schema],
        vec!["gen", "python", schema],
    ] {
        let mut child = Command::new(bin())
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // Close the pipe without reading.
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        let err = text(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        let full = Command::new(bin())
            .args(&args)
            .stdout(std::fs::File::create("/dev/full").expect("/dev/full"))
            .output()
            .expect("run");
        let err = text(&full.stderr);
        if args[0] == "check" {
            // A valid schema prints nothing to a full disk.
            assert_eq!(full.status.code(), Some(0), "{err}");
            continue;
        }
        assert_eq!(full.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("standard output") && !err.contains("panicked"),
            "{err}"
        );
    }
}

#[test]
fn numbers_at_the_edges_agree() {
    let dir = scratch("numbers");
    std::fs::write(
        dir.join("n.seam"),
        "schema n v1 {\n  input i: i64\n  input u: u64\n  input f: f64\n}\n",
    )
    .expect("schema");
    std::fs::write(
        dir.join("n.jsonl"),
        "{\"i\": -9223372036854775809, \"u\": 18446744073709551617, \"f\": 1e400}\n",
    )
    .expect("records");
    let out = run_in(
        &dir,
        &["encode", "n.seam", "--data", "n.jsonl", "-o", "n.npz"],
        &[],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("`i`: out_of_range: -9223372036854775809 is outside"),
        "{err}"
    );
    assert!(
        err.contains("`u`: out_of_range: 18446744073709551617 is outside"),
        "{err}"
    );
    assert!(err.contains("`f`: non_finite"), "{err}");
    // CSV reads the same numbers the same way.
    std::fs::write(
        dir.join("n.csv"),
        "i,u,f\n-9223372036854775809,18446744073709551617,1e400\n",
    )
    .expect("records");
    let out = run_in(
        &dir,
        &["encode", "n.seam", "--data", "n.csv", "-o", "n.npz"],
        &[],
    );
    assert_eq!(text(&out.stderr), err);
    // Duplicate headers are an error in encode and fit alike.
    std::fs::write(dir.join("dup.csv"), "i,u,f,f\n1,2,3,4\n").expect("csv");
    let out = run_in(
        &dir,
        &["encode", "n.seam", "--data", "dup.csv", "-o", "n.npz"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("column `f` twice"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(
        dir.join("fit.seam"),
        "schema fs v1 {\n  input f: f64 { scale standardize(fit) }\n}\n",
    )
    .expect("schema");
    let out = run_in(&dir, &["fit", "fit.seam", "--data", "dup.csv"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("column `f` twice"),
        "{}",
        text(&out.stderr)
    );
    // A width that overflows is a diagnostic, and fit says so rather than writing it.
    std::fs::write(
        dir.join("w.seam"),
        "schema w v1 {\n  input f: f64 { scale minmax(min: -1e308, max: 1e308) }\n}\n",
    )
    .expect("schema");
    let out = run_in(&dir, &["check", "w.seam"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("E0207"), "{}", text(&out.stderr));
    std::fs::write(dir.join("wide.csv"), "f\n1e308\n-1e308\n").expect("csv");
    std::fs::write(
        dir.join("mm.seam"),
        "schema mm v1 {\n  input f: f64 { scale minmax(fit) }\n}\n",
    )
    .expect("schema");
    let out = run_in(&dir, &["fit", "mm.seam", "--data", "wide.csv"], &[]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("E0207") && !err.contains("a bug") && !err.contains("Diagnostic {"),
        "{err}"
    );
    std::fs::write(dir.join("big.csv"), "f\n1e300\n-1e300\n").expect("csv");
    let out = run_in(&dir, &["fit", "fit.seam", "--data", "big.csv"], &[]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("too large") && !err.contains("constant"),
        "{err}"
    );
}

#[test]
fn fit_bounds_its_category_table() {
    let dir = scratch("distinct");
    std::fs::write(
        dir.join("c.seam"),
        "schema c v1 {\n  input cat: str { encode index(fit(max_categories: 20)) }\n}\n",
    )
    .expect("schema");
    let mut csv = String::from("cat\n");
    for i in 0..1_200_000 {
        csv.push_str(&format!("v{i}\n"));
    }
    std::fs::write(dir.join("c.csv"), csv).expect("csv");
    let out = run_limited(&dir, 1024, &["fit", "c.seam", "--data", "c.csv"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("more than 1000000 distinct values"), "{err}");
}

#[test]
fn a_yaml_schema_needs_its_format_version() {
    let dir = scratch("format");
    std::fs::write(
        dir.join("t.yaml"),
        "name: t\nversion: 1\ninputs:\n  x: {dtype: f32}\ntensors:\n  all: {concat: [x]}\n",
    )
    .expect("schema");
    let out = run_in(&dir, &["check", "t.yaml"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("the schema has no `tensorseam`"));
}

/// Real data's columns: a renamed column with a fill is an error with a suggestion (not a fill on
/// every row), extra columns are no error, a filled field absent from every JSON record is a
/// warning; `--allow-missing-column` is the explicit way to fill a whole batch.
#[test]
fn columns_are_checked_once_per_batch() {
    let dir = scratch("columns");
    let cars = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data/cars.csv");
    let original = std::fs::read_to_string(&cars).expect("cars.csv");
    let schema = schemas().join("cars.yaml");
    let schema = schema.to_str().expect("utf-8 path");

    // The bundled data has extra columns (Name, Year): encoded, no error, no warning.
    let out = run_in(
        &dir,
        &[
            "encode",
            schema,
            "--data",
            cars.to_str().unwrap(),
            "-o",
            "ok.npz",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("warning"),
        "{}",
        text(&out.stderr)
    );

    // `Horsepower` renamed `horse_power`: horsepower has a fill, and still it is an error.
    std::fs::write(
        dir.join("renamed.csv"),
        original.replacen("Horsepower", "horse_power", 1),
    )
    .expect("write");
    let before = snapshot(&dir);
    let out = run_in(
        &dir,
        &["encode", schema, "--data", "renamed.csv", "-o", "ok.npz"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("1 missing column:"), "{err}");
    assert!(
        err.contains("missing_column: input `horsepower` reads column `Horsepower`"),
        "{err}"
    );
    assert!(err.contains("did you mean `horse_power`?"), "{err}");
    assert!(err.contains("--allow-missing-column horsepower"), "{err}");
    assert_eq!(snapshot(&dir), before, "nothing written");

    // A column without a fill, and a label only in training mode.
    std::fs::write(
        dir.join("two.csv"),
        original
            .replacen("Cylinders", "cyl", 1)
            .replacen("Miles_per_Gallon", "MPG", 1),
    )
    .expect("write");
    let out = run_in(
        &dir,
        &[
            "encode",
            schema,
            "--data",
            "two.csv",
            "-o",
            "t.npz",
            "--training",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("2 missing columns:"), "{err}");
    assert!(
        err.contains("column `Cylinders`") && err.contains("column `Miles_per_Gallon`"),
        "{err}"
    );
    assert!(
        !err.contains("allow-missing-column cylinders"),
        "no fill, no hint to allow: {err}"
    );
    let out = run_in(
        &dir,
        &["encode", schema, "--data", "two.csv", "-o", "t.npz"],
        &[],
    );
    assert!(
        text(&out.stderr).contains("1 missing column:"),
        "labels only when training: {}",
        text(&out.stderr)
    );

    // Allowed explicitly: every row gets the fill.
    let out = run_in(
        &dir,
        &[
            "encode",
            schema,
            "--data",
            "renamed.csv",
            "-o",
            "filled.npz",
            "--allow-missing-column",
            "horsepower",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(dir.join("filled.npz").exists());

    // JSON Lines where `horsepower` is absent from every record: a warning naming the near key.
    let mut jsonl = String::new();
    for i in 0..3 {
        jsonl.push_str(&format!(
            "{{\"Cylinders\": 4, \"Displacement\": 100, \"horse power\": {}, \"Weight_in_lbs\": 2200, \"Acceleration\": 15.5, \"Origin\": \"Japan\"}}\n",
            80 + i
        ));
    }
    std::fs::write(dir.join("rows.jsonl"), jsonl).expect("write");
    let out = run_in(
        &dir,
        &["encode", schema, "--data", "rows.jsonl", "-o", "rows.npz"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("warning: input `horsepower` (column `Horsepower`) is absent from every record: every row gets its fill 93.5; did you mean `horse power`?"),
        "{err}"
    );
}

/// `fit` names what it skipped, per input, with the first offending value and its row, and fails
/// past `--max-skip-fraction`: an `i64` input over a float column fits nothing true.
#[test]
fn fit_says_what_it_skipped() {
    let dir = scratch("fit-skipped");
    let cars = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/data/cars.csv");
    let original = std::fs::read_to_string(schemas().join("cars.yaml")).expect("schema");
    let schema = original
        .replacen(
            "  acceleration:\n    dtype: f32",
            "  acceleration:\n    dtype: i64",
            1,
        )
        .replacen(
            "{standardize: {mean: 15.5, std: 2.8}}",
            "{standardize: fit}",
            1,
        )
        .replacen(
            "range: [5, 30]\n    scale: {standardize: fit}",
            "scale: {standardize: fit}",
            1,
        )
        .replacen(
            "{standardize: {mean: 104.5, std: 38.4}}",
            "{standardize: fit}",
            1,
        );
    std::fs::write(dir.join("cars.yaml"), &schema).expect("write");
    let data = cars.to_str().unwrap();
    let out = run_in(
        &dir,
        &["fit", "cars.yaml", "--data", data, "-o", "fitted.yaml"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("fit: input `acceleration`: skipped ") && err.contains("values as invalid (first at row 0: wrong_type: expected an integer for `i64`, found 14.7)"),
        "{err}"
    );
    assert!(
        err.contains("fit: input `horsepower`: skipped 4 of 40 values as missing"),
        "{err}"
    );
    assert!(err.contains("more than --max-skip-fraction 0.01"), "{err}");
    assert!(!dir.join("fitted.yaml").exists());
    // Accepting the loss explicitly writes the schema, the skipped counts in its header.
    let out = run_in(
        &dir,
        &[
            "fit",
            "cars.yaml",
            "--data",
            data,
            "-o",
            "fitted.yaml",
            "--max-skip-fraction",
            "1",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let fitted = std::fs::read_to_string(dir.join("fitted.yaml")).expect("fitted");
    assert!(fitted.contains("acceleration 35 invalid"), "{fitted}");
    // The fitted statistic is of the column the input reads, `Horsepower`, not of `horsepower`.
    assert!(!fitted.contains("standardize: fit"), "{fitted}");
    // A column the data lacks: named, with a suggestion.
    std::fs::write(
        dir.join("lower.csv"),
        std::fs::read_to_string(&cars)
            .unwrap()
            .replacen("Horsepower", "horsepower", 1),
    )
    .unwrap();
    let out = run_in(
        &dir,
        &[
            "fit",
            "cars.yaml",
            "--data",
            "lower.csv",
            "--max-skip-fraction",
            "1",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("missing_column: input `horsepower` reads column `Horsepower`, which the data does not have (the header lacks it); did you mean `horsepower`?"),
        "{}",
        text(&out.stderr)
    );
}

/// `categories: {fit: {include: […]}}` keeps categories the data lacks (a class the training
/// data has no example of), in YAML and in the DSL; the fitted schema keeps the source's version.
#[test]
fn fit_keeps_included_categories_and_the_version() {
    let dir = scratch("fit-include");
    std::fs::write(
        dir.join("rows.csv"),
        "cyl,origin\n4,USA\n4,Japan\n6,USA\n8,USA\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("s.yaml"),
        "tensorseam: 1\nname: s\nversion: 7\ninputs:\n  cyl:\n    dtype: i64\n    encode: {one_hot: {categories: {fit: {include: [3, 5]}}}}\n  origin:\n    dtype: str\n    encode: {index: {categories: {fit: {order: frequency, include: [Europe]}}}}\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("s.seam"),
        "schema s v7 {\n  input cyl: i64 { encode one_hot(fit(include: [3, 5])) }\n  input origin: str { encode index(fit(order: frequency, include: [\"Europe\"])) }\n}\n",
    )
    .expect("write");
    for (schema, out) in [("s.yaml", "f.yaml"), ("s.seam", "f.seam")] {
        let done = run_in(&dir, &["fit", schema, "--data", "rows.csv", "-o", out], &[]);
        assert_eq!(done.status.code(), Some(0), "{}", text(&done.stderr));
        assert!(
            text(&done.stderr).contains("the fitted schema keeps version v7"),
            "{}",
            text(&done.stderr)
        );
        let fitted = std::fs::read_to_string(dir.join(out)).expect("fitted");
        assert!(
            fitted.contains("Version 7 kept from the source schema."),
            "{fitted}"
        );
        let (cyl, origin) = if out.ends_with("yaml") {
            ("[3, 4, 5, 6, 8]", "[USA, Japan, Europe]")
        } else {
            (
                "one_hot(3, 4, 5, 6, 8)",
                "index(\"USA\", \"Japan\", \"Europe\")",
            )
        };
        assert!(fitted.contains(cyl) && fitted.contains(origin), "{fitted}");
    }
    // Both syntaxes of the unfitted schema are one IR, and fmt writes `include` back.
    let a = run_in(&dir, &["gen", "ir", "--canonical", "s.yaml"], &[]);
    let b = run_in(&dir, &["gen", "ir", "--canonical", "s.seam"], &[]);
    assert_eq!(text(&a.stdout), text(&b.stdout));
    let yaml = run_in(&dir, &["fmt", "--to", "yaml", "s.seam"], &[]);
    assert!(
        text(&yaml.stdout).contains("{fit: {include: [3, 5]}}"),
        "{}",
        text(&yaml.stdout)
    );
}
