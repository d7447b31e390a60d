"""The three-way merge on plain values (gtmp_site/core/merge.py): what the admin
keeps, applies or refuses when two editors saved the same object."""

from hypothesis import given, settings
from hypothesis import strategies as st

from gtmp_site.core.merge import three_way

FIELDS = ["title", "summary", "year", "segments"]
values = st.sampled_from(["a", "b", "c"])
versions = st.fixed_dictionaries(dict.fromkeys(FIELDS, values))
# A fixed seed and no deadline: the same run, pass or fail, on a busy machine too.
same_every_run = settings(derandomize=True, deadline=None)


def test_different_fields_merge_and_the_same_field_changed_twice_conflicts():
    opened = {"title": "Old", "summary": "Old", "year": 2024}
    current = {"title": "Theirs", "summary": "Old", "year": 2025}
    mine = {"title": "Old", "summary": "Mine", "year": 2026}
    result = three_way(opened, current, mine)
    assert result.kept == {"title"} and result.applied == {"summary", "year"}
    assert result.conflicts == ("year",)
    agreed = three_way(opened, current, {**mine, "year": 2025})  # the same change twice
    assert agreed.conflicts == ()
    assert agreed.values(current, {**mine, "year": 2025}) == {
        "title": "Theirs", "summary": "Mine", "year": 2025,
    }  # fmt: skip


def test_an_unknown_opened_version_makes_every_difference_a_conflict():
    result = three_way(None, {"title": "Theirs", "year": 1}, {"title": "Mine", "year": 1})
    assert result.conflicts == ("title",) and result.kept == frozenset()


@same_every_run
@given(opened=versions, current=versions, mine=versions)
def test_a_merge_never_drops_a_field_that_only_one_side_changed(opened, current, mine):
    merged = three_way(opened, current, mine).values(current, mine)
    for field in FIELDS:
        if mine[field] != opened[field] and current[field] == opened[field]:
            assert merged[field] == mine[field]
        if current[field] != opened[field] and mine[field] == opened[field]:
            assert merged[field] == current[field]


@same_every_run
@given(opened=versions, current=versions, mine=versions)
def test_a_conflict_is_reported_exactly_when_both_changed_a_field_differently(
    opened, current, mine
):
    result = three_way(opened, current, mine)
    for field in FIELDS:
        both = mine[field] != opened[field] and current[field] != opened[field]
        assert (field in result.conflicts) == (both and mine[field] != current[field])
