//! Horizontal rows of estimates with confidence intervals ("forest plot").

use super::{DrawResult, LABEL_PX, TICK_PX, TITLE_PX, colour, padded_range, text_width, tick};
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
}

impl IntervalChart {
    pub fn size(&self) -> (u32, u32) {
        (self.width, 120 + 30 * self.rows.len().max(1) as u32)
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let n = self.rows.len().max(1);
        let floor = self.floor.unwrap_or(f64::NEG_INFINITY);
        let values = self.rows.iter().flat_map(|r| {
            [r.estimate, r.low.max(floor), r.high].into_iter().chain(r.marker).chain(r.dots.iter().copied())
        });
        let include: Vec<f64> = self.reference.into_iter().collect();
        let (x0, x1) = padded_range(values, &include, 0.06);
        let label_w = self.rows.iter().map(|r| text_width(root, &r.label, TICK_PX)).max().unwrap_or(40) + 16;
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
            .x_label_formatter(&|v| tick(*v))
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
            for &d in &row.dots {
                chart.draw_series(std::iter::once(Circle::new(
                    (d, y + 0.22),
                    2,
                    RGBColor(110, 110, 110).filled(),
                )))?;
            }
            if row.low.is_finite() && row.high.is_finite() {
                let low = row.low.max(floor);
                let s = ShapeStyle::from(&c).stroke_width(3);
                chart.draw_series(std::iter::once(PathElement::new(vec![(low, y), (row.high, y)], s)))?;
                for end in [low, row.high] {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(end, y - 0.18), (end, y + 0.18)],
                        ShapeStyle::from(&c).stroke_width(2),
                    )))?;
                }
            }
            if row.estimate.is_finite() {
                chart.draw_series(std::iter::once(Circle::new((row.estimate, y), 5, c.filled())))?;
            }
            if let Some(m) = row.marker.filter(|m| m.is_finite()) {
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

fn diamond(r: i32, c: RGBColor) -> Polygon<(i32, i32)> {
    Polygon::new(vec![(0, -r), (r, 0), (0, r), (-r, 0)], c.filled())
}
