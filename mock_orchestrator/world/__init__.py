"""The world as one document: read it, shape it, load it from a file. One schema, checked here.

Teams that test from Go or Java shape the served world over HTTP (``GET|POST /_mock/world``),
from a file (``orchestrator-kit serve --world world.yaml``), or in process
(``MockCloud.from_world(document)``); all three go through :func:`apply_world`, so the schema is
written and validated in this module only. A document (JSON, or YAML for files)::

    {
      "profile": "identity", "seed": 0,                     # only when a world starts
      "folders":   [{"path": "Ventes/Été", "description": "..."}],
      "releases":  [{"name": "Payroll", "folder": "Ventes/Été", "process_version": "2.0.1"}],
      "processes": {"Payroll": {"pending_seconds": 5, "running_seconds": 120,
                                "outcome": "Faulted", "error": "System.Exception: boom",
                                "output_arguments": {"Total": 3}}},
      "queues":    [{"name": "Orders", "folder": "Shared", "max_retries": 2}],
      "assets":    [{"name": "Threshold", "value": 42}],
      "apps":      [{"client_id": "reporting", "client_secret": "s3cret",
                     "scopes": ["OR.Jobs.Read", "OR.Folders.Read"]}],
      "users":     [{"username": "bob", "email": "bob@acme.test", "password": "..."}],
      "settings":  {"grace_window": 5, "access_token_lifetime": 3600,
                    "rate_limit_per_minute": null}
    }

Every key is optional; lists *add or change* (a folder, release, queue or asset is known by its
path or by name and folder, an app by ``client_id``, a user by ``username``), nothing is ever
removed. Everything applies to the world's default tenant. ``settings`` takes the identity
settings by their Python names (:class:`~.identity.settings.AuthSettings`, but ``profile``) and
the Orchestrator ones (``rate_limit_per_minute``, ``folderless_lists``).

Validation comes first and covers the whole document, references included (a release may name a
folder the same document adds); only then is anything applied, under the world's lock. An
unknown key or a bad value raises :class:`WorldError` naming the field (``releases[0].folder``)
and what is allowed, and the world is left exactly as it was.

What :func:`describe_world` shows: everything above plus ids and keys, the tenants, robots and
the configured behaviour of each release, and never a secret. Client secrets are write-only
(an app shows ``"confidential": true``), as are user passwords, credential assets' passwords and
every token; the default application's secret and the default credentials are what
``GET /_mock/defaults`` is for.
"""

from __future__ import annotations

from .apply import apply_world, load_world_file, startup_options
from .describe import describe_world
from .schema import READ_ONLY_KEYS, SETTINGS, STARTUP_KEYS, WRITABLE_KEYS, WorldError

__all__ = [
    "READ_ONLY_KEYS",
    "SETTINGS",
    "STARTUP_KEYS",
    "WRITABLE_KEYS",
    "WorldError",
    "apply_world",
    "describe_world",
    "load_world_file",
    "startup_options",
]
