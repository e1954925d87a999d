//! Seeded random streams.
//!
//! Every draw in a replication comes from a stream named by (master seed, replication, purpose,
//! key, counter) — never from a global or thread-local generator (clippy's `disallowed_methods`
//! enforces it). The key is a patient id, a facility index or a day, depending on the purpose.
//! Because a patient's disease stream depends only on the seed, the replication, the patient's id
//! and how many disease draws that patient has made, two scenarios run with the same seed face the
//! same patients and, as long as their care does not differ, the same disease histories: common
//! random numbers.
//!
//! Streams are Xoshiro256++ generators (named, so that seeds reproduce across rand releases),
//! seeded from a SplitMix64 hash of the stream's name.

use rand::SeedableRng;
pub use rand_xoshiro::Xoshiro256PlusPlus as Rng;

/// What a stream is for. The discriminant is part of every stream's name: never reorder. A new
/// purpose goes after the last one, and `PURPOSES` below must name it (its hash prefix table is
/// indexed by the discriminant; a purpose past the table panics on its first stream).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Synthesis of the initial population (one stream per replication).
    Population = 1,
    /// A patient's disease transitions (key: patient id).
    Disease = 2,
    /// A patient's care: choices, visit outcomes, referrals (key: patient id).
    Care = 3,
    /// New chronic patients entering the cohort (key: day).
    Onset = 4,
    /// Non-residents' outpatient and emergency arrivals at a facility (key: facility name and day).
    NonresidentVisits = 5,
    /// A ward's background admissions and every length of stay drawn there (key: a hash of "facility/ward").
    Ward = 6,
    /// The order of a clinic's booking queue (agents, residents and non-residents), and what
    /// follows a resident's visit (key: facility name and day).
    Booking = 7,
    /// Draws made when a policy lever switches on (key: ward, or patient id for signing).
    Policy = 8,
    /// A stratum of residents without a chronic condition: its visits of a day, their severity
    /// and choice, its emergency visits (key: the stratum's key and the day).
    Residents = 9,
    /// An operating list: its bookings by non-agents, emergencies, cancellations and turning
    /// away (key: a hash of "facility/ward").
    Theatre = 10,
}

/// SplitMix64 finaliser (Steele, Lea and Flood 2014): a bijective 64-bit mixer.
pub const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Hashes a sequence of words into one seed; order matters.
pub fn hash_words(words: &[u64]) -> u64 {
    // fractional part of √2, a nothing-up-my-sleeve start
    hash_more(0x6a09_e667_f3bc_c909_u64, words)
}

/// Continues `hash_words` from the hash `h` of a prefix: `hash_more(hash_words(a), b)` is
/// `hash_words` of `a` followed by `b`.
#[inline]
fn hash_more(mut h: u64, words: &[u64]) -> u64 {
    for &w in words {
        h = mix64(h ^ mix64(w.wrapping_add(0x9e37_79b9_7f4a_7c15)));
    }
    h
}

/// The number of `Purpose` discriminants plus one (they start at 1).
const PURPOSES: usize = Purpose::Theatre as usize + 1;

/// A stream key from a name (FNV-1a), so that a facility's streams do not depend on its position
/// in the scenario: adding a facility leaves every other facility's draws unchanged.
pub fn name_key(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// The generator `Rng::seed_from_u64(seed)` gives — its state is the next four outputs of a
/// SplitMix64 generator started at `seed` — built without going through a byte-filling
/// generator: a patient's short streams are seeded a few times per event. Building the state
/// directly saved 1.2 % of a 90-day baseline run's instructions (callgrind, BENCHMARKS.md, "Seeding a
/// patient's streams"). `Rng::from_seed` keeps the all-zero fallback.
#[inline]
fn seeded(seed: u64) -> Rng {
    let mut state = [0u8; 32];
    let mut x = seed;
    for word in state.chunks_exact_mut(8) {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        word.copy_from_slice(&mix64(x).to_le_bytes());
    }
    Rng::from_seed(state)
}

/// The stream factory of one replication.
#[derive(Debug, Clone, Copy)]
pub struct Streams {
    /// `hash_words(&[replication seed, purpose])` for each purpose's discriminant: every
    /// stream's name starts with these two words, so their half of the hash is computed once.
    prefix: [u64; PURPOSES],
}

impl Streams {
    /// Streams for `replication` of an experiment with `master_seed`. The replication seed is a
    /// hash of both, never `seed + replication`, so experiments with nearby seeds do not overlap.
    pub fn new(master_seed: u64, replication: u32) -> Streams {
        let replication_seed = hash_words(&[master_seed, u64::from(replication)]);
        Streams { prefix: std::array::from_fn(|purpose| hash_words(&[replication_seed, purpose as u64])) }
    }

    /// A stream for `purpose` and `key`.
    pub fn stream(&self, purpose: Purpose, key: u64) -> Rng {
        seeded(hash_more(self.prefix[purpose as usize], &[key]))
    }

    /// The `counter`-th short stream of a patient for `purpose`. The caller advances the
    /// patient's counter once per use, so each use gets fresh, reproducible numbers.
    pub fn patient(&self, purpose: Purpose, patient_id: u32, counter: u32) -> Rng {
        seeded(hash_more(self.prefix[purpose as usize], &[u64::from(patient_id), u64::from(counter)]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn a_stream_is_seeded_as_seed_from_u64_seeds_it() {
        // The edge seeds, then a spread of hashed ones: the state and the first draws agree.
        let seeds = [0, 1, u64::MAX, 0x9e37_79b9_7f4a_7c15, 0u64.wrapping_sub(0x9e37_79b9_7f4a_7c15)];
        for seed in seeds.into_iter().chain((0..10_000).map(|i| hash_words(&[i]))) {
            let mut fast = seeded(seed);
            let mut generic = Rng::seed_from_u64(seed);
            assert_eq!(fast, generic, "seed {seed}");
            for _ in 0..3 {
                assert_eq!(fast.random::<u64>(), generic.random::<u64>(), "seed {seed}");
            }
        }
    }

    #[test]
    fn a_streams_name_is_hashed_whole() {
        // The stored prefixes give the hash of the whole name: (replication seed, purpose, key…).
        let (master, replication) = (20_260_101, 3);
        let s = Streams::new(master, replication);
        let seed = hash_words(&[master, u64::from(replication)]);
        for purpose in [Purpose::Population, Purpose::Disease, Purpose::Care, Purpose::Theatre] {
            for key in [0, 1, 77, u64::MAX] {
                let whole = seeded(hash_words(&[seed, purpose as u64, key]));
                assert_eq!(s.stream(purpose, key), whole);
            }
            for (id, counter) in [(0, 0), (5, 1), (u32::MAX, u32::MAX)] {
                let whole = seeded(hash_words(&[seed, purpose as u64, u64::from(id), u64::from(counter)]));
                assert_eq!(s.patient(purpose, id, counter), whole);
            }
        }
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let s = Streams::new(7, 0);
        let a: u64 = s.stream(Purpose::Ward, 3).random();
        let b: u64 = Streams::new(7, 0).stream(Purpose::Ward, 3).random();
        let c: u64 = s.stream(Purpose::Ward, 4).random();
        let d: u64 = Streams::new(7, 1).stream(Purpose::Ward, 3).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
        let p1: f64 = s.patient(Purpose::Disease, 10, 0).random();
        let p2: f64 = s.patient(Purpose::Disease, 10, 1).random();
        assert_ne!(p1, p2);
    }
}
