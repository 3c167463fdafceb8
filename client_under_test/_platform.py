"""Where the reference client meets the operating system: the one module that knows Windows.

The token store needs three things the platforms do differently. The cross-process lock itself
is ``filelock`` (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows, as tox and virtualenv
use it); what is left is here, so that the rest of the client is written once:

* making a new file private: ``fchmod(0o600)`` on POSIX; on Windows a file created in the
  user's profile is already private to the user by its inherited ACL, and ``os.chmod`` only
  sets the read-only flag, so nothing is done;
* making a rename durable: ``fsync`` on the directory on POSIX; Windows cannot open a directory
  as a file, and NTFS journals the rename itself, so nothing is done.

:data:`CURRENT` is the running platform's :class:`Platform`; tests swap in :data:`WINDOWS` or
:data:`POSIX` to run both paths on any machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["CURRENT", "POSIX", "WINDOWS", "Platform"]


@dataclass(frozen=True)
class Platform:
    """How one family of operating systems makes a token file private and durable."""

    name: str
    #: ``fchmod`` the temp file to 0600 before the secret is written into it.
    chmod_private: bool
    #: ``fsync`` the directory after ``os.replace`` so the rename survives a power cut.
    fsync_directory: bool

    def make_private(self, fd: int) -> None:
        """Restrict a freshly created file (open as ``fd``) to its owner."""
        if self.chmod_private:
            os.fchmod(fd, 0o600)

    def sync_directory(self, directory: str | os.PathLike[str]) -> None:
        """Make a rename inside ``directory`` durable."""
        if not self.fsync_directory:
            return
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


POSIX = Platform("posix", chmod_private=True, fsync_directory=True)
WINDOWS = Platform("windows", chmod_private=False, fsync_directory=False)
CURRENT = WINDOWS if os.name == "nt" else POSIX
