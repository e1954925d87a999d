//! An outpatient clinic's appointment book, in whole days.
//!
//! The book holds the free slots of each day from today to today + horizon − 1 in a ring. A
//! request books the earliest day with a free slot (same day if one is left); a request that finds
//! no slot inside the horizon is turned away. Each day the oldest day leaves the ring and a new
//! day enters with the capacity of its weekday.

use crate::params::{ClinicKind, ClinicParams};
use crate::time::Day;

#[derive(Debug, Clone)]
pub struct SlotBook {
    pub kind: ClinicKind,
    slots_per_weekday: [u32; 7],
    /// Free slots of day d at index d % horizon, for d in today .. today + horizon.
    free: Vec<u32>,
    today: u32,
    /// Earliest day (≥ today) that may still have a free slot.
    first_free: u32,
    /// Mean background visits a day, before the weekday profile.
    pub background_per_day: f64,
    /// Background visits for each weekday: the daily mean spread in proportion to capacity.
    background_by_weekday: [f64; 7],
    /// The wait this clinic publishes (exponentially smoothed booking wait), in days.
    pub published_wait_days: f64,
    /// Sum and number of booking waits today (for the published wait).
    pub wait_sum_today: f64,
    pub bookings_today: u32,
}

impl SlotBook {
    pub fn new(p: &ClinicParams, horizon_days: u32) -> SlotBook {
        let horizon = horizon_days.max(1);
        let free = (0..horizon).map(|d| p.slots_per_weekday[(d % 7) as usize]).collect();
        let total: u32 = p.slots_per_weekday.iter().sum();
        let mut background_by_weekday = [p.background_visits_per_day; 7];
        if total > 0 {
            for (d, b) in background_by_weekday.iter_mut().enumerate() {
                *b = p.background_visits_per_day * 7.0 * f64::from(p.slots_per_weekday[d]) / f64::from(total);
            }
        }
        SlotBook {
            kind: p.kind,
            slots_per_weekday: p.slots_per_weekday,
            free,
            today: 0,
            first_free: 0,
            background_per_day: p.background_visits_per_day,
            background_by_weekday,
            published_wait_days: 0.0,
            wait_sum_today: 0.0,
            bookings_today: 0,
        }
    }

    fn horizon(&self) -> u32 {
        self.free.len() as u32
    }

    /// Mean background visits expected on `day`.
    pub fn background_mean(&self, day: Day) -> f64 {
        self.background_by_weekday[day.weekday()]
    }

    /// Moves the book to `day`: days before it leave, new days enter at full capacity.
    pub fn advance_to(&mut self, day: Day) {
        let h = self.horizon();
        while self.today < day.0 {
            let entering = self.today + h;
            self.free[(entering % h) as usize] = self.slots_per_weekday[(entering % 7) as usize];
            self.today += 1;
        }
        self.first_free = self.first_free.max(self.today);
        // A day that entered may have capacity before `first_free` only if `first_free` ran past
        // the horizon; restart the scan from today in that case.
        if self.first_free >= self.today + h {
            self.first_free = self.today;
        }
    }

    /// Books one slot on the earliest day with one free; returns the day, or `None` if the book
    /// is full for the whole horizon.
    pub fn book(&mut self) -> Option<Day> {
        let h = self.horizon();
        while self.first_free < self.today + h {
            let i = (self.first_free % h) as usize;
            if self.free[i] > 0 {
                self.free[i] -= 1;
                let day = self.first_free;
                self.wait_sum_today += f64::from(day - self.today);
                self.bookings_today += 1;
                return Some(Day(day));
            }
            self.first_free += 1;
        }
        None
    }

    /// Books one slot on the earliest day on or after `earliest` with one free (the referral
    /// stage books from tomorrow: today's visits have already been seen).
    pub fn book_from(&mut self, earliest: Day) -> Option<Day> {
        if earliest.0 <= self.first_free {
            return self.book();
        }
        let h = self.horizon();
        for day in earliest.0..self.today + h {
            let i = (day % h) as usize;
            if self.free[i] > 0 {
                self.free[i] -= 1;
                self.wait_sum_today += f64::from(day - self.today);
                self.bookings_today += 1;
                return Some(Day(day));
            }
        }
        None
    }

    /// Books up to `n` slots, earliest first; returns the number booked and the sum of their waits
    /// in days, and whether any were turned away is `booked < n`.
    pub fn book_many(&mut self, n: u32) -> (u32, f64) {
        let h = self.horizon();
        let mut left = n;
        let mut wait_sum = 0.0;
        while left > 0 && self.first_free < self.today + h {
            let i = (self.first_free % h) as usize;
            let take = self.free[i].min(left);
            self.free[i] -= take;
            left -= take;
            wait_sum += f64::from(take) * f64::from(self.first_free - self.today);
            if self.free[i] == 0 {
                self.first_free += 1;
            }
        }
        let booked = n - left;
        self.wait_sum_today += wait_sum;
        self.bookings_today += booked;
        (booked, wait_sum)
    }

    /// Folds today's booking waits into the published wait (exponential smoothing with time
    /// constant `smoothing_days`) and clears today's sums.
    pub fn publish(&mut self, smoothing_days: f64) {
        if self.bookings_today > 0 {
            let today = self.wait_sum_today / f64::from(self.bookings_today);
            let alpha = 1.0 - (-1.0 / smoothing_days).exp();
            self.published_wait_days += alpha * (today - self.published_wait_days);
        }
        self.wait_sum_today = 0.0;
        self.bookings_today = 0;
    }

    /// Capacity of `day`'s weekday.
    pub fn capacity(&self, day: Day) -> u32 {
        self.slots_per_weekday[day.weekday()]
    }
}

impl SlotBook {
    /// Slots taken on the book's current day (call before the book moves on).
    pub fn used_today(&self) -> u32 {
        let h = self.horizon();
        self.slots_per_weekday[(self.today % 7) as usize] - self.free[(self.today % h) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn books_earliest_free_day_and_rolls_forward() {
        let p = ClinicParams {
            kind: ClinicKind::Specialist,
            slots_per_weekday: [2, 2, 2, 2, 2, 0, 0],
            background_visits_per_day: 0.0,
        };
        let mut b = SlotBook::new(&p, 10);
        assert_eq!(b.book(), Some(Day(0)));
        assert_eq!(b.book(), Some(Day(0)));
        assert_eq!(b.book(), Some(Day(1)));
        assert_eq!(b.book_many(5), (5, 1.0 + 2.0 * 2.0 + 2.0 * 3.0));
        // Days 5 and 6 are the weekend (no slots); day 7 is Monday.
        b.advance_to(Day(4));
        assert_eq!(b.book(), Some(Day(4)));
        assert_eq!(b.book(), Some(Day(4)));
        assert_eq!(b.book(), Some(Day(7)));
        assert_eq!(b.capacity(Day(12)), 0);
    }
}
