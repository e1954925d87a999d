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
    /// Mean visits a day by non-residents, before the weekday profile.
    pub nonresident_per_day: f64,
    /// Non-residents' visits for each weekday: the daily mean spread in proportion to capacity.
    nonresident_by_weekday: [f64; 7],
    /// The wait this clinic publishes (exponentially smoothed booking wait), in days.
    pub published_wait_days: f64,
    /// Sum and number of booking waits today (for the published wait).
    pub wait_sum_today: f64,
    pub bookings_today: u32,
    /// Slots of each weekday held for referrals (reserved referral slots); 0 without the lever.
    reserved_per_weekday: [u32; 7],
    /// Held slots still free, by ring position like `free`.
    reserved: Vec<u32>,
    /// A held slot still free this many days before its day is released to everyone.
    release_days: u32,
    /// Signed patients book first.
    pub signed_priority: bool,
}

impl SlotBook {
    pub fn new(p: &ClinicParams, horizon_days: u32) -> SlotBook {
        let horizon = horizon_days.max(1);
        let free = (0..horizon).map(|d| p.slots_per_weekday[(d % 7) as usize]).collect();
        let total: u32 = p.slots_per_weekday.iter().sum();
        let mut nonresident_by_weekday = [p.nonresident_visits_per_day; 7];
        if total > 0 {
            for (d, b) in nonresident_by_weekday.iter_mut().enumerate() {
                *b =
                    p.nonresident_visits_per_day * 7.0 * f64::from(p.slots_per_weekday[d]) / f64::from(total);
            }
        }
        SlotBook {
            kind: p.kind,
            slots_per_weekday: p.slots_per_weekday,
            free,
            today: 0,
            first_free: 0,
            nonresident_per_day: p.nonresident_visits_per_day,
            nonresident_by_weekday,
            published_wait_days: 0.0,
            wait_sum_today: 0.0,
            bookings_today: 0,
            reserved_per_weekday: [0; 7],
            reserved: vec![0; horizon as usize],
            release_days: 0,
            signed_priority: p.signed_priority,
        }
    }

    /// Sets the capacity of each weekday from today on (a lever switched on): every day already
    /// in the book gains or loses the difference in free slots (never below zero; bookings made
    /// stand). Held slots are part of the capacity.
    pub fn set_capacity(&mut self, slots_per_weekday: [u32; 7]) {
        let h = self.horizon();
        for d in self.today..self.today + h {
            let w = (d % 7) as usize;
            let i = (d % h) as usize;
            let delta = i64::from(slots_per_weekday[w]) - i64::from(self.slots_per_weekday[w]);
            self.free[i] = (i64::from(self.free[i]) + delta).max(0) as u32;
        }
        self.slots_per_weekday = slots_per_weekday;
        self.first_free = self.today;
    }

    /// Weekly capacity.
    pub fn slots_per_week(&self) -> u32 {
        self.slots_per_weekday.iter().sum()
    }

    pub fn slots_per_weekday(&self) -> [u32; 7] {
        self.slots_per_weekday
    }

    /// Holds `reserved_per_weekday` of each day's slots for referrals from today on; held slots
    /// still free `release_days` before their day go to everyone (0: on the day itself). Days
    /// already in the book beyond the release horizon hold what is still free of their share.
    pub fn set_reserved(&mut self, reserved_per_weekday: [u32; 7], release_days: u32) {
        self.reserved_per_weekday = reserved_per_weekday;
        self.release_days = release_days;
        let h = self.horizon();
        for d in self.today..self.today + h {
            let i = (d % h) as usize;
            if d > self.today + release_days {
                let hold = reserved_per_weekday[(d % 7) as usize].min(self.free[i]);
                self.free[i] -= hold;
                self.reserved[i] += hold;
            }
        }
    }

    /// Books one slot for a referred patient on the earliest day from `earliest` to `latest` with
    /// a held or a public slot free (held slots first).
    pub fn book_referred_between(&mut self, earliest: Day, latest: Day) -> Option<Day> {
        let h = self.horizon();
        for day in earliest.0.max(self.today)..(self.today + h).min(latest.0.saturating_add(1)) {
            let i = (day % h) as usize;
            let pool = if self.reserved[i] > 0 {
                &mut self.reserved[i]
            } else if self.free[i] > 0 {
                &mut self.free[i]
            } else {
                continue;
            };
            *pool -= 1;
            // Published like any wait: from the first day the visit could take place.
            self.wait_sum_today += f64::from(day - earliest.0.max(self.today));
            self.bookings_today += 1;
            return Some(Day(day));
        }
        None
    }

    fn horizon(&self) -> u32 {
        self.free.len() as u32
    }

    /// Mean visits by non-residents expected on `day`.
    pub fn nonresident_mean(&self, day: Day) -> f64 {
        self.nonresident_by_weekday[day.weekday()]
    }

    /// Share of the week's slots on `day`'s weekday, × 7 (1 for an even week; 1 without slots).
    pub fn weekday_factor(&self, day: Day) -> f64 {
        let total: u32 = self.slots_per_weekday.iter().sum();
        if total == 0 {
            1.0
        } else {
            7.0 * f64::from(self.slots_per_weekday[day.weekday()]) / f64::from(total)
        }
    }

    /// Moves the book to `day`: days before it leave, new days enter at full capacity.
    pub fn advance_to(&mut self, day: Day) {
        let h = self.horizon();
        while self.today < day.0 {
            let entering = self.today + h;
            let i = (entering % h) as usize;
            let w = (entering % 7) as usize;
            // The entering day is h − 1 days ahead: held only if that is beyond the release horizon.
            let hold = if self.release_days + 1 < h { self.reserved_per_weekday[w] } else { 0 };
            self.free[i] = self.slots_per_weekday[w] - hold.min(self.slots_per_weekday[w]);
            self.reserved[i] = hold.min(self.slots_per_weekday[w]);
            self.today += 1;
            // The day that now comes within the release horizon gives its held slots to everyone.
            let released = self.today + self.release_days;
            if self.reserved_per_weekday != [0; 7] && released < self.today + h {
                let j = (released % h) as usize;
                self.free[j] += std::mem::take(&mut self.reserved[j]);
                self.first_free = self.first_free.min(released);
            }
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
        self.book_within(Day(u32::MAX))
    }

    /// Books one slot on the earliest day with one free, if that day is `latest` or earlier;
    /// `None` (and nothing booked) otherwise.
    pub fn book_within(&mut self, latest: Day) -> Option<Day> {
        self.book_first_free(self.today, latest)
    }

    /// [`Self::book_within`], for a request that could take place from day `origin` on: the
    /// published wait counts from there, not from today.
    fn book_first_free(&mut self, origin: u32, latest: Day) -> Option<Day> {
        let h = self.horizon();
        while self.first_free < self.today + h && self.first_free <= latest.0 {
            let i = (self.first_free % h) as usize;
            if self.free[i] > 0 {
                self.free[i] -= 1;
                let day = self.first_free;
                self.wait_sum_today += f64::from(day - origin.clamp(self.today, day));
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
        self.book_between(earliest, Day(u32::MAX))
    }

    /// Books one slot on the earliest day from `earliest` to `latest` with one free.
    pub fn book_between(&mut self, earliest: Day, latest: Day) -> Option<Day> {
        if earliest.0 <= self.first_free {
            return self.book_first_free(earliest.0, latest);
        }
        let h = self.horizon();
        for day in earliest.0..(self.today + h).min(latest.0.saturating_add(1)) {
            let i = (day % h) as usize;
            if self.free[i] > 0 {
                self.free[i] -= 1;
                self.wait_sum_today += f64::from(day - earliest.0.max(self.today));
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

    /// Folds today's booking waits (each from the first day its visit could take place, as the
    /// recorded waits are) into the published wait (exponential smoothing with time
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
        let i = (self.today % h) as usize;
        self.slots_per_weekday[(self.today % 7) as usize].saturating_sub(self.free[i] + self.reserved[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_wait_runs_from_the_first_possible_day() {
        let p = ClinicParams {
            kind: ClinicKind::Specialist,
            slots_per_weekday: [1; 7],
            nonresident_visits_per_day: 0.0,
            signed_priority: false,
            family_doctors: None,
        };
        let mut b = SlotBook::new(&p, 30);
        // A visit that cannot take place before day 5 (a referral being processed, a follow-up
        // planned ahead) and gets day 5 waited 0 days; one booked from today for day 1, 1 day.
        assert_eq!(b.book_between(Day(5), Day(29)), Some(Day(5)));
        assert_eq!(b.book_referred_between(Day(7), Day(29)), Some(Day(7)));
        b.book(); // day 0
        assert_eq!(b.book(), Some(Day(1)));
        // Four bookings: waits 0, 0, 0, 1; smoothing over one day gives α = 1 − e^−1.
        b.publish(1.0);
        let alpha = 1.0 - (-1.0f64).exp();
        assert!((b.published_wait_days - alpha * 0.25).abs() < 1e-12, "{}", b.published_wait_days);
    }

    #[test]
    fn books_earliest_free_day_and_rolls_forward() {
        let p = ClinicParams {
            kind: ClinicKind::Specialist,
            slots_per_weekday: [2, 2, 2, 2, 2, 0, 0],
            nonresident_visits_per_day: 0.0,
            signed_priority: false,
            family_doctors: None,
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
        // A patient who accepts no wait beyond day 4 finds day 4 full and books nothing.
        assert_eq!(b.book_within(Day(4)), None);
        assert_eq!(b.book_within(Day(7)), Some(Day(7)));
        assert_eq!(b.book_between(Day(8), Day(8)), Some(Day(8)));
    }

    #[test]
    fn held_slots_go_to_referrals_until_released() {
        let p = ClinicParams {
            kind: ClinicKind::Specialist,
            slots_per_weekday: [10; 7],
            nonresident_visits_per_day: 0.0,
            signed_priority: false,
            family_doctors: None,
        };
        let mut b = SlotBook::new(&p, 7);
        // 4 of each day's 10 slots are held; held slots still free 1 day ahead are released, so
        // days 0 and 1 are all public and days 2.. hold 4.
        b.set_reserved([4; 7], 1);
        assert_eq!(b.book_many(20), (20, 10.0));
        assert_eq!(b.book(), Some(Day(2)));
        // A referral takes a held slot of day 2.
        assert_eq!(b.book_referred_between(Day(1), Day(9)), Some(Day(2)));
        // The public fills day 2's 5 remaining public slots, then moves on to day 3.
        assert_eq!(b.book_many(5), (5, 10.0));
        assert_eq!(b.book(), Some(Day(3)));
        // Moving to day 1 releases day 2's 3 held slots still free: the public gets them.
        b.advance_to(Day(1));
        assert_eq!(b.book(), Some(Day(2)));
        assert_eq!(b.used_today(), 10);
    }

    #[test]
    fn capacity_changes_apply_to_days_already_in_the_book() {
        let p = ClinicParams {
            kind: ClinicKind::Specialist,
            slots_per_weekday: [4; 7],
            nonresident_visits_per_day: 0.0,
            signed_priority: false,
            family_doctors: None,
        };
        let mut b = SlotBook::new(&p, 5);
        assert_eq!(b.book_many(6), (6, 2.0));
        b.set_capacity([2; 7]);
        // Day 0 had 0 free (stays 0), day 1 had 2 free and loses 2, days 2.. have 2 each.
        assert_eq!(b.book(), Some(Day(2)));
        assert_eq!(b.slots_per_week(), 14);
    }
}
