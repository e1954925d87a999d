//! Words of the report in both languages: the language type, and facility, ward and breakdown
//! names.
//!
//! Each text is written in English and Chinese side by side (here, in the captions of `build.rs`
//! and the headings of `html.rs`), so a sentence cannot exist in one language only. Metric names
//! and explanations come from the program's catalogue ([`crate::catalogue`]). Names follow the
//! vocabulary table of DESIGN.md section 2.

use crate::catalogue::Catalogue;
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
        "rehab" | "rehabilitation" => lang.pick("rehabilitation", "康复").into(),
        "acute" => lang.pick("acute", "急性期").into(),
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
        ("channel", "nonresident") => lang.pick("non-residents", "非本地居民"),
        ("channel", "agents") => lang.pick("chronic patients", "慢病患者"),
        ("priority", "emergency") => lang.pick("emergency", "急诊"),
        ("priority", "referred") => lang.pick("referred", "转诊"),
        ("priority", "elective") => lang.pick("elective", "择期"),
        ("priority", "all") => lang.pick("all priorities", "全部"),
        ("payer", "total") => lang.pick("total", "合计"),
        ("payer", "insurer") => lang.pick("insurer", "医保基金"),
        ("payer", "out_of_pocket") => lang.pick("out of pocket", "个人自付"),
        ("scheme", "employee") => lang.pick("employee insurance", "职工医保"),
        ("scheme", "resident") => lang.pick("resident insurance", "居民医保"),
        ("population", "chronic") => lang.pick("chronic patients", "慢病患者"),
        ("population", "other") => lang.pick("other residents", "其他居民"),
        ("route", "platform") => lang.pick("referral platform", "转诊平台"),
        ("route", "other") => lang.pick("other routes", "其他途径"),
        ("origin", "member") => lang.pick("from member hospitals", "由成员医院转出"),
        ("route", "bed_sinking") => lang.pick("routed by bed sinking", "床位下沉分流"),
        ("route", "post_acute") => lang.pick("post-acute transfer", "急性后期转入"),
        ("item", "drugs") => lang.pick("drugs", "药品"),
        ("item", "tests") => lang.pick("tests", "检查"),
        ("item", "services") => lang.pick("services", "医疗服务"),
        ("ward", w) => return ward(w, lang),
        ("facility", f) | ("chc", f) | ("catchment", f) => return facility(f, lang),
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
        let cat = Catalogue { metrics: &[], series: &[], levers: &[] };
        assert_eq!(
            metric_label(&cat, "new_metric_per_day", "tier=primary", Lang::En),
            "new_metric_per_day (CHC)"
        );
    }
}
