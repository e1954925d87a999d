//! The metric catalogue: every output a replication writes, defined once.
//!
//! Each summary metric ([`METRICS`]) and daily series ([`series`]) is a
//! [`Metric`](analysis::catalogue::Metric): its name in output files, its unit, the keys of its
//! breakdowns, whether (and which rows of) it is a headline metric, and its meaning in English and
//! Chinese for the report. The recorder writes metrics and series only through these constants
//! (`model::record`), the CSV writers and the terminal take units and headline rows from here,
//! and the report explains each metric with its text, so a metric's name, unit and meaning cannot
//! drift apart. A new output is one constant here, listed in [`METRICS`] (or [`series::ALL`]).

use analysis::catalogue::{Catalogue, Headline, Metric, Unit};
use analysis::importance::{Better, Importance};
use std::collections::BTreeMap;

/// Everything the report and the CSV writers need to know about the outputs.
pub static CATALOGUE: Catalogue =
    Catalogue { metrics: METRICS, series: series::ALL, levers: crate::levers::TEXTS };

/// The unit of a metric as written in CSV files and shown in the terminal ("count" for a name
/// the catalogue does not know).
pub fn unit(name: &str) -> &'static str {
    CATALOGUE.unit(name).name()
}

/// Whether the row (`metric`, breakdown `b`) is a headline row (the terminal's table, the
/// report's headline table, `--precision`, sensitivity screening).
pub fn headline(metric: &str, b: &str) -> bool {
    CATALOGUE.is_headline(metric, b)
}

/// The minimal important difference (MID) and better direction of each headline metric: a
/// paired difference whose CI excludes 0 but lies within ± the MID is negligible
/// (`analysis::importance`). Shares are 0–1, so 0.01 is one percentage point. Every value is an
/// assumption unless it names a source; `compare --mid METRIC=VALUE` overrides one.
pub const IMPORTANCE: &[(&str, Importance)] = &[
    (
        "primary_care_visit_share",
        Importance { mid: 0.01, relative: false, better: Better::Higher, source: "assumption: 1 pp" },
    ),
    (
        "primary_care_visit_share_provider",
        Importance {
            mid: 0.01,
            relative: false,
            better: Better::Higher,
            source: "assumption: as primary_care_visit_share",
        },
    ),
    (
        "outpatient_wait_days",
        Importance {
            mid: 1.0,
            relative: false,
            better: Better::Lower,
            source: "assumption: one day, the unit of the wait attribute in the national DCE (Yan N et al. 2022, params.csv dce_level_wait_reimbursement_utilities)",
        },
    ),
    (
        "forgone_visits_per_year",
        Importance {
            mid: 0.05,
            relative: true,
            better: Better::Lower,
            source: "assumption: 5 % of the base",
        },
    ),
    (
        "admission_wait_days",
        Importance { mid: 1.0, relative: false, better: Better::Lower, source: "assumption: one day" },
    ),
    (
        "elective_surgery_wait_days",
        Importance { mid: 7.0, relative: false, better: Better::Lower, source: "assumption: one week" },
    ),
    (
        "elective_list_wait_days",
        Importance { mid: 7.0, relative: false, better: Better::Lower, source: "assumption: one week" },
    ),
    (
        "bed_occupancy",
        Importance {
            mid: 0.02,
            relative: false,
            better: Better::Neither,
            source: "assumption: 2 pp; neither higher nor lower is better in itself",
        },
    ),
    (
        "referrals_up_per_year",
        Importance {
            mid: 0.05,
            relative: true,
            better: Better::Neither,
            source: "assumption: 5 % of the base; more up-referrals can mean better access or weaker CHCs",
        },
    ),
    (
        "referrals_down_per_year",
        Importance {
            mid: 0.05,
            relative: true,
            better: Better::Higher,
            source: "assumption: 5 % of the base; down-referral is a stated aim of the reform (two-way referral)",
        },
    ),
    (
        "acute_events_per_year",
        Importance {
            mid: 0.02,
            relative: true,
            better: Better::Lower,
            source: "assumption: 2 % of the base",
        },
    ),
    (
        "uncontrolled_patient_day_share",
        Importance { mid: 0.01, relative: false, better: Better::Lower, source: "assumption: 1 pp" },
    ),
    (
        "chronic_patients",
        Importance {
            mid: 0.01,
            relative: true,
            better: Better::Neither,
            source: "assumption: 1 % of the base",
        },
    ),
    (
        "visits_per_day",
        Importance {
            mid: 0.02,
            relative: true,
            better: Better::Neither,
            source: "assumption: 2 % of the base; volumes are reported, not judged",
        },
    ),
];

/// The importance of `metric`: its entry in [`IMPORTANCE`], with its MID replaced by an
/// override (`"0.02"` in the metric's unit or `"5%"` of the base) when `overrides` has one. An
/// override for a metric outside the table gives it a MID without a direction.
pub fn importance(metric: &str, overrides: &BTreeMap<String, String>) -> Option<Importance> {
    let listed = IMPORTANCE.iter().find(|(m, _)| *m == metric).map(|(_, i)| *i);
    match overrides.get(metric).and_then(|t| analysis::importance::parse_mid(t).ok()) {
        Some((mid, relative)) => Some(Importance {
            mid,
            relative,
            source: "--mid",
            ..listed.unwrap_or(Importance { mid, relative, better: Better::Neither, source: "--mid" })
        }),
        None => listed,
    }
}

/// Metrics whose values can be negative (a growth, a surplus that may be a deficit). Every other
/// metric is a level of something counted, waited or shared, never below 0: its confidence
/// interval is cut at 0 in `summary.csv` and everywhere it is shown (`Summary::within_range`).
pub const SIGNED: &[&str] =
    &["primary_visits_growth", "group_surplus_yuan_per_year", "group_surplus_retained_yuan_per_year"];

/// Whether `metric`'s values are never negative (see [`SIGNED`]).
pub fn non_negative(metric: &str) -> bool {
    !SIGNED.contains(&metric)
}

/// Every metric name a replication can report (what a calibration target may name).
pub fn names() -> Vec<&'static str> {
    METRICS.iter().map(|m| m.id).collect()
}

/// Every summary metric, in the order the report explains them.
pub const METRICS: &[Metric] = &[
    PRIMARY_CARE_VISIT_SHARE,
    PRIMARY_CARE_VISIT_SHARE_PROVIDER,
    OUTPATIENT_WAIT_DAYS,
    OUTPATIENT_WAIT_DAYS_P50,
    OUTPATIENT_WAIT_DAYS_P90,
    RESIDENT_WAIT_DAYS,
    FORGONE_VISITS_PER_YEAR,
    OUT_OF_POCKET_YUAN_PER_VISIT,
    ADMISSION_WAIT_DAYS,
    ELECTIVE_SURGERY_WAIT_DAYS,
    ELECTIVE_LIST_WAIT_DAYS,
    ELECTIVE_LIST_WAIT_DAYS_P50,
    ELECTIVE_LIST_WAIT_DAYS_P90,
    ELECTIVE_LIST_SIZE,
    ELECTIVE_LIST_WAITS_CENSORED,
    ELECTIVE_OPERATIONS_PER_DAY,
    EMERGENCY_OPERATIONS_PER_DAY,
    THEATRE_UTILISATION,
    ELECTIVE_CANCELLATIONS_PER_YEAR,
    ELECTIVE_BOOKINGS_TURNED_AWAY_PER_YEAR,
    EXPERT_OPERATIONS_PER_YEAR,
    SHARED_WARD_ADMISSIONS_RECEIVED_PER_YEAR,
    ADMISSION_WAITS_CENSORED,
    BED_OCCUPANCY,
    BED_OCCUPANCY_P95,
    BED_OCCUPANCY_DAYS_AT_OR_ABOVE_95,
    REFERRALS_UP_PER_YEAR,
    REFERRALS_DOWN_PER_YEAR,
    REFERRALS_LOST_PER_YEAR,
    CHC_BOOKED_HOSPITAL_APPOINTMENTS_PER_YEAR,
    REFERRAL_PROCESSING_DAYS,
    REFERRAL_SLOT_WAIT_DAYS,
    REFERRAL_UP_TO_DOWN_RATIO,
    TRANSFERS_TO_SHARED_WARD_PER_YEAR,
    ACUTE_EVENTS_PER_YEAR,
    DEATHS_PER_YEAR,
    UNCONTROLLED_PATIENT_DAY_SHARE,
    CHRONIC_PATIENTS,
    ENROLLED_PATIENTS,
    VISITS_PER_DAY,
    CROSS_GROUP_VISITS_PER_DAY,
    EMERGENCY_VISITS_PER_DAY,
    AGENT_VISITS_PER_DAY,
    RESIDENT_VISITS_PER_DAY,
    NONRESIDENT_VISITS_PER_DAY,
    OUTPATIENT_REQUESTS_UNSERVED_PER_YEAR,
    SPENDING_YUAN_PER_YEAR,
    SPENDING_BY_ITEM_YUAN_PER_YEAR,
    WARD_MEAN_CENSUS,
    WARD_ADMISSIONS_PER_DAY,
    WARD_MEAN_STAY_DAYS,
    ADMISSION_WAIT_PROB_POSITIVE,
    NEW_PATIENTS_PER_YEAR,
    AGENT_DISCHARGES_PER_YEAR,
    ELECTIVE_PROCEDURES_PER_YEAR,
    VISITS_PER_YEAR,
    PRIMARY_VISITS_GROWTH,
    CHC_VISITS_PER_DAY,
    CHC_DAILY_VISITS_MAX_OVER_MIN,
    EXPERT_SESSION_VISITS_PER_DAY,
    CHC_CAPABILITY_GAIN,
    SIGNED_PATIENTS,
    SIGNED_RESIDENT_SHARE,
    MANAGED_PATIENTS,
    STANDARDISED_MANAGEMENT_RATE,
    FOLLOWUPS_PER_SERVED_PATIENT,
    HEALTH_CHECKS_PER_YEAR,
    HEALTH_CHECK_RATE,
    CONDITIONS_FOUND_BY_CHECKS_PER_YEAR,
    SCREENING_FOUND_PER_YEAR,
    SCREENING_YIELD,
    SPENDING_YUAN_PER_PATIENT_YEAR,
    CAPITATION_YUAN_PER_YEAR,
    GROUP_SURPLUS_YUAN_PER_YEAR,
    GROUP_SURPLUS_RETAINED_YUAN_PER_YEAR,
    GROUP_BUDGET_PRESSURE,
    COST_SHIFTED_TO_PATIENTS_YUAN_PER_YEAR,
    WARD_STAFFED_BEDS,
];

/// `primary_care_visit_share`
pub const PRIMARY_CARE_VISIT_SHARE: Metric = Metric {
    id: "primary_care_visit_share",
    unit: Unit::Share,
    breakdowns: &["year", "group"],
    headline: Headline::All,
    en: "primary-care visit share",
    zh: "基层诊疗占比",
    explain_en: "Visits at community health centres (including expert sessions held there) divided by all outpatient and emergency visits at the facilities in scope. Tiered-care reform aims to raise it: routine care close to home, fewer crowds at the lead hospital. In a city of several groups, also by group (group=NAME: the visits at that group's facilities in scope).",
    explain_zh: "社区卫生服务中心（含在社区开设的专家门诊）的就诊人次 ÷ 范围内机构的全部门急诊人次。分级诊疗改革希望提高这一比例：常规诊疗回到家门口，牵头医院不再人满为患。多个医疗集团的城市中另按集团分列（group=名称：该集团范围内机构的就诊人次）。",
};

/// `primary_care_visit_share_provider`
pub const PRIMARY_CARE_VISIT_SHARE_PROVIDER: Metric = Metric {
    id: "primary_care_visit_share_provider",
    unit: Unit::Share,
    breakdowns: &[],
    headline: Headline::All,
    en: "primary-care visit share, by provider",
    zh: "基层诊疗占比（按提供者）",
    explain_en: "Visits given by CHC staff divided by all outpatient and emergency visits at the facilities in scope. Unlike the place-based share, an expert session held at a CHC by lead-hospital specialists counts as the lead's: slot sinking raises the place-based share by moving specialists, this one only by more patients choosing CHC doctors.",
    explain_zh: "由社区医务人员提供的就诊人次 ÷ 范围内机构的全部门急诊人次。与按地点统计的占比不同，牵头医院专家在社区开设的专家门诊计入牵头医院：号源下沉通过专家下沉提高按地点的占比，而这一占比只有在更多患者选择社区医生时才会提高。",
};

/// `outpatient_wait_days`
pub const OUTPATIENT_WAIT_DAYS: Metric = Metric {
    id: "outpatient_wait_days",
    unit: Unit::Days,
    breakdowns: &["tier", "channel"],
    headline: Headline::Unless("nonresident"),
    en: "outpatient wait",
    zh: "门诊等待时间",
    explain_en: "Days from the first day a visit could take place to the visit, by tier and by channel (self-referred, signed with a family doctor, referred, and non-residents): for a request that is the day it is made; for a referral, the end of its processing time (referral_processing_days), so this is the wait for a slot. Zero means seen that day. Every visit counts, chronic patients' and other residents'. When slots are scarce, waits grow, and priority rules decide who waits.",
    explain_zh: "从就诊最早可安排日到实际就诊的天数，按机构层级和就诊渠道（自行就诊、家庭医生签约、转诊、非本地居民）分列：普通预约从提出之日算起；转诊从办理完成之日（referral_processing_days）算起，因而是等待号源的时间。0 表示当天就诊。所有就诊都计入，包括慢病患者和其他居民。号源紧张时等待变长，优先规则决定谁等得更久。",
};

/// `outpatient_wait_days_p50`
pub const OUTPATIENT_WAIT_DAYS_P50: Metric = Metric {
    id: "outpatient_wait_days_p50",
    unit: Unit::Days,
    breakdowns: &["tier", "channel"],
    headline: Headline::No,
    en: "outpatient wait, median",
    zh: "门诊等待时间（中位数）",
    explain_en: "The wait that half of the visits do not exceed, in whole days.",
    explain_zh: "一半就诊不超过的等待天数（按整天计）。",
};

/// `resident_wait_days`
pub const RESIDENT_WAIT_DAYS: Metric = Metric {
    id: "resident_wait_days",
    unit: Unit::Days,
    breakdowns: &["catchment", "scheme"],
    headline: Headline::No,
    en: "residents' outpatient wait",
    zh: "居民门诊等待时间",
    explain_en: "The residents' mean outpatient wait (chronic patients and others, every tier and channel) by CHC catchment and by insurance scheme: who waits longer under a reform.",
    explain_zh: "居民（慢病患者及其他居民，各层级各渠道）的平均门诊等待天数，按社区服务片区和医保类型分列：改革下谁等得更久。",
};

/// `forgone_visits_per_year`
pub const FORGONE_VISITS_PER_YEAR: Metric = Metric {
    id: "forgone_visits_per_year",
    unit: Unit::PerYear,
    breakdowns: &["population", "catchment", "scheme"],
    headline: Headline::Exactly("population=chronic"),
    en: "forgone visits",
    zh: "放弃的就诊",
    explain_en: "Visits given up a year because no option had a slot within the wait the patient accepts (care.wait_tolerance_days): by population (chronic patients, other residents), by CHC catchment and by insurance scheme. A chronic patient's forgone follow-up comes back later, and the condition meanwhile may lose control.",
    explain_zh: "每年因所有可选机构在可接受等待时间内（care.wait_tolerance_days）都无号源而放弃的就诊人次，按人群（慢病患者、其他居民）、社区服务片区和医保类型分列。慢病患者放弃的随访会推迟，其间病情可能失控。",
};

/// `out_of_pocket_yuan_per_visit`
pub const OUT_OF_POCKET_YUAN_PER_VISIT: Metric = Metric {
    id: "out_of_pocket_yuan_per_visit",
    unit: Unit::YuanPerVisit,
    breakdowns: &["catchment", "scheme"],
    headline: Headline::No,
    en: "out-of-pocket cost per visit",
    zh: "每次就诊自付费用",
    explain_en: "What residents pay themselves per outpatient or emergency visit (after reimbursement), by CHC catchment and by insurance scheme.",
    explain_zh: "居民每次门急诊就诊（报销后）自付的费用，按社区服务片区和医保类型分列。",
};

/// `outpatient_wait_days_p90`
pub const OUTPATIENT_WAIT_DAYS_P90: Metric = Metric {
    id: "outpatient_wait_days_p90",
    unit: Unit::Days,
    breakdowns: &["tier", "channel"],
    headline: Headline::No,
    en: "outpatient wait, 90th percentile",
    zh: "门诊等待时间（第 90 百分位）",
    explain_en: "The wait that 90 % of visits do not exceed, in whole days: the long tail that a mean hides.",
    explain_zh: "90% 的就诊不超过的等待天数（按整天计）：反映平均数掩盖的长尾。",
};

/// `admission_wait_days`
pub const ADMISSION_WAIT_DAYS: Metric = Metric {
    id: "admission_wait_days",
    unit: Unit::Days,
    breakdowns: &["ward", "priority"],
    headline: Headline::EndingWith("priority=all"),
    en: "admission wait",
    zh: "入院等待时间",
    explain_en: "Days from the decision to admit to getting a bed, by ward and priority (emergency before referred before elective), over the patients admitted in the recorded window and those still waiting at its end (counted as far as they have waited; see admission_waits_censored). A ward that is nearly always full makes elective patients wait longest.",
    explain_zh: "从决定住院到获得床位的天数，按病区和优先级（急诊优先于转诊，转诊优先于择期）分列，包括记录期内入院的患者和期末仍在等待的患者（按已等待的天数计入，见 admission_waits_censored）。几乎总是满床的病区会让择期患者等得最久。",
};

/// `admission_waits_censored`
pub const ADMISSION_WAITS_CENSORED: Metric = Metric {
    id: "admission_waits_censored",
    unit: Unit::Patients,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "admission waits still running at the end",
    zh: "截至结束仍在等待入院的人数",
    explain_en: "Patients still waiting for a bed when the run ends. Their waits are counted in admission_wait_days as far as they have gone (right-censored at the end of the window), so a queue that is still growing does not look like a short wait.",
    explain_zh: "运行结束时仍在等待床位的人数。其等待时间按截至窗口结束时已等待的天数计入 admission_wait_days（在窗口末右删失），这样仍在增长的队列不会被误读为等待短暂。",
};

/// `elective_surgery_wait_days`
pub const ELECTIVE_SURGERY_WAIT_DAYS: Metric = Metric {
    id: "elective_surgery_wait_days",
    unit: Unit::Days,
    breakdowns: &["ward"],
    headline: Headline::All,
    en: "elective surgery wait",
    zh: "择期手术等待时间",
    explain_en: "Days from booking to operation of elective cases. At a ward with an operating list: the list's wait (elective_list_wait_days, which includes the pre-operative days) plus the wait of the cases called in for a bed, which delays their operation. At a surgical ward without a list: the admission wait of elective patients.",
    explain_zh: "择期病例从登记到手术的天数。有手术排队名单的病区：名单等待时间（elective_list_wait_days，含术前住院日）加上被安排入院的病例等待床位的时间（床位等待会推迟手术）。无名单的外科病区：择期患者的入院等待天数。",
};

/// `elective_list_wait_days`
pub const ELECTIVE_LIST_WAIT_DAYS: Metric = Metric {
    id: "elective_list_wait_days",
    unit: Unit::Days,
    breakdowns: &["ward"],
    headline: Headline::All,
    en: "elective list wait",
    zh: "择期手术排队等待时间",
    explain_en: "Days from booking onto a ward's operating list to the operation, over the cases operated in the recorded window and those still on the list at its end (counted as far as they have waited). The list waits for the theatre's sessions: emergencies take their cases first, and a cancelled case loses its session's slot.",
    explain_zh: "从登记进入病区手术排队名单到手术的天数，包括记录期内完成手术的病例和期末仍在名单上的病例（按已等待天数计入）。名单依手术室的台次推进：急诊手术优先占用台次，被取消的病例会浪费当台的名额。",
};

/// `elective_list_wait_days_p50`
pub const ELECTIVE_LIST_WAIT_DAYS_P50: Metric = Metric {
    id: "elective_list_wait_days_p50",
    unit: Unit::Days,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "elective list wait, median",
    zh: "择期手术排队等待时间中位数",
    explain_en: "Median days from booking to operation of the cases operated in the recorded window.",
    explain_zh: "记录期内完成手术病例从登记到手术天数的中位数。",
};

/// `elective_list_wait_days_p90`
pub const ELECTIVE_LIST_WAIT_DAYS_P90: Metric = Metric {
    id: "elective_list_wait_days_p90",
    unit: Unit::Days,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "elective list wait, 90th percentile",
    zh: "择期手术排队等待时间第90百分位",
    explain_en: "Days from booking to operation that nine in ten of the cases operated in the recorded window did not exceed.",
    explain_zh: "记录期内完成手术的病例中，九成病例从登记到手术不超过的天数。",
};

/// `elective_list_size`
pub const ELECTIVE_LIST_SIZE: Metric = Metric {
    id: "elective_list_size",
    unit: Unit::Patients,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "elective list size",
    zh: "择期手术排队人数",
    explain_en: "Cases on a ward's operating list at the end of a day, averaged over the recorded days (the daily series elective_list shows it over time).",
    explain_zh: "每天结束时病区手术排队名单上的病例数，记录期内的日平均（日序列 elective_list 给出其随时间的变化）。",
};

/// `elective_list_waits_censored`
pub const ELECTIVE_LIST_WAITS_CENSORED: Metric = Metric {
    id: "elective_list_waits_censored",
    unit: Unit::Patients,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "cases still on the list at the end",
    zh: "截至结束仍在排队的病例数",
    explain_en: "Cases still on the operating list when the run ends; their waits so far are counted in elective_list_wait_days (right-censored), not in its percentiles.",
    explain_zh: "运行结束时仍在手术排队名单上的病例数；其已等待天数计入 elective_list_wait_days（右删失），不计入其百分位数。",
};

/// `elective_operations_per_day`
pub const ELECTIVE_OPERATIONS_PER_DAY: Metric = Metric {
    id: "elective_operations_per_day",
    unit: Unit::PerDay,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "elective operations",
    zh: "择期手术台次",
    explain_en: "Elective cases called in from the operating list a day (agents' and others').",
    explain_zh: "每天从手术排队名单中安排入院手术的择期病例数（含模型中的慢病患者与其他患者）。",
};

/// `emergency_operations_per_day`
pub const EMERGENCY_OPERATIONS_PER_DAY: Metric = Metric {
    id: "emergency_operations_per_day",
    unit: Unit::PerDay,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "emergency operations",
    zh: "急诊手术台次",
    explain_en: "Emergency operations a day in the ward's theatres; they take session capacity before the list does.",
    explain_zh: "病区手术室每天的急诊手术台次；急诊手术先于排队名单占用台次。",
};

/// `theatre_utilisation`
pub const THEATRE_UTILISATION: Metric = Metric {
    id: "theatre_utilisation",
    unit: Unit::Share,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "theatre utilisation",
    zh: "手术室台次利用率",
    explain_en: "Cases operated (elective and emergency) ÷ cases the sessions could take. Slots lost to cancellations and sessions with nobody on the list count as unused.",
    explain_zh: "实际手术台次（择期与急诊）÷ 手术室可开台次。因取消而浪费的名额和无人排队的台次计为未使用。",
};

/// `elective_cancellations_per_year`
pub const ELECTIVE_CANCELLATIONS_PER_YEAR: Metric = Metric {
    id: "elective_cancellations_per_year",
    unit: Unit::PerYear,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "cancelled operations",
    zh: "取消的手术",
    explain_en: "Cases called in and cancelled a year; each keeps its place at the head of the list and its session slot is lost.",
    explain_zh: "每年被安排后又取消的手术例数；被取消的病例保留在名单首位，当台名额作废。",
};

/// `elective_bookings_turned_away_per_year`
pub const ELECTIVE_BOOKINGS_TURNED_AWAY_PER_YEAR: Metric = Metric {
    id: "elective_bookings_turned_away_per_year",
    unit: Unit::PerYear,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "bookings turned away by the list's wait",
    zh: "因排队过长而放弃登记",
    explain_en: "Bookings a year by patients who are not agents that did not join the operating list because its published wait was longer than they accept (theatre.wait_tolerance_days); they go elsewhere.",
    explain_zh: "每年因手术排队名单公布的等待时间超过其可接受范围（theatre.wait_tolerance_days）而未登记、转往他处的非模型患者人数。",
};

/// `expert_operations_per_year`
pub const EXPERT_OPERATIONS_PER_YEAR: Metric = Metric {
    id: "expert_operations_per_year",
    unit: Unit::PerYear,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "expert operations at the member hospital",
    zh: "成员医院的专家手术",
    explain_en: "Operations a year from a shared ward's operating list: lead-hospital surgeons operating in the member hospital, counted there and charged at its prices.",
    explain_zh: "共管病房手术排队名单每年完成的手术：牵头医院外科专家在成员医院主刀，计入成员医院、按成员医院价格收费。",
};

/// `shared_ward_admissions_received_per_year`
pub const SHARED_WARD_ADMISSIONS_RECEIVED_PER_YEAR: Metric = Metric {
    id: "shared_ward_admissions_received_per_year",
    unit: Unit::PerYear,
    breakdowns: &["ward", "route"],
    headline: Headline::No,
    en: "down-referrals received by the shared ward",
    zh: "共管病房接收的下转",
    explain_en: "Chronic patients a year that a shared ward received from the lead hospital: admissions bed sinking routed there instead of a lead ward (route=bed_sinking; elective cases join its operating list if it has one) and post-acute transfers after a hospital stay (route=post_acute). The other patients moved with bed sinking are a rate, not counted here.",
    explain_zh: "共管病房每年从牵头医院接收的慢病患者：床位下沉把原应入住牵头医院病区的住院分流至此（route=bed_sinking；若其有手术排队名单，择期病例加入该名单），以及住院后的急性后期转入（route=post_acute）。随床位下沉转移的其他患者以速率计，不在此计数。",
};

/// `bed_occupancy`
pub const BED_OCCUPANCY: Metric = Metric {
    id: "bed_occupancy",
    unit: Unit::Share,
    breakdowns: &["ward"],
    headline: Headline::All,
    en: "bed occupancy",
    zh: "床位使用率",
    explain_en: "Average share of a ward's staffed beds that are occupied. Queueing theory says waits rise steeply as it approaches 100 %; above about 85 % a ward has little room for a busy day.",
    explain_zh: "病区在岗床位被占用的平均比例。排队论表明，使用率接近 100% 时等待急剧增加；超过约 85% 时，病区几乎没有应对高峰的余地。",
};

/// `bed_occupancy_p95`
pub const BED_OCCUPANCY_P95: Metric = Metric {
    id: "bed_occupancy_p95",
    unit: Unit::Share,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "bed occupancy, 95th percentile",
    zh: "床位使用率（第 95 百分位）",
    explain_en: "The midnight occupancy that 95 % of days stay below.",
    explain_zh: "95% 的日子（按午夜在院人数计）不超过的床位使用率。",
};

/// `bed_occupancy_days_at_or_above_95`
pub const BED_OCCUPANCY_DAYS_AT_OR_ABOVE_95: Metric = Metric {
    id: "bed_occupancy_days_at_or_above_95",
    unit: Unit::Share,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "days at or above 95 % occupancy",
    zh: "床位使用率 ≥95% 的天数占比",
    explain_en: "Share of days on which the ward was at least 95 % full at midnight.",
    explain_zh: "午夜床位使用率达到或超过 95% 的天数占比。",
};

/// `referrals_up_per_year`
pub const REFERRALS_UP_PER_YEAR: Metric = Metric {
    id: "referrals_up_per_year",
    unit: Unit::PerYear,
    breakdowns: &["route", "population", "origin", "year", "group"],
    headline: Headline::Exactly(""),
    en: "up-referrals",
    zh: "上转人次",
    explain_en: "Completed up-referrals (上转) per year, from CHCs to hospitals and from member hospitals to the lead (origin=member), of chronic patients and other residents (population=other): the two-way referral system's count. By route: through the referral platform or other routes. Some referrals are lost before they are completed. In a city of several groups, also by the patient's group (group=NAME).",
    explain_zh: "每年完成的上转人次（由社区转往医院，以及由成员医院转往牵头医院，origin=member），含慢病患者和其他居民（population=other）：双向转诊制度的统计口径。按途径分列：转诊平台或其他途径。部分转诊在完成前流失。多个医疗集团的城市中另按患者所属集团分列（group=名称）。",
};

/// `chc_booked_hospital_appointments_per_year`
pub const CHC_BOOKED_HOSPITAL_APPOINTMENTS_PER_YEAR: Metric = Metric {
    id: "chc_booked_hospital_appointments_per_year",
    unit: Unit::PerYear,
    breakdowns: &[],
    headline: Headline::No,
    en: "hospital appointments booked from CHCs",
    zh: "社区预约的医院号源",
    explain_en: "Hospital appointments a CHC doctor booked for a referred patient through the referral platform, per year (the definition of Guangming's count of CHC-booked appointments). Without the platform patients book their own referral visits, and this is zero.",
    explain_zh: "社区医生通过转诊平台为转诊患者预约的医院号源数（每年；光明区“社康预约医院号源”的口径）。没有平台时由患者自行预约转诊就诊，此数为 0。",
};

/// `referral_processing_days`
pub const REFERRAL_PROCESSING_DAYS: Metric = Metric {
    id: "referral_processing_days",
    unit: Unit::Days,
    breakdowns: &[],
    headline: Headline::No,
    en: "referral processing time",
    zh: "转诊办理时间",
    explain_en: "Days from an up-referral to the first day the hospital visit could take place (the paperwork), mean over booked referrals; the wait for a slot comes after it.",
    explain_zh: "从上转到医院就诊最早可安排日的天数（办理手续），按已预约的转诊求平均；之后才是等待号源的时间。",
};

/// `referral_slot_wait_days`
pub const REFERRAL_SLOT_WAIT_DAYS: Metric = Metric {
    id: "referral_slot_wait_days",
    unit: Unit::Days,
    breakdowns: &[],
    headline: Headline::No,
    en: "referred patients' wait for a slot",
    zh: "转诊患者等待号源时间",
    explain_en: "Days from the first day a referred visit could take place to the visit: the queue at the hospital, apart from the referral's processing time.",
    explain_zh: "从转诊就诊最早可安排日到实际就诊的天数：医院排队时间，不含转诊办理时间。",
};

/// `referrals_down_per_year`
pub const REFERRALS_DOWN_PER_YEAR: Metric = Metric {
    id: "referrals_down_per_year",
    unit: Unit::PerYear,
    breakdowns: &["route"],
    headline: Headline::Exactly(""),
    en: "down-referrals",
    zh: "下转人次",
    explain_en: "Stable patients sent back from a hospital to their CHC (下转), per year; the hospital books the CHC follow-up. By route: through the referral platform or other routes.",
    explain_zh: "每年病情稳定后由医院转回社区的人次（下转），由医院预约社区随访。按途径分列：转诊平台或其他途径。",
};

/// `referrals_lost_per_year`
pub const REFERRALS_LOST_PER_YEAR: Metric = Metric {
    id: "referrals_lost_per_year",
    unit: Unit::PerYear,
    breakdowns: &[],
    headline: Headline::No,
    en: "lost referrals",
    zh: "流失的转诊",
    explain_en: "Up-referrals that were started but never completed, per year.",
    explain_zh: "已发起但未完成的上转，每年人次。",
};

/// `referral_up_to_down_ratio`
pub const REFERRAL_UP_TO_DOWN_RATIO: Metric = Metric {
    id: "referral_up_to_down_ratio",
    unit: Unit::Ratio,
    breakdowns: &[],
    headline: Headline::No,
    en: "up- to down-referral ratio",
    zh: "上转与下转之比",
    explain_en: "Up-referrals per down-referral. Reforms aim to bring it nearer 1: patients go up when they need to, and come back down when stable.",
    explain_zh: "上转人次与下转人次之比。改革希望它接近 1：需要时上转，稳定后下转。",
};

/// `transfers_to_shared_ward_per_year`
pub const TRANSFERS_TO_SHARED_WARD_PER_YEAR: Metric = Metric {
    id: "transfers_to_shared_ward_per_year",
    unit: Unit::PerYear,
    breakdowns: &[],
    headline: Headline::No,
    en: "transfers to shared wards",
    zh: "转入共管病房",
    explain_en: "Post-acute patients moved from a lead-hospital ward to a shared ward at a member hospital, per year.",
    explain_zh: "每年从牵头医院病区转入成员医院共管病房的急性期后患者人次。",
};

/// `acute_events_per_year`
pub const ACUTE_EVENTS_PER_YEAR: Metric = Metric {
    id: "acute_events_per_year",
    unit: Unit::PerYear,
    breakdowns: &[],
    headline: Headline::All,
    en: "acute events",
    zh: "急性事件",
    explain_en: "Strokes, exacerbations and crises among the chronic patients, per year. Better control in primary care should lower it.",
    explain_zh: "慢病患者每年发生的卒中、急性加重、危象等急性事件。基层管理到位、控制率提高，急性事件应当减少。",
};

/// `deaths_per_year`
pub const DEATHS_PER_YEAR: Metric = Metric {
    id: "deaths_per_year",
    unit: Unit::PerYear,
    breakdowns: &[],
    headline: Headline::No,
    en: "deaths",
    zh: "死亡人数",
    explain_en: "Deaths among the chronic patients, per year.",
    explain_zh: "慢病患者每年死亡人数。",
};

/// `uncontrolled_patient_day_share`
pub const UNCONTROLLED_PATIENT_DAY_SHARE: Metric = Metric {
    id: "uncontrolled_patient_day_share",
    unit: Unit::Share,
    breakdowns: &[],
    headline: Headline::All,
    en: "uncontrolled patient-day share",
    zh: "未控制病人日占比",
    explain_en: "Share of patient-days with at least one condition out of control (or not yet diagnosed, hence untreated).",
    explain_zh: "至少有一种慢病未得到控制（或尚未确诊、因而未治疗）的病人日占比。",
};

/// `chronic_patients`
pub const CHRONIC_PATIENTS: Metric = Metric {
    id: "chronic_patients",
    unit: Unit::Patients,
    breakdowns: &[],
    headline: Headline::All,
    en: "chronic patients",
    zh: "慢病患者人数",
    explain_en: "Chronic patients alive at the end of the run.",
    explain_zh: "模拟结束时存活的慢病患者人数。",
};

/// `enrolled_patients`
pub const ENROLLED_PATIENTS: Metric = Metric {
    id: "enrolled_patients",
    unit: Unit::Patients,
    breakdowns: &[],
    headline: Headline::No,
    en: "patients in chronic-disease management",
    zh: "慢病管理在册人数",
    explain_en: "Chronic patients enrolled in a CHC's chronic-disease management (慢病管理) at the end of the run.",
    explain_zh: "模拟结束时纳入社区慢病管理的患者人数。",
};

/// `visits_per_day`
pub const VISITS_PER_DAY: Metric = Metric {
    id: "visits_per_day",
    unit: Unit::PerDay,
    breakdowns: &["tier", "group"],
    headline: Headline::All,
    en: "visits",
    zh: "门急诊人次",
    explain_en: "Outpatient and emergency visits per day, by tier: chronic patients, other residents and non-residents together. In a city of several groups, also by group (group=NAME: visits at that group's facilities).",
    explain_zh: "每日门急诊人次，按层级分列，含慢病患者、其他居民和非本地居民。多个医疗集团的城市中另按集团分列（group=名称：该集团机构的就诊人次）。",
};

/// `cross_group_visits_per_day`
pub const CROSS_GROUP_VISITS_PER_DAY: Metric = Metric {
    id: "cross_group_visits_per_day",
    unit: Unit::PerDay,
    breakdowns: &["group"],
    headline: Headline::No,
    en: "visits at another group's hospitals",
    zh: "跨集团就诊人次",
    explain_en: "In a city of several groups: outpatient visits a day that residents (chronic patients and others) make at a hospital of another group than their home CHC's, by their own group (group=NAME); the whole-city row is their sum.",
    explain_zh: "多个医疗集团的城市中：居民（慢病患者及其他居民）每日到其社区所属集团以外集团医院就诊的门诊人次，按居民所属集团分列（group=名称）；全市一行为其合计。",
};

/// `emergency_visits_per_day`
pub const EMERGENCY_VISITS_PER_DAY: Metric = Metric {
    id: "emergency_visits_per_day",
    unit: Unit::PerDay,
    breakdowns: &["tier"],
    headline: Headline::No,
    en: "emergency visits",
    zh: "急诊人次",
    explain_en: "Emergency-department visits per day, by tier.",
    explain_zh: "每日急诊人次，按层级分列。",
};

/// `agent_visits_per_day`
pub const AGENT_VISITS_PER_DAY: Metric = Metric {
    id: "agent_visits_per_day",
    unit: Unit::PerDay,
    breakdowns: &["tier"],
    headline: Headline::No,
    en: "chronic patients' visits",
    zh: "慢病患者门诊人次",
    explain_en: "Outpatient visits of the chronic patients per day, by tier.",
    explain_zh: "慢病患者每日门诊人次，按层级分列。",
};

/// `resident_visits_per_day`
pub const RESIDENT_VISITS_PER_DAY: Metric = Metric {
    id: "resident_visits_per_day",
    unit: Unit::PerDay,
    breakdowns: &["tier"],
    headline: Headline::No,
    en: "other residents' visits",
    zh: "其他居民门急诊人次",
    explain_en: "Outpatient and emergency visits a day of residents without a chronic condition, by tier: each chose its facility like a chronic patient does.",
    explain_zh: "无慢性病居民每日门急诊人次，按层级分列：每次就诊都像慢病患者一样自行选择机构。",
};

/// `nonresident_visits_per_day`
pub const NONRESIDENT_VISITS_PER_DAY: Metric = Metric {
    id: "nonresident_visits_per_day",
    unit: Unit::PerDay,
    breakdowns: &["tier"],
    headline: Headline::No,
    en: "non-residents' visits",
    zh: "非本地居民门急诊人次",
    explain_en: "Outpatient and emergency visits a day by people who do not live in the catchment, by tier: demand from outside that no lever reaches.",
    explain_zh: "非本片区居民每日门急诊人次，按层级分列：来自区外、任何政策都不影响的需求。",
};

/// `outpatient_requests_unserved_per_year`
pub const OUTPATIENT_REQUESTS_UNSERVED_PER_YEAR: Metric = Metric {
    id: "outpatient_requests_unserved_per_year",
    unit: Unit::PerYear,
    breakdowns: &[],
    headline: Headline::No,
    en: "unserved appointment requests",
    zh: "未能预约的就诊请求",
    explain_en: "Requests that found no free slot within the booking horizon, per year.",
    explain_zh: "在预约期内找不到空余号源的就诊请求，每年人次。",
};

/// `spending_yuan_per_year`
pub const SPENDING_YUAN_PER_YEAR: Metric = Metric {
    id: "spending_yuan_per_year",
    unit: Unit::YuanPerYear,
    breakdowns: &["tier", "payer", "group"],
    headline: Headline::No,
    en: "spending",
    zh: "医疗费用",
    explain_en: "Charges for residents' visits (chronic patients' and the other residents') and chronic patients' bed-days, by tier, split into what the insurer pays and what patients pay out of pocket. Non-residents' visits and the wards' other admissions are not charged. In a city of several groups, also by the patient's group (group=NAME, payer total or insurer, wherever the care was given; capitation not included).",
    explain_zh: "居民（慢病患者及其他居民）门诊和慢病患者住院的费用，按层级分列，并分为医保基金支付与个人自付；非本地居民门诊和病房的其他入院不计费用。多个医疗集团的城市中另按患者所属集团分列（group=名称，payer 为合计或医保，不论在何处就医；不含按人头付费）。",
};

/// `spending_by_item_yuan_per_year`
pub const SPENDING_BY_ITEM_YUAN_PER_YEAR: Metric = Metric {
    id: "spending_by_item_yuan_per_year",
    unit: Unit::YuanPerYear,
    breakdowns: &["tier", "item", "payer"],
    headline: Headline::No,
    en: "spending by item",
    zh: "分项医疗费用",
    explain_en: "spending_yuan_per_year split into drugs, tests (examinations) and services by the scenario's shares of each in an outpatient visit's and an inpatient stay's charge at each tier (payment.items), and into the insurer's part and the patients'. The insurer pays the same share of every item of a charge; what a payment reform moves to self-paid items is spread over the items in proportion. Capitation payments are not charges and are not split.",
    explain_zh: "按情景设定的各层级门诊、住院费用中药品、检查和服务的占比（payment.items），把 spending_yuan_per_year 分为药品、检查与服务三项，并分为医保支付与个人自付。医保对同一笔费用的各分项按相同比例支付；支付方式改革转为自付的部分按比例分摊到各分项。按人头付费不是收费，不作拆分。",
};

/// `ward_mean_census`
pub const WARD_MEAN_CENSUS: Metric = Metric {
    id: "ward_mean_census",
    unit: Unit::Patients,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "mean occupied beds",
    zh: "平均占用床位数",
    explain_en: "Average number of occupied beds in a ward.",
    explain_zh: "病区平均在院人数（占用床位数）。",
};

/// `ward_admissions_per_day`
pub const WARD_ADMISSIONS_PER_DAY: Metric = Metric {
    id: "ward_admissions_per_day",
    unit: Unit::PerDay,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "admissions",
    zh: "入院人次",
    explain_en: "Admissions to a ward per day.",
    explain_zh: "病区每日入院人次。",
};

/// `ward_mean_stay_days`
pub const WARD_MEAN_STAY_DAYS: Metric = Metric {
    id: "ward_mean_stay_days",
    unit: Unit::Days,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "mean length of stay",
    zh: "平均住院日",
    explain_en: "Mean length of stay of the patients admitted to a ward.",
    explain_zh: "病区入院患者的平均住院天数。",
};

/// `admission_wait_prob_positive`
pub const ADMISSION_WAIT_PROB_POSITIVE: Metric = Metric {
    id: "admission_wait_prob_positive",
    unit: Unit::Share,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "share who wait for a bed",
    zh: "需要等床的比例",
    explain_en: "Share of arrivals at a ward who had to wait for a bed.",
    explain_zh: "到达病区时需要等待床位的患者比例。",
};

/// `new_patients_per_year`
pub const NEW_PATIENTS_PER_YEAR: Metric = Metric {
    id: "new_patients_per_year",
    unit: Unit::PerYear,
    breakdowns: &[],
    headline: Headline::No,
    en: "new chronic patients",
    zh: "新增慢病患者",
    explain_en: "New chronic patients per year (onsets that keep the cohort stable).",
    explain_zh: "每年新增的慢病患者（使患者队列保持稳定）。",
};

/// `agent_discharges_per_year`
pub const AGENT_DISCHARGES_PER_YEAR: Metric = Metric {
    id: "agent_discharges_per_year",
    unit: Unit::PerYear,
    breakdowns: &[],
    headline: Headline::No,
    en: "discharges of chronic patients",
    zh: "慢病患者出院人次",
    explain_en: "Discharges of chronic patients per year.",
    explain_zh: "慢病患者每年出院人次。",
};

/// `elective_procedures_per_year`
pub const ELECTIVE_PROCEDURES_PER_YEAR: Metric = Metric {
    id: "elective_procedures_per_year",
    unit: Unit::PerYear,
    breakdowns: &[],
    headline: Headline::No,
    en: "elective procedures",
    zh: "择期手术",
    explain_en: "Elective procedures the chronic patients need, per year.",
    explain_zh: "慢病患者每年需要的择期手术人次。",
};

/// `visits_per_year`
pub const VISITS_PER_YEAR: Metric = Metric {
    id: "visits_per_year",
    unit: Unit::PerYear,
    breakdowns: &["tier", "year"],
    headline: Headline::No,
    en: "visits a year",
    zh: "年门急诊人次",
    explain_en: "Outpatient and emergency visits in each management year (365 days from the end of the warm-up), by tier, scaled to a whole year.",
    explain_zh: "每个管理年度（预热期结束后每 365 天）的门急诊人次，按层级分列，折算为全年。",
};

/// `primary_visits_growth`
pub const PRIMARY_VISITS_GROWTH: Metric = Metric {
    id: "primary_visits_growth",
    unit: Unit::Share,
    breakdowns: &["year"],
    headline: Headline::No,
    en: "growth of CHC visits",
    zh: "基层诊疗人次增长",
    explain_en: "Change in CHC visits a day from the previous management year to this one, as a fraction (0.05 = 5 % more).",
    explain_zh: "本管理年度与上一年度相比，社区卫生服务中心日均诊疗人次的变化（0.05 表示增加 5%）。",
};

/// `chc_visits_per_day`
pub const CHC_VISITS_PER_DAY: Metric = Metric {
    id: "chc_visits_per_day",
    unit: Unit::PerDay,
    breakdowns: &["facility"],
    headline: Headline::No,
    en: "visits per CHC",
    zh: "各社区日均诊疗人次",
    explain_en: "Visits a day at each CHC: how evenly the work is spread across catchments (equity).",
    explain_zh: "每个社区卫生服务中心的日均诊疗人次：反映各辖区之间工作量是否均衡（公平性）。",
};

/// `chc_daily_visits_max_over_min`
pub const CHC_DAILY_VISITS_MAX_OVER_MIN: Metric = Metric {
    id: "chc_daily_visits_max_over_min",
    unit: Unit::Ratio,
    breakdowns: &[],
    headline: Headline::No,
    en: "busiest to quietest CHC",
    zh: "社区诊疗量最高与最低之比",
    explain_en: "Visits a day at the busiest CHC divided by those at the quietest one.",
    explain_zh: "日均诊疗人次最多的社区与最少的社区之比。",
};

/// `expert_session_visits_per_day`
pub const EXPERT_SESSION_VISITS_PER_DAY: Metric = Metric {
    id: "expert_session_visits_per_day",
    unit: Unit::PerDay,
    breakdowns: &[],
    headline: Headline::No,
    en: "expert-session visits",
    zh: "社区专家门诊人次",
    explain_en: "Visits a day, by anyone, at the CHCs' expert clinics, where lead-hospital specialists see patients in expert sessions or studios (primary care by place, the lead's by provider).",
    explain_zh: "每日在社区专家门诊（牵头医院专家下沉出诊或工作室坐诊）就诊的人次（按地点计入基层诊疗，按提供者计入牵头医院）。",
};

/// `chc_capability_gain`
pub const CHC_CAPABILITY_GAIN: Metric = Metric {
    id: "chc_capability_gain",
    unit: Unit::Share,
    breakdowns: &[],
    headline: Headline::No,
    en: "CHC capability gain",
    zh: "社区能力提升",
    explain_en: "Share of the gap between CHC and lead-hospital capability that the CHCs have closed by learning from the experts, averaged over the CHCs, at the end of the run.",
    explain_zh: "社区通过向专家学习，已缩小的与牵头医院诊疗能力差距的比例（各社区平均，模拟结束时）。",
};

/// `signed_patients`
pub const SIGNED_PATIENTS: Metric = Metric {
    id: "signed_patients",
    unit: Unit::Patients,
    breakdowns: &[],
    headline: Headline::No,
    en: "signed patients",
    zh: "签约患者人数",
    explain_en: "Chronic patients with a family-doctor contract at the end of the run.",
    explain_zh: "模拟结束时与家庭医生签约的慢病患者人数。",
};

/// `signed_resident_share`
pub const SIGNED_RESIDENT_SHARE: Metric = Metric {
    id: "signed_resident_share",
    unit: Unit::Share,
    breakdowns: &[],
    headline: Headline::No,
    en: "signed share of residents",
    zh: "居民签约率",
    explain_en: "Share of all residents, chronic patients and the others, with a family-doctor contract at the end of the run. A signing drive raises it up to the room left in each CHC's panels (family_doctors.panel_size).",
    explain_zh: "模拟结束时与家庭医生签约的居民（慢病患者及其他居民）占全部居民的比例。签约推进受各社区家庭医生签约容量（panel_size）限制。",
};

/// `managed_patients`
pub const MANAGED_PATIENTS: Metric = Metric {
    id: "managed_patients",
    unit: Unit::Patients,
    breakdowns: &["condition", "year"],
    headline: Headline::No,
    en: "patients under management",
    zh: "慢病规范管理在册人数",
    explain_en: "Chronic patients enrolled in a CHC's chronic-disease management at the end of each management year, in all and by condition.",
    explain_zh: "每个管理年度末纳入社区慢病管理的患者人数，合计并按病种分列。",
};

/// `standardised_management_rate`
pub const STANDARDISED_MANAGEMENT_RATE: Metric = Metric {
    id: "standardised_management_rate",
    unit: Unit::Share,
    breakdowns: &["condition", "year"],
    headline: Headline::No,
    en: "standardised management rate",
    zh: "规范管理率",
    explain_en: "Of the patients under management, the share with at least four CHC follow-ups in the year (the national basic public-health standard).",
    explain_zh: "在册管理患者中，一年内在社区随访至少 4 次（国家基本公共卫生服务标准）的比例。",
};

/// `followups_per_served_patient`
pub const FOLLOWUPS_PER_SERVED_PATIENT: Metric = Metric {
    id: "followups_per_served_patient",
    unit: Unit::PerPatient,
    breakdowns: &["year"],
    headline: Headline::No,
    en: "follow-ups per patient served",
    zh: "人均随访次数",
    explain_en: "CHC follow-ups in the year per managed patient who had at least one.",
    explain_zh: "年内至少随访过一次的在册患者，人均在社区的随访次数。",
};

/// `health_checks_per_year`
pub const HEALTH_CHECKS_PER_YEAR: Metric = Metric {
    id: "health_checks_per_year",
    unit: Unit::PerYear,
    breakdowns: &[],
    headline: Headline::No,
    en: "health checks",
    zh: "健康体检人次",
    explain_en: "CHC health checks of the chronic patients, per year.",
    explain_zh: "慢病患者每年在社区接受健康体检的人次。",
};

/// `health_check_rate`
pub const HEALTH_CHECK_RATE: Metric = Metric {
    id: "health_check_rate",
    unit: Unit::Share,
    breakdowns: &["year"],
    headline: Headline::No,
    en: "health-check rate",
    zh: "健康体检率",
    explain_en: "Share of patients in the health-check age bands who had a CHC health check in the management year.",
    explain_zh: "体检年龄段的患者中，本管理年度在社区接受过健康体检的比例。",
};

/// `conditions_found_by_checks_per_year`
pub const CONDITIONS_FOUND_BY_CHECKS_PER_YEAR: Metric = Metric {
    id: "conditions_found_by_checks_per_year",
    unit: Unit::PerYear,
    breakdowns: &[],
    headline: Headline::No,
    en: "conditions found by checks",
    zh: "体检新发现的慢病",
    explain_en: "Undiagnosed conditions that health checks found, per year.",
    explain_zh: "每年通过健康体检发现的未确诊慢病例数。",
};

/// `screening_found_per_year`
pub const SCREENING_FOUND_PER_YEAR: Metric = Metric {
    id: "screening_found_per_year",
    unit: Unit::PerYear,
    breakdowns: &["campaign"],
    headline: Headline::No,
    en: "conditions found by screening",
    zh: "筛查新发现的病例",
    explain_en: "Undiagnosed conditions that each screening campaign found, per year.",
    explain_zh: "每个筛查项目每年发现的未确诊病例数。",
};

/// `screening_yield`
pub const SCREENING_YIELD: Metric = Metric {
    id: "screening_yield",
    unit: Unit::Share,
    breakdowns: &["campaign"],
    headline: Headline::No,
    en: "screening yield",
    zh: "筛查检出率",
    explain_en: "Conditions found by a screening campaign divided by the residents it screened.",
    explain_zh: "筛查项目发现的病例数 ÷ 筛查的居民人数。",
};

/// `spending_yuan_per_patient_year`
pub const SPENDING_YUAN_PER_PATIENT_YEAR: Metric = Metric {
    id: "spending_yuan_per_patient_year",
    unit: Unit::YuanPerPatientYear,
    breakdowns: &["payer"],
    headline: Headline::No,
    en: "spending per patient-year",
    zh: "人均年医疗费用",
    explain_en: "Charges for the chronic patients' care (and capitation) per patient-year, in all and split by payer.",
    explain_zh: "慢病患者的医疗费用（含按人头付费）按人年计，合计并按支付方分列。",
};

/// `capitation_yuan_per_year`
pub const CAPITATION_YUAN_PER_YEAR: Metric = Metric {
    id: "capitation_yuan_per_year",
    unit: Unit::YuanPerYear,
    breakdowns: &[],
    headline: Headline::No,
    en: "capitation paid",
    zh: "按人头付费金额",
    explain_en: "What the insurer pays the CHCs per signed patient, per year, under family-doctor capitation.",
    explain_zh: "家庭医生按人头付费时，医保基金每年按签约患者向社区支付的金额。",
};

/// `group_surplus_yuan_per_year`
pub const GROUP_SURPLUS_YUAN_PER_YEAR: Metric = Metric {
    id: "group_surplus_yuan_per_year",
    unit: Unit::YuanPerYear,
    breakdowns: &[],
    headline: Headline::No,
    en: "group surplus",
    zh: "集团结余",
    explain_en: "Under a global budget: the budget minus what the insurer paid for the group's chronic patients, per year (negative: a deficit).",
    explain_zh: "总额付费下：预算减去医保基金为集团慢病患者实际支付的金额，每年计（负数为超支）。",
};

/// `group_surplus_retained_yuan_per_year`
pub const GROUP_SURPLUS_RETAINED_YUAN_PER_YEAR: Metric = Metric {
    id: "group_surplus_retained_yuan_per_year",
    unit: Unit::YuanPerYear,
    breakdowns: &[],
    headline: Headline::No,
    en: "surplus the group keeps",
    zh: "集团留用结余",
    explain_en: "The part of the surplus (or deficit) the group keeps (or bears) under surplus retention, per year.",
    explain_zh: "结余留用规则下，集团每年留用的结余（或承担的超支）。",
};

/// `group_budget_pressure`
pub const GROUP_BUDGET_PRESSURE: Metric = Metric {
    id: "group_budget_pressure",
    unit: Unit::Share,
    breakdowns: &[],
    headline: Headline::No,
    en: "budget pressure on the group",
    zh: "医保总额预算对集团的压力",
    explain_en: "Mean over the days a global budget is in force of its pressure: 0 while the group's year-to-date surplus is at least its target, 1 when it falls short by the margin band or more (a deficit). The group's responses (down-referral, avoidable admissions, stays, cost-shifting) scale with it.",
    explain_zh: "医保总额预算实施期间压力的日均值：年初至今结余率不低于目标时为0，低于目标达到缓冲区宽度（即出现超支）时为1。集团的各项反应（下转、可避免住院、住院日、费用转移）随之按比例变化。",
};

/// `cost_shifted_to_patients_yuan_per_year`
pub const COST_SHIFTED_TO_PATIENTS_YUAN_PER_YEAR: Metric = Metric {
    id: "cost_shifted_to_patients_yuan_per_year",
    unit: Unit::YuanPerYear,
    breakdowns: &[],
    headline: Headline::No,
    en: "insurer payments shifted to patients",
    zh: "转由患者自付的医保费用",
    explain_en: "Yuan a year that chronic patients paid out of pocket instead of the insurer because a payment reform (a global budget under pressure, case-based payment) moved part of their inpatient charges to items patients pay in full (self-paid drugs, Class B/C items).",
    explain_zh: "由于支付方式改革（预算压力下的医保总额付费、按病例付费），慢病患者住院费用的一部分被转为全自费项目（自费药品、乙类/丙类项目），由此每年由患者而非医保支付的金额。",
};

/// `ward_staffed_beds`
pub const WARD_STAFFED_BEDS: Metric = Metric {
    id: "ward_staffed_beds",
    unit: Unit::Beds,
    breakdowns: &["ward"],
    headline: Headline::No,
    en: "staffed beds",
    zh: "在岗床位数",
    explain_en: "Average staffed beds of a ward over the recorded days (levers can move beds).",
    explain_zh: "记录期内病区平均在岗床位数（政策可调整床位）。",
};

/// The daily series of `daily.csv`: one value per day (warm-up included) and column.
pub mod series {
    use super::*;

    /// Every daily series, in the order of the columns.
    pub const ALL: &[Metric] = &[
        VISITS,
        PRIMARY_CARE_VISIT_SHARE,
        PRIMARY_CARE_VISIT_SHARE_PROVIDER,
        OUTPATIENT_WAIT_DAYS,
        BED_OCCUPANCY_MIDNIGHT,
        ELECTIVE_LIST,
        REFERRALS_UP,
        REFERRALS_DOWN,
        CHC_BOOKED_HOSPITAL_APPOINTMENTS,
        ACUTE_EVENTS,
        DEATHS,
        CHRONIC_PATIENTS,
        ENROLLED_PATIENTS,
        UNCONTROLLED_PATIENT_SHARE,
        SIGNED_PATIENTS,
        EXPERT_SESSION_VISITS,
        CHC_CAPABILITY_GAIN,
        GROUP_BUDGET_MARGIN,
        GROUP_BUDGET_PRESSURE,
    ];

    pub const VISITS: Metric = Metric {
        id: "visits",
        unit: Unit::Count,
        breakdowns: &["tier"],
        headline: Headline::No,
        en: "visits",
        zh: "门急诊人次",
        explain_en: "Outpatient and emergency visits on the day, by tier (chronic patients, other residents and non-residents).",
        explain_zh: "当日门急诊人次，按层级分列（含慢病患者、其他居民和非本地居民）。",
    };

    pub const PRIMARY_CARE_VISIT_SHARE: Metric = Metric {
        id: "primary_care_visit_share",
        unit: Unit::Share,
        breakdowns: &[],
        headline: Headline::No,
        en: "primary-care visit share",
        zh: "基层诊疗占比",
        explain_en: "CHC visits ÷ all visits in scope on the day.",
        explain_zh: "当日社区诊疗人次 ÷ 范围内全部门急诊人次。",
    };

    pub const PRIMARY_CARE_VISIT_SHARE_PROVIDER: Metric = Metric {
        id: "primary_care_visit_share_provider",
        unit: Unit::Share,
        breakdowns: &[],
        headline: Headline::No,
        en: "primary-care visit share, by provider",
        zh: "基层诊疗占比（按提供者）",
        explain_en: "Visits given by CHC staff ÷ all visits in scope on the day (expert sessions at CHCs count as the lead's).",
        explain_zh: "当日由社区医务人员提供的就诊人次 ÷ 范围内全部门急诊人次（社区专家门诊计入牵头医院）。",
    };

    pub const CHC_BOOKED_HOSPITAL_APPOINTMENTS: Metric = Metric {
        id: "chc_booked_hospital_appointments",
        unit: Unit::Count,
        breakdowns: &[],
        headline: Headline::No,
        en: "hospital appointments booked from CHCs",
        zh: "社区预约的医院号源",
        explain_en: "Hospital appointments booked by CHC doctors through the referral platform on the day.",
        explain_zh: "当日社区医生通过转诊平台预约的医院号源数。",
    };

    pub const OUTPATIENT_WAIT_DAYS: Metric = Metric {
        id: "outpatient_wait_days",
        unit: Unit::Days,
        breakdowns: &["tier", "channel"],
        headline: Headline::No,
        en: "outpatient wait",
        zh: "门诊等待时间",
        explain_en: "Mean booking wait of the day's requests at each tier (chronic patients, channel=agents).",
        explain_zh: "当日各层级慢病患者预约请求的平均等待天数。",
    };

    pub const BED_OCCUPANCY_MIDNIGHT: Metric = Metric {
        id: "bed_occupancy_midnight",
        unit: Unit::Share,
        breakdowns: &["ward"],
        headline: Headline::No,
        en: "midnight bed occupancy",
        zh: "午夜床位使用率",
        explain_en: "Patients in a ward's beds at midnight ÷ its staffed beds.",
        explain_zh: "午夜在院人数 ÷ 病区在岗床位数。",
    };

    pub const ELECTIVE_LIST: Metric = Metric {
        id: "elective_list",
        unit: Unit::Patients,
        breakdowns: &["ward"],
        headline: Headline::No,
        en: "elective list",
        zh: "择期手术排队人数",
        explain_en: "Cases on a ward's operating list at the end of the day.",
        explain_zh: "当天结束时病区手术排队名单上的病例数。",
    };

    pub const GROUP_BUDGET_MARGIN: Metric = Metric {
        id: "budget_margin",
        unit: Unit::Share,
        breakdowns: &[],
        headline: Headline::No,
        en: "group's budget margin",
        zh: "集团预算结余率",
        explain_en: "Under a global budget: the budget year's surplus to date as a share of its budget to date (negative: a deficit); 0 before the budget starts.",
        explain_zh: "医保总额预算下：本预算年度至今的结余占至今预算的比例（负值为超支）；预算开始前为0。",
    };

    pub const GROUP_BUDGET_PRESSURE: Metric = Metric {
        id: "budget_pressure",
        unit: Unit::Share,
        breakdowns: &[],
        headline: Headline::No,
        en: "budget pressure on the group",
        zh: "医保总额预算对集团的压力",
        explain_en: "Under a global budget: the pressure its margin puts on the group today, 0 (at or above the target surplus) to 1 (short of it by the margin band).",
        explain_zh: "医保总额预算下：当日结余率对集团形成的压力，0（不低于目标结余率）到1（低于目标达到缓冲区宽度）。",
    };

    pub const REFERRALS_UP: Metric = Metric {
        id: "referrals_up",
        unit: Unit::Count,
        breakdowns: &["route"],
        headline: Headline::No,
        en: "up-referrals",
        zh: "上转人次",
        explain_en: "Up-referrals booked on the day (CHC → hospital and member → lead; chronic patients and other residents), by route: the referral platform or other routes. Sum the days of any window for its count.",
        explain_zh: "当日预约成功的上转人次（社区→医院及成员医院→牵头医院；含慢病患者和其他居民），按途径分列：转诊平台或其他途径。任意时段的人次为其各日之和。",
    };

    pub const REFERRALS_DOWN: Metric = Metric {
        id: "referrals_down",
        unit: Unit::Count,
        breakdowns: &["route"],
        headline: Headline::No,
        en: "down-referrals",
        zh: "下转人次",
        explain_en: "Down-referrals on the day, by route.",
        explain_zh: "当日的下转人次，按途径分列。",
    };

    pub const ACUTE_EVENTS: Metric = Metric {
        id: "acute_events",
        unit: Unit::Count,
        breakdowns: &[],
        headline: Headline::No,
        en: "acute events",
        zh: "急性事件",
        explain_en: "Acute events among the chronic patients on the day.",
        explain_zh: "当日慢病患者发生的急性事件。",
    };

    pub const DEATHS: Metric = Metric {
        id: "deaths",
        unit: Unit::Count,
        breakdowns: &[],
        headline: Headline::No,
        en: "deaths",
        zh: "死亡人数",
        explain_en: "Deaths among the chronic patients on the day.",
        explain_zh: "当日慢病患者死亡人数。",
    };

    pub const CHRONIC_PATIENTS: Metric = Metric {
        id: "chronic_patients",
        unit: Unit::Patients,
        breakdowns: &[],
        headline: Headline::No,
        en: "chronic patients",
        zh: "慢病患者人数",
        explain_en: "Chronic patients alive at the end of the day.",
        explain_zh: "当日结束时存活的慢病患者人数。",
    };

    pub const ENROLLED_PATIENTS: Metric = Metric {
        id: "enrolled_patients",
        unit: Unit::Patients,
        breakdowns: &[],
        headline: Headline::No,
        en: "patients in chronic-disease management",
        zh: "慢病管理在册人数",
        explain_en: "Chronic patients enrolled in chronic-disease management at the end of the day.",
        explain_zh: "当日结束时纳入慢病管理的患者人数。",
    };

    pub const UNCONTROLLED_PATIENT_SHARE: Metric = Metric {
        id: "uncontrolled_patient_share",
        unit: Unit::Share,
        breakdowns: &[],
        headline: Headline::No,
        en: "uncontrolled patient share",
        zh: "未控制患者占比",
        explain_en: "Share of chronic patients with a condition out of control (or undiagnosed) at the end of the day.",
        explain_zh: "当日结束时至少有一种慢病未控制（或未确诊）的患者占比。",
    };

    pub const SIGNED_PATIENTS: Metric = Metric {
        id: "signed_patients",
        unit: Unit::Patients,
        breakdowns: &[],
        headline: Headline::No,
        en: "signed patients",
        zh: "签约患者人数",
        explain_en: "Chronic patients with a family-doctor contract at the end of the day.",
        explain_zh: "当日结束时与家庭医生签约的慢病患者人数。",
    };

    pub const EXPERT_SESSION_VISITS: Metric = Metric {
        id: "expert_session_visits",
        unit: Unit::Count,
        breakdowns: &[],
        headline: Headline::No,
        en: "expert-session visits",
        zh: "社区专家门诊人次",
        explain_en: "Visits at the CHCs' expert clinics (sessions and studios) on the day.",
        explain_zh: "当日在社区专家门诊（下沉出诊和工作室）就诊的人次。",
    };

    pub const CHC_CAPABILITY_GAIN: Metric = Metric {
        id: "chc_capability_gain",
        unit: Unit::Share,
        breakdowns: &[],
        headline: Headline::No,
        en: "CHC capability gain",
        zh: "社区能力提升",
        explain_en: "Mean share of the capability gap to the lead hospital that the CHCs have closed.",
        explain_zh: "各社区已缩小的与牵头医院能力差距的平均比例。",
    };
}
