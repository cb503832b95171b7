//! Every file tensorseam writes goes through here (SPEC §10, "Nothing lost"): the bytes go to a
//! temporary file beside the target, are flushed to disk, and only then is the temporary renamed
//! over the target. A failure at any point — invalid data, a full disk, a kill — leaves the old
//! file as it was and no partial file behind.
//!
//! ```
//! use std::io::Write as _;
//! # let dir = std::env::temp_dir().join(format!("tensorseam-atomic-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("notes.txt");
//! tensorseam::atomic::write(&path, b"first")?;
//! let mut file = tensorseam::atomic::AtomicFile::create(&path)?;
//! file.write_all(b"second")?;
//! drop(file); // not committed: the old content stays
//! assert_eq!(std::fs::read(&path)?, b"first");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! For the test suite, the environment variable `TENSORSEAM_FAULT_WRITE_BYTES=N` makes every write
//! of this process fail with "no space left on device" once N bytes in all have been written, so a
//! failing disk can be simulated at every byte of an output.

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// A file that could not be written, with its path.
#[derive(Debug)]
pub struct WriteError {
    /// The file being written (the target, not the temporary).
    pub path: PathBuf,
    /// What went wrong.
    pub source: io::Error,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot write `{}`: {}", self.path.display(), self.source)
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl From<WriteError> for io::Error {
    fn from(e: WriteError) -> io::Error {
        io::Error::new(e.source.kind(), e.to_string())
    }
}

/// The injected fault budget, read once from `TENSORSEAM_FAULT_WRITE_BYTES`.
fn fault_budget() -> Option<&'static AtomicU64> {
    static BUDGET: OnceLock<Option<AtomicU64>> = OnceLock::new();
    BUDGET
        .get_or_init(|| {
            std::env::var("TENSORSEAM_FAULT_WRITE_BYTES")
                .ok()
                .and_then(|v| v.parse().ok())
                .map(AtomicU64::new)
        })
        .as_ref()
}

/// The temporary file, failing like a full disk when the injected budget runs out.
struct Sink {
    file: File,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Some(budget) = fault_budget() else {
            return self.file.write(buf);
        };
        let left = budget.load(Ordering::Relaxed);
        if left == 0 && !buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "no space left on device (injected fault)",
            ));
        }
        let n = self.file.write(&buf[..buf.len().min(left as usize)])?;
        budget.fetch_sub(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Seek for Sink {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.file.seek(pos)
    }
}

/// A file being written: bytes go to a temporary beside the target until [`AtomicFile::commit`]
/// renames it over the target. Dropped uncommitted, it removes the temporary.
pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    out: Option<BufWriter<Sink>>,
}

impl fmt::Debug for AtomicFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AtomicFile")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

/// Where a write to `path` really lands: through a symlink to the file it names (so `fmt` on a
/// linked schema rewrites the schema, not the link).
fn resolve(path: &Path) -> PathBuf {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

impl AtomicFile {
    /// Starts writing `target`: creates a temporary file in its directory.
    ///
    /// # Errors
    /// When the directory does not exist or is not writable (the error names `target`).
    pub fn create(target: impl AsRef<Path>) -> Result<AtomicFile, WriteError> {
        let shown = target.as_ref().to_path_buf();
        let fail = |source: io::Error| WriteError {
            path: shown.clone(),
            source,
        };
        let real = resolve(&shown);
        let name = real
            .file_name()
            .ok_or_else(|| fail(io::Error::other("not a file path")))?
            .to_string_lossy()
            .into_owned();
        let dir = match real.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let mut attempt = 0;
        let (tmp, file) = loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
            {
                Ok(f) => break (tmp, f),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(fail(e)),
            }
        };
        // A rewritten file keeps its permissions (an executable script stays executable).
        if let Ok(meta) = std::fs::metadata(&real) {
            let _ = file.set_permissions(meta.permissions());
        }
        Ok(AtomicFile {
            target: shown,
            tmp,
            out: Some(BufWriter::with_capacity(1 << 20, Sink { file })),
        })
    }

    /// The file this will replace.
    pub fn path(&self) -> &Path {
        &self.target
    }

    fn error(&self, source: io::Error) -> WriteError {
        WriteError {
            path: self.target.clone(),
            source,
        }
    }

    /// Flushes to disk and renames over the target.
    ///
    /// # Errors
    /// When flushing or renaming fails; the target is then untouched and the temporary removed.
    pub fn commit(mut self) -> Result<(), WriteError> {
        self.finish()?;
        self.rename()
    }

    /// Everything but the rename: flushed and synced, ready to replace the target.
    fn finish(&mut self) -> Result<(), WriteError> {
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        let done = out.flush().and_then(|()| out.get_ref().file.sync_all());
        done.map_err(|e| self.error(e))
    }

    fn rename(mut self) -> Result<(), WriteError> {
        let real = resolve(&self.target);
        std::fs::rename(&self.tmp, &real).map_err(|e| self.error(e))?;
        self.out = None;
        // Make the rename itself durable (best effort: not every platform syncs directories).
        if let Some(dir) = real.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.out.as_mut() {
            Some(out) => out.write(buf),
            None => Err(io::Error::other("the file is already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.out.as_mut() {
            Some(out) => out.flush(),
            None => Ok(()),
        }
    }
}

impl Seek for AtomicFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        match self.out.as_mut() {
            Some(out) => out.seek(pos),
            None => Err(io::Error::other("the file is already committed")),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `bytes` to `path` atomically.
///
/// # Errors
/// When the file cannot be written; the old file is then as it was.
pub fn write(path: impl AsRef<Path>, bytes: &[u8]) -> Result<(), WriteError> {
    let mut file = AtomicFile::create(path)?;
    if let Err(e) = file.write_all(bytes) {
        return Err(file.error(e));
    }
    file.commit()
}

/// Several files replaced as a set (`tensorseam build`): each is written and synced to its
/// temporary first, and only when every one of them is complete are they renamed over their
/// targets. A failure while writing leaves every old file as it was.
#[derive(Debug, Default)]
pub struct FileSet {
    files: Vec<AtomicFile>,
}

impl FileSet {
    /// An empty set.
    pub fn new() -> FileSet {
        FileSet::default()
    }

    /// Adds a file with its content.
    ///
    /// # Errors
    /// When the file cannot be written; the set is then abandoned (dropping it removes every
    /// temporary).
    pub fn add(&mut self, path: impl AsRef<Path>, bytes: &[u8]) -> Result<(), WriteError> {
        let mut file = AtomicFile::create(path)?;
        if let Err(e) = file.write_all(bytes) {
            return Err(file.error(e));
        }
        file.finish()?;
        self.files.push(file);
        Ok(())
    }

    /// Renames every file over its target.
    ///
    /// # Errors
    /// When a rename fails (the files renamed before it stay replaced; this needs a failure of
    /// the file system itself, not of space).
    pub fn commit(self) -> Result<Vec<PathBuf>, WriteError> {
        let mut done = Vec::with_capacity(self.files.len());
        for file in self.files {
            let path = file.target.clone();
            file.rename()?;
            done.push(path);
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(test: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("tensorseam-atomic-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("dir");
        d
    }

    fn entries(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn uncommitted_writes_leave_the_old_file_and_no_temporary() {
        let d = dir("drop");
        let p = d.join("a.txt");
        write(&p, b"old").expect("write");
        {
            let mut f = AtomicFile::create(&p).expect("create");
            f.write_all(b"new but never committed").expect("write");
        }
        assert_eq!(std::fs::read(&p).expect("read"), b"old");
        assert_eq!(entries(&d), ["a.txt"]);
        write(&p, b"new").expect("write");
        assert_eq!(std::fs::read(&p).expect("read"), b"new");
        assert_eq!(entries(&d), ["a.txt"]);
    }

    #[test]
    fn a_set_is_replaced_only_when_complete() {
        let d = dir("set");
        let mut set = FileSet::new();
        set.add(d.join("x"), b"1").expect("x");
        set.add(d.join("y"), b"2").expect("y");
        // Not yet visible: only temporaries exist.
        assert!(!d.join("x").exists());
        let done = set.commit().expect("commit");
        assert_eq!(done.len(), 2);
        assert_eq!(entries(&d), ["x", "y"]);
        let mut set = FileSet::new();
        set.add(d.join("x"), b"3").expect("x");
        let missing = set.add(d.join("no-such-dir").join("y"), b"4");
        assert!(missing
            .expect_err("no dir")
            .to_string()
            .contains("no-such-dir"));
        drop(set);
        assert_eq!(std::fs::read(d.join("x")).expect("x"), b"1");
        assert_eq!(entries(&d), ["x", "y"]);
    }

    #[cfg(unix)]
    #[test]
    fn writes_go_through_symlinks_and_keep_permissions() {
        use std::os::unix::fs::PermissionsExt as _;
        let d = dir("link");
        let real = d.join("real.yaml");
        write(&real, b"old").expect("write");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        std::os::unix::fs::symlink(&real, d.join("link.yaml")).expect("symlink");
        write(d.join("link.yaml"), b"new").expect("write");
        assert!(std::fs::symlink_metadata(d.join("link.yaml"))
            .expect("meta")
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).expect("read"), b"new");
        let mode = std::fs::metadata(&real).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
}
