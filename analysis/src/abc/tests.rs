//! ABC-SMC tests: recovery of known posteriors on toy stochastic simulators, importance weights,
//! determinism (order, batching, checkpoints), and refusal of bad input. Every statistical
//! tolerance is a multiple of a standard error computed from the run's own effective sample size,
//! and the seeds are fixed.

use super::*;
use crate::prior::Prior;
use crate::streams::stream;
use crate::targets::{AbcSettings, Parameter, Target, Tolerance};
use rand_distr::{Distribution, Poisson};

fn target(name: &str, observed: f64, tolerance: f64) -> Target {
    Target {
        name: name.into(),
        output: name.into(),
        breakdown: None,
        observed,
        tolerance: Tolerance::Absolute { value: tolerance },
        weight: 1.0,
        window: None,
        source: "test".into(),
        definition: "test".into(),
        compare_with: None,
    }
}

fn parameter(key: &str, prior: Prior) -> Parameter {
    Parameter { key: key.into(), prior, note: String::new() }
}

fn settings(particles: usize, m: usize, generations: u32) -> AbcSettings {
    AbcSettings { particles, simulations_per_generation: m, generations, ..AbcSettings::default() }
}

/// Runs ABC-SMC to the end with `sim(theta, seed) -> outputs`, evaluating in index order.
fn run(abc: &mut AbcSmc, sim: impl Fn(&[f64], u64) -> Vec<f64>) {
    while abc.stopped().is_none() {
        let evals: Vec<Evaluation> = abc.proposals().iter().map(|p| evaluate(p, &sim)).collect();
        abc.advance(&evals).unwrap();
    }
}

fn evaluate(p: &Proposal, sim: impl Fn(&[f64], u64) -> Vec<f64>) -> Evaluation {
    Evaluation {
        generation: p.generation,
        index: p.index,
        outputs: p.seeds.iter().map(|&s| sim(&p.theta, s)).collect(),
        early: None,
    }
}

/// The sample mean of n = 10 draws of Normal(μ, 1), drawn directly as μ + Z/√10.
fn normal_mean_sim(theta: &[f64], seed: u64) -> Vec<f64> {
    let z: f64 = stream(&[seed]).sample(StandardNormal);
    vec![theta[0] + z / 10f64.sqrt()]
}

/// Normal mean with a flat prior: the exact posterior is Normal(s_obs, 1/n). ABC with tolerance
/// h = tolerance·√ε accepts |s − s_obs| ≤ h, which convolves it with Uniform(−h, h): the ABC
/// posterior has mean s_obs and variance 1/n + h²/3.
#[test]
fn recovers_the_conjugate_normal_mean() {
    let mu_true = 1.0;
    let s_obs = normal_mean_sim(&[mu_true], 12_345)[0];
    let config = AbcConfig {
        parameters: vec![parameter("mu", Prior::Uniform { lo: -5.0, hi: 5.0 })],
        targets: vec![target("mean", s_obs, 0.1)],
        settings: settings(400, 2000, 6),
        seed: 7,
    };
    let mut abc = AbcSmc::new(config).unwrap();
    run(&mut abc, normal_mean_sim);
    assert_eq!(abc.stopped(), Some(StopReason::MaxGenerations));
    let post = abc.posterior().unwrap();
    let p = &post.parameters[0];
    let h = 0.1 * post.epsilon.sqrt();
    let sd_abc = (0.1 + h * h / 3.0).sqrt();
    // Importance-sampling standard errors from the effective sample size: SE(mean) = sd/√ESS,
    // SE(sd) ≈ sd/√(2 ESS) for a near-normal posterior. Four of them each side.
    let se_mean = sd_abc / post.ess.sqrt();
    let se_sd = sd_abc / (2.0 * post.ess).sqrt();
    assert!(post.ess > 100.0, "ESS {} too small to test", post.ess);
    assert!((p.mean - s_obs).abs() < 4.0 * se_mean, "mean {} vs {s_obs} (SE {se_mean})", p.mean);
    assert!((p.sd - sd_abc).abs() < 4.0 * se_sd, "sd {} vs {sd_abc} (SE {se_sd})", p.sd);
    // The 90 % interval holds the true value (it does for 90 % of observed data sets; this one,
    // s_obs − μ = {s_obs − 1}, is well inside) and has about the width of ±1.645 SD.
    assert!(p.q05 < mu_true && mu_true < p.q95, "{mu_true} outside [{}, {}]", p.q05, p.q95);
    let width = p.q95 - p.q05;
    assert!((width - 2.0 * 1.645 * sd_abc).abs() < 4.0 * 2.0 * 1.645 * se_sd, "90 % width {width}");
    // The tolerance shrinks every generation here (the posterior is far narrower than the prior).
    let eps: Vec<f64> = abc.history().iter().map(|g| g.epsilon).collect();
    assert!(eps.windows(2).all(|w| w[1] < w[0]), "{eps:?}");
}

/// The normal-mean model above as lazy ABC sees it: the full run gives the sample mean of
/// n = 10 draws (as [`normal_mean_sim`]), and the early look a separate noisy reading of μ,
/// μ + 0.3 e, e independent of the full run's noise. Given the full run's value, the look still
/// depends on μ, so a rule that stopped flagged proposals without reweighting would thin the
/// posterior's tails (a look that is a part of the full run's own data would not: given the
/// final mean, a half-sample's deviation from it does not depend on μ).
fn normal_mean_with_look(theta: &[f64], seed: u64) -> (f64, f64) {
    let full = normal_mean_sim(theta, seed)[0];
    let e: f64 = stream(&[seed, 1]).sample(StandardNormal);
    (theta[0] + 0.15 * e, full)
}

/// Runs ABC-SMC to the end with an early look at every proposal: `sim` gives (the value the
/// look sees, the full run's value).
fn run_lazy(abc: &mut AbcSmc, sim: impl Fn(&[f64], u64) -> (f64, f64)) -> usize {
    let mut looks = 0;
    while abc.stopped().is_none() {
        let evals: Vec<Evaluation> = abc
            .proposals()
            .iter()
            .map(|p| {
                let (early_value, full) = sim(&p.theta, p.seeds[0]);
                let early = abc.early_look_day().map(|_| abc.early_look(p.index, &[early_value]).unwrap());
                looks += usize::from(early.is_some());
                let stopped = early.is_some_and(|l| l.stopped);
                Evaluation {
                    generation: p.generation,
                    index: p.index,
                    outputs: if stopped { Vec::new() } else { vec![vec![full]] },
                    early,
                }
            })
            .collect();
        abc.advance(&evals).unwrap();
    }
    looks
}

/// Lazy ABC keeps the posterior: on the normal-mean model, proposals whose early reading lies
/// beyond factor × ε (factor 4) are stopped with probability 1 − α = 0.9, and the ones run on
/// carry weight 1/α. The population must still be the ABC posterior, mean s_obs and variance
/// 1/n + h²/3 (within 4 SE from its ESS), while most flagged proposals are never finished.
/// Whether a proposal is flagged depends on μ here (the flag sits at |reading − s_obs| ≈ 0.12
/// in the last generations, the posterior SD is 0.32), so the weights matter: when this test was
/// written, leaving out the 1/α factor gave SD 0.278 against 0.318 (SE 0.0066, 6 SE short),
/// and with it the SD was 0.333 (SE 0.0086, 1.7 SE) and the mean 0.802 (SE 0.012).
#[test]
fn lazy_abc_stops_hopeless_proposals_and_keeps_the_posterior() {
    let s_obs = 0.8;
    let mut s = settings(2000, 8000, 6);
    s.lazy = Some(crate::targets::LazySettings { check_day: 1, factor: 4.0, continue_probability: 0.1 });
    let config = AbcConfig {
        parameters: vec![parameter("mu", Prior::Uniform { lo: -5.0, hi: 5.0 })],
        targets: vec![target("mean", s_obs, 0.1)],
        settings: s,
        seed: 9,
    };
    let mut abc = AbcSmc::new(config).unwrap();
    let looks = run_lazy(&mut abc, normal_mean_with_look);
    // Generation 0 has no tolerance to compare with: no look there.
    assert_eq!(looks, 5 * 8000);
    assert_eq!(abc.history()[0].stopped_early, 0);
    let stopped: usize = abc.history().iter().map(|g| g.stopped_early).sum();
    assert!(stopped > 8000, "only {stopped} of 40,000 looked-at proposals stopped");
    // R = 1: a stopped proposal counts its one partial run.
    assert!(abc.history().iter().all(|g| g.simulations == 8000));
    let post = abc.posterior().unwrap();
    let p = &post.parameters[0];
    let h = 0.1 * post.epsilon.sqrt();
    let sd_abc = (0.1 + h * h / 3.0).sqrt();
    assert!(post.ess > 100.0, "ESS {}", post.ess);
    let se_mean = sd_abc / post.ess.sqrt();
    let se_sd = sd_abc / (2.0 * post.ess).sqrt();
    assert!((p.mean - s_obs).abs() < 4.0 * se_mean, "mean {} vs {s_obs} (SE {se_mean})", p.mean);
    assert!((p.sd - sd_abc).abs() < 4.0 * se_sd, "sd {} vs {sd_abc} (SE {se_sd})", p.sd);
}

/// Without the 1/α factor the same run would be biased: the flagged proposals that are run on
/// are those whose half-data mean lies far out, so dropping most of them without reweighting
/// thins the posterior's tails. This checks that the factor is applied — a particle run on after
/// being flagged carries 1/α in its raw weight — and that an evaluation whose early look
/// disagrees with the settings is refused.
#[test]
fn a_flagged_particle_carries_one_over_alpha_and_looks_are_checked() {
    let mut s = settings(50, 200, 3);
    s.lazy = Some(crate::targets::LazySettings { check_day: 10, factor: 1.0, continue_probability: 0.25 });
    let config = AbcConfig {
        parameters: vec![parameter("mu", Prior::Uniform { lo: -5.0, hi: 5.0 })],
        targets: vec![target("mean", 0.0, 0.1)],
        settings: s,
        seed: 10,
    };
    let mut lazy = AbcSmc::new(config).unwrap();
    // Generation 0 has no look; generation 1 refuses evaluations without one.
    assert_eq!(lazy.early_look_day(), None);
    let evals: Vec<Evaluation> = lazy.proposals().iter().map(|p| evaluate(p, normal_mean_sim)).collect();
    lazy.advance(&evals).unwrap();
    assert_eq!(lazy.early_look_day(), Some(10));
    let without: Vec<Evaluation> = lazy.proposals().iter().map(|p| evaluate(p, normal_mean_sim)).collect();
    assert!(matches!(lazy.clone().advance(&without), Err(AbcError::Shape { .. })));
    let eps = lazy.population().unwrap().epsilon;
    // Far beyond ε: flagged; near 0: not flagged.
    let far = lazy.early_look(0, &[5.0]).unwrap();
    assert!(far.distance > eps && far.continue_probability == 0.25);
    let near = lazy.early_look(0, &[0.0]).unwrap();
    assert_eq!((near.continue_probability, near.stopped), (1.0, false));
    // A look that claims to have stopped when the settings say it runs on is refused.
    let mut bad = without.clone();
    for e in &mut bad {
        e.early = Some(EarlyLook { distance: 0.0, continue_probability: 1.0, stopped: true });
        e.outputs.clear();
    }
    assert!(matches!(lazy.clone().advance(&bad), Err(AbcError::Shape { .. })));
    // Every proposal looked at as far beyond ε: each is stopped or run on by its own draw, and
    // a particle run on has the raw weight it would have without the look, plus ln(1/α) = ln 4.
    let looked: Vec<Evaluation> = without
        .iter()
        .map(|e| {
            let look = lazy.early_look(e.index, &[5.0]).unwrap();
            let outputs = if look.stopped { Vec::new() } else { e.outputs.clone() };
            Evaluation { outputs, early: Some(look), ..e.clone() }
        })
        .collect();
    let stopped = looked.iter().filter(|e| e.early.unwrap().stopped).count();
    // α = 0.25 of 200: 50 expected run on, SD √(200·0.25·0.75) = 6.1; 4 SD each side.
    assert!((200 - stopped).abs_diff(50) < 25, "{} of 200 run on", 200 - stopped);
    let mut plain = lazy.clone();
    plain.config.settings.lazy = None;
    let with_look = lazy.clone().advance(&looked).unwrap().clone();
    let no_look = plain.advance(&without).unwrap().clone();
    let mut compared = 0;
    for q in with_look.particles.iter().filter(|q| q.generation == 1) {
        assert_eq!(q.continue_probability, 0.25);
        // Kept by both (the stopped proposals free places that others take in this one).
        let Some(r) = no_look.particles.iter().find(|r| (r.generation, r.index) == (1, q.index)) else {
            continue;
        };
        assert!((q.ln_raw_weight - r.ln_raw_weight - 4f64.ln()).abs() < 1e-12);
        compared += 1;
    }
    assert!(compared > 0, "no flagged particle survived to compare");
    assert_eq!(with_look.stopped_early, stopped);
}

/// With R = 4 replications averaged per proposal, the distance compares the mean of four runs,
/// whose noise variance is 0.1/4: the posterior targets the parameter whose *expected* output
/// matches, with variance 0.1/4 + h²/3 (half the SD of the R = 1 posterior above).
#[test]
fn averaging_replications_narrows_the_posterior_to_the_expected_output() {
    let s_obs = 0.8;
    let mut s = settings(400, 2000, 6);
    s.replications = 4;
    let config = AbcConfig {
        parameters: vec![parameter("mu", Prior::Uniform { lo: -5.0, hi: 5.0 })],
        targets: vec![target("mean", s_obs, 0.1)],
        settings: s,
        seed: 8,
    };
    let mut abc = AbcSmc::new(config).unwrap();
    run(&mut abc, normal_mean_sim);
    let post = abc.posterior().unwrap();
    let p = &post.parameters[0];
    let h = 0.1 * post.epsilon.sqrt();
    let sd_abc = (0.1 / 4.0 + h * h / 3.0).sqrt();
    assert!(post.ess > 100.0, "ESS {}", post.ess);
    let se_mean = sd_abc / post.ess.sqrt();
    let se_sd = sd_abc / (2.0 * post.ess).sqrt();
    assert!((p.mean - s_obs).abs() < 4.0 * se_mean, "mean {} vs {s_obs} (SE {se_mean})", p.mean);
    assert!((p.sd - sd_abc).abs() < 4.0 * se_sd, "sd {} vs {sd_abc} (SE {se_sd})", p.sd);
    assert_eq!(abc.history()[0].simulations, 8000);
}

/// Counts over 20 days: T1 ~ Poisson(20a), T2 ~ Poisson(20ab), with log-uniform priors on a and
/// b (density ∝ 1/a, 1/b). In (a, λ₂ = ab) the prior is ∝ 1/(a λ₂), so the exact posterior is
/// a ~ Gamma(T1, rate 20) and λ₂ ~ Gamma(T2, rate 20), independent: E[a] = T1/20,
/// SD(a) = √T1/20, E[b] = E[λ₂]E[1/a] = T2/(T1 − 1),
/// E[b²] = T2(T2 + 1)/((T1 − 1)(T1 − 2)). The prior bounds cut off nothing of consequence.
#[test]
fn recovers_a_two_parameter_poisson_gamma_model() {
    fn sim(theta: &[f64], seed: u64) -> Vec<f64> {
        let mut rng = stream(&[seed]);
        let (a, b) = (theta[0], theta[1]);
        vec![
            Poisson::new(20.0 * a).unwrap().sample(&mut rng),
            Poisson::new(20.0 * a * b).unwrap().sample(&mut rng),
        ]
    }
    // Targets from the model at known values: the expected counts 20a = 60 and 20ab = 30 (what
    // averaging many replications at the truth gives), so that the truth sits near the centre
    // of the exact posterior and "inside the 90 % interval" tests the method, not the luck of
    // one noisy data set.
    let truth = [3.0, 0.5];
    let obs = [20.0 * truth[0], 20.0 * truth[0] * truth[1]];
    let (t1, t2) = (obs[0], obs[1]);
    let config = AbcConfig {
        parameters: vec![
            parameter("a", Prior::LogUniform { lo: 0.1, hi: 100.0 }),
            parameter("b", Prior::LogUniform { lo: 0.01, hi: 10.0 }),
        ],
        targets: vec![target("T1", t1, 2.0), target("T2", t2, 2.0)],
        settings: settings(400, 2000, 16),
        seed: 3,
    };
    let mut abc = AbcSmc::new(config).unwrap();
    run(&mut abc, sim);
    let post = abc.posterior().unwrap();
    let (pa, pb) = (&post.parameters[0], &post.parameters[1]);
    let (mean_a, sd_a) = (t1 / 20.0, t1.sqrt() / 20.0);
    let mean_b = t2 / (t1 - 1.0);
    let sd_b = (t2 * (t2 + 1.0) / ((t1 - 1.0) * (t1 - 2.0)) - mean_b * mean_b).sqrt();
    // The final tolerance accepts count errors (ΔT1, ΔT2) in a disc of radius r = 2√ε (scale 2
    // per target); spread over that disc it adds about r²/4 = ε to each count's variance (≈ T),
    // which must be small for the exact answer to apply: under 5 % of T2 inflates the SDs by
    // under 2.5 %, a fraction of their 4-SE tolerance.
    assert!(
        post.epsilon < 0.05 * t2,
        "final tolerance ε = {} too wide to compare with the exact posterior",
        post.epsilon
    );
    assert!(post.ess > 100.0, "ESS {}", post.ess);
    let se = |sd: f64| sd / post.ess.sqrt();
    assert!((pa.mean - mean_a).abs() < 4.0 * se(sd_a), "a: {} vs {mean_a} ± {}", pa.mean, se(sd_a));
    assert!((pb.mean - mean_b).abs() < 4.0 * se(sd_b), "b: {} vs {mean_b} ± {}", pb.mean, se(sd_b));
    // SE of a sample SD ≈ sd/√(2 ESS) (normal theory; the gamma posteriors here have shape ≥ 30
    // and are close to normal).
    let se_sd = |sd: f64| sd / (2.0 * post.ess).sqrt();
    assert!((pa.sd - sd_a).abs() < 4.0 * se_sd(sd_a), "sd(a) {} vs {sd_a}", pa.sd);
    assert!((pb.sd - sd_b).abs() < 4.0 * se_sd(sd_b), "sd(b) {} vs {sd_b}", pb.sd);
    for (p, t) in [(pa, truth[0]), (pb, truth[1])] {
        assert!(p.q05 < t && t < p.q95, "{}: {t} outside [{}, {}]", p.key, p.q05, p.q95);
    }
}

/// When the output does not depend on θ, selection is blind to θ and the importance weights
/// alone must bring the perturbed, resampled population back to the prior: Uniform(0, 1) has
/// mean 1/2 and SD 1/√12. This checks the weights (prior density in z space over the kernel
/// mixture) after several generations of perturbation.
#[test]
fn importance_weights_restore_the_prior_when_data_say_nothing() {
    let config = AbcConfig {
        parameters: vec![parameter("x", Prior::Uniform { lo: 0.0, hi: 1.0 })],
        targets: vec![target("noise", 0.0, 1.0)],
        settings: settings(500, 2000, 4),
        seed: 11,
    };
    let mut abc = AbcSmc::new(config).unwrap();
    run(&mut abc, |_, seed| vec![stream(&[seed]).sample(StandardNormal)]);
    let post = abc.posterior().unwrap();
    let p = &post.parameters[0];
    let sd = 1.0 / 12f64.sqrt();
    let se_mean = sd / post.ess.sqrt();
    // For a uniform, Var(sample variance) = (μ₄ − σ⁴)/n with μ₄ = 1/80, so SE(sd) = √((1/80 −
    // 1/144)/ESS) / (2σ).
    let se_sd = ((1.0 / 80.0 - 1.0 / 144.0) / post.ess).sqrt() / (2.0 * sd);
    assert!((p.mean - 0.5).abs() < 4.0 * se_mean, "mean {} (SE {se_mean})", p.mean);
    assert!((p.sd - sd).abs() < 4.0 * se_sd, "sd {} vs {sd} (SE {se_sd})", p.sd);
    // The population is every draw ever made with distance ≤ ε, and the distances are χ²₁
    // draws whatever θ: after generation t, ε is the N-th smallest of (t + 1)M draws, i.e. the
    // sample p-quantile of χ²₁ with p = N / ((t + 1)M). Its SE is √(p(1 − p)/n) / f(q), f the
    // χ²₁ density.
    let normal = statrs::distribution::Normal::standard();
    for g in abc.history() {
        let n = 2000.0 * f64::from(g.generation + 1);
        let p = 500.0 / n;
        let q = statrs::distribution::ContinuousCDF::inverse_cdf(&normal, (1.0 + p) / 2.0).powi(2);
        let density = (-q / 2.0).exp() / (2.0 * std::f64::consts::PI * q).sqrt();
        let se = (p * (1.0 - p) / n).sqrt() / density;
        assert!(
            (g.epsilon - q).abs() < 4.0 * se,
            "generation {}: ε = {} vs {q} (SE {se})",
            g.generation,
            g.epsilon
        );
    }
}

#[test]
fn a_low_acceptance_rate_stops_the_run() {
    // Outputs independent of θ: the acceptance rate in generation t is P(χ²₁ ≤ ε_{t−1}) ≈
    // N / (tM) = 1/4, 1/8, 1/12, … (see above), so a floor of 0.1 stops the run after
    // generation 3 (SE of the rate there √(0.083·0.917/2000) = 0.006, 2.7 SE below the floor).
    let mut s = settings(500, 2000, 20);
    s.min_acceptance = 0.1;
    let config = AbcConfig {
        parameters: vec![parameter("x", Prior::Uniform { lo: 0.0, hi: 1.0 })],
        targets: vec![target("noise", 0.0, 1.0)],
        settings: s,
        seed: 1,
    };
    let mut abc = AbcSmc::new(config).unwrap();
    run(&mut abc, |_, seed| vec![stream(&[seed]).sample(StandardNormal)]);
    assert_eq!(abc.stopped(), Some(StopReason::AcceptanceBelowFloor));
    let rates: Vec<f64> = abc.history().iter().filter_map(|g| g.acceptance_rate).collect();
    assert_eq!(rates.len(), 3, "{rates:?}");
    assert!(rates[2] < 0.1 && rates[..2].iter().all(|&r| r >= 0.1), "{rates:?}");
    assert!(abc.proposals().is_empty());
    assert_eq!(abc.advance(&[]).unwrap_err(), AbcError::Finished(StopReason::AcceptanceBelowFloor));
}

#[test]
fn reaching_the_tolerance_floor_stops_the_run() {
    let mut s = settings(50, 200, 30);
    s.min_epsilon = 0.5;
    let config = AbcConfig {
        parameters: vec![parameter("mu", Prior::Uniform { lo: -5.0, hi: 5.0 })],
        targets: vec![target("mean", 1.0, 0.1)],
        settings: s,
        seed: 1,
    };
    let mut abc = AbcSmc::new(config).unwrap();
    run(&mut abc, normal_mean_sim);
    assert_eq!(abc.stopped(), Some(StopReason::EpsilonReached));
    let eps: Vec<f64> = abc.history().iter().map(|g| g.epsilon).collect();
    assert!(*eps.last().unwrap() <= 0.5 && eps[..eps.len() - 1].iter().all(|&e| e > 0.5), "{eps:?}");
}

fn small_config(replications: u32) -> AbcConfig {
    let mut s = settings(40, 120, 4);
    s.replications = replications;
    AbcConfig {
        parameters: vec![
            parameter("mu", Prior::Normal { mean: 0.0, sd: 2.0, lo: None, hi: Some(4.0) }),
            parameter("rate", Prior::LogUniform { lo: 0.1, hi: 10.0 }),
        ],
        targets: vec![target("mean", 1.0, 0.2), target("rate", 2.0, 0.5)],
        settings: s,
        seed: 2024,
    }
}

fn small_sim(theta: &[f64], seed: u64) -> Vec<f64> {
    let mut rng = stream(&[seed]);
    let z: f64 = rng.sample(StandardNormal);
    vec![theta[0] + 0.3 * z, Poisson::new(10.0 * theta[1]).unwrap().sample(&mut rng) / 10.0]
}

#[test]
fn a_validated_targets_file_configures_the_run() {
    let text = r#"
[[target]]
name = "mean"
output = "m"
observed = 1.0
tolerance = 0.2
weight = 1
source = "test"
definition = "test"

[[parameter]]
key = "mu"
prior = "uniform"
lo = -5
hi = 5

[abc]
particles = 20
simulations_per_generation = 60
generations = 2
"#;
    let known = crate::targets::Known { outputs: &["m"], has_parameter: &|k| k == "mu", recorded_days: None };
    let cal = crate::targets::load_str(text, &known).unwrap();
    let config = AbcConfig::from_calibration(&cal, 77);
    assert_eq!(config.seed, 77, "no seed in the file: the caller's");
    let mut abc = AbcSmc::new(config).unwrap();
    run(&mut abc, normal_mean_sim);
    assert_eq!(abc.history().len(), 2);
    let mut with_seed = cal.clone();
    with_seed.abc.seed = Some(5);
    assert_eq!(AbcConfig::from_calibration(&with_seed, 77).seed, 5);
}

#[test]
fn the_same_seed_gives_the_same_state_and_another_seed_does_not() {
    let mut a = AbcSmc::new(small_config(2)).unwrap();
    let mut b = AbcSmc::new(small_config(2)).unwrap();
    run(&mut a, small_sim);
    run(&mut b, small_sim);
    assert_eq!(a, b);
    let mut other = small_config(2);
    other.seed = 2025;
    let mut c = AbcSmc::new(other).unwrap();
    run(&mut c, small_sim);
    assert_ne!(a.history()[0].particles, c.history()[0].particles);
}

/// Evaluating in reverse order, or in three shards merged in any order, or one proposal at a
/// time with `proposal(i)`, gives the same populations as evaluating in index order.
#[test]
fn populations_do_not_depend_on_evaluation_order_or_sharding() {
    let mut reference = AbcSmc::new(small_config(1)).unwrap();
    run(&mut reference, small_sim);

    let mut shuffled = AbcSmc::new(small_config(1)).unwrap();
    while shuffled.stopped().is_none() {
        let mut evals: Vec<Evaluation> = Vec::new();
        for shard in [2, 0, 1] {
            let mut part: Vec<Evaluation> =
                shuffled.proposals_for_shard(shard, 3).iter().map(|p| evaluate(p, small_sim)).collect();
            part.reverse();
            evals.extend(part);
        }
        shuffled.advance(&evals).unwrap();
    }
    assert_eq!(reference, shuffled);

    let mut single = AbcSmc::new(small_config(1)).unwrap();
    while single.stopped().is_none() {
        let m = single.proposals_per_generation() as u32;
        let evals: Vec<Evaluation> = (0..m).rev().map(|i| evaluate(&single.proposal(i), small_sim)).collect();
        single.advance(&evals).unwrap();
    }
    assert_eq!(reference, single);
}

/// A checkpoint (the state as JSON plus the evaluations finished so far) resumes to exactly the
/// run that was not interrupted.
#[test]
fn state_round_trips_through_json_and_resumes_identically() {
    let mut reference = AbcSmc::new(small_config(2)).unwrap();
    run(&mut reference, small_sim);

    let mut abc = AbcSmc::new(small_config(2)).unwrap();
    let first: Vec<Evaluation> = abc.proposals().iter().map(|p| evaluate(p, small_sim)).collect();
    abc.advance(&first).unwrap();
    // Interrupted halfway through generation 1: save the state and the finished half.
    let pending = abc.proposals();
    let done: Vec<Evaluation> = pending[..60].iter().map(|p| evaluate(p, small_sim)).collect();
    let state_json = serde_json::to_string(&abc).unwrap();
    let done_json = serde_json::to_string(&done).unwrap();

    let mut resumed: AbcSmc = serde_json::from_str(&state_json).unwrap();
    assert_eq!(resumed, abc);
    assert_eq!(resumed.proposals(), pending);
    let mut evals: Vec<Evaluation> = serde_json::from_str(&done_json).unwrap();
    let finished: std::collections::BTreeSet<u32> = evals.iter().map(|e| e.index).collect();
    evals.extend(
        resumed.proposals().iter().filter(|p| !finished.contains(&p.index)).map(|p| evaluate(p, small_sim)),
    );
    resumed.advance(&evals).unwrap();
    run(&mut resumed, small_sim);
    assert_eq!(resumed, reference);
}

#[test]
fn proposals_stay_inside_the_prior_support_and_seeds_are_distinct() {
    let mut abc = AbcSmc::new(small_config(3)).unwrap();
    let mut seeds = std::collections::BTreeSet::new();
    while abc.stopped().is_none() {
        let props = abc.proposals();
        for p in &props {
            for (x, par) in p.theta.iter().zip(&abc.config().parameters) {
                assert!(par.prior.contains(*x), "{x} outside {}", par.prior.describe());
            }
            assert_eq!(p.seeds.len(), 3);
            for &s in &p.seeds {
                assert!(seeds.insert(s), "seed {s} used twice");
            }
        }
        let evals: Vec<Evaluation> = props.iter().map(|p| evaluate(p, small_sim)).collect();
        let pop = abc.advance(&evals).unwrap();
        assert!((pop.particles.iter().map(|p| p.weight).sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(pop.simulations, 120 * 3);
    }
}

#[test]
fn replications_are_averaged_before_the_distance() {
    let mut abc = AbcSmc::new(small_config(2)).unwrap();
    let evals: Vec<Evaluation> = abc
        .proposals()
        .iter()
        .map(|p| Evaluation {
            generation: 0,
            index: p.index,
            // The two replications straddle the targets (1.0, 2.0) symmetrically for proposal 0.
            outputs: if p.index == 0 {
                vec![vec![0.5, 1.0], vec![1.5, 3.0]]
            } else {
                vec![vec![9.0, 9.0]; 2]
            },
            early: None,
        })
        .collect();
    let pop = abc.advance(&evals).unwrap();
    assert_eq!(pop.particles[0].index, 0);
    assert_eq!(pop.particles[0].distance, 0.0);
    assert_eq!(pop.particles[0].outputs, vec![1.0, 2.0]);
}

#[test]
fn the_distance_is_weighted_scaled_and_infinite_for_failed_runs() {
    let mut t = vec![target("a", 10.0, 2.0), target("b", 30.0, 1.0), target("c", 0.0, 1.0)];
    t[1].tolerance = Tolerance::Range { lo: 20.0, hi: 45.0 };
    t[1].weight = 0.5;
    t[2].weight = 0.0;
    // ((14 − 10)/2)² + 0.5·((25 − 30)/10)² = 4 + 0.125; target c has weight 0 and is ignored,
    // even when it is not finite.
    assert!((distance(&t, &[14.0, 25.0, f64::NAN]) - 4.125).abs() < 1e-12);
    assert!((distance(&t, &[10.0, 45.0, 0.0]) - 0.5).abs() < 1e-12);
    assert_eq!(distance(&t, &[f64::NAN, 30.0, 0.0]), f64::INFINITY);
}

#[test]
fn malformed_evaluations_are_refused_and_leave_the_state_unchanged() {
    let mut abc = AbcSmc::new(small_config(1)).unwrap();
    let good: Vec<Evaluation> = abc.proposals().iter().map(|p| evaluate(p, small_sim)).collect();
    let before = abc.clone();

    let err = abc.advance(&good[1..]).unwrap_err();
    assert_eq!(err, AbcError::Missing { count: 1, first: 0 });
    let mut dup = good.clone();
    dup.push(good[5].clone());
    assert_eq!(abc.advance(&dup).unwrap_err(), AbcError::Duplicate { index: 5 });
    let mut wrong = good.clone();
    wrong[3].generation = 1;
    assert_eq!(abc.advance(&wrong).unwrap_err(), AbcError::WrongGeneration { index: 3, expected: 0, got: 1 });
    let mut out = good.clone();
    out[0].index = 120;
    assert_eq!(abc.advance(&out).unwrap_err(), AbcError::IndexOutOfRange { index: 120, proposals: 120 });
    let mut shape = good.clone();
    shape[7].outputs[0].pop();
    assert!(matches!(abc.advance(&shape).unwrap_err(), AbcError::Shape { index: 7, .. }));
    let mut failed = good.clone();
    for e in failed.iter_mut().take(81) {
        e.outputs[0][1] = f64::NAN;
    }
    assert_eq!(abc.advance(&failed).unwrap_err(), AbcError::TooFewFinite { finite: 39, needed: 40 });
    assert_eq!(abc, before);

    // 80 failed runs still leave 40 finite ones: the population is made, the failures counted.
    failed[80] = good[80].clone();
    let pop = abc.advance(&failed).unwrap();
    assert_eq!(pop.non_finite, 80);
    assert!(pop.particles.iter().all(|p| p.distance.is_finite()));
}

#[test]
fn bad_configurations_are_refused_before_any_proposal() {
    let mut c = small_config(1);
    c.parameters[0].prior = Prior::Uniform { lo: 3.0, hi: 3.0 };
    c.parameters[1].prior = Prior::LogUniform { lo: 5.0, hi: 1.0 };
    c.settings.simulations_per_generation = 39;
    let AbcError::Config(problems) = AbcSmc::new(c).unwrap_err() else { panic!("expected a config error") };
    let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["abc.simulations_per_generation", "parameter[0].prior", "parameter[1].prior"]);
    assert!(problems[1].message.contains("non-empty range"));

    let mut c = small_config(1);
    c.targets.iter_mut().for_each(|t| t.weight = 0.0);
    assert!(matches!(AbcSmc::new(c).unwrap_err(), AbcError::Config(p) if p[0].key == "target"));
    let mut c = small_config(1);
    c.targets[0].tolerance = Tolerance::Absolute { value: 0.0 };
    c.targets[1].observed = f64::NAN;
    c.targets[1].weight = -1.0;
    let AbcError::Config(problems) = AbcSmc::new(c).unwrap_err() else { panic!("expected a config error") };
    let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["target[0]", "target[1]", "target[1].weight"]);
    let mut c = small_config(1);
    c.parameters.clear();
    assert!(
        matches!(AbcSmc::new(c).unwrap_err(), AbcError::Config(p) if p.iter().any(|p| p.key == "parameter"))
    );
}

#[test]
fn predictive_draws_follow_the_weights_deterministically() {
    let mut abc = AbcSmc::new(small_config(1)).unwrap();
    assert!(abc.predictive_draws(10).is_empty());
    run(&mut abc, small_sim);
    let draws = abc.predictive_draws(4000);
    assert_eq!(draws, abc.predictive_draws(4000));
    let pop = abc.population().unwrap();
    // Systematic resampling: each particle is drawn floor or ceil of count × weight times.
    let mut counts = vec![0usize; pop.particles.len()];
    for d in &draws {
        counts[d.particle] += 1;
        assert_eq!(d.theta, pop.particles[d.particle].theta);
    }
    for (c, p) in counts.iter().zip(&pop.particles) {
        let expect = 4000.0 * p.weight;
        assert!((*c as f64 - expect).abs() <= 1.0 + 1e-9, "{c} draws for weight {}", p.weight);
    }
    let seeds: std::collections::BTreeSet<u64> = draws.iter().map(|d| d.seed).collect();
    assert_eq!(seeds.len(), 4000);
}

#[test]
fn posterior_tables_list_every_particle_and_parameter() {
    let mut abc = AbcSmc::new(small_config(1)).unwrap();
    assert_eq!(abc.posterior_sample_csv(), "");
    run(&mut abc, small_sim);
    let csv = abc.posterior_sample_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "generation,index,weight,distance,mu,rate,sim:mean,sim:rate");
    assert_eq!(lines.len(), 41);
    let first = &abc.population().unwrap().particles[0];
    let cells: Vec<f64> = lines[1].split(',').map(|c| c.parse().unwrap()).collect();
    assert_eq!(
        cells[2..],
        [first.weight, first.distance, first.theta[0], first.theta[1], first.outputs[0], first.outputs[1]]
    );
    let post = abc.posterior().unwrap();
    let summary = post.to_csv();
    assert!(summary.starts_with("key,mean,sd,q05,median,q95\nmu,"));
    assert_eq!(summary.lines().count(), 3);
    let md = post.to_markdown();
    assert!(md.contains("| rate |") && md.contains("40 particles"), "{md}");
    for p in &post.parameters {
        assert!(p.q05 <= p.median && p.median <= p.q95, "{p:?}");
    }
}

#[test]
fn weighted_quantiles_match_type_5_for_equal_weights() {
    let v: Vec<(f64, f64)> = (1..=5).map(|x| (x as f64, 0.2)).collect();
    // Type 5 (piecewise linear through (i − 0.5)/n): the median of 1..5 is 3, the 30 % point is
    // 2 (at (2 − 0.5)/5 = 0.3), the 5 % point is the smallest value.
    assert_eq!(weighted_quantile(&v, 0.5), 3.0);
    assert!((weighted_quantile(&v, 0.3) - 2.0).abs() < 1e-12);
    assert_eq!(weighted_quantile(&v, 0.05), 1.0);
    assert_eq!(weighted_quantile(&v, 0.99), 5.0);
    // A heavy weight pulls the median to its value.
    let w = [(0.0, 0.1), (1.0, 0.8), (2.0, 0.1)];
    assert_eq!(weighted_quantile(&w, 0.5), 1.0);
}

/// The kernel density must be normalised: particles from generations with different kernels
/// share one weight scale only if it is. Σ = [[4, 1], [1, 2]] has det 7 and
/// Σ⁻¹ = [[2, −1], [−1, 4]]/7; at δ = (1, −1), δᵀΣ⁻¹δ = 8/7, so
/// ln N(δ; 0, Σ) = −4/7 − ln(7)/2 − ln(2π) = −3.382261.
#[test]
fn the_kernel_is_a_normalised_gaussian_with_scaled_population_covariance() {
    let chol = cholesky(&[4.0, 0.0, 1.0, 2.0], 2).unwrap();
    let k = Kernel { chol };
    let expect = -4.0 / 7.0 - 7f64.ln() / 2.0 - (2.0 * std::f64::consts::PI).ln();
    assert!((k.ln_density(&[1.5, 0.0], &[0.5, 1.0], 2) - expect).abs() < 1e-12);
    assert!(cholesky(&[1.0, 0.0, 2.0, 1.0], 2).is_none(), "not positive definite");

    // Four particles at (±1, 0) and (0, ±2) with weights 1/4: weighted covariance diag(1/2, 2),
    // so scale 2 gives diag(1, 4) and L = diag(1, 2).
    let particle = |z: [f64; 2]| Particle {
        generation: 0,
        index: 0,
        theta: z.to_vec(),
        z: z.to_vec(),
        ln_raw_weight: 0.0,
        weight: 0.25,
        distance: 0.0,
        outputs: vec![],
        continue_probability: 1.0,
    };
    let pop: Vec<Particle> = [[1.0, 0.0], [-1.0, 0.0], [0.0, 2.0], [0.0, -2.0]].map(particle).to_vec();
    let k = Kernel::from_population(&pop, 2.0).unwrap();
    for (got, want) in k.chol.iter().zip([1.0, 0.0, 0.0, 2.0]) {
        assert!((got - want).abs() < 1e-12, "{:?}", k.chol);
    }
}
