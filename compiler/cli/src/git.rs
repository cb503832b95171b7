//! Schema files at a git revision and in the working tree, read so that review cannot be bypassed
//! (SPEC §10): git's listings are NUL-separated (`-z`), so no path is misread or dropped whatever
//! characters it holds; a revision's contents come from git's object store by blob id; the working
//! tree's from regular files only, never through a symbolic link (git stores a link as the path
//! it names, and so does this); every read stops at the schema size limit. A file that cannot be
//! read is an error, never skipped.

use std::ffi::OsStr;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use tensorseam_compiler::MAX_FILE_BYTES;

/// A path as git lists it (bytes: not every path is UTF-8).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GitPath(pub Vec<u8>);

impl GitPath {
    /// The path for file access, relative to the repository's top.
    #[cfg(unix)]
    pub fn os(&self) -> &OsStr {
        use std::os::unix::ffi::OsStrExt as _;
        OsStr::from_bytes(&self.0)
    }

    /// The path for file access, relative to the repository's top.
    #[cfg(not(unix))]
    pub fn os(&self) -> &OsStr {
        OsStr::new(std::str::from_utf8(&self.0).unwrap_or_default())
    }

    /// The path as shown (invalid UTF-8 replaced).
    pub fn shown(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }

    /// Whether the name is a schema file's (`*.yaml`, `*.yml`, `*.seam`).
    pub fn is_schema_name(&self) -> bool {
        [&b".yaml"[..], b".yml", b".seam"]
            .iter()
            .any(|e| self.0.ends_with(e))
    }
}

/// Runs git in `top`; its standard output, or its error message.
fn git(top: &Path, args: &[&OsStr]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

/// The repository holding the current directory.
pub fn toplevel() -> Result<PathBuf, String> {
    let top = git(Path::new("."), &[os("rev-parse"), os("--show-toplevel")])?;
    let top = top.strip_suffix(b"\n").unwrap_or(&top);
    Ok(PathBuf::from(GitPath(top.to_vec()).os()))
}

/// Checks that `rev` names a commit.
pub fn verify_rev(top: &Path, rev: &str) -> Result<(), String> {
    let spec = format!("{rev}^{{commit}}");
    git(
        top,
        &[os("rev-parse"), os("--verify"), os("--quiet"), os(&spec)],
    )
    .map(|_| ())
    .map_err(|_| format!("`{rev}` is not a revision"))
}

/// `-z` output: its NUL-terminated records.
fn records(out: &[u8]) -> impl Iterator<Item = &[u8]> {
    out.split(|b| *b == 0).filter(|r| !r.is_empty())
}

/// Pathspecs taken literally (no glob), after `--`.
fn with_specs<'a>(mut args: Vec<&'a OsStr>, specs: &'a [String]) -> Vec<&'a OsStr> {
    args.push(os("--"));
    args.extend(specs.iter().map(|s| os(s.as_str())));
    args
}

/// One file at the revision: its blob and declared size (`None` for a submodule).
struct Blob {
    id: String,
    size: Option<u64>,
    link: bool,
}

/// Schema-named files at `rev` under `specs`, with their contents (at most one byte past the
/// size limit). Symbolic links hold the path they name, as git stores them.
pub fn files_at(
    top: &Path,
    rev: &str,
    specs: &[String],
) -> Result<Vec<(GitPath, Vec<u8>)>, String> {
    let listing = git(
        top,
        &with_specs(
            vec![
                os("ls-tree"),
                os("-r"),
                os("-z"),
                os("-l"),
                os("--full-tree"),
                os(rev),
            ],
            specs,
        ),
    )?;
    let mut out = Vec::new();
    for record in records(&listing) {
        // "<mode> <type> <id> <size>\t<path>"
        let Some(tab) = record.iter().position(|b| *b == b'\t') else {
            continue;
        };
        let (meta, path) = (
            String::from_utf8_lossy(&record[..tab]),
            GitPath(record[tab + 1..].to_vec()),
        );
        let fields: Vec<&str> = meta.split_whitespace().collect();
        let [mode, kind, id, size] = fields[..] else {
            continue;
        };
        if kind != "blob" || !path.is_schema_name() {
            continue;
        }
        let blob = Blob {
            id: id.to_string(),
            size: size.parse().ok(),
            link: mode == "120000",
        };
        out.push((path, read_blob(top, &blob)?));
    }
    Ok(out)
}

fn read_blob(top: &Path, blob: &Blob) -> Result<Vec<u8>, String> {
    if blob.link {
        // A link's blob is the path it names: short, and never followed.
        return git(top, &[os("cat-file"), os("blob"), os(&blob.id)]);
    }
    if blob.size.is_some_and(|n| n > MAX_FILE_BYTES as u64) {
        // Only the head is read: enough to tell a schema (which then reports its size) from
        // another large YAML file of the repository.
        let mut child = Command::new("git")
            .arg("-C")
            .arg(top)
            .args(["cat-file", "blob", &blob.id])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run git: {e}"))?;
        let mut head = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            stdout
                .take(MAX_FILE_BYTES as u64 + 1)
                .read_to_end(&mut head)
                .map_err(|e| format!("cannot read blob {}: {e}", blob.id))?;
        }
        let _ = child.kill();
        let _ = child.wait();
        return Ok(head);
    }
    git(top, &[os("cat-file"), os("blob"), os(&blob.id)])
}

/// A working-tree file: its path, and its bytes unless it was deleted.
pub type WorkingFile = (GitPath, Option<Vec<u8>>);

/// Schema-named files of the working tree under `specs` (tracked, and untracked but not
/// ignored), with their contents; `None` for a tracked file that was deleted.
pub fn working_files(top: &Path, specs: &[String]) -> Result<Vec<WorkingFile>, String> {
    let listing = git(
        top,
        &with_specs(
            vec![
                os("ls-files"),
                os("-z"),
                os("--cached"),
                os("--others"),
                os("--exclude-standard"),
            ],
            specs,
        ),
    )?;
    let mut paths: Vec<GitPath> = records(&listing)
        .map(|r| GitPath(r.to_vec()))
        .filter(GitPath::is_schema_name)
        .collect();
    paths.sort();
    paths.dedup();
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        let bytes = read_working(&top.join(path.os()))
            .map_err(|e| format!("cannot read `{}`: {e}", path.shown()))?;
        out.push((path, bytes));
    }
    Ok(out)
}

/// A working-tree file as git would store it: a regular file's bytes (to one past the limit), a
/// link's target path (not the file it names), `None` when absent.
fn read_working(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(path)?;
        return Ok(Some(target.to_string_lossy().into_owned().into_bytes()));
    }
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let file = std::fs::File::open(path)?;
    // Opened, it must still be a regular file (a swap for a device between the two looks).
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

/// Renames git detects between `rev` and the working tree (tracked files): (old, new) pairs.
pub fn renames(top: &Path, rev: &str, specs: &[String]) -> Result<Vec<(GitPath, GitPath)>, String> {
    let listing = git(
        top,
        &with_specs(
            vec![
                os("diff"),
                os("-z"),
                os("-M"),
                os("--name-status"),
                os("--diff-filter=R"),
                os(rev),
            ],
            specs,
        ),
    )?;
    // Records: "R<score>", old, new.
    let parts: Vec<&[u8]> = records(&listing).collect();
    Ok(parts
        .chunks(3)
        .filter(|c| c.len() == 3 && c[0].starts_with(b"R"))
        .map(|c| (GitPath(c[1].to_vec()), GitPath(c[2].to_vec())))
        .collect())
}
