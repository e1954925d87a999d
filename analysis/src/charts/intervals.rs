//! Horizontal rows of estimates with confidence intervals ("forest plot").

use super::{DrawResult, LABEL_PX, TICK_PX, TITLE_PX, colour, padded_range, text_width, tick, tick_in};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One row: an estimate with its interval, and optionally a second marker and the values of the
/// individual replications.
#[derive(Debug, Clone)]
pub struct IntervalRow {
    pub label: String,
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
    /// A second value drawn as a diamond (e.g. the 90th percentile).
    pub marker: Option<f64>,
    /// Individual values drawn as small dots (e.g. one per replication).
    pub dots: Vec<f64>,
    /// Drawn in the accent colour (e.g. a significant difference).
    pub highlight: bool,
}

/// Rows of intervals on one horizontal value axis.
#[derive(Debug, Clone)]
pub struct IntervalChart {
    pub title: String,
    /// Value-axis title, with its unit.
    pub x_label: String,
    pub rows: Vec<IntervalRow>,
    /// A vertical reference line (e.g. 0 for "no difference").
    pub reference: Option<f64>,
    /// Intervals are cut at this value (e.g. 0 for a wait, which cannot be negative).
    pub floor: Option<f64>,
    /// Legend entries: estimate with interval, marker, dots, highlight (empty = not shown).
    pub estimate_label: String,
    pub marker_label: String,
    pub dots_label: String,
    pub highlight_label: String,
    pub width: u32,
    /// Robust axis limits ([`robust_limit`]): a row reaching far beyond the others is cut at the
    /// axis's edge, marked with an arrow and its estimate and interval written beside it,
    /// instead of squashing every other row onto the reference line.
    pub robust: bool,
}

/// How far from the reference a robust axis reaches: the largest row extent (|estimate| and
/// the interval's ends) that is at most `ROBUST_FACTOR` × the median row extent. Rows beyond it
/// are cut. `None` when no row needs cutting, or when cutting would not make the axis at least
/// twice as narrow (a row a little beyond the bound squashes nothing).
pub fn robust_limit(extents: &[f64]) -> Option<f64> {
    let mut a: Vec<f64> = extents.iter().copied().filter(|v| v.is_finite() && *v > 0.0).collect();
    if a.len() < 2 {
        return None;
    }
    a.sort_by(f64::total_cmp);
    let median = crate::stats::quantile_sorted(&a, 0.5);
    let bound = ROBUST_FACTOR * median;
    let kept = a.iter().copied().filter(|&v| v <= bound).fold(0.0, f64::max);
    let kept = kept.max(median);
    (2.0 * kept < a[a.len() - 1]).then_some(kept)
}

/// A row may reach this many times the median row's extent before a robust axis cuts it
/// (a convention for legibility, not a statistical rule).
pub const ROBUST_FACTOR: f64 = 4.0;

impl IntervalChart {
    pub fn size(&self) -> (u32, u32) {
        (self.width, 120 + 30 * self.rows.len().max(1) as u32)
    }

    /// The width of the row labels' area (their longest label at the tick size).
    pub(super) fn label_width<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> u32 {
        self.rows.iter().map(|r| text_width(root, &r.label, TICK_PX)).max().unwrap_or(40) + 16
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        self.draw_with(root, None)
    }

    /// Draws the chart; `label_w` fixes the row labels' width (to align stacked panels).
    pub(super) fn draw_with<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        label_w: Option<u32>,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let n = self.rows.len().max(1);
        let floor = self.floor.unwrap_or(f64::NEG_INFINITY);
        let reference = self.reference.unwrap_or(0.0);
        let limit = if self.robust {
            let extents: Vec<f64> = self
                .rows
                .iter()
                .map(|r| {
                    [r.estimate, r.low.max(floor), r.high]
                        .into_iter()
                        .filter(|v| v.is_finite())
                        .map(|v| (v - reference).abs())
                        .fold(0.0, f64::max)
                })
                .collect();
            robust_limit(&extents)
        } else {
            None
        };
        let (lo_cut, hi_cut) = match limit {
            Some(l) => (reference - l, reference + l),
            None => (f64::NEG_INFINITY, f64::INFINITY),
        };
        let cut = |v: f64| v.clamp(lo_cut, hi_cut);
        let values = self.rows.iter().flat_map(|r| {
            [r.estimate, r.low.max(floor), r.high]
                .into_iter()
                .chain(r.marker)
                .chain(r.dots.iter().copied())
                .map(cut)
        });
        let include: Vec<f64> = self.reference.into_iter().collect();
        let (x0, x1) = padded_range(values, &include, 0.06);
        let label_w = label_w.unwrap_or_else(|| self.label_width(root));
        let (_, h) = root.dim_in_pixel();
        let (main, legend) = root.split_vertically(h.saturating_sub(30));
        let mut chart = ChartBuilder::on(&main)
            .caption(&self.title, ("sans-serif", TITLE_PX))
            .margin(10)
            .margin_right(24)
            .x_label_area_size(44)
            .y_label_area_size(label_w.min(self.width / 2))
            .build_cartesian_2d(x0..x1, -0.5..(n as f64 - 0.5))?;
        let labels: Vec<String> = self.rows.iter().map(|r| r.label.clone()).collect();
        let row_label = move |y: &f64| {
            let i = y.round();
            if (y - i).abs() < 1e-6 && i >= 0.0 {
                // Row 0 is drawn at the top.
                labels.get(n - 1 - i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            .axis_desc_style(("sans-serif", LABEL_PX))
            .label_style(("sans-serif", TICK_PX))
            .x_label_formatter(&|v| tick_in(*v, x1 - x0))
            .y_labels(n * 2 + 1)
            .y_label_formatter(&row_label)
            .disable_y_mesh()
            .max_light_lines(0)
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()?;
        if let Some(r) = self.reference {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(r, -0.5), (r, n as f64 - 0.5)],
                ShapeStyle::from(&BLACK).stroke_width(1),
            )))?;
        }
        let plain = colour(0);
        let accent = colour(1);
        for (i, row) in self.rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let c = if row.highlight { accent } else { plain };
            for &d in row.dots.iter().filter(|d| (lo_cut..=hi_cut).contains(*d)) {
                chart.draw_series(std::iter::once(Circle::new(
                    (d, y + 0.22),
                    2,
                    RGBColor(110, 110, 110).filled(),
                )))?;
            }
            if row.low.is_finite() && row.high.is_finite() {
                let (low, high) = (row.low.max(floor), row.high);
                let s = ShapeStyle::from(&c).stroke_width(3);
                chart
                    .draw_series(std::iter::once(PathElement::new(vec![(cut(low), y), (cut(high), y)], s)))?;
                // An end inside the axis gets its whisker; a cut end gets an arrow head.
                for (end, inside) in [(low, low >= lo_cut), (high, high <= hi_cut)] {
                    if inside {
                        chart.draw_series(std::iter::once(PathElement::new(
                            vec![(end, y - 0.18), (end, y + 0.18)],
                            ShapeStyle::from(&c).stroke_width(2),
                        )))?;
                    } else {
                        let dir = if end < lo_cut { -1 } else { 1 };
                        chart.draw_series(std::iter::once(
                            EmptyElement::at((cut(end), y)) + arrow(dir, 8, c),
                        ))?;
                    }
                }
            }
            if row.estimate.is_finite() {
                if (lo_cut..=hi_cut).contains(&row.estimate) {
                    chart.draw_series(std::iter::once(Circle::new((row.estimate, y), 5, c.filled())))?;
                } else {
                    let dir = if row.estimate < lo_cut { -1 } else { 1 };
                    chart.draw_series(std::iter::once(
                        EmptyElement::at((cut(row.estimate), y)) + arrow(dir, 8, c),
                    ))?;
                }
            }
            // A row cut at the axis's edge says its estimate in words, inside the plot.
            if limit.is_some()
                && [row.estimate, row.low.max(floor), row.high].iter().any(|v| !(lo_cut..=hi_cut).contains(v))
            {
                let signed = |v: f64| format!("{}{}", if v > 0.0 { "+" } else { "" }, tick(v));
                let text = if row.low.is_finite() && row.high.is_finite() {
                    format!("{} [{}, {}]", signed(row.estimate), signed(row.low.max(floor)), signed(row.high))
                } else {
                    signed(row.estimate)
                };
                let right = row.estimate >= reference;
                let w = text_width(root, &text, TICK_PX) as i32;
                let at = if right { hi_cut } else { lo_cut };
                let dx = if right { -w - 14 } else { 14 };
                chart.draw_series(std::iter::once(
                    EmptyElement::at((at, y))
                        + Text::new(
                            text,
                            (dx, -(TICK_PX as i32) - 4),
                            ("sans-serif", TICK_PX).into_font().color(&c),
                        ),
                ))?;
            }
            if let Some(m) = row.marker.filter(|m| m.is_finite() && (lo_cut..=hi_cut).contains(m)) {
                let mc = colour(2);
                chart.draw_series(std::iter::once(EmptyElement::at((m, y)) + diamond(6, mc)))?;
            }
        }
        // Legend, drawn by hand below the caption so it never covers a row.
        let mut entries: Vec<(u8, &str)> = Vec::new();
        if !self.estimate_label.is_empty() {
            entries.push((0, &self.estimate_label));
        }
        if !self.marker_label.is_empty() && self.rows.iter().any(|r| r.marker.is_some()) {
            entries.push((1, &self.marker_label));
        }
        if !self.dots_label.is_empty() && self.rows.iter().any(|r| !r.dots.is_empty()) {
            entries.push((2, &self.dots_label));
        }
        if !self.highlight_label.is_empty() && self.rows.iter().any(|r| r.highlight) {
            entries.push((3, &self.highlight_label));
        }
        let root = &legend;
        let mut x = 12i32;
        let y = 14;
        for (kind, text) in entries {
            match kind {
                0 => {
                    root.draw(&PathElement::new(
                        vec![(x, y), (x + 22, y)],
                        ShapeStyle::from(&plain).stroke_width(3),
                    ))?;
                    root.draw(&Circle::new((x + 11, y), 5, plain.filled()))?;
                }
                1 => root.draw(&(EmptyElement::at((x + 11, y)) + diamond(6, colour(2))))?,
                2 => root.draw(&Circle::new((x + 11, y), 2, RGBColor(110, 110, 110).filled()))?,
                _ => {
                    root.draw(&PathElement::new(
                        vec![(x, y), (x + 22, y)],
                        ShapeStyle::from(&accent).stroke_width(3),
                    ))?;
                    root.draw(&Circle::new((x + 11, y), 5, accent.filled()))?;
                }
            }
            root.draw(&Text::new(
                text.to_string(),
                (x + 28, y - 7),
                ("sans-serif", TICK_PX).into_font().color(&RGBColor(60, 60, 60)),
            ))?;
            x += 40 + text_width(root, text, TICK_PX) as i32;
        }
        Ok(())
    }
}

/// A filled triangle pointing left (`dir` −1) or right (+1), its tip at the origin.
fn arrow(dir: i32, r: i32, c: RGBColor) -> Polygon<(i32, i32)> {
    Polygon::new(vec![(0, 0), (-dir * 2 * r, -r), (-dir * 2 * r, r)], c.filled())
}

fn diamond(r: i32, c: RGBColor) -> Polygon<(i32, i32)> {
    Polygon::new(vec![(0, -r), (r, 0), (0, r), (-r, 0)], c.filled())
}

/// Interval charts stacked as panels of one figure, each with its own value axis (e.g. one per
/// metric family and unit), their row labels aligned; the last panel's legend serves all.
#[derive(Debug, Clone)]
pub struct IntervalPanels {
    pub title: String,
    pub panels: Vec<IntervalChart>,
    pub width: u32,
}

impl IntervalPanels {
    const TITLE_H: u32 = 40;

    pub fn size(&self) -> (u32, u32) {
        (self.width, Self::TITLE_H + self.panels.iter().map(|p| p.size().1).sum::<u32>())
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (top, mut rest) = root.split_vertically(Self::TITLE_H);
        let (w, _) = top.dim_in_pixel();
        let tw = text_width(&top, &self.title, TITLE_PX) as i32;
        top.draw(&Text::new(
            self.title.clone(),
            ((w as i32 - tw) / 2, 10),
            ("sans-serif", TITLE_PX).into_font().color(&BLACK),
        ))?;
        let label_w = self.panels.iter().map(|p| p.label_width(root)).max().unwrap_or(40);
        for p in &self.panels {
            let (area, below) = rest.split_vertically(p.size().1);
            p.draw_with(&area, Some(label_w))?;
            rest = below;
        }
        Ok(())
    }
}
