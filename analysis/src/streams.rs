//! Seeded streams for the calibration and screening designs.
//!
//! Every draw in [`crate::abc`] and [`crate::morris`] comes from a Xoshiro256++ generator seeded
//! from a hash of a list of words (the master seed, a purpose tag, a generation, an index …), so
//! that a proposal or a trajectory is a pure function of its name: it does not depend on which
//! other proposals were drawn, in what order, on how many threads or on which machine. The hash is
//! the SplitMix64 finaliser chained over the words, the same construction as the model's
//! `sim/rng.rs` (this crate cannot depend on the model, ARCHITECTURE.md invariant 2).

use rand::{Rng as _, SeedableRng};
pub(crate) use rand_xoshiro::Xoshiro256PlusPlus as Rng;

/// SplitMix64 finaliser (Steele, Lea and Flood 2014): a bijective 64-bit mixer.
const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Hashes a sequence of words into one seed; order matters.
pub(crate) fn hash_words(words: &[u64]) -> u64 {
    let mut h = 0x6a09_e667_f3bc_c909_u64; // fractional part of √2, a nothing-up-my-sleeve start
    for &w in words {
        h = mix64(h ^ mix64(w.wrapping_add(0x9e37_79b9_7f4a_7c15)));
    }
    h
}

/// A generator named by `words`.
pub(crate) fn stream(words: &[u64]) -> Rng {
    Rng::seed_from_u64(hash_words(words))
}

/// A uniform number in the open interval (0, 1): 53 random bits, offset by half a step, so that
/// its logit is always finite.
pub(crate) fn open01(rng: &mut Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_named_and_open01_is_inside() {
        let a = stream(&[1, 2, 3]).next_u64();
        assert_eq!(a, stream(&[1, 2, 3]).next_u64());
        assert_ne!(a, stream(&[1, 2, 4]).next_u64());
        assert_ne!(a, stream(&[1, 3, 2]).next_u64());
        let mut rng = stream(&[9]);
        for _ in 0..10_000 {
            let u = open01(&mut rng);
            assert!(u > 0.0 && u < 1.0);
        }
    }
}
