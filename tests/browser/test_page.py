"""The classroom page in a real browser (headless Chromium driven by selenium through Debian's
chromedriver): open it, switch a lever on, run the small town, wait for the result, and check that
the numbers shown are the command line's for the same seed and settings. Also: bad settings are
refused with the command line's message, a queued run can be cancelled, a sweep gives the CLI's
sweep, and a classroom address needs its token.

    MEDGROUP_BIN=target/release/medgroup python -m pytest tests/browser   (from the repository root)

MEDGROUP_SCREENSHOT names where the page's screenshot goes (default: the test's temporary folder).
"""

import csv
import json
import os
import re
import shlex
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("MEDGROUP_BIN", ROOT / "target" / "release" / "medgroup")).resolve()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(out, *extra):
    port = free_port()
    proc = subprocess.Popen([str(BIN), "serve", "--port", str(port), "--out", str(out), *extra],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True)
    line = ""
    deadline = time.time() + 60
    while "classroom page:" not in line:
        assert proc.poll() is None, "the server stopped: " + proc.stderr.read()
        assert time.time() < deadline, "the server did not start"
        line = proc.stderr.readline()
    url = line.split("classroom page:", 1)[1].strip()
    return proc, port, url


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc, port, url = start_server(tmp_path_factory.mktemp("serve"))
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


def call(base, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method="POST" if data is not None or path.endswith("/cancel") else "GET")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def wait_for(base, run_id, timeout=300):
    deadline = time.time() + timeout
    while True:
        _, status = call(base, f"/api/runs/{run_id}")
        if status["state"] not in ("queued", "running"):
            return status
        assert time.time() < deadline, status
        time.sleep(0.2)


def cli(command, out):
    """Runs the command line the page printed, into `out`."""
    words = shlex.split(command)
    assert words[0] == "medgroup"
    words = [str(BIN)] + words[1:]
    words[words.index("--out") + 1] = str(out)
    done = subprocess.run(words + ["-q"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def browser():
    options = Options()
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--window-size=1400,1000"]:
        options.add_argument(a)
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    yield driver
    driver.quit()


def until(predicate, timeout=300):
    deadline = time.time() + timeout
    while not predicate():
        assert time.time() < deadline, "timed out"
        time.sleep(0.1)


def set_input(driver, element, value):
    driver.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input')); "
        "arguments[0].dispatchEvent(new Event('change'));", element, str(value))


def test_page_gives_the_command_lines_numbers(server, browser, tmp_path):
    browser.get(server + "/")
    until(lambda: browser.execute_script("return document.body.dataset.ready") == "1", 30)
    assert browser.find_element(By.ID, "scenario").get_attribute("value") == "scenarios/small.toml"
    browser.find_element(By.ID, "lang-en").click()
    assert "classroom" in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.CSS_SELECTOR, "[data-lever-toggle=gatekeeping]").click()
    set_input(browser, browser.find_element(By.CSS_SELECTOR, "input[type=number][data-setting='gatekeeping.bypass_penalty']"), 0.3)
    set_input(browser, browser.find_element(By.ID, "replications"), 2)
    set_input(browser, browser.find_element(By.ID, "seed"), 11)
    browser.find_element(By.ID, "run").click()
    until(lambda: browser.find_element(By.ID, "results").get_attribute("data-state") == "done")
    shot = Path(os.environ.get("MEDGROUP_SCREENSHOT", tmp_path / "page.png"))
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 20_000

    shown = {}
    for td in browser.find_elements(By.CSS_SELECTOR, "#results td[data-col]"):
        key = (td.get_attribute("data-metric"), td.get_attribute("data-breakdown"), td.get_attribute("data-col"))
        shown[key] = (td.get_attribute("data-value"), td.text)
    command = browser.find_element(By.ID, "command").text
    assert command.startswith("medgroup compare scenarios/small.toml ") and "--seed 11" in command
    cli(command, tmp_path / "cli")
    rows = [r for r in csv_rows(tmp_path / "cli" / "comparison.csv") if (r["metric"], r["breakdown"], "diff_mean") in shown]
    assert len(rows) >= 10, "the page shows the headline rows"
    for r in rows:
        for col in ["base_mean", "arm_mean", "diff_mean", "verdict"]:
            assert shown[(r["metric"], r["breakdown"], col)][0] == r[col], (r["metric"], r["breakdown"], col)
    # The number a student reads is the file's, rounded: the primary-care share in per cent.
    share = next(r for r in rows if r["metric"] == "primary_care_visit_share" and r["breakdown"] == "all")
    assert shown[("primary_care_visit_share", "all", "arm_mean")][1] == f"{float(share['arm_mean']) * 100:.1f} %"
    assert shown[("primary_care_visit_share", "all", "diff_mean")][1].startswith(f"{float(share['diff_mean']) * 100:.2f} pp")

    # The report of the run, in the page's language.
    report = browser.find_element(By.ID, "report").get_attribute("src")
    assert report.endswith("/report/en")

    # A bad setting is refused with the command line's message, naming its key.
    set_input(browser, browser.find_element(By.CSS_SELECTOR, "input[type=number][data-setting='gatekeeping.bypass_penalty']"), 1.5)
    browser.find_element(By.ID, "run").click()
    until(lambda: browser.find_element(By.ID, "error").is_displayed(), 30)
    message = browser.find_element(By.ID, "error").text
    done = subprocess.run([str(BIN), "validate", "scenarios/small.toml"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0
    cli_check = subprocess.run([str(BIN), "run", "scenarios/small.toml", "--set", "policy.gatekeeping.mode=strict",
                                "--set", "policy.gatekeeping.bypass_penalty=1.5", "--out", str(tmp_path / "bad"), "-q"],
                               cwd=ROOT, capture_output=True, text=True)
    problem = re.search(r"policy\.gatekeeping\.bypass_penalty: ([^(\n]*)", cli_check.stderr).group(1).strip()
    assert "policy.gatekeeping.bypass_penalty" in message and problem in message, (message, problem)


def test_sweep_gives_the_command_lines_sweep(server, tmp_path):
    code, status = call(server, "/api/runs", {"scenario": "scenarios/small.toml", "levers": {}, "replications": 2,
                                              "seed": 3, "sweep": {"key": "population.signing_rate", "values": [0.5, 0.9]}})
    assert code == 200, status
    status = wait_for(server, status["id"])
    assert status["state"] == "done", status
    cli(status["command"], tmp_path / "cli")
    files = {(r["point"], r["metric"], r["breakdown"]): r["mean"] for r in csv_rows(tmp_path / "cli" / "sweep_summary.csv")}
    assert status["result"]["rows"]
    for r in status["result"]["rows"]:
        assert files[(r["point"], r["metric"], r["breakdown"])] == r["mean"]


def test_one_run_at_a_time_and_cancel(server):
    big = {"scenario": "scenarios/baseline.toml", "levers": {}, "replications": 16}
    code, first = call(server, "/api/runs", big)
    assert code == 200, first
    code, second = call(server, "/api/runs", big)
    assert code == 429 and "queued or running" in second["error"]
    code, cancelled = call(server, f"/api/runs/{first['id']}/cancel")
    assert code == 200
    assert wait_for(server, first["id"])["state"] == "cancelled"
    code, refused = call(server, "/api/runs", {**big, "replications": 1000})
    assert code == 400 and "--max-replications" in refused["error"]


def test_a_classroom_address_needs_its_token(tmp_path):
    proc, port, url = start_server(tmp_path / "serve", "--bind", "0.0.0.0")
    try:
        token = re.search(r"token=([0-9a-f]{32})", url).group(1)
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10)
        assert e.value.code == 403
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/?token={token}", timeout=10) as r:
            assert r.status == 200 and b"medgroup" in r.read()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_starting_from_a_reform_is_the_reform_file(server, tmp_path):
    """docs/teaching.md's exercises from the page: the baseline with the levers of a reform file,
    unchanged, gives the numbers of `medgroup compare baseline.toml reforms/<file>`."""
    code, status = call(server, "/api/runs", {"scenario": "scenarios/baseline.toml", "reform": "scenarios/reforms/gatekeeping.toml",
                                              "levers": {"gatekeeping": {}}, "replications": 1})
    assert code == 200, status
    status = wait_for(server, status["id"])
    assert status["state"] == "done", status
    done = subprocess.run([str(BIN), "compare", "scenarios/baseline.toml", "scenarios/reforms/gatekeeping.toml",
                           "--replications", "1", "--out", str(tmp_path / "cli"), "-q"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    files = {(r["metric"], r["breakdown"]): r for r in csv_rows(tmp_path / "cli" / "comparison.csv")}
    for r in status["result"]["rows"]:
        for col in ["base_mean", "arm_mean", "diff_mean"]:
            assert files[(r["metric"], r["breakdown"])][col] == r[col], (r["metric"], r["breakdown"], col)
