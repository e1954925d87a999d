//! The scenario file schema: what a user writes in TOML.
//!
//! These types mirror the file one to one and carry no modelling defaults: every key a scenario
//! needs is written in it (or inherited through `extends`). Numbers are read as wide types (`f64`,
//! `i64`) so that a negative bed count or a share above 1 reaches [`super::validate`], which
//! reports every such error at once with its key path and allowed range, instead of stopping at
//! the first type mismatch. Unknown keys are collected by the loader and rejected, all at once.
//! The model never reads these types: it reads [`crate::params::Params`].
//!
//! # Documenting a key
//!
//! The doc comment of every field is the parameter dictionary's source of truth
//! (`scenarios/README.md` is generated from it by [`super::dictionary`], and a test fails when the
//! two differ). Each field's comment has two parts:
//!
//! 1. its meaning, in one or more sentences;
//! 2. its tags, starting on the line that begins with `unit:` and running to the end of the
//!    comment (they may wrap over several lines), separated by ` · `:
//!
//! ```text
//! /// unit: share · range: [0, 1] · default: required · source: Wang Z et al., Circulation 2018
//! /// (params.csv hypertension_awareness_treatment_control)
//! ```
//!
//! - `unit`: the unit the file is written in, the one validation converts from (`per
//!   patient-year`, `yuan`, `days`, `share`, `utility per 10 minutes`, …); for a table, `table`,
//!   `optional table` or `array of tables`.
//! - `range`: exactly what validation enforces (`validate.rs`, `policy.rs`): `[0, 1]` closed,
//!   `(0, 3650]` open on the left, `integer 1..=36500`, `one of "soft", "strict"`; rules that tie
//!   keys together follow a semicolon.
//! - `default`: `required` when the key has no `#[serde(default)]`; otherwise what leaving it
//!   out means (`0 (on from the first day)`, `true`, `off`, …).
//! - `source`: where the value in `scenarios/baseline.toml` comes from, cited as its comments do
//!   (rows of `../shared/data/params.csv` by their `parameter` name, `pilot_sites.md`);
//!   `assumption — sweepable, calibratable` for a behavioural response that no source pins down;
//!   `policy setting` for a lever value the scenario chooses; `not a model parameter` for labels
//!   and experiment settings.

pub use super::shares::TierShares;
use schemars::JsonSchema;
use serde::Deserialize;

/// A whole scenario file after `extends` has been resolved.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ScenarioFile {
    /// Path of the scenario this one modifies, relative to this file. The parent is loaded first
    /// and this file's keys are laid over it (resolved and merged by the loader).
    /// unit: path · range: a path string to a scenario file; no cycles of `extends` · default: none
    /// (a stand-alone scenario) · source: not a model parameter
    #[serde(default)]
    pub extends: Option<String>,
    /// Top-level keys of the `extends` parent dropped before this file is laid over it, so that
    /// this file's own entries replace them whole instead of merging by name (a city built on the
    /// baseline's model of care with facilities of its own). Read by the loader.
    /// unit: list of key names · range: "facilities", "conditions"; only with `extends` ·
    /// default: none (merge) · source: not a model parameter
    #[serde(default)]
    pub replace: Vec<String>,
    /// The version of this file schema the scenario is written for. A file for an older schema
    /// still loads where its keys are current; a key an older schema had and this one retired is
    /// refused with its replacement named (`scenario::schema::RETIRED`). A file for a newer
    /// schema than this program's is refused.
    /// unit: integer · range: 1..=the program's schema version (2) · default: the program's
    /// schema version · source: not a model parameter
    #[serde(default)]
    pub schema_version: Option<i64>,
    /// Short name used in output files.
    /// unit: text · range: any non-empty string · default: required · source: not a model parameter
    pub name: String,
    /// One paragraph saying what the scenario represents.
    /// unit: text · range: any string · default: empty · source: not a model parameter
    #[serde(default)]
    pub description: String,
    /// Master seed of the experiment: every random stream derives from it and the replication
    /// number, so two scenarios run with the same seed face the same patients.
    /// unit: integer · range: integer 0..=9007199254740992 (2^53) · default: required · source: not
    /// a model parameter (experiment setting)
    pub seed: i64,
    /// Length of the run and number of replications.
    /// unit: table · range: see its section · default: required · source: not a model parameter
    pub run: RunFile,
    /// Residents of the catchment. May be left out only by a scenario without patients (e.g. a
    /// single-ward validation case).
    /// unit: optional table · range: see its section · default: none: allowed only without
    /// `[[conditions]]` · source: see its keys
    #[serde(default)]
    pub population: Option<PopulationFile>,
    /// Residents without a chronic condition: how often they need outpatient and emergency care.
    /// Their visits are drawn each day by stratum (age band × home CHC × insurance scheme ×
    /// family-doctor contract) and each one chooses a facility by the same logit as a patient
    /// agent. Leaving the table out means these residents make no visits (only the patient
    /// agents and non-residents do).
    /// unit: optional table · range: see its section · default: none (no visits by residents
    /// without a chronic condition) · source: see its keys
    #[serde(default)]
    pub residents: Option<ResidentsFile>,
    /// The chronic conditions whose patients are agents; one entry per condition.
    /// unit: array of tables · range: at most 16 entries; names unique · default: none (no agents:
    /// residents without a chronic condition and non-residents only) · source: see its keys
    #[serde(default)]
    pub conditions: Vec<ConditionFile>,
    /// Follow-up, delay and admission rules of chronic care. Required when the scenario has
    /// patients or outpatient clinics.
    /// unit: optional table · range: see its section · default: none: allowed only without
    /// `[[conditions]]` and without clinics · source: see its keys
    #[serde(default)]
    pub care: Option<CareFile>,
    /// How patients choose a facility. Required when the scenario has patients.
    /// unit: optional table · range: see its section · default: none: allowed only without
    /// `[[conditions]]` · source: see its keys
    #[serde(default)]
    pub choice: Option<ChoiceFile>,
    /// How CHCs and hospitals refer patients. Required when the scenario has patients.
    /// unit: optional table · range: see its section · default: none: allowed only without
    /// `[[conditions]]` · source: see its keys
    #[serde(default)]
    pub referral: Option<ReferralFile>,
    /// Reimbursement before any reform. Required when the scenario has patients.
    /// unit: optional table · range: see its section · default: none: allowed only without
    /// `[[conditions]]` · source: see its keys
    #[serde(default)]
    pub payment: Option<PaymentFile>,
    /// Screening campaigns and annual health checks at CHCs (DESIGN.md 3.3); leaving the table
    /// out means neither happens.
    /// unit: optional table · range: see its section · default: none (no checks, no campaigns) ·
    /// source: see its keys
    #[serde(default)]
    pub screening: Option<ScreeningFile>,
    /// Policy levers (DESIGN.md section 3.4). Every lever is off unless its table is present;
    /// a present lever switches on at its `start_day`.
    /// unit: table · range: see its section · default: no lever (all off) · source: policy setting
    #[serde(default)]
    pub policy: crate::levers::PolicyFile,
    /// A city of several medical groups side by side (紧密型城市医疗集团 laid out on a grid): the
    /// groups, where each lies, and how far patients look beyond their own. Leaving the table out
    /// means one group: every facility with `in_group` belongs to it.
    /// unit: optional table · range: see its section · default: none (one group) · source: see
    /// its keys
    #[serde(default)]
    pub city: Option<CityFile>,
    /// The group's facilities (and hospitals outside it); one entry per facility or per batch of
    /// identical ones.
    /// unit: array of tables · range: at least 1 entry, at most 60000 after expanding `count`;
    /// names unique after expanding `count`; with patients: at least one primary facility and
    /// exactly one lead hospital in the group · default: required · source: see its keys
    pub facilities: Vec<FacilityFile>,
}

/// A city of several groups: each group's place on the city's grid and the cost of crossing to
/// another group's hospital.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct CityFile {
    /// The city's medical groups, each with one lead hospital; every facility in a group names it
    /// in its `group` key (a CHC may leave it out and take its member hospitals' group).
    /// unit: array of tables · range: 2..=64 entries; names unique · default: required · source:
    /// the city's structure (Beijing Chaoyang: 4 comprehensive alliances, pilot_sites.md)
    pub groups: Vec<GroupFile>,
    /// Travel time added per kilometre between the centres of the chooser's group and another
    /// group, on top of that hospital's `travel_minutes` (which are from its own group's homes).
    /// unit: minutes per km · range: [0, 120] · default: required · source: assumption (urban
    /// traffic, about 20 km/h door to door) — sweepable, calibratable
    pub minutes_per_km: f64,
    /// How many other groups' lead hospitals are options of a request: the nearest ones, by the
    /// distance between group centres (ties in file order). A choice set stays restricted to the
    /// catchment's facilities, its own group's hospitals, these leads and the hospitals outside
    /// every group.
    /// unit: count · range: integer 0..=4, at most the number of groups − 1 · default: required ·
    /// source: assumption (patients compare a few well-known hospitals, not every hospital of the
    /// city) — sweepable
    pub nearest_other_groups: i64,
}

/// One medical group of a city: its name and the centre of its area on the city's grid.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct GroupFile {
    /// Name of the group (used in outputs as `group=NAME` and in facilities' `group`).
    /// unit: text · range: any string; unique among the groups · default: required · source: not
    /// a model parameter
    pub name: String,
    /// East–west coordinate of the centre of the group's area.
    /// unit: km · range: [-1000, 1000] · default: required · source: assumption (the city's map)
    pub x_km: f64,
    /// North–south coordinate of the centre of the group's area.
    /// unit: km · range: [-1000, 1000] · default: required · source: assumption (the city's map)
    pub y_km: f64,
}

/// Length of the run: warm-up, recorded days and replications.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct RunFile {
    /// Simulated days recorded after the warm-up.
    /// unit: days · range: integer 1..=36500; `days` + `warmup_days` at most 65000 · default:
    /// required · source: not a model parameter (experiment setting)
    pub days: i64,
    /// Days simulated and then discarded before recording starts (wards start empty).
    /// unit: days · range: integer 0..=36500; `days` + `warmup_days` at most 65000 · default:
    /// required · source: not a model parameter (baseline: 180 days, since queues need about three
    /// stays to settle)
    pub warmup_days: i64,
    /// Independent replications (more narrows the confidence intervals).
    /// unit: count · range: integer 1..=100000 · default: required · source: not a model parameter
    /// (experiment setting)
    pub replications: i64,
}

/// The resident population: size, insurance, family-doctor contracts and age structure.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct PopulationFile {
    /// Residents of the catchment (all ages).
    /// unit: persons · range: integer 0..=20000000 · default: required · source: Qingpu 2020
    /// census, 1,271,424 residents, rounded for a generic group (params.csv
    /// population_census_qingpu; pilot_sites.md)
    pub residents: i64,
    /// Share of residents in the employee insurance scheme (the rest: resident scheme).
    /// unit: share · range: [0, 1] · default: required · source: assumption (an urban district)
    pub employee_scheme_share: f64,
    /// Share of chronic patients with a family-doctor contract at their home CHC.
    /// unit: share · range: [0, 1] · default: required · source: Qingpu 2023, key populations
    /// 84.2 % signed (pilot_sites.md; Shanghai 84.85 %, params.csv shanghai_family_doctor_signing)
    pub signing_rate: f64,
    /// Variance of the gamma frailty (mean 1) shared by one person's conditions; it induces
    /// multimorbidity (0 = conditions drawn independently).
    /// unit: variance (dimensionless) · range: [0, 10] · default: required · source: assumption —
    /// sweepable, calibratable
    pub frailty_variance: f64,
    /// Age bands, youngest first.
    /// unit: array of tables · range: at least 1 entry; `min_age` strictly increasing; `share`s
    /// sum to 1 · default: required · source: see its keys
    pub age_bands: Vec<AgeBandFile>,
}

/// Residents without a chronic condition: their demand for outpatient and emergency care.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ResidentsFile {
    /// Outpatient visits a resident without a chronic condition needs a year, by age band (in the
    /// order of `population.age_bands`), at the facilities of the scenario, when no visit waits
    /// (waits and prices then move it through `access_elasticity`).
    /// unit: visits per resident-year, by age band · range: one number per age band, each in
    /// [0, 365] · default: required · source: assumption, scaled to 6.0 visits per resident a year
    /// in all facilities (NHC bulletins 2018–2022, params.csv visits_per_resident_per_year) and
    /// the age gradient of two-week visit rates (params.csv
    /// two_week_outpatient_rate_urban_elderly_by_age), less the share of visits made by
    /// chronic patients — calibratable
    pub visits_per_year_by_age_band: Vec<f64>,
    /// Emergency-department visits a resident without a chronic condition makes a year, by age
    /// band.
    /// unit: visits per resident-year, by age band · range: one number per age band, each in
    /// [0, 365] · default: required · source: assumption — sweepable, calibratable
    pub emergency_visits_per_year_by_age_band: Vec<f64>,
    /// Share of these residents' outpatient visits that need a specialist (complex); the rest are
    /// symptomatic visits a general practitioner can handle.
    /// unit: share · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable
    pub complex_share: f64,
    /// Share of these residents with a family-doctor contract.
    /// unit: share · range: [0, 1] · default: required · source: Shanghai 2023, 44.36 % of all
    /// residents signed and 84.85 % of key groups (params.csv shanghai_family_doctor_signing),
    /// which leaves about 30 % of the others
    pub signing_rate: f64,
    /// Trust these residents have in their home CHC.
    /// unit: trust (0–1) · range: [0, 1] · default: required · source: assumption (the mean of the
    /// patient agents' initial trust, uniform on [0.25, 0.75])
    pub trust: f64,
    /// Probability that one visit at a tier resolves the problem without referral.
    /// unit: probability per visit, by tier · range: each in [0, 1] · default: required · source:
    /// assumption, ordered primary < member < lead — sweepable, calibratable
    pub capability: TierShares,
    /// How the number of visits responds to access: visits scale by exp(elasticity × ΔLS), where
    /// ΔLS is the change in the expected maximum utility (log-sum) of the resident's choice set
    /// from a day with no waits under the scenario's starting policy. Better access (shorter
    /// waits, lower prices, a nearer option) induces visits; worse access deters them.
    /// It is the log-sum coefficient of a nested logit of whether to seek care, which is
    /// consistent with utility maximisation only up to 1.
    /// unit: per unit of log-sum utility · range: [0, 1] · default: required · source:
    /// assumption — sweepable, calibratable (the own-price elasticity of outpatient visits, −0.52
    /// in rural China, params.csv price_elasticity_outpatient_rural_nhss, would need about 1.4
    /// at the baseline's prices and cost weight, above the bound; the baseline's 0.3 implies
    /// about −0.1, nearer urban estimates)
    pub access_elasticity: f64,
}

/// One age band of the resident population.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct AgeBandFile {
    /// Label of the band (used in outputs and to merge bands through `extends`).
    /// unit: text · range: any string · default: required · source: not a model parameter
    pub name: String,
    /// Youngest age in the band, in years.
    /// unit: years · range: integer 0..=120; greater than the previous band's · default: required
    /// · source: assumption (the baseline's bands start at 60 and 65 to match the Qingpu 7th
    /// census figures, params.csv population_census_qingpu)
    pub min_age: i64,
    /// Share of residents in this band.
    /// unit: share · range: [0, 1]; the bands' shares sum to 1 · default: required · source:
    /// Qingpu 7th census, 60+ 16.6 %, 65+ 11.6 % (params.csv population_census_qingpu); younger
    /// bands split by assumption
    pub share: f64,
    /// Share of the band that is male.
    /// unit: share · range: [0, 1] · default: required · source: assumption (close to the census
    /// sex ratio)
    pub male_share: f64,
    /// All-cause deaths per 1,000 chronic patients in this band per year, before the
    /// condition-specific excess.
    /// unit: deaths per 1,000 patient-years · range: [0, 1000] · default: required · source:
    /// assumption, of the order of China's 2019 life table by age
    pub mortality_per_1000_per_year: f64,
}

/// One chronic condition: who has it, how it is diagnosed, controlled and managed, and what acute
/// events and procedures it causes.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ConditionFile {
    /// Name of the condition (used in outputs and to merge conditions through `extends`).
    /// unit: text · range: any string; unique among the conditions · default: required · source:
    /// pilot diseases with referral standards in Qingpu (pilot_sites.md)
    pub name: String,
    /// Prevalence in each age band, in the order of `population.age_bands`.
    /// unit: share of the band's residents (of its men for a male-only condition) · range: one
    /// number per age band, each in [0, 1] · default: required · source: hypertension Li YC 2012
    /// age endpoints and Wang Z et al., Circulation 2018 (params.csv
    /// hypertension_prevalence_by_age_2010, hypertension_prevalence_adults); type 2 diabetes
    /// CHARLS and Wang L et al., JAMA 2021 (diabetes_prevalence_by_age_45plus,
    /// diabetes_prevalence_adults); COPD Wang C et al., Lancet 2018 (copd_prevalence_by_age);
    /// post-stroke Tu WJ 2022 and Xia X 2019 (stroke_prevalence_40plus, stroke_prevalence_60plus);
    /// prostate hyperplasia Wang W, Sci Rep 2015 (bph_prevalence_men_by_age)
    pub prevalence_by_age_band: Vec<f64>,
    /// Who can have the condition: everyone, or men only.
    /// unit: text · range: one of "any", "male" · default: required · source: "male" for
    /// prostate hyperplasia
    pub sex: String,
    /// Share of the condition's patients who know they have it (the rest are agents who cost
    /// nothing until an acute event finds them).
    /// unit: share · range: [0, 1] · default: required · source: hypertension awareness 46.9 %
    /// (Wang Z et al., Circulation 2018; params.csv hypertension_awareness_treatment_control);
    /// type 2 diabetes 36.7 % (Wang L et al., JAMA 2021; diabetes_prevalence_adults); COPD 12.0 %
    /// with prior spirometry (Wang C et al., Lancet 2018; copd_prevalence_by_age); other
    /// conditions assumption
    pub diagnosed_share: f64,
    /// Share of diagnosed patients whose condition is under control at the start.
    /// unit: share · range: [0, 1] · default: required · source: hypertension controlled 15.3 % ÷
    /// aware 46.9 % (Wang Z 2018; params.csv hypertension_awareness_treatment_control); type 2
    /// diabetes treated 32.9 % × controlled 50.1 % ÷ aware 36.7 % (Wang L 2021;
    /// diabetes_prevalence_adults); other conditions assumption
    pub controlled_share_of_diagnosed: f64,
    /// Share of new patients (onsets during the run) whose condition is known from its onset:
    /// a condition that begins with an acute event (a stroke) rather than silently.
    /// unit: share · range: [0, 1] · default: required · source: assumption (post-stroke: a
    /// stroke survivor is almost always known to care; hypertension, diabetes and COPD begin
    /// silently)
    pub diagnosed_at_onset: f64,
    /// Share of diagnosed patients enrolled in the CHC's chronic-disease management (慢病管理) at
    /// the start.
    /// unit: share · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable (to managed-patient counts, Qingpu target Q4, pilot_sites.md)
    pub enrolled_share_of_diagnosed: f64,
    /// Rate at which a controlled condition loses control, for a patient under chronic-disease
    /// management.
    /// unit: per patient-year · range: [0, 365] · default: required · source: assumption —
    /// sweepable, calibratable
    pub loss_of_control_per_year: f64,
    /// Multiplies `loss_of_control_per_year` for a patient outside chronic-disease management.
    /// unit: multiplier · range: [0, 100] · default: required · source: assumption — sweepable,
    /// calibratable
    pub unmanaged_loss_multiplier: f64,
    /// Share of a diagnosed patient's losses of control that bring symptoms prompting a visit
    /// (after `care.symptom_delay_days`); any other loss is found at the next scheduled visit.
    /// unit: share · range: [0, 1] · default: required · source: assumption (most uncontrolled
    /// hypertension and diabetes is silent; a COPD loss of control is a worsening of symptoms) —
    /// sweepable, calibratable
    pub symptomatic_loss_share: f64,
    /// Rate of acute events (stroke, crisis, exacerbation) while the condition is controlled.
    /// unit: per patient-year · range: [0, 365] · default: required · source: COPD exacerbations,
    /// hospitalised 0.16–0.41 per patient-year (REAL study 2023; params.csv
    /// copd_exacerbation_rate); post-stroke 1-year recurrence 5.7 % (Han J 2020;
    /// stroke_recurrence_1yr_5yr); hypertension assumption scaled to stroke incidence (Wang W 2017;
    /// stroke_incidence); other conditions assumption
    pub acute_events_per_year: f64,
    /// Multiplies `acute_events_per_year` while the condition is uncontrolled or undiagnosed.
    /// unit: multiplier · range: [0, 100] · default: required · source: assumption — sweepable,
    /// calibratable
    pub uncontrolled_acute_multiplier: f64,
    /// Multiplies `acute_events_per_year` while the condition is undiagnosed, in place of
    /// `uncontrolled_acute_multiplier`: undiagnosed disease found by population surveys is mostly
    /// milder than disease under care, whose event rates the sources measure.
    /// unit: multiplier · range: [0, 100] · default: `uncontrolled_acute_multiplier` · source:
    /// assumption (COPD: exacerbation rates are from outpatients under care, REAL study 2023,
    /// while most COPD found by spirometry in the population was undiagnosed and mild, Wang C et
    /// al., Lancet 2018) — sweepable, calibratable
    #[serde(default)]
    pub undiagnosed_acute_multiplier: Option<f64>,
    /// Share of acute events that lead to an admission (the rest are treated in the emergency
    /// department).
    /// unit: share · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable (COPD consistent with the REAL study's hospitalised/severe ratios, params.csv
    /// copd_exacerbation_rate)
    pub acute_admission_share: f64,
    /// Probability that an acute event kills the patient, at the event, before any admission.
    /// unit: probability · range: [0, 1] · default: required · source: assumption (hypertension
    /// next to stroke mortality, Wang W 2017, params.csv stroke_incidence; post-stroke next to
    /// 1-year mortality 11.4–17.3 %, Qin H 2020, stroke_recurrence_1yr_registry)
    pub acute_case_fatality: f64,
    /// Probability that an acute event of an undiagnosed condition makes it known (the patient is
    /// diagnosed with it); otherwise the event is treated and the condition stays undiagnosed.
    /// unit: probability · range: [0, 1] · default: required · source: assumption; in the
    /// shipped scenarios fitted so that the diagnosed share is stationary (`medgroup steady`,
    /// docs/steady_state.md) — sweepable, calibratable
    pub acute_diagnosis_share: f64,
    /// Probability that a health check finds this condition when undiagnosed, in place of
    /// `screening.check_detection` (0 for a condition the check does not test for).
    /// unit: probability · range: [0, 1] · default: `screening.check_detection` · source: the
    /// national elderly health check measures blood pressure and fasting glucose but has no
    /// spirometry or prostate examination (National Basic Public Health Service Specification,
    /// 3rd ed., 2017); a value above 0 is an assumption, in the shipped scenarios fitted so that
    /// the diagnosed share is stationary (`medgroup steady`)
    #[serde(default)]
    pub check_detection: Option<f64>,
    /// Share of the condition's acute admissions discharged from a lead-hospital ward that are
    /// transferred to the catchment's shared ward for post-acute or rehabilitation care.
    /// unit: share · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable
    pub post_acute_transfer_share: f64,
    /// Rate at which a diagnosed patient needs an elective procedure (a surgical admission).
    /// unit: per patient-year · range: [0, 365] · default: required · source: assumption
    /// (e.g. transurethral resection for prostate hyperplasia)
    pub elective_procedures_per_year: f64,
    /// Deaths per 1,000 patients with the condition per year, on top of their age band's rate.
    /// unit: deaths per 1,000 patient-years · range: [0, 1000] · default: required · source:
    /// assumption
    pub excess_mortality_per_1000_per_year: f64,
    /// Probability that one visit at a tier brings the condition under control without referral.
    /// unit: probability per visit, by tier · range: each in [0, 1] · default: required · source:
    /// assumption, ordered primary < member < lead — sweepable, calibratable
    pub capability: TierShares,
}

/// Chronic care: follow-up schedules, delays, enrolment and admission rules.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct CareFile {
    /// Days between routine follow-ups of a patient enrolled in chronic-disease management.
    /// unit: days · range: (0, 3650] · default: required · source: at least 4 follow-ups a year
    /// for managed patients, National Basic Public Health Service standard (params.csv
    /// outpatient_visits_per_chronic_patient_per_year)
    pub enrolled_followup_interval_days: f64,
    /// Days between routine follow-ups of a diagnosed patient outside management.
    /// unit: days · range: (0, 3650] · default: required · source: assumption — sweepable,
    /// calibratable
    pub unenrolled_followup_interval_days: f64,
    /// Probability that a routine follow-up is attended (a missed one is re-filed one interval
    /// later).
    /// unit: probability · range: [0, 1] · default: required · source: 45.3 % of registered
    /// diabetics visit primary care infrequently (Wang J et al., BMC Public Health 2019; params.csv
    /// diabetic_patients_infrequent_primary_care_visitors)
    pub followup_adherence: f64,
    /// Mean delay from losing control to seeking care (exponentially distributed).
    /// unit: days · range: (0, 3650] · default: required · source: assumption — sweepable,
    /// calibratable
    pub symptom_delay_days: f64,
    /// Days from discharge to the follow-up visit (rounded to whole days, at least 1).
    /// unit: days · range: (0, 3650] · default: required · source: assumption
    pub post_discharge_followup_days: f64,
    /// After an acute event, the patient's requests count as complex for this many days (whole
    /// days; a fraction is dropped).
    /// unit: days · range: [0, 3650] · default: required · source: assumption
    pub post_acute_complex_days: f64,
    /// Probability that a CHC visit enrols a diagnosed, unenrolled patient in chronic-disease
    /// management.
    /// unit: probability per CHC visit · range: [0, 1] · default: required · source: assumption —
    /// sweepable, calibratable
    pub enrolment_on_chc_visit: f64,
    /// Rate at which an enrolled patient leaves chronic-disease management (moves away, stops
    /// attending, is dropped from the register); they can enrol again at a later CHC visit.
    /// unit: per enrolled patient-year · range: [0, 365] · default: required · source: between
    /// 0.019 a year lost to follow-up in a Beijing CHC diabetes cohort (Zhao C-M et al., Int J
    /// Endocrinol 2020:3646342) and 0.32 a year not returning in a Hong Kong hospital programme
    /// (Tutino GE et al., Diabet Med 2017;34:440); in the shipped scenarios fitted within that
    /// range so that the enrolled share is stationary (`medgroup steady`) — sweepable,
    /// calibratable
    pub management_exit_per_year: f64,
    /// Share of acute events taken to the lead hospital's emergency department rather than the
    /// member hospital's.
    /// unit: share · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable
    pub emergency_lead_share: f64,
    /// Probability that a complex outpatient case seen at a hospital is admitted to a medical ward.
    /// unit: probability · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable
    pub complex_admission_share: f64,
    /// Days ahead that appointment books are open.
    /// unit: days · range: integer 1..=365 · default: required · source: assumption
    pub booking_horizon_days: i64,
    /// The longest wait a patient accepts for a routine, a symptomatic and a complex request, in
    /// that order: a patient whose chosen clinic has no slot within it chooses again among the
    /// other options, and forgoes the visit if none has one (counted in `forgone_visits_per_year`).
    /// unit: days, by severity · range: 3 integers, each 0..=365 · default: required · source:
    /// assumption (part-worths of a wait fall from +0.46 at none to −0.46 at 12 days in a
    /// national DCE, Yan N et al. 2022, params.csv dce_level_wait_reimbursement_utilities) —
    /// sweepable, calibratable
    pub wait_tolerance_days: [i64; 3],
}

/// Facility choice: the terms of the multinomial-logit utility (DESIGN.md section 3.3).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ChoiceFile {
    /// Weight of a facility's perceived quality for a routine, a symptomatic and a complex
    /// request, in that order.
    /// unit: utility per unit of quality (0–1) · range: 3 numbers, each in [0, 50] · default:
    /// required · source: assumption — sweepable, calibratable (scaled to the relative attribute
    /// importances of the DCEs of Yu X 2021 and Jia E 2020, params.csv
    /// dce_hypertension_patients_utilities, dce_ncd_primary_care_attribute_importance)
    pub quality_by_severity: [f64; 3],
    /// Weight of the out-of-pocket cost of the visit.
    /// unit: utility per 100 yuan · range: [-50, 0] · default: required · source: assumption —
    /// sweepable, calibratable (scaled to the same DCEs, params.csv
    /// dce_hypertension_patients_utilities)
    pub cost_per_100_yuan: f64,
    /// Weight of the facility's published wait.
    /// unit: utility per day · range: [-50, 0] · default: required · source: assumption —
    /// sweepable, calibratable (short waits valued in Yu X 2021, params.csv
    /// dce_hypertension_patients_utilities)
    pub wait_per_day: f64,
    /// Weight of the travel time to the facility.
    /// unit: utility per 10 minutes · range: [-50, 0] · default: required · source: assumption —
    /// sweepable, calibratable (travel importance in Jia E 2020, params.csv
    /// dce_ncd_primary_care_attribute_importance)
    pub travel_per_10_minutes: f64,
    /// Utility of the home CHC (and of its expert session) for a signed patient.
    /// unit: utility · range: [-50, 50] · default: required · source: baseline 0.41 =
    /// ln(1.283 ÷ 0.848), the causal odds ratio of a CHC over a hospital visit after signing
    /// (PSM-DID, Feng G & Sun L, Innovation in Aging 2025); cross-sectional odds ratios, which
    /// include who signs, are higher (1.77, Li et al., Medicine 2017; 1/0.58, Feng D et al. 2017,
    /// params.csv) — sweepable, calibratable
    pub signed_bonus: f64,
    /// Utility of the facility of the patient's last visit.
    /// unit: utility · range: [-50, 50] · default: required · source: assumption — sweepable,
    /// calibratable (continuity valued in Yu X 2021, params.csv dce_hypertension_patients_utilities)
    pub continuity_bonus: f64,
    /// Standard deviation of the personal propensity to bypass the home CHC (normal, mean 0,
    /// subtracted from the home CHC's utility).
    /// unit: utility · range: [0, 50] · default: required · source: assumption — sweepable,
    /// calibratable
    pub bypass_sd: f64,
    /// Weight of the patient's trust in the home CHC.
    /// unit: utility per unit of trust (0–1) · range: [0, 50] · default: required · source:
    /// assumption — sweepable, calibratable (trust matters, params.csv
    /// distance_trust_odds_primary_preference)
    pub trust_weight: f64,
    /// After a CHC visit, trust moves this share of the way to 1 (condition controlled) or to 0
    /// (not controlled).
    /// unit: share · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable
    pub trust_step: f64,
    /// Time constant of the exponential smoothing behind the wait each clinic publishes.
    /// unit: days · range: (0, 3650] · default: required · source: assumption
    pub published_wait_smoothing_days: f64,
    /// How much the price of an option weighs with its quality: the cost term of option j is
    /// multiplied by (quality_j ÷ the lead hospital's quality) ^ exponent, so a price cut at a
    /// facility of low quality moves few patients (0: price weighs the same everywhere).
    /// unit: exponent · range: [0, 10] · default: required · source: derived from Ge L et al.,
    /// BMC Health Serv Res 2022 (params.csv copayment_effect_on_primary_choice): 14.0 % of
    /// Wenzhou residents said the tiered copayment affected their choice of primary care, 50.8 %
    /// if the quality gap were closed; with CHC quality 0.35 of the lead's, 0.35^k = 14.0 ÷ 50.8
    /// gives k ≈ 1.2 — sweepable, calibratable
    pub price_quality_exponent: f64,
}

/// Referral up (CHC → hospital) and down (hospital → CHC) before any reform.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ReferralFile {
    /// Probability that a CHC refers up a condition its visit failed to control.
    /// unit: probability · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable
    pub up_referral_propensity: f64,
    /// Probability that a CHC refers up a complex request.
    /// unit: probability · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable
    pub complex_up_referral_share: f64,
    /// Share of up-referrals completed; the rest are lost to friction.
    /// unit: share · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable
    pub referral_completion: f64,
    /// Probability that a hospital sends a stable outpatient back to the CHC.
    /// unit: probability · range: [0, 1] · default: required · source: 20.8 % of tertiary-hospital
    /// doctors willing to refer down (Yu W et al., BMJ Open 2017; params.csv
    /// downward_referral_willingness_shanghai)
    pub down_referral_propensity: f64,
    /// Mean time from an up-referral to the first day the hospital visit can take place
    /// (writing the referral, the patient taking it to the hospital or phoning for a slot): a
    /// gamma-distributed processing time, rounded up to whole days and at least one day (the
    /// referring visit has been seen today). The wait for a slot comes after it.
    /// unit: days · range: [0, 365] · default: required · source: assumption — sweepable,
    /// calibratable (no published mean for urban CHC referrals; an internet referral platform
    /// cut the median referral time by 64 %, Li Q et al. 2025, params.csv
    /// internet_referral_platform_time_effect)
    pub processing_days_mean: f64,
    /// Coefficient of variation of the processing time (0: always the mean).
    /// unit: ratio · range: [0, 10] · default: required · source: assumption — sweepable,
    /// calibratable
    pub processing_days_cv: f64,
    /// Probability that a member hospital refers a complex outpatient case it failed to resolve
    /// to the lead hospital (inter-hospital up-referral).
    /// unit: probability · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable (Guangming counts inter-hospital up-referrals with CHC-booked appointments,
    /// pilot_sites.md G1)
    pub member_up_referral_propensity: f64,
}

/// Reimbursement rates before any reform: the share of a charge the insurer pays, by scheme and
/// tier.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct PaymentFile {
    /// Rates for the urban employee scheme (职工医保).
    /// unit: share of the charge paid by the insurer, by tier · range: each in [0, 1] · default:
    /// required · source: from memory, unverified (params.csv reimbursement_rate_by_level_typical):
    /// check city tables before use
    pub reimbursement_employee: TierShares,
    /// Rates for the urban and rural resident scheme (居民医保).
    /// unit: share of the charge paid by the insurer, by tier · range: each in [0, 1] · default:
    /// required · source: from memory, unverified (params.csv reimbursement_rate_by_level_typical):
    /// check city tables before use
    pub reimbursement_resident: TierShares,
    /// What charges are made of: the shares of drugs and of tests (examinations) in an
    /// outpatient visit's and an inpatient stay's charge, by tier (the rest is services). They
    /// split spending by item; prices and payments are unchanged.
    /// unit: optional table · range: see its keys · default: none (spending not split by item) ·
    /// source: see its keys
    #[serde(default)]
    pub items: Option<ItemSharesFile>,
}

/// Shares of drugs and tests in charges, by tier.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ItemSharesFile {
    /// Share of drugs in an outpatient or emergency visit's charge.
    /// unit: share, by tier · range: each in [0, 1]; with `outpatient_tests` at most 1 · default:
    /// required · source: see the scenario (drug shares by level, Shanghai 2013, params.csv
    /// drug_share_by_level_shanghai; hospitals 2022, params.csv hospital_cost_per_outpatient_visit)
    pub outpatient_drugs: TierShares,
    /// Share of tests (examinations) in an outpatient or emergency visit's charge.
    /// unit: share, by tier · range: each in [0, 1] · default: required · source: see the scenario
    /// (params.csv drug_and_test_share_general_hospitals_2006)
    pub outpatient_tests: TierShares,
    /// Share of drugs in an inpatient stay's charge.
    /// unit: share, by tier · range: each in [0, 1]; with `inpatient_tests` at most 1 · default:
    /// required · source: see the scenario (params.csv drug_share_by_level_shanghai,
    /// hospital_cost_per_inpatient_stay)
    pub inpatient_drugs: TierShares,
    /// Share of tests (examinations) in an inpatient stay's charge.
    /// unit: share, by tier · range: each in [0, 1] · default: required · source: see the scenario
    /// (params.csv drug_and_test_share_general_hospitals_2006)
    pub inpatient_tests: TierShares,
}

/// A facility, or a batch of identical facilities: tier, prices, emergency department,
/// non-residents' demand, catchment, clinics and wards.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct FacilityFile {
    /// Name of the facility (used in outputs, in `member_hospitals` and to merge through
    /// `extends`).
    /// unit: text · range: any string; unique after expanding `count` · default: required ·
    /// source: not a model parameter
    pub name: String,
    /// Tier of the facility: community health centre, member hospital or lead hospital.
    /// unit: text · range: one of "primary", "member", "lead" · default: required · source: the
    /// group's structure (Qingpu "1+X+12", pilot_sites.md)
    pub tier: String,
    /// How many identical facilities this entry stands for (names get "-1", "-2", …).
    /// unit: count · range: integer 1..=10000 · default: 1 · source: the group's structure
    /// (Qingpu: 12 CHCs, pilot_sites.md; 2 member hospitals by assumption)
    #[serde(default)]
    pub count: Option<i64>,
    /// Whether the facility's visits count in `primary_care_visit_share`.
    /// unit: boolean · range: true or false · default: required · source: the target's definition
    /// (Qingpu target Q1 counts the district's public institutions, pilot_sites.md)
    pub in_scope: bool,
    /// Whether the facility belongs to the medical group (default true). A hospital outside the
    /// group (e.g. another tertiary hospital in the district) is an option of every request
    /// that is not referred, but no referral goes to it and no lever changes it; its visits count
    /// when `in_scope`.
    /// unit: boolean · range: true or false; false only for a member or lead hospital · default:
    /// true · source: the group's structure (Qingdao Shinan: 7 tertiary hospitals in the district,
    /// pilot_sites.md)
    #[serde(default)]
    pub in_group: Option<bool>,
    /// The city group the facility belongs to (a name in `city.groups`). Only with `[city]`;
    /// required there for every hospital in a group; a CHC without it takes its member hospitals'
    /// group.
    /// unit: text · range: a name in `city.groups`; not with `in_group` = false · default: none
    /// (one group, or a CHC's member hospitals' group) · source: the city's structure
    #[serde(default)]
    pub group: Option<String>,
    /// Perceived quality on a 0–1 scale.
    /// unit: quality (0–1) · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable
    pub quality: f64,
    /// Mean travel time from home.
    /// unit: minutes · range: [0, 1440] · default: required · source: CHCs: 90 % of residents
    /// within a 15-minute walk (Shenzhen 社康 feature, params.csv
    /// community_share_of_total_visits_shenzhen); hospitals assumption
    pub travel_minutes: f64,
    /// Price of an outpatient or emergency visit.
    /// unit: yuan per visit · range: [0, 1000000] · default: required · source: public hospitals
    /// 2022 Q1, tertiary 354.4, secondary 218.6 (params.csv cost_per_visit_by_level_public_hospitals);
    /// CHC ≈ 0.28 × tertiary (Shanghai 2009 ratio, params.csv cost_per_visit_chc_vs_tertiary_shanghai)
    pub visit_price_yuan: f64,
    /// Price of a bed-day in the facility's wards.
    /// unit: yuan per bed-day · range: [0, 1000000] · default: required · source: cost per stay
    /// 13,930.6 (tertiary) and 6,762.3 (secondary) ÷ length of stay 8.3 and 8.7 days (params.csv
    /// cost_per_visit_by_level_public_hospitals, average_length_of_stay_by_level)
    pub bed_day_price_yuan: f64,
    /// Whether the facility has an emergency department.
    /// unit: boolean · range: true or false; the lead hospital of a scenario with patients needs
    /// one · default: required · source: the group's structure
    pub emergency_department: bool,
    /// Mean emergency visits a day by people who do not live in the scenario's catchment
    /// (Poisson): exogenous demand, reported apart as `channel=nonresident`.
    /// unit: visits per day · range: [0, 1000000]; 0 when `emergency_department` = false ·
    /// default: required · source: assumption — calibratable
    pub nonresident_emergency_visits_per_day: f64,
    /// Primary only: relative size of the catchment (shares of residents are the weights ÷ their
    /// sum).
    /// unit: relative weight · range: [0, 1000000000]; required for a primary facility, not allowed
    /// for hospitals; not all 0 · default: none: only for member and lead hospitals · source:
    /// assumption (baseline: equal catchments)
    #[serde(default)]
    pub catchment_weight: Option<f64>,
    /// Primary only: the member hospitals serving this catchment (round-robin when `count` > 1).
    /// unit: list of facility names · range: names of member or lead hospitals in the group (after
    /// expanding `count`); required for a primary facility, not allowed for hospitals · default:
    /// none: only for member and lead hospitals · source: the group's structure (baseline:
    /// catchments alternate between the two member hospitals)
    #[serde(default)]
    pub member_hospitals: Option<Vec<String>>,
    /// The facility's outpatient clinics.
    /// unit: array of tables · range: kinds unique in a facility; with patients every hospital
    /// needs a "specialist" clinic and every primary facility a "general_practice" one · default:
    /// no clinics · source: see its keys
    #[serde(default)]
    pub clinics: Vec<ClinicFile>,
    /// The facility's wards.
    /// unit: array of tables · range: names unique in a facility; none at a primary facility; with
    /// patients the lead hospital needs a "medical" and a "surgical" ward · default: no wards ·
    /// source: see its keys
    #[serde(default)]
    pub wards: Vec<WardFile>,
}

/// An outpatient clinic: bookable slots by weekday and visits by non-residents.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ClinicFile {
    /// Kind of clinic ("expert_session" clinics are created by `policy.expert_sessions`, never
    /// written here).
    /// unit: text · range: one of "general_practice", "specialist" · default: required · source:
    /// the group's structure
    pub kind: String,
    /// Bookable visits Monday … Sunday. Exactly one of `slots_per_weekday` and `family_doctors`.
    /// unit: slots per day · range: 7 integers, each 0..=1000000 · default: none: required unless
    /// `family_doctors` gives the slots · source: assumption (hospital clinics sized to their
    /// demand)
    #[serde(default)]
    pub slots_per_weekday: Option<Vec<i64>>,
    /// General practice only: the family-doctor teams whose working days make the slots
    /// (doctors × visits per doctor-day × the day's opening), the panel a doctor can hold, and
    /// whether signed patients book first.
    /// unit: optional table · range: see its keys; not with `slots_per_weekday` · default: none
    /// (slots as written) · source: see its keys
    #[serde(default)]
    pub family_doctors: Option<FamilyDoctorsFile>,
    /// Mean visits a day by people who do not live in the scenario's catchment (Poisson, spread
    /// over the weekdays in proportion to the slots): exogenous demand that books like everyone
    /// else but does not choose, reported apart as `channel=nonresident`.
    /// unit: visits per day · range: [0, 1000000] · default: required · source: assumption —
    /// calibratable (tertiary hospitals draw patients from the whole city)
    pub nonresident_visits_per_day: f64,
}

/// A CHC's family-doctor teams (家庭医生团队): what makes its general-practice slots.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct FamilyDoctorsFile {
    /// Family doctors of the clinic, in full-time equivalents (all teams together).
    /// unit: doctors (full-time equivalents) · range: (0, 100000] · default: required · source:
    /// Pudong 2016, 2.1 family doctors per 10,000 residents (params.csv
    /// family_doctor_density_and_contract_rate_pudong): 21 for a catchment of 100,000, plus the
    /// CHC's other general practitioners (assumption) — calibratable
    pub doctors: f64,
    /// Visits a family doctor gives in a full working day.
    /// unit: visits per doctor-day · range: (0, 1000] · default: required · source: Pudong 2016,
    /// 6,582 contracted residents' visits per family doctor a year (params.csv
    /// contract_resident_visits_per_family_doctor_pudong), ≈ 26 a working day; nationally 12.5
    /// patients per physician-day (Wong WCW et al. 2017, params.csv chc_physician_patients_per_day)
    pub visits_per_doctor_day: f64,
    /// Share of a full working day the clinic opens, Monday … Sunday.
    /// unit: share of a working day · range: 7 numbers, each in [0, 1] · default: required ·
    /// source: assumption (weekend clinics)
    pub opening_by_weekday: Vec<f64>,
    /// Signed residents one family doctor can hold: a signing drive stops at doctors × panel in
    /// a catchment.
    /// unit: residents per doctor · range: integer 1..=100000 · default: required · source:
    /// Shanghai's norm of 2,000–5,000 residents per family doctor, 2,000–2,500 internationally
    /// (params.csv family_doctor_panel_size_norm_shanghai)
    pub panel_size: i64,
    /// Whether signed patients book the clinic's slots ahead of the day's other requests.
    /// unit: boolean · range: true or false · default: required · source: priority booking for
    /// signed residents (Shanghai, params.csv priority_hospital_slots_for_fd_referrals;
    /// "three priorities", pilot_sites.md)
    pub signed_priority: bool,
}

/// A ward: beds, length-of-stay law and background admissions.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct WardFile {
    /// Name of the ward (used in outputs and to merge wards through `extends`).
    /// unit: text · range: any string; unique in the facility · default: required · source: not a
    /// model parameter
    pub name: String,
    /// Kind of ward: "medical", "surgical", "shared" (共管病房: post-acute and rehabilitation care
    /// in a member hospital, co-managed with the lead hospital) or "rehabilitation" (a hospital's
    /// own post-acute ward, filled by `transfer` from its acute wards).
    /// unit: text · range: one of "medical", "surgical", "shared", "rehabilitation" · default:
    /// required · source: the group's structure (shared wards in a member hospital: Qingdao
    /// Shinan, pilot_sites.md)
    pub kind: String,
    /// Staffed beds.
    /// unit: beds · range: integer 1..=100000 · default: required · source: assumption (the
    /// group's size)
    pub beds: i64,
    /// Probability law of the length of stay: "exponential" or "lognormal".
    /// unit: text · range: one of "exponential", "lognormal" · default: required · source:
    /// assumption ("exponential" makes the ward an M/M/c queue)
    pub stay_law: String,
    /// Mean length of stay.
    /// unit: days · range: (0, 3650] · default: required · source: tertiary 8.3 and secondary
    /// 8.7 days (NHC Jan–Feb 2023, params.csv average_length_of_stay_by_level); surgical and shared
    /// wards assumption (Shanghai 11.55 days including rehabilitation, params.csv
    /// average_length_of_stay_shanghai)
    pub mean_stay_days: f64,
    /// Coefficient of variation of the stay (lognormal only; exponential has 1).
    /// unit: ratio (SD ÷ mean) · range: (0, 10]; required with stay_law = "lognormal", not allowed
    /// with "exponential" · default: none: only with stay_law = "exponential" · source:
    /// assumption
    #[serde(default)]
    pub stay_cv: Option<f64>,
    /// Mean admissions a day by residents without a chronic condition and by non-residents
    /// (Poisson).
    /// unit: admissions per day · range: [0, 1000000] · default: required · source: assumption,
    /// sized so that occupancy is near tertiary 85–98 % and secondary 82–87 % (params.csv
    /// bed_occupancy_tertiary_hospitals, bed_occupancy_by_level_2019, bed_occupancy_by_level_2010)
    pub background_admissions_per_day: f64,
    /// Priority class of the background admissions: "emergency", "referred" or "elective" (served
    /// in that order, first come first served within a class).
    /// unit: text · range: one of "emergency", "referred", "elective" · default: required ·
    /// source: assumption
    pub background_priority: String,
    /// The ward's operating list: elective cases (agents' and `background_bookings_per_day`) wait
    /// on it for a theatre session instead of queueing for a bed.
    /// unit: optional table · range: see its keys · default: none (elective cases queue for a bed
    /// like any other) · source: see its keys
    #[serde(default)]
    pub theatre: Option<TheatreFile>,
    /// A share of the ward's other patients (`background_admissions_per_day`, not agents)
    /// admitted on discharge, at once, to a later ward of the same facility (e.g. an acute ward's
    /// patients going on to its rehabilitation ward).
    /// unit: optional table · range: see its keys · default: none (nobody goes on) · source: see
    /// its keys
    #[serde(default)]
    pub transfer: Option<TransferFile>,
}

/// A ward's operating list: theatre sessions by weekday, emergencies, cancellations, pre-operative
/// days and the bookings of patients who are not agents.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct TheatreFile {
    /// Theatre sessions Monday … Sunday (a session is one theatre for a half or full day).
    /// unit: sessions per day · range: 7 integers, each 0..=10000 · default: required · source:
    /// see the scenario (theatres per surgical bed and sessions a week)
    pub sessions_per_weekday: Vec<i64>,
    /// Cases a session can operate.
    /// unit: cases per session · range: integer 1..=100 · default: required · source: see the
    /// scenario
    pub cases_per_session: i64,
    /// Mean emergency operations a day (Poisson) in the ward's theatres: they take the session
    /// capacity first.
    /// unit: cases per day · range: [0, 100000] · default: required · source: see the scenario
    pub emergency_cases_per_day: f64,
    /// Probability that a case called in is cancelled (patient unfit, absent, or the hospital's
    /// cause): it keeps its place at the head of the list and its slot is lost.
    /// unit: probability · range: [0, 1] · default: required · source: 0.47 % before admission +
    /// 1.01 % on the day at a day-surgery centre; 0.15–40.8 % across Chinese studies (params.csv
    /// same_day_surgery_cancellation_rate)
    pub cancellation_probability: f64,
    /// Days in bed before the operation: a case is admitted this many days before its operating
    /// day, and its stay is these days plus a post-operative part with the ward's mean stay in
    /// all.
    /// unit: days · range: integer 0..=30, below the ward's mean stay · default: required · source:
    /// see the scenario
    pub preop_days: i64,
    /// Mean elective bookings a day (Poisson) by patients who are not agents (residents without a
    /// chronic condition, non-residents).
    /// unit: bookings per day · range: [0, 100000] · default: required · source: see the scenario
    pub background_bookings_per_day: f64,
    /// Mean of the exponential law of the longest published list wait a booker who is not an
    /// agent accepts; a booker facing a longer wait goes elsewhere (counted as turned away). The
    /// list publishes its length over the mean cases a day its sessions leave for it.
    /// unit: days · range: (0, 3650] · default: none (every booker joins the list) · source:
    /// assumption — sweepable, calibratable
    #[serde(default)]
    pub wait_tolerance_days: Option<f64>,
}

/// Patients who go on from one ward to another of the same facility on discharge.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct TransferFile {
    /// Name of the receiving ward: a ward listed after this one in the same facility.
    /// unit: text · range: the name of a later ward of the facility · default: required · source:
    /// the hospital's structure
    pub to: String,
    /// Share of the ward's other patients who go on.
    /// unit: share · range: [0, 1] · default: required · source: see the scenario
    pub share: f64,
    /// Priority class they queue in at the receiving ward: "emergency", "referred" or
    /// "elective".
    /// unit: text · range: one of "emergency", "referred", "elective" · default: "referred" ·
    /// source: assumption (a transfer waits like a referral)
    #[serde(default)]
    pub priority: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Screening and health checks

/// Annual health checks and screening campaigns at CHCs, which find undiagnosed conditions and
/// enrol patients in chronic-disease management.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct ScreeningFile {
    /// Share of residents aged `health_check_min_age` or more given a CHC health check in a year.
    /// unit: share per year · range: [0, 0.999] · default: required · source: pilot_sites.md G4
    /// (Guangming 65+ health-management rate 43.9 % in 2019); calibratable
    pub health_check_coverage: f64,
    /// Youngest age of the annual health check (national basic public health service: 65); must
    /// be the `min_age` of an age band.
    /// unit: years · range: the `min_age` of one of `population.age_bands` · default: required ·
    /// source: national basic public health service (health management of residents 65+)
    pub health_check_min_age: i64,
    /// Probability that a health check finds each undiagnosed chronic condition.
    /// unit: probability · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable
    pub check_detection: f64,
    /// Probability that a patient found by a check or a campaign enrols in chronic-disease
    /// management at the CHC.
    /// unit: probability · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable
    pub enrolment_on_diagnosis: f64,
    /// Screening campaigns for one condition each.
    /// unit: array of tables · range: see its section · default: none · source: see its keys
    #[serde(default)]
    pub campaigns: Vec<CampaignFile>,
}

/// A screening campaign: people of eligible ages screened at random for one condition.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct CampaignFile {
    /// Name used in outputs.
    /// unit: text · range: a non-empty name, unique among campaigns · default: required · source:
    /// not a model parameter
    pub name: String,
    /// The condition screened for (a `conditions[].name`).
    /// unit: condition name · range: one of `conditions[].name` · default: required · source:
    /// policy setting
    pub condition: String,
    /// Youngest age screened; must be the `min_age` of an age band.
    /// unit: years · range: the `min_age` of one of `population.age_bands` · default: required ·
    /// source: policy setting (Qingpu screenings: mostly residents 40+, pilot_sites.md Q6)
    pub min_age: i64,
    /// Residents screened a year.
    /// unit: people per year · range: [0, 1e8] · default: required · source: policy setting
    /// (Qingpu: 10,917 stroke and 5,719 COPD screenings a year, pilot_sites.md Q6–Q7)
    pub screened_per_year: f64,
    /// Probability that screening finds the condition in a person who has it undiagnosed.
    /// unit: probability · range: [0, 1] · default: required · source: assumption — sweepable,
    /// calibratable
    pub sensitivity: f64,
    /// Simulation day the campaign starts.
    /// unit: simulation day · range: integer 0..=(run.warmup_days + run.days − 1) · default: 0 (on
    /// from the first day) · source: policy setting
    #[serde(default)]
    pub start_day: i64,
}
