//! Resumable stores of finished work: one JSON-lines file per worker, appended as work finishes.
//!
//! Experiments (`experiment::shard`, one row per finished replication) and calibrations
//! (`calibration`, one row per finished simulation) keep their results the same way:
//! - the first line is a header, which says what the file belongs to;
//! - every finished piece of work is one row, written in one call and flushed at once, so that
//!   an interruption loses at most the piece that was running;
//! - a footer with the row count closes a file whose work is all done.
//!
//! Every row carries a checksum of its own text (`{"row":…,"sum":"<16 hex digits>"}`), so a line
//! changed on disk — a flipped digit, a garbage line — is found: reading refuses it, naming the
//! line, and reopening for a rerun sets it aside and says so, so that its work is done again.
//!
//! Opening an existing file for the same work ([`Writer::open`]) keeps every complete, intact row
//! (the first of each key; a line cut short by an interruption is dropped) and rewrites the file
//! with the new header, so a rerun does only what is missing. Floats are written by serde_json
//! with `float_roundtrip` and read back bit for bit.
//!
//! Files are read and rewritten a line at a time (never held whole in memory), and reading
//! records where each row starts, so that a row's bulky parts (a replication's daily series) can
//! be read again one row at a time when they are needed.

use crate::output::write_atomic_with;
use crate::rng::name_key;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::hash::Hash;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One JSON line of `v`, newline included.
pub fn line<T: Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string(v).expect("plain data serialises");
    s.push('\n');
    s
}

/// A damaged line: its number in the file, and why it is damaged.
pub type Damaged = (usize, &'static str);

/// A row line: the row's JSON and the checksum of that text.
fn checked_line<T: Serialize>(row: &T) -> String {
    let text = serde_json::to_string(row).expect("plain data serialises");
    format!("{{\"row\":{text},\"sum\":\"{:016x}\"}}\n", name_key(&text))
}

/// What a line holds.
enum Line<R> {
    Row(R),
    /// Not a row: the footer, or a line of another kind.
    Other,
    /// A row whose checksum does not match its text, or which does not read as a row.
    Damaged(&'static str),
}

fn read_line<R: DeserializeOwned>(l: &str) -> Line<R> {
    #[derive(serde::Deserialize)]
    struct Checked<'a> {
        #[serde(borrow)]
        row: &'a RawValue,
        sum: String,
    }
    match serde_json::from_str::<Checked>(l) {
        Ok(c) if c.sum != format!("{:016x}", name_key(c.row.get())) => {
            Line::Damaged("its checksum does not match")
        }
        Ok(c) => match serde_json::from_str::<R>(c.row.get()) {
            Ok(r) => Line::Row(r),
            Err(_) => Line::Damaged("it does not read as a row"),
        },
        Err(_) if l.contains("\"kind\":\"footer\"") => Line::Other,
        Err(_) => Line::Damaged("it is not a row of this file"),
    }
}

/// The footer line of a file holding `rows` rows.
fn footer(rows: usize) -> String {
    format!("{{\"kind\":\"footer\",\"rows\":{rows}}}\n")
}

/// A store file open for appending rows.
#[derive(Debug)]
pub struct Writer {
    path: PathBuf,
    file: Mutex<File>,
}

/// What opening a store file found.
#[derive(Debug)]
pub struct Opened<R> {
    /// The complete rows kept from an earlier run, in file order.
    pub rows: Vec<R>,
    /// Why an existing file was set aside and started afresh, if it was.
    pub replaced: Option<String>,
    /// Damaged lines set aside (their work is done again): line number and why.
    pub damaged: Vec<Damaged>,
}

/// Reads the lines of `reader` one at a time, calling `each` with each line (newline included)
/// and its 0-based line number; stops at the end or at a line cut short (no newline), which is
/// passed to `cut` instead.
fn for_each_line(
    reader: &mut impl BufRead,
    mut each: impl FnMut(usize, &str) -> std::io::Result<()>,
    mut cut: impl FnMut(usize, &str),
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    for i in 0.. {
        buf.clear();
        if reader.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        let l = String::from_utf8_lossy(&buf);
        if !l.ends_with('\n') {
            cut(i, &l);
            break;
        }
        each(i, &l)?;
    }
    Ok(())
}

/// Copies the complete, intact rows with a key (the first row of each key) from the lines after
/// the header in `reader` to `out`, calling `kept` with each; returns the damaged lines (line
/// number, why).
fn copy_kept_rows<R: DeserializeOwned, K: Eq + Hash>(
    reader: &mut impl BufRead,
    out: &mut impl std::io::Write,
    key: &impl Fn(&R) -> Option<K>,
    mut kept: impl FnMut(R),
) -> std::io::Result<(usize, Vec<Damaged>)> {
    let mut seen = HashSet::new();
    let mut damaged = Vec::new();
    let mut rows = 0;
    for_each_line(
        reader,
        |i, l| {
            match read_line::<R>(l) {
                Line::Row(row) => {
                    if let Some(k) = key(&row)
                        && seen.insert(k)
                    {
                        out.write_all(l.as_bytes())?;
                        rows += 1;
                        kept(row);
                    }
                }
                Line::Other => {}
                Line::Damaged(why) => damaged.push((i + 2, why)),
            }
            Ok(())
        },
        |_, _| {}, // a line cut short by an interruption
    )?;
    Ok((rows, damaged))
}

impl Writer {
    /// Opens the store file at `path` (creating its folder) for appending rows after `header`.
    ///
    /// If the file exists and its first line reads as a header `H` for which `compatible` gives
    /// `Ok`, every complete row with a key is kept (the first of each key) and returned;
    /// otherwise the file is started afresh and [`Opened::replaced`] says why (`compatible`'s
    /// message, or that the file was not a `what` file). The file is rewritten atomically with
    /// `header` and the kept rows, then opened for appending.
    pub fn open<H, R, K>(
        path: &Path,
        what: &str,
        header: &H,
        compatible: impl Fn(&H) -> Result<(), String>,
        key: impl Fn(&R) -> Option<K>,
    ) -> std::io::Result<(Writer, Opened<R>)>
    where
        H: Serialize + DeserializeOwned,
        R: DeserializeOwned,
        K: Eq + Hash,
    {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut opened = Opened { rows: Vec::new(), replaced: None, damaged: Vec::new() };
        let old = match File::open(path) {
            Ok(f) => Some(BufReader::new(f)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        write_atomic_with(path, |out| {
            out.write_all(line(header).as_bytes())?;
            let Some(mut old) = old else { return Ok(()) };
            let mut first = Vec::new();
            old.read_until(b'\n', &mut first)?;
            match serde_json::from_slice::<H>(&first).ok() {
                Some(h) => match compatible(&h) {
                    Ok(()) => {
                        let (_, damaged) = copy_kept_rows(&mut old, out, &key, |r| opened.rows.push(r))?;
                        opened.damaged = damaged;
                    }
                    Err(why) => opened.replaced = Some(why),
                },
                None => {
                    opened.replaced =
                        Some(format!("{} was not a {what} file; started afresh", path.display()))
                }
            }
            Ok(())
        })?;
        let file = OpenOptions::new().append(true).open(path)?;
        Ok((Writer { path: path.to_path_buf(), file: Mutex::new(file) }, opened))
    }

    /// Appends one row as a complete line, written in one call and flushed.
    pub fn append<R: Serialize>(&self, row: &R) -> std::io::Result<()> {
        let text = checked_line(row);
        let mut f = self.file.lock().expect("no writer panics while holding the lock");
        f.write_all(text.as_bytes())?;
        f.flush()
    }

    /// Closes the file: rewrites it with `header`, the rows with a key (the first of each key,
    /// in file order) and the footer with their count.
    pub fn close<H, R, K>(self, header: &H, key: impl Fn(&R) -> Option<K>) -> std::io::Result<PathBuf>
    where
        H: Serialize,
        R: DeserializeOwned,
        K: Eq + Hash,
    {
        drop(self.file);
        let mut old = BufReader::new(File::open(&self.path)?);
        write_atomic_with(&self.path, |out| {
            out.write_all(line(header).as_bytes())?;
            old.read_until(b'\n', &mut Vec::new())?; // the old header
            let (rows, _) = copy_kept_rows(&mut old, out, &key, |_: R| {})?;
            out.write_all(footer(rows).as_bytes())
        })?;
        Ok(self.path)
    }
}

/// A store file as read back.
#[derive(Debug)]
pub struct Stored<H, R> {
    pub path: PathBuf,
    pub header: H,
    pub rows: Vec<R>,
    /// Where each row's line starts in the file (bytes), for [`read_row_at`].
    pub offsets: Vec<u64>,
    /// The footer's row count, if the file has its footer.
    pub footer: Option<u64>,
    /// Whether the file ends in a line cut short (an interrupted write).
    pub cut_short: bool,
}

/// Reads a store file whose header `is_header` accepts, a line at a time; an error says plainly
/// what is wrong with it (`what` names the kind of file, e.g. "medgroup shard"). `R` may read
/// only part of each row (serde skips the rest), to keep less in memory.
pub fn read<H, R>(path: &Path, what: &str, is_header: impl Fn(&H) -> bool) -> Result<Stored<H, R>, String>
where
    H: DeserializeOwned,
    R: DeserializeOwned,
{
    let cannot = |e: std::io::Error| format!("cannot read {what} file {}: {e}", path.display());
    let mut reader = BufReader::new(File::open(path).map_err(cannot)?);
    let mut first = Vec::new();
    reader.read_until(b'\n', &mut first).map_err(cannot)?;
    if first.is_empty() {
        return Err(format!("{} is empty, not a {what} file", path.display()));
    }
    let not_text = || format!("{} is not a {what} file (not UTF-8 text)", path.display());
    let first = std::str::from_utf8(&first).map_err(|_| not_text())?;
    let header: H = serde_json::from_str(first).ok().filter(|h| is_header(h)).ok_or_else(|| {
        format!("{} is not a {what} file (its first line is not a {what} header)", path.display())
    })?;
    let mut offset = first.len() as u64;
    let mut rows = Vec::new();
    let mut offsets = Vec::new();
    let mut footer = None;
    let mut cut_short = false;
    let mut buf = Vec::new();
    for i in 0.. {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(cannot)?;
        if n == 0 {
            break;
        }
        let l = std::str::from_utf8(&buf).map_err(|_| not_text())?;
        let at = offset;
        offset += n as u64;
        if !l.ends_with('\n') {
            cut_short = true;
            break;
        }
        if footer.is_some() {
            return Err(format!("{}: line {} comes after the footer", path.display(), i + 2));
        }
        match read_line::<R>(l) {
            Line::Row(row) => {
                rows.push(row);
                offsets.push(at);
                continue;
            }
            Line::Damaged(why) if !l.contains("\"kind\":\"footer\"") => {
                return Err(format!("{}: line {} is damaged: {why}", path.display(), i + 2));
            }
            _ => {}
        }
        #[derive(serde::Deserialize)]
        struct Footer {
            kind: String,
            rows: u64,
        }
        match serde_json::from_str::<Footer>(l) {
            Ok(f) if f.kind == "footer" => footer = Some(f.rows),
            _ => {
                return Err(format!(
                    "{}: line {} is neither a row nor the footer (damaged file?)",
                    path.display(),
                    i + 2
                ));
            }
        }
    }
    Ok(Stored { path: path.to_path_buf(), header, rows, offsets, footer, cut_short })
}

/// Reads the row whose line starts at `offset` in `file` (an offset [`read`] recorded), checking
/// its checksum again.
pub fn read_row_at<R: DeserializeOwned>(file: &mut File, path: &Path, offset: u64) -> Result<R, String> {
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    file.seek(SeekFrom::Start(offset)).map_err(cannot)?;
    let mut buf = Vec::new();
    BufReader::new(&mut *file).read_until(b'\n', &mut buf).map_err(cannot)?;
    let l = String::from_utf8_lossy(&buf);
    match read_line::<R>(&l) {
        Line::Row(r) => Ok(r),
        Line::Damaged(why) => Err(format!("{}: the row at byte {offset} is damaged: {why}", path.display())),
        Line::Other => Err(format!("{}: no row at byte {offset} (was the file changed?)", path.display())),
    }
}
