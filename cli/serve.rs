//! `medgroup serve`: the classroom page. A small HTTP server (tiny_http) serves one self-contained
//! page (`serve_page.html`, no external assets) and a JSON API over the same library the command
//! line drives: the shipped scenarios, the policy levers with their settings (values from the
//! shipped reform files, units and ranges from the published scenario schema), and experiments
//! queued for one worker that runs them one at a time through
//! `experiment::whole::run_whole`, each into a results folder of its own under `--out`.
//!
//! A run with levers switched on is a paired comparison (common random numbers) of the scenario
//! with the changes against the scenario without them; without changes it is a plain run; a
//! sweep moves one setting over a few values. Every job writes `changed.toml` (the scenario with
//! the changes, resolved) and the command line that gives the same numbers.

use anyhow::{Context, anyhow, bail};
use clap::Args;
use medgroup::experiment::whole::{self, Ended, Step};
use medgroup::experiment::{self, Experiment, Kind, Spec, record};
use medgroup::folder::Holder;
use medgroup::metrics::{CATALOGUE, headline};
use medgroup::scenario::{self, KeyPath, Loaded};
use serde_json::{Value as Json, json};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use toml::{Table, Value};

const PAGE: &str = include_str!("serve_page.html");
/// The largest request body read (a run request is well under a kilobyte).
const MAX_BODY: u64 = 64 * 1024;
/// Finished jobs kept (with their folders); older ones are removed.
const KEEP_JOBS: usize = 40;
/// Values a sweep may have.
const MAX_SWEEP_POINTS: usize = 8;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on.
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// Address to listen on. The default, 127.0.0.1, is this machine only; another address
    /// (e.g. 0.0.0.0 for a classroom network) requires the random access token printed at start
    /// in every request.
    #[arg(long)]
    pub bind: Option<IpAddr>,
    /// The folder of shipped scenarios: its *.toml, pilots/ and cities/ are offered, and the
    /// levers come from its reforms/.
    #[arg(long, default_value = "scenarios")]
    pub scenarios: PathBuf,
    /// Where the jobs' results folders go (one per job, the latest kept).
    #[arg(long, default_value = "out/serve")]
    pub out: PathBuf,
    /// Worker threads of a job's replications (default: every core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// The most replications a request may ask for.
    #[arg(long, default_value_t = 16)]
    pub max_replications: u32,
    /// Scenarios with more residents than this are not offered.
    #[arg(long, default_value_t = 2_000_000)]
    pub max_residents: u32,
    /// The most jobs waiting at once.
    #[arg(long, default_value_t = 16)]
    pub max_queue: usize,
}

/// One setting of a lever on the page.
#[derive(Debug, Clone)]
struct Setting {
    /// Key under the lever's table (`bypass_penalty`, `employee.primary`).
    key: String,
    value: Value,
    /// "number", "integer", "bool", "choice" or "fixed" (shown, not changed on the page).
    kind: &'static str,
    min: Option<f64>,
    max: Option<f64>,
    choices: Vec<String>,
    unit: String,
    range: String,
    meaning: String,
}

#[derive(Debug, Clone)]
struct LeverOffer {
    key: String,
    /// The reform file its settings come from.
    file: PathBuf,
    /// The lever's table as that file writes it.
    table: Table,
    settings: Vec<Setting>,
    /// Levers it needs switched on with it (`expert_sessions` needs `capability_learning`).
    needs: Vec<String>,
}

#[derive(Debug, Clone)]
struct ScenarioOffer {
    /// As given to the command line (relative to the working directory).
    file: PathBuf,
    loaded: Loaded,
}

/// A shipped reform file: its `[policy]` tables, which the page can start from.
#[derive(Debug, Clone)]
struct ReformOffer {
    file: PathBuf,
    name: String,
    description: String,
    policy: Table,
}

struct Offers {
    scenarios: Vec<ScenarioOffer>,
    levers: Vec<LeverOffer>,
    reforms: Vec<ReformOffer>,
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    Queued,
    Running,
    Done,
    Failed(String, Vec<(String, String)>),
    Cancelled,
}

struct Job {
    id: u64,
    client: IpAddr,
    folder: PathBuf,
    exp: Experiment,
    total: u64,
    done: AtomicU64,
    stop: AtomicBool,
    state: Mutex<State>,
    command: String,
    result: Mutex<Option<Json>>,
}

struct Server {
    offers: Offers,
    args: ServeArgs,
    token: Option<String>,
    jobs: Mutex<BTreeMap<u64, Arc<Job>>>,
    queue: Mutex<VecDeque<u64>>,
    ready: Condvar,
    next: AtomicU64,
    pool: rayon::ThreadPool,
}

/// A refusal to show the user: a message and, for a scenario, its problems (key path, message).
struct Refusal {
    status: u16,
    message: String,
    problems: Vec<(String, String)>,
}

impl Refusal {
    fn new(status: u16, message: impl Into<String>) -> Refusal {
        Refusal { status, message: message.into(), problems: Vec::new() }
    }

    fn scenario(e: &scenario::ScenarioError) -> Refusal {
        Refusal {
            status: 400,
            message: e.to_string(),
            problems: e.problems().iter().map(|p| (p.key.clone(), p.message.clone())).collect(),
        }
    }
}

pub fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let offers = offers(&args)?;
    if offers.scenarios.is_empty() {
        bail!(
            "no scenario under {} has at most {} residents (--max-residents)",
            args.scenarios.display(),
            args.max_residents
        );
    }
    let bind = args.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let token = if bind.is_loopback() { None } else { Some(random_token()?) };
    let http = tiny_http::Server::http((bind, args.port))
        .map_err(|e| anyhow!("cannot listen on {bind}:{}: {e}", args.port))?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .map_err(|e| anyhow!("cannot start worker threads: {e}"))?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let host = if bind.is_unspecified() { "THIS-MACHINE'S-ADDRESS".to_string() } else { bind.to_string() };
    let url = format!(
        "http://{host}:{}/{}",
        args.port,
        token.as_ref().map(|t| format!("?token={t}")).unwrap_or_default()
    );
    if token.is_some() {
        eprintln!(
            "warning: serving on {bind}, reachable from other machines: anyone with the address and \
             the token can queue runs on this computer. Give the class this address (the token is \
             part of it) and stop the server (Ctrl-C) after class."
        );
    }
    eprintln!(
        "classroom page: {url}\n{} scenario(s), {} lever(s); at most {} replications and {} residents a run; \
         results in {}",
        offers.scenarios.len(),
        offers.levers.len(),
        args.max_replications,
        args.max_residents,
        args.out.display()
    );
    // Runs are numbered after those an earlier session left in the folder, which stay.
    let first = std::fs::read_dir(&args.out)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.strip_prefix("run-")?.parse::<u64>().ok())
        .max()
        .map_or(1, |n| n + 1);
    let server = Arc::new(Server {
        offers,
        args,
        token,
        jobs: Mutex::new(BTreeMap::new()),
        queue: Mutex::new(VecDeque::new()),
        ready: Condvar::new(),
        next: AtomicU64::new(first),
        pool,
    });
    let worker = server.clone();
    std::thread::spawn(move || worker.work());
    for request in http.incoming_requests() {
        let server = server.clone();
        std::thread::spawn(move || server.handle(request));
    }
    Ok(())
}

/// 128 bits from the operating system's random source, as hex: an access token, not a model draw.
fn random_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .context("cannot read /dev/urandom for the access token")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The scenarios offered (every loadable *.toml of the folder, pilots/ and cities/ within the
/// residents cap) and the levers (each `[policy.X]` of the reform files that set one lever).
fn offers(args: &ServeArgs) -> anyhow::Result<Offers> {
    let list = |dir: &Path| -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|x| x == "toml")
                    && !p.file_name().is_some_and(|n| n.to_string_lossy().ends_with(".targets.toml"))
            })
            .collect();
        files.sort();
        files
    };
    let mut scenarios = Vec::new();
    for dir in [args.scenarios.clone(), args.scenarios.join("pilots"), args.scenarios.join("cities")] {
        for file in list(&dir) {
            if let Ok(loaded) = scenario::load(&file)
                && loaded.params.population.residents <= args.max_residents
                && !loaded.params.conditions.is_empty()
            {
                scenarios.push(ScenarioOffer { file, loaded });
            }
        }
    }
    // Small first: the page opens on the quickest scenario.
    scenarios.sort_by_key(|s| s.loaded.params.population.residents);
    let schema = medgroup::scenario::dictionary::scenario_schema()
        .map_err(|e| anyhow!("the scenario schema: {}", e.join("; ")))?;
    let mut levers: Vec<LeverOffer> = Vec::new();
    // A lever's settings come from the reform file that sets the fewest levers (its own file
    // before a combination of reforms).
    let mut files: Vec<(usize, PathBuf, Table)> = Vec::new();
    let mut reforms = Vec::new();
    for file in list(&args.scenarios.join("reforms")) {
        let text =
            std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
        let doc: Table =
            toml::from_str(&text).with_context(|| format!("{} is not valid TOML", file.display()))?;
        if let Some(Value::Table(policy)) = doc.get("policy") {
            let text = |k: &str| doc.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            reforms.push(ReformOffer {
                file: file.clone(),
                name: text("name"),
                description: text("description"),
                policy: policy.clone(),
            });
            files.push((policy.len(), file, policy.clone()));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    for (_, file, policy) in &files {
        for (key, table) in policy {
            let Value::Table(table) = table else { continue };
            if levers.iter().any(|l| &l.key == key) || CATALOGUE.lever(key).is_none() {
                continue;
            }
            let settings = lever_settings(&schema, key, table);
            let needs = needs(&schema, key);
            levers.push(LeverOffer {
                key: key.clone(),
                file: file.clone(),
                table: table.clone(),
                settings,
                needs,
            });
        }
    }
    let order = |k: &str| CATALOGUE.levers.iter().position(|l| l.key == k).unwrap_or(usize::MAX);
    levers.sort_by_key(|l| order(&l.key));
    Ok(Offers { scenarios, levers, reforms })
}

/// The schema of property `name` of the table the schema `t` describes (following a reference).
fn property<'a>(schema: &'a Json, t: &'a Json, name: &str) -> Option<&'a Json> {
    let p = t.get("properties")?.get(name)?;
    let target = p.get("$ref").or_else(|| p.get("allOf")?.get(0)?.get("$ref")).and_then(Json::as_str);
    Some(match target.and_then(|r| r.strip_prefix("#/definitions/")) {
        Some(definition) => schema.get("definitions")?.get(definition)?,
        None => p,
    })
}

/// The levers a lever needs switched on with it, from its range text in the schema (`see its
/// section; needs `policy.capability_learning``).
fn needs(schema: &Json, lever: &str) -> Vec<String> {
    let policy = property(schema, schema, "policy");
    let range = policy
        .and_then(|p| p.get("properties"))
        .and_then(|p| p.get(lever))
        .and_then(|p| p.get("x-range"))
        .and_then(Json::as_str)
        .unwrap_or("");
    range
        .split("needs ")
        .skip(1)
        .flat_map(|part| part.split(" and "))
        .filter_map(|w| {
            w.trim().trim_matches(['`', ',', ';', '.']).strip_prefix("policy.").map(str::to_string)
        })
        .collect()
}

/// What a lever's settings look like on the page, from the reform file's table and the schema.
fn lever_settings(schema: &Json, lever: &str, table: &Table) -> Vec<Setting> {
    let policy = property(schema, schema, "policy");
    let properties = policy.and_then(|p| property(schema, p, lever)).and_then(|l| l.get("properties"));
    flat(table)
        .into_iter()
        .map(|(key, value)| {
            // A member of an inline table (`employee.primary`) is documented by its table's key.
            let top = key.split('.').next().unwrap_or(&key).to_string();
            setting(key, &value, properties.and_then(|p| p.get(&top)))
        })
        .collect()
}

/// A lever's table with inline tables flattened (`employee.primary`), as the page's settings are
/// keyed.
fn flat(table: &Table) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (key, value) in table {
        match value {
            Value::Table(inner) => {
                out.extend(inner.iter().map(|(sub, v)| (format!("{key}.{sub}"), v.clone())))
            }
            v => out.push((key.clone(), v.clone())),
        }
    }
    out
}

/// A setting of the page from its value and its key's schema: the schema's numeric bounds and
/// `enum`; an inline table's members have only their table's range text (`each in [0, 1]`).
fn setting(key: String, value: &Value, annotated: Option<&Json>) -> Setting {
    let text = |k: &str| annotated.and_then(|a| a.get(k)).and_then(Json::as_str).unwrap_or("").to_string();
    let number = |k: &str| annotated.and_then(|a| a.get(k)).and_then(Json::as_f64);
    let range = text("x-range");
    let (min, max) = match (
        number("minimum").or(number("exclusiveMinimum")),
        number("maximum").or(number("exclusiveMaximum")),
    ) {
        (None, None) => bounds(&range),
        both => both,
    };
    let choices: Vec<String> = annotated
        .and_then(|a| a.get("enum"))
        .and_then(Json::as_array)
        .map(|e| e.iter().filter_map(Json::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    let kind = match value {
        _ if key == "start_day" => "fixed",
        Value::Boolean(_) => "bool",
        Value::String(_) if !choices.is_empty() => "choice",
        Value::Integer(_) if min.is_some() && max.is_some() => "integer",
        Value::Float(_) if min.is_some() && max.is_some() => "number",
        _ => "fixed",
    };
    Setting {
        key,
        value: value.clone(),
        kind,
        min,
        max,
        choices,
        unit: text("x-unit"),
        range,
        meaning: text("description").split("\n\n").next().unwrap_or("").to_string(),
    }
}

/// The numeric bounds a schema range text starts with: `[0, 1]`, `(0, 10]`, `each in [0, 1]`,
/// `integer 0..=365; …`.
fn bounds(range: &str) -> (Option<f64>, Option<f64>) {
    let first = range.split(';').next().unwrap_or("").trim();
    let first = first.strip_prefix("each in ").unwrap_or(first);
    if let Some(r) = first.strip_prefix("integer ")
        && let Some((lo, hi)) = r.split_once("..=")
    {
        return (lo.trim().parse().ok(), hi.trim().parse().ok());
    }
    let inner = first.trim_start_matches(['[', '(']).trim_end_matches([']', ')']);
    match inner.split_once(',') {
        Some((lo, hi)) if first.starts_with(['[', '(']) => (lo.trim().parse().ok(), hi.trim().parse().ok()),
        _ => (None, None),
    }
}

fn json_of(v: &Value) -> Json {
    serde_json::to_value(v).unwrap_or(Json::Null)
}

fn value_of(j: &Json) -> Option<Value> {
    match j {
        Json::Bool(b) => Some(Value::Boolean(*b)),
        Json::Number(n) if n.is_i64() => n.as_i64().map(Value::Integer),
        Json::Number(n) => n.as_f64().map(Value::Float),
        Json::String(s) => Some(Value::String(s.clone())),
        _ => None,
    }
}

impl Server {
    fn catalogue(&self) -> Json {
        let scenarios: Vec<Json> = self
            .offers
            .scenarios
            .iter()
            .map(|s| {
                let p = &s.loaded.params;
                json!({
                    "file": s.file.display().to_string(),
                    "name": p.name,
                    "description": s.loaded.resolved.get("description").and_then(Value::as_str).unwrap_or(""),
                    "residents": p.population.residents,
                    "days": p.run.days,
                    "warmup_days": p.run.warmup_days,
                    "replications": p.run.replications.min(self.args.max_replications),
                    "seed": p.seed,
                    "signing_rate": s.loaded.resolved.get("population").and_then(|t| t.get("signing_rate")).map(json_of),
                })
            })
            .collect();
        let levers: Vec<Json> = self
            .offers
            .levers
            .iter()
            .map(|l| {
                let text = CATALOGUE.lever(&l.key).expect("offered levers are in the catalogue");
                json!({
                    "key": l.key,
                    "file": l.file.display().to_string(),
                    "en": text.en, "zh": text.zh,
                    "explain_en": text.explain_en, "explain_zh": text.explain_zh,
                    "needs": l.needs,
                    "settings": l.settings.iter().map(|s| json!({
                        "key": s.key, "value": json_of(&s.value), "kind": s.kind, "min": s.min, "max": s.max,
                        "choices": s.choices, "unit": s.unit, "range": s.range, "meaning": s.meaning,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let reforms: Vec<Json> = self
            .offers
            .reforms
            .iter()
            .map(|r| {
                let levers: BTreeMap<&String, BTreeMap<String, Json>> = r
                    .policy
                    .iter()
                    .filter_map(|(k, t)| t.as_table().map(|t| (k, flat(t).into_iter().map(|(k, v)| (k, json_of(&v))).collect())))
                    .collect();
                json!({ "file": r.file.display().to_string(), "name": r.name, "description": r.description, "levers": levers })
            })
            .collect();
        json!({
            "version": medgroup::VERSION,
            "scenarios": scenarios,
            "levers": levers,
            "reforms": reforms,
            "max_replications": self.args.max_replications,
            "max_sweep_points": MAX_SWEEP_POINTS,
        })
    }

    fn handle(&self, mut request: tiny_http::Request) {
        let client = request.remote_addr().map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |a| a.ip());
        let url = request.url().to_string();
        let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
        let params: HashMap<String, String> = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        // The font is the program's own and tells nothing: the only request without the token.
        if let Some(token) = self.token.as_ref().filter(|_| path != "/font.ttf") {
            let given = params.get("token").cloned().or_else(|| {
                request.headers().iter().find(|h| h.field.equiv("X-Token")).map(|h| h.value.to_string())
            });
            if given.as_deref() != Some(token.as_str()) {
                return respond(
                    request,
                    403,
                    "text/plain; charset=utf-8",
                    "this page needs its access token: use the address the server printed".into(),
                );
            }
        }
        let method = request.method().clone();
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let reply = match (&method, segments.as_slice()) {
            (tiny_http::Method::Get, [""]) => Ok(Reply::Page),
            (tiny_http::Method::Get, ["font.ttf"]) => Ok(Reply::Font),
            (tiny_http::Method::Get, ["api", "catalogue"]) => Ok(Reply::Json(self.catalogue())),
            (tiny_http::Method::Post, ["api", "runs"]) => {
                let mut body = String::new();
                match request.as_reader().take(MAX_BODY).read_to_string(&mut body) {
                    Ok(_) => self.submit(client, &body).map(Reply::Json),
                    Err(e) => Err(Refusal::new(400, format!("cannot read the request: {e}"))),
                }
            }
            (tiny_http::Method::Get, ["api", "runs", id]) => {
                self.job(id).map(|j| Reply::Json(self.status(&j)))
            }
            (tiny_http::Method::Post, ["api", "runs", id, "cancel"]) => self.job(id).map(|j| {
                self.cancel(&j);
                Reply::Json(self.status(&j))
            }),
            (tiny_http::Method::Get, ["api", "runs", id, "report", lang]) => {
                self.job(id).and_then(|j| self.report(&j, lang)).map(Reply::Html)
            }
            (tiny_http::Method::Get, ["api", "runs", id, "results.tar"]) => {
                self.job(id).and_then(|j| self.archive(&j).map(|t| Reply::Tar(j.id, t)))
            }
            _ => Err(Refusal::new(404, format!("no such page: {method} {path}"))),
        };
        match reply {
            Ok(Reply::Page) => respond(request, 200, "text/html; charset=utf-8", PAGE.as_bytes().to_vec()),
            Ok(Reply::Font) => respond(request, 200, "font/ttf", analysis::charts::FONT_TTF.to_vec()),
            Ok(Reply::Json(j)) => respond(request, 200, "application/json", j.to_string().into_bytes()),
            Ok(Reply::Html(h)) => respond(request, 200, "text/html; charset=utf-8", h),
            Ok(Reply::Tar(id, t)) => {
                let disposition = format!("attachment; filename=\"medgroup-run-{id}.tar\"");
                let mut response = tiny_http::Response::from_data(t).with_status_code(200);
                for (k, v) in
                    [("Content-Type", "application/x-tar"), ("Content-Disposition", disposition.as_str())]
                {
                    if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
                        response.add_header(h);
                    }
                }
                let _ = request.respond(response);
            }
            Err(r) => {
                let body = json!({ "error": r.message, "problems": r.problems });
                respond(request, r.status, "application/json", body.to_string().into_bytes())
            }
        }
    }

    fn job(&self, id: &str) -> Result<Arc<Job>, Refusal> {
        let id: u64 = id.parse().map_err(|_| Refusal::new(404, format!("no run {id}")))?;
        self.jobs.lock().expect("no panic while holding the lock").get(&id).cloned().ok_or_else(|| {
            Refusal::new(
                404,
                format!("no run {id} (runs are kept while the server runs, the latest {KEEP_JOBS})"),
            )
        })
    }

    /// Queues a run request: `{scenario, levers: {lever: {setting: value}}, replications, seed,
    /// sweep: {lever, key, values}}`.
    fn submit(&self, client: IpAddr, body: &str) -> Result<Json, Refusal> {
        let req: Json = serde_json::from_str(body)
            .map_err(|e| Refusal::new(400, format!("the request is not JSON: {e}")))?;
        let file = req.get("scenario").and_then(Json::as_str).unwrap_or("");
        let offer = self
            .offers
            .scenarios
            .iter()
            .find(|s| s.file.display().to_string() == file)
            .ok_or_else(|| Refusal::new(400, format!("scenario {file:?} is not offered here")))?;
        let replications = req.get("replications").and_then(Json::as_u64).unwrap_or(2);
        if replications == 0 || replications > u64::from(self.args.max_replications) {
            return Err(Refusal::new(
                400,
                format!(
                    "replications must be 1 to {} on this page (the server's --max-replications)",
                    self.args.max_replications
                ),
            ));
        }
        let replications = replications as u32;
        {
            let jobs = self.jobs.lock().expect("no panic while holding the lock");
            let busy = jobs.values().any(|j| {
                j.client == client
                    && matches!(
                        *j.state.lock().expect("no panic while holding the lock"),
                        State::Queued | State::Running
                    )
            });
            if busy {
                return Err(Refusal::new(
                    429,
                    "you have a run queued or running: wait for it, or cancel it, first",
                ));
            }
            let waiting = self.queue.lock().expect("no panic while holding the lock").len();
            if waiting >= self.args.max_queue {
                return Err(Refusal::new(
                    503,
                    format!("{waiting} runs are waiting already: try again in a minute"),
                ));
            }
        }
        // The scenario with the changes: each lever switched on with the reform file's table, then
        // the page's settings; the seed for every arm.
        let mut changes: Vec<(KeyPath, Value)> = Vec::new();
        let levers = req.get("levers").and_then(Json::as_object).cloned().unwrap_or_default();
        // A lever starts from the table of the reform the page started from, if it sets it.
        let reform = match req.get("reform").and_then(Json::as_str).filter(|f| !f.is_empty()) {
            None => None,
            Some(f) => Some(
                self.offers
                    .reforms
                    .iter()
                    .find(|r| r.file.display().to_string() == f)
                    .ok_or_else(|| Refusal::new(400, format!("reform {f:?} is not offered here")))?,
            ),
        };
        for (lever, settings) in &levers {
            let offer = self
                .offers
                .levers
                .iter()
                .find(|l| &l.key == lever)
                .ok_or_else(|| Refusal::new(400, format!("lever {lever:?} is not offered here")))?;
            let table =
                reform.and_then(|r| r.policy.get(lever)).and_then(Value::as_table).unwrap_or(&offer.table);
            changes.push((key(&format!("policy.{lever}"))?, Value::Table(table.clone())));
            for (k, v) in settings.as_object().into_iter().flatten() {
                if !offer.settings.iter().any(|s| &s.key == k && s.kind != "fixed") {
                    return Err(Refusal::new(
                        400,
                        format!("policy.{lever}.{k} is not a setting the page may change"),
                    ));
                }
                let v = value_of(v).ok_or_else(|| {
                    Refusal::new(400, format!("policy.{lever}.{k}: a number, a boolean or a word"))
                })?;
                changes.push((key(&format!("policy.{lever}.{k}"))?, v));
            }
        }
        let seed = req.get("seed").and_then(Json::as_u64);
        let seeded = medgroup::scenario::run_overrides(seed, None, None);
        let base = if seeded.is_empty() {
            offer.loaded.clone()
        } else {
            offer.loaded.with_values(&seeded).map_err(|e| Refusal::scenario(&e))?
        };
        let name = format!("{}_with_changes", base.params.name);
        let mut all = changes.clone();
        all.push((key("name")?, Value::String(name)));
        let changed = if changes.is_empty() {
            None
        } else {
            Some(base.with_values(&all).map_err(|e| Refusal::scenario(&e))?)
        };

        let sweep = match req.get("sweep").filter(|s| !s.is_null()) {
            None => None,
            Some(s) => {
                let k = s.get("key").and_then(Json::as_str).unwrap_or("");
                let k = key(k)?;
                let values: Vec<Value> = s
                    .get("values")
                    .and_then(Json::as_array)
                    .map(|vs| vs.iter().filter_map(value_of).collect())
                    .unwrap_or_default();
                if values.len() < 2 || values.len() > MAX_SWEEP_POINTS {
                    return Err(Refusal::new(400, format!("a sweep needs 2 to {MAX_SWEEP_POINTS} values")));
                }
                let target = changed.as_ref().unwrap_or(&base);
                for v in &values {
                    target.with_values(&[(k.clone(), v.clone())]).map_err(|e| Refusal::scenario(&e))?;
                }
                Some(experiment::grid(&[(k, values)]))
            }
        };
        let (kind, arms): (Kind, Vec<&Loaded>) = match (&sweep, &changed) {
            (Some(_), c) => (Kind::Sweep, vec![c.as_ref().unwrap_or(&base)]),
            (None, Some(c)) => (Kind::Compare, vec![&base, c]),
            (None, None) => (Kind::Run, vec![&base]),
        };
        let spec = Spec {
            kind,
            version: medgroup::VERSION.into(),
            seed: base.params.seed,
            independent: false,
            scenarios: arms.iter().map(|l| record(l)).collect(),
            sweep: sweep.clone(),
            warmup: None,
            mid: Default::default(),
            different_windows: false,
            uncertainty: None,
        };
        let exp = Experiment::build(spec, replications).map_err(|e| Refusal::new(400, e.to_string()))?;
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        // run-N/changed.toml beside run-N/results/, the results folder (which holds only what the
        // experiment writes).
        let place = self.args.out.join(format!("run-{id}"));
        let folder = place.join("results");
        std::fs::create_dir_all(&folder)
            .map_err(|e| Refusal::new(500, format!("cannot create {}: {e}", folder.display())))?;
        let command = self.command_line(
            &place,
            &offer.file,
            kind,
            changed.as_ref(),
            replications,
            seed,
            sweep.as_ref(),
        )?;
        let total = exp.shard_units(experiment::Shard::WHOLE).len() as u64;
        let job = Arc::new(Job {
            id,
            client,
            folder,
            exp,
            total,
            done: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            state: Mutex::new(State::Queued),
            command,
            result: Mutex::new(None),
        });
        self.forget_old();
        self.jobs.lock().expect("no panic while holding the lock").insert(id, job.clone());
        self.queue.lock().expect("no panic while holding the lock").push_back(id);
        self.ready.notify_one();
        Ok(self.status(&job))
    }

    /// The command line that gives the job's numbers; writes the changed scenario beside it.
    #[allow(clippy::too_many_arguments)]
    fn command_line(
        &self,
        place: &Path,
        base: &Path,
        kind: Kind,
        changed: Option<&Loaded>,
        replications: u32,
        seed: Option<u64>,
        sweep: Option<&experiment::SweepRecord>,
    ) -> Result<String, Refusal> {
        let changed_file = place.join("changed.toml");
        if let Some(c) = changed {
            let text = toml::to_string(&c.resolved).expect("a parsed table serialises");
            std::fs::write(&changed_file, text)
                .map_err(|e| Refusal::new(500, format!("cannot write {}: {e}", changed_file.display())))?;
        }
        let scenario_of_arm =
            changed.map_or(base.display().to_string(), |_| changed_file.display().to_string());
        let mut words = vec!["medgroup".to_string(), kind.name().to_string()];
        match kind {
            Kind::Compare => words.extend([base.display().to_string(), scenario_of_arm]),
            _ => words.push(scenario_of_arm),
        }
        if let Some(s) = sweep {
            let values: Vec<&str> = s.points.iter().map(|p| p[0].as_str()).collect();
            words.push("--set".into());
            words.push(format!("'{}={}'", s.parameters[0], values.join(",")));
        }
        words.extend(["--replications".into(), replications.to_string()]);
        if let Some(s) = seed {
            words.extend(["--seed".into(), s.to_string()]);
        }
        words.extend(["--out".into(), "out/page-check".into()]);
        Ok(words.join(" "))
    }

    fn forget_old(&self) {
        let mut jobs = self.jobs.lock().expect("no panic while holding the lock");
        while jobs.len() >= KEEP_JOBS {
            let oldest = jobs
                .iter()
                .find(|(_, j)| {
                    !matches!(
                        *j.state.lock().expect("no panic while holding the lock"),
                        State::Queued | State::Running
                    )
                })
                .map(|(id, _)| *id);
            let Some(id) = oldest else { break };
            if let Some(place) = jobs.remove(&id).as_ref().and_then(|j| j.folder.parent()) {
                let _ = std::fs::remove_dir_all(place);
            }
        }
    }

    fn cancel(&self, job: &Job) {
        job.stop.store(true, Ordering::Relaxed);
        let mut state = job.state.lock().expect("no panic while holding the lock");
        if *state == State::Queued {
            *state = State::Cancelled;
            self.queue.lock().expect("no panic while holding the lock").retain(|&id| id != job.id);
        }
    }

    fn status(&self, job: &Job) -> Json {
        let state = job.state.lock().expect("no panic while holding the lock").clone();
        let position =
            self.queue.lock().expect("no panic while holding the lock").iter().position(|&id| id == job.id);
        let (name, error, problems) = match &state {
            State::Queued => ("queued", None, Vec::new()),
            State::Running => ("running", None, Vec::new()),
            State::Done => ("done", None, Vec::new()),
            State::Failed(m, p) => ("failed", Some(m.clone()), p.clone()),
            State::Cancelled => ("cancelled", None, Vec::new()),
        };
        json!({
            "id": job.id,
            "state": name,
            "kind": job.exp.spec.kind.name(),
            "done": job.done.load(Ordering::Relaxed),
            "total": job.total,
            "ahead": position,
            "error": error,
            "problems": problems,
            "command": job.command,
            "result": job.result.lock().expect("no panic while holding the lock").clone(),
        })
    }

    /// The worker: runs queued jobs one at a time.
    fn work(&self) {
        loop {
            let id = {
                let mut queue = self.queue.lock().expect("no panic while holding the lock");
                loop {
                    if let Some(id) = queue.pop_front() {
                        break id;
                    }
                    queue = self.ready.wait(queue).expect("no panic while holding the lock");
                }
            };
            let Some(job) = self.jobs.lock().expect("no panic while holding the lock").get(&id).cloned()
            else {
                continue;
            };
            {
                let mut state = job.state.lock().expect("no panic while holding the lock");
                if *state != State::Queued {
                    continue;
                }
                *state = State::Running;
            }
            let holder = Holder::this_process(&format!("medgroup serve (run {id})"));
            let ended = whole::run_whole(
                &job.exp,
                &job.folder,
                false,
                &holder,
                &self.pool,
                |step| {
                    let n = match step {
                        Step::Resumed(n) => n as u64,
                        Step::Finished => 1,
                    };
                    job.done.fetch_add(n, Ordering::Relaxed);
                },
                &job.stop,
            );
            let state = match ended {
                Ok(Ended::Merged(_)) => match result(&job.exp, &job.folder) {
                    Ok(r) => {
                        *job.result.lock().expect("no panic while holding the lock") = Some(r);
                        State::Done
                    }
                    Err(e) => State::Failed(e, Vec::new()),
                },
                Ok(Ended::Stopped { .. }) => State::Cancelled,
                Err(e) => State::Failed(e, Vec::new()),
            };
            *job.state.lock().expect("no panic while holding the lock") = state;
        }
    }

    fn report(&self, job: &Job, lang: &str) -> Result<Vec<u8>, Refusal> {
        if *job.state.lock().expect("no panic while holding the lock") != State::Done {
            return Err(Refusal::new(409, "the run has not finished"));
        }
        let lang = analysis::report::Lang::ALL
            .into_iter()
            .find(|l| l.code() == lang)
            .ok_or_else(|| Refusal::new(404, format!("no report in {lang:?}: zh or en")))?;
        let path = job.folder.join(format!("report.{}.html", lang.code()));
        if !path.is_file() {
            medgroup::report::write(&job.folder, lang, None).map_err(|e| Refusal::new(500, e.to_string()))?;
        }
        std::fs::read(&path).map_err(|e| Refusal::new(500, format!("cannot read {}: {e}", path.display())))
    }

    fn archive(&self, job: &Job) -> Result<Vec<u8>, Refusal> {
        if *job.state.lock().expect("no panic while holding the lock") != State::Done {
            return Err(Refusal::new(409, "the run has not finished"));
        }
        let mut tar = tar::Builder::new(Vec::new());
        let place = job.folder.parent().unwrap_or(&job.folder);
        tar.append_dir_all(format!("medgroup-run-{}", job.id), place)
            .and_then(|()| tar.into_inner())
            .map_err(|e| Refusal::new(500, format!("cannot pack {}: {e}", job.folder.display())))
    }
}

fn key(k: &str) -> Result<KeyPath, Refusal> {
    KeyPath::parse(k).map_err(|e| Refusal::new(400, e.0))
}

enum Reply {
    Page,
    Font,
    Json(Json),
    Html(Vec<u8>),
    Tar(u64, Vec<u8>),
}

fn respond(request: tiny_http::Request, status: u16, content_type: &str, body: Vec<u8>) {
    let mut response = tiny_http::Response::from_data(body).with_status_code(status);
    if let Ok(h) = tiny_http::Header::from_bytes(&b"Content-Type"[..], content_type.as_bytes()) {
        response.add_header(h);
    }
    let _ = request.respond(response);
}

/// The rows of a CSV file as maps from column to text.
fn rows(path: &Path) -> Result<Vec<BTreeMap<String, String>>, String> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let headers = reader.headers().map_err(|e| e.to_string())?.clone();
    reader
        .records()
        .map(|r| {
            r.map(|r| headers.iter().zip(r.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// The headline rows of a finished job, values as the files write them (so the page shows the
/// files' numbers), with the metric's names in both languages.
fn result(exp: &Experiment, folder: &Path) -> Result<Json, String> {
    let headline_rows = |file: &Path| -> Result<Vec<BTreeMap<String, String>>, String> {
        Ok(rows(file)?.into_iter().filter(|r| headline(&r["metric"], &r["breakdown"])).collect())
    };
    let names = |rows: &[BTreeMap<String, String>]| -> Json {
        let mut seen = BTreeMap::new();
        for r in rows {
            let m = &r["metric"];
            seen.entry(m.clone()).or_insert_with(|| {
                use analysis::report::Lang::{En, Zh};
                let unit = CATALOGUE.unit(m);
                json!({ "en": CATALOGUE.name(m, En), "zh": CATALOGUE.name(m, Zh), "unit_en": unit.label(En), "unit_zh": unit.label(Zh) })
            });
        }
        json!(seen)
    };
    let pick = |r: &BTreeMap<String, String>, cols: &[&str]| -> Json {
        json!(
            cols.iter()
                .filter_map(|c| r.get(*c).map(|v| (c.to_string(), v.clone())))
                .collect::<BTreeMap<_, _>>()
        )
    };
    Ok(match exp.spec.kind {
        Kind::Run => {
            let rs = headline_rows(&folder.join("summary.csv"))?;
            json!({ "names": names(&rs), "rows": rs.iter().map(|r| pick(r, &["metric", "breakdown", "unit", "mean", "ci_low", "ci_high"])).collect::<Vec<_>>() })
        }
        Kind::Compare => {
            let rs = headline_rows(&folder.join("comparison.csv"))?;
            let cols = [
                "metric",
                "breakdown",
                "unit",
                "base_mean",
                "arm_mean",
                "diff_mean",
                "diff_ci_low",
                "diff_ci_high",
                "verdict",
                "mid",
                "better",
            ];
            json!({ "names": names(&rs), "rows": rs.iter().map(|r| pick(r, &cols)).collect::<Vec<_>>() })
        }
        Kind::Sweep => {
            let rs = headline_rows(&folder.join("sweep_summary.csv"))?;
            let column = exp
                .spec
                .sweep
                .as_ref()
                .and_then(|s| medgroup::output::parameter_columns(&s.parameters).pop())
                .unwrap_or_default();
            let cols = ["point", column.as_str(), "metric", "breakdown", "unit", "mean", "ci_low", "ci_high"];
            json!({ "names": names(&rs), "column": column, "rows": rs.iter().map(|r| pick(r, &cols)).collect::<Vec<_>>() })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_of_the_schema_become_slider_bounds() {
        assert_eq!(bounds("[0, 1]"), (Some(0.0), Some(1.0)));
        assert_eq!(bounds("(0, 10]"), (Some(0.0), Some(10.0)));
        assert_eq!(bounds("each in [0, 1]"), (Some(0.0), Some(1.0)));
        assert_eq!(bounds("integer 0..=365; below `care.booking_horizon_days`"), (Some(0.0), Some(365.0)));
        assert_eq!(bounds("[-1, 1]"), (Some(-1.0), Some(1.0)));
        assert_eq!(bounds("one of \"soft\", \"strict\""), (None, None));
        assert_eq!(bounds("true or false"), (None, None));
    }

    #[test]
    fn a_lever_that_needs_another_says_so_in_the_schema() {
        let schema = medgroup::scenario::dictionary::scenario_schema().expect("the schema");
        assert_eq!(needs(&schema, "expert_sessions"), vec!["capability_learning".to_string()]);
        assert!(needs(&schema, "gatekeeping").is_empty());
    }

    #[test]
    fn settings_of_inline_tables_are_flattened() {
        let t: Table =
            toml::from_str("employee = { primary = 0.9, lead = 0.6 }\nstart_day = 90").expect("TOML");
        let keys: Vec<String> = flat(&t).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["employee.lead", "employee.primary", "start_day"]);
        let schema = medgroup::scenario::dictionary::scenario_schema().expect("the schema");
        let gatekeeping: Table = toml::from_str("mode = \"strict\"\nbypass_penalty = 0.2").expect("TOML");
        let settings = lever_settings(&schema, "gatekeeping", &gatekeeping);
        let mode = settings.iter().find(|s| s.key == "mode").expect("mode");
        assert_eq!(
            (mode.kind, mode.choices.as_slice()),
            ("choice", &["soft".to_string(), "strict".to_string()][..])
        );
        let penalty = settings.iter().find(|s| s.key == "bypass_penalty").expect("bypass_penalty");
        assert_eq!((penalty.kind, penalty.min, penalty.max), ("number", Some(0.0), Some(1.0)));
        // An inline table's members: the bounds of their table's range text.
        let reimbursement: Table = toml::from_str("employee = { primary = 0.95 }").expect("TOML");
        let primary = &lever_settings(&schema, "reimbursement", &reimbursement)[0];
        assert_eq!(
            (primary.key.as_str(), primary.min, primary.max),
            ("employee.primary", Some(0.0), Some(1.0))
        );
    }
}
