"""The method pages in a real browser (headless Chromium driven by Playwright): the Call
button sends the edited request and shows the answer, errors included.

Skipped when Playwright or a Chromium binary is missing; CI installs both (.ci/run).
POSTROOM_CHROMIUM names the binary if it is not `chromium` on the PATH.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest

from postroom.localserve import DEFAULT_LOGIN, DEFAULT_PASSWORD
from tests.conftest import RunningServer

if TYPE_CHECKING:
    from playwright.async_api import Page

async_api = pytest.importorskip("playwright.async_api")

CHROMIUM = os.environ.get("POSTROOM_CHROMIUM") or next(
    (path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium binary")


@pytest.fixture
async def page(server: RunningServer) -> AsyncIterator[Page]:
    async with async_api.async_playwright() as playwright:
        # The sandbox needs user namespaces, which containers (and root) often lack.
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = await browser.new_context(
                http_credentials={"username": DEFAULT_LOGIN, "password": DEFAULT_PASSWORD}
            )
            page = await context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            yield page
            assert errors == []
        finally:
            await browser.close()


async def call(page: Page, url: str, request: str | None = None) -> tuple[str, str]:
    """Open a method page, optionally replace its request, press Call; (status, response)."""
    await page.goto(url)
    if request is not None:
        await page.fill("#request", request)
    await page.click("#submit")
    status = page.locator("#status")
    await async_api.expect(status).not_to_have_text("Calling…")
    await async_api.expect(status).not_to_be_empty()
    response = await page.input_value("#response")
    return await status.text_content() or "", response


async def test_call_button_calls_the_method(server: RunningServer, page: Page) -> None:
    base = f"{server.url}/webapi/v0/"
    request = json.dumps({"EmailAddress": "Bob@Example.com", "Reason": "from the browser"})
    status, response = await call(page, base + "SuppressionAdd", request)
    assert (status, json.loads(response)) == ("200 OK", {})
    status, response = await call(page, base + "SuppressionList")
    assert status == "200 OK"
    (entry,) = json.loads(response)["Suppressions"]
    assert (entry["BaseAddress"], entry["Reason"]) == ("bob@example.com", "from the browser")
    assert response.startswith("{\n\t")  # pretty-printed like the example


async def test_errors_are_shown(server: RunningServer, page: Page) -> None:
    base = f"{server.url}/webapi/v0/"
    status, response = await call(page, base + "Send")  # the example has no body text
    assert status == "400 Bad Request"
    assert json.loads(response)["Code"] == "missingBody"
    status, _ = await call(page, base + "Send", "{not json")
    assert status.startswith("The request is not valid JSON")


async def test_admin_page_calls_the_account_api(server: RunningServer, page: Page) -> None:
    status, response = await call(page, f"{server.url}/account/api/v0/AccountGet")
    assert status == "200 OK"
    assert json.loads(response)["Account"]["Name"] == "postroom"
