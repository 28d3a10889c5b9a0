"""End to end in a real headless Chromium: `radar web` on a register filed by a real demo scan.

A person signs in, opens the inbox, opens an entry, sees its plot, accepts it with a
target, and sees the new status and their audit line; a viewer's attempt is refused.
Screenshots go to ``.radar/screenshots/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from register_client import Candidate, connect
from tests.conftest import DEMO_CONFIG, ROOT
from tests.web.webtools import OWNER_GROUP, PASSWORD, Receiver

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SHOTS = ROOT / ".radar" / "screenshots"
RADAR = str(Path(sys.executable).with_name("radar"))
BASE_URL = "https://radar.example.org"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(DRIVER).exists()),
        reason="needs Debian's chromium and chromium-driver (.ci/run installs them)",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def hook() -> Iterator[Receiver]:
    """A webhook receiver on 127.0.0.1 that the scan posts its new entries to."""
    found = Receiver()
    yield found
    found.close()


@pytest.fixture(scope="module")
def demo(
    prefect_harness: None, tmp_path_factory: pytest.TempPathFactory, hook: Receiver
) -> tuple[str, Path]:
    """A register filed by the real flow on the bundled demo (one night), with its plots.

    The config is the demo's plus ``web``/``notify``; the webhook URL comes from the env.
    """
    from flows.orchestrate.flows import scan_flow

    home = tmp_path_factory.mktemp("radar-web") / ".radar"
    config = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    for source in config["sources"]:
        source["path"] = str((DEMO_CONFIG.parent / source["path"]).resolve())
    config |= {"web": {"base_url": BASE_URL}, "notify": {"format": "generic"}}
    path = home.parent / "demo-notify.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    url = f"sqlite:///{home / 'register.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RADAR_HOME", str(home))
        patch.setenv("RADAR_WEBHOOK_URL", hook.url)
        scan_flow(str(path), url)
    reg = connect(url)
    reg.add_user("vic", role="viewer", password=PASSWORD)
    reg.dispose()
    return url, home


def test_the_scan_posted_its_new_entries_to_the_webhook(
    demo: tuple[str, Path], hook: Receiver
) -> None:
    url, _ = demo
    filed = [e.id for e in connect(url).list()]
    assert len(hook.bodies) == 1
    posted = hook.bodies[0]["entries"]
    assert [e["id"] for e in posted] == filed
    assert posted[0]["link"] == f"{BASE_URL}/entries/{filed[0]}"


@pytest.fixture(scope="module")
def server(demo: tuple[str, Path]) -> Iterator[str]:
    """`radar users add` then `radar web` as a user runs them, on a free port of 127.0.0.1."""
    url, home = demo
    env = {**os.environ, "RADAR_HOME": str(home), "RADAR_WEB_SECRET": "e2e-" + "k" * 40}
    added = subprocess.run(
        [RADAR, "users", "add", "alice", "--role", "owner", "--group", OWNER_GROUP,
         "--password-stdin", "--register", url],
        input=PASSWORD + "\n", capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    port = _free_port()
    proc = subprocess.Popen(
        [RADAR, "web", "--register", url, "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{base}/login", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"radar web did not start: {proc.stderr.read() if proc.stderr else ''}")
            time.sleep(0.3)
    yield base
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.add_argument("--window-size=1280,1800")
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(60)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def _sign_in(driver: Any, base: str, name: str) -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(f"{base}/")
    assert "/login" in driver.current_url
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    _click_through(driver, driver.find_element(By.ID, "sign-in"))
    assert _find(driver, By.CSS_SELECTOR, "h1").text == "Inbox"


def _click_through(driver: Any, element: Any) -> None:
    """Click a link or submit button and wait until the page it left is gone.

    Without the wait, a look-up right after the click can find the old page's
    element (both pages have an ``h1``) and read it while Chromium tears it down.
    """
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    old_page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    # Mid-navigation Chromium may answer with an inspector error rather than
    # "stale"; keep polling until the old document is really gone.
    WebDriverWait(driver, 30, ignored_exceptions=(WebDriverException,)).until(
        ec.staleness_of(old_page)
    )


def _find(driver: Any, by: str, value: str) -> Any:
    """Wait for an element of the page a click just loaded."""
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 30).until(ec.presence_of_element_located((by, value)))


def _wait_for_plot(driver: Any) -> int:
    width = 0
    for _ in range(50):
        width = driver.execute_script(
            "const i = document.getElementById('evidence-plot');"
            "return i && i.complete ? i.naturalWidth : 0;"
        )
        if width:
            break
        time.sleep(0.1)
    return int(width)


def test_owner_signs_in_opens_an_entry_and_accepts_it(
    server: str, browser: Any, demo: tuple[str, Path]
) -> None:
    from selenium.webdriver.common.by import By

    url, _ = demo
    routed = [e for e in connect(url).list() if e.owner == OWNER_GROUP]
    assert routed, "the demo scan routes entries to the resolver group manager"
    entry = routed[0]
    # back to the baseline median, or a tenth better than now where no clean baseline exists
    level = entry.baseline.get("median")
    target = round(float(level if level is not None else 0.9 * entry.current["value"]), 2)

    _sign_in(browser, server, "alice")
    rows = browser.find_elements(By.CSS_SELECTOR, "#entries tbody tr")
    assert len(rows) == len(connect(url).list(status="new"))
    browser.save_screenshot(str(SHOTS / "1-inbox.png"))

    _click_through(browser, browser.find_element(By.LINK_TEXT, entry.id))
    assert entry.title in _find(browser, By.CSS_SELECTOR, "h1").text
    assert _wait_for_plot(browser) > 0, "the evidence plot did not load"
    assert browser.find_element(By.ID, "status").text == "new"
    browser.save_screenshot(str(SHOTS / "2-entry.png"))

    browser.find_element(By.ID, "accept-target").send_keys(str(target))
    _click_through(browser, browser.find_element(By.ID, "do-accept"))
    flash = _find(browser, By.CLASS_NAME, "flash").text
    assert browser.find_element(By.ID, "status").text == "accepted"
    assert flash == f"{entry.id}: accept done, now accepted"
    audit = browser.find_elements(By.CSS_SELECTOR, "#audit tbody tr")[-1].text
    assert "alice accept new → accepted" in audit and f"target: {target}" in audit
    assert browser.find_element(By.ID, "target").text.startswith(f"{target:.4g}")
    browser.save_screenshot(str(SHOTS / "3-accepted.png"))

    saved = connect(url).get(entry.id)
    assert (saved.status, saved.history[-1].by) == ("accepted", "alice")
    assert saved.target is not None and saved.target.value == target

    browser.get(f"{server}/overview")
    chart = _find(browser, By.ID, "by-status")
    assert "accepted" in chart.text
    browser.save_screenshot(str(SHOTS / "5-overview.png"))

    browser.get(f"{server}/entries/{entry.id}")
    _click_through(browser, _find(browser, By.ID, "data-docs"))
    assert "/data-docs/" in browser.current_url  # the kept copy the entry links to
    assert "uci_incidents" in browser.page_source  # the gate's validation page, served


def test_a_viewers_attempt_to_act_is_refused(
    server: str, browser: Any, demo: tuple[str, Path]
) -> None:
    from selenium.webdriver.common.by import By

    url, _ = demo
    entry = connect(url).list()[0]
    before = len(entry.history)
    _sign_in(browser, server, "vic")
    browser.get(f"{server}/entries/{entry.id}")
    button = _find(browser, By.ID, "do-reject")
    assert not button.is_enabled()
    # Force the disabled form through: the server must refuse it on its own.
    browser.execute_script("arguments[0].disabled = false;", button)
    browser.find_element(By.ID, "reject-reason").send_keys("viewer tries")
    _click_through(browser, button)
    error = _find(browser, By.ID, "error").text
    assert error.startswith(f"vic (viewer) may not act on {entry.id}")
    browser.save_screenshot(str(SHOTS / "4-viewer-refused.png"))
    assert len(connect(url).get(entry.id).history) == before


def test_a_related_entry_is_one_click_away(
    server: str, browser: Any, demo: tuple[str, Path]
) -> None:
    from selenium.webdriver.common.by import By

    url, _ = demo
    register = connect(url)
    entry = next(e for e in register.list() if e.dimensions)
    # Another KPI of the entry's slice in the same window: an entry it relates to.
    backlog = {"name": "backlog_open", "unit": "incidents", "better": "lower"}
    window = {"start": entry.window.start, "end": entry.window.end}
    register.file([Candidate.example(kpi=backlog, dimensions=entry.dimensions, window=window)])
    entry = register.get(entry.id)
    other = entry.related[-1]
    _sign_in(browser, server, "vic")
    browser.get(f"{server}/entries/{entry.id}")
    assert f"{other.id} {other.what} ({other.shared})" in _find(browser, By.ID, "related").text
    _click_through(browser, browser.find_element(By.LINK_TEXT, other.id))
    assert _find(browser, By.CSS_SELECTOR, "h1").text.startswith(f"{other.id}: ")
    assert entry.id in browser.find_element(By.ID, "related").text  # and back again


def test_screenshots_are_kept() -> None:
    assert shutil.which("chromium") or Path(CHROMIUM).exists()
    names = sorted(p.name for p in SHOTS.glob("*.png"))
    expected = {"1-inbox.png", "2-entry.png", "3-accepted.png", "4-viewer-refused.png"}
    assert expected | {"5-overview.png"} <= set(names)
