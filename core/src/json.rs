//! JSON for the saved format and share links: a value tree, a reader that says where the
//! text went wrong, and a writer, compact or pretty.
//!
//! The engine used serde and serde_json; they made up a tenth of the designer's wasm, half
//! of it generic code instantiated once per type and per reader. The saved format is
//! small and fixed, so `format` maps it by hand onto this tree, and the wasm carries one
//! reader and one writer.
//!
//! Objects keep their keys in the order they were written, as the saved format's fields
//! have a fixed order; two objects are equal when they hold the same keys with equal
//! values, in any order. Numbers keep the text they were written with: the format stores
//! a number as the text the user typed.

use std::fmt::Write as _;
use std::ops::{Index, IndexMut};

/// How deep arrays and objects may nest: far beyond any design, and a bound that keeps a
/// hostile link from exhausting the stack.
const MAX_DEPTH: usize = 128;

/// How many members one object may have: far beyond any design (a 64-instance design's
/// largest object has 70), and a bound on the work of looking a key up, since an object
/// keeps its members in a list.
pub const MAX_MEMBERS: usize = 1024;

/// A JSON value.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    /// A number, as written: `8000`, `-1`, `8001.0`, `1e3`.
    Number(String),
    String(String),
    Array(Vec<Value>),
    Object(Map),
}

/// A JSON object: keys in the order they were inserted.
#[derive(Clone, Debug, Default)]
pub struct Map(Vec<(String, Value)>);

/// Why a text is not JSON, and where: line and column count from 1.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message} at line {line} column {column}")]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: &'static str,
}

static NULL: Value = Value::Null;

impl Value {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(map) => map.get(key),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        match self {
            Value::Object(map) => map.get_mut(key),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value as a whole number, when it is written as one.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Takes the value out, leaving null.
    pub fn take(&mut self) -> Value {
        std::mem::take(self)
    }

    /// Sorts every object's keys, at every depth.
    pub fn sort_keys(&mut self) {
        match self {
            Value::Object(map) => {
                map.0.sort_by(|(a, _), (b, _)| a.cmp(b));
                map.0.iter_mut().for_each(|(_, v)| v.sort_keys());
            }
            Value::Array(items) => items.iter_mut().for_each(Value::sort_keys),
            _ => {}
        }
    }

    /// What the value is, for messages: `string "80x"`, `number 8.5`, `true`, `null`,
    /// `an array`, `an object`.
    pub fn describe(&self) -> String {
        match self {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => format!("number {n}"),
            Value::String(s) => format!("string {s:?}"),
            Value::Array(_) => "an array".into(),
            Value::Object(_) => "an object".into(),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(n.to_string())
    }
}

/// `value["key"]`: the member, or null when there is none.
impl Index<&str> for Value {
    type Output = Value;

    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

/// `value["key"] = ..`: the member, added as null when missing; a value that is not an
/// object becomes an empty one first.
impl IndexMut<&str> for Value {
    fn index_mut(&mut self, key: &str) -> &mut Value {
        if !self.is_object() {
            *self = Value::Object(Map::new());
        }
        match self {
            Value::Object(map) => map.entry(key),
            _ => unreachable!("made an object above"),
        }
    }
}

/// `value[i]`: an array's item, or null.
impl Index<usize> for Value {
    type Output = Value;

    fn index(&self, i: usize) -> &Value {
        match self {
            Value::Array(items) => items.get(i).unwrap_or(&NULL),
            _ => &NULL,
        }
    }
}

impl IndexMut<usize> for Value {
    /// Panics when there is no item `i`, like a slice.
    fn index_mut(&mut self, i: usize) -> &mut Value {
        match self {
            Value::Array(items) => &mut items[i],
            _ => panic!("indexed a JSON value that is not an array"),
        }
    }
}

impl Map {
    pub fn new() -> Self {
        Map(Vec::new())
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key`, in place when it is there, else at the end.
    pub fn insert(&mut self, key: String, value: Value) {
        match self.get_mut(&key) {
            Some(old) => *old = value,
            None => self.0.push((key, value)),
        }
    }

    /// The member `key`, added as null at the end when missing.
    pub fn entry(&mut self, key: &str) -> &mut Value {
        let at = match self.0.iter().position(|(k, _)| k == key) {
            Some(at) => at,
            None => {
                self.0.push((key.into(), Value::Null));
                self.0.len() - 1
            }
        };
        &mut self.0[at].1
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let at = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(at).1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Value> {
        self.0.iter_mut().map(|(_, v)| v)
    }
}

impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(entries: I) -> Self {
        let mut map = Map::new();
        for (k, v) in entries {
            map.insert(k, v);
        }
        map
    }
}

/// Reads a JSON text: one value, with white space around it.
pub fn parse(text: &str) -> Result<Value, SyntaxError> {
    let mut reader = Reader {
        text: text.as_bytes(),
        at: 0,
    };
    let value = reader.value(0)?;
    reader.space();
    if reader.at < text.len() {
        return Err(reader.error("trailing characters"));
    }
    Ok(value)
}

struct Reader<'a> {
    text: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn error(&self, message: &'static str) -> SyntaxError {
        let before = &self.text[..self.at.min(self.text.len())];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        // Columns count characters, not bytes.
        let column = before[line_start..]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count();
        SyntaxError {
            line: before.iter().filter(|&&b| b == b'\n').count() + 1,
            column: column + 1,
            message,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Reads the next non-space byte, which must be `byte`.
    fn expect(&mut self, byte: u8, message: &'static str) -> Result<(), SyntaxError> {
        self.space();
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.eof_or(message))
        }
    }

    fn eof_or(&self, message: &'static str) -> SyntaxError {
        if self.at >= self.text.len() {
            self.error("EOF while parsing a value")
        } else {
            self.error(message)
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, SyntaxError> {
        if depth >= MAX_DEPTH {
            return Err(self.error("recursion limit exceeded"));
        }
        self.space();
        match self.peek() {
            Some(b'{') => {
                self.at += 1;
                let mut map = Map::new();
                self.space();
                if self.peek() == Some(b'}') {
                    self.at += 1;
                    return Ok(Value::Object(map));
                }
                loop {
                    self.space();
                    if self.peek() != Some(b'"') {
                        return Err(self.eof_or("key must be a string"));
                    }
                    let key = self.string()?;
                    self.expect(b':', "expected `:`")?;
                    let value = self.value(depth + 1)?;
                    map.insert(key, value);
                    if map.len() > MAX_MEMBERS {
                        return Err(self.error("an object has more than 1024 members"));
                    }
                    if self.list_ends(b'}', "expected `,` or `}`")? {
                        return Ok(Value::Object(map));
                    }
                }
            }
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                self.space();
                if self.peek() == Some(b']') {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if self.list_ends(b']', "expected `,` or `]`")? {
                        return Ok(Value::Array(items));
                    }
                }
            }
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'n') => self.word("null", Value::Null),
            _ => Err(self.eof_or("expected value")),
        }
    }

    /// After an item: `true` at the closing `end`, `false` after a comma.
    fn list_ends(&mut self, end: u8, message: &'static str) -> Result<bool, SyntaxError> {
        self.space();
        match self.peek() {
            Some(b',') => {
                self.at += 1;
                Ok(false)
            }
            Some(b) if b == end => {
                self.at += 1;
                Ok(true)
            }
            _ => Err(self.eof_or(message)),
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, SyntaxError> {
        if self.text[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error("expected value"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        self.at - start
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`, kept as text.
    fn number(&mut self) -> Result<Value, SyntaxError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let leading_zero = self.peek() == Some(b'0');
        let whole = self.digits();
        if whole == 0 || (leading_zero && whole > 1) {
            return Err(self.error("invalid number"));
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        let text = std::str::from_utf8(&self.text[start..self.at]).expect("ASCII digits");
        Ok(Value::Number(text.into()))
    }

    /// A string, the reader on its opening quote.
    fn string(&mut self) -> Result<String, SyntaxError> {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            let Some(b) = self.peek() else {
                return Err(self.error("EOF while parsing a string"));
            };
            self.at += 1;
            match b {
                b'"' => break,
                b'\\' => {
                    let escaped = self
                        .peek()
                        .ok_or_else(|| self.error("EOF while parsing a string"))?;
                    self.at += 1;
                    let c = match escaped {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(self.error("invalid escape")),
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1F => {
                    self.at -= 1;
                    return Err(self.error("control character found while parsing a string"));
                }
                _ => out.push(b),
            }
        }
        // The input is a `str` and escapes are whole characters, so this holds.
        String::from_utf8(out).map_err(|_| self.error("invalid unicode in string"))
    }

    /// The character of `\uXXXX`, or of a surrogate pair `\uD83D\uDE00`.
    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.text[self.at..].starts_with(b"\\u") {
                    return Err(self.error("lone leading surrogate in hex escape"));
                }
                self.at += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("lone leading surrogate in hex escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("lone trailing surrogate in hex escape")),
            code => code,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid escape"))
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| (b as char).to_digit(16))
                .ok_or_else(|| self.error("invalid escape"))?;
            code = code * 16 + digit;
            self.at += 1;
        }
        Ok(code)
    }
}

/// The value as compact JSON: `{"a":[1,2]}`.
pub fn to_compact(value: &Value) -> String {
    let mut out = String::new();
    write(&mut out, value, None);
    out
}

/// The value as JSON indented by two spaces, one member or item a line.
pub fn to_pretty(value: &Value) -> String {
    let mut out = String::new();
    write(&mut out, value, Some(0));
    out
}

/// Writes `value`; `indent` is the current depth when pretty, `None` when compact.
fn write(out: &mut String, value: &Value, indent: Option<usize>) {
    let (open, close, len) = match value {
        Value::Null => return out.push_str("null"),
        Value::Bool(b) => return out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => return out.push_str(n),
        Value::String(s) => return write_string(out, s),
        Value::Array(items) => ('[', ']', items.len()),
        Value::Object(map) => ('{', '}', map.len()),
    };
    out.push(open);
    let inner = indent.map(|depth| depth + 1);
    for i in 0..len {
        if i > 0 {
            out.push(',');
        }
        new_line(out, inner);
        match value {
            Value::Array(items) => write(out, &items[i], inner),
            Value::Object(map) => {
                let (key, item) = &map.0[i];
                write_string(out, key);
                out.push_str(if indent.is_some() { ": " } else { ":" });
                write(out, item, inner);
            }
            _ => unreachable!("only arrays and objects have items"),
        }
    }
    if len > 0 {
        new_line(out, indent);
    }
    out.push(close);
}

fn new_line(out: &mut String, indent: Option<usize>) {
    if let Some(depth) = indent {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
}

/// A string in quotes, escaping what JSON requires: quotes, backslashes and control
/// characters.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn values() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "\\PC*|[\u{0}-\u{1f}\"\\\\/]*".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(("\\PC{0,8}", inner), 0..6)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn what_is_written_reads_back(value in values()) {
            prop_assert_eq!(parse(&to_compact(&value)), Ok(value.clone()));
            prop_assert_eq!(parse(&to_pretty(&value)), Ok(value));
        }

        /// serde_json wrote links and files before this module; with keys in its
        /// (sorted) order, both write the same bytes.
        #[test]
        fn writes_what_serde_json_writes(value in values()) {
            let mut sorted = value;
            sorted.sort_keys();
            let theirs: serde_json::Value = serde_json::from_str(&to_compact(&sorted)).unwrap();
            prop_assert_eq!(to_compact(&sorted), serde_json::to_string(&theirs).unwrap());
            prop_assert_eq!(to_pretty(&sorted), serde_json::to_string_pretty(&theirs).unwrap());
        }

        #[test]
        fn any_text_is_read_or_refused_without_panicking(text in "\\PC{0,60}|[\\[\\]{}\":,0-9.eE+\\-tfnul\\\\ ]{0,60}") {
            if let Ok(value) = parse(&text) {
                prop_assert_eq!(parse(&to_compact(&value)), Ok(value));
            }
        }
    }

    #[test]
    fn reads_and_writes_every_kind_of_value() {
        let text = r#"{"a": [1, -2.5e3, true, false, null], "b": {"c": "d\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}, "e": {}, "f": []}"#;
        let value = parse(text).unwrap();
        assert_eq!(value["a"][1], Value::Number("-2.5e3".into()));
        assert_eq!(value["b"]["c"].as_str(), Some("d\"\\/\u{8}\u{c}\n\r\té😀"));
        assert_eq!(
            to_compact(&value),
            r#"{"a":[1,-2.5e3,true,false,null],"b":{"c":"d\"\\/\b\f\n\r\té😀"},"e":{},"f":[]}"#
        );
        assert_eq!(parse(&to_compact(&value)), Ok(value.clone()));
        assert_eq!(parse(&to_pretty(&value)), Ok(value));
    }

    #[test]
    fn pretty_output_indents_by_two_spaces() {
        let value = parse(r#"{"a":[1,{"b":null}],"c":{},"d":[]}"#).unwrap();
        assert_eq!(
            to_pretty(&value),
            "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": {},\n  \"d\": []\n}"
        );
    }

    #[test]
    fn control_characters_are_escaped() {
        let value = Value::from("\u{1}\u{1f}\u{7f}");
        assert_eq!(to_compact(&value), "\"\\u0001\\u001f\u{7f}\"");
    }

    #[test]
    fn errors_say_where() {
        let error = |text: &str| {
            let e = parse(text).unwrap_err();
            (e.line, e.column, e.message)
        };
        assert_eq!(
            error("{\n  \"version\": 1,\n  oops"),
            (3, 3, "key must be a string")
        );
        assert_eq!(error(""), (1, 1, "EOF while parsing a value"));
        assert_eq!(error("[1, 2"), (1, 6, "EOF while parsing a value"));
        assert_eq!(error("[1 2]"), (1, 4, "expected `,` or `]`"));
        assert_eq!(error("{\"a\" 1}"), (1, 6, "expected `:`"));
        assert_eq!(error("01"), (1, 3, "invalid number"));
        assert_eq!(error("1."), (1, 3, "invalid number"));
        assert_eq!(error("\"é\\x\""), (1, 5, "invalid escape"));
        assert_eq!(
            error("\"a\nb\""),
            (1, 3, "control character found while parsing a string")
        );
        assert_eq!(
            error("\"\\ud800\""),
            (1, 8, "lone leading surrogate in hex escape")
        );
        assert_eq!(error("\"abc"), (1, 5, "EOF while parsing a string"));
        assert_eq!(error("nul"), (1, 1, "expected value"));
        assert_eq!(error("{} x"), (1, 4, "trailing characters"));
        assert_eq!(
            parse("{\"a\" 1}").unwrap_err().to_string(),
            "expected `:` at line 1 column 6"
        );
    }

    #[test]
    fn huge_objects_are_refused() {
        let members = |n: usize| {
            let list: Vec<String> = (0..n).map(|i| format!("\"k{i}\": {i}")).collect();
            format!("{{{}}}", list.join(","))
        };
        assert!(parse(&members(MAX_MEMBERS)).is_ok());
        assert_eq!(
            parse(&members(MAX_MEMBERS + 1)).unwrap_err().message,
            "an object has more than 1024 members"
        );
        // Repeated keys count once: the last one wins.
        let repeated = format!("{{{}}}", vec!["\"k\": 1"; 2000].join(","));
        assert_eq!(to_compact(&parse(&repeated).unwrap()), r#"{"k":1}"#);
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        assert_eq!(
            parse(&deep).unwrap_err().message,
            "recursion limit exceeded"
        );
        let fine = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse(&fine).is_ok());
    }

    #[test]
    fn objects_are_equal_in_any_order_and_keep_theirs() {
        let a = parse(r#"{"x": 1, "y": [2]}"#).unwrap();
        let b = parse(r#"{"y": [2], "x": 1}"#).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, parse(r#"{"x": 1}"#).unwrap());
        assert_eq!(to_compact(&b), r#"{"y":[2],"x":1}"#);
        let mut sorted = b;
        sorted.sort_keys();
        assert_eq!(to_compact(&sorted), r#"{"x":1,"y":[2]}"#);
    }

    #[test]
    fn members_are_set_in_place_or_added_at_the_end() {
        let mut value = parse(r#"{"a": 1, "b": 2}"#).unwrap();
        value["a"] = Value::from("one");
        value["c"]["d"] = Value::Bool(true);
        assert_eq!(to_compact(&value), r#"{"a":"one","b":2,"c":{"d":true}}"#);
        assert_eq!(value["missing"], Value::Null);
        assert_eq!(
            value.as_object_mut().unwrap().remove("b"),
            Some(Value::Number("2".into()))
        );
        assert_eq!(to_compact(&value), r#"{"a":"one","c":{"d":true}}"#);
    }
}
