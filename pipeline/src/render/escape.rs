//! Escaping of untrusted text for Markdown output.

/// Escapes `text` for Markdown: HTML's `<`, `>` and `&` become entities (a
/// Markdown viewer would otherwise render inline HTML), Markdown's
/// punctuation gets a backslash, and line breaks become spaces so a
/// transcript line cannot start a heading, list or table row of its own.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' | '\n' => out.push(' '),
            // Brackets suffice to break links and images; parentheses stay
            // readable.
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_and_html_are_inert() {
        assert_eq!(
            markdown("<img src=x> *a* [l](u)\n# h | c"),
            r"&lt;img src=x&gt; \*a\* \[l\](u) \# h \| c"
        );
    }
}
