//! The terminal: tables of results, numbers, progress bars, and what an interrupted command kept.

use analysis::stats::Summary;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use medgroup::metrics::{headline, unit};
use medgroup::scenario::Loaded;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// This command line as a user would type it again (arguments with spaces quoted): recorded in
/// lock files so that a second writer learns what holds a folder.
pub fn command_line() -> String {
    std::env::args()
        .map(|a| if a.is_empty() || a.contains(char::is_whitespace) { format!("'{a}'") } else { a })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Prints the headline metrics of a run: mean, 95 % CI and unit.
pub fn print_summary(loaded: &Loaded, summaries: &[(String, String, Summary)]) {
    let p = &loaded.params;
    println!();
    println!(
        "{} — seed {}, {} replication(s), {} recorded days after {} warm-up days (mean and 95% CI across replications)",
        p.name, p.seed, p.run.replications, p.run.days, p.run.warmup_days
    );
    let rows: Vec<[String; 4]> = summaries
        .iter()
        .filter(|(n, b, _)| headline(n, b))
        .map(|(n, b, s)| {
            let ci = if s.n > 1 { format!("[{}, {}]", fmt(s.ci_low), fmt(s.ci_high)) } else { "—".into() };
            [
                format!("{n} {}", if b.is_empty() { String::new() } else { format!("({b})") }),
                fmt(s.mean),
                ci,
                unit(n).into(),
            ]
        })
        .collect();
    let header = ["metric", "mean", "95% CI", "unit"];
    let mut width = header.map(str::len);
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        println!(
            "  {:<w0$}  {:>w1$}  {:<w2$}  {}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            w0 = width[0],
            w1 = width[1],
            w2 = width[2]
        );
    };
    line(header);
    line([
        "─".repeat(width[0]).as_str(),
        "─".repeat(width[1]).as_str(),
        "─".repeat(width[2]).as_str(),
        "────",
    ]);
    for r in &rows {
        line([&r[0], &r[1], &r[2], &r[3]]);
    }
    println!("  (all {} metrics with SD and percentiles: summary.csv)", summaries.len());
}

/// A number with about four significant digits.
pub fn fmt(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1e5 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.3}")
    } else {
        format!("{v:.4}")
    }
}

/// A progress bar with ETA on stderr; plain lines at each tenth when stderr is not a terminal;
/// nothing with --quiet.
pub fn progress(len: u64, quiet: bool) -> Progress {
    if quiet || len == 0 {
        return Progress::Hidden;
    }
    if std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} units  {elapsed_precise} elapsed, ETA {eta}")
                .expect("a valid template"),
        );
        Progress::Bar(bar)
    } else {
        Progress::Lines { len, done: Mutex::new(0), started: Instant::now() }
    }
}

pub enum Progress {
    Hidden,
    Bar(ProgressBar),
    Lines { len: u64, done: Mutex<u64>, started: Instant },
}

impl Progress {
    pub fn inc(&self, n: u64) {
        match self {
            Progress::Hidden => {}
            Progress::Bar(b) => b.inc(n),
            Progress::Lines { len, done, started } => {
                let mut d = done.lock().expect("no panic while holding the lock");
                let before = *d * 10 / len;
                *d += n;
                if *d * 10 / len > before || *d == *len {
                    let t = started.elapsed().as_secs_f64();
                    let eta = t / *d as f64 * (*len - *d) as f64;
                    eprintln!("  {}/{} units done ({t:.1} s, ETA {eta:.0} s)", *d, len);
                }
            }
        }
    }

    pub fn finish_and_clear(&self) {
        if let Progress::Bar(b) = self {
            b.finish_and_clear();
        }
    }
}

/// What the running command has kept so far, for the message printed when it is interrupted.
struct Kept {
    what: &'static str,
    place: PathBuf,
    done: Arc<AtomicU64>,
    total: u64,
}

static KEPT: Mutex<Option<Kept>> = Mutex::new(None);

/// Says, if the command is interrupted (Ctrl-C, or SIGTERM as a scheduler sends), how many of
/// `total` `what` (e.g. "replication(s)") are finished and kept in `place`, then exits with 130.
/// Returns the counter to add each finished unit to; `done` are those finished before.
pub fn on_interrupt(what: &'static str, place: &Path, done: u64, total: u64) -> Arc<AtomicU64> {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        // A second handler cannot be installed in this process; if there is none, the command
        // stops as it always did, with its finished units kept.
        let _ = ctrlc::set_handler(|| {
            if let Some(k) = KEPT.lock().ok().as_ref().and_then(|k| k.as_ref()) {
                eprintln!(
                    "\ninterrupted: {} of {} {} finished and kept in {} (each is written as it finishes); \
                     run the same command again to resume",
                    k.done.load(Ordering::Relaxed),
                    k.total,
                    k.what,
                    k.place.display()
                );
            } else {
                eprintln!("\ninterrupted");
            }
            std::process::exit(130);
        });
    });
    let counter = Arc::new(AtomicU64::new(done));
    if let Ok(mut k) = KEPT.lock() {
        *k = Some(Kept { what, place: place.to_path_buf(), done: counter.clone(), total });
    }
    counter
}
