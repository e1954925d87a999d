//! The compiled core of the `medgroup` Python package (`medgroup._medgroup`): scenarios loaded,
//! validated and changed by the library's own code, and experiments run by
//! [`medgroup::experiment::whole::run_whole`] — the path the command line takes for a
//! one-machine run — into a results folder. The pure-Python layer (`medgroup/__init__.py`) reads
//! that folder into pandas, shows progress and turns Ctrl-C into a clean stop.

use medgroup::experiment::whole::{self, Ended, Step};
use medgroup::experiment::{self, Experiment, Kind, Spec, record};
use medgroup::folder::Holder;
use medgroup::scenario::{self, KeyPath, Loaded};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use toml::Value;

/// An exception of the Python layer (`medgroup.ScenarioError`, `medgroup.ExperimentError`),
/// raised with `message` and, for a scenario, its problems as (key path, message) pairs.
fn raise(py: Python<'_>, class: &str, message: String, problems: Vec<(String, String)>) -> PyErr {
    let made = py
        .import("medgroup")
        .and_then(|m| m.getattr(class))
        .and_then(|c| c.call1((message.clone(), problems)));
    match made {
        Ok(e) => PyErr::from_value(e),
        // The Python layer is missing (the core imported on its own): a plain ValueError.
        Err(_) => PyValueError::new_err(message),
    }
}

fn scenario_error(py: Python<'_>, e: &scenario::ScenarioError) -> PyErr {
    let problems = e.problems().iter().map(|p| (p.key.clone(), p.message.clone())).collect();
    raise(py, "ScenarioError", e.to_string(), problems)
}

/// A TOML value from a Python bool, int, float, str, or a list or tuple of them.
fn value_of(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if obj.is_instance_of::<PyBool>() {
        return Ok(Value::Boolean(obj.extract()?));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(Value::Integer(obj.extract()?));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(Value::Float(obj.extract()?));
    }
    if obj.is_instance_of::<PyString>() {
        return Ok(Value::String(obj.extract()?));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let items: Vec<Bound<'_, PyAny>> = obj.extract()?;
        return Ok(Value::Array(items.iter().map(value_of).collect::<PyResult<_>>()?));
    }
    Err(PyValueError::new_err(format!(
        "a scenario value must be a bool, int, float, str or a list of them, not {}",
        obj.get_type().name()?
    )))
}

/// A resolved, validated scenario (`medgroup.load`).
#[pyclass(module = "medgroup._medgroup")]
#[derive(Clone)]
pub struct Scenario {
    loaded: Loaded,
}

impl Scenario {
    fn with(&self, py: Python<'_>, assignments: &[(KeyPath, Value)]) -> PyResult<Loaded> {
        self.loaded.with_values(assignments).map_err(|e| scenario_error(py, &e))
    }
}

fn key_path(py: Python<'_>, key: &str) -> PyResult<KeyPath> {
    KeyPath::parse(key).map_err(|e| raise(py, "ScenarioError", e.0, Vec::new()))
}

#[pymethods]
impl Scenario {
    /// Sets `key` (a key path as `--set` takes it, e.g. `population.signing_rate` or
    /// `facilities[lead].wards[medical].beds`) to `value`, validating the whole scenario again;
    /// returns the scenario, so that calls chain.
    fn set<'py>(
        mut slf: PyRefMut<'py, Self>,
        key: &str,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<PyRefMut<'py, Self>> {
        let py = slf.py();
        let key = key_path(py, key)?;
        let value = value_of(value)?;
        slf.loaded = slf.with(py, &[(key, value)])?;
        Ok(slf)
    }

    /// The value at `key` (a key path as `--set` takes it), or None if the resolved scenario has
    /// no such key.
    fn get<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        let key = key_path(py, key)?;
        match key.get(&self.loaded.resolved) {
            None => Ok(py.None().into_bound(py)),
            Some(v) => {
                let json = serde_json::to_string(v).map_err(|e| PyValueError::new_err(e.to_string()))?;
                py.import("json")?.call_method1("loads", (json,))
            }
        }
    }

    /// The resolved scenario as TOML (every key, `extends` merged).
    fn to_toml(&self) -> String {
        toml::to_string(&self.loaded.resolved).expect("a parsed table serialises")
    }

    /// The scenario's name.
    #[getter]
    fn name(&self) -> String {
        self.loaded.params.name.clone()
    }

    /// The file it was loaded from, then each file it extends.
    #[getter]
    fn files(&self) -> Vec<PathBuf> {
        self.loaded.chain.clone()
    }

    /// The stable hash of the resolved scenario (as in manifest.json).
    #[getter]
    fn hash(&self) -> String {
        self.loaded.hash()
    }

    fn __repr__(&self) -> String {
        let p = &self.loaded.params;
        format!(
            "<medgroup.Scenario {:?}: seed {}, {} replication(s) × ({} warm-up + {} recorded days)>",
            p.name, p.seed, p.run.replications, p.run.warmup_days, p.run.days
        )
    }
}

/// Loads, resolves and validates the scenario file at `path`.
#[pyfunction]
fn load(py: Python<'_>, path: PathBuf) -> PyResult<Scenario> {
    py.detach(|| scenario::load(&path)).map(|loaded| Scenario { loaded }).map_err(|e| scenario_error(py, &e))
}

/// What the worker thread of a [`Job`] shares with Python.
struct Progress {
    done: AtomicU64,
    resumed: AtomicU64,
    stop: AtomicBool,
    finished: Mutex<bool>,
    changed: Condvar,
}

impl Progress {
    fn notify(&self) {
        self.changed.notify_all();
    }
}

/// An experiment running in a worker thread (`medgroup.run`, `compare` and `sweep` drive it).
#[pyclass(module = "medgroup._medgroup", frozen)]
pub struct Job {
    progress: Arc<Progress>,
    total: u64,
    out: PathBuf,
    handle: Mutex<Option<JoinHandle<Result<Ended, String>>>>,
}

#[pymethods]
impl Job {
    /// Units (replications of a point) finished so far, those resumed from the folder included.
    #[getter]
    fn done(&self) -> u64 {
        self.progress.done.load(Ordering::Relaxed)
    }

    /// Units of the whole experiment.
    #[getter]
    fn total(&self) -> u64 {
        self.total
    }

    /// Units the folder already held when the job started.
    #[getter]
    fn resumed(&self) -> u64 {
        self.progress.resumed.load(Ordering::Relaxed)
    }

    /// The results folder.
    #[getter]
    fn out(&self) -> PathBuf {
        self.out.clone()
    }

    /// Waits up to `timeout` seconds (without holding the GIL) for the job to end or a unit to
    /// finish; returns whether the job has ended.
    fn wait(&self, py: Python<'_>, timeout: f64) -> bool {
        let progress = self.progress.clone();
        py.detach(move || {
            let finished = progress.finished.lock().expect("no panic while holding the lock");
            if *finished {
                return true;
            }
            let (finished, _) = progress
                .changed
                .wait_timeout(finished, Duration::from_secs_f64(timeout.max(0.0)))
                .expect("no panic while holding the lock");
            *finished
        })
    }

    /// Asks the job to start no further unit; the units running finish and are kept.
    fn stop(&self) {
        self.progress.stop.store(true, Ordering::Relaxed);
    }

    /// Waits for the job to end; returns (finished, units done, units in all). Raises
    /// `medgroup.ExperimentError` if it failed.
    fn join(&self, py: Python<'_>) -> PyResult<(bool, u64, u64)> {
        let handle = self.handle.lock().expect("no panic while holding the lock").take();
        let Some(handle) = handle else {
            return Err(PyRuntimeError::new_err("this job has been joined already"));
        };
        let ended = py.detach(|| handle.join());
        match ended {
            Ok(Ok(Ended::Merged(_))) => Ok((true, self.total, self.total)),
            Ok(Ok(Ended::Stopped { done, total })) => Ok((false, done as u64, total as u64)),
            Ok(Err(message)) => Err(raise(py, "ExperimentError", message, Vec::new())),
            Err(_) => Err(PyRuntimeError::new_err("the simulation's worker thread panicked")),
        }
    }
}

/// The scenarios of an experiment with the run's overrides (`seed`, `run.days`,
/// `run.warmup_days`) applied as `--seed`, `--days` and `--warmup-days` apply them.
fn with_overrides(
    py: Python<'_>,
    scenarios: &[PyRef<'_, Scenario>],
    seed: Option<u64>,
    days: Option<u32>,
    warmup_days: Option<u32>,
) -> PyResult<Vec<Loaded>> {
    let assignments = medgroup::scenario::run_overrides(seed, days, warmup_days);
    scenarios
        .iter()
        .map(|s| if assignments.is_empty() { Ok(s.loaded.clone()) } else { s.with(py, &assignments) })
        .collect()
}

/// Starts an experiment (`kind`: "run", "compare" or "sweep") of `scenarios` into the results
/// folder `out` and returns its job. `grid`: a sweep's keys and values (every combination).
#[pyfunction]
#[pyo3(signature = (kind, scenarios, out, *, replications=None, seed=None, days=None, warmup_days=None,
    threads=None, force=false, independent=false, grid=None, command=String::from("python")))]
#[allow(clippy::too_many_arguments)]
fn start(
    py: Python<'_>,
    kind: &str,
    scenarios: Vec<PyRef<'_, Scenario>>,
    out: PathBuf,
    replications: Option<u32>,
    seed: Option<u64>,
    days: Option<u32>,
    warmup_days: Option<u32>,
    threads: Option<usize>,
    force: bool,
    independent: bool,
    grid: Option<Vec<(String, Bound<'_, PyAny>)>>,
    command: String,
) -> PyResult<Job> {
    let kind = match kind {
        "run" => Kind::Run,
        "compare" => Kind::Compare,
        "sweep" => Kind::Sweep,
        other => return Err(PyValueError::new_err(format!("unknown experiment kind {other:?}"))),
    };
    let loaded = with_overrides(py, &scenarios, seed, days, warmup_days)?;
    let Some(base) = loaded.first() else {
        return Err(raise(py, "ExperimentError", "an experiment needs a scenario".into(), Vec::new()));
    };
    let sweep = match grid {
        None => None,
        Some(axes) => {
            let mut parsed = Vec::with_capacity(axes.len());
            for (key, values) in &axes {
                let key = key_path(py, key)?;
                let values = match value_of(values)? {
                    Value::Array(vs) if !vs.is_empty() => vs,
                    Value::Array(_) => {
                        return Err(PyValueError::new_err(format!("{key}: no values to sweep")));
                    }
                    one => vec![one],
                };
                // Every value must make a valid scenario, with the message `--set` gives.
                for v in &values {
                    base.with_values(&[(key.clone(), v.clone())]).map_err(|e| scenario_error(py, &e))?;
                }
                parsed.push((key, values));
            }
            Some(experiment::grid(&parsed))
        }
    };
    let replications = replications.unwrap_or(base.params.run.replications);
    let spec = Spec {
        kind,
        version: medgroup::VERSION.into(),
        seed: base.params.seed,
        independent,
        scenarios: match kind {
            Kind::Compare => loaded.iter().map(record).collect(),
            _ => vec![record(base)],
        },
        sweep,
        warmup: None,
        mid: Default::default(),
        different_windows: false,
        uncertainty: None,
    };
    let exp = Experiment::build(spec, replications).map_err(|e| match e {
        experiment::ExperimentError::Scenario(e) => scenario_error(py, &e),
        other => raise(py, "ExperimentError", other.to_string(), Vec::new()),
    })?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("cannot start worker threads: {e}")))?;
    let total = exp.shard_units(experiment::Shard::WHOLE).len() as u64;
    let progress = Arc::new(Progress {
        done: AtomicU64::new(0),
        resumed: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        finished: Mutex::new(false),
        changed: Condvar::new(),
    });
    let holder = Holder::this_process(&command);
    let worker = progress.clone();
    let folder = out.clone();
    let handle = std::thread::spawn(move || {
        let ended = whole::run_whole(
            &exp,
            &folder,
            force,
            &holder,
            &pool,
            |step| {
                match step {
                    Step::Resumed(n) => {
                        worker.resumed.store(n as u64, Ordering::Relaxed);
                        worker.done.fetch_add(n as u64, Ordering::Relaxed);
                    }
                    Step::Finished => {
                        worker.done.fetch_add(1, Ordering::Relaxed);
                    }
                }
                worker.notify();
            },
            &worker.stop,
        );
        *worker.finished.lock().expect("no panic while holding the lock") = true;
        worker.notify();
        ended
    });
    Ok(Job { progress, total, out, handle: Mutex::new(Some(handle)) })
}

/// Writes the HTML report of the results folder `folder` in `lang` ("zh" or "en") to `path`
/// (default: `report.<lang>.html` in the folder) and returns where it went.
#[pyfunction]
#[pyo3(signature = (folder, lang="zh", path=None))]
fn report(py: Python<'_>, folder: PathBuf, lang: &str, path: Option<PathBuf>) -> PyResult<PathBuf> {
    let lang = analysis::report::Lang::ALL
        .into_iter()
        .find(|l| l.code() == lang)
        .ok_or_else(|| PyValueError::new_err(format!("lang must be \"zh\" or \"en\", not {lang:?}")))?;
    py.detach(|| medgroup::report::write(&folder, lang, path.as_deref()))
        .map_err(|e| raise(py, "ExperimentError", e.to_string(), Vec::new()))
}

/// The default results folder of a command for the named scenarios, as the command line uses
/// (`out/<command>/<names>`).
#[pyfunction]
fn default_folder(command: &str, names: Vec<String>) -> PathBuf {
    medgroup::folder::default_folder(command, &names.iter().map(String::as_str).collect::<Vec<_>>())
}

#[pymodule]
fn _medgroup(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", medgroup::VERSION)?;
    m.add_class::<Scenario>()?;
    m.add_class::<Job>()?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(start, m)?)?;
    m.add_function(wrap_pyfunction!(report, m)?)?;
    m.add_function(wrap_pyfunction!(default_folder, m)?)?;
    Ok(())
}
