//! The HTML report of a results folder, in Chinese or English.
//!
//! [`write_report`] is the one entry point: it reads a run, compare or sweep folder (either of the
//! first two also under parameter uncertainty)
//! ([`read`]), builds the content in one language ([`build`], words from [`text`] and from the
//! program's [`Catalogue`], the scenario from [`scenario`]), draws the charts ([`crate::charts`]), and writes
//! - one self-contained HTML file (charts inline as SVG, the bundled font as a `data:` URI, no
//!   script, a Content-Security-Policy that forbids any network load), and
//! - every chart as PNG and SVG under `RESULTS_DIR/charts/`, named `<chart>.<lang>.png|svg`.
//!
//! A folder that is incomplete or from an older format is refused with one message listing
//! everything that is missing; no partial report is written.

pub mod build;
pub mod html;
pub mod read;
pub mod scenario;
pub mod text;

pub use read::{Kind, ReadError, Results, read};
pub use text::Lang;

use crate::catalogue::Catalogue;
use crate::charts::ChartError;
use std::path::{Path, PathBuf};

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// Default file name of the report in a results folder: `report.en.html` or `report.zh.html`.
pub fn default_path(results_dir: &Path, lang: Lang) -> PathBuf {
    results_dir.join(format!("report.{}.html", lang.code()))
}

/// Folder of the chart files of a results folder.
pub fn chart_dir(results_dir: &Path) -> PathBuf {
    results_dir.join("charts")
}

/// The report's HTML text and its charts, without writing anything.
pub struct Rendered {
    pub html: String,
    /// (file stem, stand-alone SVG file, PNG bytes) of each chart.
    pub charts: Vec<(String, String, Vec<u8>)>,
}

/// Reads `results_dir` and renders the report in `lang`, naming and explaining the outputs and
/// levers as `catalogue` does.
pub fn render(results_dir: &Path, lang: Lang, catalogue: &Catalogue) -> Result<Rendered, ReportError> {
    let results = read(results_dir)?;
    let shown = results_dir.display().to_string();
    let content = match &results {
        Results::Run(r) => build::run_content(catalogue, r, lang, &shown),
        Results::Compare(c) => build::compare_content(catalogue, c, lang, &shown),
        Results::Sweep(s) => build::sweep_content(catalogue, s, lang, &shown),
        Results::Uncertainty(u) => build::uncertainty_content(catalogue, u, lang, &shown),
    };
    let mut charts = Vec::new();
    let mut svgs = Vec::new();
    for f in &content.figures {
        // Inline SVGs use the page's @font-face; the files carry the font themselves.
        svgs.push(f.chart.to_svg()?);
        charts.push((f.id.clone(), f.chart.to_svg_file()?, f.chart.to_png()?));
    }
    Ok(Rendered { html: html::render(&content, &svgs), charts })
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let err = |source| ReportError::Write { path: path.to_path_buf(), source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let tmp = path.with_extension(format!("{}.tmp", path.extension().and_then(|e| e.to_str()).unwrap_or("")));
    std::fs::write(&tmp, bytes).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}

/// Writes the report of `results_dir` in `lang` to `out` (default: [`default_path`]) and its
/// charts to [`chart_dir`]; returns the path of the HTML file.
pub fn write_report(
    results_dir: &Path,
    lang: Lang,
    out: Option<&Path>,
    catalogue: &Catalogue,
) -> Result<PathBuf, ReportError> {
    let rendered = render(results_dir, lang, catalogue)?;
    let charts = chart_dir(results_dir);
    // Charts of an earlier report in this language that this one no longer draws would be
    // mistaken for current ones: remove them.
    let current: Vec<String> = rendered
        .charts
        .iter()
        .flat_map(|(stem, _, _)| ["svg", "png"].map(|ext| format!("{stem}.{}.{ext}", lang.code())))
        .collect();
    if let Ok(entries) = std::fs::read_dir(&charts) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let ours = [".svg", ".png"].iter().any(|ext| name.ends_with(&format!(".{}{ext}", lang.code())));
            if ours && !current.contains(&name) {
                std::fs::remove_file(e.path())
                    .map_err(|source| ReportError::Write { path: e.path(), source })?;
            }
        }
    }
    for (stem, svg, png) in &rendered.charts {
        write_atomic(&charts.join(format!("{stem}.{}.svg", lang.code())), svg.as_bytes())?;
        write_atomic(&charts.join(format!("{stem}.{}.png", lang.code())), png)?;
    }
    let path = out.map(Path::to_path_buf).unwrap_or_else(|| default_path(results_dir, lang));
    write_atomic(&path, rendered.html.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {

    use crate::charts::font_has_glyph;

    /// Every character the report or a chart can print from this crate's text is in the
    /// bundled font; otherwise it would show as a box in PNGs and on machines without CJK
    /// fonts. Regenerate the font with `analysis/fonts/subset.py` when this fails.
    #[test]
    fn font_covers_every_template_character() {
        let src = concat!(
            include_str!("text.rs"),
            include_str!("html.rs"),
            include_str!("build.rs"),
            include_str!("scenario.rs"),
            include_str!("../charts/lines.rs"),
            include_str!("../charts/intervals.rs"),
            include_str!("../charts/bars.rs"),
        );
        let mut missing: Vec<char> = src.chars().filter(|&c| !c.is_control() && !font_has_glyph(c)).collect();
        missing.sort();
        missing.dedup();
        assert!(missing.is_empty(), "the bundled font lacks {missing:?}: run analysis/fonts/subset.py");
    }
}
