//! Typed simulation time.
//!
//! An instant is a [`SimTime`]: days since the start of the run as `f64` (never `f32`: a 10-year
//! run needs sub-minute precision at day 3,650). A whole simulated day is a [`Day`]. Durations are
//! plain `f64` values whose names end in `_days`. Day 0 is a Monday, so `day % 7` is the weekday
//! index (0 = Monday … 6 = Sunday).

/// Days in a year, for converting rates given per year (files, outputs) to per day.
pub const DAYS_PER_YEAR: f64 = 365.25;

/// An instant: days since the start of the run.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct SimTime(pub f64);

impl SimTime {
    /// The day this instant falls in.
    pub fn day(self) -> Day {
        Day(self.0.floor() as u32)
    }
    /// This instant moved later by `days`.
    pub fn after(self, days: f64) -> SimTime {
        SimTime(self.0 + days)
    }
    /// Days from `earlier` to `self`.
    pub fn since(self, earlier: SimTime) -> f64 {
        self.0 - earlier.0
    }
}

/// A whole simulated day, counted from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Day(pub u32);

impl Day {
    /// The instant at the start of this day.
    pub fn start(self) -> SimTime {
        SimTime(f64::from(self.0))
    }
    /// Weekday index: 0 = Monday … 6 = Sunday.
    pub fn weekday(self) -> usize {
        (self.0 % 7) as usize
    }
    pub fn plus(self, days: u32) -> Day {
        Day(self.0 + days)
    }
}

/// The position of an instant inside its day, as a 32-bit fixed-point fraction (resolution
/// 2⁻³² day ≈ 20 µs). Calendar entries store it so that an entry costs 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct DayFraction(pub u32);

impl DayFraction {
    const SCALE: f64 = 4_294_967_296.0;
    /// The fraction of `t` inside its day.
    pub fn of(t: SimTime) -> DayFraction {
        let f = t.0 - t.0.floor();
        DayFraction(((f * Self::SCALE) as u64).min(u64::from(u32::MAX)) as u32)
    }
    /// The instant at this fraction of `day`.
    pub fn on(self, day: Day) -> SimTime {
        SimTime(f64::from(day.0) + f64::from(self.0) / Self::SCALE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_round_trip_within_resolution() {
        let t = SimTime(123.456_789);
        let back = DayFraction::of(t).on(t.day());
        assert!((back.0 - t.0).abs() < 1e-9);
        assert_eq!(Day(8).weekday(), 1);
    }
}
