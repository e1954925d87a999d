//! Day calendars: per-day buckets of patient events.
//!
//! A patient's next disease transition, next care need and booked visit are each one entry in a
//! bucket for the day they fall on, so a stable patient costs nothing on a day without an event.
//! Buckets cover the whole run (one `Vec` header per day), so there is no overflow list; entries
//! past the end of the run are dropped. An entry is invalidated, not removed, when a patient's
//! state changes: it carries the patient's epoch for that calendar and is skipped when the
//! epochs differ. Inside a bucket, entries keep their insertion order, which is deterministic
//! because a replication runs on one thread.

use crate::time::Day;
use bevy_ecs::entity::Entity;

/// One pending event: 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub patient: Entity,
    /// Event payload: a [`crate::time::DayFraction`] for disease events, a packed visit for
    /// booked visits, a care-need kind for care events.
    pub data: u32,
    /// The patient's epoch for this calendar when the entry was made.
    pub epoch: u16,
    pub kind: u8,
}

#[derive(Debug, Default)]
pub struct DayCalendar {
    buckets: Vec<Vec<Entry>>,
    /// The first day whose bucket has not been taken yet.
    open: u32,
}

impl DayCalendar {
    pub fn new(days: u32) -> DayCalendar {
        DayCalendar { buckets: (0..days).map(|_| Vec::new()).collect(), open: 0 }
    }

    /// The first day whose bucket has not been taken yet: an entry for an earlier day would
    /// never be read, so callers file such entries here instead.
    pub fn first_open_day(&self) -> Day {
        Day(self.open)
    }

    /// Files `entry` under `day`; a day past the end of the run is dropped. A day already taken
    /// is a caller's error (see [`Self::first_open_day`]).
    pub fn push(&mut self, day: Day, entry: Entry) {
        debug_assert!(day.0 >= self.open, "entry filed for day {} after that day was taken", day.0);
        let day = day.max(Day(self.open));
        if let Some(bucket) = self.buckets.get_mut(day.0 as usize) {
            bucket.push(entry);
        }
    }

    /// Takes the entries of `day`, leaving its bucket empty (and its memory freed).
    pub fn take(&mut self, day: Day) -> Vec<Entry> {
        self.open = self.open.max(day.0 + 1);
        self.buckets.get_mut(day.0 as usize).map(std::mem::take).unwrap_or_default()
    }

    /// Heap bytes held by the buckets.
    pub fn heap_bytes(&self) -> usize {
        self.buckets.iter().map(|b| b.capacity() * size_of::<Entry>()).sum::<usize>()
            + self.buckets.capacity() * size_of::<Vec<Entry>>()
    }
}
