//! Grouped bars per category; values may be negative (flows drawn below the axis).

use super::{DrawResult, LABEL_PX, TICK_PX, TITLE_PX, colour, padded_range, tick};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One series of bars, one value per category, with optional (low, high) whiskers.
#[derive(Debug, Clone)]
pub struct BarSeries {
    pub label: String,
    pub values: Vec<f64>,
    pub whiskers: Option<Vec<(f64, f64)>>,
    /// Position inside a category's group: series with the same slot share a position (e.g. a
    /// flow up drawn above zero and the same flow down drawn below it).
    pub slot: usize,
}

/// Bars grouped by category.
#[derive(Debug, Clone)]
pub struct BarChart {
    pub title: String,
    /// Axis titles, with their units.
    pub x_label: String,
    pub y_label: String,
    pub categories: Vec<String>,
    pub series: Vec<BarSeries>,
    /// Print tick labels as absolute values (for up/down flows drawn as ±).
    pub absolute_ticks: bool,
    pub width: u32,
    pub height: u32,
}

impl BarChart {
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let n = self.categories.len().max(1);
        let values = self.series.iter().flat_map(|s| {
            s.values.iter().copied().chain(s.whiskers.iter().flatten().flat_map(|w| [w.0, w.1]))
        });
        let (y0, y1) = padded_range(values, &[0.0], 0.08);
        // Headroom for the legend (upper right), one line per series, so it covers no bar.
        let y1 = y1 + (y1 - y0) * 0.08 * self.series.len() as f64;
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", TITLE_PX))
            .margin(10)
            .margin_right(20)
            .x_label_area_size(48)
            .y_label_area_size(70)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), y0..y1)?;
        let cats = self.categories.clone();
        let cat_label = move |x: &f64| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                cats.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        let abs = self.absolute_ticks;
        let y_fmt = move |v: &f64| tick(if abs { v.abs() } else { *v });
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .axis_desc_style(("sans-serif", LABEL_PX))
            .label_style(("sans-serif", TICK_PX))
            .x_labels(n * 2 + 1)
            .x_label_formatter(&cat_label)
            .y_label_formatter(&y_fmt)
            .disable_x_mesh()
            .max_light_lines(0)
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(-0.5, 0.0), (n as f64 - 0.5, 0.0)],
            ShapeStyle::from(&BLACK).stroke_width(1),
        )))?;
        let k = self.series.iter().map(|s| s.slot + 1).max().unwrap_or(1);
        let group = 0.8;
        let bar = group / k as f64;
        for (s_i, s) in self.series.iter().enumerate() {
            let c = colour(s_i);
            let offset = -group / 2.0 + bar * s.slot as f64;
            let drawn = chart.draw_series(s.values.iter().enumerate().filter(|(_, v)| v.is_finite()).map(
                |(i, &v)| {
                    let left = i as f64 + offset;
                    Rectangle::new([(left, 0.0), (left + bar * 0.92, v)], c.filled())
                },
            ))?;
            drawn
                .label(&s.label)
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], c.filled()));
            if let Some(w) = &s.whiskers {
                let mid = |i: usize| i as f64 + offset + bar * 0.46;
                chart.draw_series(
                    w.iter().enumerate().filter(|(_, w)| w.0.is_finite() && w.1.is_finite()).map(
                        |(i, &(lo, hi))| {
                            PathElement::new(
                                vec![(mid(i), lo), (mid(i), hi)],
                                ShapeStyle::from(&BLACK).stroke_width(1),
                            )
                        },
                    ),
                )?;
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(("sans-serif", TICK_PX))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .draw()?;
        Ok(())
    }
}
