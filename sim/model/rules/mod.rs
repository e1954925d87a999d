//! The model's decisions, each a named function in a module named for it, called by the stages
//! of the day ([`super::systems`]) and tested on their own cases:
//! - [`disease`]: the competing hazards of a patient's conditions, and which event fires;
//! - [`choice`]: a request's options and their logit utilities;
//! - [`treatment`]: what a visit does to the conditions it treats, and trust in the CHC;
//! - [`referral`]: up-referral at a CHC, the hospital's decision after a visit (admit, send
//!   back), post-acute transfer;
//! - [`admission`]: which ward an admission goes to, and its priority class.
//!
//! A rule that draws takes the patient's stream and draws in a fixed, documented order: the
//! order is part of the model (common random numbers depend on it).

pub mod admission;
pub mod choice;
pub mod disease;
pub mod referral;
pub mod treatment;
