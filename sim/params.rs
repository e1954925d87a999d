//! Validated parameters: what the model reads.
//!
//! Built only by [`crate::scenario::validate`] from a scenario file, so every value here is known
//! to be in range. Rates are converted to the units the model uses (per day), names carry units,
//! and facilities with `count > 1` are expanded into one entry each.

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
    pub conditions: Vec<ConditionParams>,
    pub care: CareParams,
    pub choice: ChoiceParams,
    pub referral: ReferralParams,
    pub payment: PaymentParams,
    pub screening: ScreeningParams,
    pub policy: PolicyParams,
    pub facilities: Vec<FacilityParams>,
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
    pub enrolled_share_of_diagnosed: f64,
    pub loss_of_control_per_day: f64,
    pub unmanaged_loss_multiplier: f64,
    pub acute_events_per_day: f64,
    pub uncontrolled_acute_multiplier: f64,
    pub acute_admission_share: f64,
    pub acute_case_fatality: f64,
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
    pub emergency_lead_share: f64,
    pub complex_admission_share: f64,
    pub booking_horizon_days: u32,
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
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferralParams {
    pub up_referral_propensity: f64,
    pub complex_up_referral_share: f64,
    pub referral_completion: f64,
    pub down_referral_propensity: f64,
    pub friction_days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PaymentParams {
    /// Reimbursement rate by scheme index then tier index.
    pub reimbursement: [[f64; 3]; 2],
}

#[derive(Debug, Clone, PartialEq)]
pub struct FacilityParams {
    pub name: String,
    pub tier: Tier,
    pub in_scope: bool,
    /// Whether the facility belongs to the group (agents use only the group's facilities).
    pub in_group: bool,
    pub quality: f64,
    pub travel_minutes: f64,
    pub visit_price_yuan: f64,
    pub bed_day_price_yuan: f64,
    pub emergency_department: bool,
    pub background_emergency_visits_per_day: f64,
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
    pub background_visits_per_day: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WardParams {
    pub name: String,
    pub kind: WardKind,
    pub beds: u32,
    pub stay: StayLaw,
    pub background_admissions_per_day: f64,
    pub background_priority: Priority,
}

impl Params {
    /// Index of the lead hospital, if the scenario has one.
    pub fn lead(&self) -> Option<usize> {
        self.facilities.iter().position(|f| f.tier == Tier::Lead && f.in_group)
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
            emergency_lead_share: 0.0,
            complex_admission_share: 0.0,
            booking_horizon_days: 1,
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
            friction_days: 0,
        }
    }
}

impl PaymentParams {
    pub fn unused() -> PaymentParams {
        PaymentParams { reimbursement: [[0.0; 3]; 2] }
    }
}

/// Gatekeeping mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatekeepingMode {
    /// A self-referred hospital visit is reimbursed less.
    Soft,
    /// As soft, and the lead hospital sees non-emergency patients only on referral.
    Strict,
}

/// A lever's switch-on day and its settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Lever<T> {
    pub start_day: u32,
    pub settings: T,
}

/// The validated policy levers; `None` is a lever that stays off.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolicyParams {
    pub gatekeeping: Option<Lever<Gatekeeping>>,
    pub referral_platform: Option<Lever<ReferralPlatform>>,
    pub green_channel: Option<Lever<GreenChannel>>,
    pub reserved_slots: Option<Lever<ReservedSlots>>,
    pub down_referral: Option<Lever<f64>>,
    /// Multiplier of the post-acute transfer shares.
    pub post_acute_transfer: Option<Lever<f64>>,
    /// Reimbursement rate by scheme index then tier index.
    pub reimbursement: Option<Lever<[[f64; 3]; 2]>>,
    pub global_budget: Option<Lever<GlobalBudget>>,
    pub per_diem: Option<Lever<PerDiem>>,
    pub capitation: Option<Lever<Capitation>>,
    pub expert_sessions: Option<Lever<ExpertSessions>>,
    /// Batches of studios: (start day, count).
    pub expert_studios: Vec<Lever<u32>>,
    pub capability_learning: Option<CapabilityLearning>,
    pub bed_sinking: Option<Lever<BedSinking>>,
    /// Signing rate after the drive.
    pub signing: Option<Lever<f64>>,
    /// Health checks per resident-day (eligible ages) after the drive.
    pub health_checks: Option<Lever<f64>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gatekeeping {
    pub mode: GatekeepingMode,
    pub bypass_penalty: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReferralPlatform {
    pub referral_completion: f64,
    pub friction_days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GreenChannel {
    pub outpatient: bool,
    pub admission: bool,
    pub signed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReservedSlots {
    pub share: f64,
    pub release_days: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlobalBudget {
    pub budget_yuan_per_day: f64,
    pub surplus_retention: f64,
    pub down_referral_multiplier: f64,
    pub complex_admission_multiplier: f64,
    pub stay_multiplier: f64,
}

/// Tiered per-diem: segments (end day of stay, exclusive, or infinity; daily rate).
#[derive(Debug, Clone, PartialEq)]
pub struct PerDiem {
    pub segments: Vec<(f64, f64)>,
    pub discharge_response: f64,
}

impl PerDiem {
    /// Payment for a stay of `days` days.
    pub fn charge(&self, days: f64) -> f64 {
        let mut start = 0.0;
        let mut total = 0.0;
        for &(end, rate) in &self.segments {
            if days <= start {
                break;
            }
            total += (days.min(end) - start) * rate;
            start = end;
        }
        total
    }

    /// Start day of the first segment paid below `price` per day (where a ward that loses money
    /// on a bed-day has a reason to discharge), if any.
    pub fn first_loss_day(&self, price: f64) -> Option<f64> {
        let mut start = 0.0;
        for &(end, rate) in &self.segments {
            if rate < price {
                return Some(start);
            }
            start = end;
        }
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Capitation {
    pub yuan_per_signed_patient_per_day: f64,
    pub signed_bonus_gain: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExpertSessions {
    pub slot_share: f64,
    /// Session days, Monday = 0.
    pub weekdays: [bool; 7],
    pub visit_price_yuan: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CapabilityLearning {
    pub learning_rate_per_year: f64,
    pub capability_cap: f64,
    pub trust_gain: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BedSinking {
    pub bed_share: f64,
    pub routed_share: f64,
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
