"""Orchestrator's entity sets, served by one generic mechanism over the published operation list.

Most of Orchestrator's API is entity sets with OData queries over them: list, read one,
create, update, delete, and a few functions and actions per set. Rather than a hand-written
handler per operation, each served operation is one line of data (``table_*.py``) naming its
behaviour (``kinds.py``) over a source of rows (``store.py`` for plain sets, ``typed.py`` for
the sets with behaviour of their own). The route, the OAuth scopes, whether the call is
folder-scoped and the response's shape come from the published operation list
(``../data/operations.json``), so they cannot drift from UiPath's swagger; the Orchestrator's
one prelude (``../responses.py``) applies them like any other route's.
"""
