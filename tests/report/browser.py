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


def check_page(html: Path, screenshot: Path, pdf: Path | None = None) -> dict[str, object]:
    """Open ``html`` at desktop width; measure overflow; save a screenshot and optionally a PDF.

    Returns the page state, images, console messages, ``overflow`` (the page is wider than the
    window: sideways scrolling) and ``wide`` (elements wider than their container: cut or
    scrolled tables, charts), and the print layout's ``print_overflow`` at A4 width.
    """
    import base64

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.print_page_options import PrintOptions

    chrome, driver_path = chromium_or_skip()
    opts = webdriver.ChromeOptions()
    opts.binary_location = chrome
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--window-size=1280,900",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=opts)
    wide_js = (
        "return Array.from(document.querySelectorAll('table,img,figure,pre,.kpis,p'))"
        ".filter(e => e.scrollWidth > e.parentElement.clientWidth + 1 ||"
        " e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
        ".map(e => e.tagName + ':' + (e.textContent || e.alt || '').slice(0, 60))"
    )
    try:
        driver.get(html.resolve().as_uri())
        state = driver.execute_script("return document.readyState")
        images = driver.execute_script(
            "return Array.from(document.images).map(i => "
            "({alt: i.alt, complete: i.complete, width: i.naturalWidth}))"
        )
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        wide = driver.execute_script(wide_js)
        height = driver.execute_script("return document.body.scrollHeight")
        driver.set_window_size(1280, min(int(height) + 100, 16000))
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(screenshot))
        logs = driver.get_log("browser")
        # the print layout: A4 width (about 794 CSS px at 96 dpi, minus 12 mm margins)
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        driver.set_window_size(720, 1000)
        print_overflow = driver.execute_script(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        print_wide = driver.execute_script(wide_js)
        if pdf is not None:
            po = PrintOptions()
            po.page_width, po.page_height = 21.0, 29.7
            po.background = True
            pdf.write_bytes(base64.b64decode(driver.print_page(po)))
    finally:
        driver.quit()
    return {
        "state": state,
        "images": images,
        "console": logs,
        "overflow": overflow,
        "wide": wide,
        "print_overflow": print_overflow,
        "print_wide": print_wide,
    }
