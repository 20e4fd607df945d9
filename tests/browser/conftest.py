"""Playwright driving Debian's chromium against pytest-django's live server.

The browser is /usr/bin/chromium (installed by `.ci/run`, or `make browser-deps`); the test
tool's own browser download would need the internet, which the bureau's network lacks.
On a machine without chromium these tests skip, saying why; in CI (CI=true) they fail instead.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "browser" in item.nodeid.split("::")[0]:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("CI"):
            pytest.fail(f"chromium not found at {CHROMIUM}; .ci/run installs it with apt")
        pytest.skip(f"chromium is not installed at {CHROMIUM} (run `make browser-deps`)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests
    # make between page actions are still synchronous and safe. Only while a browser runs, so
    # subprocesses of other tests (check --deploy) do not inherit it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def csp_violations(page) -> list[str]:
    """Every Content-Security-Policy report the browser logs while a test runs: each browser
    test also checks that its pages run under the policy (issue #18)."""
    found = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    violations = csp_violations(page)
    yield page
    context.close()
    assert violations == [], "the Content-Security-Policy blocked something"


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized window (iPhone-like 390×844, touch)."""
    context = browser.new_context(
        locale="zh-CN",
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    violations = csp_violations(page)
    yield page
    context.close()
    assert violations == [], "the Content-Security-Policy blocked something"


@pytest.fixture
def log_in():
    """Log in through the real login form: `log_in(page, "officer_zsj", password)`."""

    def _log_in(page, username, password):
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")

    return _log_in
