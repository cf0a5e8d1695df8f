//! The bundled font (DejaVu Sans), registered with plotters on first use.

use std::sync::Once;

/// DejaVu Sans, under its permissive licence (`assets/fonts/DejaVu-LICENSE.txt`).
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The family name every plot asks for.
pub const FAMILY: &str = "sans-serif";

/// Registers the bundled font for every style plotters may ask for.
pub fn ensure_registered() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        use plotters::style::FontStyle;
        for style in [
            FontStyle::Normal,
            FontStyle::Bold,
            FontStyle::Italic,
            FontStyle::Oblique,
        ] {
            // The font is compiled in and known to parse; a failure would show as
            // missing text in tests, not as a crash for the learner.
            let _ = plotters::style::register_font(FAMILY, style, DEJAVU_SANS);
        }
    });
}

/// The bundled font at `size` pixels, for text placed by hand.
pub(crate) fn style(size: f64) -> plotters::style::TextStyle<'static> {
    (FAMILY, size).into()
}

/// The width in pixels of `text` drawn at `size`, with a tenth to spare (plotters'
/// estimate falls a little short of the drawn text).
pub(crate) fn text_width(text: &str, size: f64) -> u32 {
    use plotters::style::IntoFont;
    ensure_registered();
    (FAMILY, size)
        .into_font()
        .box_size(text)
        .map(|(w, _)| w as f64 * 1.1)
        .unwrap_or(text.chars().count() as f64 * size * 0.6) as u32
}
