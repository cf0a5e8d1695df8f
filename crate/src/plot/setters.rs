//! The builder methods every plot shares: texts and class names.

/// Builder methods that set text fields: `text_setters!(title: "A title above the
/// chart.", x_label: "Names the x axis.")` inside an `impl` block.
macro_rules! text_setters {
    ($($field:ident: $doc:literal),* $(,)?) => {$(
        #[doc = $doc]
        pub fn $field(mut self, text: &str) -> Self {
            self.$field = text.to_owned();
            self
        }
    )*};
}

/// The `names` builder method: class names for legends and captions.
macro_rules! names_setter {
    () => {
        /// The class names shown in the legend (numbers where a name is missing).
        pub fn names<S: AsRef<str>>(mut self, names: &[S]) -> Self {
            self.names = crate::plot::input::names(names);
            self
        }
    };
}

pub(crate) use {names_setter, text_setters};
