//! Charts from plain data, as SVG text or PNG bytes.
//!
//! A [`Chart`] is a description — series, intervals, labels — built by the caller in the
//! language it wants; this module only draws it. Three shapes cover every chart of the report:
//! - [`IntervalChart`]: one row per category with an estimate, its confidence interval and
//!   optionally a second marker and the individual replications (wait times by tier and channel,
//!   paired differences of a comparison);
//! - [`LineChart`]: one or more panels of lines over a numeric axis with optional bands, capacity
//!   lines and vertical markers (occupancy per ward, primary-care share over time, a sweep's
//!   response curve);
//! - [`BarChart`]: grouped bars per category that may go below zero (monthly referrals up and
//!   down).
//!
//! Text is drawn with the bundled font (`analysis/fonts/medgroup-sans.ttf`, a subset of
//! WenQuanYi Micro Hei with Latin and the Chinese characters of the report), registered with
//! plotters' `ab_glyph` backend under the family `sans-serif`. Nothing reads system fonts, so a
//! PNG is pixel-identical on every machine and Chinese labels render where the font has glyphs.

mod bars;
mod intervals;
mod lines;
mod raster;

pub use bars::{BarChart, BarSeries};
pub use intervals::{IntervalChart, IntervalPanels, IntervalRow, ROBUST_FACTOR, robust_limit};
pub use lines::{Band, Line, LineChart, Marker, Panel};

use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use std::sync::Once;

/// The bundled font (TrueType), also embedded in the HTML report.
pub const FONT_TTF: &[u8] = include_bytes!("../../fonts/medgroup-sans.ttf");

/// CSS family name under which the report embeds [`FONT_TTF`].
pub const FONT_FAMILY: &str = "MedgroupSans";

/// A chart failed to draw (a backend error; not expected with finite data).
#[derive(Debug, thiserror::Error)]
#[error("cannot draw chart \"{title}\": {message}")]
pub struct ChartError {
    pub title: String,
    pub message: String,
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Registers the bundled font with plotters, once per process.
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            if register_font("sans-serif", style, FONT_TTF).is_err() {
                // The font is compiled in; failing to parse it is a broken build, caught by the
                // tests below on every run.
                panic!("the bundled font analysis/fonts/medgroup-sans.ttf does not parse");
            }
        }
    });
}

/// Whether the bundled font has a glyph for `c` (otherwise it would be drawn as a box).
pub fn font_has_glyph(c: char) -> bool {
    use ab_glyph::{Font, FontRef};
    FontRef::try_from_slice(FONT_TTF).map(|f| f.glyph_id(c).0 != 0).unwrap_or(false)
}

/// Any chart of this module.
#[derive(Debug, Clone)]
pub enum Chart {
    Intervals(IntervalChart),
    IntervalPanels(IntervalPanels),
    Lines(LineChart),
    Bars(BarChart),
}

impl Chart {
    pub fn title(&self) -> &str {
        match self {
            Chart::Intervals(c) => &c.title,
            Chart::IntervalPanels(c) => &c.title,
            Chart::Lines(c) => &c.title,
            Chart::Bars(c) => &c.title,
        }
    }

    /// Width and height in pixels (SVG user units).
    pub fn size(&self) -> (u32, u32) {
        match self {
            Chart::Intervals(c) => c.size(),
            Chart::IntervalPanels(c) => c.size(),
            Chart::Lines(c) => c.size(),
            Chart::Bars(c) => c.size(),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, plotters::coord::Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        match self {
            Chart::Intervals(c) => c.draw(root),
            Chart::IntervalPanels(c) => c.draw(root),
            Chart::Lines(c) => c.draw(root),
            Chart::Bars(c) => c.draw(root),
        }?;
        root.present()?;
        Ok(())
    }

    fn error(&self, e: impl std::fmt::Display) -> ChartError {
        ChartError { title: self.title().to_string(), message: e.to_string() }
    }

    /// The chart as an SVG document.
    pub fn to_svg(&self) -> Result<String, ChartError> {
        register_fonts();
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, self.size()).into_drawing_area();
            self.draw(&root).map_err(|e| self.error(e))?;
        }
        Ok(out)
    }

    /// The chart as a stand-alone SVG file: [`Chart::to_svg`] with the bundled font embedded
    /// (a `data:` URI in an `@font-face` rule), so that its text, Chinese included, displays
    /// the same in any browser or viewer without installed fonts.
    pub fn to_svg_file(&self) -> Result<String, ChartError> {
        let svg = self.to_svg()?;
        let style = format!(
            "<defs><style>@font-face {{ font-family: \"{FONT_FAMILY}\"; src: url(data:font/ttf;base64,{}) format(\"truetype\"); }} text {{ font-family: \"{FONT_FAMILY}\", sans-serif; }}</style></defs>",
            base64(FONT_TTF)
        );
        match svg.find("<svg").and_then(|i| svg[i..].find('>').map(|j| i + j + 1)) {
            Some(end) => Ok(format!("{}\n{style}{}", &svg[..end], &svg[end..])),
            None => Err(self.error("the SVG backend wrote no <svg> element")),
        }
    }

    /// The chart as a PNG image (8-bit RGB).
    pub fn to_png(&self) -> Result<Vec<u8>, ChartError> {
        register_fonts();
        let (w, h) = self.size();
        let mut rgb = vec![255u8; (w * h * 3) as usize];
        {
            let root = raster::TextBitmap::new(&mut rgb, (w, h)).into_drawing_area();
            self.draw(&root).map_err(|e| self.error(e))?;
        }
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, w, h);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            enc.set_compression(png::Compression::Best);
            let mut writer = enc.write_header().map_err(|e| self.error(e))?;
            writer.write_image_data(&rgb).map_err(|e| self.error(e))?;
        }
        Ok(out)
    }
}

/// Standard base64 (RFC 4648, with padding), for `data:` URIs.
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Colour-blind-safe palette (Okabe and Ito, 2008), in the order series use it.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(120, 120, 120), // grey
    RGBColor(240, 228, 66),  // yellow
];

/// The `i`-th palette colour, cycling.
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Font sizes in pixels.
pub(crate) const TITLE_PX: u32 = 20;
pub(crate) const LABEL_PX: u32 = 15;
pub(crate) const TICK_PX: u32 = 14;

/// A number for a tick label: at most a few significant digits, no trailing zeros.
pub fn tick(v: f64) -> String {
    let a = v.abs();
    let s = if a == 0.0 {
        return "0".into();
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    let s = if s.contains('.') && !s.ends_with('M') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    // A tick a rounding error below zero is 0, not "-0".
    if s == "-0" { "0".into() } else { s }
}

/// A tick label on an axis spanning `span`: [`tick`], unless its rounding is too coarse to tell
/// the axis's ticks apart (ticks 223.6, 223.8, 224.0 would all read "224"); then as many
/// decimals as ticks about a tenth of the span apart need.
pub fn tick_in(v: f64, span: f64) -> String {
    let a = v.abs();
    let resolution = if a >= 1e6 {
        1e5
    } else if a >= 1e4 {
        1e3
    } else if a >= 100.0 {
        1.0
    } else if a >= 10.0 {
        0.1
    } else if a >= 1.0 {
        0.01
    } else {
        0.001
    };
    if !(span.is_finite() && span > 0.0) || span >= 10.0 * resolution {
        return tick(v);
    }
    let decimals = (-(span / 10.0).log10()).ceil().clamp(0.0, 9.0) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s == "-0" { "0".into() } else { s }
}

/// A padded range covering `values` (and `include`, e.g. zero), never empty.
pub(crate) fn padded_range(values: impl IntoIterator<Item = f64>, include: &[f64], pad: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().chain(include.iter().copied()) {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    let (lo, hi) = (lo - pad * span, hi + pad * span);
    (lo, hi)
}

/// Text width in pixels with the bundled font.
pub(crate) fn text_width<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    text: &str,
    px: u32,
) -> u32 {
    root.estimate_text_size(text, &("sans-serif", px).into_font().into_text_style(root))
        .map(|(w, _)| w)
        .unwrap_or(px * text.chars().count() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_lines(title: &str) -> Chart {
        Chart::Lines(LineChart {
            title: title.into(),
            x_label: "day / 天".into(),
            y_label: "share / 占比 (%)".into(),
            columns: 1,
            panel_height: 260,
            width: 640,
            panels: vec![Panel {
                title: String::new(),
                lines: vec![Line {
                    label: "基层诊疗占比".into(),
                    points: (0..50).map(|d| (f64::from(d), 40.0 + f64::from(d % 7))).collect(),
                    band: None,
                    dashed: false,
                    points_only: false,
                }],
                hlines: vec![],
                y_range: None,
            }],
            markers: vec![Marker { x: 20.0, label: "gatekeeping.start_day".into() }],
            shade_before: Some((10.0, "warm-up".into())),
            legend: true,
            axis_from: "axis from {}, not 0".into(),
        })
    }

    #[test]
    fn a_robust_axis_cuts_only_rows_that_would_squash_the_others() {
        // Exercise 1's percent rows: one wait of +2,213 % among effects of 2–107 %.
        let limit = robust_limit(&[20.3, 28.8, 17.8, 37.8, 107.0, 2213.0, 88.6, 1.4]).expect("cut");
        assert_eq!(limit, 107.0);
        // A row a little beyond 4 × the median narrows nothing much: no cut.
        assert_eq!(robust_limit(&[0.185, 0.049, 0.083, 0.25, 0.07, 0.25, 0.045, 0.02]), None);
        // Zeros (rows with no change) do not count towards the median; one row alone is not cut.
        assert_eq!(robust_limit(&[0.0, 0.0, 5.0]), None);
    }

    #[test]
    fn stacked_panels_draw_each_panel_and_the_cut_row_value() {
        let row = |label: &str, e: f64| IntervalRow {
            label: label.into(),
            estimate: e,
            low: e - 1.0,
            high: e + 1.0,
            marker: None,
            dots: vec![],
            highlight: false,
        };
        let panel = |title: &str, rows: Vec<IntervalRow>| IntervalChart {
            title: title.into(),
            x_label: "x".into(),
            rows,
            reference: Some(0.0),
            floor: None,
            estimate_label: String::new(),
            marker_label: String::new(),
            dots_label: String::new(),
            highlight_label: String::new(),
            width: 800,
            robust: true,
        };
        let chart = Chart::IntervalPanels(IntervalPanels {
            title: "panels".into(),
            panels: vec![
                panel("first panel", vec![row("a", 2.0), row("b", 3.0), row("c", 2.5), row("far", 1900.0)]),
                panel("second panel", vec![row("d", -4.0)]),
            ],
            width: 800,
        });
        let svg = chart.to_svg().unwrap();
        for text in ["panels", "first panel", "second panel", "far", "+1900 [+1899, +1901]"] {
            assert!(svg.contains(text), "{text} missing");
        }
        assert_eq!(chart.size().1, 40 + (120 + 4 * 30) + (120 + 30));
    }

    #[test]
    fn font_parses_and_covers_latin_and_the_chinese_of_labels() {
        register_fonts();
        for c in "Aa0%≥±×—基层诊疗占比等待天床位".chars() {
            assert!(font_has_glyph(c), "bundled font lacks {c:?}");
        }
        // A character outside the subset is reported as missing, so the check can fail.
        assert!(!font_has_glyph('\u{9F98}'));
    }

    #[test]
    fn svg_and_png_have_drawn_content() {
        let chart = sample_lines("测试 test");
        let svg = chart.to_svg().unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
        assert!(svg.contains("<polyline") || svg.contains("<path"), "no line drawn");
        assert!(svg.contains("测试 test"), "title missing");
        let png = chart.to_png().unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        let px = &buf[..info.buffer_size()];
        let non_white = px.chunks(3).filter(|p| p.iter().any(|&c| c < 200)).count();
        let total = px.len() / 3;
        assert!(non_white * 100 > total, "PNG is almost blank: {non_white} of {total} pixels drawn");
    }

    #[test]
    fn png_is_identical_across_renders() {
        let a = sample_lines("x").to_png().unwrap();
        let b = sample_lines("x").to_png().unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(0.0), "0");
        assert_eq!(tick(0.25), "0.25");
        assert_eq!(tick(-1e-17), "0");
        // Ticks a fifth of a unit apart on an axis of 2 units keep a decimal; wide axes do not.
        let labels: Vec<String> = [223.6, 223.8, 224.0, 224.2].iter().map(|&v| tick_in(v, 2.0)).collect();
        assert_eq!(labels, ["223.6", "223.8", "224", "224.2"]);
        assert_eq!(tick_in(224.0, 500.0), "224");
        assert_eq!(tick_in(45_000.0, 2_000.0), "45000");
        assert_eq!(tick(12.0), "12");
        assert_eq!(tick(1500.0), "1500");
        assert_eq!(tick(25000.0), "25k");
        assert_eq!(tick(-3.5), "-3.5");
    }
}
