"""What changed between two editions of a report: a comparison of their snapshot
documents (market/snapshot.py), shared by the page and the API.

Only sourced figures are compared: a computed year moves whenever a sourced one
does, and listing it would bury the change an editor made. For the same reason
prose is listed when its text changed, not when only the figures it quotes did.
"""

import difflib
from decimal import Decimal

PERCENT = Decimal("0.01")


def compare(old, new):
    """The changes from document ``old`` to document ``new``, JSON-ready:
    {"figures", "cagr", "segments", "companies", "approvals", "prose"}."""
    return {
        "figures": _figures(old, new),
        "cagr": _cagr(old, new),
        "segments": _added_removed(_names(old["segments"]), _names(new["segments"])),
        "companies": _added_removed(_names(old["listings"]), _names(new["listings"])),
        "approvals": _added_removed(
            [t["brand_name"] for t in old["therapies"]], [t["brand_name"] for t in new["therapies"]]
        ),
        "prose": _prose_changes(_prose(old), _prose(new)),
    }


def is_empty(changes):
    lists = ("segments", "companies", "approvals")
    return not (
        changes["figures"] or changes["cagr"] or changes["prose"]
        or any(changes[name]["added"] or changes[name]["removed"] for name in lists)
    )  # fmt: skip


def _sourced(document):
    """{(segment, year): point} of the document's sourced (not computed) figures."""
    return {
        (series["segment"], point["year"]): point
        for series in document["forecast"]["series"]
        for point in series["points"]
        if not point["computed"]
    }


def _figures(old, new):
    before, after = _sourced(old), _sourced(new)
    rows = []
    for segment, year in sorted(before.keys() | after.keys(), key=lambda k: (k[0] or "", k[1])):
        was, now = before.get((segment, year)), after.get((segment, year))
        if was and now and was["value"] == now["value"] and was["kind"] == now["kind"]:
            continue
        old_value, new_value = was and Decimal(was["value"]), now and Decimal(now["value"])
        change = None
        if old_value and new_value is not None:
            change = str(((new_value - old_value) / old_value * 100).quantize(PERCENT))
        rows.append({
            "segment": segment,
            "year": year,
            "old": was and was["value"],
            "new": now and now["value"],
            "change_percent": change,
            "old_kind": was and was["kind"],
            "new_kind": now and now["kind"],
        })  # fmt: skip
    return rows


def _cagr(old, new):
    """The stated and implied CAGR of each edition, with their periods (the stated
    one's is the forecast period), when either moved."""

    def of(document):
        report, data = document["report"], document["forecast"]
        period = f"{report['forecast_start_year']}–{report['forecast_end_year']}"
        return {
            "stated": data["stated_cagr"],
            "implied": data["implied_cagr"],
            "period": period,
            # Documents made before the implied rate had its own period: the forecast's.
            "implied_period": data.get("implied_cagr_period") or period,
        }

    was, now = of(old), of(new)
    return {"old": was, "new": now} if was != now else {}


def _names(rows):
    return [row["name"] for row in rows]


def _added_removed(before, after):
    return {
        "added": [name for name in after if name not in before],
        "removed": [name for name in before if name not in after],
    }


def _prose(document):
    """{where: (source, plain text)} of every prose block of the document."""
    return {block["where"]: (block["source"], block["text"]) for block in document["prose"]}


def _prose_changes(before, after):
    """The blocks whose text the editor changed, word by word as readers read them.
    A block that differs only by the figures its placeholders fill is not listed:
    the figures are."""
    missing = ("", "")
    return [
        {"where": where, "words": _word_diff(before.get(where, missing)[1],
                                             after.get(where, missing)[1])}
        for where in dict.fromkeys([*before, *after])
        if before.get(where, missing)[0] != after.get(where, missing)[0]
    ]  # fmt: skip


CONTEXT_WORDS = 8  # kept words around a change; longer unchanged runs are cut with "…"


def _word_diff(old, new):
    """[{"op": "equal" | "delete" | "insert", "text"}] from ``old`` to ``new`` word by
    word, unchanged runs cut to CONTEXT_WORDS on each side of a change, or [] when
    they are the same."""
    if old == new:
        return []
    a, b = old.split(), new.split()
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    parts = []
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            parts.append({"op": "equal", "text": _context(a[i1:i2], n > 0, n < len(opcodes) - 1)})
            continue
        if i2 > i1:
            parts.append({"op": "delete", "text": " ".join(a[i1:i2])})
        if j2 > j1:
            parts.append({"op": "insert", "text": " ".join(b[j1:j2])})
    return parts


def _context(words, after_change, before_change):
    """Unchanged ``words``: those next to a change, the rest cut to "…"."""
    keep = CONTEXT_WORDS
    if len(words) <= keep * (after_change + before_change) + 1:
        return " ".join(words)
    head = words[:keep] if after_change else []
    tail = words[-keep:] if before_change else []
    return " ".join([*head, "…", *tail])
