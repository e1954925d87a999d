//! # medgroup
//!
//! An agent-based simulation of how patients with chronic conditions move through a compact city
//! medical group (紧密型城市医疗集团): community health centres (CHCs), member hospitals with
//! shared wards, and the lead hospital.
//!
//! ## A day in the model
//!
//! ```text
//!   disease ──► demand ──► choice ──► outpatient ──► referral ──► admission ──► payment ──► record
//!   (control,   (follow-   (logit     (book slots,   (book the    (wards in     (insurer /
//!    acute,      ups due,   over CHC,  visits, ED,    hospital     continuous    out of
//!    deaths,     symptoms)  member,    outcomes,      visit;       time:         pocket)
//!    onsets)                lead)      up/down        post-acute   M/M/c when
//!                                      referral)      transfer)    Poisson/exp)
//! ```
//!
//! **Patients** ([`model::Patient`]) are the residents with at least one chronic condition
//! (hypertension, type 2 diabetes, COPD, post-stroke, prostate hyperplasia by default; the list
//! is data). Each carries diagnosed and uncontrolled sets, a home CHC, a family-doctor contract,
//! an insurance scheme, a bypass propensity and trust in the CHC. Everyone else is **background
//! demand**: Poisson streams of visits and admissions that share capacity.
//!
//! The model is **event-driven inside a daily schedule**: a patient's next disease transition,
//! next care need and booked visit sit in day calendars ([`model::calendar`]), so a stable
//! patient costs nothing on a day without an event. Each day the stages run in the fixed order
//! above ([`model::Phase`]), talking through buffered messages. **Choice** is a multinomial logit
//! over the home CHC, its member hospital and the lead hospital. **Outpatient** books whole days
//! (earliest free slot). **Wards** ([`model::ward`]) are priority queues (emergency > referred >
//! elective) run in continuous time, so a ward with Poisson arrivals and exponential stays is an
//! exact M/M/c queue. **Record** ([`model::record`]) keeps the counters behind every output of
//! DESIGN.md section 3.5.
//!
//! ## Experiments
//!
//! A replication is one World run to the end; its result depends only on the parameters and
//! its replication number. An experiment ([`experiment`]) — a run, a comparison of reforms, a
//! sweep — is a list of units (point, replication) run in parallel with rayon; every point of a
//! comparison or sweep uses the same replication seeds (common random numbers), so differences
//! are paired. Units are appended to a shard file as they finish (resume after an interruption;
//! split the list into shards for a cluster), and one merge writes every results folder, so the
//! files never depend on threads, shards or interruptions.
//!
//! ## Modules
//! - [`scenario`]: TOML files → validated [`params::Params`] (every error at once), and `--set`
//!   key paths on the resolved document.
//! - [`model`]: components, resources, messages, systems; no I/O.
//! - [`run`]: one replication, or a list of them in parallel, deterministic.
//! - [`experiment`]: units, seeds, shards, shard files and merging.
//! - [`output`]: run result files; [`experiment::shard`] and [`experiment::merge`] write the
//!   others; [`folder`]: a results folder's owner record and locks.
//! - The `medgroup` command is the binary's `cli/` folder, above this library.
//! - [`rng`], [`time`]: seeded streams and typed time.

pub mod calibration;
pub mod experiment;
pub mod folder;
pub mod levers;
pub mod metrics;
pub mod model;
pub mod output;
pub mod params;
pub mod report;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod steady;
pub mod store;
pub mod time;

#[cfg(test)]
mod testing;

/// Program version, recorded in every output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
