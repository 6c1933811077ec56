//! One escaping filter per target syntax.
//!
//! Validation already keeps every value to the characters its field allows; these filters
//! are the second wall. Each writes a value so that the target's parser reads it back as
//! exactly one value, and refuses (a template error, so the render fails) what the syntax
//! cannot hold at all, rather than emitting something that could become a directive.

/// A value a target syntax cannot hold.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {value:?} into {syntax}: {why}")]
pub struct Error {
    syntax: &'static str,
    value: String,
    why: &'static str,
}

/// An escaping function: the value written for its syntax, or why it cannot be.
pub type Escape = fn(&str) -> Result<String, Error>;

/// Every filter by the name templates call it with (`{{ value | nginx }}`).
pub const FILTERS: &[(&str, Escape)] = &[
    ("nginx", nginx),
    ("vcl", vcl),
    ("haproxy", haproxy),
    ("supervisor", supervisor),
    ("zconfig", zconfig),
    ("ini", ini),
    ("mysql_option", mysql_option),
    ("sql", sql),
    ("sql_ident", sql_ident),
    ("shell", shell),
    ("yaml", yaml),
    ("ansible", ansible),
];

fn refuse(syntax: &'static str, value: &str, why: &'static str) -> Error {
    Error {
        syntax,
        value: value.to_string(),
        why,
    }
}

fn no_control(syntax: &'static str, value: &str) -> Result<(), Error> {
    if value.chars().any(char::is_control) {
        Err(refuse(
            syntax,
            value,
            "it contains a control character or line break",
        ))
    } else {
        Ok(())
    }
}

/// An nginx string argument in double quotes. nginx has no escape for `$` (it starts a
/// variable), so a `$` is refused.
pub fn nginx(value: &str) -> Result<String, Error> {
    no_control("nginx", value)?;
    if value.contains('$') {
        return Err(refuse("nginx", value, "'$' would start a variable"));
    }
    Ok(format!(
        "\"{}\"",
        value.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

/// A VCL string literal. VCL's `"..."` strings have no escapes, so `"` is refused.
pub fn vcl(value: &str) -> Result<String, Error> {
    no_control("VCL", value)?;
    if value.contains('"') {
        return Err(refuse("VCL", value, "a VCL string cannot hold '\"'"));
    }
    Ok(format!("\"{value}\""))
}

/// An HAProxy word. Single quotes are literal (no escapes, no `$` expansion); a value
/// that contains a single quote is written in double quotes with `\`, `"` and `$` escaped.
pub fn haproxy(value: &str) -> Result<String, Error> {
    no_control("HAProxy", value)?;
    if !value.contains('\'') {
        return Ok(format!("'{value}'"));
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        if matches!(c, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Ok(out)
}

/// A supervisor value: Python %-interpolation needs `%%`, and `;` or `#` after
/// whitespace would start an inline comment.
pub fn supervisor(value: &str) -> Result<String, Error> {
    no_control("supervisor", value)?;
    let chars: Vec<char> = value.chars().collect();
    if chars
        .windows(2)
        .any(|w| w[0].is_whitespace() && matches!(w[1], ';' | '#'))
    {
        return Err(refuse(
            "supervisor",
            value,
            "';' or '#' after a space starts a comment",
        ));
    }
    if value.trim() != value {
        return Err(refuse(
            "supervisor",
            value,
            "leading or trailing spaces are stripped",
        ));
    }
    Ok(value.replace('%', "%%"))
}

/// A ZConfig value (zope.conf, zodbpack.conf): the rest of the line, `$` doubled.
pub fn zconfig(value: &str) -> Result<String, Error> {
    no_control("ZConfig", value)?;
    if value.trim() != value || value.is_empty() {
        return Err(refuse(
            "ZConfig",
            value,
            "a value cannot be empty or start or end with spaces",
        ));
    }
    Ok(value.replace('$', "$$"))
}

/// An INI value for PasteDeploy (zope.ini): `%` doubled for configparser.
pub fn ini(value: &str) -> Result<String, Error> {
    no_control("INI", value)?;
    if value.trim() != value {
        return Err(refuse(
            "INI",
            value,
            "leading or trailing spaces are stripped",
        ));
    }
    Ok(value.replace('%', "%%"))
}

/// A value of a MariaDB/MySQL option file (`[client]` of `etc/backup.cnf`) in double
/// quotes: `\\` and `"` escaped, a `#` kept (the reader ends a comment only outside
/// quotes); a line break or other control character refused.
pub fn mysql_option(value: &str) -> Result<String, Error> {
    no_control("MariaDB option file", value)?;
    Ok(format!(
        "\"{}\"",
        value.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

/// A MariaDB/MySQL string literal in single quotes, with the backslash escapes of the
/// default SQL mode.
pub fn sql(value: &str) -> Result<String, Error> {
    let mut out = String::from("'");
    for c in value.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{1a}' => out.push_str("\\Z"),
            c => out.push(c),
        }
    }
    out.push('\'');
    Ok(out)
}

/// A MariaDB/MySQL identifier in backquotes.
pub fn sql_ident(value: &str) -> Result<String, Error> {
    no_control("SQL", value)?;
    Ok(format!("`{}`", value.replace('`', "``")))
}

/// A POSIX shell word in single quotes.
pub fn shell(value: &str) -> Result<String, Error> {
    if value.contains('\0') {
        return Err(refuse("shell", value, "a NUL byte cannot be passed"));
    }
    if !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"%+,-./:=@_".contains(&b))
    {
        return Ok(value.to_string());
    }
    Ok(format!("'{}'", value.replace('\'', "'\\''")))
}

/// A YAML string in double quotes, read back as exactly the value: `\` and `"` escaped,
/// and every character YAML could read as a line break or cannot print written as a
/// `\u` escape. Keys of an Ansible inventory (host and group names) are written so.
pub fn yaml(value: &str) -> Result<String, Error> {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(out)
}

/// An Ansible value (inventory, playbook variables): a [`yaml`] string tagged `!unsafe`,
/// so that Ansible never evaluates a `{{` or `{%` in it as a template (a password such
/// as `{{ lookup('pipe', 'id') }}` would otherwise run a command on the controller).
pub fn ansible(value: &str) -> Result<String, Error> {
    Ok(format!("!unsafe {}", yaml(value)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a filter over inputs and compares with what the target should read.
    fn check(filter: fn(&str) -> Result<String, Error>, cases: &[(&str, Option<&str>)]) {
        for (input, expected) in cases {
            let got = filter(input).ok();
            assert_eq!(got.as_deref(), *expected, "input {input:?}");
        }
    }

    #[test]
    fn each_syntax() {
        check(
            nginx,
            &[
                ("etc/a.crt", Some("\"etc/a.crt\"")),
                ("a\"b", Some("\"a\\\"b\"")),
                ("$x", None),
                ("a\nb", None),
            ],
        );
        check(vcl, &[("10.0.0.1", Some("\"10.0.0.1\"")), ("a\"b", None)]);
        check(
            haproxy,
            &[
                ("p@ss", Some("'p@ss'")),
                ("it's $x", Some("\"it's \\$x\"")),
                ("a\nb", None),
            ],
        );
        check(
            supervisor,
            &[
                ("50%", Some("50%%")),
                ("a;b", Some("a;b")),
                ("a ;b", None),
                (" a", None),
            ],
        );
        check(
            zconfig,
            &[("pa$s", Some("pa$$s")), ("#x", Some("#x")), ("", None)],
        );
        check(ini, &[("1%", Some("1%%"))]);
        check(
            mysql_option,
            &[
                ("s3cr%t'#;", Some("\"s3cr%t'#;\"")),
                ("a\"b\\c", Some("\"a\\\"b\\\\c\"")),
                (" a ", Some("\" a \"")),
                ("a\nb", None),
            ],
        );
        check(
            sql,
            &[("it's \\", Some("'it''s \\\\'")), ("a\nb", Some("'a\\nb'"))],
        );
        check(sql_ident, &[("zo`db", Some("`zo``db`"))]);
        check(
            shell,
            &[
                ("plain-1.0", Some("plain-1.0")),
                ("a b", Some("'a b'")),
                ("it's", Some("'it'\\''s'")),
                ("", Some("''")),
            ],
        );
        check(
            yaml,
            &[
                ("yes", Some("\"yes\"")),
                ("a\"b\\c", Some("\"a\\\"b\\\\c\"")),
            ],
        );
        check(
            ansible,
            &[
                ("/srv/plone", Some("!unsafe \"/srv/plone\"")),
                ("a\"b\\c", Some("!unsafe \"a\\\"b\\\\c\"")),
                ("{{ x }}", Some("!unsafe \"{{ x }}\"")),
                ("a\nb\u{2028}", Some("!unsafe \"a\\u000ab\\u2028\"")),
            ],
        );
    }
}
