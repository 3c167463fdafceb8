"""Token sets and where they live: in memory, or in a file shared by several processes.

A rotating refresh token (identity_) may be used once. Two processes that both read refresh
token R1 and both present it burn it: the second gets ``invalid_grant`` and, with reuse
detection (RFC 9700 §4.14.2), the whole family is revoked. :class:`FileTokenStore` prevents it:
its lock is held across "re-read, refresh, save", so the second process finds R2 in the file and
uses it (or the access token the first one just got) instead of presenting R1.

Every store offers ``load(key)``, ``save(key, tokens)`` and an exclusive lock (``acquire`` /
``release``, or ``with store.locked():``). ``key`` names one credential (no secret in it), so
one file can hold several credentials.

A store file that cannot be used (a directory, under a file, not UTF-8, not JSON, an entry of
the wrong shape) is a :class:`ConfigurationError` naming the file and what to do, never a raw
``OSError`` or ``TypeError``.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import filelock

from . import _platform
from ._errors import ConfigurationError
from ._redact import mask

__all__ = ["FileTokenStore", "MemoryTokenStore", "TokenSet", "TokenStore"]

#: Proactive-refresh margin: the larger of this and a tenth of the lifetime (docs/anchors.md §e.1).
MIN_MARGIN = 60.0


@dataclass(frozen=True)
class TokenSet:
    """What one credential currently holds. Times are epoch seconds on the client's clock.

    ``expires_at`` is computed from when the response was *received* plus ``expires_in``, never
    from the server's clock (the ``exp`` claim), because the two clocks differ.
    """

    access_token: str | None = field(default=None, repr=False)
    received_at: float = 0.0
    lifetime: float = 0.0
    refresh_token: str | None = field(default=None, repr=False)
    id_token: str | None = field(default=None, repr=False)
    scope: str | None = None
    token_type: str = "Bearer"
    #: Fingerprint of the configured (day-one) refresh token this chain started from: a user
    #: who configures a new one after re-authenticating overrides the store's old chain.
    seed: str | None = None
    #: The credential logged out (``revoke()``): its chain is revoked, there is nothing to send.
    revoked: bool = False

    @property
    def expires_at(self) -> float:
        return self.received_at + self.lifetime

    @property
    def refresh_at(self) -> float:
        """When to refresh proactively: ``max(60 s, lifetime / 10)`` before expiry."""
        return self.expires_at - max(MIN_MARGIN, self.lifetime / 10)

    def usable(self, now: float) -> bool:
        """An access token that still has more than the margin to live."""
        return self.access_token is not None and now < self.refresh_at

    def without_access(self) -> TokenSet:
        return replace(self, access_token=None, received_at=0.0, lifetime=0.0)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TokenSet:
        """A set from its JSON form; ``ValueError`` naming the field when one has the wrong type
        (a hand-edited or foreign file must not fail later, in the middle of a refresh)."""
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        for name, value in known.items():
            check, what = _FIELD_TYPES[name]
            if not check(value):
                raise ValueError(f"'{name}' must be {what}")
        return cls(**known)

    def __repr__(self) -> str:
        return (
            f"TokenSet(access_token={mask(self.access_token)}, "
            f"refresh_token={mask(self.refresh_token)}, expires_at={self.expires_at:.0f})"
        )


def _text_or_none(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _seconds(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


_FIELD_TYPES: dict[str, tuple[Any, str]] = {
    "access_token": (_text_or_none, "a string or null"),
    "refresh_token": (_text_or_none, "a string or null"),
    "id_token": (_text_or_none, "a string or null"),
    "scope": (_text_or_none, "a string or null"),
    "seed": (_text_or_none, "a string or null"),
    "received_at": (_seconds, "a number of seconds"),
    "lifetime": (_seconds, "a number of seconds"),
    "token_type": (lambda v: isinstance(v, str), "a string"),
    "revoked": (lambda v: isinstance(v, bool), "true or false"),
}


@runtime_checkable
class TokenStore(Protocol):
    """Where a credential's :class:`TokenSet` is kept between refreshes (and runs)."""

    def load(self, key: str) -> TokenSet | None: ...

    def save(self, key: str, tokens: TokenSet) -> None: ...

    def acquire(self, blocking: bool = True) -> bool: ...

    def release(self) -> None: ...


class _LockingMixin:
    def acquire(self, blocking: bool = True) -> bool:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's exclusive lock (threads, and processes for a file store)."""
        self.acquire()
        try:
            yield
        finally:
            self.release()


class MemoryTokenStore(_LockingMixin):
    """Tokens in memory: lost at exit, shared by every client in the process that is given it."""

    def __init__(self) -> None:
        self._data: dict[str, TokenSet] = {}
        self._lock = threading.Lock()

    def load(self, key: str) -> TokenSet | None:
        return self._data.get(key)

    def save(self, key: str, tokens: TokenSet) -> None:
        self._data[key] = tokens

    def delete(self, key: str) -> None:
        """Forget ``key`` (after a logout). Not part of :class:`TokenStore`: optional."""
        self._data.pop(key, None)

    def acquire(self, blocking: bool = True) -> bool:
        return self._lock.acquire(blocking)

    def release(self) -> None:
        self._lock.release()

    def __repr__(self) -> str:
        return f"MemoryTokenStore({len(self._data)} credential(s))"


# One thread lock per file in this process: two FileTokenStore objects on one path take turns
# here first, so the file lock is only ever contended between processes (and a non-blocking
# acquire from a second thread answers False at once, as it would from another process).
_PATH_LOCKS: dict[str, threading.Lock] = {}
_PATH_LOCKS_GUARD = threading.Lock()


def _path_lock(path: str) -> threading.Lock:
    with _PATH_LOCKS_GUARD:
        return _PATH_LOCKS.setdefault(path, threading.Lock())


class FileTokenStore(_LockingMixin):
    """Tokens in a JSON file (mode 0600), written atomically, locked across processes.

    * atomic: a temp file in the same directory, ``fsync``, then ``os.replace`` (a reader sees
      the old file or the new one, never half of one), then the directory is fsynced;
    * private: created ``0600`` (the file holds refresh and access tokens);
    * locked: a ``filelock.FileLock`` on ``<path>.lock`` (``flock`` on POSIX, ``msvcrt.locking``
      on Windows) plus a per-path thread lock, so threads and processes take turns around
      "re-read, refresh, save" (msal-extensions' pattern).

    What differs between POSIX and Windows beyond the lock lives in ``_platform``.
    """

    #: How often a blocked ``acquire`` retries the file lock (filelock polls a non-blocking
    #: lock). A refresh holds it for one token request, so a short interval keeps the second
    #: process from idling long after the first is done.
    POLL_INTERVAL = 0.005

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser().resolve()
        _check_usable(self.path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._thread_lock = _path_lock(str(self.path))
        self._swept = False
        # thread_local=False: a lock taken in a worker thread (the async flow waits there) may
        # be released on the event loop's thread; the per-path thread lock already serialises.
        self._file_lock = filelock.FileLock(
            self.lock_path, mode=0o600, thread_local=False, poll_interval=self.POLL_INTERVAL
        )

    # -- locking --------------------------------------------------------------------------

    def acquire(self, blocking: bool = True) -> bool:
        if not self._thread_lock.acquire(blocking):
            return False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file_lock.acquire(timeout=-1 if blocking else 0)
        except filelock.Timeout:
            self._thread_lock.release()
            return False  # another process holds it
        except BaseException:
            self._thread_lock.release()
            raise
        return True

    def release(self) -> None:
        try:
            self._file_lock.release()
        finally:
            self._thread_lock.release()

    # -- data -----------------------------------------------------------------------------

    def _read(self) -> dict[str, Any]:
        if not self._swept:
            self._sweep_temp_files()
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"version": 1, "credentials": {}}
        except UnicodeDecodeError as exc:
            raise ConfigurationError(
                f"token store {self.path} is not UTF-8 text (not a token store?); point "
                "UIPATH_TOKEN_STORE at another file or delete this one"
            ) from exc
        except OSError as exc:
            raise _unusable(self.path, exc) from exc
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise ConfigurationError(
                f"token store {self.path} is not valid JSON; delete it and configure the "
                "credential again"
            ) from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("credentials"), dict):
            raise ConfigurationError(
                f"token store {self.path} has an unknown layout; delete it and configure the "
                "credential again"
            )
        return doc

    def load(self, key: str) -> TokenSet | None:
        entry = self._read()["credentials"].get(key)
        if entry is None:
            return None
        try:
            if not isinstance(entry, dict):
                raise ValueError("the entry must be an object")
            return TokenSet.from_json(entry)
        except ValueError as exc:
            raise ConfigurationError(
                f"token store {self.path} holds a malformed entry for this credential ({exc}); "
                "delete the file and configure the credential again"
            ) from exc

    def _sweep_temp_files(self) -> None:
        """Delete temp files a crashed save left (they may hold tokens), once per store object.

        Called from ``load`` and ``save``, which the client runs under the store's lock: no
        other writer is between its temp file and its rename at that moment.
        """
        self._swept = True
        try:
            leftovers = list(self.path.parent.glob(f".{self.path.name}.*.tmp"))
        except OSError:
            return
        for leftover in leftovers:
            try:
                leftover.unlink()
            except OSError:  # gone already, or not ours to delete: not worth failing a run
                continue

    def save(self, key: str, tokens: TokenSet) -> None:
        doc = self._read()
        doc["credentials"][key] = tokens.to_json()
        self._write(doc)

    def delete(self, key: str) -> None:
        """Forget ``key`` (after a logout), other credentials of the file untouched."""
        doc = self._read()
        if doc["credentials"].pop(key, None) is not None:
            self._write(doc)

    def _write(self, doc: dict[str, Any]) -> None:
        data = json.dumps(doc, indent=1, sort_keys=True).encode("utf-8")
        directory = self.path.parent
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
        except OSError as exc:
            raise _unusable(self.path, exc) from exc
        try:
            _platform.CURRENT.make_private(fd)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        _platform.CURRENT.sync_directory(directory)

    def __repr__(self) -> str:
        return f"FileTokenStore({str(self.path)!r})"


def _check_usable(path: Path) -> None:
    """Refuse, up front, a store path that can never work: a directory, or under a file."""
    if path.is_dir():
        raise ConfigurationError(
            f"token store {path} is a directory; set UIPATH_TOKEN_STORE to a file path "
            f"such as {path / 'tokens.json'}"
        )
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigurationError(
                    f"token store {path} cannot be created: {parent} is a file, not a "
                    "directory; set UIPATH_TOKEN_STORE to a path in a directory"
                )
            break


def _unusable(path: Path, exc: OSError) -> ConfigurationError:
    reason = exc.strerror or type(exc).__name__
    return ConfigurationError(
        f"token store {path} cannot be used: {reason}; set UIPATH_TOKEN_STORE to a file "
        "this user may read and write"
    )
