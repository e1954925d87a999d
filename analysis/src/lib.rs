//! Plain-data statistics and queueing formulas for medgroup.
//!
//! This crate knows nothing of the model or of bevy_ecs (ARCHITECTURE.md, invariant 2): it takes
//! numbers and returns numbers. It holds
//! - [`stats`]: summaries across replications (mean, SD, Student-t confidence intervals,
//!   percentiles, paired comparisons, the replications needed for a precision, warm-up
//!   deletion),
//! - [`design`]: experimental designs (grids, Latin hypercubes) for sweeps, and
//! - [`queueing`]: analytic results (Erlang B and C, the M/M/c queue) that the model is tested
//!   against.

pub mod design;
pub mod queueing;
pub mod stats;
