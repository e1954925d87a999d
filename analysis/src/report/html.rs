//! The HTML template: one page, both languages, no network.
//!
//! Charts are inline SVG; the bundled font is embedded as a `data:` URI and used for the page
//! and the charts' text, so the page looks the same on a machine without Chinese fonts. A
//! Content-Security-Policy forbids every external load and every script.

use super::build::{Content, Differences};
use super::text::Lang;
use crate::charts::{FONT_FAMILY, FONT_TTF, base64};
use std::fmt::Write as _;

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
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

/// Inline code spans: text between backticks becomes `<code>`.
fn with_code(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

const CSS: &str = r#"
body { font-family: "__FONT__", sans-serif; color: #1d232a; background: #fff; margin: 0; line-height: 1.6; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 28px 60px; }
h1 { font-size: 1.9em; margin: 0.2em 0 0.1em; }
h2 { font-size: 1.35em; margin-top: 2.2em; border-bottom: 2px solid #0072b2; padding-bottom: 0.2em; }
h3 { font-size: 1.1em; margin: 1.4em 0 0.4em; }
.subtitle { color: #4a5560; font-size: 1.1em; margin-top: 0; }
nav ol { columns: 2; padding-left: 1.2em; }
nav a, a { color: #0062a0; }
.note { background: #f3f7fb; border-left: 4px solid #0072b2; padding: 0.7em 1em; margin: 1em 0; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.95em; width: 100%; }
th, td { border-bottom: 1px solid #dde3e8; padding: 0.35em 0.6em; text-align: left; vertical-align: top; }
th { background: #f1f4f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.significant td { background: #fff4e8; }
.star { color: #d55e00; font-weight: bold; }
figure.chart { margin: 1.6em 0 2.2em; }
figure.chart svg { max-width: 100%; height: auto; display: block; border: 1px solid #e3e8ec; }
figure.chart svg text { font-family: "__FONT__", sans-serif; }
figcaption { color: #38434d; font-size: 0.95em; margin-top: 0.5em; }
dl dt { font-weight: bold; margin-top: 0.8em; }
dl dd { margin-left: 1.2em; }
code { background: #f1f4f7; padding: 0 0.25em; border-radius: 3px; font-size: 0.92em; }
footer { color: #6a7580; font-size: 0.9em; margin-top: 3em; border-top: 1px solid #dde3e8; padding-top: 0.8em; }
"#;

/// Section titles and fixed paragraphs.
struct Words {
    contents: &'static str,
    how: &'static str,
    how_text: &'static str,
    scenario: &'static str,
    differences: &'static str,
    headline: &'static str,
    comparison: &'static str,
    sweep: &'static str,
    groups: &'static str,
    groups_note: &'static str,
    charts: &'static str,
    metrics: &'static str,
    levers: &'static str,
    manifest: &'static str,
    is_baseline: &'static str,
    no_changes: &'static str,
    key: &'static str,
    base_value: &'static str,
    this_value: &'static str,
    absent: &'static str,
    metric: &'static str,
    mean: &'static str,
    ci: &'static str,
    unit: &'static str,
    n: &'static str,
    arm: &'static str,
    base: &'static str,
    value: &'static str,
    diff: &'static str,
    pct: &'static str,
    sig_note: &'static str,
    levers_intro: &'static str,
    footer: &'static str,
}

fn words(lang: Lang) -> Words {
    let p = |en, zh| lang.pick(en, zh);
    Words {
        contents: p("Contents", "目录"),
        how: p("How to read this report", "如何阅读本报告"),
        how_text: p(
            "The simulation follows every resident with a chronic condition as an agent, day by day, through community health centres (CHCs), member hospitals with shared wards, and the lead hospital. Because patients' illnesses and choices are random, the same scenario is run several times with independent random streams (replications). Each headline number is the mean over replications, with a 95 % confidence interval: the range that would contain the true long-run mean in 95 of 100 repetitions of the whole experiment. A narrow interval means the number is settled; a wide one means more replications are needed. The first days of each run (the warm-up) are simulated and then left out, because wards start empty.",
            "本仿真把每一位慢病居民作为一个主体，逐日追踪其在社区卫生服务中心、设有共管病房的成员医院和牵头医院之间的就医过程。由于患者的发病与选择具有随机性，同一情景会用相互独立的随机数流运行多次（重复）。每个主要数字都是各次重复的均值，并附 95% 置信区间：若把整个实验重复 100 次，约有 95 次该区间会包含真实的长期均值。区间窄说明结果稳定；区间宽说明需要更多重复。每次运行的最初若干天（预热期）会被模拟但不计入结果，因为病区在开始时是空的。",
        ),
        scenario: p("The scenario", "情景"),
        differences: p("Parameters that differ from the baseline", "与基线不同的参数"),
        headline: p("Headline metrics", "主要指标"),
        comparison: p("Differences from the base (paired by replication)", "与基线的差异（按重复配对）"),
        sweep: p("Results at each sweep point", "各扫描点的结果"),
        groups: p("By medical group", "各医疗集团"),
        groups_note: p(
            "The city's groups side by side: primary-care share and visits at each group's own facilities; visits its residents make at other groups' hospitals, their up-referrals and the spending on them (wherever the care was given). Means with 95 % intervals.",
            "城市各医疗集团并列：基层诊疗占比和门急诊人次按各集团自身机构统计；跨集团就诊、上转和医疗费用按集团居民统计（不论在何处就医）。均值及 95% 置信区间。",
        ),
        charts: p("Charts", "图表"),
        metrics: p("What the metrics mean", "指标说明"),
        levers: p("Policy levers", "政策杠杆"),
        manifest: p("Manifest: how to repeat this run", "运行清单：如何复现"),
        is_baseline: p(
            "This run is the baseline scenario itself: no parameter differs from the baseline.",
            "本次运行就是基线情景本身：没有与基线不同的参数。",
        ),
        no_changes: p(
            "No model parameter differs (only run settings such as the seed or run length, listed in the manifest).",
            "没有模型参数不同（仅运行设置不同，如随机种子或运行天数，见运行清单）。",
        ),
        key: p("parameter (key path in the scenario file)", "参数（情景文件中的键路径）"),
        base_value: p("baseline", "基线取值"),
        this_value: p("this scenario", "本情景取值"),
        absent: p("(not set)", "（未设置）"),
        metric: p("metric", "指标"),
        mean: p("mean", "均值"),
        ci: p("95 % CI", "95% 置信区间"),
        unit: p("unit", "单位"),
        n: p("replications", "重复次数"),
        arm: p("arm", "方案"),
        base: p("base", "基线"),
        value: p("arm", "方案"),
        diff: p("difference [95 % CI]", "差值 [95% 置信区间]"),
        pct: p("change % [95 % CI]", "变化 % [95% 置信区间]"),
        sig_note: p(
            "★ marks a difference that matters: its 95 % confidence interval excludes zero and reaches beyond the metric's minimal important difference (better or worse where the metric has a better direction). \"negligible\": the interval excludes zero but lies within ± that difference. Shares are in percentage points for the difference.",
            "★ 表示差异有意义：95% 置信区间不包含 0，且超出该指标的最小重要差异（指标有改善方向时标明改善或变差）。“可忽略”：置信区间不含 0，但在最小重要差异之内。占比类指标的差值以百分点表示。",
        ),
        levers_intro: p(
            "The levers a scenario can pull, and why each is expected to move the metrics above. The scenario section says which ones this run uses.",
            "情景可以调节的政策杠杆，以及它们为何会影响上述指标。本次运行使用了哪些杠杆，见“情景”一节。",
        ),
        footer: p(
            "Written by `medgroup report`. The other language: `medgroup report RESULTS_DIR --lang zh`. Every number here is in the CSV files of the results folder.",
            "由 `medgroup report` 生成。英文版：`medgroup report RESULTS_DIR --lang en`。本报告中的所有数字都可在结果目录的 CSV 文件中找到。",
        ),
    }
}

/// Renders the page. `svgs` holds each figure's SVG, in `content.figures` order.
pub fn render(c: &Content, svgs: &[String]) -> String {
    let lang = c.lang;
    let w = words(lang);
    let mut h = String::new();
    let title = format!("{} — {}", c.kind_title, c.subtitle);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:; script-src 'none'\">\n\
<title>{}</title>\n<style>\n@font-face {{ font-family: \"{FONT_FAMILY}\"; src: url(data:font/ttf;base64,{}) format(\"truetype\"); }}\n{}</style>\n</head>\n<body>\n<main>\n",
        lang.html(),
        esc(&title),
        base64(FONT_TTF),
        CSS.replace("__FONT__", FONT_FAMILY)
    );
    let _ = write!(
        h,
        "<header>\n<h1>{}</h1>\n<p class=\"subtitle\">{}</p>\n</header>\n",
        esc(&c.kind_title),
        esc(&c.subtitle)
    );

    // Contents.
    let mut toc: Vec<(&str, &str)> = vec![("how", w.how), ("scenario", w.scenario)];
    if !c.differences.is_empty() {
        toc.push(("differences", w.differences));
    }
    for t in &c.tables {
        toc.push((t.id.as_str(), t.title.as_str()));
    }
    if !c.comparison.is_empty() {
        toc.push(("comparison", w.comparison));
    }
    if !c.headline.is_empty() {
        toc.push(("headline", w.headline));
    }
    if !c.sweep.is_empty() {
        toc.push(("sweep", w.sweep));
    }
    if !c.groups.is_empty() {
        toc.push(("groups", w.groups));
    }
    if !c.figures.is_empty() {
        toc.push(("charts", w.charts));
    }
    toc.extend([("metrics", w.metrics), ("levers", w.levers), ("manifest", w.manifest)]);
    let _ = write!(h, "<nav><h2>{}</h2><ol>", esc(w.contents));
    for (id, t) in &toc {
        let _ = write!(h, "<li><a href=\"#{id}\">{}</a></li>", esc(t));
    }
    h.push_str("</ol></nav>\n");

    let _ = writeln!(
        h,
        "<section id=\"how\"><h2>{}</h2><p class=\"note\">{}</p></section>",
        esc(w.how),
        esc(w.how_text)
    );

    let _ = writeln!(h, "<section id=\"scenario\"><h2>{}</h2>", esc(w.scenario));
    for (name, paras) in &c.scenario {
        if c.scenario.len() > 1 {
            let _ = writeln!(h, "<h3>{}</h3>", esc(name));
        }
        for p in paras {
            let _ = writeln!(h, "<p>{}</p>", with_code(p));
        }
    }
    h.push_str("</section>\n");

    if !c.differences.is_empty() {
        let _ = writeln!(h, "<section id=\"differences\"><h2>{}</h2>", esc(w.differences));
        for (name, d) in &c.differences {
            if c.differences.len() > 1 || !c.comparison.is_empty() {
                let _ = writeln!(h, "<h3>{}</h3>", esc(name));
            }
            match d {
                Differences::IsBaseline => {
                    let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(w.is_baseline));
                }
                Differences::Unknown(why) => {
                    let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(why));
                }
                Differences::From { parent, changes } => {
                    let intro = match lang {
                        Lang::En => format!("Compared with {parent}:"),
                        Lang::Zh => format!("与 {parent} 相比："),
                    };
                    let _ = writeln!(h, "<p>{}</p>", esc(&intro));
                    if changes.is_empty() {
                        let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(w.no_changes));
                    } else {
                        let _ = writeln!(
                            h,
                            "<table class=\"differences\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
                            esc(w.key),
                            esc(w.base_value),
                            esc(w.this_value)
                        );
                        for ch in changes {
                            let _ = writeln!(
                                h,
                                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                                esc(&ch.key),
                                esc(ch.base.as_deref().unwrap_or(w.absent)),
                                esc(ch.value.as_deref().unwrap_or(w.absent))
                            );
                        }
                        h.push_str("</tbody></table>\n");
                    }
                }
            }
        }
        h.push_str("</section>\n");
    }

    for t in &c.tables {
        table_section(&mut h, &t.id, &t.title, &t.note, &t.header, &t.rows);
    }

    if !c.comparison.is_empty() {
        let _ = write!(
            h,
            "<section id=\"comparison\"><h2>{}</h2>\n<p>{}</p>\n",
            esc(w.comparison),
            esc(w.sig_note)
        );
        let _ = writeln!(
            h,
            "<table class=\"comparison\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr></thead><tbody>",
            esc(w.arm),
            esc(w.metric),
            esc(w.base),
            esc(w.value),
            esc(w.diff),
            esc(w.unit),
            esc(w.pct)
        );
        for r in &c.comparison {
            let _ = writeln!(
                h,
                "<tr{}><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"star\">{}</td></tr>",
                if r.significant { " class=\"significant\"" } else { "" },
                esc(&r.arm),
                esc(&r.label),
                esc(&r.base),
                esc(&r.value),
                esc(&r.diff),
                esc(&r.unit),
                esc(&r.pct),
                if r.significant { format!("★ {}", esc(&r.verdict)) } else { esc(&r.verdict) }
            );
        }
        h.push_str("</tbody></table></section>\n");
    }

    if !c.headline.is_empty() {
        let _ = writeln!(h, "<section id=\"headline\"><h2>{}</h2>", esc(w.headline));
        if !c.comparison.is_empty() {
            let note = match lang {
                Lang::En => "Values of the base arm.",
                Lang::Zh => "基线方案的取值。",
            };
            let _ = write!(h, "<p>{}</p>", esc(note));
        }
        let _ = writeln!(
            h,
            "<table class=\"headline\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            esc(w.metric),
            esc(w.mean),
            esc(w.ci),
            esc(w.unit),
            esc(w.n)
        );
        for r in &c.headline {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                esc(&r.label),
                esc(&r.mean),
                esc(&r.ci),
                esc(&r.unit),
                r.n
            );
        }
        h.push_str("</tbody></table></section>\n");
    }

    if let Some((header, rows)) = c.groups.split_first() {
        table_section(&mut h, "groups", w.groups, w.groups_note, header, rows);
    }

    if !c.sweep.is_empty() {
        table_section(&mut h, "sweep", w.sweep, "", &c.sweep_header, &c.sweep);
    }

    if !c.figures.is_empty() {
        let _ = writeln!(h, "<section id=\"charts\"><h2>{}</h2>", esc(w.charts));
        for (f, svg) in c.figures.iter().zip(svgs) {
            let _ = write!(
                h,
                "<figure class=\"chart\" id=\"fig-{}\" data-chart=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                esc(&f.id),
                esc(&f.id),
                svg_body(svg),
                with_code(&f.caption)
            );
        }
        h.push_str("</section>\n");
    }

    let _ = write!(h, "<section id=\"metrics\"><h2>{}</h2>\n<dl>\n", esc(w.metrics));
    for (name, id, explanation) in &c.metrics {
        let _ = writeln!(h, "<dt>{} <code>{}</code></dt><dd>{}</dd>", esc(name), esc(id), esc(explanation));
    }
    h.push_str("</dl></section>\n");

    let _ = write!(
        h,
        "<section id=\"levers\"><h2>{}</h2>\n<p>{}</p>\n<dl>\n",
        esc(w.levers),
        esc(w.levers_intro)
    );
    for (name, explanation) in &c.levers {
        let _ = writeln!(h, "<dt>{}</dt><dd>{}</dd>", esc(name), esc(explanation));
    }
    h.push_str("</dl></section>\n");

    let _ = write!(
        h,
        "<section id=\"manifest\"><h2>{}</h2>\n<table class=\"manifest\"><tbody>\n",
        esc(w.manifest)
    );
    for (k, v) in &c.manifest {
        let _ = writeln!(h, "<tr><th>{}</th><td><code>{}</code></td></tr>", esc(k), esc(v));
    }
    h.push_str("</tbody></table></section>\n");
    let _ = write!(h, "<footer>{}</footer>\n</main>\n</body>\n</html>\n", with_code(w.footer));
    h
}

/// An SVG document without an XML declaration, ready to inline.
fn svg_body(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

/// A section holding one table (class = its id), with a note above it when there is one.
fn table_section(h: &mut String, id: &str, title: &str, note: &str, header: &[String], rows: &[Vec<String>]) {
    let _ = writeln!(h, "<section id=\"{}\"><h2>{}</h2>", esc(id), esc(title));
    if !note.is_empty() {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(note));
    }
    let _ = write!(h, "<table class=\"{}\"><thead><tr>", esc(id));
    for col in header {
        let _ = write!(h, "<th>{}</th>", esc(col));
    }
    h.push_str("</tr></thead><tbody>\n");
    for row in rows {
        h.push_str("<tr>");
        for cell in row {
            let _ = write!(h, "<td>{}</td>", esc(cell));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn escaping_and_code_spans() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(with_code("run `medgroup <x>` now"), "run <code>medgroup &lt;x&gt;</code> now");
    }
}
