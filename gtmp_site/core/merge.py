"""The three-way merge of an editor's save onto a colleague's: plain values in,
which fields to keep, apply or refuse out. The admin (admin_base.py) only wires
it to forms and history rows; tests/test_merge.py states its properties."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Merge:
    """The outcome for each field of a save made from an older version.

    ``theirs``: the colleague changed it.
    ``kept``: only the colleague changed it, so their value stays.
    ``applied``: this editor changed it (alone, or to the value the colleague chose).
    ``conflicts``: both changed it, to different values, in field order.
    """

    theirs: frozenset
    kept: frozenset
    applied: frozenset
    conflicts: tuple

    def values(self, current, mine):
        """The field values the save writes when there is no conflict."""
        return {field: current[field] if field in self.kept else mine[field] for field in mine}


def three_way(opened, current, mine):
    """Merge ``mine`` (this editor's values, {field: value}) onto ``current`` (as saved
    now), both made from ``opened`` (as the editor's page showed them), or from an
    unknown version when ``opened`` is None: then every difference is a conflict.
    Values are compared with ==, so give them in a form that compares equal when they
    mean the same."""
    if opened is None:
        mine_changed = theirs = {f for f in mine if mine[f] != current[f]}
    else:
        mine_changed = {f for f in mine if mine[f] != opened[f]}
        theirs = {f for f in mine if current[f] != opened[f]}
    conflicts = tuple(
        f for f in mine if f in mine_changed and f in theirs and mine[f] != current[f]
    )
    return Merge(
        theirs=frozenset(theirs),
        kept=frozenset(theirs - mine_changed),
        applied=frozenset(mine_changed),
        conflicts=conflicts,
    )
