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
