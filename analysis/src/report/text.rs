//! Words of the report in both languages: the language type, facility, ward and breakdown names,
//! and the levers' explanations.
//!
//! Each text is written in English and Chinese side by side (here, in the captions of `build.rs`
//! and the headings of `html.rs`), so a sentence cannot exist in one language only. Metric names
//! and explanations come from the program's catalogue ([`crate::catalogue`]). Names follow the
//! vocabulary table of DESIGN.md section 2.

use crate::catalogue::{Catalogue, Lever};
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
pub fn metric_label(cat: &Catalogue, id: &str, b: &str, lang: Lang) -> String {
    let name = cat.name(id, lang);
    if b.is_empty() {
        name
    } else {
        match lang {
            Lang::En => format!("{name} ({})", breakdown(b, lang)),
            Lang::Zh => format!("{name}（{}）", breakdown(b, lang)),
        }
    }
}

/// The levers explained in every report.
pub const LEVERS: &[Lever] = &[
    Lever {
        key: "gatekeeping",
        en: "Gatekeeping",
        zh: "基层首诊（守门人制度）",
        explain_en: "Under strict gatekeeping a non-emergency visit to the lead hospital needs a referral from the patient's CHC; under soft gatekeeping, bypassing the CHC costs the patient more. It moves routine care to the CHCs, and can add a step for patients who do need a specialist.",
        explain_zh: "严格守门时，非急诊到牵头医院就诊必须持有社区转诊；软性守门时，越过社区直接就诊要多付费。它把常规诊疗引向社区，但也可能让确需专科的患者多走一步。",
    },
    Lever {
        key: "national_minimum_sinking",
        en: "National minimum sinking of slots and beds",
        zh: "号源下沉与床位下沉（国家最低要求）",
        explain_en: "The national pilot rule asks the lead hospital to move at least 1/3 of its outpatient slots to expert sessions at CHCs (or to slots bookable only through a CHC referral), and at least 1/4 of its beds to shared wards in member hospitals. Capacity moves closer to patients, and the lead hospital keeps fewer slots and beds of its own.",
        explain_zh: "国家试点要求牵头医院至少将 1/3 的门诊号源下沉到社区专家门诊（或仅供社区转诊预约），至少将 1/4 的床位作为成员医院的共管病房。资源离患者更近，牵头医院自留的号源和床位随之减少。",
    },
    Lever {
        key: "shared_wards",
        en: "Shared wards",
        zh: "共管病房",
        explain_en: "Beds in a member hospital co-managed by lead-hospital specialists: lead-hospital quality at member-hospital prices, used mostly for post-acute care and rehabilitation.",
        explain_zh: "设在成员医院、由牵头医院专家共同管理的床位：牵头医院的质量、成员医院的价格，多用于急性期后治疗和康复。",
    },
    Lever {
        key: "global_budget",
        en: "Global budget with surplus retention",
        zh: "医保总额付费、结余留用",
        explain_en: "The insurer pays the group a yearly budget and the group keeps part of any surplus. This rewards keeping residents healthy and treating them at the cheapest suitable tier: more down-referral, fewer avoidable admissions.",
        explain_zh: "医保基金按年度向医疗集团打包支付，结余部分由集团留用。这激励集团让居民少生病、在合适的最低层级治疗：更多下转，更少可避免的住院。",
    },
    Lever {
        key: "differential_reimbursement",
        en: "Differential reimbursement",
        zh: "差别化报销",
        explain_en: "The insurer reimburses a larger share of the bill at CHCs than at hospitals, so patients pay less out of pocket near home; a wider gap pulls more visits into primary care.",
        explain_zh: "在社区就诊的报销比例高于医院，患者在家门口看病自付更少；差距越大，流向基层的就诊越多。",
    },
    Lever {
        key: "one_click_referral",
        en: "One-click referral",
        zh: "一键转诊",
        explain_en: "A shared platform on which the CHC doctor books the hospital appointment directly, with priority. It lowers referral friction, so fewer referrals are lost on the way.",
        explain_zh: "社区医生通过共享平台直接为患者预约医院号源，并享有优先。它降低转诊阻力，途中流失的转诊更少。",
    },
    Lever {
        key: "signing_and_green_channel",
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
    fn breakdowns_read_as_words() {
        assert_eq!(breakdown("tier=lead;channel=referred", Lang::En), "lead hospital · referred");
        assert_eq!(
            breakdown("ward=member-2/shared;priority=elective", Lang::Zh),
            "成员医院 2 · 共管病房 · 择期"
        );
        assert_eq!(breakdown("zone=north", Lang::En), "zone=north");
        let cat = Catalogue { metrics: &[], series: &[], levers: LEVERS };
        assert_eq!(
            metric_label(&cat, "new_metric_per_day", "tier=primary", Lang::En),
            "new_metric_per_day (CHC)"
        );
    }

    #[test]
    fn every_lever_has_both_languages() {
        for l in LEVERS {
            assert!(!l.en.is_empty() && !l.explain_en.is_empty(), "{}", l.key);
            assert!(l.explain_zh.chars().any(|c| c > '\u{2e80}'), "{}", l.en);
        }
    }
}
