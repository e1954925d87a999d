//! Experimental designs: full factorial grids and Latin hypercubes.
//!
//! Pure functions of their arguments: the same call gives the same design on every machine.
//! The Latin hypercube draws from its own SplitMix64 generator (Steele, Lea and Flood 2014)
//! seeded by the caller, so this crate needs no random-number dependency and a design never
//! depends on anything but its seed.

/// Every combination of `levels[j]` levels per factor, as level indices; the first factor varies
/// slowest (like nested loops, and like R's `expand.grid` read right to left). An empty factor
/// list gives one empty point; a factor with no levels gives no points.
pub fn grid(levels: &[usize]) -> Vec<Vec<usize>> {
    let mut points = vec![Vec::new()];
    for &n in levels {
        points = points
            .into_iter()
            .flat_map(|p| {
                (0..n).map(move |i| {
                    let mut q = p.clone();
                    q.push(i);
                    q
                })
            })
            .collect();
    }
    points
}

/// A Latin hypercube of `n` points in `dims` dimensions on the unit cube [0, 1)^dims (McKay,
/// Beckman and Conover 1979): in every dimension, each of the `n` equal strata
/// [k/n, (k+1)/n) holds exactly one point, placed uniformly at random inside it; strata are
/// paired across dimensions by independent random permutations. Map a coordinate `u` to a
/// parameter range with `lo + u · (hi − lo)`.
pub fn latin_hypercube(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = SplitMix64(seed);
    let mut points = vec![vec![0.0; dims]; n];
    for d in 0..dims {
        let mut strata: Vec<usize> = (0..n).collect();
        // Fisher–Yates shuffle.
        for i in (1..n).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            strata.swap(i, j);
        }
        for (point, &k) in points.iter_mut().zip(&strata) {
            point[d] = (k as f64 + rng.unit()) / n as f64;
        }
    }
    points
}

/// SplitMix64: a small, fast generator with a 64-bit state, good enough for placing design
/// points (it passes BigCrush), never used for the simulation itself.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform on [0, 1) with 53 random bits.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in 0..n (n > 0), without modulo bias (Lemire's rejection).
    fn below(&mut self, n: u64) -> u64 {
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_enumerates_every_combination_first_factor_slowest() {
        assert_eq!(
            grid(&[2, 3]),
            vec![vec![0, 0], vec![0, 1], vec![0, 2], vec![1, 0], vec![1, 1], vec![1, 2]]
        );
        assert_eq!(grid(&[]), vec![Vec::<usize>::new()]);
        assert!(grid(&[2, 0]).is_empty());
        assert_eq!(grid(&[4, 5, 6]).len(), 120);
    }

    #[test]
    fn latin_hypercube_fills_every_stratum_once() {
        for &(n, dims) in &[(1, 1), (7, 3), (50, 4)] {
            let pts = latin_hypercube(n, dims, 42);
            assert_eq!(pts.len(), n);
            for d in 0..dims {
                let mut seen = vec![false; n];
                for p in &pts {
                    assert!((0.0..1.0).contains(&p[d]));
                    let k = (p[d] * n as f64) as usize;
                    assert!(!seen[k], "stratum {k} of dimension {d} used twice");
                    seen[k] = true;
                }
                assert!(seen.iter().all(|&s| s));
            }
        }
    }

    #[test]
    fn latin_hypercube_is_reproducible_and_depends_on_the_seed() {
        assert_eq!(latin_hypercube(20, 3, 7), latin_hypercube(20, 3, 7));
        assert_ne!(latin_hypercube(20, 3, 7), latin_hypercube(20, 3, 8));
        // Dimensions are paired by independent permutations: with 20 points, two identical
        // orderings would happen with probability 1/20!.
        let pts = latin_hypercube(20, 2, 7);
        let order = |d: usize| {
            let mut idx: Vec<usize> = (0..20).collect();
            idx.sort_by(|&a, &b| pts[a][d].total_cmp(&pts[b][d]));
            idx
        };
        assert_ne!(order(0), order(1));
    }

    #[test]
    fn latin_hypercube_margins_are_uniform() {
        // Each margin of 1,000 points has mean 1/2, with SD at most 1/√(12 n) ≈ 0.0091 (that of
        // pure random sampling; stratification makes it much smaller): 4 SD is the tolerance.
        // The margin mean alone would not see points placed at a fixed spot inside their
        // stratum (always at its lower edge moves the mean by only 1/(2n) = 0.0005), so the
        // offsets inside strata are checked too: uniform on [0, 1), mean 1/2, SD 0.0091.
        let pts = latin_hypercube(1000, 2, 3);
        for d in 0..2 {
            let mean = pts.iter().map(|p| p[d]).sum::<f64>() / 1000.0;
            assert!((mean - 0.5).abs() < 4.0 * 0.0091, "mean {mean}");
            let off = pts.iter().map(|p| p[d] * 1000.0 - (p[d] * 1000.0).floor()).sum::<f64>() / 1000.0;
            assert!((off - 0.5).abs() < 4.0 * 0.0091, "offset mean {off}");
        }
    }
}
