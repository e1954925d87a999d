//! The resolved scenario (TOML text from a manifest): words, differences, switch-on days.
//!
//! The report reads the scenario as a generic TOML table, not through the model's schema, so it
//! keeps working when the schema gains sections (new policy levers) and never depends on the
//! model crate (ARCHITECTURE.md, invariant 2).

use super::text::{Lang, facility, ward_kind};
use toml::{Table, Value};

/// Parses resolved scenario text.
pub fn parse(text: &str) -> Option<Table> {
    text.parse::<Table>().ok()
}

/// Keys that say how a run was made rather than what was modelled; the manifest shows them.
fn is_run_control(path: &str) -> bool {
    path == "seed" || path == "name" || path == "description" || path == "extends" || path.starts_with("run.")
}

/// Whether a key names a policy's switch-on day (`start_day` or `…_start_day`).
fn is_switch_on(key: &str) -> bool {
    key == "start_day" || key.ends_with("_start_day")
}

/// Every policy switch-on day in the scenario: (table path, day). A key `start_day` is labelled
/// with the path of its table (`gatekeeping`); a key `x_start_day` with its full path.
pub fn switch_on_days(t: &Table) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    walk_switch(t, "", &mut out);
    out.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    out
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") }
}

fn walk_switch(t: &Table, prefix: &str, out: &mut Vec<(String, f64)>) {
    for (k, v) in t {
        match v {
            Value::Integer(_) | Value::Float(_) if is_switch_on(k) => {
                let day = v.as_float().or_else(|| v.as_integer().map(|i| i as f64)).unwrap_or(f64::NAN);
                let label =
                    if k == "start_day" && !prefix.is_empty() { prefix.to_string() } else { join(prefix, k) };
                out.push((label, day));
            }
            Value::Table(sub) => walk_switch(sub, &join(prefix, k), out),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Value::Table(sub) = item {
                        walk_switch(sub, &format!("{}[{}]", join(prefix, k), element_name(sub, i)), out);
                    }
                }
            }
            _ => {}
        }
    }
}

fn element_name(t: &Table, i: usize) -> String {
    t.get("name").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| i.to_string())
}

/// One parameter whose value differs between two scenarios.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Key path, e.g. `facilities[lead].wards[medical].beds`.
    pub key: String,
    /// Value in the baseline (`None`: the key is new).
    pub base: Option<String>,
    /// Value in this scenario (`None`: the key was removed).
    pub value: Option<String>,
}

/// Parameters of `other` that differ from `base`, ignoring run control (seed, run length,
/// replications, name and description). Arrays of named tables are matched by `name`.
pub fn diff(base: &Table, other: &Table) -> Vec<Change> {
    let mut out = Vec::new();
    diff_tables(base, other, "", &mut out);
    out.retain(|c| !is_run_control(&c.key));
    out
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

fn named(items: &[Value]) -> bool {
    !items.is_empty()
        && items.iter().all(|i| i.as_table().is_some_and(|t| t.get("name").is_some_and(Value::is_str)))
}

fn diff_values(a: Option<&Value>, b: Option<&Value>, path: &str, out: &mut Vec<Change>) {
    match (a, b) {
        (Some(Value::Table(x)), Some(Value::Table(y))) => diff_tables(x, y, path, out),
        (Some(Value::Array(x)), Some(Value::Array(y))) if named(x) && named(y) => {
            let name = |v: &Value| v.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
            for item in x {
                let n = name(item);
                let other = y.iter().find(|o| name(o) == n);
                diff_values(Some(item), other, &format!("{path}[{n}]"), out);
            }
            for item in y {
                let n = name(item);
                if !x.iter().any(|o| name(o) == n) {
                    diff_values(None, Some(item), &format!("{path}[{n}]"), out);
                }
            }
        }
        (Some(x), Some(y)) if x == y => {}
        (None, None) => {}
        (x, y) => out.push(Change { key: path.to_string(), base: x.map(show), value: y.map(show) }),
    }
}

fn diff_tables(a: &Table, b: &Table, prefix: &str, out: &mut Vec<Change>) {
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        diff_values(a.get(k), b.get(k), &join(prefix, k), out);
    }
}

/// A condition of the shipped scenarios in words (other names as written).
fn condition(name: &str, lang: Lang) -> String {
    let (en, zh) = match name {
        "hypertension" => ("hypertension", "高血压"),
        "type2_diabetes" => ("type 2 diabetes", "2 型糖尿病"),
        "copd" => ("COPD", "慢性阻塞性肺疾病"),
        "post_stroke" => ("after a stroke", "脑卒中后"),
        "prostate_hyperplasia" => ("prostate hyperplasia", "前列腺增生"),
        other => return other.to_string(),
    };
    lang.pick(en, zh).to_string()
}

fn num(v: Option<&Value>) -> Option<f64> {
    v.and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
}

/// Thousands separators for a count.
pub fn thousands(n: f64) -> String {
    let s = format!("{:.0}", n.abs());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0.0 { format!("-{out}") } else { out }
}

/// The scenario in a few sentences: the group's structure, its population and its policies.
pub fn describe(t: &Table, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = t.get("description").and_then(Value::as_str) {
        out.push(d.to_string());
    }
    let facilities = t.get("facilities").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut tiers: Vec<(String, i64, i64)> = Vec::new(); // tier, facilities, beds
    let mut wards: Vec<String> = Vec::new();
    for f in &facilities {
        let tier = f.get("tier").and_then(Value::as_str).unwrap_or("?").to_string();
        let count = f.get("count").and_then(Value::as_integer).unwrap_or(1);
        let name = f.get("name").and_then(Value::as_str).unwrap_or("?");
        let mut beds = 0;
        for w in f.get("wards").and_then(Value::as_array).into_iter().flatten() {
            let b = w.get("beds").and_then(Value::as_integer).unwrap_or(0);
            beds += b * count;
            let wname = w.get("name").and_then(Value::as_str).unwrap_or("?");
            let each = if count > 1 { lang.pick(" each", "（每家）").to_string() } else { String::new() };
            wards.push(match lang {
                Lang::En => format!("{} {wname} ward: {b} beds{each}", facility(name, lang)),
                Lang::Zh => format!("{}{}病区：{b} 张床{each}", facility(name, lang), ward_kind(wname, lang)),
            });
        }
        match tiers.iter_mut().find(|x| x.0 == tier) {
            Some(x) => {
                x.1 += count;
                x.2 += beds;
            }
            None => tiers.push((tier, count, beds)),
        }
    }
    if !tiers.is_empty() {
        let parts: Vec<String> = tiers
            .iter()
            .map(|(tier, n, _)| {
                let word = super::text::breakdown(&format!("tier={tier}"), lang);
                match lang {
                    Lang::En => {
                        format!("{n} {word}{}", if *n > 1 && !word.ends_with('s') { "s" } else { "" })
                    }
                    Lang::Zh => format!("{word} {n} 家"),
                }
            })
            .collect();
        out.push(match lang {
            Lang::En => format!("The group has {}.", parts.join(", ")),
            Lang::Zh => format!("医疗集团包括：{}。", parts.join("，")),
        });
    }
    if !wards.is_empty() {
        out.push(match lang {
            Lang::En => format!("Wards: {}.", wards.join("; ")),
            Lang::Zh => format!("病区：{}。", wards.join("；")),
        });
    }
    let pop = t.get("population");
    if let Some(r) = num(pop.and_then(|p| p.get("residents"))) {
        let signing = num(pop.and_then(|p| p.get("signing_rate")));
        out.push(match (lang, signing) {
            (Lang::En, Some(s)) => format!(
                "It serves {} residents; {:.0} % of chronic patients have signed a family-doctor contract.",
                thousands(r),
                s * 100.0
            ),
            (Lang::En, None) => format!("It serves {} residents.", thousands(r)),
            (Lang::Zh, Some(s)) => {
                format!("服务常住人口 {} 人；{:.0}% 的慢病患者签约了家庭医生。", thousands(r), s * 100.0)
            }
            (Lang::Zh, None) => format!("服务常住人口 {} 人。", thousands(r)),
        });
    }
    if let Some(cs) = t.get("conditions").and_then(Value::as_array) {
        let names: Vec<String> = cs
            .iter()
            .filter_map(|c| c.get("name").and_then(Value::as_str))
            .map(|n| condition(n, lang))
            .collect();
        if !names.is_empty() {
            out.push(match lang {
                Lang::En => format!("Chronic conditions modelled: {}.", names.join(", ")),
                Lang::Zh => format!("模拟的慢性病：{}。", names.join("、")),
            });
        }
    }
    let switches = switch_on_days(t);
    if switches.is_empty() {
        out.push(
            lang.pick(
                "No policy switches on during the run (no `start_day` in the scenario).",
                "运行期间没有政策在中途启用（情景中没有 `start_day`）。",
            )
            .to_string(),
        );
    } else {
        let list: Vec<String> =
            switches.iter().map(|(p, d)| format!("{p} ({} {d})", lang.pick("day", "第"))).collect();
        out.push(match lang {
            Lang::En => format!("Policies switch on during the run: {}.", list.join(", ")),
            Lang::Zh => format!(
                "运行中启用的政策：{}。",
                switches.iter().map(|(p, d)| format!("{p}（第 {d} 天）")).collect::<Vec<_>>().join("，")
            ),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
name = "baseline"
seed = 1
[run]
days = 365
[referral]
referral_completion = 0.8
[[facilities]]
name = "lead"
tier = "lead"
[[facilities.wards]]
name = "medical"
beds = 900
[[facilities]]
name = "chc"
tier = "primary"
count = 12
"#;

    const REFORM: &str = r#"
name = "gatekeeping"
seed = 2
[run]
days = 30
[referral]
referral_completion = 0.95
[gatekeeping]
mode = "strict"
start_day = 200
[sinking]
slots_start_day = 250
[[facilities]]
name = "lead"
tier = "lead"
[[facilities.wards]]
name = "medical"
beds = 675
[[facilities]]
name = "chc"
tier = "primary"
count = 12
"#;

    #[test]
    fn diff_names_changed_added_keys_and_skips_run_control() {
        let (a, b) = (parse(BASE).unwrap(), parse(REFORM).unwrap());
        let d = diff(&a, &b);
        let keys: Vec<&str> = d.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "facilities[lead].wards[medical].beds",
                "gatekeeping",
                "referral.referral_completion",
                "sinking",
            ]
        );
        assert_eq!(d[0].base.as_deref(), Some("900"));
        assert_eq!(d[0].value.as_deref(), Some("675"));
        assert_eq!(d[1].base, None);
        assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn switch_on_days_are_found_anywhere() {
        let b = parse(REFORM).unwrap();
        assert_eq!(
            switch_on_days(&b),
            vec![("gatekeeping".to_string(), 200.0), ("sinking.slots_start_day".to_string(), 250.0)]
        );
        assert!(switch_on_days(&parse(BASE).unwrap()).is_empty());
    }

    #[test]
    fn description_counts_facilities_by_tier() {
        let text = describe(&parse(BASE).unwrap(), Lang::En).join(" ");
        assert!(text.contains("1 lead hospital, 12 CHCs"), "{text}");
        let zh = describe(&parse(BASE).unwrap(), Lang::Zh).join("");
        assert!(zh.contains("社区卫生服务中心 12 家"), "{zh}");
        assert_eq!(thousands(1_200_000.0), "1,200,000");
    }
}
