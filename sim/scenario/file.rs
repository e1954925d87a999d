//! The scenario file schema: what a user writes in TOML.
//!
//! These types mirror the file one to one and carry no modelling defaults: every key a scenario
//! needs is written in it (or inherited through `extends`). Numbers are read as wide types (`f64`,
//! `i64`) so that a negative bed count or a share above 1 reaches [`super::validate`], which
//! reports every such error at once with its key path and allowed range, instead of stopping at
//! the first type mismatch. Unknown keys are collected by the loader and rejected, all at once.
//! The model never reads these types: it reads [`crate::params::Params`].

use serde::Deserialize;

/// A whole scenario file after `extends` has been resolved.
#[derive(Debug, Clone, Deserialize)]
pub struct ScenarioFile {
    /// Path of the scenario this one modifies (resolved and merged by the loader).
    #[serde(default)]
    pub extends: Option<String>,
    /// Short name used in output files.
    pub name: String,
    /// One paragraph saying what the scenario represents.
    #[serde(default)]
    pub description: String,
    /// Master seed of the experiment (non-negative integer).
    pub seed: i64,
    pub run: RunFile,
    /// May be left out only by a scenario without patients (e.g. a single-ward validation case).
    #[serde(default)]
    pub population: Option<PopulationFile>,
    #[serde(default)]
    pub conditions: Vec<ConditionFile>,
    /// Required when the scenario has patients or outpatient clinics.
    #[serde(default)]
    pub care: Option<CareFile>,
    /// The next three are required when the scenario has patients.
    #[serde(default)]
    pub choice: Option<ChoiceFile>,
    #[serde(default)]
    pub referral: Option<ReferralFile>,
    #[serde(default)]
    pub payment: Option<PaymentFile>,
    /// Policy levers (DESIGN.md section 3.4). Every lever is off unless its table is present;
    /// a present lever switches on at its `start_day`.
    #[serde(default)]
    pub policy: PolicyFile,
    pub facilities: Vec<FacilityFile>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RunFile {
    /// Simulated days recorded after the warm-up.
    pub days: i64,
    /// Days simulated and then discarded before recording starts.
    pub warmup_days: i64,
    /// Independent replications.
    pub replications: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PopulationFile {
    /// Residents of the catchment (all ages).
    pub residents: i64,
    /// Share of residents in the employee insurance scheme (the rest: resident scheme).
    pub employee_scheme_share: f64,
    /// Share of chronic patients with a family-doctor contract at their home CHC.
    pub signing_rate: f64,
    /// Variance of the gamma frailty shared by one person's conditions (0 = independent).
    pub frailty_variance: f64,
    pub age_bands: Vec<AgeBandFile>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AgeBandFile {
    pub name: String,
    /// Youngest age in the band, in years.
    pub min_age: i64,
    /// Share of residents in this band.
    pub share: f64,
    /// Share of the band that is male.
    pub male_share: f64,
    /// All-cause deaths per 1,000 chronic patients in this band per year, before the
    /// condition-specific excess.
    pub mortality_per_1000_per_year: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ConditionFile {
    pub name: String,
    /// Prevalence in each age band, in the order of `population.age_bands`.
    pub prevalence_by_age_band: Vec<f64>,
    /// "any" or "male".
    pub sex: String,
    pub diagnosed_share: f64,
    pub controlled_share_of_diagnosed: f64,
    pub enrolled_share_of_diagnosed: f64,
    pub loss_of_control_per_year: f64,
    pub unmanaged_loss_multiplier: f64,
    pub acute_events_per_year: f64,
    pub uncontrolled_acute_multiplier: f64,
    pub acute_admission_share: f64,
    pub acute_case_fatality: f64,
    pub post_acute_transfer_share: f64,
    pub elective_procedures_per_year: f64,
    pub excess_mortality_per_1000_per_year: f64,
    pub capability: TierShares,
}

/// One number per tier.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct TierShares {
    pub primary: f64,
    pub member: f64,
    pub lead: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CareFile {
    pub enrolled_followup_interval_days: f64,
    pub unenrolled_followup_interval_days: f64,
    pub followup_adherence: f64,
    pub symptom_delay_days: f64,
    pub post_discharge_followup_days: f64,
    pub post_acute_complex_days: f64,
    pub enrolment_on_chc_visit: f64,
    pub emergency_lead_share: f64,
    pub complex_admission_share: f64,
    pub booking_horizon_days: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ChoiceFile {
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

#[derive(Debug, Clone, Deserialize)]
pub struct ReferralFile {
    pub up_referral_propensity: f64,
    pub complex_up_referral_share: f64,
    pub referral_completion: f64,
    pub down_referral_propensity: f64,
    /// Days between a CHC's up-referral and the first day the hospital visit can be booked
    /// (paperwork, phoning the hospital), on top of the one day every referral takes.
    pub friction_days: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PaymentFile {
    pub reimbursement_employee: TierShares,
    pub reimbursement_resident: TierShares,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FacilityFile {
    pub name: String,
    /// "primary", "member" or "lead".
    pub tier: String,
    /// How many identical facilities this entry stands for (names get "-1", "-2", …).
    #[serde(default)]
    pub count: Option<i64>,
    /// Whether the facility's visits count in `primary_care_visit_share`.
    pub in_scope: bool,
    /// Whether the facility belongs to the medical group (default true). A hospital outside the
    /// group (e.g. another tertiary hospital in the district) serves background demand only:
    /// agents do not choose it and no referral goes to it, but its visits count when `in_scope`.
    #[serde(default)]
    pub in_group: Option<bool>,
    /// Perceived quality on a 0–1 scale.
    pub quality: f64,
    pub travel_minutes: f64,
    pub visit_price_yuan: f64,
    pub bed_day_price_yuan: f64,
    pub emergency_department: bool,
    pub background_emergency_visits_per_day: f64,
    /// Primary only: relative size of the catchment.
    #[serde(default)]
    pub catchment_weight: Option<f64>,
    /// Primary only: the member hospitals serving this catchment (round-robin when `count` > 1).
    #[serde(default)]
    pub member_hospitals: Option<Vec<String>>,
    #[serde(default)]
    pub clinics: Vec<ClinicFile>,
    #[serde(default)]
    pub wards: Vec<WardFile>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ClinicFile {
    /// "general_practice" or "specialist".
    pub kind: String,
    /// Bookable visits Monday … Sunday.
    pub slots_per_weekday: Vec<i64>,
    /// Mean visits a day by residents without a chronic condition and by non-residents.
    pub background_visits_per_day: f64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WardFile {
    pub name: String,
    /// "medical", "surgical" or "shared".
    pub kind: String,
    pub beds: i64,
    /// "exponential" or "lognormal".
    pub stay_law: String,
    pub mean_stay_days: f64,
    /// Coefficient of variation of the stay (lognormal only; exponential has 1).
    #[serde(default)]
    pub stay_cv: Option<f64>,
    pub background_admissions_per_day: f64,
    /// "emergency", "referred" or "elective".
    pub background_priority: String,
}

// ---------------------------------------------------------------------------------------------
// Policy levers

/// The policy levers. Each is a table; leaving a table out leaves the lever off.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PolicyFile {
    #[serde(default)]
    pub gatekeeping: Option<GatekeepingFile>,
    #[serde(default)]
    pub referral_platform: Option<ReferralPlatformFile>,
    #[serde(default)]
    pub green_channel: Option<GreenChannelFile>,
    #[serde(default)]
    pub reserved_slots: Option<ReservedSlotsFile>,
    #[serde(default)]
    pub down_referral: Option<DownReferralFile>,
    #[serde(default)]
    pub post_acute_transfer: Option<PostAcuteTransferFile>,
    #[serde(default)]
    pub reimbursement: Option<ReimbursementFile>,
    #[serde(default)]
    pub global_budget: Option<GlobalBudgetFile>,
    #[serde(default)]
    pub per_diem: Option<PerDiemFile>,
    #[serde(default)]
    pub capitation: Option<CapitationFile>,
    #[serde(default)]
    pub expert_sessions: Option<ExpertSessionsFile>,
    #[serde(default)]
    pub expert_studios: Vec<ExpertStudiosFile>,
    #[serde(default)]
    pub capability_learning: Option<CapabilityLearningFile>,
    #[serde(default)]
    pub bed_sinking: Option<BedSinkingFile>,
    #[serde(default)]
    pub signing: Option<SigningFile>,
}

/// Gatekeeping (基层首诊): first contact at the CHC.
#[derive(Debug, Clone, Deserialize)]
pub struct GatekeepingFile {
    /// "soft": a hospital visit without a CHC referral is reimbursed `bypass_penalty` less;
    /// "strict": in addition, the lead hospital sees non-emergency patients only on referral.
    pub mode: String,
    /// Cut in the reimbursement rate of a self-referred hospital visit, as a share (0.2 = 20
    /// percentage points off the rate).
    pub bypass_penalty: f64,
    /// Simulation day the lever switches on (day 0 is the first warm-up day).
    #[serde(default)]
    pub start_day: i64,
}

/// A one-click referral platform (一键转诊): fewer lost referrals, less friction.
#[derive(Debug, Clone, Deserialize)]
pub struct ReferralPlatformFile {
    /// Share of up-referrals completed (replaces `referral.referral_completion`).
    pub referral_completion: f64,
    /// Days of referral friction (replaces `referral.friction_days`).
    pub friction_days: f64,
    /// Simulation day the lever switches on.
    #[serde(default)]
    pub start_day: i64,
}

/// Green channel (绿色通道 / 三优先) at the lead hospital.
#[derive(Debug, Clone, Deserialize)]
pub struct GreenChannelFile {
    /// Referred (and, with `signed`, signed) patients book lead-hospital slots ahead of the
    /// day's other requests and may use reserved referral slots.
    pub outpatient: bool,
    /// Their non-emergency admissions join the "referred" priority class instead of "elective".
    pub admission: bool,
    /// Whether signed patients share the green channel with referred ones.
    pub signed: bool,
    /// Simulation day the lever switches on.
    #[serde(default)]
    pub start_day: i64,
}

/// Reserved referral slots (专家号源直挂): lead specialist slots bookable only through a CHC
/// referral, released to everyone shortly before the day if still free.
#[derive(Debug, Clone, Deserialize)]
pub struct ReservedSlotsFile {
    /// Share of the lead hospital's specialist slots of each day held for referrals.
    pub share: f64,
    /// A held slot still free this many days before its day is released to everyone.
    pub release_days: i64,
    /// Simulation day the lever switches on.
    #[serde(default)]
    pub start_day: i64,
}

/// Down-referral programme: hospitals send more stable outpatients back to the CHC.
#[derive(Debug, Clone, Deserialize)]
pub struct DownReferralFile {
    /// Probability that a hospital sends a stable outpatient back to the CHC (replaces
    /// `referral.down_referral_propensity`).
    pub propensity: f64,
    /// Simulation day the lever switches on.
    #[serde(default)]
    pub start_day: i64,
}

/// Post-acute transfer of lead-ward discharges to shared wards.
#[derive(Debug, Clone, Deserialize)]
pub struct PostAcuteTransferFile {
    /// Multiplies every condition's `post_acute_transfer_share` (the product is capped at 1).
    pub share_multiplier: f64,
    /// Simulation day the lever switches on.
    #[serde(default)]
    pub start_day: i64,
}

/// Differential reimbursement: new rates by scheme and tier.
#[derive(Debug, Clone, Deserialize)]
pub struct ReimbursementFile {
    /// Rates for the employee scheme (replace `payment.reimbursement_employee`).
    pub employee: TierShares,
    /// Rates for the resident scheme (replace `payment.reimbursement_resident`).
    pub resident: TierShares,
    /// Simulation day the lever switches on.
    #[serde(default)]
    pub start_day: i64,
}

/// Global budget with surplus retention (总额预算, 结余留用) for the whole group.
#[derive(Debug, Clone, Deserialize)]
pub struct GlobalBudgetFile {
    /// The insurer's yearly budget for the group's chronic patients, in yuan.
    pub budget_yuan_per_year: f64,
    /// Share of a surplus (or deficit) the group keeps (bears).
    pub surplus_retention: f64,
    /// Behavioural response (assumption): multiplies hospitals' down-referral propensity.
    pub down_referral_multiplier: f64,
    /// Behavioural response (assumption): multiplies `care.complex_admission_share`
    /// (fewer avoidable admissions when below 1).
    pub complex_admission_multiplier: f64,
    /// Behavioural response (assumption): multiplies stays in hospital medical and surgical
    /// wards.
    pub stay_multiplier: f64,
    /// Simulation day the lever switches on.
    #[serde(default)]
    pub start_day: i64,
}

/// Tiered per-diem (分段日付费) for shared wards.
#[derive(Debug, Clone, Deserialize)]
pub struct PerDiemFile {
    /// Stay segments in order; the last has no `until_day`.
    pub segments: Vec<PerDiemSegmentFile>,
    /// Behavioural response (assumption): probability that a stay running into the first
    /// segment paid below the ward's `bed_day_price_yuan` ends at that segment's start.
    pub discharge_response: f64,
    /// Simulation day the lever switches on.
    #[serde(default)]
    pub start_day: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PerDiemSegmentFile {
    /// Day of stay at which the segment ends (exclusive); absent for the last segment.
    #[serde(default)]
    pub until_day: Option<f64>,
    /// Daily rate paid in this segment, in yuan.
    pub rate_yuan: f64,
}

/// Family-doctor capitation (按人头付费).
#[derive(Debug, Clone, Deserialize)]
pub struct CapitationFile {
    /// Yearly payment per signed chronic patient to the CHC, in yuan (paid by the insurer).
    pub yuan_per_signed_patient_per_year: f64,
    /// Behavioural response (assumption): extra utility of the home CHC for signed patients
    /// when family doctors are paid per head.
    pub signed_bonus_gain: f64,
    /// Simulation day the lever switches on.
    #[serde(default)]
    pub start_day: i64,
}

/// Slot sinking (号源下沉) into expert sessions at CHCs.
#[derive(Debug, Clone, Deserialize)]
pub struct ExpertSessionsFile {
    /// Share of the lead hospital's weekly specialist slots moved to expert sessions, spread
    /// evenly over the CHCs.
    pub slot_share: f64,
    /// Weekdays with sessions: "mon", "tue", "wed", "thu", "fri", "sat", "sun".
    pub weekdays: Vec<String>,
    /// Price of an expert-session visit, in yuan (reimbursed at the primary tier's rate).
    pub visit_price_yuan: f64,
    /// Simulation day the lever switches on.
    #[serde(default)]
    pub start_day: i64,
}

/// A batch of expert studios (名医工作室) at CHCs, assigned to CHCs in turn.
#[derive(Debug, Clone, Deserialize)]
pub struct ExpertStudiosFile {
    /// Studios opened in this batch.
    pub count: i64,
    /// Simulation day the batch opens.
    #[serde(default)]
    pub start_day: i64,
}

/// How expert sessions and studios raise CHC capability and trust (assumptions).
#[derive(Debug, Clone, Deserialize)]
pub struct CapabilityLearningFile {
    /// Learning speed per year at a CHC with expert sessions, and again per studio there.
    pub learning_rate_per_year: f64,
    /// Largest share of the gap between CHC and lead-hospital capability that learning closes.
    pub capability_cap: f64,
    /// Utility added to the home CHC when learning reaches the cap (scaled in between).
    pub trust_gain: f64,
}

/// Bed sinking (床位下沉): lead beds run as shared wards in member hospitals.
#[derive(Debug, Clone, Deserialize)]
pub struct BedSinkingFile {
    /// Share of the lead hospital's medical and surgical beds moved to the member hospitals'
    /// shared wards (split evenly among them).
    pub bed_share: f64,
    /// Share of the lead's non-emergency admissions (agents and background) that go to the
    /// catchment's shared ward instead.
    pub routed_share: f64,
    /// Simulation day the lever switches on.
    #[serde(default)]
    pub start_day: i64,
}

/// Family-doctor signing drive.
#[derive(Debug, Clone, Deserialize)]
pub struct SigningFile {
    /// Share of chronic patients signed after the drive (at least `population.signing_rate`).
    pub rate: f64,
    /// Simulation day of the drive.
    #[serde(default)]
    pub start_day: i64,
}
