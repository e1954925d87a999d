//! Approximate Bayesian computation by sequential Monte Carlo (ABC-SMC), as a state machine.
//!
//! # The method
//! ABC replaces the likelihood of a stochastic simulator by simulation: a parameter vector θ is
//! kept when one simulated run lands within a tolerance ε of the observed targets (Pritchard et
//! al. 1999). The accepted sample is drawn from π(θ | d(sim, obs) ≤ ε) — the prior times the
//! probability that a run *with its replication noise* lands close — so the model's stochasticity
//! is part of the posterior rather than averaged away. SMC makes this affordable by shrinking ε
//! over generations and proposing each generation from the previous one (Toni et al. 2009;
//! Beaumont et al. 2009, "ABC-PMC"; Del Moral, Doucet and Jasra 2012 for the adaptive tolerance).
//!
//! This implementation, per generation t:
//! 1. **Proposals.** M = `simulations_per_generation` parameter vectors. Generation 0 draws them
//!    from the prior. Later generations pick a parent from the previous population with
//!    probability equal to its weight and perturb it with a Gaussian kernel whose covariance is
//!    `kernel_scale` (default 2, Beaumont et al. 2009) × the weighted covariance of the previous
//!    population. The kernel works in the transformed space z = logit F(θ), F the prior's CDF
//!    (see [`crate::prior`]): every z is inside the prior's support, so nothing is rejected or
//!    redrawn, and the prior density there is the standard logistic density.
//! 2. **Evaluation** (by the caller). Each proposal carries R = `replications` evaluation seeds;
//!    the caller runs the model once per seed and returns one value per target per run.
//! 3. **Selection with an adaptive tolerance.** The distance of a proposal is
//!    Σ_k w_k ((s̄_k − obs_k) / scale_k)², s̄ the mean of its R runs, w the targets' weights and
//!    scale the tolerance on that side of the observed value. The new proposals compete with the
//!    previous population: of these N + M candidates (M in generation 0), the N = `particles`
//!    with the smallest distances form the new population, ties broken by (generation, index),
//!    which is independent of θ. ε_t is the largest kept distance. This is the adaptive
//!    population Monte Carlo of Lenormand, Jabot and Deffuant (2013) with α = N / (N + M):
//!    ε never rises, and the population is exactly the set of all particles ever proposed with
//!    distance ≤ ε_t. A fixed number of simulations per generation, known in advance, is what
//!    sharding and resumption need. (Keeping the best N of the new proposals alone stalls: ε
//!    cannot fall below the N/M quantile of the proposal distribution's own spread.)
//! 4. **Importance weights.** A new particle's unnormalised weight is π(z) / q_t(z), with
//!    q_t(z) = Σ_j w_j K(z | z_j) the normalised proposal mixture (Beaumont et al. 2009, in z
//!    space); a draw from the prior has weight 1. Both densities are normalised, so particles
//!    from different generations keep their weights and share one scale, and the population is
//!    a weighted sample of π(θ | d ≤ ε_t) whatever the sequence of ε.
//!
//! 5. **Early look** (optional, `[abc.lazy]`; Prangle 2016): from generation 1, the caller
//!    pauses each proposal's first run, reports its year-to-date values, and
//!    [`AbcSmc::early_look`] decides whether it runs on; a stopped proposal has distance ∞, and
//!    one run on after being flagged carries 1/α in its weight (and in the acceptance rate).
//!
//! Stop rules: after `generations` generations; when ε_t ≤ `min_epsilon` (in particular when
//! N proposals match exactly); or when the acceptance rate — the share of a generation's
//! proposals within the previous ε — falls below `min_acceptance` (Lenormand et al. 2013: the
//! population has stopped improving at a useful rate).
//!
//! # Replication noise
//! The default R = 1 is the standard ABC treatment: each proposal is one stochastic draw, and
//! the acceptance step integrates over the model's noise, so the posterior is wide where the
//! noise is large compared with the tolerance. An observed district figure is itself one
//! realisation, which is what a single simulated run is compared with. R > 1 compares the mean
//! of R runs instead: the posterior then targets parameters whose *expected* output matches,
//! which is narrower and is appropriate when the tolerance already stands for the real-world
//! variability (or when the model's noise is much larger than the year-to-year noise of the
//! observation). R multiplies the cost.
//!
//! # Determinism, sharding, resumption
//! A proposal is a pure function of (seed, generation, index, previous population); its
//! evaluation seeds are a pure function of (seed, generation, index, replication). The caller
//! may therefore evaluate proposals in any order, on any number of threads or machines, and over
//! several runs after an interruption: [`AbcSmc::advance`] sorts the evaluations by index, so
//! the next population does not depend on how they were computed. The state ([`AbcSmc`]) is
//! serde-serialisable plain data: checkpoint it after each `advance` (JSON needs serde_json's
//! `float_roundtrip` feature to give back the same floats), and keep finished evaluations of
//! the current generation beside it.
//!
//! # References
//! - Pritchard J K et al. (1999) Population growth of human Y chromosomes: a study of Y
//!   chromosome microsatellites. Mol Biol Evol 16:1791–1798.
//! - Toni T, Welch D, Strelkowa N, Ipsen A, Stumpf M P H (2009) Approximate Bayesian computation
//!   scheme for parameter inference and model selection in dynamical systems. J R Soc Interface
//!   6:187–202.
//! - Beaumont M A, Cornuet J-M, Marin J-M, Robert C P (2009) Adaptive approximate Bayesian
//!   computation. Biometrika 96:983–990.
//! - Del Moral P, Doucet A, Jasra A (2012) An adaptive sequential Monte Carlo method for
//!   approximate Bayesian computation. Stat Comput 22:1009–1020.
//! - Lenormand M, Jabot F, Deffuant G (2013) Adaptive approximate Bayesian computation for
//!   complex models. Comput Stat 28:2777–2796.
//! - Prangle D (2016) Lazy ABC. Stat Comput 26:171–185.

use crate::fit::{csv_text, num};
use crate::prior::{ln_logistic_pdf, logit};
use crate::problem::Problem;
use crate::streams::{open01, stream};
use crate::targets::{AbcSettings, Calibration, Parameter, Target};
use rand::RngExt;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Purpose tags in the stream names: never renumber.
const TAG_PROPOSAL: u64 = 1;
const TAG_EVALUATION: u64 = 2;
const TAG_PREDICTIVE: u64 = 3;
const TAG_PREDICTIVE_EVALUATION: u64 = 4;
const TAG_LAZY: u64 = 5;

/// What an ABC-SMC run needs: the parameters with their priors, the targets, the settings and
/// the master seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbcConfig {
    pub parameters: Vec<Parameter>,
    pub targets: Vec<Target>,
    pub settings: AbcSettings,
    pub seed: u64,
}

impl AbcConfig {
    /// The configuration of a validated targets file; `default_seed` (e.g. the scenario's seed)
    /// is used when the file's `[abc]` table gives none.
    pub fn from_calibration(calibration: &Calibration, default_seed: u64) -> AbcConfig {
        AbcConfig {
            parameters: calibration.parameters.clone(),
            targets: calibration.targets.clone(),
            settings: calibration.abc.clone(),
            seed: calibration.abc.seed.unwrap_or(default_seed),
        }
    }
}

/// One parameter vector to simulate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub generation: u32,
    /// Position in the generation, 0 … M − 1.
    pub index: u32,
    /// Parameter values in [`AbcConfig::parameters`] order, in their own units.
    pub theta: Vec<f64>,
    /// One seed per replication (R of them): run the model once with each.
    pub seeds: Vec<u64>,
}

/// The caller's result for one proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub generation: u32,
    pub index: u32,
    /// `outputs[r][k]`: target k's simulated value in replication r (R rows of one value per
    /// target, in [`AbcConfig::targets`] order). A non-finite value (a failed run, an output
    /// that is undefined in that run) makes the proposal's distance infinite. Empty for a
    /// proposal stopped at its early look.
    pub outputs: Vec<Vec<f64>>,
    /// The early look's verdict, when there was one (see [`AbcSmc::early_look`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early: Option<EarlyLook>,
}

/// What the early look at a proposal decided (lazy ABC, Prangle 2016).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EarlyLook {
    /// The year-to-date distance over the fitted targets that had a year-to-date value.
    pub distance: f64,
    /// The probability with which the proposal was run on: 1 unless it was flagged.
    pub continue_probability: f64,
    /// Stopped there: never simulated to the end, its distance is infinite.
    pub stopped: bool,
}

/// A member of a population.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Particle {
    /// The generation and proposal it came from.
    pub generation: u32,
    pub index: u32,
    pub theta: Vec<f64>,
    /// Transformed coordinates z = logit F(θ), where the kernel works.
    pub z: Vec<f64>,
    /// ln of the unnormalised importance weight π(z) / q(z), prior and proposal density both
    /// normalised (0 for a draw from the prior).
    pub ln_raw_weight: f64,
    /// Importance weight normalised over the population.
    pub weight: f64,
    pub distance: f64,
    /// Simulated target values (mean over the replications).
    pub outputs: Vec<f64>,
    /// The probability with which it was run on after its early look (1 without one); its
    /// raw weight includes the factor 1 / this.
    #[serde(default = "one")]
    pub continue_probability: f64,
}

fn one() -> f64 {
    1.0
}

/// The weighted sample kept at the end of a generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Population {
    pub generation: u32,
    /// Tolerance: the largest distance kept (never above the previous generation's).
    pub epsilon: f64,
    /// Sorted by distance, then generation and proposal index.
    pub particles: Vec<Particle>,
    /// Effective sample size 1 / Σ w².
    pub ess: f64,
    /// Model runs this generation (M × R, less the R − 1 runs not started for each proposal
    /// stopped at its early look).
    pub simulations: usize,
    /// Proposals whose distance was not finite (those stopped early included).
    pub non_finite: usize,
    /// Proposals stopped at their early look.
    #[serde(default)]
    pub stopped_early: usize,
    /// Share of this generation's proposals within the previous tolerance (`None` in
    /// generation 0): Lenormand et al.'s p_acc, which falls towards 0 as the population stops
    /// improving.
    pub acceptance_rate: Option<f64>,
}

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// `generations` generations are done.
    MaxGenerations,
    /// ε fell to `min_epsilon` or below.
    EpsilonReached,
    /// The acceptance rate fell below `min_acceptance`.
    AcceptanceBelowFloor,
}

/// Gaussian perturbation kernel in z space: the lower Cholesky factor L of its covariance
/// (row-major, d × d).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Kernel {
    chol: Vec<f64>,
}

/// The state of an ABC-SMC run: plain data, serde-serialisable, advanced one generation at a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AbcSmc {
    config: AbcConfig,
    /// The generation whose proposals are pending.
    generation: u32,
    history: Vec<Population>,
    kernel: Option<Kernel>,
    stopped: Option<StopReason>,
}

/// Summary of one parameter's posterior.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterSummary {
    pub key: String,
    pub mean: f64,
    pub sd: f64,
    /// Weighted 5 %, 50 % and 95 % quantiles: the median and the 90 % interval.
    pub q05: f64,
    pub median: f64,
    pub q95: f64,
}

/// The posterior after the last finished generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Posterior {
    pub generation: u32,
    pub epsilon: f64,
    pub particles: usize,
    pub ess: f64,
    pub parameters: Vec<ParameterSummary>,
}

/// A posterior-predictive simulation: a particle drawn by weight and the seed to run it with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictiveDraw {
    pub index: u32,
    /// Position of the particle in the last population.
    pub particle: usize,
    pub theta: Vec<f64>,
    pub seed: u64,
}

/// Why an ABC-SMC step was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum AbcError {
    /// The configuration is invalid (every problem, with its key path).
    Config(Vec<Problem>),
    /// The run has stopped; there is no generation to advance.
    Finished(StopReason),
    /// An evaluation belongs to another generation.
    WrongGeneration { index: u32, expected: u32, got: u32 },
    /// An evaluation's index is not a proposal of this generation.
    IndexOutOfRange { index: u32, proposals: usize },
    /// Two evaluations for the same proposal.
    Duplicate { index: u32 },
    /// Some proposals have no evaluation.
    Missing { count: usize, first: u32 },
    /// An evaluation does not have R rows of one value per target.
    Shape { index: u32, message: String },
    /// Fewer finite distances than particles.
    TooFewFinite { finite: usize, needed: usize },
    /// The population's covariance could not be factorised.
    SingularKernel,
}

impl fmt::Display for AbcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AbcError::Config(problems) => {
                write!(f, "invalid calibration settings, {} problem(s):", problems.len())?;
                for p in problems {
                    write!(f, "\n  - {p}")?;
                }
                Ok(())
            }
            AbcError::Finished(r) => write!(f, "the calibration has already stopped ({r:?})"),
            AbcError::WrongGeneration { index, expected, got } => {
                write!(f, "evaluation {index} is for generation {got}, but generation {expected} is pending")
            }
            AbcError::IndexOutOfRange { index, proposals } => {
                write!(f, "evaluation index {index} is outside 0..{proposals}")
            }
            AbcError::Duplicate { index } => write!(f, "proposal {index} was evaluated twice"),
            AbcError::Missing { count, first } => {
                write!(f, "{count} proposal(s) have no evaluation yet (the first is {first})")
            }
            AbcError::Shape { index, message } => write!(f, "evaluation {index}: {message}"),
            AbcError::TooFewFinite { finite, needed } => write!(
                f,
                "only {finite} proposal(s) gave finite outputs for every weighted target; {needed} are needed"
            ),
            AbcError::SingularKernel => write!(f, "the population covariance is singular"),
        }
    }
}

impl std::error::Error for AbcError {}

/// [`distance`] over the weighted targets whose value is finite (the others are left out, not
/// counted as infinite): the distance of a run's year-to-date values, where some targets have
/// none yet. 0 when none has a value.
pub fn partial_distance(targets: &[Target], outputs: &[f64]) -> f64 {
    targets
        .iter()
        .zip(outputs)
        .filter(|(t, v)| t.weight > 0.0 && v.is_finite())
        .map(|(t, &v)| distance(std::slice::from_ref(t), &[v]))
        .sum()
}

/// The weighted squared distance Σ_k w_k ((s_k − obs_k) / scale_k)² between simulated values
/// `outputs` (one per target) and the targets; +∞ when a weighted target's value is not finite.
/// Targets with weight 0 are reported but do not count.
pub fn distance(targets: &[Target], outputs: &[f64]) -> f64 {
    let mut d = 0.0;
    for (t, &s) in targets.iter().zip(outputs) {
        if t.weight == 0.0 {
            continue;
        }
        if !s.is_finite() {
            return f64::INFINITY;
        }
        let r = (s - t.observed) / t.tolerance.scale(t.observed, s);
        d += t.weight * r * r;
    }
    d
}

impl AbcSmc {
    /// Starts a run at generation 0, after checking the priors, the targets and the settings.
    pub fn new(config: AbcConfig) -> Result<AbcSmc, AbcError> {
        let mut problems = config.settings.check(config.parameters.len());
        if config.parameters.is_empty() {
            problems.push(Problem {
                key: "parameter".into(),
                message: "at least one parameter is needed".into(),
            });
        }
        for (i, p) in config.parameters.iter().enumerate() {
            if let Err(m) = p.prior.check() {
                problems.push(Problem { key: format!("parameter[{i}].prior"), message: m });
            }
        }
        for (i, t) in config.targets.iter().enumerate() {
            let o = t.observed;
            let scales = [t.tolerance.scale(o, o - 1.0), t.tolerance.scale(o, o + 1.0)];
            if !o.is_finite() || scales.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
                problems.push(Problem {
                    key: format!("target[{i}]"),
                    message: format!(
                        "needs a finite observed value and a tolerance > 0 on both sides, got observed {o}, \
                         tolerance {}",
                        t.tolerance.describe()
                    ),
                });
            }
            if !(t.weight.is_finite() && t.weight >= 0.0) {
                problems.push(Problem {
                    key: format!("target[{i}].weight"),
                    message: format!("must be a finite number ≥ 0, got {}", t.weight),
                });
            }
        }
        if !config.targets.iter().any(|t| t.weight > 0.0) {
            problems.push(Problem {
                key: "target".into(),
                message: "at least one target with weight > 0 is needed".into(),
            });
        }
        if !problems.is_empty() {
            return Err(AbcError::Config(problems));
        }
        Ok(AbcSmc { config, generation: 0, history: Vec::new(), kernel: None, stopped: None })
    }

    pub fn config(&self) -> &AbcConfig {
        &self.config
    }

    /// The generation whose proposals are pending (or the next one, once stopped).
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// `Some(reason)` once the run has stopped.
    pub fn stopped(&self) -> Option<StopReason> {
        self.stopped
    }

    /// Every finished generation's population, oldest first.
    pub fn history(&self) -> &[Population] {
        &self.history
    }

    /// The last finished population.
    pub fn population(&self) -> Option<&Population> {
        self.history.last()
    }

    /// Number of proposals per generation (M).
    pub fn proposals_per_generation(&self) -> usize {
        self.config.settings.simulations_per_generation
    }

    /// Every proposal of the pending generation (empty once stopped).
    pub fn proposals(&self) -> Vec<Proposal> {
        if self.stopped.is_some() {
            return Vec::new();
        }
        let cum = self.cumulative_weights();
        (0..self.proposals_per_generation() as u32).map(|i| self.draw(i, &cum).0).collect()
    }

    /// The proposals of shard `shard` of `shards` (indices ≡ shard mod shards).
    pub fn proposals_for_shard(&self, shard: usize, shards: usize) -> Vec<Proposal> {
        assert!(shards > 0 && shard < shards, "shard {shard} of {shards}");
        let mut all = self.proposals();
        all.retain(|p| p.index as usize % shards == shard);
        all
    }

    /// Proposal `index` of the pending generation (the same as `proposals()[index]`).
    pub fn proposal(&self, index: u32) -> Proposal {
        assert!((index as usize) < self.proposals_per_generation(), "proposal {index} out of range");
        self.draw(index, &self.cumulative_weights()).0
    }

    fn cumulative_weights(&self) -> Vec<f64> {
        let mut acc = 0.0;
        self.population()
            .map(|p| {
                p.particles
                    .iter()
                    .map(|q| {
                        acc += q.weight;
                        acc
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The proposal and its z coordinates.
    fn draw(&self, index: u32, cum: &[f64]) -> (Proposal, Vec<f64>) {
        let t = self.generation;
        let seed = self.config.seed;
        let mut rng = stream(&[seed, TAG_PROPOSAL, u64::from(t), u64::from(index)]);
        let d = self.config.parameters.len();
        let z: Vec<f64> = match (self.population(), &self.kernel) {
            (Some(pop), Some(kernel)) => {
                let u = open01(&mut rng) * cum[cum.len() - 1];
                let j = cum.partition_point(|&c| c < u).min(cum.len() - 1);
                let parent = &pop.particles[j].z;
                let e: Vec<f64> = (0..d).map(|_| rng.sample(StandardNormal)).collect();
                (0..d)
                    .map(|a| parent[a] + (0..=a).map(|b| kernel.chol[a * d + b] * e[b]).sum::<f64>())
                    .collect()
            }
            _ => (0..d).map(|_| logit(open01(&mut rng))).collect(),
        };
        let theta = self.config.parameters.iter().zip(&z).map(|(p, &z)| p.prior.from_z(z)).collect();
        let seeds = (0..u64::from(self.config.settings.replications))
            .map(|r| crate::streams::hash_words(&[seed, TAG_EVALUATION, u64::from(t), u64::from(index), r]))
            .collect();
        (Proposal { generation: t, index, theta, seeds }, z)
    }

    /// The recorded day of the early look at each proposal of the pending generation (lazy ABC,
    /// the `[abc.lazy]` settings): `None` when there is none, which is always so in generation
    /// 0, where no tolerance exists yet to compare with.
    pub fn early_look_day(&self) -> Option<u32> {
        let lazy = self.config.settings.lazy?;
        self.population().map(|_| lazy.check_day)
    }

    /// The early look at proposal `index` of the pending generation, given the year-to-date
    /// values of its first run (one per target, NaN where a target has none): `None` when
    /// [`early_look_day`](Self::early_look_day) is. The rule (Prangle 2016, "Lazy ABC"):
    /// the proposal is flagged when its year-to-date distance — [`partial_distance`], over the
    /// weighted targets that have a value — exceeds `factor` × the previous tolerance ε. A
    /// flagged proposal is run on with probability `continue_probability` = α, decided by a
    /// uniform draw from its own stream, and stopped otherwise. A proposal stopped has
    /// distance ∞; one run on after being flagged has its importance weight multiplied by
    /// 1/α. The expected weight a proposal contributes to the population is then what it
    /// would be without the look, for any factor and any α > 0, so the population is a
    /// weighted sample of the same ABC posterior; the settings change only the cost and how
    /// uneven the weights are (Prangle 2016, Theorem 1, for ABC importance sampling; each generation's
    /// new proposals here are an importance sample from q_t, to which the same argument applies).
    pub fn early_look(&self, index: u32, year_to_date: &[f64]) -> Option<EarlyLook> {
        self.verdict(index, partial_distance(&self.config.targets, year_to_date))
    }

    fn verdict(&self, index: u32, distance: f64) -> Option<EarlyLook> {
        let lazy = self.config.settings.lazy?;
        let epsilon = self.population()?.epsilon;
        if distance.is_nan() || distance <= lazy.factor * epsilon {
            return Some(EarlyLook { distance, continue_probability: 1.0, stopped: false });
        }
        let mut rng = stream(&[self.config.seed, TAG_LAZY, u64::from(self.generation), u64::from(index)]);
        let u = open01(&mut rng);
        let alpha = lazy.continue_probability;
        Some(EarlyLook { distance, continue_probability: alpha, stopped: u >= alpha })
    }

    /// Consumes the evaluations of every proposal of the pending generation (in any order) and
    /// makes the next population. Returns the new population; on error the state is unchanged.
    pub fn advance(&mut self, evaluations: &[Evaluation]) -> Result<&Population, AbcError> {
        if let Some(r) = self.stopped {
            return Err(AbcError::Finished(r));
        }
        let t = self.generation;
        let m = self.proposals_per_generation();
        let reps = self.config.settings.replications as usize;
        let nt = self.config.targets.len();
        let mut slots: Vec<Option<&Evaluation>> = vec![None; m];
        for e in evaluations {
            if e.generation != t {
                return Err(AbcError::WrongGeneration { index: e.index, expected: t, got: e.generation });
            }
            let slot = slots
                .get_mut(e.index as usize)
                .ok_or(AbcError::IndexOutOfRange { index: e.index, proposals: m })?;
            if slot.is_some() {
                return Err(AbcError::Duplicate { index: e.index });
            }
            let expected = self.verdict(e.index, e.early.map_or(f64::NAN, |l| l.distance));
            if e.early != expected {
                return Err(AbcError::Shape {
                    index: e.index,
                    message: format!(
                        "its early look ({:?}) is not the one this calibration's settings give ({expected:?})",
                        e.early
                    ),
                });
            }
            let stopped = e.early.is_some_and(|l| l.stopped);
            if stopped && !e.outputs.is_empty() {
                return Err(AbcError::Shape {
                    index: e.index,
                    message: "stopped at its early look, yet it has outputs".into(),
                });
            }
            if !stopped && (e.outputs.len() != reps || e.outputs.iter().any(|row| row.len() != nt)) {
                return Err(AbcError::Shape {
                    index: e.index,
                    message: format!(
                        "expected {reps} replication row(s) of {nt} target value(s), got rows of lengths {:?}",
                        e.outputs.iter().map(Vec::len).collect::<Vec<_>>()
                    ),
                });
            }
            *slot = Some(e);
        }
        let missing: Vec<usize> = (0..m).filter(|&i| slots[i].is_none()).collect();
        if let Some(&first) = missing.first() {
            return Err(AbcError::Missing { count: missing.len(), first: first as u32 });
        }

        // Proposals are recomputed rather than taken from the caller: they are a pure function
        // of the state, and the evaluations only carry outputs.
        let cum = self.cumulative_weights();
        let fresh: Vec<Particle> = (0..m)
            .map(|i| {
                let (p, z) = self.draw(i as u32, &cum);
                let e = slots[i].expect("checked above");
                let rows = &e.outputs;
                let stopped = e.early.is_some_and(|l| l.stopped);
                let continue_probability = e.early.map_or(1.0, |l| l.continue_probability);
                let (outputs, distance) = if stopped {
                    (vec![f64::NAN; nt], f64::INFINITY)
                } else {
                    let outputs: Vec<f64> =
                        (0..nt).map(|k| rows.iter().map(|r| r[k]).sum::<f64>() / reps as f64).collect();
                    let d = distance(&self.config.targets, &outputs);
                    (outputs, d)
                };
                Particle {
                    generation: t,
                    index: p.index,
                    theta: p.theta,
                    z,
                    ln_raw_weight: -continue_probability.ln(),
                    weight: 0.0,
                    distance,
                    outputs,
                    continue_probability,
                }
            })
            .collect();
        let n = self.config.settings.particles;
        let non_finite = fresh.iter().filter(|c| !c.distance.is_finite()).count();
        let stopped_early =
            slots.iter().filter(|e| e.is_some_and(|e| e.early.is_some_and(|l| l.stopped))).count();
        let previous = self.population();
        let previous_epsilon = previous.map(|p| p.epsilon);
        // A proposal run on after being flagged stands for 1/α proposals, as in its weight.
        let acceptance_rate = previous_epsilon.map(|e| {
            fresh.iter().filter(|c| c.distance <= e).map(|c| 1.0 / c.continue_probability).sum::<f64>()
                / m as f64
        });

        // The previous population competes with the new proposals (Lenormand et al. 2013): the
        // tolerance can only fall, and a particle leaves only when N better ones exist.
        let mut candidates: Vec<Particle> = previous.map(|p| p.particles.clone()).unwrap_or_default();
        candidates.extend(fresh);
        let finite = candidates.iter().filter(|c| c.distance.is_finite()).count();
        if finite < n {
            return Err(AbcError::TooFewFinite { finite, needed: n });
        }
        candidates.sort_by(|a, b| {
            a.distance
                .total_cmp(&b.distance)
                .then(a.generation.cmp(&b.generation))
                .then(a.index.cmp(&b.index))
        });
        candidates.truncate(n);
        let epsilon = candidates[n - 1].distance;

        // Importance weights of this generation's survivors: prior over proposal density, both
        // normalised, so that they share a scale with the weights of earlier generations.
        if let (Some(prev), Some(kernel)) = (previous, &self.kernel) {
            let d = self.config.parameters.len();
            for c in candidates.iter_mut().filter(|c| c.generation == t) {
                let ln_prior: f64 = c.z.iter().map(|&v| ln_logistic_pdf(v)).sum();
                let terms: Vec<f64> =
                    prev.particles.iter().map(|q| q.weight.ln() + kernel.ln_density(&c.z, &q.z, d)).collect();
                c.ln_raw_weight = ln_prior - log_sum_exp(&terms) - c.continue_probability.ln();
            }
        }
        let max = candidates.iter().map(|c| c.ln_raw_weight).fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = candidates.iter().map(|c| (c.ln_raw_weight - max).exp()).sum();
        for c in &mut candidates {
            c.weight = (c.ln_raw_weight - max).exp() / total;
        }
        let ess = 1.0 / candidates.iter().map(|p| p.weight * p.weight).sum::<f64>();
        let kernel = Kernel::from_population(&candidates, self.config.settings.kernel_scale)?;
        let population = Population {
            generation: t,
            epsilon,
            particles: candidates,
            ess,
            simulations: (m - stopped_early) * reps + stopped_early,
            non_finite,
            stopped_early,
            acceptance_rate,
        };

        let s = &self.config.settings;
        self.stopped = if epsilon <= s.min_epsilon {
            Some(StopReason::EpsilonReached)
        } else if acceptance_rate.is_some_and(|a| a < s.min_acceptance) {
            Some(StopReason::AcceptanceBelowFloor)
        } else if t + 1 >= s.generations {
            Some(StopReason::MaxGenerations)
        } else {
            None
        };
        self.kernel = Some(kernel);
        self.history.push(population);
        self.generation += 1;
        Ok(self.history.last().expect("just pushed"))
    }

    /// Weighted posterior mean, SD, median and 90 % interval of every parameter, from the last
    /// finished population.
    pub fn posterior(&self) -> Option<Posterior> {
        let pop = self.population()?;
        let parameters = self
            .config
            .parameters
            .iter()
            .enumerate()
            .map(|(k, p)| {
                let mut vw: Vec<(f64, f64)> = pop.particles.iter().map(|q| (q.theta[k], q.weight)).collect();
                let mean: f64 = vw.iter().map(|(v, w)| v * w).sum();
                let var: f64 = vw.iter().map(|(v, w)| w * (v - mean).powi(2)).sum();
                vw.sort_by(|a, b| a.0.total_cmp(&b.0));
                ParameterSummary {
                    key: p.key.clone(),
                    mean,
                    sd: var.sqrt(),
                    q05: weighted_quantile(&vw, 0.05),
                    median: weighted_quantile(&vw, 0.5),
                    q95: weighted_quantile(&vw, 0.95),
                }
            })
            .collect();
        Some(Posterior {
            generation: pop.generation,
            epsilon: pop.epsilon,
            particles: pop.particles.len(),
            ess: pop.ess,
            parameters,
        })
    }

    /// `count` posterior-predictive simulations: particles of the last population drawn by
    /// weight (systematic resampling, which keeps the draw close to the weights), each with a
    /// seed of its own. Run the model once per draw and pass the outputs to
    /// [`crate::fit::fit_report`]. Empty before the first generation is finished.
    pub fn predictive_draws(&self, count: usize) -> Vec<PredictiveDraw> {
        let Some(pop) = self.population() else { return Vec::new() };
        let seed = self.config.seed;
        let mut rng = stream(&[seed, TAG_PREDICTIVE]);
        let start = open01(&mut rng);
        let mut j = 0;
        let mut acc = pop.particles[0].weight;
        (0..count)
            .map(|i| {
                let u = (i as f64 + start) / count as f64;
                while acc < u && j + 1 < pop.particles.len() {
                    j += 1;
                    acc += pop.particles[j].weight;
                }
                PredictiveDraw {
                    index: i as u32,
                    particle: j,
                    theta: pop.particles[j].theta.clone(),
                    seed: crate::streams::hash_words(&[seed, TAG_PREDICTIVE_EVALUATION, i as u64]),
                }
            })
            .collect()
    }
}

impl AbcSmc {
    /// The weighted posterior sample (the last population) as CSV: `generation, index, weight,
    /// distance`, one column per parameter (named by its key), then one per target
    /// (`sim:` + its name) with the particle's simulated value. Empty before the first generation.
    pub fn posterior_sample_csv(&self) -> String {
        let Some(pop) = self.population() else { return String::new() };
        let mut header = vec!["generation".to_string(), "index".into(), "weight".into(), "distance".into()];
        header.extend(self.config.parameters.iter().map(|p| csv_text(&p.key)));
        header.extend(self.config.targets.iter().map(|t| csv_text(&format!("sim:{}", t.name))));
        let mut s = header.join(",") + "\n";
        for q in &pop.particles {
            let mut row = vec![q.generation.to_string(), q.index.to_string(), num(q.weight), num(q.distance)];
            row.extend(q.theta.iter().chain(&q.outputs).map(|&v| num(v)));
            s.push_str(&row.join(","));
            s.push('\n');
        }
        s
    }
}

impl Posterior {
    /// CSV: `key, mean, sd, q05, median, q95`, one row per parameter.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("key,mean,sd,q05,median,q95\n");
        for p in &self.parameters {
            let cells = [csv_text(&p.key), num(p.mean), num(p.sd), num(p.q05), num(p.median), num(p.q95)];
            s.push_str(&cells.join(","));
            s.push('\n');
        }
        s
    }

    /// A Markdown table with a line on the population it summarises.
    pub fn to_markdown(&self) -> String {
        let mut s =
            String::from("| parameter | mean | SD | median | 90 % interval |\n|---|---:|---:|---:|---|\n");
        for p in &self.parameters {
            s.push_str(&format!(
                "| {} | {:.4} | {:.4} | {:.4} | [{:.4}, {:.4}] |\n",
                p.key, p.mean, p.sd, p.median, p.q05, p.q95
            ));
        }
        s.push_str(&format!(
            "\nGeneration {}: {} particles, effective sample size {:.0}, tolerance ε = {:.4}.\n",
            self.generation, self.particles, self.ess, self.epsilon
        ));
        s
    }
}

impl Kernel {
    /// Covariance `scale` × the weighted covariance of the particles' z, factorised. A tiny
    /// ridge is added only if the factorisation fails (particles equal in some coordinate).
    fn from_population(particles: &[Particle], scale: f64) -> Result<Kernel, AbcError> {
        let d = particles[0].z.len();
        let mean: Vec<f64> = (0..d).map(|a| particles.iter().map(|p| p.weight * p.z[a]).sum()).collect();
        let mut cov = vec![0.0; d * d];
        for p in particles {
            for a in 0..d {
                for b in 0..=a {
                    cov[a * d + b] += scale * p.weight * (p.z[a] - mean[a]) * (p.z[b] - mean[b]);
                }
            }
        }
        let trace: f64 = (0..d).map(|a| cov[a * d + a]).sum::<f64>() / d as f64;
        let mut ridge = 0.0;
        for _ in 0..12 {
            let mut c = cov.clone();
            for a in 0..d {
                c[a * d + a] += ridge;
            }
            if let Some(chol) = cholesky(&c, d) {
                return Ok(Kernel { chol });
            }
            ridge = if ridge == 0.0 { 1e-12 * trace.max(f64::MIN_POSITIVE) } else { ridge * 100.0 };
        }
        Err(AbcError::SingularKernel)
    }

    /// ln N(x − y; 0, LLᵀ).
    fn ln_density(&self, x: &[f64], y: &[f64], d: usize) -> f64 {
        let l = &self.chol;
        let mut v = vec![0.0; d];
        let mut q = 0.0;
        let mut ln_det = 0.0;
        for a in 0..d {
            let s: f64 = (0..a).map(|b| l[a * d + b] * v[b]).sum();
            v[a] = (x[a] - y[a] - s) / l[a * d + a];
            q += v[a] * v[a];
            ln_det += l[a * d + a].ln();
        }
        -0.5 * q - ln_det - 0.5 * d as f64 * (2.0 * std::f64::consts::PI).ln()
    }
}

/// Lower Cholesky factor of a symmetric positive-definite matrix given by its lower triangle
/// (row-major d × d), or `None` if it is not positive definite.
fn cholesky(m: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for a in 0..d {
        for b in 0..=a {
            let s: f64 = (0..b).map(|k| l[a * d + k] * l[b * d + k]).sum();
            if a == b {
                let v = m[a * d + a] - s;
                if !(v > 0.0 && v.is_finite()) {
                    return None;
                }
                l[a * d + a] = v.sqrt();
            } else {
                l[a * d + b] = (m[a * d + b] - s) / l[b * d + b];
            }
        }
    }
    Some(l)
}

fn log_sum_exp(v: &[f64]) -> f64 {
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + v.iter().map(|x| (x - max).exp()).sum::<f64>().ln()
}

/// Quantile `p` of a weighted sample sorted by value, weights summing to 1: the weighted
/// empirical CDF is interpolated linearly between the mid-points of each value's weight (for
/// equal weights this is Hyndman and Fan's type 5).
pub fn weighted_quantile(sorted: &[(f64, f64)], p: f64) -> f64 {
    let total: f64 = sorted.iter().map(|(_, w)| w).sum();
    let mut acc = 0.0;
    let mut prev: Option<(f64, f64)> = None;
    for &(v, w) in sorted {
        let mid = (acc + w / 2.0) / total;
        acc += w;
        if mid >= p {
            return match prev {
                None => v,
                Some((pv, pm)) if mid > pm => pv + (v - pv) * (p - pm) / (mid - pm),
                Some(_) => v,
            };
        }
        prev = Some((v, mid));
    }
    sorted.last().map_or(f64::NAN, |x| x.0)
}

#[cfg(test)]
mod tests;
