"""Open an HTML file in headless Chromium (Debian's chromium + chromedriver) via Selenium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def chromium_or_skip() -> tuple[str, str]:
    """Paths of chromium and chromedriver; skip only when explicitly allowed."""
    chrome = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chrome and driver:
        return chrome, driver
    if os.environ.get("OPTIMIZER_SKIP_BROWSER") == "1":
        pytest.skip("OPTIMIZER_SKIP_BROWSER=1 and no chromium installed")
    pytest.fail(
        "chromium/chromedriver not found: run `bash scripts/ensure-chromium.sh` (make test does)"
    )


def open_in_browser(html: Path, screenshot: Path) -> dict[str, object]:
    """Load ``html``; return console messages and image states; save a full-page screenshot."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chrome, driver_path = chromium_or_skip()
    opts = webdriver.ChromeOptions()
    opts.binary_location = chrome
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,2000",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=opts)
    try:
        driver.get(html.resolve().as_uri())
        state = driver.execute_script("return document.readyState")
        images = driver.execute_script(
            "return Array.from(document.images).map(i => "
            "({alt: i.alt, complete: i.complete, width: i.naturalWidth}))"
        )
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1280, min(int(height) + 100, 12000))
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(screenshot))
        logs = driver.get_log("browser")
    finally:
        driver.quit()
    return {"state": state, "images": images, "console": logs}
