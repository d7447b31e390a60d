"""The publish gate: a public object never has errors, whichever path wrote it.

A model opts in by defining ``publication_errors()``: the reasons one of its rows
may not be public now (``[]`` for a draft). A report is such a *root*; its
figures, segments, sections, questions and therapies decide its errors too.

Every write of content runs inside ``guard()``: ``ContentModel.save()`` and
``delete()``, and ``ContentQuerySet``'s ``update()``, ``delete()``,
``bulk_create()`` and ``bulk_update()``, so the admin (forms, revert, recover,
bulk actions, import), the API, the loader and any later publishing path all
pass through it without knowing. Each row written is noted with its parents; on
leaving the outermost guard, still inside its transaction, every root those rows
belong to is read back as saved and asked for its ``publication_errors()``. Any
error raises ``PublishRefused`` and the whole guarded write is rolled back.

A path that writes several rows in one step (a form with its inlines, an
import, the loader) wraps the step in one ``guard()``, so only the end result is
judged, not the half-way states between its saves. Forms still check the same
rule in ``clean()`` to show the editor the errors beside their input; the gate is
what makes the rule hold when a path forgets. Many-to-many links are not noted:
no report check reads one (a company's segments, say).
"""

import threading
from collections import defaultdict
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction


class PublishRefused(ValidationError):
    """A write that would leave a public object with errors; nothing of it was kept."""


def refuse_publication(errors, field=None, noun="report"):
    """Raise ``PublishRefused`` listing ``errors``, if there are any; keyed by
    ``field`` for a form that shows it next to that field."""
    if not errors:
        return
    message = PublishRefused(
        f"A published or scheduled {noun} cannot have contradicting numbers. Fix these, or "
        "set it back to draft first: %(errors)s",
        code="publish-gate",
        params={"errors": " ".join(errors)},
    )
    raise PublishRefused({field: message}) if field else message


_state = threading.local()  # Django's connections are per thread, and so is this


@contextmanager
def guard():
    """Judge the content written inside as one change, when the outermost guard is
    left (see the module docstring). Opens a transaction (a savepoint if nested in
    one that is not a guard). Yields a list that the outermost guard fills with the
    roots it judged, as read back, so a caller can report on them without reading
    them again (an inner guard's list stays empty)."""
    judged = []
    if getattr(_state, "touched", None) is not None:  # an outer guard judges the whole
        yield judged
        return
    _state.touched = rows = set()
    try:
        with transaction.atomic():
            yield judged
            judged += _judge(rows)
    finally:
        _state.touched = None


def judge_written():
    """Judge what the current guard has written so far, before it ends: for a step
    that rolls itself back (an import's preview) and must say what it would break."""
    _judge(_state.touched)


def touched(model, pk, parents=()):
    """Note that row ``pk`` of ``model`` was written, with its parents as
    ``(model, pk)`` pairs from before and after the write."""
    rows = getattr(_state, "touched", None)
    if rows is None:
        raise RuntimeError(f"A {model.__name__} was written outside publish_gate.guard().")
    rows.add((model, pk))
    rows.update(parents)


def _judge(rows):
    judged = []
    for model, pks in _roots(rows).items():
        for root in model._default_manager.filter(pk__in=pks):
            refuse_publication(root.publication_errors(), noun=model._meta.verbose_name)
            judged.append(root)
    return judged


def _roots(rows):
    """{root model: pks} of the roots ``rows`` belong to: themselves when they are
    roots, else those of their content parents, up the foreign keys as saved now."""
    roots, seen = defaultdict(set), set()
    while rows:
        by_model = defaultdict(set)
        for model, pk in rows - seen:
            if hasattr(model, "publication_errors"):
                roots[model].add(pk)
            else:
                by_model[model].add(pk)
        seen |= rows
        rows = set()
        for model, pks in by_model.items():
            parents = model.parent_fields()
            if not parents:
                continue
            names = [f.attname for f in parents]
            for values in model._base_manager.filter(pk__in=pks).values_list(*names):
                rows |= {
                    (f.related_model, v)
                    for f, v in zip(parents, values, strict=True)
                    if v is not None
                }
    return roots
