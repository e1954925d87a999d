//! One file per stage of the day, in the order they run (see [`super::Phase`]).

pub mod admission;
pub mod choice;
pub mod demand;
pub mod disease;
pub mod outpatient;
pub mod payment;
pub mod referral;
pub mod start;
