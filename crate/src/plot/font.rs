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
