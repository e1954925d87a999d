//! Validated parameters: what the model reads.
//!
//! Built only by [`crate::scenario::validate`] from a scenario file, so every value here is known
//! to be in range. Rates are converted to the units the model uses (per day), names carry units,
//! and facilities with `count > 1` are expanded into one entry each.

use std::any::Any;
use std::fmt;

/// Facility tier (DESIGN.md section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// Community health centre (社区卫生服务中心).
    Primary = 0,
    /// Member hospital (成员单位 / 二级医院).
    Member = 1,
    /// Lead hospital (牵头医院).
    Lead = 2,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Primary, Tier::Member, Tier::Lead];
    pub fn name(self) -> &'static str {
        match self {
            Tier::Primary => "primary",
            Tier::Member => "member",
            Tier::Lead => "lead",
        }
    }
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Kind of outpatient clinic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClinicKind {
    GeneralPractice = 0,
    Specialist = 1,
    /// Lead-hospital specialists holding sessions at a CHC (slot sinking); created by
    /// `policy.expert_sessions`, never written in a scenario's clinics.
    ExpertSession = 2,
}

impl ClinicKind {
    pub const ALL: [ClinicKind; 3] =
        [ClinicKind::GeneralPractice, ClinicKind::Specialist, ClinicKind::ExpertSession];
    pub fn index(self) -> usize {
        self as usize
    }
    pub fn name(self) -> &'static str {
        match self {
            ClinicKind::GeneralPractice => "general_practice",
            ClinicKind::Specialist => "specialist",
            ClinicKind::ExpertSession => "expert_session",
        }
    }
}

/// Kind of ward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WardKind {
    Medical,
    Surgical,
    /// Shared ward (共管病房): post-acute and rehabilitation care co-managed with the lead.
    Shared,
    /// Rehabilitation (post-acute) ward of a hospital's own.
    Rehabilitation,
}

impl WardKind {
    pub const ALL: [WardKind; 4] =
        [WardKind::Medical, WardKind::Surgical, WardKind::Shared, WardKind::Rehabilitation];
    pub fn name(self) -> &'static str {
        match self {
            WardKind::Medical => "medical",
            WardKind::Surgical => "surgical",
            WardKind::Shared => "shared",
            WardKind::Rehabilitation => "rehabilitation",
        }
    }
}

/// Admission priority class; lower value is served first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    Emergency = 0,
    /// Referred or green-channel patients.
    Referred = 1,
    Elective = 2,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::Emergency, Priority::Referred, Priority::Elective];
    pub fn name(self) -> &'static str {
        match self {
            Priority::Emergency => "emergency",
            Priority::Referred => "referred",
            Priority::Elective => "elective",
        }
    }
}

/// Insurance scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Urban employee basic medical insurance (职工医保).
    Employee = 0,
    /// Urban and rural resident basic medical insurance (居民医保).
    Resident = 1,
}

/// Length-of-stay law.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StayLaw {
    Exponential {
        mean_days: f64,
    },
    /// Lognormal with the given mean and coefficient of variation.
    LogNormal {
        mean_days: f64,
        cv: f64,
    },
}

impl StayLaw {
    pub fn mean_days(&self) -> f64 {
        match *self {
            StayLaw::Exponential { mean_days } | StayLaw::LogNormal { mean_days, .. } => mean_days,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub run: RunParams,
    pub population: PopulationParams,
    pub residents: ResidentsParams,
    pub conditions: Vec<ConditionParams>,
    pub care: CareParams,
    pub choice: ChoiceParams,
    pub referral: ReferralParams,
    pub payment: PaymentParams,
    pub screening: ScreeningParams,
    pub policy: Policy,
    pub facilities: Vec<FacilityParams>,
    /// The groups of the city (one, unnamed in outputs, without a `[city]` table).
    pub city: CityParams,
}

/// Facility group index of a hospital outside every group.
pub const NO_GROUP: u16 = u16::MAX;

/// The medical groups of a city and the cost of crossing between them.
#[derive(Debug, Clone, PartialEq)]
pub struct CityParams {
    pub groups: Vec<GroupParams>,
    pub minutes_per_km: f64,
    /// Other groups' leads in a choice set: the nearest ones.
    pub nearest_other_groups: usize,
}

/// One group: its name, centre and lead hospital.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupParams {
    pub name: String,
    pub x_km: f64,
    pub y_km: f64,
    /// Index of the group's lead hospital (validation guarantees one whenever there are patients).
    pub lead: Option<usize>,
}

impl CityParams {
    /// Whether the scenario is a city of several groups (a `[city]` table, which needs two or
    /// more): outputs then break down by group.
    pub fn several(&self) -> bool {
        self.groups.len() > 1
    }
    /// Distance between two groups' centres, in km.
    pub fn distance_km(&self, a: u16, b: u16) -> f64 {
        let (a, b) = (&self.groups[a as usize], &self.groups[b as usize]);
        (a.x_km - b.x_km).hypot(a.y_km - b.y_km)
    }
    /// Travel added for a chooser of group `from` going to a facility of group `to` (0 within a
    /// group and for hospitals outside every group).
    pub fn extra_minutes(&self, from: u16, to: u16) -> f64 {
        if from == to || from == NO_GROUP || to == NO_GROUP {
            0.0
        } else {
            self.minutes_per_km * self.distance_km(from, to)
        }
    }
    /// The other groups of group `g` whose leads are options of its requests: the
    /// `nearest_other_groups` nearest by centre distance, ties in file order.
    pub fn nearest_others(&self, g: u16) -> Vec<u16> {
        let mut others: Vec<u16> = (0..self.groups.len() as u16).filter(|&h| h != g).collect();
        others.sort_by(|&a, &b| self.distance_km(g, a).total_cmp(&self.distance_km(g, b)).then(a.cmp(&b)));
        others.truncate(self.nearest_other_groups);
        others
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunParams {
    pub days: u32,
    pub warmup_days: u32,
    pub replications: u32,
}

impl RunParams {
    /// Days simulated in all: warm-up plus recorded days.
    pub fn total_days(&self) -> u32 {
        self.days + self.warmup_days
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PopulationParams {
    pub residents: u32,
    pub employee_scheme_share: f64,
    pub signing_rate: f64,
    pub frailty_variance: f64,
    pub age_bands: Vec<AgeBand>,
}

/// Residents without a chronic condition (empty `visits_per_day_by_band`: they make no visits).
#[derive(Debug, Clone, PartialEq)]
pub struct ResidentsParams {
    /// Outpatient visits per resident-day with no wait, by age band.
    pub visits_per_day_by_band: Vec<f64>,
    /// Emergency visits per resident-day, by age band.
    pub emergency_per_day_by_band: Vec<f64>,
    pub complex_share: f64,
    pub signing_rate: f64,
    pub trust: f64,
    /// Probability that a visit resolves the problem, by tier index.
    pub capability: [f64; 3],
    pub access_elasticity: f64,
}

impl ResidentsParams {
    pub fn none() -> ResidentsParams {
        ResidentsParams {
            visits_per_day_by_band: Vec::new(),
            emergency_per_day_by_band: Vec::new(),
            complex_share: 0.0,
            signing_rate: 0.0,
            trust: 0.0,
            capability: [0.0; 3],
            access_elasticity: 0.0,
        }
    }

    /// Whether the scenario has residents' demand.
    pub fn present(&self) -> bool {
        !self.visits_per_day_by_band.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AgeBand {
    pub name: String,
    pub min_age: u32,
    pub share: f64,
    pub male_share: f64,
    pub mortality_per_day: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConditionParams {
    pub name: String,
    pub prevalence_by_age_band: Vec<f64>,
    pub male_only: bool,
    pub diagnosed_share: f64,
    pub controlled_share_of_diagnosed: f64,
    /// Share of onsets during the run whose condition is known from the start.
    pub diagnosed_at_onset: f64,
    pub enrolled_share_of_diagnosed: f64,
    pub loss_of_control_per_day: f64,
    pub unmanaged_loss_multiplier: f64,
    /// Share of losses of control that bring symptoms prompting a visit; the others wait for
    /// the next scheduled visit.
    pub symptomatic_loss_share: f64,
    pub acute_events_per_day: f64,
    pub uncontrolled_acute_multiplier: f64,
    /// Multiplies the acute rate while undiagnosed.
    pub undiagnosed_acute_multiplier: f64,
    pub acute_admission_share: f64,
    pub acute_case_fatality: f64,
    /// Probability that an acute event of an undiagnosed condition leads to its diagnosis.
    pub acute_diagnosis_share: f64,
    /// Probability that a health check finds the condition, if it differs from the screening
    /// table's `check_detection`.
    pub check_detection: Option<f64>,
    pub post_acute_transfer_share: f64,
    pub elective_procedures_per_day: f64,
    pub excess_mortality_per_day: f64,
    /// Probability that one visit at a tier brings the condition under control, by tier index.
    pub capability: [f64; 3],
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CareParams {
    pub enrolled_followup_interval_days: f64,
    pub unenrolled_followup_interval_days: f64,
    pub followup_adherence: f64,
    pub symptom_delay_days: f64,
    pub post_discharge_followup_days: f64,
    pub post_acute_complex_days: u32,
    pub enrolment_on_chc_visit: f64,
    /// Hazard of leaving chronic-disease management, per enrolled patient-day.
    pub management_exit_per_day: f64,
    pub emergency_lead_share: f64,
    pub complex_admission_share: f64,
    pub booking_horizon_days: u32,
    /// Longest accepted wait by severity (routine, symptomatic, complex), in days.
    pub wait_tolerance_days: [u32; 3],
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChoiceParams {
    pub quality_by_severity: [f64; 3],
    pub cost_per_100_yuan: f64,
    pub wait_per_day: f64,
    pub travel_per_10_minutes: f64,
    pub signed_bonus: f64,
    pub continuity_bonus: f64,
    pub bypass_sd: f64,
    pub trust_weight: f64,
    pub trust_step: f64,
    pub published_wait_smoothing_days: f64,
    pub price_quality_exponent: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferralParams {
    pub up_referral_propensity: f64,
    pub complex_up_referral_share: f64,
    pub referral_completion: f64,
    pub down_referral_propensity: f64,
    pub processing_days_mean: f64,
    pub processing_days_cv: f64,
    pub member_up_referral_propensity: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaymentParams {
    /// Reimbursement rate by scheme index then tier index.
    pub reimbursement: [[f64; 3]; 2],
    /// Shares of drugs and tests in charges, if the scenario splits spending by item: by
    /// setting (0 outpatient, 1 inpatient), then item (0 drugs, 1 tests), then tier index.
    pub items: Option<[[[f64; 3]; 2]; 2]>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FacilityParams {
    pub name: String,
    pub tier: Tier,
    pub in_scope: bool,
    /// Whether the facility belongs to a group (agents use only the group's facilities).
    pub in_group: bool,
    /// Index of its group in `Params::city` (`NO_GROUP` outside every group).
    pub group: u16,
    pub quality: f64,
    pub travel_minutes: f64,
    pub visit_price_yuan: f64,
    pub bed_day_price_yuan: f64,
    pub emergency_department: bool,
    pub nonresident_emergency_visits_per_day: f64,
    /// Primary only: share of residents living in the catchment (sums to 1 over primaries).
    pub catchment_share: f64,
    /// Primary only: index of the member hospital serving the catchment.
    pub member_hospital: Option<usize>,
    pub clinics: Vec<ClinicParams>,
    pub wards: Vec<WardParams>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClinicParams {
    pub kind: ClinicKind,
    pub slots_per_weekday: [u32; 7],
    pub nonresident_visits_per_day: f64,
    /// Signed patients book first (family-doctor teams that give them priority).
    pub signed_priority: bool,
    /// The family doctors behind a general practice's slots, if the scenario gives them.
    pub family_doctors: Option<FamilyDoctors>,
}

/// A CHC's family doctors: how many, and the panel each can hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FamilyDoctors {
    pub doctors: f64,
    pub panel_size: u32,
}

impl FamilyDoctors {
    /// Signed residents the clinic's doctors can hold.
    pub fn capacity(&self) -> f64 {
        self.doctors * f64::from(self.panel_size)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct WardParams {
    pub name: String,
    pub kind: WardKind,
    pub beds: u32,
    pub stay: StayLaw,
    pub background_admissions_per_day: f64,
    pub background_priority: Priority,
    /// The ward's operating list, if its elective cases are booked on one.
    pub theatre: Option<TheatreParams>,
    /// Where the ward's other patients (not agents) go on discharge, if some go on at once.
    pub transfer: Option<WardTransfer>,
}

/// An operating list: theatre sessions by weekday, the emergency cases that take theatre time
/// first, cancellations, pre-operative days, and the bookings made by patients who are not
/// agents.
#[derive(Debug, Clone, PartialEq)]
pub struct TheatreParams {
    pub sessions_per_weekday: [u32; 7],
    pub cases_per_session: u32,
    pub emergency_cases_per_day: f64,
    pub cancellation_probability: f64,
    pub preop_days: u32,
    pub background_bookings_per_day: f64,
    /// Mean of the exponential law of the longest published list wait a booker accepts; `None`:
    /// every booker joins the list.
    pub wait_tolerance_days: Option<f64>,
}

impl TheatreParams {
    /// Cases the theatre can operate on a day of weekday `w` (0 = Monday).
    pub fn capacity(&self, w: usize) -> u32 {
        self.sessions_per_weekday[w] * self.cases_per_session
    }

    /// Mean cases a day left for the list once emergencies have taken theirs.
    pub fn mean_elective_capacity(&self) -> f64 {
        let week: u32 = (0..7).map(|w| self.capacity(w)).sum();
        (f64::from(week) / 7.0 - self.emergency_cases_per_day).max(0.0)
    }
}

/// A share of a ward's other patients that, on discharge, are admitted at once to a later ward of
/// the same facility (e.g. from an acute ward to its rehabilitation ward).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WardTransfer {
    /// Index of the receiving ward in the facility's wards (after the sending ward).
    pub to: u8,
    pub share: f64,
    pub priority: Priority,
}

impl Params {
    /// Indices of the primary facilities (CHCs), in order.
    pub fn chcs(&self) -> Vec<usize> {
        self.facilities.iter().enumerate().filter(|(_, f)| f.tier == Tier::Primary).map(|(i, _)| i).collect()
    }

    /// Indices of the primary facilities (CHCs) of group `g`, in order.
    pub fn chcs_of(&self, g: u16) -> Vec<usize> {
        self.chcs().into_iter().filter(|&f| self.facilities[f].group == g).collect()
    }

    /// The lead hospital of group `g`, if the scenario has one.
    pub fn lead_of_group(&self, g: u16) -> Option<usize> {
        self.city.groups.get(g as usize).and_then(|x| x.lead)
    }

    /// The lead hospitals of every group that has one, in group order.
    pub fn leads(&self) -> Vec<usize> {
        self.city.groups.iter().filter_map(|g| g.lead).collect()
    }

    /// The highest quality of a lead hospital (1 without one): the reference of a price's weight.
    pub fn lead_quality(&self) -> f64 {
        self.leads().iter().map(|&l| self.facilities[l].quality).reduce(f64::max).unwrap_or(1.0)
    }
}

// Values used only when a scenario leaves a section out, which validation allows only when the
// section cannot matter (no patients, or no clinics for `care`). None of them is a modelling
// default: with no patient, no code path reads them.
impl PopulationParams {
    pub fn none() -> PopulationParams {
        PopulationParams {
            residents: 0,
            employee_scheme_share: 0.0,
            signing_rate: 0.0,
            frailty_variance: 0.0,
            age_bands: Vec::new(),
        }
    }
}

impl ConditionParams {
    /// The acute-event rate per day of the condition in a patient's state.
    pub fn acute_per_day(&self, diagnosed: bool, controlled: bool) -> f64 {
        if !diagnosed {
            self.acute_events_per_day * self.undiagnosed_acute_multiplier
        } else if controlled {
            self.acute_events_per_day
        } else {
            self.acute_events_per_day * self.uncontrolled_acute_multiplier
        }
    }
}

impl CareParams {
    pub fn unused() -> CareParams {
        CareParams {
            enrolled_followup_interval_days: 1.0,
            unenrolled_followup_interval_days: 1.0,
            followup_adherence: 0.0,
            symptom_delay_days: 1.0,
            post_discharge_followup_days: 1.0,
            post_acute_complex_days: 0,
            enrolment_on_chc_visit: 0.0,
            management_exit_per_day: 0.0,
            emergency_lead_share: 0.0,
            complex_admission_share: 0.0,
            booking_horizon_days: 1,
            wait_tolerance_days: [0; 3],
        }
    }
}

impl ChoiceParams {
    pub fn unused() -> ChoiceParams {
        ChoiceParams {
            quality_by_severity: [0.0; 3],
            cost_per_100_yuan: 0.0,
            wait_per_day: 0.0,
            travel_per_10_minutes: 0.0,
            signed_bonus: 0.0,
            continuity_bonus: 0.0,
            bypass_sd: 0.0,
            trust_weight: 0.0,
            trust_step: 0.0,
            published_wait_smoothing_days: 1.0,
            price_quality_exponent: 0.0,
        }
    }
}

impl ReferralParams {
    pub fn unused() -> ReferralParams {
        ReferralParams {
            up_referral_propensity: 0.0,
            complex_up_referral_share: 0.0,
            referral_completion: 0.0,
            down_referral_propensity: 0.0,
            processing_days_mean: 0.0,
            processing_days_cv: 0.0,
            member_up_referral_propensity: 0.0,
        }
    }
}

impl PaymentParams {
    pub fn unused() -> PaymentParams {
        PaymentParams { reimbursement: [[0.0; 3]; 2], items: None }
    }
}

/// A lever's switch-on day and its settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Lever<T> {
    pub start_day: u32,
    pub settings: T,
}

/// The policy levers a scenario sets, each with its validated settings.
///
/// The settings types belong to the lever modules (`crate::levers`, one per lever), which depend
/// on these parameters; so this container holds them without naming them, one value of each
/// type, in the order of the lever registry. A lever looks its own settings up by type:
/// `params.policy.get::<Lever<Gatekeeping>>()`. A lever that is not set stays off.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    levers: Vec<PolicyEntry>,
}

#[derive(Debug)]
struct PolicyEntry {
    /// The lever's table under `[policy]`.
    key: &'static str,
    value: Box<dyn LeverSettings>,
}

impl Clone for PolicyEntry {
    fn clone(&self) -> Self {
        PolicyEntry { key: self.key, value: self.value.clone_box() }
    }
}

impl PartialEq for PolicyEntry {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key && self.value.eq_box(other.value.as_ref())
    }
}

/// What the policy container needs of a lever's settings (every plain settings type has it).
pub trait LeverSettings: Any + fmt::Debug + Send + Sync {
    fn clone_box(&self) -> Box<dyn LeverSettings>;
    fn eq_box(&self, other: &dyn LeverSettings) -> bool;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any + fmt::Debug + Clone + PartialEq + Send + Sync> LeverSettings for T {
    fn clone_box(&self) -> Box<dyn LeverSettings> {
        Box::new(self.clone())
    }
    fn eq_box(&self, other: &dyn LeverSettings) -> bool {
        other.as_any().downcast_ref::<T>() == Some(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl Policy {
    /// Sets the lever whose table is `key` to `value`, replacing a value of the same type.
    pub fn set<T: LeverSettings>(&mut self, key: &'static str, value: T) {
        match self.levers.iter_mut().find(|e| e.value.as_any().is::<T>()) {
            Some(e) => *e = PolicyEntry { key, value: Box::new(value) },
            None => self.levers.push(PolicyEntry { key, value: Box::new(value) }),
        }
    }

    /// The settings of type `T`, if that lever is set.
    pub fn get<T: 'static>(&self) -> Option<&T> {
        self.levers.iter().find_map(|e| e.value.as_any().downcast_ref::<T>())
    }

    /// The settings of type `T`, to change them (tests and scaled scenarios).
    pub fn get_mut<T: 'static>(&mut self) -> Option<&mut T> {
        self.levers.iter_mut().find_map(|e| e.value.as_any_mut().downcast_mut::<T>())
    }

    /// Removes the lever whose table is `key`, if it is set (tests' arms without it).
    pub fn remove(&mut self, key: &str) {
        self.levers.retain(|e| e.key != key);
    }

    /// Whether the lever whose table is `key` is set.
    pub fn has(&self, key: &str) -> bool {
        self.levers.iter().any(|e| e.key == key)
    }

    /// The tables of the levers that are set.
    pub fn keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.levers.iter().map(|e| e.key)
    }
}

/// Annual health checks and screening campaigns (empty: none).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScreeningParams {
    /// Whether the scenario has a `[screening]` table (checks can then run, or start with a drive).
    pub present: bool,
    /// Health checks per resident-day for residents in bands `check_min_band..`.
    pub check_rate_per_day: f64,
    pub check_min_band: usize,
    pub check_detection: f64,
    pub enrolment_on_diagnosis: f64,
    pub campaigns: Vec<Campaign>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Campaign {
    pub name: String,
    pub condition: usize,
    pub min_band: usize,
    pub start_day: u32,
    pub screened_per_day: f64,
    /// Chance a given eligible resident is screened on a day.
    pub rate_per_person_per_day: f64,
    pub sensitivity: f64,
}
