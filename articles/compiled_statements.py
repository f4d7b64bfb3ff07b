"""ORM queries compiled to SQL once per process and run with each request's values.

Building a query with the ORM costs each time: for the story page's two reads (a row's stored
pieces chosen by ``CASE``, a JSON key each) building and compiling took about four times as
long as PostgreSQL took to run them. A query here is built once with **stand-ins**, values no
real request has, in place of a request's values (a slug, the moment, ids); its SQL and
parameters are kept, and each run puts its own values where the stand-ins were. The SQL is
the ORM's own, so it is the same on SQLite and PostgreSQL and follows the models.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import NamedTuple

from django.db import connections
from django.db.models.expressions import RawSQL

from . import page_tags
from .prepared_statements import planned_once

# Values no request has, built into a query in place of each request's moment and an id.
STAND_IN_MOMENT = datetime(1900, 1, 1, tzinfo=UTC)
STAND_IN_ID = -7


class Slot(NamedTuple):
    """Where a run's value goes among a compiled statement's parameters."""

    name: str


class Statement(NamedTuple):
    """A compiled query: its SQL, its parameters (a ``Slot`` where a run gives the value)
    and the database it was compiled for."""

    sql: str
    parameters: tuple
    using: str


def compile_query(queryset, stand_ins: dict) -> Statement:
    """Compile ``queryset``, built with ``stand_ins`` (slot name -> a value no run gives) where
    each run's values go. Raises ValueError when a stand-in is not found among the
    parameters, or found twice for two slots."""
    connection = connections[queryset.db]
    sql, parameters = queryset.query.get_compiler(queryset.db).as_sql()
    prepared = [(name, database_value(value, connection)) for name, value in stand_ins.items()]
    slotted, found = [], set()
    for parameter in parameters:
        name = next((name for name, value in prepared if _same(parameter, value)), None)
        slotted.append(parameter if name is None else Slot(name))
        if name is not None:
            found.add(name)
    if found != stand_ins.keys():
        raise ValueError(f"stand-ins not among the parameters: {stand_ins.keys() - found}")
    return Statement(sql, tuple(slotted), queryset.db)


def compile_built(build: Callable[[], object], stand_ins: dict) -> Statement:
    """``compile_query(build(), stand_ins)``, built outside the page being rendered: what
    building records (a stand-in subject's cache tags, say) is no page's."""
    token = page_tags.start_page()
    try:
        return compile_query(build(), stand_ins)
    finally:
        page_tags.end_page(token)


def run(statement: Statement, values: dict) -> list[tuple]:
    """The rows of ``statement`` with these values (slot name -> value) in its slots, as the
    database driver gives them (JSON as text); prepared on PostgreSQL (``planned_once``)."""
    connection = connections[statement.using]
    parameters = [
        database_value(values[parameter.name], connection) if type(parameter) is Slot else parameter
        for parameter in statement.parameters
    ]
    with planned_once(statement.using), connection.cursor() as cursor:
        cursor.execute(statement.sql, parameters)
        return cursor.fetchall()


def union_all(statements) -> Statement:
    """One statement giving the rows of all these, in turn (their columns alike, on one
    database): each statement's slots are named ``<its index>:<slot>``. The statements may
    hold no ``ORDER BY`` or ``LIMIT`` of their own (SQLite accepts none in a compound)."""
    (using,) = {statement.using for statement in statements}
    return Statement(
        " UNION ALL ".join(statement.sql for statement in statements),
        tuple(
            Slot(f"{index}:{parameter.name}") if type(parameter) is Slot else parameter
            for index, statement in enumerate(statements)
            for parameter in statement.parameters
        ),
        using,
    )


def about_each_row(outer_model, using: str, subquery_for) -> tuple[str, tuple]:
    """SQL and parameters of a subquery about each row of an outer query of ``outer_model``:
    ``subquery_for(outer_id)`` builds it, ``outer_id`` standing for the outer row's id. Keep
    the result (``functools.cache``): built for every request, as ``Subquery(...
    OuterRef("pk") ...)``, such subqueries took longer than the rest of a feed's query (3.5
    against 1.8 ms). It names the outer row by its table, which Django leaves without an
    alias in the outer query."""
    quote = connections[using].ops.quote_name
    table, column = outer_model._meta.db_table, outer_model._meta.pk.column
    outer_id = RawSQL(f"{quote(table)}.{quote(column)}", [])
    sql, parameters = subquery_for(outer_id).query.get_compiler(using).as_sql()
    return f"({sql})", parameters


def id_stand_ins(count: int) -> dict[str, int]:
    """Stand-ins for ``count`` ids, in slots ``id0``, ``id1``, ...: ids no row has."""
    return {f"id{index}": -1 - index for index in range(count)}


def ids(values) -> dict[str, int]:
    """These ids as the values of a statement compiled with ``id_stand_ins(len(values))``."""
    return {f"id{index}": value for index, value in enumerate(values)}


def database_value(value, connection):
    """A value as a query's parameter, as the ORM sends it (times as the backend stores them)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _same(parameter, value) -> bool:
    return type(parameter) is type(value) and parameter == value
