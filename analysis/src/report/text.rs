//! Every word the report and its charts show, in English and Chinese.
//!
//! One template (`html.rs`, `build.rs`) asks for text by key; this file holds both languages
//! side by side, so a sentence cannot exist in one language only. Metric names follow the
//! vocabulary table of DESIGN.md section 2.

use std::fmt;
use std::str::FromStr;

/// Language of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// Short code, used in file names (`report.en.html`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The HTML `lang` attribute.
    pub fn html(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// Picks the text of this language.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Lang, String> {
        match s.to_ascii_lowercase().as_str() {
            "en" | "english" => Ok(Lang::En),
            "zh" | "zh-cn" | "cn" | "chinese" => Ok(Lang::Zh),
            _ => Err(format!("unknown language \"{s}\": use zh or en")),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Unit of a metric, from its name (the same rule as the terminal table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A fraction, shown as a percentage.
    Share,
    Days,
    PerYear,
    PerDay,
    YuanPerYear,
    Ratio,
    Patients,
}

impl Unit {
    pub fn of(metric: &str) -> Unit {
        if metric.ends_with("_share")
            || metric.starts_with("bed_occupancy")
            || metric.ends_with("prob_positive")
        {
            Unit::Share
        } else if metric.contains("yuan") {
            Unit::YuanPerYear
        } else if metric.contains("_days") {
            Unit::Days
        } else if metric.ends_with("per_year") {
            Unit::PerYear
        } else if metric.ends_with("per_day") {
            Unit::PerDay
        } else if metric.ends_with("ratio") {
            Unit::Ratio
        } else {
            Unit::Patients
        }
    }

    /// How a value is shown: shares as percentages.
    pub fn scale(self) -> f64 {
        if self == Unit::Share { 100.0 } else { 1.0 }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Unit::Share => "%",
            Unit::Days => lang.pick("days", "天"),
            Unit::PerYear => lang.pick("per year", "人次/年"),
            Unit::PerDay => lang.pick("per day", "人次/日"),
            Unit::YuanPerYear => lang.pick("yuan per year", "元/年"),
            Unit::Ratio => lang.pick("ratio", "比值"),
            Unit::Patients => lang.pick("patients", "人"),
        }
    }
}

/// Name and explanation of a metric.
pub struct MetricText {
    pub id: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
    pub explain_en: &'static str,
    pub explain_zh: &'static str,
}

/// Every metric the model writes, in the order the report explains them.
pub const METRICS: &[MetricText] = &[
    MetricText {
        id: "primary_care_visit_share",
        en: "primary-care visit share",
        zh: "基层诊疗占比",
        explain_en: "Visits at community health centres (including expert sessions held there) divided by all outpatient and emergency visits at the facilities in scope. Tiered-care reform aims to raise it: routine care close to home, fewer crowds at the lead hospital.",
        explain_zh: "社区卫生服务中心（含在社区开设的专家门诊）的就诊人次 ÷ 范围内机构的全部门急诊人次。分级诊疗改革希望提高这一比例：常规诊疗回到家门口，牵头医院不再人满为患。",
    },
    MetricText {
        id: "outpatient_wait_days",
        en: "outpatient wait",
        zh: "门诊等待时间",
        explain_en: "Days from asking for an appointment to the visit, by tier and by channel (self-referred, signed with a family doctor, referred by a CHC). Zero means seen the same day. When slots are scarce, waits grow, and priority rules decide who waits.",
        explain_zh: "从提出预约到实际就诊的天数，按机构层级和就诊渠道（自行就诊、家庭医生签约、社区转诊）分列。0 表示当天就诊。号源紧张时等待变长，优先规则决定谁等得更久。",
    },
    MetricText {
        id: "outpatient_wait_days_p90",
        en: "outpatient wait, 90th percentile",
        zh: "门诊等待时间（第 90 百分位）",
        explain_en: "The wait that 90 % of visits do not exceed, in whole days: the long tail that a mean hides.",
        explain_zh: "90% 的就诊不超过的等待天数（按整天计）：反映平均数掩盖的长尾。",
    },
    MetricText {
        id: "admission_wait_days",
        en: "admission wait",
        zh: "入院等待时间",
        explain_en: "Days from the decision to admit to getting a bed, by ward and priority (emergency before referred before elective). A ward that is nearly always full makes elective patients wait longest.",
        explain_zh: "从决定住院到获得床位的天数，按病区和优先级（急诊 > 转诊 > 择期）分列。病区长期满员时，择期患者等得最久。",
    },
    MetricText {
        id: "elective_surgery_wait_days",
        en: "elective surgery wait",
        zh: "择期手术等待时间",
        explain_en: "Admission wait of elective patients on surgical wards.",
        explain_zh: "外科病区择期患者的入院等待天数。",
    },
    MetricText {
        id: "bed_occupancy",
        en: "bed occupancy",
        zh: "床位使用率",
        explain_en: "Average share of a ward's staffed beds that are occupied. Queueing theory says waits rise steeply as it approaches 100 %; above about 85 % a ward has little room for a busy day.",
        explain_zh: "病区在岗床位被占用的平均比例。排队论表明，使用率接近 100% 时等待急剧增加；超过约 85% 时，病区几乎没有应对高峰的余地。",
    },
    MetricText {
        id: "bed_occupancy_p95",
        en: "bed occupancy, 95th percentile",
        zh: "床位使用率（第 95 百分位）",
        explain_en: "The midnight occupancy that 95 % of days stay below.",
        explain_zh: "95% 的日子（按午夜在院人数计）不超过的床位使用率。",
    },
    MetricText {
        id: "bed_occupancy_days_at_or_above_95",
        en: "days at or above 95 % occupancy",
        zh: "床位使用率 ≥95% 的天数占比",
        explain_en: "Share of days on which the ward was at least 95 % full at midnight.",
        explain_zh: "午夜床位使用率达到或超过 95% 的天数占比。",
    },
    MetricText {
        id: "referrals_up_per_year",
        en: "up-referrals",
        zh: "上转人次",
        explain_en: "Completed referrals from a CHC to a hospital (上转), per year. Referral friction loses some referrals before they are completed.",
        explain_zh: "每年完成的由社区转往医院的转诊（上转）人次。转诊阻力会使部分转诊在途中流失。",
    },
    MetricText {
        id: "referrals_down_per_year",
        en: "down-referrals",
        zh: "下转人次",
        explain_en: "Stable patients sent back from a hospital to their CHC (下转), per year.",
        explain_zh: "每年病情稳定后由医院转回社区的人次（下转）。",
    },
    MetricText {
        id: "referrals_lost_per_year",
        en: "lost referrals",
        zh: "流失的转诊",
        explain_en: "Up-referrals that were started but never completed, per year.",
        explain_zh: "已发起但未完成的上转，每年人次。",
    },
    MetricText {
        id: "referral_up_to_down_ratio",
        en: "up- to down-referral ratio",
        zh: "上转与下转之比",
        explain_en: "Up-referrals per down-referral. Reforms aim to bring it nearer 1: patients go up when they need to, and come back down when stable.",
        explain_zh: "上转人次与下转人次之比。改革希望它接近 1：需要时上转，稳定后下转。",
    },
    MetricText {
        id: "transfers_to_shared_ward_per_year",
        en: "transfers to shared wards",
        zh: "转入共管病房",
        explain_en: "Post-acute patients moved from a lead-hospital ward to a shared ward at a member hospital, per year.",
        explain_zh: "每年从牵头医院病区转入成员医院共管病房的急性期后患者人次。",
    },
    MetricText {
        id: "acute_events_per_year",
        en: "acute events",
        zh: "急性事件",
        explain_en: "Strokes, exacerbations and crises among the chronic patients, per year. Better control in primary care should lower it.",
        explain_zh: "慢病患者每年发生的卒中、急性加重、危象等急性事件。基层管理到位、控制率提高，急性事件应当减少。",
    },
    MetricText {
        id: "deaths_per_year",
        en: "deaths",
        zh: "死亡人数",
        explain_en: "Deaths among the chronic patients, per year.",
        explain_zh: "慢病患者每年死亡人数。",
    },
    MetricText {
        id: "uncontrolled_patient_day_share",
        en: "uncontrolled patient-day share",
        zh: "未控制病人日占比",
        explain_en: "Share of patient-days with at least one condition out of control (or not yet diagnosed, hence untreated).",
        explain_zh: "至少有一种慢病未得到控制（或尚未确诊、因而未治疗）的病人日占比。",
    },
    MetricText {
        id: "chronic_patients",
        en: "chronic patients",
        zh: "慢病患者人数",
        explain_en: "Chronic patients alive at the end of the run.",
        explain_zh: "模拟结束时存活的慢病患者人数。",
    },
    MetricText {
        id: "enrolled_patients",
        en: "patients in chronic-disease management",
        zh: "慢病管理在册人数",
        explain_en: "Chronic patients enrolled in a CHC's chronic-disease management (慢病管理) at the end of the run.",
        explain_zh: "模拟结束时纳入社区慢病管理的患者人数。",
    },
    MetricText {
        id: "visits_per_day",
        en: "visits",
        zh: "门急诊人次",
        explain_en: "Outpatient and emergency visits per day, by tier, chronic patients and background demand together.",
        explain_zh: "每日门急诊人次，按层级分列，含慢病患者和背景需求。",
    },
    MetricText {
        id: "emergency_visits_per_day",
        en: "emergency visits",
        zh: "急诊人次",
        explain_en: "Emergency-department visits per day, by tier.",
        explain_zh: "每日急诊人次，按层级分列。",
    },
    MetricText {
        id: "agent_visits_per_day",
        en: "chronic patients' visits",
        zh: "慢病患者门诊人次",
        explain_en: "Outpatient visits of the chronic patients per day, by tier.",
        explain_zh: "慢病患者每日门诊人次，按层级分列。",
    },
    MetricText {
        id: "outpatient_requests_unserved_per_year",
        en: "unserved appointment requests",
        zh: "未能预约的就诊请求",
        explain_en: "Requests that found no free slot within the booking horizon, per year.",
        explain_zh: "在预约期内找不到空余号源的就诊请求，每年人次。",
    },
    MetricText {
        id: "spending_yuan_per_year",
        en: "spending",
        zh: "医疗费用",
        explain_en: "Charges for the chronic patients' visits and bed-days, by tier, split into what the insurer pays and what patients pay out of pocket.",
        explain_zh: "慢病患者门诊和住院的费用，按层级分列，并分为医保基金支付与个人自付。",
    },
    MetricText {
        id: "ward_mean_census",
        en: "mean occupied beds",
        zh: "平均占用床位数",
        explain_en: "Average number of occupied beds in a ward.",
        explain_zh: "病区平均在院人数（占用床位数）。",
    },
    MetricText {
        id: "ward_admissions_per_day",
        en: "admissions",
        zh: "入院人次",
        explain_en: "Admissions to a ward per day.",
        explain_zh: "病区每日入院人次。",
    },
    MetricText {
        id: "ward_mean_stay_days",
        en: "mean length of stay",
        zh: "平均住院日",
        explain_en: "Mean length of stay of the patients admitted to a ward.",
        explain_zh: "病区入院患者的平均住院天数。",
    },
    MetricText {
        id: "admission_wait_prob_positive",
        en: "share who wait for a bed",
        zh: "需要等床的比例",
        explain_en: "Share of arrivals at a ward who had to wait for a bed.",
        explain_zh: "到达病区时需要等待床位的患者比例。",
    },
    MetricText {
        id: "new_patients_per_year",
        en: "new chronic patients",
        zh: "新增慢病患者",
        explain_en: "New chronic patients per year (onsets that keep the cohort stable).",
        explain_zh: "每年新增的慢病患者（使患者队列保持稳定）。",
    },
    MetricText {
        id: "agent_discharges_per_year",
        en: "discharges of chronic patients",
        zh: "慢病患者出院人次",
        explain_en: "Discharges of chronic patients per year.",
        explain_zh: "慢病患者每年出院人次。",
    },
    MetricText {
        id: "elective_procedures_per_year",
        en: "elective procedures",
        zh: "择期手术",
        explain_en: "Elective procedures the chronic patients need, per year.",
        explain_zh: "慢病患者每年需要的择期手术人次。",
    },
];

/// The text of a metric, if it is one the report knows.
pub fn metric(id: &str) -> Option<&'static MetricText> {
    METRICS.iter().find(|m| m.id == id)
}

/// Display name of a metric (its id when the report does not know it).
pub fn metric_name(id: &str, lang: Lang) -> String {
    metric(id).map(|m| lang.pick(m.en, m.zh).to_string()).unwrap_or_else(|| id.to_string())
}

/// A facility name in words: `lead`, `member-2`, `chc-5` are the shipped scenarios' names.
pub fn facility(name: &str, lang: Lang) -> String {
    let (base, num) = match name.rsplit_once('-') {
        Some((b, n)) if n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() => (b, Some(n)),
        _ => (name, None),
    };
    let word = match base {
        "lead" => lang.pick("lead hospital", "牵头医院"),
        "member" => lang.pick("member hospital", "成员医院"),
        "chc" => lang.pick("CHC", "社区卫生服务中心"),
        _ => return name.to_string(),
    };
    match num {
        Some(n) => format!("{word} {n}"),
        None => word.to_string(),
    }
}

pub fn ward_kind(name: &str, lang: Lang) -> String {
    match name {
        "medical" => lang.pick("medical", "内科").into(),
        "surgical" => lang.pick("surgical", "外科").into(),
        "shared" => lang.pick("shared ward", "共管病房").into(),
        "rehab" => lang.pick("rehabilitation", "康复").into(),
        other => other.into(),
    }
}

/// A ward label `facility/ward` in words.
pub fn ward(label: &str, lang: Lang) -> String {
    match label.split_once('/') {
        Some((f, w)) => format!("{} · {}", facility(f, lang), ward_kind(w, lang)),
        None => label.to_string(),
    }
}

/// One `key=value` pair of a breakdown in words.
fn pair(key: &str, value: &str, lang: Lang) -> String {
    let v = match (key, value) {
        ("tier", "primary") => lang.pick("CHC", "社区卫生服务中心"),
        ("tier", "member") => lang.pick("member hospital", "成员医院"),
        ("tier", "lead") => lang.pick("lead hospital", "牵头医院"),
        ("channel", "self") => lang.pick("self-referred", "自行就诊"),
        ("channel", "signed") => lang.pick("signed", "签约患者"),
        ("channel", "referred") => lang.pick("referred", "转诊"),
        ("channel", "background") => lang.pick("background demand", "背景需求"),
        ("channel", "agents") => lang.pick("chronic patients", "慢病患者"),
        ("priority", "emergency") => lang.pick("emergency", "急诊"),
        ("priority", "referred") => lang.pick("referred", "转诊"),
        ("priority", "elective") => lang.pick("elective", "择期"),
        ("priority", "all") => lang.pick("all priorities", "全部"),
        ("payer", "total") => lang.pick("total", "合计"),
        ("payer", "insurer") => lang.pick("insurer", "医保基金"),
        ("payer", "out_of_pocket") => lang.pick("out of pocket", "个人自付"),
        ("ward", w) => return ward(w, lang),
        ("facility", f) | ("chc", f) => return facility(f, lang),
        _ => return format!("{key}={value}"),
    };
    v.to_string()
}

/// A breakdown (`key=value;key=value`) in words, joined by " · ".
pub fn breakdown(b: &str, lang: Lang) -> String {
    b.split(';')
        .filter(|s| !s.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => pair(k, v, lang),
            None => kv.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A metric with its breakdown in words, e.g. "outpatient wait (lead hospital · referred)".
pub fn metric_label(id: &str, b: &str, lang: Lang) -> String {
    let name = metric_name(id, lang);
    if b.is_empty() {
        name
    } else {
        match lang {
            Lang::En => format!("{name} ({})", breakdown(b, lang)),
            Lang::Zh => format!("{name}（{}）", breakdown(b, lang)),
        }
    }
}

/// A policy lever explained for a student.
pub struct LeverText {
    pub en: &'static str,
    pub zh: &'static str,
    pub explain_en: &'static str,
    pub explain_zh: &'static str,
}

pub const LEVERS: &[LeverText] = &[
    LeverText {
        en: "Gatekeeping",
        zh: "基层首诊（守门人制度）",
        explain_en: "Under strict gatekeeping a non-emergency visit to the lead hospital needs a referral from the patient's CHC; under soft gatekeeping, bypassing the CHC costs the patient more. It moves routine care to the CHCs, and can add a step for patients who do need a specialist.",
        explain_zh: "严格守门时，非急诊到牵头医院就诊必须持有社区转诊；软性守门时，越过社区直接就诊要多付费。它把常规诊疗引向社区，但也可能让确需专科的患者多走一步。",
    },
    LeverText {
        en: "National minimum sinking of slots and beds",
        zh: "号源下沉与床位下沉（国家最低要求）",
        explain_en: "The national pilot rule asks the lead hospital to move at least 1/3 of its outpatient slots to expert sessions at CHCs (or to slots bookable only through a CHC referral), and at least 1/4 of its beds to shared wards in member hospitals. Capacity moves closer to patients, and the lead hospital keeps fewer slots and beds of its own.",
        explain_zh: "国家试点要求牵头医院至少将 1/3 的门诊号源下沉到社区专家门诊（或仅供社区转诊预约），至少将 1/4 的床位作为成员医院的共管病房。资源离患者更近，牵头医院自留的号源和床位随之减少。",
    },
    LeverText {
        en: "Shared wards",
        zh: "共管病房",
        explain_en: "Beds in a member hospital co-managed by lead-hospital specialists: lead-hospital quality at member-hospital prices, used mostly for post-acute care and rehabilitation.",
        explain_zh: "设在成员医院、由牵头医院专家共同管理的床位：牵头医院的质量、成员医院的价格，多用于急性期后治疗和康复。",
    },
    LeverText {
        en: "Global budget with surplus retention",
        zh: "医保总额付费、结余留用",
        explain_en: "The insurer pays the group a yearly budget and the group keeps part of any surplus. This rewards keeping residents healthy and treating them at the cheapest suitable tier: more down-referral, fewer avoidable admissions.",
        explain_zh: "医保基金按年度向医疗集团打包支付，结余部分由集团留用。这激励集团让居民少生病、在合适的最低层级治疗：更多下转，更少可避免的住院。",
    },
    LeverText {
        en: "Differential reimbursement",
        zh: "差别化报销",
        explain_en: "The insurer reimburses a larger share of the bill at CHCs than at hospitals, so patients pay less out of pocket near home; a wider gap pulls more visits into primary care.",
        explain_zh: "在社区就诊的报销比例高于医院，患者在家门口看病自付更少；差距越大，流向基层的就诊越多。",
    },
    LeverText {
        en: "One-click referral",
        zh: "一键转诊",
        explain_en: "A shared platform on which the CHC doctor books the hospital appointment directly, with priority. It lowers referral friction, so fewer referrals are lost on the way.",
        explain_zh: "社区医生通过共享平台直接为患者预约医院号源，并享有优先。它降低转诊阻力，途中流失的转诊更少。",
    },
    LeverText {
        en: "Family-doctor contract and green channel",
        zh: "家庭医生签约与绿色通道",
        explain_en: "Residents signed with a CHC family-doctor team get priority booking; referred or signed patients get priority for slots and beds (green channel).",
        explain_zh: "与社区家庭医生团队签约的居民享有优先预约；转诊或签约患者在号源和床位上享有优先（绿色通道）。",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_parse_and_unknown_ones_are_refused() {
        assert_eq!("zh".parse::<Lang>(), Ok(Lang::Zh));
        assert_eq!("EN".parse::<Lang>(), Ok(Lang::En));
        assert!("fr".parse::<Lang>().unwrap_err().contains("use zh or en"));
    }

    #[test]
    fn breakdowns_and_units_read_as_words() {
        assert_eq!(breakdown("tier=lead;channel=referred", Lang::En), "lead hospital · referred");
        assert_eq!(
            breakdown("ward=member-2/shared;priority=elective", Lang::Zh),
            "成员医院 2 · 共管病房 · 择期"
        );
        assert_eq!(breakdown("zone=north", Lang::En), "zone=north");
        assert_eq!(metric_label("primary_care_visit_share", "", Lang::Zh), "基层诊疗占比");
        assert_eq!(metric_label("new_metric_per_day", "tier=primary", Lang::En), "new_metric_per_day (CHC)");
        assert_eq!(Unit::of("bed_occupancy_p95"), Unit::Share);
        assert_eq!(Unit::of("spending_yuan_per_year"), Unit::YuanPerYear);
        assert_eq!(Unit::of("admission_wait_days"), Unit::Days);
        assert_eq!(Unit::of("referrals_up_per_year"), Unit::PerYear);
    }

    #[test]
    fn every_metric_and_lever_has_both_languages() {
        for m in METRICS {
            assert!(
                !m.en.is_empty() && !m.zh.is_empty() && !m.explain_en.is_empty() && !m.explain_zh.is_empty(),
                "{}",
                m.id
            );
            assert!(m.zh.chars().any(|c| c > '\u{2e80}'), "{}: the Chinese name has no Chinese", m.id);
        }
        for l in LEVERS {
            assert!(l.explain_zh.chars().any(|c| c > '\u{2e80}'), "{}", l.en);
        }
    }
}
