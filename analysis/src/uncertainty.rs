//! Probabilistic sensitivity analysis: an estimate across parameter draws.
//!
//! Each draw is one parameter vector (from the priors of a targets file or a calibration's
//! posterior sample) run for n replications; its estimate is the mean over those replications
//! (of a metric's level in a run, of the paired difference arm − base in a comparison), with
//! the replications' standard deviation. Across D draws:
//! - the **parameter interval** is the 2.5 and 97.5 % quantiles of the D draw means (type 7, as
//!   [`crate::stats`]): where the estimate lies given what is not known about the parameters.
//!   Each draw mean carries its own replication noise too; the interval is therefore slightly
//!   wider than parameter uncertainty alone, by a share that `parameter_share` states;
//! - the **stochastic interval** is the 95 % Student-t interval a single draw's n replications
//!   give (the interval an ordinary run or comparison reports), centred on the overall mean:
//!   mean ± t(0.975, n − 1) · √(mean over draws of sd² / n);
//! - `parameter_share` = max(0, Var(draw means) − mean(sd² / n)) / Var(draw means): the share of
//!   the spread of draw means that the parameters cause (the rest is replication noise; a
//!   method-of-moments split, as in a one-way random-effects ANOVA);
//! - with a better direction, `p_improve` is the share of draws whose mean difference is in that
//!   direction (strictly), and `p_important` the share whose improvement is larger than the
//!   metric's minimal important difference at that draw's base.

use crate::charts::{Chart, IntervalChart, IntervalRow};
use crate::importance::Better;
use crate::prior::Prior;
use crate::stats::{quantile_sorted, t_quantile};
use crate::streams::{open01, stream};

/// `n` parameter vectors from independent `priors`: a Latin hypercube of `n` points (seeded by
/// `seed`) through each prior's quantile function, so that every prior's range is covered
/// evenly even with few draws (McKay, Beckman and Conover 1979).
pub fn prior_draws(priors: &[Prior], n: usize, seed: u64) -> Vec<Vec<f64>> {
    crate::design::latin_hypercube(n, priors.len(), seed)
        .into_iter()
        .map(|u| u.iter().zip(priors).map(|(&u, p)| p.quantile(u)).collect())
        .collect()
}

/// A weighted posterior sample as `calibrate` writes it (`posterior_sample.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorSample {
    /// The calibrated parameters' key paths.
    pub keys: Vec<String>,
    /// Each particle's normalised weight and parameter values.
    pub particles: Vec<(f64, Vec<f64>)>,
}

impl PosteriorSample {
    /// Reads `posterior_sample.csv`: columns `generation, index, weight, distance`, then one per
    /// parameter, then the `sim:` columns (ignored). The message names the line and what is wrong.
    pub fn parse(text: &str) -> Result<PosteriorSample, String> {
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header: Vec<String> =
            reader.headers().map_err(|e| format!("header: {e}"))?.iter().map(str::to_string).collect();
        if header.get(..4) != Some(&["generation", "index", "weight", "distance"].map(String::from)[..]) {
            return Err("expected the columns generation, index, weight, distance, then one per parameter \
                        (the posterior_sample.csv that `medgroup calibrate` writes)"
                .into());
        }
        let keys: Vec<String> = header[4..].iter().take_while(|h| !h.starts_with("sim:")).cloned().collect();
        if keys.is_empty() {
            return Err("no parameter columns between `distance` and the `sim:` columns".into());
        }
        let mut particles = Vec::new();
        for (i, row) in reader.records().enumerate() {
            let line = i + 2;
            let row = row.map_err(|e| format!("line {line}: {e}"))?;
            let value = |col: usize| -> Result<f64, String> {
                let cell = row.get(col).unwrap_or("");
                cell.trim().parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                    format!("line {line}, column {}: expected a finite number, got `{cell}`", header[col])
                })
            };
            let weight = value(2)?;
            if weight < 0.0 {
                return Err(format!("line {line}: a negative weight ({weight})"));
            }
            let theta = (4..4 + keys.len()).map(value).collect::<Result<Vec<f64>, String>>()?;
            particles.push((weight, theta));
        }
        let total: f64 = particles.iter().map(|(w, _)| w).sum();
        if particles.is_empty() || total <= 0.0 {
            return Err("no particles with a positive weight".into());
        }
        for (w, _) in &mut particles {
            *w /= total;
        }
        Ok(PosteriorSample { keys, particles })
    }

    /// `n` particles drawn by weight, by systematic resampling with a start seeded by `seed`
    /// (each particle is drawn ⌊n·w⌋ or ⌈n·w⌉ times, the least noisy of the standard schemes;
    /// Douc, Cappé and Moulines 2005). Returns particle positions in ascending order.
    pub fn draw(&self, n: usize, seed: u64) -> Vec<usize> {
        let start = open01(&mut stream(&[seed, 0x5059_5354_454d_4154])); // "SYSTEMAT"
        let mut out = Vec::with_capacity(n);
        let mut cumulative = 0.0;
        let mut next = 0usize;
        for (i, (w, _)) in self.particles.iter().enumerate() {
            cumulative += w;
            while next < n && (next as f64 + start) / n as f64 <= cumulative {
                out.push(i);
                next += 1;
            }
        }
        // Rounding may leave the last position just above the total: it belongs to the last
        // particle with weight.
        let last = self.particles.iter().rposition(|(w, _)| *w > 0.0).expect("a positive weight");
        out.resize(n, last);
        out
    }
}

/// One draw's estimate: the mean and standard deviation over its `n` replications, and (for a
/// difference) the metric's minimal important difference at this draw's base mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DrawEstimate {
    pub mean: f64,
    pub sd: f64,
    pub n: usize,
    pub mid: Option<f64>,
}

/// An estimate across draws (see the module documentation for each field).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub draws: usize,
    /// The smallest number of replications of a draw.
    pub replications: usize,
    /// Mean of the draw means.
    pub mean: f64,
    /// Monte Carlo standard error of `mean`: sd of the draw means / √D.
    pub se: f64,
    pub param_low: f64,
    pub param_high: f64,
    pub stochastic_low: f64,
    pub stochastic_high: f64,
    /// NaN when every draw mean is the same.
    pub parameter_share: f64,
    /// `None` without a better direction.
    pub p_improve: Option<f64>,
    /// `None` without a better direction or a MID.
    pub p_important: Option<f64>,
}

/// The spread of `draws`; `None` when there are fewer than two draws, a draw has fewer than two
/// replications, or a value is not finite.
pub fn spread(draws: &[DrawEstimate], better: Better) -> Option<Spread> {
    let d = draws.len();
    if d < 2 || draws.iter().any(|e| e.n < 2 || !e.mean.is_finite() || !e.sd.is_finite()) {
        return None;
    }
    let df = d as f64;
    let mean = draws.iter().map(|e| e.mean).sum::<f64>() / df;
    let var_means = draws.iter().map(|e| (e.mean - mean).powi(2)).sum::<f64>() / (df - 1.0);
    let noise = draws.iter().map(|e| e.sd * e.sd / e.n as f64).sum::<f64>() / df;
    let replications = draws.iter().map(|e| e.n).min().expect("at least two draws");
    let half = t_quantile(0.975, replications - 1) * noise.sqrt();
    let mut sorted: Vec<f64> = draws.iter().map(|e| e.mean).collect();
    sorted.sort_by(f64::total_cmp);
    let sign = match better {
        Better::Higher => Some(1.0),
        Better::Lower => Some(-1.0),
        Better::Neither => None,
    };
    let share = |f: &dyn Fn(&DrawEstimate) -> bool| draws.iter().filter(|e| f(e)).count() as f64 / df;
    let p_improve = sign.map(|s| share(&|e| s * e.mean > 0.0));
    let p_important = match sign {
        Some(s) if draws.iter().all(|e| e.mid.is_some_and(f64::is_finite)) => {
            Some(share(&|e| s * e.mean > e.mid.expect("checked above")))
        }
        _ => None,
    };
    Some(Spread {
        draws: d,
        replications,
        mean,
        se: (var_means / df).sqrt(),
        param_low: quantile_sorted(&sorted, 0.025),
        param_high: quantile_sorted(&sorted, 0.975),
        stochastic_low: mean - half,
        stochastic_high: mean + half,
        parameter_share: if var_means > 0.0 { ((var_means - noise) / var_means).max(0.0) } else { f64::NAN },
        p_improve,
        p_important,
    })
}

/// The mean and the 2.5 and 97.5 % quantiles of `xs` (NaN when one is not finite or fewer than 2).
pub fn mean_interval(xs: &[f64]) -> (f64, f64, f64) {
    if xs.len() < 2 || xs.iter().any(|x| !x.is_finite()) {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    (mean, quantile_sorted(&s, 0.025), quantile_sorted(&s, 0.975))
}

/// One row of the chart of a result across draws: its label, one value per draw (an effect in
/// percent of the base, or a level's deviation in percent of its mean), and whether it improves
/// in at least 95 % of draws.
pub struct DrawRow {
    pub label: String,
    pub dots: Vec<f64>,
    pub improves: bool,
}

/// The words of that chart, in the caller's language.
pub struct DrawChartWords {
    pub title: String,
    pub x_label: String,
    pub estimate_label: String,
    pub dots_label: String,
    pub highlight_label: String,
}

/// The chart of results across draws: one dot per draw, the bar the parameter interval (the
/// 2.5–97.5 % quantiles of the dots) around their mean; a row without a finite interval is left
/// out. The command line's `uncertainty.svg` and the report draw it alike.
pub fn draws_chart(rows: Vec<DrawRow>, words: DrawChartWords) -> Chart {
    let rows = rows
        .into_iter()
        .filter_map(|r| {
            let (estimate, low, high) = mean_interval(&r.dots);
            estimate.is_finite().then_some(IntervalRow {
                label: r.label,
                estimate,
                low,
                high,
                marker: None,
                dots: r.dots,
                highlight: r.improves,
            })
        })
        .collect();
    Chart::Intervals(IntervalChart {
        title: words.title,
        x_label: words.x_label,
        rows,
        reference: Some(0.0),
        floor: None,
        estimate_label: words.estimate_label,
        marker_label: String::new(),
        dots_label: words.dots_label,
        highlight_label: words.highlight_label,
        width: 1000,
        // A wait whose base is near 0 changes by hundreds of percent: cut, not squashing the rest.
        robust: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(mean: f64, sd: f64, n: usize) -> DrawEstimate {
        DrawEstimate { mean, sd, n, mid: Some(0.5) }
    }

    #[test]
    fn intervals_and_shares_by_hand() {
        // Draw means 1, 2, 3, 4, −1; sd 2 with n = 4 each, so every draw mean has variance 1.
        let d =
            [draw(1.0, 2.0, 4), draw(2.0, 2.0, 4), draw(3.0, 2.0, 4), draw(4.0, 2.0, 4), draw(-1.0, 2.0, 4)];
        let s = spread(&d, Better::Higher).unwrap();
        assert_eq!(s.draws, 5);
        assert!((s.mean - 1.8).abs() < 1e-12);
        // Var of the means: (0.64 + 0.04 + 1.44 + 4.84 + 7.84) / 4 = 3.7.
        assert!((s.se - (3.7f64 / 5.0).sqrt()).abs() < 1e-12);
        // Type-7 quantiles of −1, 1, 2, 3, 4 at 2.5 %: −1 + 0.1 · 2; at 97.5 %: 3 + 0.9 · 1.
        assert!((s.param_low - (-0.8)).abs() < 1e-12);
        assert!((s.param_high - 3.9).abs() < 1e-12);
        // Stochastic: 1.8 ± t(0.975, 3) · 1.
        let t = t_quantile(0.975, 3);
        assert!((s.stochastic_low - (1.8 - t)).abs() < 1e-12);
        assert!((s.stochastic_high - (1.8 + t)).abs() < 1e-12);
        assert!((s.parameter_share - (3.7 - 1.0) / 3.7).abs() < 1e-12);
        assert_eq!(s.p_improve, Some(0.8));
        // Beyond the MID of 0.5: 1, 2, 3, 4.
        assert_eq!(s.p_important, Some(0.8));
        let lower = spread(&d, Better::Lower).unwrap();
        assert_eq!(lower.p_improve, Some(0.2));
        assert_eq!(lower.p_important, Some(0.2));
        let neither = spread(&d, Better::Neither).unwrap();
        assert_eq!((neither.p_improve, neither.p_important), (None, None));
    }

    #[test]
    fn replication_noise_alone_gives_no_parameter_share() {
        // Means spread less than their own noise: the whole spread is stochastic.
        let d = [draw(0.1, 4.0, 4), draw(-0.1, 4.0, 4), draw(0.0, 4.0, 4)];
        let s = spread(&d, Better::Neither).unwrap();
        assert_eq!(s.parameter_share, 0.0);
        let same = [draw(1.0, 1.0, 4), draw(1.0, 1.0, 4)];
        assert!(spread(&same, Better::Neither).unwrap().parameter_share.is_nan());
    }

    #[test]
    fn prior_draws_cover_each_prior_once_per_stratum() {
        let priors = [Prior::Uniform { lo: 2.0, hi: 4.0 }, Prior::LogUniform { lo: 0.01, hi: 1.0 }];
        let draws = prior_draws(&priors, 10, 7);
        assert_eq!(draws.len(), 10);
        let mut strata: Vec<usize> = draws.iter().map(|d| ((d[0] - 2.0) / 2.0 * 10.0) as usize).collect();
        strata.sort_unstable();
        assert_eq!(strata, (0..10).collect::<Vec<_>>());
        let mut decades: Vec<usize> =
            draws.iter().map(|d| ((d[1].log10() + 2.0) / 2.0 * 10.0) as usize).collect();
        decades.sort_unstable();
        assert_eq!(decades, (0..10).collect::<Vec<_>>());
        assert_eq!(draws, prior_draws(&priors, 10, 7));
        assert_ne!(draws, prior_draws(&priors, 10, 8));
    }

    #[test]
    fn posterior_sample_is_read_and_drawn_by_weight() {
        let text = "generation,index,weight,distance,a,b,sim:T1\n3,1,1,0.2,0.5,10,7\n3,2,3,0.1,0.6,20,8\n3,3,0,0.3,0.7,30,NA\n";
        let s = PosteriorSample::parse(text).unwrap();
        assert_eq!(s.keys, ["a", "b"]);
        assert_eq!(s.particles[1], (0.75, vec![0.6, 20.0]));
        // Systematic resampling of weights 1/4, 3/4, 0 with 8 draws: exactly 2 and 6.
        let d = s.draw(8, 1);
        assert_eq!(d.iter().filter(|&&i| i == 0).count(), 2);
        assert_eq!(d.iter().filter(|&&i| i == 1).count(), 6);
        assert!(d.windows(2).all(|w| w[0] <= w[1]));
        for bad in [
            "a,b\n1,2\n",
            "generation,index,weight,distance,sim:T\n1,1,1,0,1\n",
            "generation,index,weight,distance,a\n1,1,x,0,1\n",
            "generation,index,weight,distance,a\n1,1,-1,0,1\n",
            "generation,index,weight,distance,a\n1,1,0,0,1\n",
        ] {
            assert!(PosteriorSample::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn too_few_draws_or_replications_or_a_missing_value() {
        assert!(spread(&[draw(1.0, 1.0, 4)], Better::Higher).is_none());
        assert!(spread(&[draw(1.0, 1.0, 4), draw(1.0, 1.0, 1)], Better::Higher).is_none());
        assert!(spread(&[draw(1.0, 1.0, 4), draw(f64::NAN, 1.0, 4)], Better::Higher).is_none());
        let no_mid = [DrawEstimate { mid: None, ..draw(1.0, 1.0, 4) }, draw(2.0, 1.0, 4)];
        let s = spread(&no_mid, Better::Higher).unwrap();
        assert_eq!((s.p_improve, s.p_important), (Some(1.0), None));
    }
}
