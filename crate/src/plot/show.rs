//! Values that show themselves at the end of a Jupyter cell: evcxr calls a value's
//! `evcxr_display` method when it has one, and this trait, in the prelude, gives Candle's
//! `Tensor` and polars' `DataFrame` one — without a wrapper call in the cell.

use candle_core::Tensor;
#[cfg(feature = "tables")]
use polars::prelude::DataFrame;

/// How a value shows itself in Jupyter (the evcxr kernel calls `evcxr_display` on the
/// value a cell ends with). In the prelude, so `use dlcourse::prelude::*;` is enough.
///
/// ```
/// use dlcourse::prelude::*;
/// let t = Tensor::new(&[[1f32, 2.], [3., 4.]], &Device::Cpu)?;
/// t.evcxr_display(); // what a cell ending in `t` shows: the values, shape and dtype
/// # Ok::<(), candle_core::Error>(())
/// ```
pub trait Show {
    /// Prints the value in evcxr's display protocol.
    fn evcxr_display(&self);
}

impl Show for Tensor {
    /// The values, NumPy-style (long dimensions abbreviated with `...`), then the shape
    /// and dtype.
    fn evcxr_display(&self) {
        println!("EVCXR_BEGIN_CONTENT text/plain\n{self}\nEVCXR_END_CONTENT");
    }
}

#[cfg(feature = "tables")]
impl Show for DataFrame {
    /// An HTML table of the first 10 rows (see [`table`](super::table)).
    fn evcxr_display(&self) {
        super::table(self).evcxr_display();
    }
}
