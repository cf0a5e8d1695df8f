//! A column of coloured dots with names, drawn beside a chart.

use crate::error::Result;
use crate::plot::figure::drawing;
use crate::plot::font;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const SIZE: f64 = 14.0;
const ROW: i32 = 22;

/// The width a legend of `names` needs.
pub(crate) fn width_of(names: &[String]) -> u32 {
    let widest = names
        .iter()
        .map(|n| font::text_width(n, SIZE))
        .max()
        .unwrap_or(0);
    widest + 44
}

/// Draws one row per entry, from `top`, at the left of `area`.
pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, RGBColor)],
    top: i32,
    what: &'static str,
) -> Result<()> {
    let style = font::style(SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, (name, color)) in entries.iter().enumerate() {
        let y = top + ROW * i as i32 + ROW / 2;
        area.draw(&Circle::new((14, y), 5, color.filled()))
            .map_err(|e| drawing(what, e))?;
        area.draw_text(name, &style, (26, y))
            .map_err(|e| drawing(what, e))?;
    }
    Ok(())
}

/// Draws the legend of `entries` at the right of `area`; returns the rest of the area.
pub(crate) fn beside<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, RGBColor)],
    what: &'static str,
) -> Result<DrawingArea<DB, Shift>> {
    let names: Vec<String> = entries.iter().map(|(n, _)| n.clone()).collect();
    let (width, _) = area.dim_in_pixel();
    let (left, right) = area.split_horizontally(width.saturating_sub(width_of(&names)));
    draw(&right, entries, 44, what)?;
    Ok(left)
}
