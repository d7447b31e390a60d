"""axe-core (from npm, pinned in package-lock.json) run in a page as loaded."""

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def violations(page, impacts=("serious", "critical")):
    """axe's findings on ``page`` of the given impacts (None: every one), one line each."""
    # Evaluated through the DevTools protocol: the CSP refuses an inline <script>.
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if impacts is None or v["impact"] in impacts
    ]


def serious_violations(page):
    """axe's serious and critical findings on ``page``, one line each."""
    return violations(page)
