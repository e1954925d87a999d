//! Plain-data statistics, queueing formulas, calibration maths, charts and the HTML report for
//! medgroup.
//!
//! This crate knows nothing of the model or of bevy_ecs (ARCHITECTURE.md, invariant 2): it takes
//! numbers (or the files of a results folder) and returns numbers, pictures and pages. It holds
//! - [`stats`]: summaries across replications (mean, SD, Student-t confidence intervals,
//!   percentiles, paired comparisons, the replications needed for a precision, warm-up
//!   deletion),
//! - [`design`]: experimental designs (grids, Latin hypercubes) for sweeps, and
//! - [`queueing`]: analytic results (Erlang B and C, the M/M/c queue) that the model is tested
//!   against;
//! - [`targets`]: the targets file of a calibration (targets, parameters and their priors, ABC
//!   settings) and its validation;
//! - [`schema`]: the published JSON Schemas of the input files, derived from their serde types
//!   and doc comments (for editors, and for the parameter dictionary);
//! - [`problem`]: the problems a validation finds (key path and what is allowed), collected all at
//!   once, for scenario and targets files alike;
//! - [`prior`]: prior distributions and the transformed space the ABC kernel works in;
//! - [`abc`]: ABC-SMC as a state machine (proposals out, simulated outputs in), so that the
//!   caller can run the simulations in parallel, on several machines and across interruptions;
//! - [`fit`]: the fit report (observed vs simulated mean and 90 % interval, pass or fail);
//! - [`morris`]: Morris elementary-effects screening, also as a design plus an analysis;
//! - [`catalogue`]: how a program describes its outputs and levers (units, headline rows, names
//!   and explanations in both languages), for the report and the CSV writers;
//! - [`charts`]: charts drawn from plain data with plotters, as SVG or PNG, with a bundled font;
//! - [`uncertainty`]: probabilistic sensitivity analysis — parameter draws from priors or a
//!   posterior sample, and an estimate's parameter and stochastic intervals across draws;
//! - [`report`]: reads a results folder (run, compare or sweep) and writes one self-contained
//!   HTML report in Chinese or English.

pub mod abc;
pub mod catalogue;
pub mod charts;
pub mod design;
pub mod fit;
pub mod importance;
pub mod morris;
pub mod prior;
pub mod problem;
pub mod queueing;
pub mod report;
pub mod schema;
pub mod stats;
mod streams;
pub mod targets;
pub mod uncertainty;
