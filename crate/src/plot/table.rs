//! A polars `DataFrame` as an HTML table, shown inline in Jupyter.

use crate::plot::html::{self, escape};
use polars::prelude::{Column, DataFrame};
use std::fmt::Write as _;

/// A `DataFrame` shown as an HTML table: column names with their dtypes, the first
/// rows, and the shape. The last expression of a Jupyter cell renders it inline.
///
/// ```
/// use polars::prelude::*;
/// let df = df!("party" => ["democrat", "republican"], "votes" => [3, 5])?;
/// let html = dlcourse::plot::table(&df).to_html();
/// assert!(html.contains("<th>party<br><small>str</small></th>"));
/// # Ok::<(), PolarsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Table {
    df: DataFrame,
    rows: usize,
}

/// `df` as a table of its first 10 rows: `plot::table(&df)`, `plot::table(&df).rows(20)`.
///
/// ```
/// # use polars::prelude::*;
/// # let df = df!("x" => [1, 2])?;
/// dlcourse::plot::table(&df).rows(5).evcxr_display();
/// # Ok::<(), PolarsError>(())
/// ```
pub fn table(df: &DataFrame) -> Table {
    Table {
        df: df.clone(),
        rows: 10,
    }
}

impl Table {
    /// Shows the first `n` rows.
    pub fn rows(mut self, n: usize) -> Self {
        self.rows = n;
        self
    }

    /// The HTML: a `<table>` with a caption giving the shape, a header row of column
    /// names and dtypes, then one `<tr>` per shown row; every text is escaped.
    pub fn to_html(&self) -> String {
        let (height, width) = self.df.shape();
        let shown = height.min(self.rows);
        let mut html = String::from("<table class=\"dataframe\">\n");
        let more = match shown < height {
            true => format!(" — the first {shown} rows"),
            false => String::new(),
        };
        let _ = writeln!(html, "<caption>shape: ({height}, {width}){more}</caption>");
        html.push_str("<thead><tr>");
        for column in self.df.columns() {
            let name = escape(column.name());
            let dtype = escape(&column.dtype().to_string());
            let _ = write!(html, "<th>{name}<br><small>{dtype}</small></th>");
        }
        html.push_str("</tr></thead>\n<tbody>\n");
        for row in 0..shown {
            html.push_str("<tr>");
            for column in self.df.columns() {
                html.push_str(&cell(column, row));
            }
            html.push_str("</tr>\n");
        }
        html.push_str("</tbody>\n</table>");
        html
    }

    /// Shows the table inline in Jupyter (called by the evcxr kernel).
    pub fn evcxr_display(&self) {
        html::display(&self.to_html());
    }
}

/// One `<td>`: numbers right-aligned, strings without quotes, missing values as `null`.
fn cell(column: &Column, row: usize) -> String {
    let text = match column.get(row) {
        Ok(value) => escape(&value.str_value()),
        Err(_) => "?".to_owned(),
    };
    match column.dtype().is_primitive_numeric() {
        true => format!("<td style=\"text-align:right\">{text}</td>"),
        false => format!("<td>{text}</td>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    #[test]
    fn dataframe_renders_as_an_escaped_html_table() -> PolarsResult<()> {
        let df = df!(
            "name" => ["a<b", "c & d", "e", "f"],
            "votes" => [1i64, 2, 3, 4],
        )?;
        let html = table(&df).rows(3).to_html();
        assert!(html.starts_with("<table"), "{html}");
        assert!(html.ends_with("</table>"));
        assert!(
            html.contains("<th>name<br><small>str</small></th>"),
            "{html}"
        );
        assert!(
            html.contains("<th>votes<br><small>i64</small></th>"),
            "{html}"
        );
        assert_eq!(html.matches("<tr>").count(), 1 + 3, "header and three rows");
        assert!(html.contains("<td>a&lt;b</td>") && html.contains("c &amp; d"));
        assert!(!html.contains("a<b"));
        assert!(html.contains("shape: (4, 2) — the first 3 rows"));
        assert!(html.contains("<td style=\"text-align:right\">2</td>"));
        Ok(())
    }
}
