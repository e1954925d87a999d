//! The metric catalogue (`medgroup::metrics`) is complete: every metric and daily series has a
//! unit and its name and explanation in both languages, every character of that text is in the
//! report's bundled font, and the names are unique.

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
