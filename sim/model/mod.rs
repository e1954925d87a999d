//! The model: its vocabulary here (components, messages, resources, the phases of a day), and in
//! the child modules the world, the rules and the daily stages.
//!
//! Patients and facilities are bevy_ecs entities; read-only parameters, calendars, counters and
//! the stream factory are resources. Stages talk through buffered messages, read by systems that
//! run in one fixed order each day ([`Phase`], [`schedule`]). The child modules:
//! - [`world`] builds a replication's world; [`population`] draws its residents;
//! - [`calendar`], [`clinic`], [`ward`]: day calendars, appointment books, wards as queues;
//! - [`events`] files and cancels a patient's pending events; [`census`] keeps [`Census`] exact;
//! - [`rules`]: the model's decisions as named functions (disease hazards, choice, treatment,
//!   referral, admission routing);
//! - [`systems`]: one file per stage of the day; [`policy`]: the values levers change (the levers
//!   themselves are `crate::levers`);
//! - [`record`]: counters, daily series and the replication's metrics.
//!
//! This file defines and imports nothing from its children but the leaf types it is made of
//! (calendars, books, wards, the values in force), so the children may use it freely. Nothing
//! here touches a file or the terminal.

pub mod calendar;
pub mod census;
pub mod clinic;
pub mod events;
pub mod options;
pub mod policy;
pub mod population;
pub mod record;
pub mod residents;
pub mod rules;
pub mod schedule;
pub mod systems;
pub mod theatre;
pub mod ward;
pub mod world;

use crate::params::{ClinicKind, NO_GROUP, Params, Scheme, Tier, WardKind};
use crate::rng::Streams;
use crate::time::{Day, SimTime};
use bevy_ecs::message::MessageRegistry;
use bevy_ecs::prelude::*;
use calendar::DayCalendar;
use clinic::SlotBook;
use std::sync::Arc;
use ward::Ward;

// ---------------------------------------------------------------------------------------------
// Components

/// Where a patient is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Place {
    Home = 0,
    /// Holding an outpatient appointment.
    Booked = 1,
    /// Waiting for a bed.
    Waiting = 2,
    InBed = 3,
    /// Referred up by a CHC today, before the referral stage books the hospital visit.
    Referred = 4,
}

/// A patient with one or more chronic conditions: one component of 40 bytes.
///
/// Condition sets are bit sets indexed like `Params::conditions`. An undiagnosed condition is
/// untreated and counts as uncontrolled.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct Patient {
    /// Stable id: keys the patient's random streams.
    pub id: u32,
    /// Draws made so far from the patient's disease stream.
    pub disease_draws: u32,
    /// Draws made so far from the patient's care stream.
    pub care_draws: u32,
    /// Personal propensity to bypass primary care, in utility units (subtracted at the CHC).
    pub bypass: f32,
    /// Trust in the home CHC, 0–1.
    pub trust: f32,
    pub conditions: u16,
    pub diagnosed: u16,
    pub uncontrolled: u16,
    /// Facility index of the home CHC.
    pub home: u16,
    /// Facility index of the last outpatient visit (`NO_FACILITY` if none).
    pub last_facility: u16,
    /// Requests are complex until this day (after an acute admission).
    pub complex_until: u16,
    pub disease_epoch: u16,
    pub care_epoch: u16,
    pub age_band: u8,
    pub flags: u8,
    pub place: Place,
    /// Chronic-disease management follow-ups at the CHC this year.
    pub followups: u8,
}

pub const NO_FACILITY: u16 = u16::MAX;
pub const MALE: u8 = 1;
pub const SIGNED: u8 = 2;
pub const EMPLOYEE: u8 = 4;
pub const ENROLLED: u8 = 8;
/// Had a CHC health check in the current management year.
pub const CHECKED: u8 = 16;
/// Missed care: a follow-up was forgone for want of a slot, so the patient's conditions lose
/// control as if outside management until the next visit.
pub const LAPSED: u8 = 32;

impl Patient {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
    pub fn scheme(&self) -> Scheme {
        if self.has(EMPLOYEE) { Scheme::Employee } else { Scheme::Resident }
    }
    /// Diagnosed conditions that are not under control.
    pub fn uncontrolled_diagnosed(&self) -> u16 {
        self.uncontrolled & self.diagnosed
    }
    /// The condition a visit or admission is mainly about: the first uncontrolled diagnosed
    /// condition, else the first diagnosed one, else the first one.
    pub fn main_condition(&self) -> u8 {
        let pick = |m: u16| (m != 0).then(|| m.trailing_zeros() as u8);
        pick(self.uncontrolled_diagnosed()).or(pick(self.diagnosed)).or(pick(self.conditions)).unwrap_or(0)
    }

    /// The severity a care request of this patient has today.
    pub fn severity(&self, day: Day) -> Severity {
        let open = self.uncontrolled_diagnosed().count_ones();
        if open >= 2 || u32::from(self.complex_until) > day.0 {
            Severity::Complex
        } else if open == 1 {
            Severity::Symptomatic
        } else {
            Severity::Routine
        }
    }
}

/// A facility's identity.
#[derive(Component, Debug, Clone, Copy)]
pub struct Facility {
    pub index: u16,
    pub tier: Tier,
}

/// A facility's outpatient clinics.
#[derive(Component, Debug)]
pub struct Clinics(pub Vec<SlotBook>);

impl Clinics {
    pub fn get_mut(&mut self, kind: ClinicKind) -> Option<&mut SlotBook> {
        self.0.iter_mut().find(|b| b.kind == kind)
    }
    pub fn get(&self, kind: ClinicKind) -> Option<&SlotBook> {
        self.0.iter().find(|b| b.kind == kind)
    }
}

/// A facility's wards, with the admission requests not yet due, and each ward's operating list
/// if it has one.
#[derive(Component, Debug)]
pub struct Wards {
    pub wards: Vec<Ward>,
    pub pending: Vec<Vec<ward::Arrival>>,
    pub theatres: Vec<Option<theatre::Theatre>>,
}

// ---------------------------------------------------------------------------------------------
// Request vocabulary

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Severity {
    Routine = 0,
    Symptomatic = 1,
    Complex = 2,
}

/// How a patient reached an outpatient slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Channel {
    SelfReferred = 0,
    /// A signed patient at the home CHC.
    Signed = 1,
    /// Referred up by a CHC (or by a member hospital to the lead).
    Referred = 2,
    /// People who do not live in the scenario's catchment (exogenous demand).
    Nonresident = 3,
}

impl Channel {
    pub const ALL: [Channel; 4] =
        [Channel::SelfReferred, Channel::Signed, Channel::Referred, Channel::Nonresident];
    pub fn name(self) -> &'static str {
        match self {
            Channel::SelfReferred => "self",
            Channel::Signed => "signed",
            Channel::Referred => "referred",
            Channel::Nonresident => "nonresident",
        }
    }
}

/// What a care request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Need {
    /// Follow-up or symptoms of the patient's chronic conditions.
    Care = 0,
    /// An elective procedure for one condition.
    Elective = 1,
}

/// Kinds of care-calendar entries.
pub mod care_kind {
    pub const ROUTINE: u8 = 0;
    pub const SYMPTOMATIC: u8 = 1;
    pub const POST_DISCHARGE: u8 = 2;
}

/// A booked visit, packed into a calendar entry's 32-bit payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    pub facility: u16,
    pub channel: Channel,
    pub need: Need,
    pub condition: u8,
    /// The facility's clinic: its general practice or specialist clinic, or (at a CHC) a lead
    /// specialist's session.
    pub clinic: ClinicKind,
}

impl Visit {
    pub fn pack(self) -> u32 {
        u32::from(self.facility)
            | (self.channel as u32) << 16
            | (self.need as u32) << 18
            | (self.clinic as u32) << 19
            | u32::from(self.condition) << 22
    }
    pub fn unpack(x: u32) -> Visit {
        Visit {
            facility: (x & 0xffff) as u16,
            channel: Channel::ALL[((x >> 16) & 3) as usize],
            need: if (x >> 18) & 1 == 1 { Need::Elective } else { Need::Care },
            clinic: ClinicKind::ALL[((x >> 19) & 7) as usize],
            condition: ((x >> 22) & 0xf) as u8,
        }
    }
    /// Whether the visit is at a lead specialist's clinic held at a CHC.
    pub fn expert(self) -> bool {
        self.clinic == ClinicKind::ExpertSession
    }
}

// ---------------------------------------------------------------------------------------------
// Messages

/// A patient needs an outpatient visit (read by choice).
#[derive(Message, Debug, Clone, Copy)]
pub struct CareRequest {
    pub patient: Entity,
    pub need: Need,
    pub condition: u8,
}

/// A patient chose a facility (read by outpatient, which books it).
#[derive(Message, Debug, Clone, Copy)]
pub struct BookingRequest {
    pub patient: Entity,
    pub visit: Visit,
}

/// An acute event that brings the patient to an emergency department (read by outpatient).
#[derive(Message, Debug, Clone, Copy)]
pub struct AcuteEvent {
    pub patient: Entity,
    pub condition: u8,
    pub time: SimTime,
}

/// A CHC referred a patient up (read by referral).
#[derive(Message, Debug, Clone, Copy)]
pub struct Referral {
    pub patient: Entity,
    pub from: u16,
    pub need: Need,
    pub condition: u8,
}

/// A patient needs a bed (read by admission).
#[derive(Message, Debug, Clone, Copy)]
pub struct AdmissionRequest {
    pub facility: u16,
    pub ward: u8,
    pub arrival: ward::Arrival,
}

/// A patient left a bed (read by referral the next day, for post-acute transfers).
#[derive(Message, Debug, Clone, Copy)]
pub struct Discharged {
    pub patient: Entity,
    pub facility: u16,
    pub release: ward::Release,
}

/// A charge to post (read by payment): one visit or stay, or several alike.
#[derive(Message, Debug, Clone, Copy)]
pub struct Charge {
    pub tier: Tier,
    pub scheme: Scheme,
    pub amount_yuan: f64,
    /// A self-referred hospital visit (reimbursed less under gatekeeping).
    pub bypass: bool,
    /// Charged to a chronic-patient agent (the rest: residents without a chronic condition).
    pub chronic: bool,
    /// The payer's catchment: index of the home CHC among the primary facilities.
    pub catchment: u16,
    /// Outpatient or emergency visits the charge is for (0 for bed-days).
    pub visits: u64,
    /// Share of the charge moved to items the patient pays in full (a payment reform's
    /// cost-shifting); 0 normally.
    pub self_paid_share: f64,
}

// ---------------------------------------------------------------------------------------------
// Resources

/// Read-only context of a replication plus the day being simulated.
#[derive(Resource, Debug)]
pub struct Model {
    pub params: Arc<Params>,
    pub streams: Streams,
    pub replication: u32,
    pub day: Day,
    /// Entity of each facility, by facility index.
    pub facilities: Vec<Entity>,
    /// For each facility: index of its ward of each kind (medical, surgical, shared), if any.
    pub ward_of_kind: Vec<[Option<u8>; 4]>,
    /// Expected exits from the cohort per day at the start; new patients enter at this rate.
    pub onset_per_day: f64,
    /// Cumulative shares of those exits by age band: a new patient's band is drawn from them,
    /// so onsets replace exits band by band and the cohort's age mix stays as it started.
    pub onset_bands: Vec<f64>,
    pub next_patient_id: u32,
    /// The policy levers in force today.
    pub policy: policy::PolicyNow,
    /// Hospitals outside the group with an outpatient clinic: options of every request that is
    /// not referred.
    pub outside_hospitals: Vec<u16>,
    /// For each facility: its index among the primary facilities (its catchment), or
    /// `NO_CATCHMENT` for a hospital.
    pub catchment: Vec<u16>,
    /// For each facility: how much its price weighs in a choice, (quality ÷ lead quality) ^
    /// `choice.price_quality_exponent` (1 with exponent 0).
    pub price_weight: Vec<f64>,
    /// For each facility: the lead hospital of its group (`NO_FACILITY` outside every group or
    /// without a lead).
    pub lead_of: Vec<u16>,
    /// For each group: the other groups' lead hospitals that are options of its requests.
    pub other_leads: Vec<Vec<u16>>,
    /// Travel added to each facility for a chooser of each group: `extra_minutes[group ×
    /// facilities + facility]` (0 within a group; all 0 in a one-group scenario).
    pub extra_minutes: Vec<f64>,
}

/// The catchment of a facility that is not a CHC.
pub const NO_CATCHMENT: u16 = u16::MAX;

impl Model {
    pub fn tier(&self, facility: u16) -> Tier {
        self.params.facilities[facility as usize].tier
    }
    /// The lead hospital of the group of `facility` (a CHC: its catchment's group). Validation
    /// guarantees one for every group whenever there are patients.
    pub fn lead_of(&self, facility: u16) -> u16 {
        let lead = self.lead_of[facility as usize];
        debug_assert!(lead != NO_FACILITY, "facility {facility} has no group lead");
        lead
    }
    /// The lead a hospital sends its patients on to: its own group's, or for a hospital outside
    /// every group the lead of the patient's group (`home`'s).
    pub fn lead_above(&self, facility: u16, home: u16) -> u16 {
        match self.lead_of[facility as usize] {
            NO_FACILITY => self.lead_of(home),
            lead => lead,
        }
    }
    /// The member hospital serving a CHC's catchment.
    pub fn member_of(&self, chc: u16) -> u16 {
        self.params.facilities[chc as usize].member_hospital.map_or(self.lead_of(chc), |m| m as u16)
    }
    /// The group of a facility (`NO_GROUP` outside every group).
    pub fn group_of(&self, facility: u16) -> u16 {
        self.params.facilities[facility as usize].group
    }
    /// Whether a referral of a resident of `home`'s catchment may use the slots `facility` holds
    /// for referrals (and its green channel): a lead holds them for its own group's referrals, not
    /// for patients who chose it from another group.
    pub fn holds_for(&self, home: u16, facility: u16) -> bool {
        self.tier(facility) != Tier::Lead || facility == self.lead_of(home)
    }
    /// Whether a visit by a resident of `home`'s catchment at `facility` crosses to another group's
    /// hospital.
    pub fn crosses(&self, home: u16, facility: u16) -> bool {
        let (a, b) = (self.group_of(home), self.group_of(facility));
        a != b && a != NO_GROUP && b != NO_GROUP
    }
    /// Travel added for a chooser living in `home`'s catchment to go to `facility`.
    pub fn extra_minutes(&self, home: u16, facility: u16) -> f64 {
        let g = self.group_of(home);
        if g == NO_GROUP {
            return 0.0;
        }
        self.extra_minutes[g as usize * self.params.facilities.len() + facility as usize]
    }
    pub fn ward(&self, facility: u16, kind: WardKind) -> Option<u8> {
        self.ward_of_kind[facility as usize][kind as usize]
    }
}

/// The three patient calendars.
#[derive(Resource, Debug)]
pub struct Calendars {
    pub disease: DayCalendar,
    pub care: DayCalendar,
    pub visits: DayCalendar,
}

/// Running counts of the cohort, kept exact at every state change.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct Census {
    pub alive: u64,
    /// Patients with at least one uncontrolled (or undiagnosed) condition.
    pub uncontrolled: u64,
    pub enrolled: u64,
    /// Patients with a family-doctor contract.
    pub signed: u64,
    pub spawned: u64,
    pub died: u64,
}

// ---------------------------------------------------------------------------------------------
// Phases and schedule

/// The stages of a day, in order (DESIGN.md section 3.3).
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    Start,
    Disease,
    Demand,
    Choice,
    Outpatient,
    Referral,
    Admission,
    Payment,
    Record,
}

/// Registers the message types on a bare world.
pub fn register_messages(world: &mut World) {
    MessageRegistry::register_message::<CareRequest>(world);
    MessageRegistry::register_message::<BookingRequest>(world);
    MessageRegistry::register_message::<AcuteEvent>(world);
    MessageRegistry::register_message::<Referral>(world);
    MessageRegistry::register_message::<AdmissionRequest>(world);
    MessageRegistry::register_message::<Discharged>(world);
    MessageRegistry::register_message::<Charge>(world);
}
