//! From a results folder to the report's content: tables, charts and captions, in one language.

use super::read::{CompareData, ComparisonRow, Daily, Kind, RunData, SweepData, UncertaintyData};
use super::scenario::{self, Change};
use super::text::{Lang, breakdown, metric_label, ward};
use crate::catalogue::{Catalogue, Unit};
use crate::charts::{
    BarChart, BarSeries, Chart, IntervalChart, IntervalPanels, IntervalRow, Line, LineChart, Marker, Panel,
};
use crate::stats::Summary;
use std::collections::BTreeMap;

/// A chart with its caption (how to read it).
pub struct Figure {
    /// File stem of the chart's PNG and SVG (`wait_outpatient`).
    pub id: String,
    pub chart: Chart,
    pub caption: String,
}

/// A row of the headline table.
pub struct HeadlineRow {
    pub label: String,
    /// Formatted cells: mean, CI, unit, n.
    pub mean: String,
    pub ci: String,
    pub unit: String,
    pub n: usize,
}

/// A row of the comparison table.
pub struct CompareRow {
    pub arm: String,
    pub label: String,
    pub base: String,
    pub value: String,
    pub diff: String,
    pub pct: String,
    pub unit: String,
    /// Significant and beyond the metric's minimal important difference.
    pub significant: bool,
    /// The verdict in words (better, worse, negligible, …).
    pub verdict: String,
}

/// A comparison verdict (`analysis::importance::Verdict::name`) in the report's language.
fn verdict_text(v: &str, lang: Lang) -> String {
    let zh = match v {
        "better" => "改善",
        "worse" => "变差",
        "changed" => "有变化",
        "significant" => "显著",
        "negligible" => "可忽略",
        "not significant" => "不显著",
        other => other,
    };
    lang.pick(v, zh).to_string()
}

/// Whether a comparison row's verdict is a difference that matters (beyond the MID).
fn matters(v: &str) -> bool {
    matches!(v, "better" | "worse" | "changed" | "significant")
}

/// What the parameter-difference section says.
pub enum Differences {
    /// The run is the baseline scenario itself.
    IsBaseline,
    /// The scenario extends none, or the manifest does not record its parent.
    Unknown(String),
    /// Differences from the named parent scenario.
    From { parent: String, changes: Vec<Change> },
}

/// A table with its own section: an id for the contents, a title, a note on how to read it.
pub struct Table {
    pub id: String,
    pub title: String,
    pub note: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Everything the HTML template shows.
pub struct Content {
    pub lang: Lang,
    pub kind_title: String,
    pub subtitle: String,
    pub scenario: Vec<(String, Vec<String>)>,
    pub differences: Vec<(String, Differences)>,
    pub headline: Vec<HeadlineRow>,
    pub comparison: Vec<CompareRow>,
    pub sweep: Vec<Vec<String>>,
    pub sweep_header: Vec<String>,
    /// Tables of their own sections, before the headline metrics (parameter uncertainty).
    pub tables: Vec<Table>,
    /// A city's table by group (header, then one row per group); empty for one group.
    pub groups: Vec<Vec<String>>,
    pub figures: Vec<Figure>,
    pub manifest: Vec<(String, String)>,
    /// Metrics that appear in this report, for the glossary: name, id, explanation.
    pub metrics: Vec<(String, String, String)>,
    /// The policy levers explained: name, explanation.
    pub levers: Vec<(String, String)>,
}

/// A number with about four significant digits.
pub fn fmt(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() {
        "—".into()
    } else if a == 0.0 {
        "0".into()
    } else if a >= 1e5 {
        scenario::thousands(v)
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn fmt_in(cat: &Catalogue, metric: &str, v: f64) -> String {
    fmt(v * cat.unit(metric).scale())
}

fn ci_text(cat: &Catalogue, metric: &str, lo: f64, hi: f64, n: usize) -> String {
    if n < 2 || !lo.is_finite() || !hi.is_finite() {
        "—".into()
    } else {
        format!("[{}, {}]", fmt_in(cat, metric, lo), fmt_in(cat, metric, hi))
    }
}

/// Mean and range across replications of a daily series, per day.
struct Across {
    mean: Vec<f64>,
    min: Vec<f64>,
    max: Vec<f64>,
}

fn across(daily: &Daily, series: &str, b: &str, scale: f64, smooth: usize) -> Option<Across> {
    let reps = daily.get(series, b)?;
    let days = reps.values().map(Vec::len).max()?;
    let smoothed: Vec<Vec<f64>> = reps.values().map(|v| moving_average(v, smooth)).collect();
    let mut a = Across { mean: vec![], min: vec![], max: vec![] };
    for d in 0..days {
        let vals: Vec<f64> =
            smoothed.iter().filter_map(|v| v.get(d).copied()).filter(|x| x.is_finite()).collect();
        if vals.is_empty() {
            a.mean.push(f64::NAN);
            a.min.push(f64::NAN);
            a.max.push(f64::NAN);
        } else {
            a.mean.push(scale * vals.iter().sum::<f64>() / vals.len() as f64);
            a.min.push(scale * vals.iter().copied().fold(f64::INFINITY, f64::min));
            a.max.push(scale * vals.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        }
    }
    Some(a)
}

/// Trailing moving average over `w` days (the first days average what exists).
fn moving_average(v: &[f64], w: usize) -> Vec<f64> {
    if w <= 1 {
        return v.to_vec();
    }
    (0..v.len())
        .map(|i| {
            let s = &v[i.saturating_sub(w - 1)..=i];
            let f: Vec<f64> = s.iter().copied().filter(|x| x.is_finite()).collect();
            if f.is_empty() { f64::NAN } else { f.iter().sum::<f64>() / f.len() as f64 }
        })
        .collect()
}

fn line_of(label: String, a: &Across, band: bool) -> Line {
    let pts = a.mean.iter().enumerate().map(|(d, &m)| (d as f64, m)).collect();
    let band = band.then(|| {
        a.min
            .iter()
            .zip(&a.max)
            .enumerate()
            .filter(|(_, (l, h))| l.is_finite() && h.is_finite())
            .map(|(d, (&l, &h))| (d as f64, l, h))
            .collect()
    });
    Line { label, points: pts, band, dashed: false, points_only: false }
}

fn warmup(run: &RunData, lang: Lang) -> Option<(f64, String)> {
    run.manifest
        .warmup_days
        .filter(|&w| w > 0)
        .map(|w| (w as f64, lang.pick("warm-up (not in summaries)", "预热期（不计入汇总）").to_string()))
}

fn markers(run: &RunData, prefix: &str) -> Vec<Marker> {
    let Some(t) = run.manifest.resolved.as_deref().and_then(scenario::parse) else { return vec![] };
    scenario::switch_on_days(&t)
        .into_iter()
        .map(|(path, day)| Marker { x: day, label: format!("{prefix}{path}") })
        .collect()
}

fn day_axis(lang: Lang) -> String {
    lang.pick("day since the start of the simulation (days)", "自模拟开始的天数（天）").to_string()
}

/// Order of outpatient rows: CHC, member, lead; within a tier self, signed, referred, non-residents.
fn tier_order(b: &str) -> (usize, usize) {
    let rank = |key: &str, order: &[&str]| {
        b.split(';')
            .find_map(|kv| kv.strip_prefix(key))
            .and_then(|v| order.iter().position(|o| *o == v))
            .unwrap_or(order.len())
    };
    (
        rank("tier=", &["primary", "member", "lead"]),
        rank("channel=", &["self", "signed", "referred", "nonresident"]),
    )
}

/// Wait rows of one run (outpatient by tier and channel, or admission by ward and priority).
fn wait_rows(
    run: &RunData,
    metric: &str,
    marker_metric: Option<&str>,
    keep: impl Fn(&str) -> bool,
    lang: Lang,
    prefix: &str,
) -> Vec<IntervalRow> {
    let mut rows: Vec<_> = run.summary.iter().filter(|r| r.metric == metric && keep(&r.breakdown)).collect();
    if metric == "outpatient_wait_days" {
        // Admission rows keep the summary's order: ward by ward, priority within a ward.
        rows.sort_by_key(|r| tier_order(&r.breakdown));
    }
    rows.iter()
        .map(|r| IntervalRow {
            label: format!("{prefix}{}", breakdown(&r.breakdown, lang)),
            estimate: r.mean,
            low: if r.n > 1 { r.ci_low } else { f64::NAN },
            high: if r.n > 1 { r.ci_high } else { f64::NAN },
            marker: marker_metric.and_then(|m| run.summary_of(m, &r.breakdown)).map(|s| s.mean),
            dots: run.replications.get(&(r.metric.clone(), r.breakdown.clone())).cloned().unwrap_or_default(),
            highlight: false,
        })
        .collect()
}

/// The compare chart of one arm: the headline rows in panels by kind, each on its own robust
/// axis — shares (and occupancy) as differences in percentage points, waits in days, the rest
/// in percent of the base. `None` when no row has a finite difference.
fn compare_chart(
    cat: &Catalogue,
    rows: &[&ComparisonRow],
    arm: &str,
    base: &str,
    lang: Lang,
) -> Option<Chart> {
    #[derive(PartialEq)]
    enum Kind {
        Share,
        Days,
        Relative,
    }
    let kind = |metric: &str| match cat.unit(metric) {
        Unit::Share => Kind::Share,
        Unit::Days => Kind::Days,
        _ => Kind::Relative,
    };
    let families = [
        (
            Kind::Share,
            lang.pick("Shares and occupancy", "比例与床位占用率"),
            lang.pick("difference (percentage points), paired by replication", "差异（百分点），按重复配对"),
        ),
        (
            Kind::Days,
            lang.pick("Waits", "等待时间"),
            lang.pick("difference (days), paired by replication", "差异（天），按重复配对"),
        ),
        (
            Kind::Relative,
            lang.pick("Volumes, counts and spending", "数量、计数与费用"),
            lang.pick("change vs the base (%), paired by replication", "相对基线的变化（%），按重复配对"),
        ),
    ];
    let mut panels: Vec<IntervalChart> = Vec::new();
    for (k, title, x_label) in families {
        let panel_rows: Vec<IntervalRow> = rows
            .iter()
            .filter(|r| kind(&r.metric) == k)
            .filter_map(|r| {
                let (e, lo, hi) = match k {
                    Kind::Share => (100.0 * r.diff_mean, 100.0 * r.diff_ci_low, 100.0 * r.diff_ci_high),
                    Kind::Days => (r.diff_mean, r.diff_ci_low, r.diff_ci_high),
                    Kind::Relative => (r.pct_change, r.pct_ci_low, r.pct_ci_high),
                };
                e.is_finite().then(|| IntervalRow {
                    label: metric_label(cat, &r.metric, &r.breakdown, lang),
                    estimate: e,
                    low: lo,
                    high: hi,
                    marker: None,
                    dots: vec![],
                    highlight: r.significant && matters(&r.verdict),
                })
            })
            .collect();
        if panel_rows.is_empty() {
            continue;
        }
        panels.push(IntervalChart {
            title: title.into(),
            x_label: x_label.into(),
            rows: panel_rows,
            reference: Some(0.0),
            floor: None,
            estimate_label: String::new(),
            marker_label: String::new(),
            dots_label: String::new(),
            highlight_label: String::new(),
            width: 1000,
            robust: true,
        });
    }
    // One legend, under the last panel.
    let last = panels.last_mut()?;
    last.estimate_label = lang.pick("mean difference, 95 % CI", "平均差异及 95% 置信区间").into();
    last.highlight_label = lang.pick("beyond the minimal important difference", "超出最小重要差异").into();
    Some(Chart::IntervalPanels(IntervalPanels {
        title: match lang {
            Lang::En => format!("{arm} vs {base}: paired differences"),
            Lang::Zh => format!("{arm} 与 {base} 的配对差异"),
        },
        panels,
        width: 1000,
    }))
}

fn wait_chart(title: String, x_label: String, rows: Vec<IntervalRow>, lang: Lang) -> Chart {
    Chart::Intervals(IntervalChart {
        title,
        x_label,
        rows,
        reference: Some(0.0),
        floor: Some(0.0),
        estimate_label: lang.pick("mean wait, 95 % CI", "平均等待及 95% 置信区间").into(),
        marker_label: lang.pick("90th percentile", "第 90 百分位").into(),
        dots_label: lang.pick("one replication", "单次重复").into(),
        highlight_label: String::new(),
        width: 900,
        robust: false,
    })
}

fn figures_waits(runs: &[(&str, &RunData)], lang: Lang) -> Vec<Figure> {
    let mut out = Vec::new();
    let multi = runs.len() > 1;
    let prefix = |name: &str| if multi { format!("{name} · ") } else { String::new() };
    let rows: Vec<IntervalRow> = runs
        .iter()
        .flat_map(|(name, r)| {
            wait_rows(
                r,
                "outpatient_wait_days",
                Some("outpatient_wait_days_p90"),
                |b| !b.contains("nonresident") || !multi,
                lang,
                &prefix(name),
            )
        })
        .collect();
    if !rows.is_empty() {
        out.push(Figure {
            id: "wait_outpatient".into(),
            chart: wait_chart(
                lang.pick("Outpatient wait by tier and channel", "门诊等待时间：按机构层级和就诊渠道").into(),
                lang.pick("wait from request to visit (days)", "从预约到就诊的等待（天）").into(),
                rows,
                lang,
            ),
            caption: lang.pick(
                "Each row is one tier and channel. The dot is the mean wait over the recorded days, the bar its 95 % confidence interval across replications, the diamond the 90th percentile of individual waits (whole days), and the grey dots the mean of each replication. Intervals are cut at zero: a wait cannot be negative. Every visit counts: chronic patients', other residents' and non-residents'; a referred patient's wait runs from the end of the referral's processing.",
                "每一行是一个机构层级与就诊渠道。圆点为记录期内的平均等待，横线为各次重复之间的 95% 置信区间，菱形为个人等待时间的第 90 百分位（按整天计），灰色小点为每次重复的均值。区间在 0 处截断，因为等待时间不可能为负。所有就诊都计入：慢病患者、其他居民和非本地居民；转诊患者的等待从转诊办理完成时算起。",
            )
            .into(),
        });
    }
    let rows: Vec<IntervalRow> = runs
        .iter()
        .flat_map(|(name, r)| {
            wait_rows(r, "admission_wait_days", None, |b| !b.ends_with("priority=all"), lang, &prefix(name))
        })
        .collect();
    if !rows.is_empty() {
        out.push(Figure {
            id: "wait_admission".into(),
            chart: wait_chart(
                lang.pick("Admission wait by ward and priority", "入院等待时间：按病区和优先级").into(),
                lang.pick("wait from decision to admit to bed (days)", "从决定住院到入住的等待（天）").into(),
                rows,
                lang,
            ),
            caption: lang.pick(
                "Each row is one ward and priority class. Emergencies are admitted first, then referred patients, then elective ones, so when a ward is full the elective queue absorbs the wait. Intervals are cut at zero.",
                "每一行是一个病区和优先级。急诊优先入院，其次是转诊患者，最后是择期患者；病区满员时，等待主要落在择期患者身上。区间在 0 处截断。",
            )
            .into(),
        });
    }
    out
}

fn figure_occupancy(runs: &[(&str, &RunData)], lang: Lang) -> Option<Figure> {
    let first = runs.first()?.1;
    let wards = first.daily.breakdowns("bed_occupancy_midnight");
    if wards.is_empty() {
        return None;
    }
    let multi = runs.len() > 1;
    let mut panels = Vec::new();
    for w in &wards {
        let mut lines = Vec::new();
        for (name, r) in runs {
            if let Some(a) = across(&r.daily, "bed_occupancy_midnight", w, 100.0, 1) {
                let label = if multi {
                    name.to_string()
                } else {
                    lang.pick("mean of replications", "各次重复的均值").into()
                };
                if a.mean.iter().any(|v| v.is_finite()) {
                    lines.push(line_of(label, &a, !multi));
                }
            }
        }
        if lines.is_empty() {
            continue;
        }
        let top = lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.1).chain(l.band.iter().flatten().map(|b| b.2)))
            .filter(|v| v.is_finite())
            .fold(100.0f64, f64::max);
        panels.push(Panel {
            title: ward(w.trim_start_matches("ward="), lang),
            lines,
            hlines: vec![(100.0, lang.pick("capacity: all staffed beds", "容量：全部在岗床位").into())],
            y_range: Some((0.0, (top * 1.1).max(110.0))),
        });
    }
    if panels.is_empty() {
        return None;
    }
    let markers: Vec<Marker> = runs
        .iter()
        .flat_map(|(name, r)| markers(r, &if multi { format!("{name}: ") } else { String::new() }))
        .collect();
    Some(Figure {
        id: "bed_occupancy".into(),
        chart: Chart::Lines(LineChart {
            title: lang.pick("Bed occupancy over time, by ward (midnight census)", "各病区床位使用率随时间变化（午夜在院人数）").into(),
            x_label: day_axis(lang),
            y_label: lang.pick("occupied beds (% of beds)", "占用床位（占床位数的 %）").into(),
            columns: panels.len().min(2),
            panel_height: 300,
            width: 1000,
            panels,
            markers,
            shade_before: warmup(first, lang),
            legend: multi,
            axis_from: lang.pick("axis from {}, not 0", "纵轴起点 {}，非 0").into(),
        }),
        caption: lang.pick(
            "Each panel is one ward: the line is the share of beds occupied at midnight (mean of the replications; the shaded band spans the lowest to the highest replication), the dashed red line is capacity. A ward close to its capacity line for weeks is where admission waits come from. The grey area at the left is the warm-up, when wards fill from empty; it is left out of every summary.",
            "每个小图是一个病区：实线为午夜床位占用比例（各次重复的均值；阴影带覆盖最低到最高的重复），红色虚线为容量。长期贴近容量线的病区正是入院等待的来源。左侧灰色区域为预热期，病区从空床开始逐渐住满，不计入任何汇总指标。",
        )
        .into(),
    })
}

fn figure_primary_share(runs: &[(&str, &RunData)], lang: Lang) -> Option<Figure> {
    let first = runs.first()?.1;
    let multi = runs.len() > 1;
    let mut lines = Vec::new();
    for (name, r) in runs {
        if let Some(a) = across(&r.daily, "primary_care_visit_share", "", 100.0, 7) {
            let label = if multi {
                name.to_string()
            } else {
                lang.pick("7-day average, mean of replications", "7 日移动平均（各次重复的均值）").into()
            };
            // A scenario without CHC visits (a single-ward validation case) has no share.
            if a.mean.iter().any(|v| v.is_finite()) {
                lines.push(line_of(label, &a, !multi));
            }
        }
    }
    if lines.is_empty() {
        return None;
    }
    let markers: Vec<Marker> = runs
        .iter()
        .flat_map(|(name, r)| markers(r, &if multi { format!("{name}: ") } else { String::new() }))
        .collect();
    Some(Figure {
        id: "primary_care_visit_share".into(),
        chart: Chart::Lines(LineChart {
            title: lang.pick("Primary-care visit share over time", "基层诊疗占比随时间变化").into(),
            x_label: day_axis(lang),
            y_label: lang.pick("primary-care visit share (%)", "基层诊疗占比（%）").into(),
            columns: 1,
            panel_height: 380,
            width: 1000,
            panels: vec![Panel { title: String::new(), lines, hlines: vec![], y_range: None }],
            markers,
            shade_before: warmup(first, lang),
            legend: true,
            axis_from: lang.pick("axis from {}, not 0", "纵轴起点 {}，非 0").into(),
        }),
        caption: lang.pick(
            "Share of all outpatient and emergency visits that happen at CHCs, averaged over 7 days (CHCs open fewer slots at weekends, so daily values zigzag). Dashed vertical lines mark days on which a policy switches on (a `start_day` in the scenario); the change after such a line is the policy's effect within one run.",
            "社区卫生服务中心就诊人次占全部门急诊人次的比例，取 7 日移动平均（社区周末号源较少，逐日数值呈锯齿状）。竖直虚线标出政策启用的日子（情景中的 `start_day`）；虚线之后的变化就是该政策在同一次运行中的效果。",
        )
        .into(),
    })
}

fn monthly(daily: &Daily, series: &str, from_day: usize) -> Vec<Vec<f64>> {
    // Per month, the per-replication totals over complete 30-day months from `from_day`, summed
    // over the series' breakdowns (e.g. referral routes).
    let mut sum: BTreeMap<u32, Vec<f64>> = BTreeMap::new();
    for b in daily.breakdowns(series) {
        for (rep, values) in daily.get(series, &b).into_iter().flatten() {
            let total = sum.entry(*rep).or_insert_with(|| vec![0.0; values.len()]);
            for (t, v) in total.iter_mut().zip(values) {
                if v.is_finite() {
                    *t += v;
                }
            }
        }
    }
    if sum.is_empty() {
        return vec![];
    }
    let reps = &sum;
    let days = reps.values().map(Vec::len).min().unwrap_or(0);
    let months = days.saturating_sub(from_day) / 30;
    (0..months)
        .map(|m| {
            reps.values()
                .map(|v| v[from_day + 30 * m..from_day + 30 * (m + 1)].iter().filter(|x| x.is_finite()).sum())
                .collect()
        })
        .collect()
}

fn figure_referrals(runs: &[(&str, &RunData)], lang: Lang) -> Option<Figure> {
    let first = runs.first()?.1;
    let from = first.manifest.warmup_days.unwrap_or(0) as usize;
    let multi = runs.len() > 1;
    let mut series = Vec::new();
    let mut months = 0;
    for (slot, (name, r)) in runs.iter().enumerate() {
        for (dir, sign) in [("referrals_up", 1.0), ("referrals_down", -1.0)] {
            let m = monthly(&r.daily, dir, from);
            // No referral at all (a scenario without patients): nothing to draw.
            if m.iter().flatten().all(|&v| v == 0.0) {
                continue;
            }
            months = months.max(m.len());
            // Monthly referral counts are never negative: their CIs are cut at 0.
            let summaries: Vec<Option<Summary>> =
                m.iter().map(|v| Summary::of(v).map(Summary::within_range)).collect();
            let word = if sign > 0.0 {
                lang.pick("up-referrals ↑", "上转 ↑")
            } else {
                lang.pick("down-referrals ↓", "下转 ↓")
            };
            series.push(BarSeries {
                label: if multi { format!("{name}: {word}") } else { word.to_string() },
                values: summaries.iter().map(|s| s.map_or(f64::NAN, |s| sign * s.mean)).collect(),
                whiskers: Some(
                    summaries
                        .iter()
                        .map(|s| {
                            s.filter(|s| s.n > 1)
                                .map_or((f64::NAN, f64::NAN), |s| (sign * s.ci_low, sign * s.ci_high))
                        })
                        .collect(),
                ),
                slot,
            });
        }
    }
    if series.is_empty() || months == 0 {
        return None;
    }
    Some(Figure {
        id: "referrals_monthly".into(),
        chart: Chart::Bars(BarChart {
            title: lang.pick("Referrals per month: up (CHC → hospital) and down (hospital → CHC)", "每月转诊：上转（社区 → 医院）与下转（医院 → 社区）").into(),
            x_label: lang.pick("month of the recorded period (30-day months)", "记录期的月份（每月按 30 天计）").into(),
            y_label: lang.pick("referrals per month (up ↑, down ↓)", "每月转诊人次（上转 ↑，下转 ↓）").into(),
            categories: (1..=months).map(|m| m.to_string()).collect(),
            series,
            absolute_ticks: true,
            width: 1000,
            height: 440,
        }),
        caption: lang.pick(
            "Bars above the axis are completed up-referrals from CHCs to hospitals in each 30-day month after the warm-up; bars below are down-referrals of stable patients back to their CHC (drawn downwards, counted as positive). The thin black lines are 95 % confidence intervals across replications. A healthy tiered system sends patients both ways.",
            "坐标轴上方的柱为预热期后每 30 天内完成的社区向医院上转人次；下方的柱为稳定患者转回社区的下转人次（向下绘制，数值为正）。细黑线为各次重复之间的 95% 置信区间。运转良好的分级诊疗体系应当双向流动。",
        )
        .into(),
    })
}

fn run_figures(runs: &[(&str, &RunData)], lang: Lang) -> Vec<Figure> {
    let mut f = figures_waits(runs, lang);
    f.extend(figure_occupancy(runs, lang));
    f.extend(figure_primary_share(runs, lang));
    f.extend(figure_referrals(runs, lang));
    f
}

/// The metrics of a city's table by group, in its column order (metric, breakdown after the
/// group's).
const GROUP_COLUMNS: [(&str, &str); 5] = [
    ("primary_care_visit_share", ""),
    ("visits_per_day", ""),
    ("cross_group_visits_per_day", ""),
    ("referrals_up_per_year", ""),
    ("spending_yuan_per_year", ";payer=total"),
];

/// A city's results by group: a header row, then per group its name and each column's mean with
/// its 95 % interval; empty when the results have no group rows.
fn group_table(cat: &Catalogue, run: &RunData, lang: Lang) -> Vec<Vec<String>> {
    let groups: Vec<&str> = run
        .summary
        .iter()
        .filter(|r| r.metric == GROUP_COLUMNS[0].0)
        .filter_map(|r| r.breakdown.strip_prefix("group="))
        .collect();
    if groups.is_empty() {
        return Vec::new();
    }
    let mut header = vec![lang.pick("group", "医疗集团").to_string()];
    for (m, _) in GROUP_COLUMNS {
        header.push(format!("{} ({})", cat.name(m, lang), cat.unit(m).label(lang)));
    }
    let mut out = vec![header];
    for g in groups {
        let mut row = vec![g.to_string()];
        for (m, rest) in GROUP_COLUMNS {
            row.push(match run.summary_of(m, &format!("group={g}{rest}")) {
                Some(r) => {
                    format!("{} {}", fmt_in(cat, m, r.mean), ci_text(cat, m, r.ci_low, r.ci_high, r.n))
                }
                None => "—".into(),
            });
        }
        out.push(row);
    }
    out
}

fn headline_rows(cat: &Catalogue, run: &RunData, lang: Lang) -> Vec<HeadlineRow> {
    run.summary
        .iter()
        .filter(|r| cat.is_headline(&r.metric, &r.breakdown))
        .map(|r| HeadlineRow {
            label: metric_label(cat, &r.metric, &r.breakdown, lang),
            mean: fmt_in(cat, &r.metric, r.mean),
            ci: ci_text(cat, &r.metric, r.ci_low, r.ci_high, r.n),
            unit: cat.unit(&r.metric).label(lang).into(),
            n: r.n,
        })
        .collect()
}

fn manifest_rows(m: &super::read::Manifest, lang: Lang, results_dir: &str) -> Vec<(String, String)> {
    let mut out = vec![
        (lang.pick("results folder", "结果目录").into(), results_dir.to_string()),
        (lang.pick("program version", "程序版本").into(), format!("medgroup {}", m.version)),
    ];
    if !m.scenario.is_empty() {
        out.push((lang.pick("scenario", "情景").into(), m.scenario.clone()));
    }
    if !m.scenario_hash.is_empty() {
        out.push((lang.pick("scenario hash", "情景哈希").into(), m.scenario_hash.clone()));
    }
    if let Some(s) = m.seed {
        out.push((lang.pick("master seed", "主随机种子").into(), s.to_string()));
    }
    if let Some(r) = m.replications {
        out.push((lang.pick("replications", "重复次数").into(), r.to_string()));
    }
    if let (Some(d), Some(w)) = (m.days, m.warmup_days) {
        out.push((
            lang.pick("days", "天数").into(),
            match lang {
                Lang::En => format!("{w} warm-up + {d} recorded"),
                Lang::Zh => format!("预热 {w} 天 + 记录 {d} 天"),
            },
        ));
    }
    if !m.scenario_files.is_empty() {
        out.push((lang.pick("scenario files", "情景文件").into(), m.scenario_files.join(" → ")));
    }
    out
}

fn differences_of(m: &super::read::Manifest, lang: Lang) -> Differences {
    if m.scenario_files.len() == 1 && m.scenario == "baseline" {
        return Differences::IsBaseline;
    }
    let resolved = m.resolved.as_deref().and_then(scenario::parse);
    match (&m.extends, resolved) {
        (Some((file, text)), Some(own)) => match scenario::parse(text) {
            Some(parent) => Differences::From { parent: file.clone(), changes: scenario::diff(&parent, &own) },
            None => Differences::Unknown(lang.pick("The recorded parent scenario cannot be read.", "清单中记录的上级情景无法解析。").into()),
        },
        _ if m.scenario_files.len() <= 1 => Differences::Unknown(
            lang.pick(
                "This scenario extends no other scenario, so there is no baseline to compare its parameters with.",
                "该情景没有继承（extends）其他情景，因此没有可比较参数的基线。",
            )
            .into(),
        ),
        _ => Differences::Unknown(match lang {
            Lang::En => format!(
                "This scenario extends {}, but the manifest does not record that scenario's resolved parameters (written by an older medgroup), so the differences cannot be listed.",
                m.scenario_files[1]
            ),
            Lang::Zh => format!("该情景继承自 {}，但运行清单没有记录该情景的完整参数（由旧版本 medgroup 写出），因此无法列出差异。", m.scenario_files[1]),
        }),
    }
}

/// The glossary of the metrics in `ids`, in catalogue order (metrics it does not know are left
/// out): name, id and explanation in `lang`.
fn glossary(cat: &Catalogue, ids: impl Iterator<Item = String>, lang: Lang) -> Vec<(String, String, String)> {
    let seen: std::collections::HashSet<String> = ids.collect();
    cat.metrics
        .iter()
        .filter(|m| seen.contains(m.id))
        .map(|m| (m.name(lang).to_string(), m.id.to_string(), m.explanation(lang).to_string()))
        .collect()
}

/// The levers explained, in `lang`.
fn levers(cat: &Catalogue, lang: Lang) -> Vec<(String, String)> {
    cat.levers.iter().map(|l| (l.name(lang).to_string(), l.explanation(lang).to_string())).collect()
}

pub fn run_content(cat: &Catalogue, run: &RunData, lang: Lang, results_dir: &str) -> Content {
    let m = &run.manifest;
    let scen = m
        .resolved
        .as_deref()
        .and_then(scenario::parse)
        .map(|t| scenario::describe(&t, lang))
        .unwrap_or_default();
    Content {
        lang,
        kind_title: lang.pick("Simulation report", "仿真报告").into(),
        subtitle: match lang {
            Lang::En => format!(
                "Scenario \"{}\": {} replication(s), seed {}",
                m.scenario,
                m.replications.unwrap_or(0),
                m.seed.unwrap_or(0)
            ),
            Lang::Zh => format!(
                "情景“{}”：{} 次重复，随机种子 {}",
                m.scenario,
                m.replications.unwrap_or(0),
                m.seed.unwrap_or(0)
            ),
        },
        scenario: vec![(m.scenario.clone(), scen)],
        differences: vec![(m.scenario.clone(), differences_of(m, lang))],
        headline: headline_rows(cat, run, lang),
        comparison: vec![],
        sweep: vec![],
        sweep_header: vec![],
        tables: vec![],
        groups: group_table(cat, run, lang),
        figures: run_figures(&[(m.scenario.as_str(), run)], lang),
        manifest: manifest_rows(m, lang, results_dir),
        metrics: glossary(cat, run.summary.iter().map(|r| r.metric.clone()), lang),
        levers: levers(cat, lang),
    }
}

pub fn compare_content(cat: &Catalogue, c: &CompareData, lang: Lang, results_dir: &str) -> Content {
    let base = &c.arms[0];
    let base_resolved = base.data.manifest.resolved.as_deref().and_then(scenario::parse);
    let mut scen = Vec::new();
    let mut differences = Vec::new();
    for (i, arm) in c.arms.iter().enumerate() {
        let own = arm.data.manifest.resolved.as_deref().and_then(scenario::parse);
        let mut words = own.as_ref().map(|t| scenario::describe(t, lang)).unwrap_or_default();
        if i > 0 && words.len() > 1 {
            // The group's structure is the base's unless listed under the differences; keep the
            // arm's own description and its switch-on days.
            let has_description = own.as_ref().is_some_and(|t| t.contains_key("description"));
            let last = words.pop().unwrap_or_default();
            words.truncate(usize::from(has_description));
            words.push(last);
        }
        if !arm.scenario_file.is_empty() {
            words.insert(0, format!("{} {}", lang.pick("Scenario file:", "情景文件："), arm.scenario_file));
        }
        scen.push((arm.name.clone(), words));
        if i == 0 {
            continue;
        }
        let d = match (&base_resolved, &own) {
            (Some(b), Some(o)) => Differences::From { parent: base.name.clone(), changes: scenario::diff(b, o) },
            _ => Differences::Unknown(
                lang.pick(
                    "The resolved scenarios of this arm and the base are not both recorded, so the differences cannot be listed.",
                    "该方案与基线方案的完整参数未同时记录，因此无法列出差异。",
                )
                .into(),
            ),
        };
        differences.push((arm.name.clone(), d));
    }
    let mut comparison = Vec::new();
    let mut figures = Vec::new();
    for arm in c.arms.iter().skip(1) {
        let rows: Vec<_> =
            c.rows.iter().filter(|r| r.arm == arm.name && cat.is_headline(&r.metric, &r.breakdown)).collect();
        for r in &rows {
            comparison.push(CompareRow {
                unit: cat.unit(&r.metric).label(lang).into(),
                arm: r.arm.clone(),
                label: metric_label(cat, &r.metric, &r.breakdown, lang),
                base: fmt_in(cat, &r.metric, r.base_mean),
                value: fmt_in(cat, &r.metric, r.arm_mean),
                diff: format!(
                    "{} [{}, {}]",
                    fmt_in(cat, &r.metric, r.diff_mean),
                    fmt_in(cat, &r.metric, r.diff_ci_low),
                    fmt_in(cat, &r.metric, r.diff_ci_high)
                ),
                pct: if r.pct_change.is_finite() {
                    format!("{} [{}, {}]", fmt(r.pct_change), fmt(r.pct_ci_low), fmt(r.pct_ci_high))
                } else {
                    "—".into()
                },
                significant: r.significant && matters(&r.verdict),
                verdict: verdict_text(&r.verdict, lang),
            });
        }
        if let Some(chart) = compare_chart(cat, &rows, &arm.name, &base.name, lang) {
            figures.push(Figure {
                id: format!("compare_{}", sanitize(&arm.name)),
                chart,
                caption: lang.pick(
                    "Each row is one headline metric, in a panel by kind: shares (occupancy included) as differences in percentage points, waits in days, volumes, counts and money in percent of the base. Both arms ran with the same seeds, so replication k of the reform faced the same patients as replication k of the base (common random numbers); the dot is the mean of the per-replication differences and the bar its 95 % confidence interval. Orange rows matter: their interval excludes zero and reaches beyond the metric's minimal important difference; a row whose interval excludes zero but stays within it is negligible (the table says which). A row reaching more than four times as far from zero as the panel's median row is cut at the edge (an arrow) with its value written beside it, so that it does not squash the others.",
                    "每一行是一个主要指标，按类别分面板：比例（含床位占用率）为百分点差异，等待为天数差异，数量、计数和费用为占基线的百分比。两个方案使用相同的随机种子，改革方案的第 k 次重复与基线的第 k 次重复面对同一批患者（公共随机数）；圆点为逐次重复差异的均值，横线为其 95% 置信区间。橙色行表示差异有意义：置信区间不含 0 且超出该指标的最小重要差异；置信区间不含 0 但仍在最小重要差异之内的差异可忽略（见表格）。离 0 的距离超过本面板中位行四倍的行在边缘截断（箭头），其数值写在旁边，以免压缩其他行。",
                )
                .into(),
            });
        }
    }
    let runs: Vec<(&str, &RunData)> = c.arms.iter().map(|a| (a.name.as_str(), &a.data)).collect();
    figures.extend(run_figures(&runs, lang));
    let m = &c.manifest;
    let mut manifest = manifest_rows(m, lang, results_dir);
    for a in &c.arms {
        manifest.push((
            format!("{} {}", lang.pick("arm", "方案"), a.name),
            format!("{} · {} {}", a.scenario_file, lang.pick("hash", "哈希"), a.scenario_hash),
        ));
    }
    Content {
        lang,
        kind_title: lang.pick("Comparison report", "方案比较报告").into(),
        subtitle: match lang {
            Lang::En => format!(
                "{} compared with the base \"{}\"",
                c.arms.iter().skip(1).map(|a| format!("\"{}\"", a.name)).collect::<Vec<_>>().join(", "),
                base.name
            ),
            Lang::Zh => format!(
                "{} 与基线“{}”的比较",
                c.arms.iter().skip(1).map(|a| format!("“{}”", a.name)).collect::<Vec<_>>().join("、"),
                base.name
            ),
        },
        scenario: scen,
        differences,
        headline: headline_rows(cat, &base.data, lang),
        comparison,
        sweep: vec![],
        sweep_header: vec![],
        tables: vec![],
        groups: group_table(cat, &base.data, lang),
        figures,
        manifest,
        metrics: glossary(cat, c.rows.iter().map(|r| r.metric.clone()), lang),
        levers: levers(cat, lang),
    }
}

fn sanitize(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

pub fn sweep_content(cat: &Catalogue, s: &SweepData, lang: Lang, results_dir: &str) -> Content {
    let mut keys: Vec<(String, String)> = Vec::new();
    for r in s.rows.iter().filter(|r| cat.is_headline(&r.metric, &r.breakdown)) {
        let k = (r.metric.clone(), r.breakdown.clone());
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let numeric: Vec<bool> =
        (0..s.parameters.len()).map(|i| s.rows.iter().all(|r| r.values[i].parse::<f64>().is_ok())).collect();
    let mut figures = Vec::new();
    for (pi, param) in s.parameters.iter().enumerate() {
        let single = s.parameters.len() == 1;
        // The other swept parameters' values of a row. On a grid each combination of them is a
        // line of its own (coloured, in the legend); a Latin hypercube, where every point
        // differs in every parameter, is a cloud of points.
        let other_values = |r: &super::read::SweepRow| -> Vec<String> {
            r.values.iter().enumerate().filter(|(j, _)| *j != pi).map(|(_, v)| v.clone()).collect()
        };
        let mut combos: Vec<Vec<String>> = Vec::new();
        for r in &s.rows {
            let o = other_values(r);
            if !combos.contains(&o) {
                combos.push(o);
            }
        }
        let per_combo = |o: &Vec<String>| {
            let mut xs: Vec<&str> =
                s.rows.iter().filter(|r| &other_values(r) == o).map(|r| r.values[pi].as_str()).collect();
            xs.sort_unstable();
            xs.dedup();
            xs.len()
        };
        let grid = !single && combos.len() <= 8 && combos.iter().all(|o| per_combo(o) >= 2);
        let cloud = !single && !grid;
        let series: Vec<(String, Option<Vec<String>>)> = if grid {
            combos
                .iter()
                .map(|o| {
                    let names = s.parameters.iter().enumerate().filter(|(j, _)| *j != pi).map(|(_, k)| k);
                    let label = names
                        .zip(o)
                        .map(|(k, v)| format!("{} = {v}", k.rsplit('.').next().unwrap_or(k)))
                        .collect::<Vec<_>>()
                        .join(", ");
                    (label, Some(o.clone()))
                })
                .collect()
        } else {
            vec![(String::new(), None)]
        };
        if numeric[pi] {
            let panels: Vec<Panel> = keys
                .iter()
                .map(|(metric, b)| {
                    let scale = cat.unit(metric).scale();
                    let lines = series
                        .iter()
                        .map(|(label, others)| {
                            let mut pts: Vec<(f64, f64, f64, f64)> = s
                                .rows
                                .iter()
                                .filter(|r| &r.metric == metric && &r.breakdown == b)
                                .filter(|r| others.as_ref().is_none_or(|o| &other_values(r) == o))
                                .map(|r| {
                                    (
                                        r.values[pi].parse::<f64>().unwrap_or(f64::NAN),
                                        r.mean * scale,
                                        r.ci_low * scale,
                                        r.ci_high * scale,
                                    )
                                })
                                .collect();
                            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
                            Line {
                                label: label.clone(),
                                points: pts.iter().map(|p| (p.0, p.1)).collect(),
                                band: Some(
                                    pts.iter()
                                        .filter(|p| p.2.is_finite() && p.3.is_finite())
                                        .map(|p| (p.0, p.2, p.3))
                                        .collect(),
                                ),
                                dashed: false,
                                points_only: cloud,
                            }
                        })
                        .collect();
                    Panel {
                        title: format!(
                            "{} ({})",
                            metric_label(cat, metric, b, lang),
                            cat.unit(metric).label(lang)
                        ),
                        lines,
                        hlines: vec![],
                        y_range: None,
                    }
                })
                .collect();
            if panels.is_empty() {
                continue;
            }
            figures.push(Figure {
                id: format!("sweep_{}", sanitize(param)),
                chart: Chart::Lines(LineChart {
                    title: match lang {
                        Lang::En => format!("Response to {param}"),
                        Lang::Zh => format!("指标对 {param} 的响应"),
                    },
                    x_label: format!("{param} {}", lang.pick("(value in the scenario's unit)", "（取情景文件中的单位）")),
                    y_label: lang
                        .pick("mean (95 % CI)", "均值（95% 置信区间）")
                        .into(),
                    columns: panels.len().min(2),
                    panel_height: 280,
                    width: 1000,
                    panels,
                    markers: vec![],
                    shade_before: None,
                    legend: grid,
                    axis_from: lang.pick("axis from {}, not 0", "纵轴起点 {}，非 0").into(),
                }),
                caption: if single {
                    lang.pick(
                        "Each panel is one headline metric. The line joins the mean at each swept value; the band is its 95 % confidence interval across replications. Where the band is wide, more replications are needed before reading a trend.",
                        "每个小图是一个主要指标。折线连接各扫描取值下的均值，阴影带为各次重复之间的 95% 置信区间。阴影带很宽时，需要更多重复才能判断趋势。",
                    )
                    .into()
                } else if grid {
                    lang.pick(
                        "Each panel is one headline metric against this parameter; each line (its colour in the legend) holds the other swept parameters at one value, with the band its 95 % confidence interval across replications. Lines that run apart show that the effect of this parameter depends on the others.",
                        "每个小图是一个主要指标随该参数的变化；每条线（颜色见图例）对应其他扫描参数的一组取值，阴影带为各次重复之间的 95% 置信区间。线条分开表明该参数的效应取决于其他参数。",
                    )
                    .into()
                } else {
                    lang.pick(
                        "Each panel is one headline metric against this parameter; every point is one sampled combination of all swept parameters, with its 95 % confidence interval. Other parameters vary too, so read the cloud's trend, not single points.",
                        "每个小图是一个主要指标随该参数的变化；每个点是所有扫描参数的一组抽样组合，竖线为 95% 置信区间。其他参数同时在变化，因此应看点云的整体趋势，而非单个点。",
                    )
                    .into()
                },
            });
        } else {
            for (metric, b) in keys.iter().take(6) {
                let rows: Vec<IntervalRow> = s
                    .rows
                    .iter()
                    .filter(|r| &r.metric == metric && &r.breakdown == b)
                    .map(|r| IntervalRow {
                        label: if single {
                            format!("{param} = {}", r.values[pi])
                        } else {
                            // Points of a multi-parameter design differ in every parameter.
                            let all: Vec<String> = s
                                .parameters
                                .iter()
                                .zip(&r.values)
                                .map(|(k, v)| format!("{} = {v}", k.rsplit('.').next().unwrap_or(k)))
                                .collect();
                            format!("#{}: {}", r.point, all.join(", "))
                        },
                        estimate: r.mean * cat.unit(metric).scale(),
                        low: r.ci_low * cat.unit(metric).scale(),
                        high: r.ci_high * cat.unit(metric).scale(),
                        marker: None,
                        dots: vec![],
                        highlight: false,
                    })
                    .collect();
                figures.push(Figure {
                    id: format!("sweep_{}_{}_{}", sanitize(param), sanitize(metric), sanitize(b)),
                    chart: Chart::Intervals(IntervalChart {
                        title: metric_label(cat, metric, b, lang),
                        x_label: format!("{} ({})", cat.name(metric, lang), cat.unit(metric).label(lang)),
                        rows,
                        reference: None,
                        floor: None,
                        estimate_label: lang.pick("mean, 95 % CI", "均值及 95% 置信区间").into(),
                        marker_label: String::new(),
                        dots_label: String::new(),
                        highlight_label: String::new(),
                        width: 900,
                        robust: false,
                    }),
                    caption: lang
                        .pick(
                            "One row per swept value, with the 95 % confidence interval across replications.",
                            "每个扫描取值一行，横线为各次重复之间的 95% 置信区间。",
                        )
                        .into(),
                });
            }
        }
    }
    let mut sweep_header = vec![lang.pick("point", "点").to_string()];
    sweep_header.extend(s.parameters.iter().cloned());
    sweep_header.extend([
        lang.pick("metric", "指标").to_string(),
        lang.pick("mean", "均值").into(),
        lang.pick("95 % CI", "95% 置信区间").into(),
        lang.pick("unit", "单位").into(),
    ]);
    let sweep: Vec<Vec<String>> = s
        .rows
        .iter()
        .filter(|r| cat.is_headline(&r.metric, &r.breakdown))
        .map(|r| {
            let mut row = vec![r.point.to_string()];
            row.extend(r.values.iter().cloned());
            row.extend([
                metric_label(cat, &r.metric, &r.breakdown, lang),
                fmt_in(cat, &r.metric, r.mean),
                ci_text(cat, &r.metric, r.ci_low, r.ci_high, r.n),
                cat.unit(&r.metric).label(lang).into(),
            ]);
            row
        })
        .collect();
    let m = &s.manifest;
    let scen = m
        .resolved
        .as_deref()
        .and_then(scenario::parse)
        .map(|t| scenario::describe(&t, lang))
        .unwrap_or_default();
    let mut manifest = manifest_rows(m, lang, results_dir);
    manifest.push((lang.pick("swept parameters", "扫描参数").into(), s.parameters.join(", ")));
    let points = s.rows.iter().map(|r| r.point).collect::<std::collections::BTreeSet<_>>().len();
    Content {
        lang,
        kind_title: lang.pick("Parameter sweep report", "参数扫描报告").into(),
        subtitle: match lang {
            Lang::En => format!("{points} point(s) over {}", s.parameters.join(", ")),
            Lang::Zh => format!("对 {} 的 {points} 个取值点", s.parameters.join("、")),
        },
        scenario: vec![(m.scenario.clone(), scen)],
        differences: vec![],
        headline: vec![],
        comparison: vec![],
        sweep,
        sweep_header,
        tables: vec![],
        groups: vec![],
        figures,
        manifest,
        metrics: glossary(cat, s.rows.iter().map(|r| r.metric.clone()), lang),
        levers: levers(cat, lang),
    }
}

/// A probability as a percentage of draws ("—" without a better direction).
fn share_of_draws(p: f64) -> String {
    if p.is_finite() { format!("{:.0} %", 100.0 * p) } else { "—".into() }
}

/// What a row across draws says, in words: whether the reform improves the metric in nearly
/// every draw, worsens it (its parameter interval wholly on the worse side of 0), or leaves it
/// unchanged in every draw.
fn draws_reading(r: &super::read::UncertaintyRow, lang: Lang) -> String {
    let worse_side = match r.better.as_str() {
        "higher" => r.param_high < 0.0,
        "lower" => r.param_low > 0.0,
        _ => false,
    };
    let s = if r.param_low == 0.0 && r.param_high == 0.0 {
        lang.pick("no change in any draw", "各抽样均无变化")
    } else if r.better == "none" || !r.p_improve.is_finite() {
        lang.pick("no better direction", "无优劣方向")
    } else if r.p_improve >= 0.95 {
        lang.pick("improves in ≥ 95 % of draws", "≥ 95% 的抽样改善")
    } else if r.p_improve <= 0.05 && worse_side {
        lang.pick("worsens in ≥ 95 % of draws", "≥ 95% 的抽样变差")
    } else {
        lang.pick("direction uncertain", "方向不确定")
    };
    s.to_string()
}

/// The report of a run or comparison under parameter uncertainty (`--uncertainty`): the
/// effects (or levels) with the parameter interval beside the stochastic one, the probability
/// of improvement, the parameters drawn, and the chart of every draw.
pub fn uncertainty_content(cat: &Catalogue, u: &UncertaintyData, lang: Lang, results_dir: &str) -> Content {
    let compare = u.of == Kind::Compare;
    let base = u.arms.first().map(|a| a.0.clone()).unwrap_or_default();
    let several = u.arms.len() > 2;
    let draws = u.draw_values.len();
    let source = match (u.source.as_str(), lang) {
        ("prior", Lang::Zh) => "先验".to_string(),
        ("posterior", Lang::Zh) => "后验".to_string(),
        (s, _) => s.to_string(),
    };
    let wanted = if compare { "difference" } else { "level" };
    let shown: Vec<_> =
        u.rows.iter().filter(|r| r.quantity == wanted && cat.is_headline(&r.metric, &r.breakdown)).collect();
    let interval = |m: &str, lo: f64, hi: f64| {
        if lo.is_finite() && hi.is_finite() {
            format!("[{}, {}]", fmt_in(cat, m, lo), fmt_in(cat, m, hi))
        } else {
            "—".into()
        }
    };
    let mut header = Vec::new();
    if several {
        header.push(lang.pick("arm", "方案").to_string());
    }
    header.push(lang.pick("metric", "指标").into());
    if compare {
        header.extend([
            lang.pick("base (mean over draws)", "基线（各抽样均值）").to_string(),
            lang.pick("effect (mean over draws)", "效应（各抽样均值）").into(),
            lang.pick("parameter 95 % interval", "参数 95% 区间").into(),
            lang.pick("stochastic 95 % interval", "随机 95% 区间").into(),
            lang.pick("effect in % of the base [parameter 95 %]", "效应占基线 %［参数 95%］").into(),
            lang.pick("share of the spread from parameters", "离散中参数所致比例").into(),
            lang.pick("P(better)", "改善概率").into(),
            lang.pick("P(better by more than the MID)", "改善超过最小重要差异的概率").into(),
            lang.pick("reading", "解读").into(),
            lang.pick("unit", "单位").into(),
        ]);
    } else {
        header.extend([
            lang.pick("mean over draws", "各抽样均值").to_string(),
            lang.pick("parameter 95 % interval", "参数 95% 区间").into(),
            lang.pick("stochastic 95 % interval", "随机 95% 区间").into(),
            lang.pick("share of the spread from parameters", "离散中参数所致比例").into(),
            lang.pick("unit", "单位").into(),
        ]);
    }
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|r| {
            let mut row = Vec::new();
            if several {
                row.push(r.arm.clone());
            }
            row.push(metric_label(cat, &r.metric, &r.breakdown, lang));
            if compare {
                row.push(fmt_in(cat, &r.metric, r.base_mean));
            }
            row.push(fmt_in(cat, &r.metric, r.mean));
            row.push(interval(&r.metric, r.param_low, r.param_high));
            row.push(interval(&r.metric, r.stochastic_low, r.stochastic_high));
            if compare {
                row.push(if r.pct_mean.is_finite() {
                    format!("{} [{}, {}]", fmt(r.pct_mean), fmt(r.pct_param_low), fmt(r.pct_param_high))
                } else {
                    "—".into()
                });
            }
            row.push(share_of_draws(r.parameter_share));
            if compare {
                row.push(share_of_draws(r.p_improve));
                row.push(share_of_draws(r.p_important));
                row.push(draws_reading(r, lang));
            }
            row.push(cat.unit(&r.metric).label(lang).into());
            row
        })
        .collect();
    let note = match lang {
        Lang::En => format!(
            "Each of the {draws} draws is one vector of the parameters below, from the {source} ({}); every draw ran {} with the same replications, the arms with the same seeds (common random numbers), so each draw's effect is paired. The parameter interval is the 2.5–97.5 % range of the draws' means: where the result lies given what is not known about the parameters. The stochastic interval is the Student-t 95 % interval of one draw's replications, the interval an ordinary run reports: it says nothing of the parameters. The share from parameters is how much of the spread of draw means the parameters cause (the rest is replication noise; noisy with few draws). P(better) is the share of draws whose effect is in the metric's better direction, P(better by more than the MID) the share that improves by more than its minimal important difference. Every metric, level and difference: uncertainty.csv; every draw: draws.csv.",
            u.from,
            if compare { "every arm" } else { "the scenario" }
        ),
        Lang::Zh => format!(
            "{draws} 次抽样各为下列参数的一组取值，来自{source}（{}）；每次抽样以相同的重复次数运行{}，各方案使用相同的随机种子（公共随机数），因此每次抽样的效应是配对的。参数区间为各抽样均值的 2.5–97.5% 范围：在参数未知的情况下结果所处的范围。随机区间为单次抽样各重复的 Student-t 95% 区间，即普通运行报告的区间，不反映参数不确定性。参数所致比例为各抽样均值的离散中由参数引起的部分（其余为重复间随机误差；抽样少时不稳定）。改善概率为效应朝指标改善方向的抽样比例；改善超过最小重要差异的概率为改善幅度超过该指标最小重要差异的抽样比例。全部指标的水平与差异见 uncertainty.csv，每次抽样见 draws.csv。",
            u.from,
            if compare { "每个方案" } else { "该情景" }
        ),
    };
    let mut tables = vec![Table {
        id: "uncertainty".into(),
        title: if compare {
            lang.pick("Effects under parameter uncertainty", "参数不确定性下的效应").into()
        } else {
            lang.pick("Headline metrics under parameter uncertainty", "参数不确定性下的主要指标").into()
        },
        note,
        header,
        rows,
    }];
    // The parameters drawn: their range over the draws.
    let mut drawn = Vec::new();
    for key in &u.parameters {
        let mut v: Vec<f64> =
            u.draw_values.iter().filter_map(|d| d.get(key)).filter_map(|t| t.parse::<f64>().ok()).collect();
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            continue;
        }
        let q = |p: f64| fmt(crate::stats::quantile_sorted(&v, p));
        drawn.push(vec![key.clone(), q(0.0), q(0.5), q(1.0)]);
    }
    tables.push(Table {
        id: "draws".into(),
        title: lang.pick("Parameters drawn", "抽样的参数").into(),
        note: match lang {
            Lang::En => format!("Lowest, median and highest value of each parameter over the {draws} draws; each draw's values are in manifest.json and draws.csv."),
            Lang::Zh => format!("各参数在 {draws} 次抽样中的最小值、中位数和最大值；每次抽样的取值见 manifest.json 和 draws.csv。"),
        },
        header: vec![
            lang.pick("parameter", "参数").into(),
            lang.pick("lowest", "最小值").into(),
            lang.pick("median", "中位数").into(),
            lang.pick("highest", "最大值").into(),
        ],
        rows: drawn,
    });
    // The chart: one dot per draw.
    let mut chart_rows = Vec::new();
    for r in &shown {
        let Some(per) =
            u.per_draw.get(&(r.arm.clone(), r.quantity.clone(), r.metric.clone(), r.breakdown.clone()))
        else {
            continue;
        };
        let dots: Vec<f64> = if compare {
            per.iter().map(|d| d.1).collect()
        } else {
            let m = per.iter().map(|d| d.0).sum::<f64>() / per.len() as f64;
            per.iter().map(|d| 100.0 * (d.0 / m - 1.0)).collect()
        };
        let mut label = metric_label(cat, &r.metric, &r.breakdown, lang);
        if several {
            label = format!("{label} — {}", r.arm);
        }
        chart_rows.push(crate::uncertainty::DrawRow { label, dots, improves: r.p_improve >= 0.95 });
    }
    let reforms = u.arms.iter().skip(1).map(|a| a.0.as_str()).collect::<Vec<_>>().join(", ");
    let words = crate::uncertainty::DrawChartWords {
        title: match (compare, lang) {
            (true, Lang::En) => {
                format!("{reforms} vs {base} across {draws} {source} draws: effect in % of the base")
            }
            (true, Lang::Zh) => format!("{reforms} 与 {base}：{draws} 次{source}抽样的效应（占基线 %）"),
            (false, Lang::En) => {
                format!("{base} across {draws} {source} draws: each headline metric in % of its mean")
            }
            (false, Lang::Zh) => format!("{base}：{draws} 次{source}抽样中各主要指标（占均值 %）"),
        },
        x_label: if compare {
            lang.pick(
                "change vs the base (%), paired within each draw",
                "相对基线的变化（%），每次抽样内配对",
            )
            .into()
        } else {
            lang.pick("deviation from the mean across draws (%)", "相对各抽样均值的偏离（%）").into()
        },
        estimate_label: lang
            .pick("mean over draws, 95 % parameter interval", "各抽样均值，参数 95% 区间")
            .into(),
        dots_label: lang.pick("one draw", "一次抽样").into(),
        highlight_label: if compare {
            lang.pick("improves in ≥ 95 % of draws", "≥ 95% 的抽样改善").into()
        } else {
            String::new()
        },
    };
    let figures = vec![Figure {
        id: "uncertainty".into(),
        chart: crate::uncertainty::draws_chart(chart_rows, words),
        caption: lang
            .pick(
                "Each row is one headline metric; each dot one parameter draw (its mean over the replications), the bar the parameter interval around the mean over draws. Orange rows improve in at least 95 % of draws. A row reaching more than four times as far from zero as the median row is cut at the edge (an arrow) with its value written beside it.",
                "每一行是一个主要指标；每个点为一次参数抽样（其各重复的均值），横线为各抽样均值周围的参数区间。橙色行在至少 95% 的抽样中改善。离 0 的距离超过中位行四倍的行在边缘截断（箭头），其数值写在旁边。",
            )
            .into(),
    }];
    let m = &u.manifest;
    let mut manifest = manifest_rows(m, lang, results_dir);
    manifest
        .push((lang.pick("parameter draws", "参数抽样").into(), format!("{draws} · {source} · {}", u.from)));
    for (name, file) in &u.arms {
        manifest.push((format!("{} {name}", lang.pick("arm", "方案")), file.clone()));
    }
    let scenario = u
        .arms
        .iter()
        .map(|(name, file)| {
            (name.clone(), vec![format!("{} {file}", lang.pick("Scenario file:", "情景文件："))])
        })
        .collect();
    Content {
        lang,
        kind_title: if compare {
            lang.pick("Comparison under parameter uncertainty", "参数不确定性下的方案比较").into()
        } else {
            lang.pick("Run under parameter uncertainty", "参数不确定性下的仿真").into()
        },
        subtitle: match (compare, lang) {
            (true, Lang::En) => {
                format!("{reforms} compared with the base \"{base}\" over {draws} {source} draws")
            }
            (true, Lang::Zh) => format!("{reforms} 与基线“{base}”的比较，{draws} 次{source}抽样"),
            (false, Lang::En) => format!("Scenario \"{base}\" over {draws} {source} draws"),
            (false, Lang::Zh) => format!("情景“{base}”，{draws} 次{source}抽样"),
        },
        scenario,
        differences: vec![],
        headline: vec![],
        comparison: vec![],
        sweep: vec![],
        sweep_header: vec![],
        tables,
        groups: vec![],
        figures,
        manifest,
        metrics: glossary(cat, shown.iter().map(|r| r.metric.clone()), lang),
        levers: levers(cat, lang),
    }
}
