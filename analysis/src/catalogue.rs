//! How a program's outputs and levers are described: plain data that the report, the CSV writers
//! and the terminal read.
//!
//! This crate knows no model. The model's crate defines its [`Catalogue`] — every metric and
//! daily series it writes, once, with its unit, breakdowns, whether it is a headline metric and
//! its meaning in English and Chinese, and every policy lever's explanation — and hands it to
//! whatever shows results ([`crate::report`]). An output missing from the catalogue is shown by
//! its id, as a count.

use crate::report::Lang;

/// The unit of a metric or series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A fraction (0–1), shown as a percentage.
    Share,
    Days,
    /// Events per year.
    PerYear,
    /// Visits or events per day.
    PerDay,
    YuanPerYear,
    YuanPerPatientYear,
    YuanPerVisit,
    Ratio,
    Patients,
    /// Visits per patient.
    PerPatient,
    Beds,
    /// A plain number of events or visits (a daily count).
    Count,
}

impl Unit {
    /// The unit as written in CSV files' `unit` column.
    pub fn name(self) -> &'static str {
        match self {
            Unit::Share => "share",
            Unit::Days => "days",
            Unit::PerYear => "per year",
            Unit::PerDay => "per day",
            Unit::YuanPerYear => "yuan per year",
            Unit::YuanPerPatientYear => "yuan per patient-year",
            Unit::YuanPerVisit => "yuan per visit",
            Unit::Ratio => "ratio",
            Unit::Patients => "patients",
            Unit::PerPatient => "visits per patient",
            Unit::Beds => "beds",
            Unit::Count => "count",
        }
    }

    /// How a value is shown: shares as percentages.
    pub fn scale(self) -> f64 {
        if self == Unit::Share { 100.0 } else { 1.0 }
    }

    /// The unit in words, for tables and axes.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Unit::Share => "%",
            Unit::Days => lang.pick("days", "天"),
            Unit::PerYear => lang.pick("per year", "人次/年"),
            Unit::PerDay => lang.pick("per day", "人次/日"),
            Unit::YuanPerYear => lang.pick("yuan per year", "元/年"),
            Unit::YuanPerPatientYear => lang.pick("yuan per patient-year", "元/人年"),
            Unit::YuanPerVisit => lang.pick("yuan per visit", "元/人次"),
            Unit::Ratio => lang.pick("ratio", "比值"),
            Unit::Patients => lang.pick("patients", "人"),
            Unit::PerPatient => lang.pick("visits per patient", "人次/人"),
            Unit::Beds => lang.pick("beds", "张"),
            Unit::Count => lang.pick("count", "人次"),
        }
    }
}

/// Which rows of a metric are headline rows (the terminal's table, the report's headline
/// table, `--precision`, sensitivity screening).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headline {
    No,
    /// Every breakdown.
    All,
    /// Breakdowns that do not contain this text.
    Unless(&'static str),
    /// Breakdowns that end with this text.
    EndingWith(&'static str),
    /// The one breakdown equal to this text (`""`: the whole-system row).
    Exactly(&'static str),
}

/// A metric (a summary number of a replication) or a daily series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    /// The name in output files.
    pub id: &'static str,
    pub unit: Unit,
    /// The keys of its breakdowns (`tier`, `channel`, `ward`, …), in the order they are written.
    pub breakdowns: &'static [&'static str],
    pub headline: Headline,
    pub en: &'static str,
    pub zh: &'static str,
    pub explain_en: &'static str,
    pub explain_zh: &'static str,
}

impl Metric {
    /// Whether the row with breakdown `b` is a headline row. A city's rows by group are never
    /// headline rows (the city's are; reports show the groups in a table of their own).
    pub fn is_headline(&self, b: &str) -> bool {
        if b.split(';').any(|kv| kv.starts_with("group=")) {
            return false;
        }
        match self.headline {
            Headline::No => false,
            Headline::All => true,
            Headline::Unless(text) => !b.contains(text),
            Headline::EndingWith(text) => b.ends_with(text),
            Headline::Exactly(text) => b == text,
        }
    }

    pub fn name(&self, lang: Lang) -> &'static str {
        lang.pick(self.en, self.zh)
    }

    pub fn explanation(&self, lang: Lang) -> &'static str {
        lang.pick(self.explain_en, self.explain_zh)
    }
}

/// A policy lever explained for a student.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lever {
    /// Its table in a scenario file, under `[policy]` (`gatekeeping`, `bed_sinking`, …).
    pub key: &'static str,
    pub en: &'static str,
    pub zh: &'static str,
    pub explain_en: &'static str,
    pub explain_zh: &'static str,
}

impl Lever {
    pub fn name(&self, lang: Lang) -> &'static str {
        lang.pick(self.en, self.zh)
    }

    pub fn explanation(&self, lang: Lang) -> &'static str {
        lang.pick(self.explain_en, self.explain_zh)
    }
}

/// Every output and lever of a program.
#[derive(Debug, Clone, Copy)]
pub struct Catalogue {
    /// Summary metrics, in the order the report explains them.
    pub metrics: &'static [Metric],
    /// Daily series.
    pub series: &'static [Metric],
    pub levers: &'static [Lever],
}

impl Catalogue {
    /// The summary metric `id`.
    pub fn metric(&self, id: &str) -> Option<&'static Metric> {
        self.metrics.iter().find(|m| m.id == id)
    }

    /// The daily series `id`.
    pub fn series(&self, id: &str) -> Option<&'static Metric> {
        self.series.iter().find(|m| m.id == id)
    }

    /// The unit of metric `id` ([`Unit::Count`] for one the catalogue does not know).
    pub fn unit(&self, id: &str) -> Unit {
        self.metric(id).map_or(Unit::Count, |m| m.unit)
    }

    /// Whether the row (`id`, breakdown `b`) is a headline row.
    pub fn is_headline(&self, id: &str, b: &str) -> bool {
        self.metric(id).is_some_and(|m| m.is_headline(b))
    }

    /// The display name of metric `id` (its id when the catalogue does not know it).
    pub fn name(&self, id: &str, lang: Lang) -> String {
        self.metric(id).map(|m| m.name(lang).to_string()).unwrap_or_else(|| id.to_string())
    }

    /// The lever with table `key`.
    pub fn lever(&self, key: &str) -> Option<&'static Lever> {
        self.levers.iter().find(|l| l.key == key)
    }
}
