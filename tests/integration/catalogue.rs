//! The metric catalogue (`medgroup::metrics`) is complete: every metric and daily series has a
//! unit and its name and explanation in both languages, every character of that text is in the
//! report's bundled font, and the names are unique.

use crate::common::{metric, run, small_baseline};
use analysis::catalogue::Metric;
use medgroup::metrics::CATALOGUE;

fn texts(m: &Metric) -> [&'static str; 4] {
    [m.en, m.zh, m.explain_en, m.explain_zh]
}

#[test]
fn every_metric_and_series_is_described_in_both_languages() {
    for m in CATALOGUE.metrics.iter().chain(CATALOGUE.series) {
        assert!(texts(m).iter().all(|t| !t.trim().is_empty()), "{}: a text is empty", m.id);
        assert!(m.zh.chars().any(|c| c > '\u{2e80}'), "{}: the Chinese name has no Chinese", m.id);
        assert!(
            m.explain_zh.chars().any(|c| c > '\u{2e80}'),
            "{}: the Chinese explanation has no Chinese",
            m.id
        );
    }
    for l in CATALOGUE.levers {
        assert!(!l.en.is_empty() && !l.explain_en.is_empty(), "{}: a text is empty", l.key);
        assert!(
            l.explain_zh.chars().any(|c| c > '\u{2e80}'),
            "{}: the Chinese explanation has no Chinese",
            l.key
        );
    }
}

#[test]
fn names_are_unique() {
    for list in [CATALOGUE.metrics, CATALOGUE.series] {
        for (i, m) in list.iter().enumerate() {
            assert!(list[..i].iter().all(|o| o.id != m.id), "{} is listed twice", m.id);
        }
    }
}

/// The report draws this text with its bundled font (charts and PDF-like pages look the same on
/// every machine); a character the font lacks would show as a box. Regenerate the font with
/// `analysis/fonts/subset.py` when this fails.
#[test]
fn the_bundled_font_draws_every_catalogue_text() {
    let mut missing: Vec<char> = Vec::new();
    let levers = CATALOGUE.levers.iter().flat_map(|l| [l.en, l.zh, l.explain_en, l.explain_zh]);
    for text in CATALOGUE.metrics.iter().chain(CATALOGUE.series).flat_map(texts).chain(levers) {
        missing.extend(text.chars().filter(|&c| !c.is_control() && !analysis::charts::font_has_glyph(c)));
    }
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "the bundled font lacks {missing:?}: run analysis/fonts/subset.py");
}

/// The classroom page (`medgroup serve`) uses the bundled font, served with it: every character
/// of the page's text is in the font, so the page reads the same on a machine without Chinese fonts.
#[test]
fn the_bundled_font_draws_every_character_of_the_classroom_page() {
    let page = include_str!("../../cli/serve_page.html");
    let mut missing: Vec<char> =
        page.chars().filter(|&c| !c.is_control() && !analysis::charts::font_has_glyph(c)).collect();
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "the bundled font lacks {missing:?}: run analysis/fonts/subset.py");
}

/// The unit written in `comparison.csv` and `sweep_summary.csv` and shown in the terminal is the
/// catalogue's, the one the report labels its axes with (they once came from two classifiers
/// that disagreed: yuan metrics were "per year" in the CSV files and "yuan per year" in the
/// report).
#[test]
fn csv_units_are_the_catalogues() {
    use medgroup::metrics::unit;
    for (metric, expected) in [
        ("spending_yuan_per_year", "yuan per year"),
        ("spending_yuan_per_patient_year", "yuan per patient-year"),
        ("group_surplus_yuan_per_year", "yuan per year"),
        ("chronic_patients", "patients"),
        ("followups_per_served_patient", "visits per patient"),
        ("standardised_management_rate", "share"),
        ("ward_staffed_beds", "beds"),
        ("referrals_up_per_year", "per year"),
        ("bed_occupancy", "share"),
        ("outpatient_wait_days_p90", "days"),
    ] {
        assert_eq!(unit(metric), expected, "{metric}");
    }
    for m in CATALOGUE.metrics {
        assert_eq!(unit(m.id), m.unit.name());
    }
}

#[test]
fn per_year_rows_cover_complete_years_only() {
    // 400 recorded days: one complete management year and 35 days of a second. The second
    // year's rows would be a 35-day "year" scaled to 365 days: they are left out.
    let p = small_baseline(20_000, 400, 30);
    let r = &run(&p, 1)[0];
    for (name, year1) in [
        ("visits_per_year", "tier=primary;year=1"),
        ("primary_care_visit_share", "year=1"),
        ("referrals_up_per_year", "year=1"),
        ("managed_patients", "year=1"),
    ] {
        assert!(metric(r, name, year1).is_some(), "{name} has its year=1 row");
        let year2 = year1.replace("year=1", "year=2");
        assert!(metric(r, name, &year2).is_none(), "{name} has a row for the partial year 2");
    }
    assert!(metric(r, "primary_visits_growth", "year=2").is_none(), "growth into a partial year");
    // The window's own rows still cover all 400 days.
    assert!(metric(r, "primary_care_visit_share", "").is_some());
}

/// Every headline metric has a minimal important difference and a better direction, with a
/// source or the word "assumption"; every entry names a metric of the catalogue.
#[test]
fn every_headline_metric_has_an_importance() {
    use analysis::catalogue::Headline;
    use medgroup::metrics::{CATALOGUE, IMPORTANCE};
    for m in CATALOGUE.metrics.iter().filter(|m| m.headline != Headline::No) {
        let i =
            IMPORTANCE.iter().find(|(id, _)| *id == m.id).unwrap_or_else(|| panic!("{} has no MID", m.id));
        assert!(i.1.mid > 0.0 && !i.1.source.is_empty(), "{}", m.id);
    }
    for (id, _) in IMPORTANCE {
        assert!(CATALOGUE.metric(id).is_some(), "IMPORTANCE names an unknown metric {id}");
    }
}
