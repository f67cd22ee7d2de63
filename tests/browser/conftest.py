"""Browser tests: a real headless Chromium (Debian's chromium + chromium-driver) driving the local
preview served by pytest-django's live server, with an axe-core audit, a phone-width check and a
check for English left in the Swedish UI at every step. Screenshots go to ``artifacts/screenshots``.
"""
import gettext
import os
import re
import shutil
import tempfile
from importlib.resources import files
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "artifacts" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE_WIDTH = 375


def _missing_tools():
    missing = [str(p) for p in (Path(CHROMIUM), Path(CHROMEDRIVER), AXE) if not p.exists()]
    try:
        import selenium  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        missing.append("selenium")
    return missing


def missing_tools_outcome(missing, ci):
    """``(pytest.skip or pytest.fail, reason)`` for a browser test when tools are missing, else ``None``:
    skipped on a developer's machine (saying how to get them), failed on CI, where a skipped test and
    its accessibility audit would pass unnoticed."""
    if not missing:
        return None
    if ci:
        return pytest.fail, (f"browser tools missing on CI: {missing}; browser tests and their audit may not be "
                             "skipped there (python3 dev.py test installs them when run as root)")
    return pytest.skip, f"missing {missing}: run python3 dev.py test (installs them)"


def pytest_collection_modifyitems(config, items):
    outcome = missing_tools_outcome(_missing_tools(), bool(os.environ.get("CI")))
    if outcome is None or outcome[0] is pytest.fail:
        return  # on CI each browser test fails in _browser_tools_present
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=outcome[1]))


@pytest.fixture(autouse=True)
def _browser_tools_present(request):
    if "browser" not in request.node.keywords:
        return
    outcome = missing_tools_outcome(_missing_tools(), bool(os.environ.get("CI")))
    if outcome is not None:
        action, reason = outcome
        action(reason)


def english_msgids():
    """What of the English msgids may not appear on a Swedish page: ``(pieces, labels)``.

    ``pieces`` are the literal parts (12+ characters) of every msgid whose Swedish text differs,
    searched in the whole page text; ``labels`` are the shorter msgids, compared with the whole text
    of buttons, labels, headings and the like ("Save", "Cancel").
    """
    catalogs = [gettext.translation("text", str(files("kkn_xblocks") / "translations"), ["sv"]),
                # the course preview's own pages (outline, learner switch, problems)
                gettext.translation("django", str(files("course_export") / "preview" / "locale"), ["sv"])]
    pieces, labels = set(), set()
    items = [(msgid, msgstr, catalog) for catalog in catalogs
             for msgid, msgstr in catalog._catalog.items()]  # pylint: disable=protected-access
    for msgid, msgstr, catalog in items:
        if isinstance(msgid, tuple):
            msgid, msgstr = msgid[0], catalog._catalog.get((msgid[0], 0), "")  # pylint: disable=protected-access
        if not msgid or msgid == msgstr:
            continue
        labels.add(msgid.strip())
        for piece in re.split(r"\{\w+\}|%\(\w+\)s|%%|\n", msgid):
            piece = piece.strip(" .,:;()\u201c\u201d\"'\u2026")
            if len(piece) >= 12 and re.search(r"[a-z]{3}", piece):
                pieces.add(piece)
    return sorted(pieces), labels


class Browser:
    """One browser session (one person), with the checks every step must pass."""

    def __init__(self, driver, base_url, name):
        self.driver = driver
        self.base_url = base_url
        self.name = name
        self.steps = 0
        self._english = None

    def open(self, path):
        self.driver.get(self.base_url + path)
        self.wait_for_scripts()

    def wait_for_scripts(self):
        from selenium.webdriver.support.ui import WebDriverWait  # pylint: disable=import-outside-toplevel
        WebDriverWait(self.driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def find(self, css):
        return self.driver.find_element("css selector", css)

    def find_all(self, css):
        return self.driver.find_elements("css selector", css)

    def wait_text(self, css, text, timeout=10):
        from selenium.common.exceptions import StaleElementReferenceException  # pylint: disable=import-outside-toplevel
        from selenium.webdriver.support.ui import WebDriverWait  # pylint: disable=import-outside-toplevel
        # During a navigation (a form's submission, a redirect) the element found may be the old
        # page's, gone a moment later: look again.
        WebDriverWait(self.driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: text in d.find_element("css selector", css).text)
        return self.find(css).text

    def body_text(self):
        return self.find("body").text

    # --- the checks ------------------------------------------------------------------------------
    def axe_violations(self):
        self.driver.execute_script(AXE.read_text(encoding="utf-8"))
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}}).then(r => done(r.violations),"
            " e => done([{id: 'axe-error', help: String(e), nodes: []}]));",
            WCAG_TAGS,
        )
        return [
            f"{v['id']}: {v['help']} -> {[n.get('target') for n in v['nodes']][:5]}"
            for v in result
        ]

    def english_left(self):
        if self._english is None:
            self._english = english_msgids()
        pieces, labels = self._english
        text = self.body_text()
        element_texts = self.driver.execute_script(
            "return Array.from(document.querySelectorAll('button, label, legend, h1, h2, h3, h4, th, a, option,"
            " caption, summary, [role=status], [aria-live]')).map(e => (e.innerText || '').trim());")
        return [piece for piece in pieces if piece in text] + sorted({t for t in element_texts if t in labels})

    def horizontal_overflow(self):
        return self.driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;")

    def small_touch_targets(self):
        return self.driver.execute_script("""
            const small = [];
            document.querySelectorAll('.kkn button, .kkn select, .kkn textarea, .kkn input[type=text],'
                + ' .kkn input[type=number], .kkn .kkn-button, .kkn .kkn-option').forEach(el => {
              const r = el.getBoundingClientRect();
              if (r.width > 0 && r.height > 0 && r.height < 44) small.push(el.outerHTML.slice(0, 80));
            });
            return small;""")

    def step(self, label):
        """Screenshot, then every check, at the current width and at phone width."""
        self.steps += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        stem = f"{self.name}-{self.steps:02d}-{re.sub(r'[^a-z0-9]+', '-', label.lower())}"
        problems = {"axe": self.axe_violations(), "english": self.english_left()}
        self.driver.save_screenshot(str(ARTIFACTS / f"{stem}.png"))
        size = self.driver.get_window_size()
        self.driver.set_window_size(PHONE_WIDTH + (size["width"] - self.driver.execute_script("return window.innerWidth")),
                                    size["height"])
        try:
            problems["phone overflow px"] = self.horizontal_overflow() or []
            problems["phone small targets"] = self.small_touch_targets()
            problems["phone axe"] = self.axe_violations()
            self.driver.save_screenshot(str(ARTIFACTS / f"{stem}-phone.png"))
        finally:
            self.driver.set_window_size(size["width"], size["height"])
        problems = {k: v for k, v in problems.items() if v}
        assert not problems, f"step {label!r}: {problems}"


@pytest.fixture
def browsers(live_server, request):
    """``browsers("anna")`` opens a new, separate browser session (its own cookies)."""
    from selenium import webdriver  # pylint: disable=import-outside-toplevel
    from selenium.webdriver.chrome.service import Service  # pylint: disable=import-outside-toplevel

    opened = []

    def open_browser(name):
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        profile = tempfile.mkdtemp(prefix="kkn-chromium-")
        for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
                     "--disable-dev-shm-usage", "--lang=sv-SE", "--window-size=1280,1000",
                     f"--user-data-dir={profile}"]:
            options.add_argument(flag)
        options.add_experimental_option("prefs", {"intl.accept_languages": "sv-SE,sv"})
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        driver.set_script_timeout(30)
        opened.append((driver, profile))
        return Browser(driver, live_server.url, f"{request.node.name}-{name}")

    yield open_browser
    for driver, profile in opened:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
