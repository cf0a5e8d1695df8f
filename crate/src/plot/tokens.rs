//! A text as a model reads it: its words with their ids, the ones outside the
//! vocabulary marked, and the part that cutting or padding to a fixed length keeps.

use crate::data::text::{Vocabulary, tokenize};
use crate::plot::html::{self, escape};
use crate::plot::setters::text_setters;
use std::cmp::Ordering;
use std::fmt::Write as _;

/// How many of the dropped words are shown before the rest are summarised.
const DROPPED_SHOWN: usize = 24;
/// How many characters of the text are quoted.
const QUOTED: usize = 600;

/// A text, its tokens and their ids as inline HTML: words that are cut off are greyed,
/// words outside the vocabulary (id 1) are marked red, padding is one summarising chip.
///
/// ```
/// use dlcourse::data::text::Vocabulary;
/// let vocab = Vocabulary::fit(&["a good film, a good cast"], 10);
/// let html = dlcourse::plot::tokens(&vocab, "A good, gripping film", 3).to_html();
/// assert!(html.contains("4 tokens") && html.contains("gripping"));
/// ```
#[derive(Debug, Clone)]
pub struct Tokens {
    title: String,
    text: String,
    tokens: Vec<(String, u32)>,
    length: usize,
}

/// `text` tokenised and encoded with `vocab`, showing which ids remain after cutting or
/// padding to `length` as [`pad`](crate::data::text::pad) does (the last `length` are kept).
///
/// ```
/// # use dlcourse::data::text::Vocabulary;
/// # let vocab = Vocabulary::fit(&["good film"], 10);
/// dlcourse::plot::tokens(&vocab, "Good film", 80).title("A review").evcxr_display();
/// ```
pub fn tokens(vocab: &Vocabulary, text: &str, length: usize) -> Tokens {
    let tokens = tokenize(text)
        .into_iter()
        .map(|w| {
            let id = vocab.id(&w);
            (w, id)
        })
        .collect();
    Tokens {
        title: String::new(),
        text: text.to_owned(),
        tokens,
        length,
    }
}

impl Tokens {
    text_setters!(title: "A heading above the text.");

    /// The HTML: the heading, the first 600 characters of the text, a summary line, then
    /// one chip per token (word above, id below).
    pub fn to_html(&self) -> String {
        let n = self.tokens.len();
        let dropped = n.saturating_sub(self.length);
        let unknown = self.tokens.iter().filter(|t| t.1 == Vocabulary::UNKNOWN);
        let mut html = String::from("<div style=\"font-family:sans-serif;font-size:13px\">\n");
        if !self.title.is_empty() {
            let _ = writeln!(html, "<p><b>{}</b></p>", escape(&self.title));
        }
        let _ = writeln!(
            html,
            "<blockquote style=\"color:#444\">{}</blockquote>",
            quote(&self.text)
        );
        let fate = match n.cmp(&self.length) {
            Ordering::Less => format!(
                "padded with {} zeros in front to {} ids",
                self.length - n,
                self.length
            ),
            Ordering::Equal => format!("exactly the {} ids the model reads", self.length),
            Ordering::Greater => format!(
                "cut to its last {}: the first {dropped} (grey) are dropped",
                self.length
            ),
        };
        let _ = writeln!(
            html,
            "<p>{n} tokens, {} outside the vocabulary (red, id {}); {fate}.</p>\n<div>",
            unknown.count(),
            Vocabulary::UNKNOWN
        );
        if dropped == 0 && n < self.length {
            let pad = format!("&lt;pad&gt; ×{}", self.length - n);
            html.push_str(&chip(&pad, Vocabulary::PAD, "background:#eee"));
        }
        for (i, (word, id)) in self.tokens.iter().enumerate() {
            if i == DROPPED_SHOWN && dropped > DROPPED_SHOWN + 1 {
                let skipped = format!("… {} more", dropped - DROPPED_SHOWN);
                html.push_str(&chip(
                    &skipped,
                    u32::MAX,
                    "opacity:0.35;border-style:dashed",
                ));
            }
            if i >= DROPPED_SHOWN && i < dropped && dropped > DROPPED_SHOWN + 1 {
                continue;
            }
            let mut style = String::new();
            if i < dropped {
                style.push_str("opacity:0.35;");
            }
            if *id == Vocabulary::UNKNOWN {
                style.push_str("background:#fde0dd;border-color:#d62728;");
            }
            html.push_str(&chip(&escape(word), *id, &style));
        }
        html.push_str("</div>\n</div>");
        html
    }

    /// Shows the tokens inline in Jupyter (called by the evcxr kernel).
    pub fn evcxr_display(&self) {
        html::display(&self.to_html());
    }
}

/// The first 600 characters of `text` (cut at a space), escaped, its `<br />` tags as
/// line breaks.
fn quote(text: &str) -> String {
    let clean = text.replace("<br />", "\n");
    let mut quoted: String = clean.chars().take(QUOTED).collect();
    if quoted.len() < clean.len() {
        if let Some(space) = quoted.rfind(char::is_whitespace) {
            quoted.truncate(space);
        }
        quoted.push_str(" …");
    }
    escape(&quoted).replace('\n', "<br>")
}

/// One token: the (escaped) word above its id (`u32::MAX`: no id), in a small box.
fn chip(word: &str, id: u32, style: &str) -> String {
    let id = match id {
        u32::MAX => String::new(),
        id => id.to_string(),
    };
    format!(
        "<span style=\"display:inline-block;margin:1px;padding:0 4px;border:1px solid #ccc;\
         border-radius:3px;text-align:center;line-height:1.25;{style}\">{word}<br>\
         <small style=\"color:#666\">{id}</small></span>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_words_are_grey_unknown_red_and_padding_one_chip() {
        let vocab = Vocabulary::fit(&["good film"], 10);
        let long = tokens(&vocab, "Good bad film", 2).to_html();
        assert!(long.contains("3 tokens, 1 outside"), "{long}");
        assert!(long.contains("the first 1 (grey)"));
        assert_eq!(long.matches("opacity:0.35").count(), 1);
        assert!(long.contains("background:#fde0dd"));
        let short = tokens(&vocab, "good <film>", 4).to_html();
        assert!(short.contains("&lt;pad&gt; ×2") && !short.contains("<film>"));
        let quoted = quote(&format!("a<br />b {}", "word ".repeat(200)));
        assert!(
            quoted.starts_with("a<br>b word") && quoted.ends_with("word …"),
            "{quoted}"
        );
        let many = "x ".repeat(100) + "film";
        let html = tokens(&vocab, &many, 3).to_html();
        assert!(html.contains("… 74 more"), "{html}");
        assert_eq!(
            html.matches("display:inline-block").count(),
            DROPPED_SHOWN + 1 + 3
        );
    }
}
