"""Driving Debian's headless Chromium with Selenium, nothing downloaded: the browser and its
driver are the system's (/usr/bin/chromium, /usr/bin/chromedriver), the profile a temp dir.

Without them a browser test skips and says why; with ALLIANCE_LEDGER_REQUIRE_CHROMIUM=1 (CI)
it fails instead. Also used by ``python -m tests.explorer_screenshots``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REQUIRE = os.environ.get("ALLIANCE_LEDGER_REQUIRE_CHROMIUM") == "1"
os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not fetch a driver or a browser
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-extensions",
         "--disable-dev-shm-usage", "--hide-scrollbars"]


def browser_or_skip() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install -e '.[test]')")
    if missing:
        reason = ("browser tests need Debian's chromium and chromium-driver (apt-get install -y chromium "
                  f"chromium-driver) and selenium; missing: {', '.join(missing)}")
        if REQUIRE:
            pytest.fail(f"ALLIANCE_LEDGER_REQUIRE_CHROMIUM=1 but {reason}")
        pytest.skip(reason)


class Browser:
    """One headless Chromium with its own profile, at a window size (``mobile`` emulates a phone)."""

    def __init__(self, width: int = 1366, height: int = 900, mobile: bool = False) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile = tempfile.mkdtemp(prefix="al-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in [*FLAGS, f"--user-data-dir={self.profile}", f"--window-size={width},{height}"]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        self.resize(width, height, mobile)

    def resize(self, width: int, height: int, mobile: bool = False) -> None:
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def open(self, url: str, timeout: float = 30) -> None:
        self.driver.get(url)
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float = 30) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(self.driver, timeout).until(lambda d: d.execute_script(
            "return document.body.dataset.ready === '1' && document.getElementById('view').dataset.state === 'ready'"))

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def console_errors(self) -> list[dict[str, Any]]:
        """Browser log entries at SEVERE level since the last call (script errors, failed loads, CSP)."""
        return [e for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]

    def screenshot(self, path: Path, full_page: bool = False, width: int | None = None, mobile: bool = False) -> None:
        if full_page and width is not None:
            height = int(self.js("return document.documentElement.scrollHeight"))
            self.resize(width, min(height, 2400), mobile)
        self.driver.save_screenshot(str(path))

    def quit(self) -> None:
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)
