"""axe-core on the portfolio and the early-warnings tab, in Chromium (WCAG 2.2 AA and best practice).

The harness is partnering/browser_testing.py (Debian's Chromium, the live server,
axe-core from node_modules); skipped when Chromium or axe-core is not installed.
"""

from __future__ import annotations

import pytest

from partnering.browser_testing import assert_accessible, needs_browser, sign_in

pytestmark = [pytest.mark.browser, needs_browser]


def test_the_portfolio_pages_are_accessible(transactional_db, live_server, page):
    from partnering.arrangements.demo import load_demo
    from partnering.portfolio.demo import demo_portfolio
    from partnering.testing import PASSWORD

    arrangement, _people = load_demo()
    demo_portfolio(arrangement)
    from partnering.accounts.models import User

    helen = User.objects.get(email="helen.carter@northshire.example")
    helen.set_password(PASSWORD)
    helen.save()
    sign_in(page, helen)

    for path in ("/portfolio/", "/portfolio/?health=green", f"/arrangements/{arrangement.slug}/warnings/"):
        response = page.goto(path)
        assert response is not None and response.ok, path
        assert_accessible(page)
