"""Screenshots of the explorer for the README: ``python -m tests.explorer_screenshots [DIR]``.

Loads the demo dataset into a temporary SQLite ledger, starts ``serve`` on a free port and
photographs the views with the same headless Chromium the browser tests use, at a laptop width
and a phone width (default DIR: docs/screenshots).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from tests.browserkit import Browser
from tests.serverkit import load_demo, serving

LAPTOP, PHONE = (1366, 900), (390, 844)
VIEWS = [
    ("graph", "/graph?as_of=2025-11-01", False),
    ("graph-2019", "/graph?as_of=2019-08-01", False),
    ("item", "/item/stakes/microsoft/openai?as_of=2025-11-01", True),
    ("diff", "/diff?from=2023-01-01&to=2025-11-01&party=microsoft", True),
    ("event", "/event/msft-openai-2023-01-23-stake-49-reported", True),
    ("search", "/search?q=stargate", False),
    ("party", "/party/openai?as_of=2023-11-20", True),
]


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/demo.db"
        load_demo(url)
        with serving(url, log_dir=Path(tmp)) as server:
            for label, (width, height), mobile in (("laptop", LAPTOP, False), ("phone", PHONE, True)):
                browser = Browser(width, height, mobile)
                try:
                    for name, hash_, full in VIEWS:
                        if label == "phone" and name in ("graph-2019", "search", "party"):
                            continue
                        browser.resize(width, height, mobile)
                        browser.open(f"{server.base}/#{hash_}")
                        time.sleep(0.4)  # let the canvas paint
                        path = out / f"{name}-{label}.png"
                        browser.screenshot(path, full_page=full and not mobile, width=width, mobile=mobile)
                        errors = browser.console_errors()
                        print(f"{path} ({path.stat().st_size // 1024} KiB){' ERRORS: ' + repr(errors) if errors else ''}")
                finally:
                    browser.quit()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots"))
