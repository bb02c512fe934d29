//! HTML the portal writes: every value escaped, one page shell (navigation, language switch, the
//! stylesheet and script it serves itself), and the small pieces pages are made of.

use std::fmt::Write;

use super::i18n::{Lang, Text};

/// `text` safe inside HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `value` safe inside a URL query (percent-encoding everything but unreserved characters).
pub fn query_value(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A whole page: `body` (already HTML) in the shell, in `lang`, at `here` (the path and query the
/// language switch links back to, without `lang`).
pub fn page(lang: Lang, title: &str, here: &str, body: &str, script: bool) -> String {
    let t = |x| lang.t(x);
    let sep = if here.contains('?') { '&' } else { '?' };
    let switch = format!("{here}{sep}lang={}", lang.other().code());
    let nav = [
        ("/", Text::Customer),
        ("/insurer", Text::Insurer),
        ("/regulator", Text::Regulator),
    ]
    .iter()
    .map(|(path, text)| {
        format!(
            "<a href=\"{path}?lang={}\">{}</a>",
            lang.code(),
            escape(t(*text))
        )
    })
    .collect::<Vec<_>>()
    .join(" ");
    let script = if script {
        "<script src=\"/assets/check.js\" defer></script>"
    } else {
        ""
    };
    format!(
        "<!doctype html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · {portal}</title><link rel=\"stylesheet\" href=\"/assets/style.css\">{script}</head>\
         <body><header><strong>{portal}</strong> <nav aria-label=\"{portal}\">{nav}</nav> \
         <a class=\"lang\" id=\"lang-switch\" hreflang=\"{other}\" href=\"{switch}\">{switch_text}</a></header>\
         <main data-lang=\"{code}\"><h1>{title}</h1>{body}</main></body></html>\n",
        code = lang.code(),
        title = escape(title),
        portal = escape(t(Text::Portal)),
        other = lang.other().code(),
        switch = escape(&switch),
        switch_text = escape(t(Text::SwitchLanguage)),
    )
}

/// A table with a caption, `head` cells and `rows` (cells already HTML), and the note naming where
/// its figures come from; "nothing found" when there are no rows.
pub fn table(
    lang: Lang,
    caption: &str,
    head: &[Text],
    rows: &[Vec<String>],
    source: &str,
) -> String {
    let mut out = format!("<section><h2>{}</h2>", escape(caption));
    if rows.is_empty() {
        let _ = write!(out, "<p>{}</p>", escape(lang.t(Text::Nothing)));
    } else {
        out.push_str("<div class=\"scroll\"><table><thead><tr>");
        for h in head {
            let _ = write!(out, "<th scope=\"col\">{}</th>", escape(lang.t(*h)));
        }
        out.push_str("</tr></thead><tbody>");
        for row in rows {
            out.push_str("<tr>");
            for cell in row {
                let _ = write!(out, "<td>{cell}</td>");
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table></div>");
    }
    let _ = write!(
        out,
        "<p class=\"source\">{}: {}</p></section>",
        escape(lang.t(Text::Source)),
        escape(source)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_wherever_they_land() {
        assert_eq!(
            escape("<script>\"x\" & 'y'</script>"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(query_value("5G&x=<1>"), "5G%26x%3D%3C1%3E");
        let html = page(Lang::En, "<b>", "/?meter=<1>", "", false);
        assert!(html.contains("<title>&lt;b&gt; ·"));
        assert!(html.contains("href=\"/?meter=&lt;1&gt;&amp;lang=zh-CN\""));
        assert!(!html.contains("<b>"));
    }
}
