//! Morris elementary-effects screening (Morris 1991), as a design plus an analysis.
//!
//! Each of the k parameters is scaled to the unit interval through its prior's quantile function
//! (for a uniform prior on [lo, hi], x = lo + u (hi − lo)); the unit interval is cut into p
//! levels {0, 1/(p−1), …, 1} with p even, and every step moves one parameter by
//! Δ = p / (2 (p − 1)) (Morris's choice, under which every level is visited equally often). A
//! trajectory starts at a random grid point and moves each parameter once, in random order and
//! direction: k + 1 points, k elementary effects
//! EE_i = (y(after) − y(before)) / (±Δ),
//! measured per unit of the scaled input, i.e. per the parameter's whole range. Over r
//! trajectories, for each parameter and output:
//! - μ, the mean EE (sign of the overall effect),
//! - μ*, the mean |EE| (Campolongo, Cariboni and Saltelli 2007): overall importance, robust to
//!   effects of opposite sign; parameters are ranked by it,
//! - σ, the SD of the EEs: non-linearity or interaction with other parameters.
//!
//! A linear model y = Σ b_i x_i on ranges R_i gives μ*_i = |b_i| R_i and σ_i = 0; a parameter the
//! model ignores gives μ* = 0. Campolongo's trajectory selection (choosing the r most spread of
//! many candidate trajectories) is not implemented: plain random trajectories, as in Morris 1991.
//!
//! Like [`crate::abc`], the design is a pure function of the seed ([`MorrisDesign::points`]), the
//! caller evaluates the points however it likes, and [`MorrisDesign::analyse`] takes the outputs
//! in point order. All points of a trajectory share one evaluation seed (common random numbers),
//! so that an elementary effect measures the parameter's change rather than the difference
//! between two independent draws of the model's noise.

use crate::problem::Problem;
use crate::streams::stream;
use crate::targets::Parameter;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use std::fmt;

const TAG_TRAJECTORY: u64 = 11;
const TAG_EVALUATION: u64 = 12;

/// A Morris screening design.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisDesign {
    /// Screened parameters; every prior must have finite bounds.
    pub parameters: Vec<Parameter>,
    /// Number of trajectories r (≥ 2).
    pub trajectories: usize,
    /// Number of levels p (even, ≥ 2); 4 is customary.
    pub levels: usize,
    pub seed: u64,
}

/// One point to evaluate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisPoint {
    pub trajectory: u32,
    /// 0 … k: the start point, then one parameter moved per step.
    pub step: u32,
    /// The parameter moved to reach this point (`None` at step 0).
    pub moved: Option<usize>,
    /// Scaled coordinates, each a level j/(p − 1).
    pub unit: Vec<f64>,
    /// Parameter values in their own units.
    pub theta: Vec<f64>,
    /// Evaluation seed, shared by the trajectory's points.
    pub seed: u64,
}

/// Elementary-effect statistics of one parameter for one output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    pub parameter: String,
    /// 1 = most influential (largest μ*).
    pub rank: usize,
    pub mu: f64,
    pub mu_star: f64,
    /// Sample SD of the EEs (divisor n − 1); NaN below two.
    pub sigma: f64,
    /// Elementary effects with finite outputs on both ends.
    pub n: usize,
}

/// The screening of one output: parameters from most to least influential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputScreening {
    pub output: String,
    pub effects: Vec<Effect>,
}

/// Screening of every output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisTable {
    pub outputs: Vec<OutputScreening>,
    pub trajectories: usize,
    pub levels: usize,
    pub delta: f64,
}

/// Outputs that do not fit the design.
#[derive(Debug, Clone, PartialEq)]
pub enum MorrisError {
    /// `outputs` has a different number of rows than the design has points.
    Rows { expected: usize, got: usize },
    /// A row does not have one value per output name.
    Width { point: usize, expected: usize, got: usize },
}

impl fmt::Display for MorrisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MorrisError::Rows { expected, got } => {
                write!(f, "expected outputs for {expected} design points, got {got}")
            }
            MorrisError::Width { point, expected, got } => {
                write!(f, "point {point}: expected {expected} output value(s), got {got}")
            }
        }
    }
}

impl std::error::Error for MorrisError {}

impl MorrisDesign {
    /// A design, after checking every setting and prior (every problem at once).
    pub fn new(
        parameters: Vec<Parameter>,
        trajectories: usize,
        levels: usize,
        seed: u64,
    ) -> Result<MorrisDesign, Vec<Problem>> {
        let mut problems = Vec::new();
        if parameters.is_empty() {
            problems
                .push(Problem { key: "params".into(), message: "at least one parameter is needed".into() });
        }
        for (i, p) in parameters.iter().enumerate() {
            let key = format!("params[{i}]");
            if let Err(m) = p.prior.check() {
                problems.push(Problem { key, message: format!("{}: {m}", p.key) });
            } else if !p.prior.is_bounded() {
                problems.push(Problem {
                    key,
                    message: format!(
                        "{}: Morris screening needs finite bounds, got {}",
                        p.key,
                        p.prior.describe()
                    ),
                });
            }
        }
        if !(2..=100_000).contains(&trajectories) {
            problems.push(Problem {
                key: "trajectories".into(),
                message: format!("must be an integer in 2..=100000, got {trajectories}"),
            });
        }
        if !(2..=1000).contains(&levels) || !levels.is_multiple_of(2) {
            problems.push(Problem {
                key: "levels".into(),
                message: format!("must be an even integer in 2..=1000, got {levels}"),
            });
        }
        if problems.is_empty() {
            Ok(MorrisDesign { parameters, trajectories, levels, seed })
        } else {
            Err(problems)
        }
    }

    /// The step Δ = p / (2 (p − 1)) in scaled units.
    pub fn delta(&self) -> f64 {
        self.levels as f64 / (2.0 * (self.levels as f64 - 1.0))
    }

    /// Number of points: r (k + 1).
    pub fn len(&self) -> usize {
        self.trajectories * (self.parameters.len() + 1)
    }

    /// Whether the design has no points (never, for a validated design).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every point, trajectory by trajectory, each trajectory a pure function of (seed, its
    /// number).
    pub fn points(&self) -> Vec<MorrisPoint> {
        let k = self.parameters.len();
        let p = self.levels;
        let half = p / 2; // Δ in level steps
        let scale = 1.0 / (p as f64 - 1.0);
        let mut out = Vec::with_capacity(self.len());
        for t in 0..self.trajectories as u64 {
            let mut rng = stream(&[self.seed, TAG_TRAJECTORY, t]);
            // Each parameter alternates between level a and a + p/2, a uniform on 0 … p/2 − 1;
            // the start is the lower or upper one with probability 1/2, so every level is
            // equally likely (Morris 1991).
            let pairs: Vec<(usize, bool)> =
                (0..k).map(|_| (rng.random_range(0..half), rng.random_bool(0.5))).collect();
            let mut order: Vec<usize> = (0..k).collect();
            for i in (1..k).rev() {
                order.swap(i, rng.random_range(0..=i));
            }
            let mut level: Vec<usize> = pairs.iter().map(|&(a, up)| if up { a } else { a + half }).collect();
            let seed = crate::streams::hash_words(&[self.seed, TAG_EVALUATION, t]);
            let mut push = |level: &[usize], step: usize, moved: Option<usize>| {
                let unit: Vec<f64> = level.iter().map(|&l| l as f64 * scale).collect();
                let theta =
                    unit.iter().zip(&self.parameters).map(|(&u, par)| par.prior.quantile(u)).collect();
                out.push(MorrisPoint { trajectory: t as u32, step: step as u32, moved, unit, theta, seed });
            };
            push(&level, 0, None);
            for (step, &i) in order.iter().enumerate() {
                let a = pairs[i].0;
                level[i] = if level[i] == a { a + half } else { a };
                push(&level, step + 1, Some(i));
            }
        }
        out
    }

    /// Elementary-effect statistics from `outputs[point][j]` (value of output j at each point of
    /// [`MorrisDesign::points`], in order). Effects with a non-finite value at either end are
    /// left out and counted in `n`.
    pub fn analyse(&self, output_names: &[String], outputs: &[Vec<f64>]) -> Result<MorrisTable, MorrisError> {
        let points = self.points();
        if outputs.len() != points.len() {
            return Err(MorrisError::Rows { expected: points.len(), got: outputs.len() });
        }
        if let Some((i, row)) = outputs.iter().enumerate().find(|(_, r)| r.len() != output_names.len()) {
            return Err(MorrisError::Width { point: i, expected: output_names.len(), got: row.len() });
        }
        let k = self.parameters.len();
        let screenings = output_names
            .iter()
            .enumerate()
            .map(|(j, name)| {
                let mut ee: Vec<Vec<f64>> = vec![Vec::new(); k];
                for (n, pt) in points.iter().enumerate() {
                    if let Some(i) = pt.moved {
                        let dx = pt.unit[i] - points[n - 1].unit[i];
                        let dy = outputs[n][j] - outputs[n - 1][j];
                        if dy.is_finite() {
                            ee[i].push(dy / dx);
                        }
                    }
                }
                let mut effects: Vec<Effect> = ee
                    .iter()
                    .zip(&self.parameters)
                    .map(|(e, par)| {
                        let n = e.len();
                        let mean = |f: &dyn Fn(f64) -> f64| e.iter().map(|&x| f(x)).sum::<f64>() / n as f64;
                        let mu = mean(&|x| x);
                        let sigma = if n > 1 {
                            (e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
                        } else {
                            f64::NAN
                        };
                        Effect { parameter: par.key.clone(), rank: 0, mu, mu_star: mean(&f64::abs), sigma, n }
                    })
                    .collect();
                // Stable sort: ties keep the parameters' order.
                effects.sort_by(|a, b| b.mu_star.total_cmp(&a.mu_star));
                for (r, e) in effects.iter_mut().enumerate() {
                    e.rank = r + 1;
                }
                OutputScreening { output: name.clone(), effects }
            })
            .collect();
        Ok(MorrisTable {
            outputs: screenings,
            trajectories: self.trajectories,
            levels: self.levels,
            delta: self.delta(),
        })
    }
}

impl MorrisTable {
    /// Long-format CSV: `output,rank,parameter,mu,mu_star,sigma,n`.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("output,rank,parameter,mu,mu_star,sigma,n\n");
        let num = |v: f64| if v.is_finite() { v.to_string() } else { "NA".into() };
        for o in &self.outputs {
            for e in &o.effects {
                s.push_str(&format!(
                    "{},{},{},{},{},{},{}\n",
                    o.output,
                    e.rank,
                    e.parameter,
                    num(e.mu),
                    num(e.mu_star),
                    num(e.sigma),
                    e.n
                ));
            }
        }
        s
    }

    /// One Markdown table per output, parameters ranked by μ*.
    pub fn to_markdown(&self) -> String {
        let mut s = format!(
            "Morris screening: {} trajectories, {} levels, Δ = {:.4}; effects per whole parameter range.\n",
            self.trajectories, self.levels, self.delta
        );
        for o in &self.outputs {
            s.push_str(&format!(
                "\n### {}\n\n| rank | parameter | μ* | μ | σ |\n|---:|---|---:|---:|---:|\n",
                o.output
            ));
            for e in &o.effects {
                s.push_str(&format!(
                    "| {} | {} | {:.4} | {:.4} | {:.4} |\n",
                    e.rank, e.parameter, e.mu_star, e.mu, e.sigma
                ));
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prior::Prior;

    fn par(key: &str, lo: f64, hi: f64) -> Parameter {
        Parameter { key: key.into(), prior: Prior::Uniform { lo, hi }, note: String::new() }
    }

    fn evaluate(d: &MorrisDesign, f: impl Fn(&[f64]) -> Vec<f64>) -> Vec<Vec<f64>> {
        d.points().iter().map(|p| f(&p.theta)).collect()
    }

    #[test]
    fn linear_model_gives_coefficient_times_range_and_no_spread() {
        // y = 3 x1 − 2 x2 + 0 x3 on x1 ∈ [0, 2], x2 ∈ [−1, 4], x3 ∈ [10, 20]:
        // μ*₁ = 3·2 = 6, μ*₂ = 2·5 = 10 (μ₂ = −10), μ*₃ = 0, σ = 0 for all; rank x2, x1, x3.
        let d = MorrisDesign::new(
            vec![par("x1", 0.0, 2.0), par("x2", -1.0, 4.0), par("x3", 10.0, 20.0)],
            10,
            4,
            1,
        )
        .unwrap();
        let y = evaluate(&d, |x| vec![3.0 * x[0] - 2.0 * x[1]]);
        let t = d.analyse(&["y".into()], &y).unwrap();
        let e = &t.outputs[0].effects;
        let names: Vec<&str> = e.iter().map(|e| e.parameter.as_str()).collect();
        assert_eq!(names, ["x2", "x1", "x3"]);
        assert_eq!(e.iter().map(|e| e.rank).collect::<Vec<_>>(), [1, 2, 3]);
        for (e, mu) in e.iter().zip([-10.0, 6.0, 0.0]) {
            assert!((e.mu - mu).abs() < 1e-9, "{e:?}");
            assert!((e.mu_star - mu.abs()).abs() < 1e-9, "{e:?}");
            assert!(e.sigma.abs() < 1e-9, "{e:?}");
            assert_eq!(e.n, 10);
        }
    }

    /// y = x1·x2 + 5 x3 on the unit cube. EE₁ = x2 at the time x1 moves; x2 is then at a grid
    /// level, each of {0, 1/3, 2/3, 1} with probability 1/4, so μ*₁ → 1/2 and σ₁ → the SD of
    /// the levels, √(7/18 − 1/4) = 0.3727. With r = 400, SE(μ*₁) = 0.3727/√400 = 0.019; x3 is
    /// additive and linear: μ*₃ = 5, σ₃ = 0.
    #[test]
    fn interaction_shows_as_spread_and_additive_terms_do_not() {
        let d =
            MorrisDesign::new(vec![par("x1", 0.0, 1.0), par("x2", 0.0, 1.0), par("x3", 0.0, 1.0)], 400, 4, 9)
                .unwrap();
        let y = evaluate(&d, |x| vec![x[0] * x[1] + 5.0 * x[2]]);
        let t = d.analyse(&["y".into()], &y).unwrap();
        let by = |k: &str| t.outputs[0].effects.iter().find(|e| e.parameter == k).unwrap().clone();
        let (e1, e2, e3) = (by("x1"), by("x2"), by("x3"));
        let sd_levels = (7.0f64 / 18.0 - 0.25).sqrt();
        let se = sd_levels / 400f64.sqrt();
        assert!((e1.mu_star - 0.5).abs() < 4.0 * se, "{e1:?}");
        assert!((e2.mu_star - 0.5).abs() < 4.0 * se, "{e2:?}");
        // SE of a sample SD ≈ σ/√(2n) for a near-normal sample; the four-point level
        // distribution has lighter tails, so this overstates it.
        assert!((e1.sigma - sd_levels).abs() < 4.0 * sd_levels / 800f64.sqrt(), "{e1:?}");
        assert!(e1.sigma > 0.3 && e2.sigma > 0.3);
        assert!((e3.mu_star - 5.0).abs() < 1e-9 && e3.sigma < 1e-9);
        assert_eq!(e3.rank, 1);
    }

    #[test]
    fn priors_map_the_levels_log_uniform_on_a_log_scale() {
        // y = log10 x with x log-uniform on [1, 100] is linear in the scaled input: EE = 2.
        let p = Parameter {
            key: "x".into(),
            prior: Prior::LogUniform { lo: 1.0, hi: 100.0 },
            note: String::new(),
        };
        let d = MorrisDesign::new(vec![p], 5, 4, 3).unwrap();
        let pts = d.points();
        for pt in &pts {
            assert!(
                [1.0, 100f64.powf(1.0 / 3.0), 100f64.powf(2.0 / 3.0), 100.0]
                    .iter()
                    .any(|v| (pt.theta[0] - v).abs() < 1e-9 * v)
            );
        }
        let y: Vec<Vec<f64>> = pts.iter().map(|p| vec![p.theta[0].log10()]).collect();
        let e = &d.analyse(&["y".into()], &y).unwrap().outputs[0].effects[0];
        assert!((e.mu_star - 2.0).abs() < 1e-9 && e.sigma < 1e-9, "{e:?}");
    }

    #[test]
    fn trajectories_are_one_at_a_time_steps_on_the_grid() {
        let d =
            MorrisDesign::new((0..5).map(|i| par(&format!("p{i}"), 0.0, 1.0)).collect(), 50, 6, 42).unwrap();
        let pts = d.points();
        assert_eq!(pts.len(), d.len());
        assert_eq!(pts, d.points(), "same seed, same design");
        let other = MorrisDesign { seed: 43, ..d.clone() }.points();
        assert_ne!(pts, other);
        let delta = d.delta();
        assert!((delta - 0.6).abs() < 1e-12, "p = 6: Δ = 6/10");
        for traj in pts.chunks(6) {
            assert!(traj.iter().all(|p| p.seed == traj[0].seed));
            let mut moved: Vec<usize> = traj[1..].iter().map(|p| p.moved.unwrap()).collect();
            moved.sort();
            assert_eq!(moved, [0, 1, 2, 3, 4], "each parameter moves exactly once");
            for w in traj.windows(2) {
                let changed: Vec<usize> = (0..5).filter(|&i| w[0].unit[i] != w[1].unit[i]).collect();
                assert_eq!(changed, [w[1].moved.unwrap()]);
                let i = changed[0];
                assert!(((w[1].unit[i] - w[0].unit[i]).abs() - delta).abs() < 1e-12);
            }
            for p in traj {
                for &u in &p.unit {
                    let level = u * 5.0;
                    assert!((0.0..=1.0).contains(&u) && (level - level.round()).abs() < 1e-12);
                }
            }
        }
        // Every level is visited about equally often: 50 start points × 5 parameters = 250 draws
        // over 6 levels, expected 41.7 each, binomial SD √(250·(1/6)(5/6)) = 5.9.
        let mut counts = [0usize; 6];
        for p in pts.iter().filter(|p| p.step == 0) {
            for &u in &p.unit {
                counts[(u * 5.0).round() as usize] += 1;
            }
        }
        for c in counts {
            assert!((c as f64 - 250.0 / 6.0).abs() < 4.0 * 5.9, "{counts:?}");
        }
    }

    #[test]
    fn bad_designs_and_outputs_are_refused() {
        let unbounded = Parameter {
            key: "n".into(),
            prior: Prior::Normal { mean: 0.0, sd: 1.0, lo: None, hi: Some(1.0) },
            note: String::new(),
        };
        let problems = MorrisDesign::new(vec![par("e", 1.0, 1.0), unbounded], 1, 5, 0).unwrap_err();
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["params[0]", "params[1]", "trajectories", "levels"]);
        assert!(problems[0].message.contains("non-empty range"));
        assert!(problems[1].message.contains("finite bounds"));
        assert!(MorrisDesign::new(vec![], 4, 4, 0).is_err());

        let d = MorrisDesign::new(vec![par("a", 0.0, 1.0)], 3, 4, 0).unwrap();
        let names = vec!["y".to_string()];
        assert_eq!(d.analyse(&names, &[vec![0.0]]).unwrap_err(), MorrisError::Rows { expected: 6, got: 1 });
        let mut rows = vec![vec![0.0]; 6];
        rows[4] = vec![];
        assert_eq!(
            d.analyse(&names, &rows).unwrap_err(),
            MorrisError::Width { point: 4, expected: 1, got: 0 }
        );
        // A failed run drops the effects on either side of it.
        let mut rows = vec![vec![1.0]; 6];
        rows[1] = vec![f64::NAN];
        let t = d.analyse(&names, &rows).unwrap();
        assert_eq!(t.outputs[0].effects[0].n, 2);
        assert!(t.to_csv().starts_with("output,rank,parameter,mu,mu_star,sigma,n\ny,1,a,0,0,0,2\n"));
        assert!(t.to_markdown().contains("| 1 | a | 0.0000 | 0.0000 | 0.0000 |"));
    }
}
