//! Colours: the ten-colour qualitative palette learners know from matplotlib.

use plotters::style::RGBColor;

const TAB10: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The `i`-th colour of the palette (it repeats after ten).
pub fn color(i: usize) -> RGBColor {
    TAB10[i % TAB10.len()]
}

/// `color` mixed with white: `amount` 0 is white, 1 is the colour itself.
pub fn tint(color: RGBColor, amount: f64) -> RGBColor {
    let a = amount.clamp(0.0, 1.0);
    let mix = |c: u8| (255.0 - (255.0 - c as f64) * a).round() as u8;
    RGBColor(mix(color.0), mix(color.1), mix(color.2))
}

/// The colour of `value` in 0..1 on a white-to-dark-blue scale (counts, intensities).
pub fn blues(value: f64) -> RGBColor {
    tint(RGBColor(8, 48, 107), 0.05 + 0.95 * value.clamp(0.0, 1.0))
}

/// Whether text on `color` should be white rather than black.
pub fn is_dark(color: RGBColor) -> bool {
    0.299 * color.0 as f64 + 0.587 * color.1 as f64 + 0.114 * color.2 as f64 <= 128.0
}

/// The red that marks a wrong prediction.
pub const WRONG: RGBColor = RGBColor(214, 39, 40);
