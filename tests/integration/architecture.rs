//! The architecture invariants that a reader of the source can check, checked on the source
//! (ARCHITECTURE.md, "Architecture invariants"):
//! - the modules of the library form no import cycle (each `.rs` file is a module; a file's
//!   imports are the `crate::…`, `super::…` and child-module paths it names);
//! - the library prints nothing: all terminal output is in the command layer (`cli/`), which
//!   is compiled into the binary only;
//! - the model, the rules and the levers touch no file;
//! - `analysis` depends on neither bevy_ecs nor the model.

use crate::common::repo;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Source text without comments, string and character literals (so that a path in a doc
/// comment or a message is not an import).
fn code_of(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
        } else if c == b'r' && (b.get(i + 1) == Some(&b'#') || b.get(i + 1) == Some(&b'"')) {
            // A raw string r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&b'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                out.push(c as char);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == b'"' && b[j + 1..].iter().take(hashes).filter(|&&x| x == b'#').count() == hashes {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == b'\'' && b.get(i + 2) == Some(&b'\'') {
            i += 3; // 'x'
        } else if c == b'\'' && b.get(i + 1) == Some(&b'\\') {
            i += 2;
            while i < b.len() && b[i] != b'\'' {
                i += 1;
            }
            i += 1;
        } else {
            let ch = src[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// `code` without its inline test module (`mod tests { … }`), whose `super` is the file itself.
fn without_tests(code: &str) -> String {
    let Some(start) = code.find("mod tests") else { return code.to_string() };
    let Some(open) = code[start..].find('{').map(|o| start + o) else { return code.to_string() };
    let mut depth = 0;
    for (i, c) in code[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return format!("{}{}", &code[..start], &code[open + i + 1..]);
                }
            }
            _ => {}
        }
    }
    code[..start].to_string()
}

/// Every `.rs` file under `dir`, as (module path, code without comments, strings and tests).
fn modules(dir: &Path, prefix: &[String], out: &mut BTreeMap<Vec<String>, String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            let mut m = prefix.to_vec();
            m.push(name);
            modules(&p, &m, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let mut m = prefix.to_vec();
            if name != "mod" && name != "lib" && name != "main" {
                m.push(name);
            }
            out.insert(m, without_tests(&code_of(&std::fs::read_to_string(&p).unwrap())));
        }
    }
}

/// The paths a piece of code names: each as its segments, with `crate` or `super` first when
/// written so, expanding `use a::{b, c::d}` groups.
fn paths(code: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let mut i = 0;
    // Reads `seg(::seg)*` from position i, then an optional `::{…}` group.
    fn read(chars: &[char], mut i: usize, base: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
        let ident = |c: char| c.is_alphanumeric() || c == '_';
        let mut path = base;
        loop {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            if i < chars.len() && chars[i] == '{' {
                i += 1;
                loop {
                    while i < chars.len() && (chars[i].is_whitespace() || chars[i] == ',') {
                        i += 1;
                    }
                    if i >= chars.len() || chars[i] == '}' {
                        return i + 1;
                    }
                    i = read(chars, i, path.clone(), out);
                }
            }
            let start = i;
            while i < chars.len() && ident(chars[i]) {
                i += 1;
            }
            if start == i {
                break;
            }
            path.push(chars[start..i].iter().collect());
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if j + 1 < chars.len() && chars[j] == ':' && chars[j + 1] == ':' {
                i = j + 2;
            } else {
                break;
            }
        }
        // Skip an `as name` rename.
        out.push(path);
        i
    }
    while i < chars.len() {
        if ident(chars[i]) && (i == 0 || !(ident(chars[i - 1]) || chars[i - 1] == ':')) {
            let start = i;
            while i < chars.len() && ident(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if i + 1 < chars.len() && chars[i] == ':' && chars[i + 1] == ':' {
                i = read(&chars, start, Vec::new(), &mut out);
            } else if word == "use" {
                i = read(&chars, i, Vec::new(), &mut out);
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The module graph of the tree rooted at `dir`: for each module, the other modules it names.
fn graph(dir: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut mods = BTreeMap::new();
    modules(dir, &[], &mut mods);
    let known: BTreeSet<Vec<String>> = mods.keys().cloned().collect();
    let mut g = BTreeMap::new();
    for (m, code) in &mods {
        let mut edges = BTreeSet::new();
        for p in paths(code) {
            let (mut target, rest): (Vec<String>, &[String]) = match p.first().map(String::as_str) {
                Some("crate") => (Vec::new(), &p[1..]),
                Some("super") => {
                    let mut t = m.clone();
                    let mut rest = &p[..];
                    while rest.first().map(String::as_str) == Some("super") {
                        t.pop();
                        rest = &rest[1..];
                    }
                    (t, rest)
                }
                Some("self") => (m.clone(), &p[1..]),
                Some(first) => {
                    // A child module of this one, named without `self::`.
                    let mut child = m.clone();
                    child.push(first.to_string());
                    if !known.contains(&child) {
                        continue;
                    }
                    (m.clone(), &p[..])
                }
                None => continue,
            };
            for seg in rest {
                let mut next = target.clone();
                next.push(seg.clone());
                if known.contains(&next) {
                    target = next;
                } else {
                    break;
                }
            }
            if &target != m && known.contains(&target) {
                edges.insert(target);
            }
        }
        g.insert(m.clone(), edges);
    }
    g
}

/// The strongly connected components with more than one module (Tarjan).
fn cycles(g: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<Vec<String>> {
    struct T<'a> {
        g: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'a Vec<String>, usize>,
        low: BTreeMap<&'a Vec<String>, usize>,
        stack: Vec<&'a Vec<String>>,
        on: BTreeSet<&'a Vec<String>>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a Vec<String>) {
        let n = t.index.len();
        t.index.insert(v, n);
        t.low.insert(v, n);
        t.stack.push(v);
        t.on.insert(v);
        for w in &t.g[v] {
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = t.stack.pop().unwrap();
                t.on.remove(w);
                comp.push(if w.is_empty() { "crate".to_string() } else { w.join("::") });
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: vec![],
        on: BTreeSet::new(),
        out: vec![],
    };
    for v in g.keys() {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn the_path_reader_finds_imports_and_ignores_text() {
    let code = code_of(
        "use crate::a::{b::C, d};\n// crate::x::y in a comment\nfn f() { let s = \"crate::z\"; super::e::f(); g::h(); }",
    );
    let p = paths(&code);
    for want in [&["crate", "a", "b", "C"][..], &["crate", "a", "d"], &["super", "e", "f"], &["g", "h"]] {
        assert!(p.iter().any(|x| x == want), "{want:?} not in {p:?}");
    }
    assert!(!p.iter().any(|x| x.iter().any(|s| s == "x" || s == "z")), "{p:?}");
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let m = |s: &str| s.split("::").map(String::from).collect::<Vec<_>>();
    let mut g = BTreeMap::new();
    g.insert(m("a"), BTreeSet::from([m("b")]));
    g.insert(m("b"), BTreeSet::from([m("c")]));
    g.insert(m("c"), BTreeSet::from([m("a")]));
    g.insert(m("d"), BTreeSet::from([m("a")]));
    assert_eq!(cycles(&g), vec![vec!["a".to_string(), "b".into(), "c".into()]]);
}

#[test]
fn library_modules_import_no_cycle() {
    let g = graph(&repo("sim"));
    assert!(g.len() > 20, "the module reader found the library's modules");
    let found = cycles(&g);
    assert!(found.is_empty(), "import cycles among sim/ modules (each line one cycle):\n{}", {
        found.iter().map(|c| format!("  {}", c.join(" ↔ "))).collect::<Vec<_>>().join("\n")
    });
}

#[test]
fn the_command_layer_modules_import_no_cycle() {
    assert!(cycles(&graph(&repo("cli"))).is_empty());
}

#[test]
fn the_library_prints_nothing() {
    let mut mods = BTreeMap::new();
    modules(&repo("sim"), &[], &mut mods);
    modules(&repo("analysis/src"), &["analysis".into()], &mut mods);
    for (m, code) in &mods {
        for bad in ["println!", "eprintln!", "print!(", "eprint!(", "stdout()", "stderr()", "dbg!("] {
            assert!(!code.contains(bad), "{}: {bad} (terminal output belongs to cli/)", m.join("::"));
        }
    }
}

#[test]
fn model_rules_and_levers_touch_no_file() {
    let mut mods = BTreeMap::new();
    modules(&repo("sim"), &[], &mut mods);
    for (m, code) in &mods {
        let model = matches!(
            m.first().map(String::as_str),
            Some("model" | "levers" | "params" | "rng" | "time" | "run" | "world" | "metrics")
        );
        if !model {
            continue;
        }
        for bad in ["std::fs", "File::", "OpenOptions", "std::io::Write", "std::env"] {
            assert!(!code.contains(bad), "{}: {bad} (the model does no I/O)", m.join("::"));
        }
    }
}

#[test]
fn analysis_depends_on_neither_bevy_nor_the_model() {
    let manifest = std::fs::read_to_string(repo("analysis/Cargo.toml")).unwrap();
    let deps = manifest.split("[dependencies]").nth(1).unwrap().split("\n[").next().unwrap();
    for bad in ["bevy", "medgroup"] {
        assert!(!deps.contains(bad), "analysis/Cargo.toml depends on {bad}");
    }
}
