"""`sibmodel app` in a real browser (Debian's chromium via Playwright): what a visitor does to the server.

- the first page after the pre-heated kernel has idled past the cell timeout renders;
- closing a tab shuts its kernel within seconds (Voilà's beacon, with the _xsrf cookie the page now has);
- a lost kernel connection shows a message with a reload button, and the reload brings the app back;
- past --max-sessions, a visitor sees the busy page, in Danish and English.

The server runs with a long --cull-idle (600 s: kernels without page go after 120 s), so a kernel that ends
within seconds was ended by the page, not by the culler.
"""
from __future__ import annotations

import re
import time

import pytest

from _browser import browser  # noqa: F401 - fixture
from test_serve import CELL_TIMEOUT, Server

CARD = ".sib-card[data-name=commissioner_max]"


@pytest.fixture(scope="module")
def app_server():
    s = Server("--pool-size", "1", "--max-sessions", "2", "--cull-idle", "600",
               env={"SIBMODEL_CELL_TIMEOUT": str(CELL_TIMEOUT)})
    try:
        s.wait_ready()
        yield s
    finally:
        s.stop()


class Tab:
    """A browser context with one page. No request interception here: Playwright's routing can hold back the
    beacon a page sends while it unloads, which is what these tests are about."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.failed: list[str] = []
        self.page.on("response", lambda r: self.failed.append(f"{r.url} {r.status}") if r.status >= 400 else None)

    def open(self, url: str, wait: bool = True):
        response = self.page.goto(url, timeout=90_000)
        if wait:
            self.ready()
        return response

    def ready(self) -> None:
        self.page.wait_for_selector(CARD, timeout=90_000)

    def close(self) -> None:
        """Close the tab as a user does (its beacon ends the kernel), then the context."""
        from playwright.sync_api import Error

        try:
            if not self.page.is_closed():
                self.page.close(run_before_unload=True)
                self.page.wait_for_timeout(500)  # the beacon goes out while the page unloads
        except Error:
            pass  # closed already
        self.context.close()


def page_kernel(w: Tab) -> str:
    m = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', w.page.content())
    assert m, "no kernel id in the page"
    return m.group(1)


def test_idle_preheated_kernel_then_open_renders_and_closing_the_tab_ends_its_kernel(browser, app_server):
    app_server.wait_idle()
    time.sleep(CELL_TIMEOUT + 2)  # the pooled kernel has waited longer than a cell may run
    w = Tab(browser)
    try:
        w.open(app_server.url)
        assert w.page.locator(CARD).count() == 1
        assert "timed out" not in w.page.content()
        assert any(c["name"] == "_xsrf" for c in w.context.cookies())
        kid = page_kernel(w)
        assert kid in app_server.kernels()
        w.page.close(run_before_unload=True)  # as a user closing the tab: beforeunload sends the beacon
        started = time.monotonic()
        app_server.wait_kernels(lambda k: kid not in k, timeout=10)
        print(f"kernel ended {time.monotonic() - started:.1f} s after the tab closed")
        assert not [f for f in w.failed if "/voila/api/shutdown/" in f], w.failed
        assert f"Kernel shutdown: {kid}" in app_server.log
    finally:
        w.close()


def test_navigating_away_ends_the_kernel_too(browser, app_server):
    app_server.wait_idle()
    w = Tab(browser)
    try:
        w.open(app_server.url + "?lang=en")
        kid = page_kernel(w)
        w.page.goto("about:blank")
        app_server.wait_kernels(lambda k: kid not in k, timeout=10)
    finally:
        w.close()


@pytest.mark.parametrize("lang, words, button", [("da", "Forbindelsen til serveren er afbrudt", "Genindlæs"),
                                                 ("en", "The connection to the server was lost", "Reload")])
def test_a_lost_kernel_shows_a_message_with_a_reload_button(browser, app_server, lang, words, button):
    app_server.wait_idle()
    w = Tab(browser)
    try:
        w.open(app_server.url + f"?lang={lang}")
        assert w.page.locator("#sib-connection-lost").count() == 0
        kid = page_kernel(w)
        app_server.kernels()[kid].kill()  # the kernel dies (as when culled, or out of memory)
        box = w.page.locator("#sib-connection-lost")
        box.wait_for(state="visible", timeout=15_000)
        assert words in box.inner_text()
        w.page.get_by_role("button", name=button).click()
        w.ready()  # the reload renders the app again, with a new kernel
        assert w.page.locator("#sib-connection-lost").count() == 0
        assert page_kernel(w) != kid
    finally:
        w.close()


def test_past_max_sessions_the_visitor_sees_the_busy_page(browser, app_server):
    app_server.wait_idle()
    pages = [Tab(browser) for _ in range(3)]
    try:
        pages[0].open(app_server.url)
        pages[1].open(app_server.url)
        response = pages[2].open(app_server.url, wait=False)
        pages[2].page.wait_for_load_state("load")
        assert response.status == 503
        text = pages[2].page.inner_text("body")
        assert "Appen er optaget" in text and "The app is busy" in text
        pages[0].page.close(run_before_unload=True)  # one visitor leaves: the next one gets in
        app_server.wait_kernels(lambda k: len(k) <= 2 and app_server.pool_full(), timeout=20)
        pages[2].open(app_server.url)
        assert pages[2].page.locator(CARD).count() == 1
    finally:
        for w in pages:
            w.close()
