//! The HTML report, checked as a person would see it: rendered by headless Chromium.
//!
//! A small simulation is written to a results folder, and synthetic comparison and sweep
//! folders are written beside it in the formats of `compare` and `sweep`. Each report is
//! - checked as a file: no script, no external reference, every chart an SVG with drawn marks;
//! - loaded by Chromium (`--headless --no-sandbox --disable-gpu`, every host name mapped to
//!   nothing, so no network): no console message at all (the page has no script, so any message
//!   is the browser complaining: a blocked load, a font it cannot decode); a probe copy reports,
//!   from the live DOM, each chart's drawn elements and laid-out size and whether the embedded
//!   font loaded; a screenshot must not be blank and must show chart colours.
//!
//! Without Chromium (`chromium`, `chromium-browser` or `google-chrome` on the PATH, or the path
//! in `MEDGROUP_CHROMIUM`) the browser checks print why they were skipped, and the file checks
//! still run.

use crate::common::{self, small_baseline};
use analysis::report::Lang;
use medgroup::output;
use medgroup::report;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Writes a small run (2 replications) with a policy switch-on day in its resolved scenario;
/// with `reform`, of a scenario file that extends the baseline and changes one parameter.
fn small_run(dir: &Path, reform: bool) {
    let mut loaded = if reform {
        let file = dir.with_extension("toml");
        let text = format!(
            "extends = \"{}\"\nname = \"faster_referral\"\n[referral]\nreferral_completion = 0.95\n",
            common::repo("scenarios/baseline.toml").display()
        );
        std::fs::write(&file, text).unwrap();
        medgroup::scenario::load(&file).unwrap()
    } else {
        common::load("scenarios/baseline.toml")
    };
    loaded.params = small_baseline(20_000, 60, 30);
    if reform {
        loaded.params.referral.referral_completion = 0.95;
    }
    loaded.params.run.replications = 2;
    // The report reads switch-on days from the resolved scenario, whatever the section; the
    // model does not read this table, so the run is the plain baseline.
    let extra: toml::Table = "[gatekeeping]\nstart_day = 45\n".parse().unwrap();
    loaded.resolved.extend(extra);
    let pop = loaded.resolved.get_mut("population").and_then(toml::Value::as_table_mut).unwrap();
    pop.insert("residents".into(), toml::Value::Integer(20_000));
    let run = loaded.resolved.get_mut("run").and_then(toml::Value::as_table_mut).unwrap();
    run.insert("days".into(), toml::Value::Integer(60));
    run.insert("warmup_days".into(), toml::Value::Integer(30));
    run.insert("replications".into(), toml::Value::Integer(2));
    let results = common::run(&loaded.params, 2);
    output::write_results(dir, &loaded, &results, None).unwrap();
}

/// A comparison folder in the format of `medgroup compare`, its two arms copied from a run.
fn synthetic_compare(run: &Path, dir: &Path) {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("manifest.json")).unwrap()).unwrap();
    let base_resolved = manifest["resolved_scenario"].as_str().unwrap().to_string();
    let reform_resolved = base_resolved.replace("referral_completion = 0.8", "referral_completion = 0.95");
    assert_ne!(base_resolved, reform_resolved, "the fixture must change a parameter");
    for (arm, resolved) in [("baseline", &base_resolved), ("one_click_referral", &reform_resolved)] {
        let a = dir.join("arms").join(arm);
        std::fs::create_dir_all(&a).unwrap();
        for f in ["summary.csv", "daily.csv"] {
            std::fs::copy(run.join(f), a.join(f)).unwrap();
        }
        // The base arm has its own manifest; the reform's resolved scenario is recorded only in
        // the comparison's manifest: the report reads either.
        if arm == "baseline" {
            let m = serde_json::json!({"kind": "run", "version": "0.1.0", "scenario": arm, "scenario_hash": "0123456789abcdef",
                "seed": 20260101, "replications": 2, "days": 60, "warmup_days": 30, "resolved_scenario": resolved});
            std::fs::write(a.join("manifest.json"), m.to_string()).unwrap();
        }
    }
    let m = serde_json::json!({"kind": "compare", "program": "medgroup", "version": "0.1.0", "seed": 20260101,
    "replications": 2, "days": 60, "warmup_days": 30, "base": "baseline",
    "arms": [
        {"name": "baseline", "scenario_file": "scenarios/baseline.toml", "scenario_hash": "0123456789abcdef"},
        {"name": "one_click_referral", "scenario_file": "scenarios/reforms/one_click_referral.toml", "scenario_hash": "fedcba9876543210",
         "resolved_scenario": reform_resolved}
    ]});
    std::fs::write(dir.join("manifest.json"), serde_json::to_string_pretty(&m).unwrap()).unwrap();
    let header = "arm,metric,breakdown,unit,n,base_mean,arm_mean,diff_mean,diff_sd,diff_ci_low,diff_ci_high,pct_change,pct_ci_low,pct_ci_high,significant,mid,better,verdict\n";
    let rows = [
        "one_click_referral,primary_care_visit_share,,share,2,0.478,0.481,0.003,0.001,0.001,0.005,0.63,0.2,1.05,true,0.01,higher,negligible",
        "one_click_referral,referrals_up_per_year,,per year,2,59586,64210,4624,800,2100,7148,7.76,3.5,12.0,true,2979.3,none,changed",
        "one_click_referral,referrals_down_per_year,,per year,2,37789,38001,212,900,-2300,2724,0.56,-6.1,7.2,false,1889.45,higher,not significant",
        "one_click_referral,outpatient_wait_days,tier=lead;channel=referred,days,2,2.02,2.31,0.29,0.1,0.01,0.57,14.4,0.5,28.2,true,1,lower,negligible",
        "one_click_referral,bed_occupancy,ward=lead/medical,share,2,0.99,0.992,0.002,0.003,-0.006,0.01,0.2,-0.6,1.0,false,0.02,none,not significant",
    ];
    std::fs::write(dir.join("comparison.csv"), format!("{header}{}\n", rows.join("\n"))).unwrap();
}

/// A one-parameter sweep folder in the format of `medgroup sweep`.
fn synthetic_sweep(run: &Path, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("manifest.json")).unwrap()).unwrap();
    let key = "referral.referral_completion";
    let m = serde_json::json!({"kind": "sweep", "program": "medgroup", "version": "0.1.0", "scenario": "baseline",
        "scenario_hash": "0123456789abcdef", "seed": 20260101, "replications": 3, "days": 60, "warmup_days": 30,
        "parameters": [key], "resolved_scenario": manifest["resolved_scenario"]});
    std::fs::write(dir.join("manifest.json"), serde_json::to_string_pretty(&m).unwrap()).unwrap();
    let mut long = format!("point,{key},replication,metric,breakdown,value\n");
    let mut summary = format!("point,{key},metric,breakdown,unit,n,mean,sd,ci_low,ci_high\n");
    for (p, v) in [0.6, 0.7, 0.8, 0.9, 1.0].iter().enumerate() {
        let share = 0.44 + 0.05 * v;
        let up = 40_000.0 + 25_000.0 * v;
        for r in 0..3 {
            let jitter = (r as f64 - 1.0) * 0.002;
            long.push_str(&format!("{p},{v},{r},primary_care_visit_share,,{}\n", share + jitter));
            long.push_str(&format!("{p},{v},{r},referrals_up_per_year,,{}\n", up * (1.0 + jitter)));
        }
        summary.push_str(&format!(
            "{p},{v},primary_care_visit_share,,share,3,{share},0.002,{},{}\n",
            share - 0.005,
            share + 0.005
        ));
        summary.push_str(&format!(
            "{p},{v},referrals_up_per_year,,per year,3,{up},120,{},{}\n",
            up - 300.0,
            up + 300.0
        ));
    }
    std::fs::write(dir.join("sweep.csv"), long).unwrap();
    std::fs::write(dir.join("sweep_summary.csv"), summary).unwrap();
}

/// Checks of the HTML file itself; returns the chart ids.
fn check_file(html: &str, what: &str) -> Vec<String> {
    assert!(html.starts_with("<!DOCTYPE html>"), "{what}: not an HTML document");
    assert!(!html.contains("<script"), "{what}: the report must not contain a script");
    assert!(!html.contains("<link"), "{what}: the report must not load a stylesheet");
    for bad in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(bad), "{what}: external reference {bad}");
    }
    assert!(html.contains("src: url(data:font/ttf;base64,"), "{what}: the font is not embedded");
    // Every row of a table has as many cells as its header.
    for table in html.split("<table").skip(1) {
        let table = &table[..table.find("</table>").expect("table closes")];
        let Some(head) = table.split("</thead>").next().filter(|_| table.contains("<thead>")) else {
            continue;
        };
        let columns = head.matches("<th>").count() + head.matches("<th ").count();
        for row in table.split("</thead>").nth(1).unwrap().split("<tr").skip(1) {
            let cells = row.matches("<td").count() + row.matches("<th>").count();
            assert_eq!(cells, columns, "{what}: a table row has {cells} cells for {columns} columns: {row}");
        }
    }
    let mut ids = Vec::new();
    for part in html.split("<figure class=\"chart\"").skip(1) {
        let fig = &part[..part.find("</figure>").expect("figure closes")];
        let id = fig.split("data-chart=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_string();
        assert!(fig.contains("<svg"), "{what}: chart {id} has no SVG");
        let marks = ["<polyline", "<path", "<rect", "<circle", "<polygon", "<line"]
            .iter()
            .map(|m| fig.matches(m).count())
            .sum::<usize>();
        assert!(marks > 20, "{what}: chart {id} has only {marks} drawn elements");
        assert!(fig.matches("<text").count() > 5, "{what}: chart {id} has no labels");
        ids.push(id);
    }
    ids
}

fn find_chromium() -> Result<PathBuf, String> {
    if let Ok(p) = std::env::var("MEDGROUP_CHROMIUM") {
        return Ok(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    Err("no chromium, chromium-browser or google-chrome on the PATH (install the Debian package `chromium`, or set MEDGROUP_CHROMIUM)".into())
}

/// Runs Chromium headless on a local file; returns (stdout, stderr). No network: every host
/// name resolves to nothing, and background services are off.
fn chromium(exe: &Path, profile: &Path, page: &Path, extra: &[&str]) -> (String, String) {
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let mut cmd = Command::new(exe);
    if let Some(conf) = latin_only_fonts(profile) {
        cmd.env("FONTCONFIG_FILE", conf);
    }
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=5000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(url);
    // Output goes to files, not pipes: a full pipe (a dumped DOM is larger than a pipe's
    // buffer) would block the browser while this waits for it to exit.
    let out_path = profile.with_extension("stdout");
    let err_path = profile.with_extension("stderr");
    cmd.stdout(Stdio::from(std::fs::File::create(&out_path).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&err_path).unwrap()));
    let mut child = cmd.spawn().expect("start chromium");
    let started = Instant::now();
    // A browser that hangs must not hang the test suite.
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    (read(&out_path), read(&err_path))
}

/// A fontconfig file that shows the browser one Latin font family (DejaVu) and no Chinese
/// font, as on a machine without CJK fonts, so that Chinese text can only come from the font the
/// report embeds. `None` (the machine's own fonts) where DejaVu is not installed: Chromium needs
/// at least one system font to run, and then the test still checks that the embedded font loads
/// and is used.
fn latin_only_fonts(profile: &Path) -> Option<PathBuf> {
    let dejavu = Path::new("/usr/share/fonts/truetype/dejavu");
    if !dejavu.is_dir() {
        return None;
    }
    let conf = profile.with_extension("fonts.conf");
    let cache = profile.with_extension("fontcache");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig><dir>{}</dir><cachedir>{}</cachedir></fontconfig>\n",
            dejavu.display(),
            cache.display()
        ),
    )
    .ok()?;
    Some(conf)
}

/// Console messages Chromium logged for the page (`…:CONSOLE…] "message", source: …`).
fn console_messages(stderr: &str) -> Vec<String> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).map(str::to_string).collect()
}

/// Injected into a copy of the report: after the fonts settle, writes what the page shows into
/// a `<pre id="probe">` that `--dump-dom` prints.
const PROBE: &str = r#"<script>
document.fonts.ready.then(function () {
  var faces = [];
  document.fonts.forEach(function (f) { faces.push({family: f.family.replace(/"/g, ''), status: f.status}); });
  var charts = [];
  document.querySelectorAll('figure.chart').forEach(function (fig) {
    var svg = fig.querySelector('svg');
    var r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    var b = svg ? svg.getBBox() : {width: 0, height: 0};
    var text = svg ? svg.querySelector('text') : null;
    charts.push({id: fig.dataset.chart,
      marks: svg ? svg.querySelectorAll('path,polyline,polygon,rect,circle,line').length : 0,
      width: r.width, height: r.height, content_width: b.width, content_height: b.height,
      text_font: text ? getComputedStyle(text).fontFamily : ''});
  });
  var chinese = document.fonts.check('16px "MedgroupSans"', '基层诊疗占比');
  var pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify({faces: faces, charts: charts, chinese: chinese});
  document.body.appendChild(pre);
});
</script>"#;

/// Loads a report in Chromium and checks what a reader would see.
fn check_in_browser(exe: &Path, html_path: &Path, chart_ids: &[String], what: &str) {
    let tmp = tempfile::tempdir().unwrap();
    // 1. The report as written: no console message, and a screenshot with content.
    let shot = tmp.path().join("shot.png");
    let (_, err) = chromium(
        exe,
        &tmp.path().join("profile-a"),
        html_path,
        &["--window-size=1200,4000", &format!("--screenshot={}", shot.display())],
    );
    let messages = console_messages(&err);
    assert!(messages.is_empty(), "{what}: the browser console is not clean:\n{}", messages.join("\n"));
    let (ink, chart_blue) = screenshot_stats(&shot);
    assert!(ink > 0.03, "{what}: the screenshot is nearly blank ({:.1} % of pixels drawn)", ink * 100.0);
    assert!(chart_blue > 500, "{what}: no chart colour in the screenshot ({chart_blue} pixels)");

    // 2. A probe copy (the same page plus one script, allowed by a relaxed policy) reports the
    //    laid-out charts and the font.
    let html = std::fs::read_to_string(html_path).unwrap();
    let relaxed = html.replace("script-src 'none'", "script-src 'unsafe-inline'");
    assert_ne!(relaxed, html, "{what}: the report's Content-Security-Policy changed");
    let probe_page = tmp.path().join("probe.html");
    std::fs::write(&probe_page, relaxed.replace("</body>", &format!("{PROBE}</body>"))).unwrap();
    let (dom, err) = chromium(exe, &tmp.path().join("profile-b"), &probe_page, &["--dump-dom"]);
    let messages = console_messages(&err);
    assert!(messages.is_empty(), "{what}: console messages in the probe copy:\n{}", messages.join("\n"));
    let start = dom.find("<pre id=\"probe\">").unwrap_or_else(|| panic!("{what}: the probe did not run"));
    let json = &dom[start + "<pre id=\"probe\">".len()..];
    let json = json[..json.find("</pre>").unwrap()].replace("&quot;", "\"").replace("&amp;", "&");
    let probe: Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{what}: probe output {json}: {e}"));
    let faces = probe["faces"].as_array().unwrap();
    assert!(
        faces.iter().any(|f| f["family"] == analysis::charts::FONT_FAMILY && f["status"] == "loaded"),
        "{what}: the embedded font did not load: {faces:?}"
    );
    assert_eq!(probe["chinese"], true, "{what}: the embedded font cannot draw the report's Chinese");
    let charts = probe["charts"].as_array().unwrap();
    let ids: Vec<&str> = charts.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, chart_ids, "{what}: the browser shows other charts than the file holds");
    for c in charts {
        let id = &c["id"];
        assert!(c["marks"].as_u64().unwrap() > 20, "{what}: chart {id} draws too little: {c}");
        for k in ["width", "height", "content_width", "content_height"] {
            assert!(c[k].as_f64().unwrap() > 100.0, "{what}: chart {id} has {k} {}: {c}", c[k]);
        }
        assert!(
            c["text_font"].as_str().unwrap().contains(analysis::charts::FONT_FAMILY),
            "{what}: chart {id} text is not in the embedded font: {c}"
        );
    }
}

/// (share of non-white pixels, pixels in the charts' blue) of a PNG screenshot.
fn screenshot_stats(path: &Path) -> (f64, usize) {
    let decoder =
        png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).expect("screenshot written")));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let px = &buf[..info.buffer_size()];
    let (mut ink, mut blue, mut total) = (0usize, 0usize, 0usize);
    for p in px.chunks(channels) {
        total += 1;
        if p[..3].iter().any(|&c| c < 235) {
            ink += 1;
        }
        // Okabe-Ito blue (0, 114, 178), the first series colour.
        if p[0] < 30 && (95..=135).contains(&p[1]) && (160..=200).contains(&p[2]) {
            blue += 1;
        }
    }
    (ink as f64 / total.max(1) as f64, blue)
}

#[test]
fn reports_render_in_a_browser_in_both_languages() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    small_run(&run, false);
    let compare = tmp.path().join("compare");
    synthetic_compare(&run, &compare);
    let sweep = tmp.path().join("sweep");
    synthetic_sweep(&run, &sweep);

    let mut pages = Vec::new();
    for (dir, lang, min_charts) in [
        (&run, Lang::En, 5),
        (&run, Lang::Zh, 5),
        (&compare, Lang::Zh, 6),
        (&compare, Lang::En, 6),
        (&sweep, Lang::En, 1),
    ] {
        let path = report::write(dir, lang, None).unwrap();
        let html = std::fs::read_to_string(&path).unwrap();
        let what = format!("{} ({lang})", path.display());
        let ids = check_file(&html, &what);
        assert!(ids.len() >= min_charts, "{what}: {} charts, expected at least {min_charts}", ids.len());
        for id in &ids {
            for ext in ["png", "svg"] {
                let f = report::chart_dir(dir).join(format!("{id}.{lang}.{ext}"));
                assert!(
                    f.metadata().map(|m| m.len() > 1000).unwrap_or(false),
                    "{what}: {} not written",
                    f.display()
                );
            }
        }
        pages.push((path, ids, what, html));
    }
    // What the reader is told, in the right language.
    let (_, _, _, run_en) = &pages[0];
    assert!(run_en.contains("This run is the baseline scenario itself"));
    assert!(run_en.contains("primary-care visit share"));
    assert!(run_en.contains("gatekeeping (day 45)"), "switch-on day not described");
    assert!(run_en.contains("20260101"), "seed missing from the manifest section");
    let (_, _, _, run_zh) = &pages[1];
    assert!(
        run_zh.contains("lang=\"zh-CN\"") && run_zh.contains("基层诊疗占比") && run_zh.contains("主要指标")
    );
    assert!(run_zh.contains("\ngatekeeping\n</text>"), "the switch-on marker is not labelled in the chart");
    let (_, _, _, cmp_zh) = &pages[2];
    assert!(cmp_zh.contains("referral.referral_completion"), "the changed parameter is not listed");
    assert!(cmp_zh.contains("★"), "significant differences are not marked");
    let (_, _, _, sweep_en) = &pages[4];
    assert!(sweep_en.contains("Response to referral.referral_completion"));

    // A run of a scenario that extends the baseline lists what it changes, from the manifest.
    let reform = tmp.path().join("reform");
    small_run(&reform, true);
    let html = std::fs::read_to_string(report::write(&reform, Lang::En, None).unwrap()).unwrap();
    check_file(&html, "reform run");
    let table = &html[html.find("<table class=\"differences\">").expect("a table of differences")..];
    let table = &table[..table.find("</table>").unwrap()];
    for row in [
        "<code>referral.referral_completion</code></td><td>0.8</td><td>0.95</td>",
        "<code>population.residents</code></td><td>1200000</td><td>20000</td>",
        "<code>gatekeeping</code></td><td>(not set)</td>",
    ] {
        assert!(table.contains(row), "differences lack {row}:\n{table}");
    }
    assert!(
        !table.contains("run.days") && !table.contains("<code>seed"),
        "run control listed as a difference"
    );
    // A chart file carries its font, so it displays without installed fonts.
    let svg = std::fs::read_to_string(report::chart_dir(&run).join("bed_occupancy.zh.svg")).unwrap();
    assert!(
        svg.contains("@font-face") && svg.contains("data:font/ttf;base64,"),
        "chart SVG without its font"
    );

    match find_chromium() {
        Ok(exe) => {
            for (path, ids, what, _) in &pages {
                check_in_browser(&exe, path, ids, what);
            }
        }
        Err(why) => eprintln!("SKIPPED the browser checks of the report: {why}"),
    }
}

#[test]
fn the_browser_check_catches_console_errors_and_blank_pages() {
    // The checks above must be able to fail: a page with a blocked external image and a
    // script error is flagged, and a white page counts as blank.
    let Ok(exe) = find_chromium() else {
        eprintln!("SKIPPED: no Chromium to check the checker with");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("bad.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\"></head>\
         <body><img src=\"http://example.invalid/x.png\"></body></html>",
    )
    .unwrap();
    let shot = tmp.path().join("bad.png");
    let (_, err) = chromium(
        &exe,
        &tmp.path().join("p"),
        &page,
        &["--window-size=400,300", &format!("--screenshot={}", shot.display())],
    );
    assert!(!console_messages(&err).is_empty(), "a blocked load was not seen on the console:\n{err}");
    let (ink, blue) = screenshot_stats(&shot);
    assert!(ink < 0.03 && blue == 0, "a blank page was not recognised as blank ({ink}, {blue})");
}

#[test]
fn incomplete_folders_get_a_clear_message_from_the_command() {
    let tmp = tempfile::tempdir().unwrap();
    let exe = env!("CARGO_BIN_EXE_medgroup");
    // A run folder from an older format: no resolved scenario, no daily series.
    std::fs::write(tmp.path().join("manifest.json"), r#"{"program":"medgroup","scenario":"x","seed":1}"#)
        .unwrap();
    std::fs::write(
        tmp.path().join("summary.csv"),
        "metric,breakdown,n,mean\nprimary_care_visit_share,,2,0.4\n",
    )
    .unwrap();
    let out = Command::new(exe).args(["report"]).arg(tmp.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "\"version\"",
        "\"resolved_scenario\"",
        "daily.csv is missing",
        "summary.csv lacks column(s) sd, ci_low, ci_high",
        "replications.jsonl is missing",
    ] {
        assert!(err.contains(expected), "message lacks {expected}:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(!report::default_path(tmp.path(), Lang::En).exists(), "a broken report was written");
    let out = Command::new(exe).args(["report", "no/such/folder", "--lang", "zh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a folder"));
    let out = Command::new(exe).args(["report", "x", "--lang", "fr"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("use zh or en"));
}

/// A comparison under parameter uncertainty has a report of its own, in both languages: its
/// table shows each headline effect's mean over draws, parameter interval, stochastic interval
/// and probability of improvement as uncertainty.csv holds them; the parameters drawn are
/// listed; the chart has one dot per draw.
#[test]
fn a_comparison_under_parameter_uncertainty_has_a_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("u");
    let exe = env!("CARGO_BIN_EXE_medgroup");
    let run = Command::new(exe)
        .args(["compare"])
        .arg(common::repo("scenarios/small.toml"))
        .arg(common::repo("scenarios/small_chc_reimbursement.toml"))
        .args(["--uncertainty", "prior", "--targets"])
        .arg(common::repo("scenarios/behaviour.targets.toml"))
        .args([
            "--draws",
            "6",
            "--replications",
            "2",
            "--days",
            "120",
            "--warmup-days",
            "60",
            "--threads",
            "2",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    // The figures the table must show, from the folder's own file.
    let mut reader = csv::Reader::from_path(out.join("uncertainty.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let share = reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[col("quantity")] == "difference" && &r[col("metric")] == "primary_care_visit_share")
        .expect("the share's effect");
    let number = |name: &str| share[col(name)].parse::<f64>().unwrap();
    let pct = |p: f64| format!("{:.0} %", 100.0 * p);
    let fmt = analysis::report::build::fmt;
    let expected_cells = [
        // Shares are shown in percentage points, as in the comparison table.
        format!("[{}, {}]", fmt(100.0 * number("param_low")), fmt(100.0 * number("param_high"))),
        format!("[{}, {}]", fmt(100.0 * number("stochastic_low")), fmt(100.0 * number("stochastic_high"))),
        pct(number("p_improve")),
    ];
    for lang in [Lang::En, Lang::Zh] {
        let path = report::write(&out, lang, None).unwrap();
        let html = std::fs::read_to_string(&path).unwrap();
        let what = format!("{} ({lang})", path.display());
        let ids = check_file(&html, &what);
        assert_eq!(ids, ["uncertainty"], "{what}: the chart of the draws");
        let table = &html[html.find("<table class=\"uncertainty\">").expect("the table of effects")..];
        let table = &table[..table.find("</table>").unwrap()];
        let label = if lang == Lang::En {
            "<td>primary-care visit share</td>"
        } else {
            "<td>基层诊疗占比</td>"
        };
        let row = table
            .split("<tr>")
            .find(|r| r.starts_with(label))
            .unwrap_or_else(|| panic!("{what}: no share row"));
        for cell in &expected_cells {
            assert!(row.contains(&format!("<td>{cell}</td>")), "{what}: the share's row lacks {cell}: {row}");
        }
        let drawn = &html[html.find("<table class=\"draws\">").expect("the parameters drawn")..];
        assert!(
            drawn.contains("<td>care.followup_adherence</td>"),
            "{what}: a drawn parameter is not listed"
        );
        // One dot per draw on each row of the chart: at least 6 dots for the share.
        let fig = &html[html.find("data-chart=\"uncertainty\"").unwrap()..];
        assert!(fig.matches("<circle").count() >= 6, "{what}: the draws are not drawn");
        if lang == Lang::En {
            assert!(html.contains("Effects under parameter uncertainty") && html.contains("P(better)"));
        } else {
            assert!(html.contains("参数不确定性下的效应") && html.contains("改善概率"));
        }
        if let Ok(chromium) = find_chromium() {
            check_in_browser(&chromium, &path, &ids, &what);
        }
    }
}
