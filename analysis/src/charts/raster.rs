//! A bitmap backend whose text is laid out like a browser lays it out.
//!
//! plotters 0.3.7 draws `ab_glyph` text without each glyph's left side bearing: every glyph's
//! ink starts at the pen position, so narrow glyphs drift left ("cl" reads as "d", "the" as
//! "th e"). [`TextBitmap`] forwards every shape to plotters' `BitMapBackend` and draws text
//! itself with the bundled font, placing each glyph's outline where the font says (bearing and
//! kerning included). Anchors, rotation and the layout box are plotters' own, so chart layout
//! is unchanged; only the ink moves to where it belongs.

use super::FONT_TTF;
use ab_glyph::{Font, FontRef, ScaleFont, point};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

pub struct TextBitmap<'a> {
    inner: BitMapBackend<'a>,
    font: FontRef<'static>,
}

impl<'a> TextBitmap<'a> {
    /// A backend drawing into an RGB buffer of `size` pixels.
    pub fn new(buf: &'a mut [u8], size: (u32, u32)) -> TextBitmap<'a> {
        TextBitmap {
            inner: BitMapBackend::with_buffer(buf, size),
            font: FontRef::try_from_slice(FONT_TTF).expect("the bundled font parses (tested)"),
        }
    }
}

type Err = DrawingErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>;

impl DrawingBackend for TextBitmap<'_> {
    type ErrorType = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), Err> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), Err> {
        self.inner.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), Err> {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), Err> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), Err> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), Err> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), Err> {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), Err> {
        self.inner.fill_polygon(vert, style)
    }
    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Result<(), Err> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), Err> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        // The same box and anchor arithmetic as plotters' default, so that text sits where the
        // chart layout (which measured it with plotters) expects it.
        let ((min_x, min_y), (max_x, max_y)) =
            style.layout_box(text).map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let size = style.size() as f32;
        let font = self.font.as_scaled(size);
        let trans = style.transform();
        let (w, h) = self.get_size();
        // plotters puts the baseline half a font size below the top of the box; so do we.
        let baseline = size / 2.0;
        let mut caret = 0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                caret += font.kern(p, id);
            }
            prev = Some(id);
            let glyph = id.with_scale_and_position(size, point(caret, baseline));
            caret += font.h_advance(id);
            let Some(outline) = self.font.outline_glyph(glyph) else { continue };
            let b = outline.px_bounds();
            let mut ink = Vec::new();
            outline.draw(|x, y, coverage| ink.push((x as i32, y as i32, coverage)));
            for (x, y, coverage) in ink {
                if coverage <= 0.0 {
                    continue;
                }
                let (x, y) =
                    trans.transform(b.min.x as i32 + x + dx - min_x, b.min.y as i32 + y + dy - min_y);
                let (x, y) = (pos.0 + x, pos.1 + y);
                if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                    let c =
                        BackendColor { alpha: color.alpha * f64::from(coverage.min(1.0)), rgb: color.rgb };
                    self.inner.draw_pixel((x, y), c)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns of the buffer with dark ink, as runs (first, last).
    fn ink_runs(buf: &[u8], (w, h): (u32, u32)) -> Vec<(u32, u32)> {
        let dark = |x: u32| (0..h).any(|y| buf[((y * w + x) * 3) as usize] < 110);
        let mut runs: Vec<(u32, u32)> = Vec::new();
        for x in 0..w {
            if dark(x) {
                match runs.last_mut() {
                    Some(r) if r.1 + 1 == x => r.1 = x,
                    _ => runs.push((x, x)),
                }
            }
        }
        runs
    }

    #[test]
    fn glyphs_keep_their_side_bearings() {
        // "cl": plotters' own drawing puts the "l" a left side bearing too far left, so the
        // gap between the two glyphs' ink would be short by that bearing.
        super::super::register_fonts();
        let size = 60.0f32;
        let (w, h) = (200u32, 100u32);
        let mut buf = vec![255u8; (w * h * 3) as usize];
        {
            let mut b = TextBitmap::new(&mut buf, (w, h));
            let style = ("sans-serif", f64::from(size)).into_font().color(&BLACK);
            b.draw_text("cl", &style, (20, 20)).unwrap();
        }
        let runs = ink_runs(&buf, (w, h));
        assert_eq!(runs.len(), 2, "expected two glyphs, found ink runs {runs:?}");
        let font = FontRef::try_from_slice(FONT_TTF).unwrap();
        let scaled = font.as_scaled(size);
        let (c, l) = (scaled.glyph_id('c'), scaled.glyph_id('l'));
        let c_box = font.outline_glyph(c.with_scale_and_position(size, point(0.0, 0.0))).unwrap().px_bounds();
        let l_x = scaled.h_advance(c) + scaled.kern(c, l);
        let l_box = font.outline_glyph(l.with_scale_and_position(size, point(l_x, 0.0))).unwrap().px_bounds();
        let expected = l_box.min.x - c_box.max.x;
        let gap = runs[1].0 as f32 - runs[0].1 as f32 - 1.0;
        assert!(
            (gap - expected).abs() <= 1.5,
            "gap between the glyphs {gap} px, the font says {expected} px"
        );
    }
}
