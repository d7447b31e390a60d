"""What a response shows, found from the queries that built it: the one rule.

While a cacheable response is produced (``recording()``), every content query
it runs says what its result depends on, as cache keys (``query_keys``):

- each row it loaded: ``market.report:1`` (``ContentModel.from_db``);
- for rows it could gain (a new row, one moved into its filter):
  - the parent rows it is anchored to, when it asks for the children of known
    rows (``report_id IN (1)``, a company's segments through their link
    table): ``market.report:1``, since every change of a child is a change of
    its parents (``ContentModel.changed_keys``);
  - nothing more for a lookup by a unique field that found its rows (a
    company by its slug): a change of that row changes its key;
  - else the whole model: ``companies.company`` (a list, a count);
- the whole model of every other table its filters consult (a subquery or a
  join: which reports are published, which companies a segment names).

A save, delete or many-to-many change of a row changes the same keys
(``ContentModel.changed_keys``): its own, its model's and its parents'. The
page, the API and the downloads therefore never name what they show by hand,
and a new model, relation or template line is covered by itself. Both sides
spell a key with ``key()``; tests/test_fresh.py checks the rule as a property
over every content model and every public URL.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from django.apps import apps
from django.db.models import QuerySet
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.sql import Query
from django.db.models.sql.where import AND

_recorder = ContextVar("content_shown", default=None)


def key(model, pk=None):
    """The cache key of a model's rows (``market.report``) or of one row
    (``market.report:1``): the one spelling of every key, for responses and
    purges alike."""
    label = model._meta.label_lower
    return label if pk is None else f"{label}:{pk}"


@contextmanager
def recording():
    """Collect the keys of what is shown inside (a set, filled as queries run)."""
    keys = set()
    token = _recorder.set(keys)
    try:
        yield keys
    finally:
        _recorder.reset(token)


def note(keys):
    recorder = _recorder.get()
    if recorder is not None:
        recorder.update(keys)


def note_row(instance):
    recorder = _recorder.get()
    if recorder is not None:
        recorder.add(key(type(instance), instance.pk))


def is_recording():
    return _recorder.get() is not None


def within(keys, limit):
    """``keys`` written in at most ``limit`` characters: the rows of the models with
    the most rows named by their model key instead (always safe: a change of any
    row changes its model's key too)."""
    keys = set(keys)
    while sum(len(k) + 1 for k in keys) > limit:
        rows = {}
        for k in keys:
            if ":" in k:
                rows.setdefault(k.split(":", 1)[0], set()).add(k)
        if not rows:
            break
        label, most = max(rows.items(), key=lambda item: len(item[1]))
        keys = (keys - most) | {label}
    return keys


@cache
def _content_tables():
    """Each table of content to the models a change of it changes: a content
    model's own, and a many-to-many link table between content models (a change
    of a link is a change of both ends)."""
    from gtmp_site.core.models import ContentModel

    tables = {}
    for model in apps.get_models():
        if issubclass(model, ContentModel):
            tables[model._meta.db_table] = (model,)
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                tables[through._meta.db_table] = (model, field.related_model)
    return tables


def _subqueries(node):
    """Every query nested in a where clause or an expression (``__in`` a
    queryset, ``Exists``, ``Subquery``)."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, QuerySet):
            node = node.query
        if isinstance(node, Query):
            yield node
            stack.append(node.where)
            stack.extend(node.annotations.values())
            continue
        inner = getattr(node, "query", None)
        if isinstance(inner, Query):
            stack.append(inner)
        if hasattr(node, "get_source_expressions"):
            stack.extend(e for e in node.get_source_expressions() if e is not None)
        rhs = getattr(node, "rhs", None)
        if isinstance(rhs, Query | QuerySet):
            stack.append(rhs)


def _consulted(query, anchors):
    """The content models whose tables ``query`` reads besides its own rows and
    the link tables it is anchored by: the joins it uses and everything its
    subqueries read. Its own model is left out: its rows' changes are covered by
    their own keys, its parents' or its model's (``query_keys``), and a link
    table of its own (which companies a segment names, asked of a company)
    changes the company's key when it changes."""
    tables = _content_tables()
    models = set()
    for inner in _subqueries(query):
        for alias, join in inner.alias_map.items():
            if inner is query and (alias in anchors or not query.alias_refcount.get(alias)):
                continue
            models.update(tables.get(join.table_name, ()))
    return models - {query.model}


def _conditions(query):
    """The lookups every row of ``query`` must meet (its top-level AND)."""
    where = query.where
    if where.connector != AND or where.negated:
        return []
    return [c for c in where.children if isinstance(c, Lookup) and isinstance(c.lhs, Col)]


def _values(lookup):
    if lookup.lookup_name == "exact":
        values = [lookup.rhs]
    elif lookup.lookup_name == "in" and isinstance(lookup.rhs, list | tuple | set):
        values = list(lookup.rhs)
    else:
        return None
    values = [getattr(v, "pk", v) for v in values]
    return None if any(v is None or hasattr(v, "resolve_expression") for v in values) else values


def query_keys(query, rows=None):
    """The keys a query's result depends on (see the module's docstring).
    ``rows`` is how many model instances it loaded (None for counts, values and
    other results that load no instance)."""
    from gtmp_site.core.models import ContentModel

    own = query.model
    keys = set()
    anchors = {query.base_table}
    anchored = unique = False
    tables = _content_tables()
    for lookup in _conditions(query):
        values = _values(lookup)
        field = lookup.lhs.target
        if values is None:
            continue
        on_own_rows = lookup.lhs.alias == query.base_table
        link = tables.get(query.alias_map[lookup.lhs.alias].table_name, ())
        parent = field.related_model if field.many_to_one else None
        if parent and issubclass(parent, ContentModel) and (on_own_rows or own in link):
            keys.update(key(parent, value) for value in values)
            anchors.add(lookup.lhs.alias)
            anchored = True
        elif on_own_rows and (field.primary_key or field.unique):
            unique = unique or (rows is not None and rows >= len(set(values)))
    if not (anchored or unique):
        keys.add(key(own))
    return keys | {key(model) for model in _consulted(query, anchors)}
