"""Browser tests: the `browser` and `new_page` fixtures live in tests/conftest.py
(one Playwright session for the whole run); this adds the accessibility check."""

import os

# Playwright's sync API runs an event loop in this thread; the ORM calls that
# tests make around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page) -> None:
    """Fail with the rule ids and targets of every WCAG 2.1 A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}},
    )
    violations = results.response["violations"]
    details = [
        f"{v['id']}: {[node['target'] for node in v['nodes']]}" for v in violations
    ]
    assert not violations, f"{page.url}\n" + "\n".join(details)
