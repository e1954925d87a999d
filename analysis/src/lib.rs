//! Plain-data statistics, queueing formulas, charts and the HTML report for medgroup.
//!
//! This crate knows nothing of the model or of bevy_ecs (ARCHITECTURE.md, invariant 2): it takes
//! numbers (or the files of a results folder) and returns numbers, pictures and pages. It holds
//! - [`stats`]: summaries across replications (mean, SD, Student-t confidence intervals,
//!   percentiles);
//! - [`queueing`]: analytic results (Erlang B and C, the M/M/c queue) that the model is tested
//!   against;
//! - [`charts`]: charts drawn from plain data with plotters, as SVG or PNG, with a bundled font;
//! - [`report`]: reads a results folder (run, compare or sweep) and writes one self-contained
//!   HTML report in Chinese or English.

pub mod charts;
pub mod queueing;
pub mod report;
pub mod stats;
