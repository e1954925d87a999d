//! A results folder belongs to one experiment: its owner record and its locks.
//!
//! - **Owner.** The first command that writes a folder records what it is in `folder.json`
//!   ([`Owner`]: the command, the scenario, an identity hash of everything that decides the
//!   results). A later command with the same owner resumes or rewrites its results; one with
//!   another owner, or a folder that already holds files medgroup did not record, is refused
//!   ([`claim`]) unless the user forces it — then the files medgroup writes are removed first,
//!   and every other file is left alone.
//! - **Locks** (advisory locks of the operating system, released when the process ends, however
//!   it ends). A one-machine command holds the folder's lock (`.lock`) exclusively for its whole
//!   run ([`lock_folder`]); a shard run, of which a cluster runs many into one folder at once,
//!   holds the folder's lock shared and its own shard's lock exclusively ([`lock_shard`]). So a
//!   second writer is refused at once, and the error names the holder: its pid, host and
//!   command, as the holder wrote them into the lock file.
//!
//! On network file systems the locks are as good as the file system's `flock` (NFS v4 and
//! Lustre/GPFS mounted with locking support them).

use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The owner record of a results folder.
pub const OWNER_FILE: &str = "folder.json";
/// The folder's lock file.
pub const LOCK_FILE: &str = ".lock";

/// The files and folders medgroup writes into a results folder (the only ones `--force`
/// removes).
pub const WRITTEN: &[&str] = &[
    OWNER_FILE,
    "manifest.json",
    "summary.csv",
    "daily.csv",
    "replications.jsonl",
    "comparison.csv",
    "arms",
    "sweep.csv",
    "sweep_summary.csv",
    "uncertainty.csv",
    "draws.csv",
    "uncertainty.svg",
    "uncertainty.png",
    "shards",
    "charts",
    "report.en.html",
    "report.zh.html",
    "calibration",
    "posterior_sample.csv",
    "posterior.csv",
    "fit.csv",
    "fit_report.md",
    "fit.svg",
    "fit.png",
    "calibrated.toml",
    "sensitivity.csv",
    "sensitivity.md",
    "sensitivity.svg",
    "sensitivity.png",
];

/// The report files, written from the results: stale once the results change.
const REPORTS: &[&str] = &["report.en.html", "report.zh.html", "charts"];

/// What a results folder holds: written by the first command into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub program: String,
    pub version: String,
    /// run, compare, sweep, calibrate or sensitivity.
    pub command: String,
    /// The scenario's name (compare: the arms' names, base first, joined by " vs ").
    pub scenario: String,
    /// 16 hex digits: a hash of everything that decides the results but the number of
    /// replications (an experiment's spec; a calibration's scenario, targets and seed).
    pub identity: String,
    pub seed: u64,
}

impl Owner {
    pub fn new(command: &str, scenario: &str, identity: String, seed: u64) -> Owner {
        Owner {
            program: "medgroup".into(),
            version: crate::VERSION.into(),
            command: command.into(),
            scenario: scenario.into(),
            identity,
            seed,
        }
    }

    fn describe(&self) -> String {
        format!("{} of \"{}\" with seed {}", self.command, self.scenario, self.seed)
    }
}

/// A process holding a lock, as it wrote itself into the lock file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub pid: u32,
    pub host: String,
    /// The command line.
    pub command: String,
    /// Seconds since 1970 when the lock was taken.
    pub since: u64,
}

impl Holder {
    /// This process, running `command`.
    pub fn this_process(command: &str) -> Holder {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .or_else(|| std::env::var("COMPUTERNAME").ok())
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "this machine".into());
        Holder { pid: std::process::id(), host, command: command.into(), since: now() }
    }

    fn describe(&self) -> String {
        let age = now().saturating_sub(self.since);
        let age = match age {
            0..=119 => format!("{age} s"),
            120..=7199 => format!("{} min", age / 60),
            _ => format!("{:.1} h", age as f64 / 3600.0),
        };
        format!("pid {} on {} (`{}`, for {age})", self.pid, self.host, self.command)
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Why a folder cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error(
        "{} is in use by {holders}: wait until it has finished, or write to another folder with --out",
        folder.display()
    )]
    InUse { folder: PathBuf, holders: String },
    #[error(
        "{} holds the results of another experiment ({what}): write to another folder with --out, or replace \
         those results with --force",
        folder.display()
    )]
    Other { folder: PathBuf, what: String },
    #[error(
        "{} already holds files medgroup did not write there ({names}): write to another folder with --out, or \
         use it anyway with --force (medgroup's own files are replaced, the others left alone)",
        folder.display()
    )]
    Foreign { folder: PathBuf, names: String },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FolderError + '_ {
    move |source| FolderError::Io { path: path.to_path_buf(), source }
}

/// A held lock, released when dropped (or when the process ends). The lock file stays (removing
/// it would let two processes lock two different files of one name); an exclusive holder
/// empties it when it lets go.
#[derive(Debug)]
pub struct Lock {
    file: File,
    exclusive: bool,
}

impl Drop for Lock {
    fn drop(&mut self) {
        if self.exclusive {
            let _ = self.file.set_len(0);
        }
    }
}

fn open_lock_file(path: &Path) -> Result<File, FolderError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path).map_err(io(path))
}

/// Writes `holder` into the lock file just taken.
fn record_holder(file: &mut File, path: &Path, holder: &Holder) -> Result<(), FolderError> {
    let text = serde_json::to_string(holder).expect("plain data serialises") + "\n";
    file.set_len(0).map_err(io(path))?;
    file.seek(SeekFrom::Start(0)).map_err(io(path))?;
    file.write_all(text.as_bytes()).map_err(io(path))?;
    file.flush().map_err(io(path))
}

/// The holder recorded in a lock file, in words.
fn recorded_holder(path: &Path) -> String {
    let mut text = String::new();
    let read = File::open(path).and_then(|f| f.take(64 * 1024).read_to_string(&mut text));
    match read.ok().and_then(|_| serde_json::from_str::<Holder>(text.trim()).ok()) {
        Some(h) => h.describe(),
        None => "another medgroup process".into(),
    }
}

/// The shard lock files of `dir` held by a running shard (probed with a shared lock, which a
/// shard run's exclusive lock refuses), in words.
fn busy_shards(dir: &Path) -> Vec<String> {
    let mut busy = Vec::new();
    for sub in ["shards", "calibration"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else { continue };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "lock"))
            .collect();
        paths.sort();
        for p in paths {
            let Ok(f) = File::open(&p) else { continue };
            if matches!(f.try_lock_shared(), Err(TryLockError::WouldBlock)) {
                busy.push(recorded_holder(&p));
            }
        }
    }
    busy
}

fn in_use(folder: &Path, holders: Vec<String>) -> FolderError {
    FolderError::InUse { folder: folder.to_path_buf(), holders: holders.join("; ") }
}

/// Takes the lock of the results folder `dir` (created if missing) for a one-machine command:
/// refused while another command holds it or a shard run is writing into the folder.
pub fn lock_folder(dir: &Path, holder: &Holder) -> Result<Lock, FolderError> {
    let path = dir.join(LOCK_FILE);
    let mut file = open_lock_file(&path)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let shards = busy_shards(dir);
            return Err(in_use(dir, if shards.is_empty() { vec![recorded_holder(&path)] } else { shards }));
        }
        Err(TryLockError::Error(e)) => return Err(io(&path)(e)),
    }
    record_holder(&mut file, &path, holder)?;
    Ok(Lock { file, exclusive: true })
}

/// Takes the locks of one shard run writing into `dir`: the folder's, shared with the other
/// shard runs (refused while a one-machine command holds it), and `shard_lock`'s, exclusive
/// (refused while the same shard runs elsewhere).
pub fn lock_shard(dir: &Path, shard_lock: &Path, holder: &Holder) -> Result<(Lock, Lock), FolderError> {
    let path = dir.join(LOCK_FILE);
    let folder = open_lock_file(&path)?;
    match folder.try_lock_shared() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Err(in_use(dir, vec![recorded_holder(&path)])),
        Err(TryLockError::Error(e)) => return Err(io(&path)(e)),
    }
    let mut file = open_lock_file(shard_lock)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Err(in_use(shard_lock, vec![recorded_holder(shard_lock)])),
        Err(TryLockError::Error(e)) => return Err(io(shard_lock)(e)),
    }
    record_holder(&mut file, shard_lock, holder)?;
    Ok((Lock { file: folder, exclusive: false }, Lock { file, exclusive: true }))
}

/// What claiming a folder did.
#[derive(Debug, Default)]
pub struct Claimed {
    /// The folder was new to this owner (empty, missing, or forced).
    pub fresh: bool,
    /// Files of another experiment removed by `force`.
    pub removed: Vec<PathBuf>,
}

/// Whether `path` is a store file (a shard file) whose header names the experiment `identity`:
/// shard files copied together from a cluster's nodes belong to the experiment they name.
fn names_experiment(path: &Path, identity: &str) -> bool {
    #[derive(Deserialize)]
    struct Header {
        experiment: String,
    }
    let mut first = String::new();
    let Ok(f) = File::open(path) else { return false };
    let mut reader = std::io::BufReader::new(f.take(1 << 20));
    if std::io::BufRead::read_line(&mut reader, &mut first).is_err() {
        return false;
    }
    serde_json::from_str::<Header>(&first).is_ok_and(|h| h.experiment == identity)
}

/// Entries of `dir` that medgroup does not account for `owner`: anything but hidden files, a
/// `shards/` folder holding only lock files and shard files of `owner`'s experiment, and (for a
/// calibration, whose store checks its own identity) a `calibration/` folder.
fn unrecorded(dir: &Path, owner: &Owner) -> Result<Vec<String>, FolderError> {
    let mut names = Vec::new();
    for e in std::fs::read_dir(dir).map_err(io(dir))? {
        let e = e.map_err(io(dir))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if name == "calibration" && owner.command == "calibrate" {
            continue;
        }
        if (name == "shards" || name == "calibration") && e.path().is_dir() {
            let ours = std::fs::read_dir(e.path()).map_err(io(&e.path()))?.all(|f| {
                f.is_ok_and(|f| {
                    let p = f.path();
                    let hidden = f.file_name().to_string_lossy().starts_with('.');
                    hidden
                        || p.extension().is_some_and(|x| x == "lock")
                        || (p.extension().is_some_and(|x| x == "jsonl")
                            && names_experiment(&p, &owner.identity))
                })
            });
            if ours {
                continue;
            }
        }
        names.push(name);
    }
    names.sort();
    Ok(names)
}

fn listed(names: &[String]) -> String {
    const SHOWN: usize = 6;
    let mut s = names.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        s += &format!(" and {} more", names.len() - SHOWN);
    }
    s
}

/// Removes the files and folders medgroup writes from `dir` (not the lock files of running
/// shards: a shard folder keeps its `.lock` files); returns what was removed.
fn remove_written(dir: &Path) -> Result<Vec<PathBuf>, FolderError> {
    let mut removed = Vec::new();
    for name in WRITTEN {
        let p = dir.join(name);
        let Ok(meta) = std::fs::symlink_metadata(&p) else { continue };
        if meta.is_dir() {
            std::fs::remove_dir_all(&p).map_err(io(&p))?;
        } else {
            std::fs::remove_file(&p).map_err(io(&p))?;
        }
        removed.push(p);
    }
    Ok(removed)
}

fn read_owner(path: &Path) -> Option<Result<Owner, String>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => return Some(Err(e.to_string())),
    };
    Some(serde_json::from_str(&text).map_err(|e| e.to_string()))
}

/// Writes the owner record unless one exists (atomically: a complete file or none, and of two
/// commands claiming an empty folder at once exactly one wins). Returns false if one existed.
fn create_owner(path: &Path, owner: &Owner) -> Result<bool, FolderError> {
    let tmp = crate::output::unique_temp(path);
    let text = serde_json::to_string_pretty(owner).expect("plain data serialises") + "\n";
    std::fs::write(&tmp, text).map_err(io(&tmp))?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(io(path)(e)),
    }
}

/// What differs between two owners of the same command and scenario, in words.
fn differences(theirs: &Owner, ours: &Owner) -> String {
    let mut d = Vec::new();
    if theirs.seed != ours.seed {
        d.push(format!("seed {} → {}", theirs.seed, ours.seed));
    }
    if theirs.version != ours.version {
        d.push(format!("medgroup {} → {}", theirs.version, ours.version));
    }
    if d.is_empty() {
        d.push("the scenario, the run length or the experiment's design".into());
    }
    d.join(", ")
}

/// Claims the results folder `dir` (created if missing) for `owner`, with its lock held.
///
/// A folder of the same owner is kept as it is (a resume). A folder of another owner, or one
/// holding files medgroup has not recorded, is refused; with `force` medgroup's own files in
/// it are removed first (listed in [`Claimed::removed`]) and the folder is claimed.
pub fn claim(dir: &Path, owner: &Owner, force: bool) -> Result<Claimed, FolderError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let record = dir.join(OWNER_FILE);
    let mut claimed = Claimed::default();
    // Twice at most: a sibling shard may claim the folder between our look and our write.
    for _ in 0..2 {
        match read_owner(&record) {
            Some(Ok(theirs)) if theirs.command == owner.command && theirs.identity == owner.identity => {
                return Ok(claimed);
            }
            Some(Ok(theirs)) => {
                if !force {
                    let what = if theirs.command == owner.command && theirs.scenario == owner.scenario {
                        format!("{}: they differ in {}", theirs.describe(), differences(&theirs, owner))
                    } else {
                        format!("{}; this one is a {}", theirs.describe(), owner.describe())
                    };
                    return Err(FolderError::Other { folder: dir.to_path_buf(), what });
                }
                claimed.removed.extend(remove_written(dir)?);
            }
            Some(Err(why)) => {
                if !force {
                    return Err(FolderError::Foreign {
                        folder: dir.to_path_buf(),
                        names: format!("{OWNER_FILE}, which cannot be read: {why}"),
                    });
                }
                claimed.removed.extend(remove_written(dir)?);
            }
            None => {
                let names = unrecorded(dir, owner)?;
                if !names.is_empty() {
                    if !force {
                        return Err(FolderError::Foreign {
                            folder: dir.to_path_buf(),
                            names: listed(&names),
                        });
                    }
                    claimed.removed.extend(remove_written(dir)?);
                }
            }
        }
        if create_owner(&record, owner)? {
            claimed.fresh = true;
            return Ok(claimed);
        }
    }
    Err(FolderError::InUse {
        folder: dir.to_path_buf(),
        holders: "another command claiming it at the same moment".into(),
    })
}

/// Removes the report and charts of `dir` (written from earlier results); returns what was
/// removed.
pub fn remove_reports(dir: &Path) -> Result<Vec<PathBuf>, FolderError> {
    let mut removed = Vec::new();
    for name in REPORTS {
        let p = dir.join(name);
        let Ok(meta) = std::fs::symlink_metadata(&p) else { continue };
        if meta.is_dir() {
            std::fs::remove_dir_all(&p).map_err(io(&p))?;
        } else {
            std::fs::remove_file(&p).map_err(io(&p))?;
        }
        removed.push(p);
    }
    Ok(removed)
}

/// A folder name from a scenario name: letters (of any script), digits, `-`, `_` and `.`;
/// anything else becomes `-`; at most 80 characters.
pub fn folder_name(name: &str) -> String {
    let mut s: String = name
        .trim()
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '-' })
        .take(80)
        .collect();
    while s.starts_with('.') || s.starts_with('-') {
        s.remove(0);
    }
    if s.is_empty() { "scenario".into() } else { s }
}

/// The default results folder of `command` on the scenario(s) named `names`:
/// `out/<command>/<name>` (compare: `out/compare/<base>-vs-<arm>[-vs-<arm>…]`).
pub fn default_folder(command: &str, names: &[&str]) -> PathBuf {
    let joined = names.iter().map(|n| folder_name(n)).collect::<Vec<_>>().join("-vs-");
    Path::new("out").join(command).join(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(id: &str, seed: u64) -> Owner {
        Owner::new("run", "baseline", id.into(), seed)
    }

    #[test]
    fn names_of_default_folders() {
        assert_eq!(default_folder("run", &["baseline"]), Path::new("out/run/baseline"));
        assert_eq!(
            default_folder("compare", &["baseline", "sign up"]),
            Path::new("out/compare/baseline-vs-sign-up")
        );
        assert_eq!(folder_name("../etc"), "etc");
        assert_eq!(folder_name("青浦 2025"), "青浦-2025");
        assert_eq!(folder_name("///"), "scenario");
    }

    #[test]
    fn a_folder_of_another_experiment_is_refused_and_forced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("x");
        assert!(claim(&out, &owner("a", 1), false).unwrap().fresh);
        std::fs::write(out.join("summary.csv"), "a").unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        // The same owner again: kept.
        let again = claim(&out, &owner("a", 1), false).unwrap();
        assert!(!again.fresh && again.removed.is_empty());
        let e = claim(&out, &owner("b", 2), false).unwrap_err().to_string();
        assert!(e.contains("another experiment") && e.contains("seed 1 → 2") && e.contains("--force"), "{e}");
        assert!(out.join("summary.csv").exists());
        let forced = claim(&out, &owner("b", 2), true).unwrap();
        assert!(forced.fresh);
        assert!(!out.join("summary.csv").exists(), "medgroup's files are replaced");
        assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "mine", "the user's are not");
        assert_eq!(read_owner(&out.join(OWNER_FILE)).unwrap().unwrap(), owner("b", 2));
    }

    #[test]
    fn a_folder_with_unrecorded_files_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("summary.csv"), "my own").unwrap();
        std::fs::write(dir.path().join(".hidden"), "").unwrap();
        let e = claim(dir.path(), &owner("a", 1), false).unwrap_err().to_string();
        assert!(e.contains("did not write") && e.contains("summary.csv") && !e.contains(".hidden"), "{e}");
        assert_eq!(std::fs::read_to_string(dir.path().join("summary.csv")).unwrap(), "my own");
        // A folder holding only lock files is empty.
        let empty = dir.path().join("e");
        std::fs::create_dir_all(empty.join("shards")).unwrap();
        std::fs::write(empty.join("shards/shard-1-of-2.lock"), "").unwrap();
        std::fs::write(empty.join(LOCK_FILE), "").unwrap();
        assert!(claim(&empty, &owner("a", 1), false).unwrap().fresh);
    }

    #[test]
    fn a_held_lock_names_its_holder() {
        let dir = tempfile::tempdir().unwrap();
        let me =
            Holder { pid: 4242, host: "node7".into(), command: "medgroup run a.toml".into(), since: now() };
        let held = lock_folder(dir.path(), &me).unwrap();
        let e = lock_folder(dir.path(), &Holder::this_process("second")).unwrap_err().to_string();
        assert!(e.contains("pid 4242 on node7") && e.contains("medgroup run a.toml"), "{e}");
        let shard = dir.path().join("shards/shard-1-of-2.lock");
        let e = lock_shard(dir.path(), &shard, &Holder::this_process("shard")).unwrap_err().to_string();
        assert!(e.contains("pid 4242"), "{e}");
        drop(held);
        // Shards share the folder; the same shard twice does not.
        let s1 = lock_shard(dir.path(), &shard, &me).unwrap();
        let other = dir.path().join("shards/shard-2-of-2.lock");
        let s2 = lock_shard(dir.path(), &other, &Holder::this_process("shard 2")).unwrap();
        let e = lock_shard(dir.path(), &shard, &Holder::this_process("again")).unwrap_err().to_string();
        assert!(e.contains("shard-1-of-2.lock") && e.contains("pid 4242"), "{e}");
        let e = lock_folder(dir.path(), &Holder::this_process("merge")).unwrap_err().to_string();
        assert!(e.contains("pid 4242") && e.contains("shard 2"), "both running shards are named: {e}");
        drop((s1, s2));
        lock_folder(dir.path(), &Holder::this_process("merge")).unwrap();
    }
}
