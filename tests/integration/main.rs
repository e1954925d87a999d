//! The integration tests: one binary, one module per concern.
//!
//! Statistical tests state their effect, standard error and tolerance next to the assertion;
//! seeds are fixed, so every test gives the same answer on every run.

mod architecture;
mod bad_inputs;
mod calibration;
mod catalogue;
mod city;
mod common;
mod conservation;
mod determinism;
mod dictionary;
mod experiments;
mod extremes;
mod folders;
mod fuzz;
mod golden;
mod lever_registry;
mod levers;
mod pilots;
mod queueing;
mod report;
mod scenarios;
mod schema_files;
mod shards;
mod steady;
mod targets;
mod uncertainty;
mod validation;
