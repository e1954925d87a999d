//! A whole experiment on one machine into a results folder, stoppable: the front ends' path
//! (the Python package, `medgroup serve`). It is what `medgroup run`, `compare` and `sweep` do
//! without `--shard` or `--precision`, through the same shard file and merge.

use super::merge;
use super::shard::{Writer, run_pending};
use super::{Experiment, Shard};
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// How a one-machine experiment run by [`run_whole`] ended.
#[derive(Debug)]
pub enum Ended {
    /// Every unit finished and the folder holds the merged results.
    Merged(Box<merge::Merged>),
    /// `stop` was set: this many units of the whole are finished and kept in the shard file, and
    /// running the same experiment into the same folder again resumes from them.
    Stopped { done: usize, total: usize },
}

/// What [`run_whole`] tells its caller as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// This many units were already in the folder's shard file and are not run again.
    Resumed(usize),
    /// One more unit finished and is kept.
    Finished,
}

/// Runs the whole of `exp` on this machine into the results folder `out`, as `medgroup run`,
/// `compare` and `sweep` do without `--shard` or `--precision`: holds the folder's lock, claims the
/// folder (`force` as `--force`), resumes the units its shard file already holds, runs the rest in
/// `pool` (telling `progress` how many it resumed, then of each unit that finishes; no new unit
/// starts once `stop` is set), then merges. The front ends' path: its result files are the
/// command line's for the same experiment, byte for byte (the shard file holds the same rows, in
/// the order the units finished).
pub fn run_whole(
    exp: &Experiment,
    out: &Path,
    force: bool,
    holder: &crate::folder::Holder,
    pool: &rayon::ThreadPool,
    progress: impl Fn(Step) + Sync,
    stop: &AtomicBool,
) -> Result<Ended, String> {
    let _lock = crate::folder::lock_folder(out, holder).map_err(|e| e.to_string())?;
    crate::folder::claim(out, &exp.owner(), force).map_err(|e| e.to_string())?;
    let path = out.join("shards").join(Shard::WHOLE.file_name());
    let failed = |what: &'static str| {
        let path = path.display().to_string();
        move |e: std::io::Error| format!("cannot {what} shard file {path}: {e}")
    };
    let (writer, resumed) = Writer::open(&path, exp, Shard::WHOLE).map_err(failed("open"))?;
    let mut done = resumed.done;
    progress(Step::Resumed(done.len()));
    run_pending(exp, Shard::WHOLE, &writer, &mut done, pool, || progress(Step::Finished), stop)
        .map_err(failed("write to"))?;
    let total = exp.shard_units(Shard::WHOLE).len();
    if done.len() < total {
        return Ok(Ended::Stopped { done: done.len(), total });
    }
    writer.finish(exp, Shard::WHOLE).map_err(failed("finish"))?;
    merge::merge(&[path], out, force).map(|m| Ended::Merged(Box::new(m)))
}
