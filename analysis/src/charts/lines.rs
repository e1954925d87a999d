//! Lines over a numeric axis, in one or more panels.

use super::{DrawResult, LABEL_PX, TICK_PX, TITLE_PX, colour, padded_range, tick_in};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A shaded interval around a line: (x, low, high) per point.
pub type Band = Vec<(f64, f64, f64)>;

/// One line, with an optional band (e.g. a 95 % CI across replications).
#[derive(Debug, Clone)]
pub struct Line {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    pub band: Option<Band>,
    pub dashed: bool,
    /// Draw points with vertical whiskers from the band instead of a line and a shaded band
    /// (for points that are not a sequence, e.g. a Latin hypercube).
    pub points_only: bool,
}

/// A vertical marker at `x` (a policy switching on), drawn in every panel.
#[derive(Debug, Clone)]
pub struct Marker {
    pub x: f64,
    pub label: String,
}

/// One panel: its own y range, lines and horizontal reference lines (e.g. capacity).
#[derive(Debug, Clone)]
pub struct Panel {
    pub title: String,
    pub lines: Vec<Line>,
    /// (y, label) of horizontal reference lines.
    pub hlines: Vec<(f64, String)>,
    /// Fixed y range; computed from the data (with the reference lines) when `None`.
    pub y_range: Option<(f64, f64)>,
}

/// Panels of lines sharing an x axis, titles and markers.
#[derive(Debug, Clone)]
pub struct LineChart {
    pub title: String,
    /// Axis titles, with their units.
    pub x_label: String,
    pub y_label: String,
    pub panels: Vec<Panel>,
    pub markers: Vec<Marker>,
    /// Shade x < this value (e.g. the warm-up), with a label.
    pub shade_before: Option<(f64, String)>,
    pub columns: usize,
    pub panel_height: u32,
    pub width: u32,
    pub legend: bool,
    /// The note on a y axis that does not start at 0, `{}` standing for where it starts
    /// (e.g. "axis from {}, not 0"); empty for none.
    pub axis_from: String,
}

impl LineChart {
    pub fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(self.columns.max(1)) as u32;
        (self.width, 40 + rows.max(1) * self.panel_height)
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let root = root.titled(&self.title, ("sans-serif", TITLE_PX))?;
        let cols = self.columns.max(1);
        let rows = self.panels.len().div_ceil(cols).max(1);
        let areas = root.split_evenly((rows, cols));
        let (x0, x1) = {
            let xs =
                self.panels.iter().flat_map(|p| p.lines.iter().flat_map(|l| l.points.iter().map(|p| p.0)));
            // A few points (a sweep's values) are kept off the axes; a time series runs edge to edge.
            let few = self.panels.iter().all(|p| p.lines.iter().all(|l| l.points.len() <= 30));
            let (lo, hi) = padded_range(xs, &[], if few { 0.05 } else { 0.0 });
            if hi > lo { (lo, hi) } else { (lo - 0.5, hi + 0.5) }
        };
        for (panel, area) in self.panels.iter().zip(areas) {
            self.draw_panel(panel, &area, x0, x1)?;
        }
        Ok(())
    }

    fn draw_panel<DB: DrawingBackend>(
        &self,
        panel: &Panel,
        area: &DrawingArea<DB, Shift>,
        x0: f64,
        x1: f64,
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (y0, y1) = panel.y_range.unwrap_or_else(|| {
            let ys = panel.lines.iter().flat_map(|l| {
                l.points.iter().map(|p| p.1).chain(l.band.iter().flatten().flat_map(|b| [b.1, b.2]))
            });
            let refs: Vec<f64> = panel.hlines.iter().map(|h| h.0).collect();
            padded_range(ys, &refs, 0.08)
        });
        let mut chart = ChartBuilder::on(area)
            .caption(&panel.title, ("sans-serif", LABEL_PX))
            .margin(8)
            .margin_right(16)
            .x_label_area_size(42)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .axis_desc_style(("sans-serif", LABEL_PX))
            .label_style(("sans-serif", TICK_PX))
            .x_label_formatter(&|v| tick_in(*v, x1 - x0))
            .y_label_formatter(&|v| tick_in(*v, y1 - y0))
            .max_light_lines(0)
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()?;
        // An axis of positive values that does not start at 0 says so at its foot, with a break
        // mark on the axis, so that a change of a few points is not read as a large one.
        if y0 > 0.0 && !self.axis_from.is_empty() {
            let (dx, dy) = ((x1 - x0) * 0.012, (y1 - y0) * 0.02);
            let style = ShapeStyle::from(&RGBColor(90, 90, 90)).stroke_width(2);
            for k in [0.0, 1.6] {
                let y = y0 + (2.0 + k) * dy;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x0 - dx, y - dy), (x0 + dx, y + dy)],
                    style,
                )))?;
            }
            chart.draw_series(std::iter::once(Text::new(
                self.axis_from.replace("{}", &tick_in(y0, y1 - y0)),
                (x0 + (x1 - x0) * 0.02, y0 + (y1 - y0) * 0.1),
                ("sans-serif", TICK_PX).into_font().color(&RGBColor(90, 90, 90)),
            )))?;
        }
        if let Some((until, label)) = &self.shade_before
            && *until > x0
        {
            let end = until.min(x1);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x0, y0), (end, y1)],
                RGBColor(120, 120, 120).mix(0.12).filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                label.clone(),
                (x0 + (end - x0) * 0.03, y1 - (y1 - y0) * 0.03),
                ("sans-serif", TICK_PX).into_font().color(&RGBColor(90, 90, 90)),
            )))?;
        }
        for (y, label) in &panel.hlines {
            let style = ShapeStyle::from(&RGBColor(200, 30, 30)).stroke_width(2);
            chart.draw_series(DashedLineSeries::new(vec![(x0, *y), (x1, *y)], 8, 5, style))?;
            chart.draw_series(std::iter::once(Text::new(
                label.clone(),
                (x0 + (x1 - x0) * 0.55, *y + (y1 - y0) * 0.015),
                ("sans-serif", TICK_PX).into_font().color(&RGBColor(170, 20, 20)).pos(
                    plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Left,
                        plotters::style::text_anchor::VPos::Bottom,
                    ),
                ),
            )))?;
        }
        for (i, m) in self.markers.iter().enumerate() {
            if m.x < x0 || m.x > x1 {
                continue;
            }
            let c = RGBColor(60, 60, 60);
            chart.draw_series(DashedLineSeries::new(
                vec![(m.x, y0), (m.x, y1)],
                4,
                4,
                ShapeStyle::from(&c).stroke_width(2),
            ))?;
            let y = y1 - (y1 - y0) * (0.10 + 0.07 * (i % 4) as f64);
            chart.draw_series(std::iter::once(Text::new(
                m.label.clone(),
                (m.x + (x1 - x0) * 0.005, y),
                ("sans-serif", TICK_PX).into_font().color(&c),
            )))?;
        }
        for (i, line) in panel.lines.iter().enumerate() {
            let c = colour(i);
            if line.points_only {
                for &(x, lo, hi) in line.band.iter().flatten() {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(x, lo), (x, hi)],
                        ShapeStyle::from(&c.mix(0.7)).stroke_width(2),
                    )))?;
                }
                let pts = line.points.iter().filter(|p| p.1.is_finite());
                let drawn = chart.draw_series(pts.map(|&p| Circle::new(p, 4, c.filled())))?;
                if self.legend && !line.label.is_empty() {
                    drawn.label(&line.label).legend(move |(x, y)| Circle::new((x + 9, y), 4, c.filled()));
                }
                continue;
            }
            if let Some(band) = &line.band {
                let mut poly: Vec<(f64, f64)> = band.iter().map(|b| (b.0, b.2)).collect();
                poly.extend(band.iter().rev().map(|b| (b.0, b.1)));
                chart.draw_series(std::iter::once(Polygon::new(poly, c.mix(0.2).filled())))?;
            }
            let style = ShapeStyle::from(&c).stroke_width(2);
            let pts: Vec<(f64, f64)> = line.points.iter().copied().filter(|p| p.1.is_finite()).collect();
            let drawn = if line.dashed {
                chart.draw_series(DashedLineSeries::new(pts.clone(), 6, 4, style))?
            } else {
                chart.draw_series(LineSeries::new(pts.clone(), style))?
            };
            if self.legend && !line.label.is_empty() {
                drawn.label(&line.label).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], ShapeStyle::from(&c).stroke_width(3))
                });
            }
            if pts.len() <= 30 {
                chart.draw_series(pts.iter().map(|&p| Circle::new(p, 3, c.filled())))?;
            }
        }
        if self.legend && panel.lines.iter().any(|l| !l.label.is_empty()) {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerRight)
                .label_font(("sans-serif", TICK_PX))
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(180, 180, 180))
                .draw()?;
        }
        Ok(())
    }
}
