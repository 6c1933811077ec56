//! buildout's configuration language, as zc.buildout reads it: sections, options and
//! continuation lines, comments, `extends`, `+=` and `-=`, `<=` macros and
//! `${section:option}` substitution.
//!
//! It works on text only: the caller hands over every file as a map from path to text,
//! and whatever buildout would have fetched or computed (remote `extends`, options a
//! recipe sets while it runs) is reported instead. Every value remembers the file and
//! line it came from, so the importer can say where each thing it did not understand is.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How deep `extends`, `<=` macros and substitutions may nest before the importer gives
/// up on that branch. buildout has no such limit, but real buildouts stay far below it,
/// and a bound keeps hostile input from exhausting the stack.
const MAX_DEPTH: usize = 64;
/// The largest value substitution may build, so that a few options referencing each
/// other twice cannot grow a value exponentially.
const MAX_VALUE_LEN: usize = 1 << 20;
/// How many bytes substitution may produce over a whole import, for the same reason.
const MAX_TOTAL_LEN: usize = 16 << 20;
/// How many unresolved references one value reports at most.
const MAX_PROBLEMS: usize = 8;

/// A line of a given file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Loc {
    pub file: String,
    /// 1-based; 0 means the file as a whole.
    pub line: usize,
    pub text: String,
}

/// Something the importer wants to tell the user about one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    pub loc: Loc,
    pub reason: String,
}

/// One line of an option's value, with the line of the file it was written on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ValueLine {
    pub text: String,
    pub loc: Loc,
}

/// An option: its value, line by line, and where it was (last) defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Opt {
    /// The `key = ...` line that gave the option its current value.
    pub loc: Loc,
    pub lines: Vec<ValueLine>,
    /// Whether the option came in through a `<=` macro rather than from the section
    /// itself.
    pub inherited: bool,
}

impl Opt {
    /// The raw value, lines joined by newlines, as buildout hands it to a recipe
    /// before substitution.
    pub fn raw(&self) -> String {
        let lines: Vec<&str> = self.lines.iter().map(|l| l.text.as_str()).collect();
        lines.join("\n")
    }
}

/// A section after merging every file that defines it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Section {
    /// Every `[name]` line that opened this section, in every file.
    pub headers: Vec<Loc>,
    /// Options by key. Until `+=`/`-=` have been applied a key may still be pending as
    /// `name +` or `name -`.
    pub options: BTreeMap<String, Opt>,
    /// The sections its `<=` named, in order.
    pub macros: Vec<String>,
}

/// Every section of a buildout after `extends` and `<=` have been applied.
#[derive(Clone, Debug, Default)]
pub(crate) struct Config {
    pub sections: BTreeMap<String, Section>,
    /// The files that were read, in the order they were first read.
    pub files: Vec<String>,
}

/// Why a buildout could not be read at all.
#[derive(Debug)]
pub(crate) enum LoadError {
    MainMissing,
    CyclicExtends(Vec<String>),
}

/// The suffix buildout gives pending `+=` and `-=` options.
const ADD: &str = " +";
const REMOVE: &str = " -";

fn base_name(key: &str) -> &str {
    key.strip_suffix(ADD)
        .or_else(|| key.strip_suffix(REMOVE))
        .unwrap_or(key)
}

/// Normalises an option name as buildout's parser leaves it: `name+` and `name +`
/// are both the pending addition `name +`.
fn normalize_key(raw: &str) -> String {
    let raw = raw.trim_end();
    for (op, suffix) in [('+', ADD), ('-', REMOVE)] {
        if let Some(name) = raw.strip_suffix(op) {
            let name = name.trim_end();
            if !name.is_empty() {
                return format!("{name}{suffix}");
            }
        }
    }
    raw.to_string()
}

/// Reads `main` and every file it extends, merges them and applies `<=` macros.
pub(crate) fn load(
    files: &BTreeMap<String, String>,
    main: &str,
    problems: &mut Vec<Problem>,
) -> Result<Config, LoadError> {
    let by_path: HashMap<String, &str> = files
        .iter()
        .map(|(path, text)| (normalize_path(path), text.as_str()))
        .collect();
    let main = normalize_path(main);
    if !by_path.contains_key(&main) {
        return Err(LoadError::MainMissing);
    }
    let mut loader = Loader {
        files: &by_path,
        read: Vec::new(),
        parsed: HashMap::new(),
        problems,
    };
    let merged = loader.open(&main, &mut Vec::new(), None)?;
    let read = loader.read;
    let mut config = Config {
        sections: merged,
        files: read,
    };
    seed_buildout_defaults(&mut config, &main);
    let problems = loader.problems;
    config.sections = expand_macros(&config.sections, problems);
    Ok(config)
}

/// buildout's own options every buildout can refer to, e.g. `${buildout:directory}`.
fn seed_buildout_defaults(config: &mut Config, main: &str) {
    let folder = match main.rfind('/') {
        Some(i) => main[..i].to_string(),
        None => ".".to_string(),
    };
    let defaults = [
        ("directory", folder.clone()),
        ("bin-directory", format!("{folder}/bin")),
        ("parts-directory", format!("{folder}/parts")),
        ("eggs-directory", format!("{folder}/eggs")),
        ("develop-eggs-directory", format!("{folder}/develop-eggs")),
    ];
    let section = config.sections.entry("buildout".into()).or_default();
    for (key, value) in defaults {
        let loc = Loc {
            file: main.to_string(),
            line: 0,
            text: String::new(),
        };
        section.options.entry(key.into()).or_insert(Opt {
            lines: vec![ValueLine {
                text: value,
                loc: loc.clone(),
            }],
            loc,
            inherited: false,
        });
    }
}

struct Loader<'a> {
    files: &'a HashMap<String, &'a str>,
    read: Vec<String>,
    parsed: HashMap<String, BTreeMap<String, Section>>,
    problems: &'a mut Vec<Problem>,
}

impl Loader<'_> {
    /// buildout's `_open`: the file's sections, on top of the files it extends (merged
    /// in the order listed, later ones winning).
    fn open(
        &mut self,
        path: &str,
        stack: &mut Vec<String>,
        from: Option<&Loc>,
    ) -> Result<BTreeMap<String, Section>, LoadError> {
        if let Some(i) = stack.iter().position(|p| p == path) {
            let mut chain = stack[i..].to_vec();
            chain.push(path.to_string());
            return Err(LoadError::CyclicExtends(chain));
        }
        if stack.len() >= MAX_DEPTH {
            if let Some(loc) = from {
                self.problem(
                    loc,
                    format!("extends nests deeper than {MAX_DEPTH} files; {path} is not read"),
                );
            }
            return Ok(BTreeMap::new());
        }
        let Some(text) = self.files.get(path).copied() else {
            if let Some(loc) = from {
                self.problem(
                    loc,
                    format!("{path} is not among the given files, so its sections are missing from the import"),
                );
            }
            return Ok(BTreeMap::new());
        };
        if !self.read.iter().any(|p| p == path) {
            self.read.push(path.to_string());
        }
        let mut sections = match self.parsed.get(path) {
            Some(sections) => sections.clone(),
            None => {
                let (sections, problems) = parse(path, text);
                // A file extended twice (a diamond) reports its lines once.
                self.problems.extend(problems);
                self.parsed.insert(path.to_string(), sections.clone());
                sections
            }
        };
        // buildout also drops pending `extends +=` lines; they make no sense without a
        // base and would only confuse the report.
        let extends = sections.get_mut("buildout").and_then(|b| {
            take_options(&mut b.options, &["extends", "extends +", "extends -"])
                .into_iter()
                .find_map(|(key, opt)| (key == "extends").then_some(opt))
        });
        let Some(extends) = extends else {
            return Ok(sections);
        };
        stack.push(path.to_string());
        let mut base: Option<BTreeMap<String, Section>> = None;
        for line in &extends.lines {
            for target in line.text.split_whitespace() {
                if target.starts_with("http://") || target.starts_with("https://") {
                    self.problem(
                        &line.loc,
                        format!(
                            "{target} is remote; the importer does not fetch it, so it is skipped"
                        ),
                    );
                    continue;
                }
                if target.contains('$') {
                    self.problem(
                        &line.loc,
                        format!(
                            "{target} uses a substitution, which extends does not support; skipped"
                        ),
                    );
                    continue;
                }
                let resolved = join_path(path, target);
                let loaded = self.open(&resolved, stack, Some(&line.loc))?;
                base = Some(match base {
                    None => loaded,
                    Some(earlier) => update(earlier, loaded),
                });
            }
        }
        stack.pop();
        Ok(match base {
            Some(base) => update(base, sections),
            None => sections,
        })
    }

    fn problem(&mut self, loc: &Loc, reason: String) {
        self.problems.push(Problem {
            loc: loc.clone(),
            reason,
        });
    }
}

/// A path with `.` and `..` folded and `\` read as `/`, as map keys are compared.
pub(crate) fn normalize_path(path: &str) -> String {
    let path = path.replace('\\', "/");
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if matches!(parts.last(), Some(p) if *p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// `target` as named in `from`'s `extends`: relative to `from`'s folder unless absolute.
fn join_path(from: &str, target: &str) -> String {
    if target.starts_with('/') {
        return normalize_path(target);
    }
    match from.rfind('/') {
        Some(i) => normalize_path(&format!("{}/{}", &from[..i], target)),
        None => normalize_path(target),
    }
}

/// An option being read, before its value is finished.
struct Pending {
    key: String,
    loc: Loc,
    /// The value started empty on the `key =` line: blank continuation lines are kept
    /// and the lines are dedented, as buildout does.
    block: bool,
    lines: Vec<ValueLine>,
}

/// Parses one file as buildout's configparser does. Lines it would reject are reported
/// and skipped rather than failing the whole file.
pub(crate) fn parse(file: &str, text: &str) -> (BTreeMap<String, Section>, Vec<Problem>) {
    let mut sections: BTreeMap<String, Section> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut current: Option<String> = None;
    // A conditional section (`[name:expression]`) is reported and its lines skipped.
    let mut skipping = false;
    let mut pending: Option<Pending> = None;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, line) in text.lines().enumerate() {
        let loc = Loc {
            file: file.to_string(),
            line: i + 1,
            text: line.trim_end().to_string(),
        };
        let first = line.chars().next();
        if matches!(first, Some('#' | ';')) {
            continue;
        }
        let starts_blank = first.is_none_or(char::is_whitespace);
        if starts_blank && (pending.is_some() || (skipping && current.is_some())) {
            if skipping {
                continue;
            }
            if let Some(p) = pending.as_mut() {
                let kept = if p.block {
                    line.trim_end()
                } else {
                    line.trim()
                };
                if p.block || !kept.is_empty() {
                    p.lines.push(ValueLine {
                        text: kept.to_string(),
                        loc,
                    });
                }
            }
            continue;
        }
        if let Some(header) = section_header(line) {
            finish(&mut pending, current.as_deref(), &mut sections);
            match header {
                Header::Plain(name) => {
                    skipping = false;
                    sections
                        .entry(name.to_string())
                        .or_default()
                        .headers
                        .push(loc);
                    current = Some(name.to_string());
                }
                Header::Conditional(name) => {
                    skipping = true;
                    current = Some(name.to_string());
                    problems.push(Problem {
                        loc,
                        reason: format!(
                            "[{name}] is a conditional section; the importer does not evaluate conditions, so its lines are skipped"
                        ),
                    });
                }
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        if skipping {
            continue;
        }
        let Some(section) = current.as_deref() else {
            problems.push(Problem {
                loc,
                reason: "text before the first [section] header; buildout refuses it, the importer skips it".into(),
            });
            continue;
        };
        let line = match line.strip_prefix("=>") {
            Some(rest) => format!("<part-dependencies> ={rest}"),
            None => line.to_string(),
        };
        match option_start(&line) {
            Some((key, value)) => {
                finish(&mut pending, Some(section), &mut sections);
                let value = value.trim();
                let mut lines = Vec::new();
                if !value.is_empty() {
                    lines.push(ValueLine {
                        text: value.to_string(),
                        loc: loc.clone(),
                    });
                }
                pending = Some(Pending {
                    key: normalize_key(key),
                    loc,
                    block: value.is_empty(),
                    lines,
                });
            }
            None => {
                // buildout keeps the current option open after a bad line, so later
                // indented lines still continue it.
                problems.push(Problem {
                    loc,
                    reason: "neither a [section] header, a `key = value` line, a continuation line nor a comment; skipped".into(),
                });
            }
        }
    }
    finish(&mut pending, current.as_deref(), &mut sections);
    (sections, problems)
}

enum Header<'a> {
    Plain(&'a str),
    Conditional(&'a str),
}

/// `[name]`, optionally followed by a `#` or `;` comment; `[name: expression]` is a
/// conditional section.
fn section_header(line: &str) -> Option<Header<'_>> {
    let rest = line.strip_prefix('[')?;
    let close = rest.find(']')?;
    let after = rest[close + 1..].trim();
    if !(after.is_empty() || after.starts_with('#') || after.starts_with(';')) {
        // `[name: [a, b]]`-style expressions contain brackets; only the simple forms
        // are recognised, anything else is not a header.
        return None;
    }
    let inside = &rest[..close];
    let (name, conditional) = match inside.split_once(':') {
        Some((name, _)) => (name.trim(), true),
        None => (inside.trim(), false),
    };
    let valid = !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '#' | '[' | ']' | ':' | ';' | '{' | '}'));
    if !valid {
        return None;
    }
    Some(if conditional {
        Header::Conditional(name)
    } else {
        Header::Plain(name)
    })
}

/// `name = value`, where the name has no whitespace, braces, brackets, `=` or `:`,
/// except a space before a trailing `+` or `-`.
fn option_start(line: &str) -> Option<(&str, &str)> {
    let eq = line.find('=')?;
    let (key, value) = (&line[..eq], &line[eq + 1..]);
    let name = key.trim_end();
    let name = name
        .strip_suffix('+')
        .or_else(|| name.strip_suffix('-'))
        .map_or(name, str::trim_end);
    let valid = !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '{' | '}' | '[' | ']' | '=' | ':'));
    valid.then_some((key, value))
}

/// Ends the option being read: dedents a block value and merges it into its section
/// as buildout's `_merge_option` does (`=` replaces and cancels pending `+=`/`-=`;
/// repeated `+=` accumulate).
fn finish(
    pending: &mut Option<Pending>,
    section: Option<&str>,
    sections: &mut BTreeMap<String, Section>,
) {
    let (Some(p), Some(section)) = (pending.take(), section) else {
        return;
    };
    let mut lines = p.lines;
    if p.block {
        dedent(&mut lines);
    }
    let section = sections.entry(section.to_string()).or_default();
    let is_op = p.key.ends_with(ADD) || p.key.ends_with(REMOVE);
    if is_op {
        if let Some(existing) = section.options.get_mut(&p.key) {
            existing.lines.extend(lines);
            existing.loc = p.loc;
            return;
        }
    } else {
        let (add, remove) = (format!("{}{ADD}", p.key), format!("{}{REMOVE}", p.key));
        take_options(&mut section.options, &[&add, &remove]);
    }
    section.options.insert(
        p.key,
        Opt {
            loc: p.loc,
            lines,
            inherited: false,
        },
    );
}

/// textwrap.dedent plus the removal of leading and trailing blank lines.
fn dedent(lines: &mut Vec<ValueLine>) {
    while lines.last().is_some_and(|l| l.text.trim().is_empty()) {
        lines.pop();
    }
    while lines.first().is_some_and(|l| l.text.trim().is_empty()) {
        lines.remove(0);
    }
    for l in lines.iter_mut() {
        if l.text.trim().is_empty() {
            l.text.clear();
        }
    }
    let margin = lines
        .iter()
        .filter(|l| !l.text.is_empty())
        .map(|l| {
            let end = l.text.len() - l.text.trim_start().len();
            &l.text[..end]
        })
        .reduce(|a, b| {
            let common = a
                .char_indices()
                .zip(b.chars())
                .find(|((_, x), y)| x != y)
                .map_or(a.len().min(b.len()), |((i, _), _)| i);
            &a[..common]
        })
        .unwrap_or("")
        .to_string();
    if margin.is_empty() {
        return;
    }
    for l in lines.iter_mut() {
        if let Some(rest) = l.text.strip_prefix(margin.as_str()) {
            l.text = rest.to_string();
        }
    }
}

/// Takes the options named `keys` out of `options`, and returns those there were.
fn take_options(options: &mut BTreeMap<String, Opt>, keys: &[&str]) -> Vec<(String, Opt)> {
    keys.iter()
        .filter_map(|key| options.remove_entry(*key))
        .collect()
}

/// buildout's `_update`: `over`'s sections on top of `base`'s.
pub(crate) fn update(
    mut base: BTreeMap<String, Section>,
    over: BTreeMap<String, Section>,
) -> BTreeMap<String, Section> {
    for (name, section) in over {
        match base.entry(name) {
            Entry::Occupied(mut existing) => {
                let slot = existing.get_mut();
                *slot = update_section(std::mem::take(slot), section);
            }
            Entry::Vacant(slot) => {
                slot.insert(section);
            }
        }
    }
    base
}

/// buildout's `_update_section`: `over`'s options replace `base`'s; `name +=` adds
/// lines to the value `name` has so far (in `over`, else in `base`), `name -=` removes
/// lines from it.
pub(crate) fn update_section(base: Section, over: Section) -> Section {
    let mut result = base;
    result.headers.extend(over.headers);
    let names: BTreeSet<String> = over
        .options
        .keys()
        .map(|k| base_name(k).to_string())
        .collect();
    for name in names {
        let plain = over.options.get(&name);
        let add = over.options.get(&format!("{name}{ADD}"));
        let remove = over.options.get(&format!("{name}{REMOVE}"));
        let mut value = match plain.or_else(|| result.options.get(&name)) {
            Some(v) => v.clone(),
            None => {
                let loc = add.or(remove).map(|o| o.loc.clone()).unwrap_or(Loc {
                    file: String::new(),
                    line: 0,
                    text: String::new(),
                });
                Opt {
                    loc,
                    lines: Vec::new(),
                    inherited: false,
                }
            }
        };
        if let Some(add) = add {
            value.lines.extend(add.lines.iter().cloned());
            value.loc = add.loc.clone();
            value.inherited = false;
        }
        if let Some(remove) = remove {
            let gone: Vec<&str> = remove.lines.iter().map(|l| l.text.trim()).collect();
            value.lines.retain(|l| !gone.contains(&l.text.trim()));
            value.loc = remove.loc.clone();
            value.inherited = false;
        }
        let (add, remove) = (format!("{name}{ADD}"), format!("{name}{REMOVE}"));
        take_options(&mut result.options, &[&add, &remove]);
        result.options.insert(name, value);
    }
    result
}

/// Applies `<=` to every section, then any `+=`/`-=` still pending (a section that
/// only exists in one file has nothing to add to but its own options).
fn expand_macros(
    raw: &BTreeMap<String, Section>,
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, Section> {
    let mut done: HashMap<String, Section> = HashMap::new();
    let mut result = BTreeMap::new();
    for name in raw.keys() {
        let mut doing = Vec::new();
        let expanded = expand(name, raw, &mut done, &mut doing, problems);
        result.insert(name.clone(), settle(expanded));
    }
    result
}

fn expand(
    name: &str,
    raw: &BTreeMap<String, Section>,
    done: &mut HashMap<String, Section>,
    doing: &mut Vec<String>,
    problems: &mut Vec<Problem>,
) -> Section {
    if let Some(section) = done.get(name) {
        return section.clone();
    }
    let Some(section) = raw.get(name) else {
        return Section::default();
    };
    let Some(macro_opt) = section.options.get("<").cloned() else {
        return section.clone();
    };
    let mut own = section.clone();
    take_options(&mut own.options, &["<"]);
    // buildout: the [buildout] section ignores `<=`.
    if name == "buildout" {
        return own;
    }
    if doing.iter().any(|d| d == name) || doing.len() >= MAX_DEPTH {
        let mut chain = doing.clone();
        chain.push(name.to_string());
        problems.push(Problem {
            loc: macro_opt.loc.clone(),
            reason: format!(
                "the <= macros loop or nest too deeply ({}); [{name}] is read without them",
                chain.join(" <= ")
            ),
        });
        return own;
    }
    doing.push(name.to_string());
    let mut inherited = Section::default();
    let mut sources = Vec::new();
    for line in &macro_opt.lines {
        for source in line.text.split_whitespace() {
            sources.push(source.to_string());
            if !raw.contains_key(source) {
                problems.push(Problem {
                    loc: line.loc.clone(),
                    reason: format!(
                        "[{name}] takes its options from [{source}], which no given file defines"
                    ),
                });
                continue;
            }
            let from = expand(source, raw, done, doing, problems);
            for (key, mut opt) in from.options {
                opt.inherited = true;
                inherited.options.insert(key, opt);
            }
        }
    }
    doing.pop();
    let mut result = update_section(inherited, own);
    result.headers = section.headers.clone();
    result.macros = sources;
    done.insert(name.to_string(), result.clone());
    result
}

/// Applies the `+=`/`-=` options that found no base to the section's own values.
fn settle(section: Section) -> Section {
    let (ops, plain): (BTreeMap<String, Opt>, BTreeMap<String, Opt>) = section
        .options
        .into_iter()
        .partition(|(k, _)| k.ends_with(ADD) || k.ends_with(REMOVE));
    let base = Section {
        headers: section.headers,
        options: plain,
        macros: section.macros,
    };
    if ops.is_empty() {
        return base;
    }
    update_section(
        base,
        Section {
            options: ops,
            ..Section::default()
        },
    )
}

/// A value after substitution, with what could not be substituted.
#[derive(Clone, Debug, Default)]
pub(crate) struct Resolved {
    pub text: String,
    /// Reasons, one per reference that could not be resolved; such references are left
    /// in the text as written.
    pub problems: Vec<String>,
}

fn add_problem(problems: &mut Vec<String>, problem: String) {
    if problems.len() < MAX_PROBLEMS && !problems.contains(&problem) {
        problems.push(problem);
    }
}

/// Substitutes `${section:option}` references, lazily and with memory, as buildout
/// does for the options a recipe reads.
pub(crate) struct Resolver<'a> {
    config: &'a Config,
    memo: HashMap<(String, String), Resolved>,
    /// Bytes substitution may still produce (see [`MAX_TOTAL_LEN`]).
    budget: usize,
}

impl<'a> Resolver<'a> {
    pub fn new(config: &'a Config) -> Self {
        Resolver {
            config,
            memo: HashMap::new(),
            budget: MAX_TOTAL_LEN,
        }
    }

    pub fn config(&self) -> &'a Config {
        self.config
    }

    pub fn section(&self, name: &str) -> Option<&'a Section> {
        self.config.sections.get(name)
    }

    pub fn option(&self, section: &str, key: &str) -> Option<&'a Opt> {
        self.config.sections.get(section)?.options.get(key)
    }

    /// The value of `section:key` after substitution.
    pub fn value(&mut self, section: &str, key: &str) -> Option<Resolved> {
        self.option(section, key)?;
        Some(self.resolve_option(section, key, &mut Vec::new()))
    }

    /// `text` after substitution, `${:option}` meaning an option of `section`.
    pub fn text(&mut self, text: &str, section: &str) -> Resolved {
        self.substitute(text, section, &mut Vec::new())
    }

    fn resolve_option(
        &mut self,
        section: &str,
        key: &str,
        stack: &mut Vec<(String, String)>,
    ) -> Resolved {
        let id = (section.to_string(), key.to_string());
        if let Some(done) = self.memo.get(&id) {
            return done.clone();
        }
        let Some(opt) = self.option(section, key) else {
            return Resolved::default();
        };
        stack.push(id.clone());
        let raw = opt.raw();
        let resolved = self.substitute(&raw, section, stack);
        stack.pop();
        self.memo.insert(id, resolved.clone());
        resolved
    }

    fn substitute(
        &mut self,
        text: &str,
        current: &str,
        stack: &mut Vec<(String, String)>,
    ) -> Resolved {
        let mut out = Resolved::default();
        let pieces: Vec<&str> = text.split("$$").collect();
        for (n, piece) in pieces.iter().enumerate() {
            if n > 0 {
                out.text.push('$');
            }
            let mut rest = *piece;
            while let Some(start) = rest.find("${") {
                out.text.push_str(&rest[..start]);
                let after = &rest[start + 2..];
                let Some(end) = after.find('}') else {
                    out.text.push_str(&rest[start..]);
                    rest = "";
                    break;
                };
                let reference = &rest[start..start + 2 + end + 1];
                let inner = &after[..end];
                rest = &after[end + 1..];
                match self.reference(inner, current, stack) {
                    Ok(value) => {
                        for p in value.problems {
                            add_problem(&mut out.problems, p);
                        }
                        out.text.push_str(&value.text);
                        self.budget = self.budget.saturating_sub(value.text.len());
                    }
                    Err(reason) => {
                        add_problem(&mut out.problems, format!("{reference}: {reason}"));
                        out.text.push_str(reference);
                    }
                }
                if out.text.len() > MAX_VALUE_LEN || self.budget == 0 {
                    add_problem(
                        &mut out.problems,
                        "substitution makes the values too long (over a megabyte); the rest is left out".into(),
                    );
                    return out;
                }
            }
            out.text.push_str(rest);
        }
        out
    }

    /// The value `${inner}` stands for.
    fn reference(
        &mut self,
        inner: &str,
        current: &str,
        stack: &mut Vec<(String, String)>,
    ) -> Result<Resolved, ReferenceError> {
        let parts: Vec<&str> = inner.split(':').collect();
        let (section, key) = match parts.as_slice() {
            [_] => return Err(ReferenceError::NoColon),
            [section, key] => (*section, *key),
            _ => return Err(ReferenceError::TwoColons),
        };
        let simple = |s: &str| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ' ' | '.' | '_'))
        };
        if !simple(section) || key.is_empty() || !simple(key) {
            return Err(ReferenceError::BadName);
        }
        let section = if section.is_empty() { current } else { section };
        if key == "_buildout_section_name_" {
            return Ok(Resolved {
                text: section.to_string(),
                problems: Vec::new(),
            });
        }
        let Some(found) = self.config.sections.get(section) else {
            return Err(ReferenceError::NoSection(section.to_string()));
        };
        if !found.options.contains_key(key) {
            return Err(ReferenceError::NoOption {
                section: section.to_string(),
                key: key.to_string(),
                recipe: found
                    .options
                    .get("recipe")
                    .map(|r| r.raw().trim().to_string()),
            });
        }
        let id = (section.to_string(), key.to_string());
        if let Some(i) = stack.iter().position(|s| *s == id) {
            let chain: Vec<String> = stack[i..]
                .iter()
                .chain(std::iter::once(&id))
                .map(|(s, k)| format!("{s}:{k}"))
                .collect();
            return Err(ReferenceError::Circular(chain));
        }
        if stack.len() >= MAX_DEPTH {
            return Err(ReferenceError::TooDeep);
        }
        Ok(self.resolve_option(section, key, stack))
    }
}

/// Why a `${section:option}` reference stands for nothing.
#[derive(Debug, thiserror::Error)]
enum ReferenceError {
    #[error("a substitution needs a colon, as in ${{section:option}}")]
    NoColon,
    #[error("a substitution has one colon, as in ${{section:option}}")]
    TwoColons,
    #[error("the section or option name has characters buildout does not allow")]
    BadName,
    #[error("no given file defines a section [{0}]")]
    NoSection(String),
    #[error("{}", no_option(section, key, recipe.as_deref()))]
    NoOption {
        section: String,
        key: String,
        recipe: Option<String>,
    },
    #[error("circular reference ({})", .0.join(" -> "))]
    Circular(Vec<String>),
    #[error("references nest deeper than {MAX_DEPTH}")]
    TooDeep,
}

fn no_option(section: &str, key: &str, recipe: Option<&str>) -> String {
    match recipe {
        Some(recipe) => format!(
            "[{section}] sets no {key}; its recipe ({recipe}) may set it when buildout runs, but the importer runs no recipe"
        ),
        None => format!("[{section}] has no option {key} in the given files"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_of(sections: &BTreeMap<String, Section>, section: &str, key: &str) -> String {
        sections[section].options[key].raw()
    }

    #[test]
    fn block_values_are_dedented_and_keep_inner_blank_lines() {
        let (s, problems) = parse(
            "a.cfg",
            "[x]\nparts =\n    one\n      two\n\n    three\n\n# c\nk = v\n   w\n\n   z\n",
        );
        assert!(problems.is_empty());
        assert_eq!(value_of(&s, "x", "parts"), "one\n  two\n\nthree");
        assert_eq!(value_of(&s, "x", "k"), "v\nw\nz");
        assert_eq!(s["x"].options["k"].lines[1].loc.line, 10);
    }

    #[test]
    fn header_comments_and_conditional_sections() {
        let (s, problems) = parse(
            "a.cfg",
            "[x] # note\na = 1\n[y:windows]\nb = 2\n[z]\nc = 3\n",
        );
        assert_eq!(value_of(&s, "x", "a"), "1");
        assert!(!s.contains_key("y"));
        assert_eq!(value_of(&s, "z", "c"), "3");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].loc.line, 3);
    }

    #[test]
    fn paths_fold_dots() {
        assert_eq!(join_path("a/b.cfg", "../c.cfg"), "c.cfg");
        assert_eq!(join_path("b.cfg", "./d/c.cfg"), "d/c.cfg");
        assert_eq!(join_path("x/b.cfg", "/etc/c.cfg"), "/etc/c.cfg");
        assert_eq!(normalize_path("../a/./b"), "../a/b");
    }
}
