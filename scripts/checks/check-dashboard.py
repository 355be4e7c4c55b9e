#!/usr/bin/env python3
"""Browser check of `mntrading ops` in headless Chromium through Selenium, as a user works with it:
run an inference cycle with the button and wait for it through the page, see the new cycle in the
log and on Signals & Orders, promote a model version (confirming the dialog) and check that the
running mntrading-serve follows, roll it back, start a pipeline and cancel it with the Cancel
button, and take a screenshot of every page (not blank, key elements present). Also times each page's server-side rendering. Selenium and Chromium are test
tools only; everything stays on 127.0.0.1.
Usage: check-dashboard.py OPS_PORT SERVE_PORT SCREENSHOT_DIR"""
import json
import os
import statistics
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, NoSuchElementException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

ops_port, serve_port, shots = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
base = f"http://127.0.0.1:{ops_port}"
os.makedirs(shots, exist_ok=True)
problems = []


def expect(condition, message):
    if not condition:
        problems.append(message)


def served_version():
    with urllib.request.urlopen(f"http://127.0.0.1:{serve_port}/metadata", timeout=5) as response:
        return json.load(response)["version"]


def wait_for(condition, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            value = condition()
            if value:
                return value
        except (StaleElementReferenceException, NoSuchElementException, OSError):
            pass
        time.sleep(0.2)
    problems.append(f"timed out after {seconds} s waiting for {what}")
    return None


def screenshot(name, required_ids):
    path = os.path.join(shots, f"{name}.png")
    driver.save_screenshot(path)
    size = os.path.getsize(path)
    # A blank 1280x1000 page compresses to a few kB; a rendered one does not.
    expect(size > 15_000, f"{name}: screenshot of {size} bytes looks blank")
    for element in required_ids:
        expect(driver.find_elements(By.ID, element), f"{name}: no #{element} on the page")


options = Options()
for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"):
    options.add_argument(argument)
options.binary_location = "/usr/bin/chromium"
# The Debian driver, given by path: Selenium must not try to download one.
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    # Operations: run a cycle with the button, follow it through the page to its end.
    driver.get(base + "/")
    expect("Operations" in driver.title, f"title {driver.title!r}")
    driver.find_element(By.ID, "run-cycle").click()
    state = wait_for(lambda: driver.find_element(By.ID, "task-state").text in ("succeeded", "failed") and driver.find_element(By.ID, "task-state").text,
                     180, "the cycle to finish on the page")
    expect(state == "succeeded", f"the cycle ended {state}: {driver.find_element(By.ID, 'log').text[-500:] if state else ''}")
    log = driver.find_element(By.ID, "log").text
    cycle_lines = [line for line in log.splitlines() if line.startswith("cycle ")]
    expect(cycle_lines, f"the log shows no cycle line: {log[-300:]!r}")
    expect(driver.find_elements(By.CSS_SELECTOR, "#tasks tbody tr"), "the last tasks table is empty")
    screenshot("operations", ["log", "tasks", "run-cycle", "run-pipeline"])

    # Signals & Orders: the cycle's bar.
    driver.get(base + "/signals")
    body = driver.find_element(By.TAG_NAME, "main").text
    cycle_time = cycle_lines[-1].split(":")[0].replace("cycle ", "") if cycle_lines else "?"
    expect(driver.find_elements(By.CSS_SELECTOR, "#signals tbody tr"), "no signals table rows")
    expect("Orders at" in body, "no orders section for the cycle")
    expect(cycle_time.split(" ")[0] in body, f"the page does not show the cycle's bar {cycle_time}")
    screenshot("signals", ["signals"])

    # Models: promote version 1 (confirming), the server follows; roll back, it follows back.
    before = served_version()
    driver.get(base + "/models")
    expect(f"champion → {before}" in driver.find_element(By.ID, "aliases").text, f"aliases {driver.find_element(By.ID, 'aliases').text!r}, server on {before}")
    target = 1 if before != 1 else 2
    driver.find_element(By.ID, f"promote-{target}").click()
    driver.switch_to.alert.accept()
    wait_for(lambda: f"champion → {target}" in driver.find_element(By.ID, "aliases").text, 10, "the page to show the promotion")
    expect(wait_for(lambda: served_version() == target, 30, f"mntrading-serve to serve version {target}") is not None, "the server did not follow the promotion")
    screenshot("models", ["versions", "aliases", "rollback"])
    driver.find_element(By.ID, "rollback").click()
    driver.switch_to.alert.accept()
    wait_for(lambda: f"champion → {before}" in driver.find_element(By.ID, "aliases").text, 10, "the page to show the roll back")
    expect(wait_for(lambda: served_version() == before, 30, f"mntrading-serve to serve version {before} again") is not None, "the server did not follow the roll back")

    # The other pages render their content.
    for path, name, ids in (("/pairs", "pairs", ["pairs"]), ("/training", "training", ["training"]), ("/report", "report", [])):
        driver.get(base + path)
        screenshot(name, ids)
        expect("Nothing yet" not in driver.find_element(By.TAG_NAME, "main").text, f"{path} says nothing yet after a pipeline and a cycle")
    expect(driver.find_elements(By.TAG_NAME, "iframe"), "the report page has no report")

    # Live: the paper ledger the cycle booked into: its equity chart, positions and fills link.
    driver.get(base + "/live")
    screenshot("live", ["ledger-summary", "live-equity", "positions", "fills-csv"])
    main = driver.find_element(By.TAG_NAME, "main").text
    expect("Nothing yet" not in main, "/live says nothing yet after a cycle")
    expect(driver.find_elements(By.CSS_SELECTOR, "#positions tbody tr"), "no pair in the ledger's positions table")
    expect(driver.find_elements(By.CSS_SELECTOR, "#live-equity svg"), "no equity chart on the Live page")
    csv = urllib.request.urlopen(base + "/api/ledger/fills.csv", timeout=10).read().decode()
    expect(csv.startswith("time,pair,symbol,side"), f"fills.csv starts {csv[:40]!r}")
    metrics = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
    expect("mntrading_ledger_equity " in metrics and "mntrading_ledger_pair_state{" in metrics, "the ledger's metrics are missing")

    # Cancel: a pipeline started with its button stops with the Cancel button; the page says so.
    driver.get(base + "/")
    driver.find_element(By.ID, "run-pipeline").click()
    cancel = wait_for(lambda: driver.find_elements(By.ID, "cancel-task"), 30, "the Cancel button of the running pipeline")
    expect(cancel, "no Cancel button while the pipeline runs")
    if cancel:
        cancel[0].click()
        def cancelled():
            driver.get(base + "/")
            return driver.find_element(By.ID, "task-state").text == "cancelled"
        expect(wait_for(cancelled, 60, "the pipeline to show as cancelled") is not None, "the cancelled pipeline did not end as cancelled")
finally:
    driver.quit()

# Server time per page (the request on loopback, median of 20).
timings = {}
for path in ("/", "/pairs", "/training", "/models", "/signals", "/live", "/report"):
    samples = []
    for _ in range(20):
        started = time.perf_counter()
        urllib.request.urlopen(base + path, timeout=10).read()
        samples.append((time.perf_counter() - started) * 1000)
    timings[path] = statistics.median(samples)
print("page times (median of 20, ms): " + ", ".join(f"{path} {ms:.1f}" for path, ms in timings.items()))
print(f"dashboard: cycle {state}, promote/roll back followed by the server, a pipeline cancelled, {len(os.listdir(shots))} screenshots in {shots}"
      + ("" if not problems else f"; problems: {problems}"))
print(f"dashboard check: {0 if problems else 1} passed, {1 if problems else 0} failed")
sys.exit(1 if problems else 0)
