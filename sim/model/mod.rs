//! The model: components, resources, messages, and the daily schedule.
//!
//! Patients and facilities are bevy_ecs entities; read-only parameters, calendars, counters and
//! the stream factory are resources. Stages talk through buffered messages, read by systems that
//! run in one fixed order each day ([`Phase`]). Nothing here touches a file or the terminal.

pub mod calendar;
pub mod clinic;
pub mod policy;
pub mod population;
pub mod record;
pub mod systems;
pub mod ward;

use crate::params::{ClinicKind, Params, Priority, Scheme, Tier, WardKind};
use crate::rng::{Purpose, Streams};
use crate::time::{Day, DayFraction, SimTime};
use bevy_ecs::message::{MessageRegistry, message_update_system};
use bevy_ecs::prelude::*;
use bevy_ecs::schedule::{LogLevel, ScheduleBuildSettings};
use calendar::{DayCalendar, Entry};
use clinic::SlotBook;
use rand::RngExt;
use rand_distr::{Distribution, Exp};
use record::Recorder;
use std::sync::Arc;
use ward::{Reason, Ward};

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

/// A facility's wards, with the agents' admission requests not yet due.
#[derive(Component, Debug)]
pub struct Wards {
    pub wards: Vec<Ward>,
    pub pending: Vec<Vec<ward::Arrival>>,
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
    /// Referred up by a CHC.
    Referred = 2,
    /// Residents without a chronic condition and non-residents.
    Background = 3,
}

impl Channel {
    pub const ALL: [Channel; 4] =
        [Channel::SelfReferred, Channel::Signed, Channel::Referred, Channel::Background];
    pub fn name(self) -> &'static str {
        match self {
            Channel::SelfReferred => "self",
            Channel::Signed => "signed",
            Channel::Referred => "referred",
            Channel::Background => "background",
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
    /// At the CHC's expert session rather than its general practice.
    pub expert: bool,
}

impl Visit {
    pub fn pack(self) -> u32 {
        u32::from(self.facility)
            | (self.channel as u32) << 16
            | (self.need as u32) << 18
            | u32::from(self.expert) << 19
            | u32::from(self.condition) << 20
    }
    pub fn unpack(x: u32) -> Visit {
        Visit {
            facility: (x & 0xffff) as u16,
            channel: Channel::ALL[((x >> 16) & 3) as usize],
            need: if (x >> 18) & 1 == 1 { Need::Elective } else { Need::Care },
            condition: ((x >> 20) & 0xf) as u8,
            expert: (x >> 19) & 1 == 1,
        }
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

/// A charge to post (read by payment).
#[derive(Message, Debug, Clone, Copy)]
pub struct Charge {
    pub tier: Tier,
    pub scheme: Scheme,
    pub amount_yuan: f64,
    /// A self-referred hospital visit (reimbursed less under gatekeeping).
    pub bypass: bool,
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
    pub ward_of_kind: Vec<[Option<u8>; 3]>,
    /// Expected exits from the cohort per day at the start; new patients enter at this rate.
    pub onset_per_day: f64,
    pub next_patient_id: u32,
    /// The policy levers in force today.
    pub policy: policy::PolicyNow,
}

impl Model {
    pub fn tier(&self, facility: u16) -> Tier {
        self.params.facilities[facility as usize].tier
    }
    /// Index of the lead hospital (validation guarantees one whenever there are patients).
    pub fn lead(&self) -> u16 {
        self.params.lead().expect("scenario with patients has a lead hospital") as u16
    }
    /// The member hospital serving a CHC's catchment.
    pub fn member_of(&self, chc: u16) -> u16 {
        self.params.facilities[chc as usize].member_hospital.map_or(self.lead() as usize, |m| m) as u16
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

/// The daily schedule: one system per stage, chained, single-threaded, with ambiguity detection
/// set to error so that any unordered pair of conflicting systems fails the build.
pub fn schedule() -> Schedule {
    use systems::*;
    let mut s = Schedule::default();
    s.set_build_settings(ScheduleBuildSettings {
        ambiguity_detection: LogLevel::Error,
        ..Default::default()
    });
    s.configure_sets(
        (
            Phase::Start,
            Phase::Disease,
            Phase::Demand,
            Phase::Choice,
            Phase::Outpatient,
            Phase::Referral,
            Phase::Admission,
            Phase::Payment,
            Phase::Record,
        )
            .chain(),
    );
    s.add_systems((
        (message_update_system, start::start_day, policy::apply_policies).chain().in_set(Phase::Start),
        disease::disease.in_set(Phase::Disease),
        demand::demand.in_set(Phase::Demand),
        choice::choice.in_set(Phase::Choice),
        outpatient::outpatient.in_set(Phase::Outpatient),
        referral::referral.in_set(Phase::Referral),
        admission::admission.in_set(Phase::Admission),
        payment::payment.in_set(Phase::Payment),
        record::record.in_set(Phase::Record),
    ));
    s
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by systems

/// Files the patient's next disease transition: the time to the next event of any kind is
/// exponential with the total hazard of the patient's current state; any change of state
/// re-files it (memorylessness makes that exact).
pub fn schedule_disease(p: &mut Patient, entity: Entity, now: SimTime, model: &Model, cal: &mut Calendars) {
    p.disease_epoch = p.disease_epoch.wrapping_add(1);
    let total = systems::disease::total_hazard(p, &model.params, &model.policy);
    if total <= 0.0 {
        return;
    }
    let mut rng = model.streams.patient(Purpose::Disease, p.id, p.disease_draws);
    p.disease_draws += 1;
    let dt = Exp::new(total).expect("positive hazard").sample(&mut rng);
    let mut t = now.after(dt);
    if t.0 >= f64::from(u32::MAX) {
        return;
    }
    // A transition that would fall later on a day whose disease events are already processed
    // (the state changed during that day) happens at the start of the next day instead.
    let open = cal.disease.first_open_day();
    if t.day() < open {
        t = open.start();
    }
    cal.disease.push(
        t.day(),
        Entry { patient: entity, data: DayFraction::of(t).0, epoch: p.disease_epoch, kind: 0 },
    );
}

/// Files a care need of `kind` on `day`, replacing any pending one.
pub fn schedule_care(p: &mut Patient, entity: Entity, day: Day, kind: u8, cal: &mut Calendars) {
    p.care_epoch = p.care_epoch.wrapping_add(1);
    let day = day.max(cal.care.first_open_day());
    cal.care.push(day, Entry { patient: entity, data: 0, epoch: p.care_epoch, kind });
}

/// Files the next routine follow-up of a diagnosed patient, `interval × U(0.8, 1.2)` days after
/// `day` (the interval depends on enrolment in chronic-disease management).
pub fn schedule_routine(p: &mut Patient, entity: Entity, day: Day, model: &Model, cal: &mut Calendars) {
    if p.diagnosed == 0 {
        p.care_epoch = p.care_epoch.wrapping_add(1);
        return;
    }
    let care = &model.params.care;
    let interval = if p.has(ENROLLED) {
        care.enrolled_followup_interval_days
    } else {
        care.unenrolled_followup_interval_days
    };
    let u: f64 = care_rng(p, model).random();
    let days = (interval * (0.8 + 0.4 * u)).round().max(1.0) as u32;
    schedule_care(p, entity, day.plus(days), care_kind::ROUTINE, cal);
}

/// Files a symptomatic visit after the usual delay between losing control and seeking care.
pub fn schedule_symptomatic(
    p: &mut Patient,
    entity: Entity,
    now: SimTime,
    model: &Model,
    cal: &mut Calendars,
) {
    let delay = Exp::new(1.0 / model.params.care.symptom_delay_days)
        .expect("positive delay")
        .sample(&mut care_rng(p, model));
    schedule_care(p, entity, now.after(delay).day().max(model.day.plus(1)), care_kind::SYMPTOMATIC, cal);
}

/// The patient's next care stream.
pub fn care_rng(p: &mut Patient, model: &Model) -> crate::rng::Rng {
    let rng = model.streams.patient(Purpose::Care, p.id, p.care_draws);
    p.care_draws += 1;
    rng
}

/// Sets the patient's uncontrolled set, keeping the census exact.
pub fn set_uncontrolled(p: &mut Patient, mask: u16, census: &mut Census) {
    let before = p.uncontrolled != 0;
    p.uncontrolled = mask;
    match (before, mask != 0) {
        (false, true) => census.uncontrolled += 1,
        (true, false) => census.uncontrolled -= 1,
        _ => {}
    }
}

/// Enrols the patient in chronic-disease management.
pub fn enrol(p: &mut Patient, census: &mut Census) {
    if !p.has(ENROLLED) {
        p.flags |= ENROLLED;
        census.enrolled += 1;
    }
}

/// Everything a finished replication hands back.
pub use record::ReplicationResult;

/// The priority class an admission request gets; `green` is a patient in the green channel.
pub fn priority_for(reason: Reason, green: bool) -> Priority {
    match reason {
        Reason::Acute => Priority::Emergency,
        _ if green => Priority::Referred,
        Reason::PostAcute => Priority::Referred,
        _ => Priority::Elective,
    }
}
