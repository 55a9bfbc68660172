"""Where tasks run (:class:`ComputeSpec`), and a fast check that a named scheduler answers.

Light to import: no Dask here.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from optimizer.errors import ConfigError

__all__ = [
    "ADDRESS",
    "CONNECT_TIMEOUT",
    "ENV_SCHEDULER",
    "IN_PROCESS",
    "ComputeSpec",
    "check_reachable",
    "unreachable",
]

#: Environment variable naming an existing scheduler (Dask's own name for it).
ENV_SCHEDULER = "DASK_SCHEDULER_ADDRESS"

#: Seconds to wait for a scheduler before giving up with a :class:`ConfigError`: a scheduler on
#: the same network answers in milliseconds; Dask's own default (30 s) looks like a hang.
CONNECT_TIMEOUT = 5.0

ADDRESS = re.compile(r"(tcp|tls|ws|wss)://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})")
_FIX = "give it as tcp://HOST:PORT (the address `dask scheduler` prints, port 8786 by default)"

Where = Literal["in-process", "local", "scheduler"]


@dataclass(frozen=True)
class ComputeSpec:
    """Where tasks run: in-process, on a local cluster started for the call, or on a scheduler.

    Attributes
    ----------
    workers : int or None
        Start a :class:`distributed.LocalCluster` with this many single-threaded worker
        processes for the duration of each :func:`run_tasks` call.
    scheduler : str or None
        Address of an existing scheduler, ``tcp://HOST:PORT``.
    source : str
        Where the address came from, named in error messages (``--scheduler`` or
        ``DASK_SCHEDULER_ADDRESS``).
    connect_timeout : float
        Seconds to wait for the scheduler before a :class:`ConfigError`.

    Raises
    ------
    ConfigError
        Both ``workers`` and ``scheduler``, fewer than 1 worker, a malformed address.
    """

    workers: int | None = None
    scheduler: str | None = None
    source: str = "--scheduler"
    connect_timeout: float = CONNECT_TIMEOUT

    def __post_init__(self) -> None:
        if self.workers is not None and self.scheduler is not None:
            raise ConfigError(
                f"--workers {self.workers} and {self.source} {self.scheduler} both say where to "
                "run; give one of them (--workers starts a local cluster, --scheduler uses an "
                "existing one)."
            )
        if self.workers is not None and (
            isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 1
        ):
            raise ConfigError(
                f"--workers {self.workers!r}: give a whole number of worker processes >= 1 "
                "(e.g. the number of cores), or leave it out to run in-process."
            )
        if self.scheduler is not None:
            match = ADDRESS.fullmatch(self.scheduler.strip())
            if match is None or not 0 < int(match.group(3)) < 65536:
                raise ConfigError(
                    f"{self.source} {self.scheduler!r} is not a scheduler address; {_FIX}."
                )
            object.__setattr__(self, "scheduler", self.scheduler.strip())
        if not self.connect_timeout > 0:
            raise ConfigError(f"connect_timeout {self.connect_timeout} must be > 0 seconds.")

    @classmethod
    def from_options(
        cls,
        workers: int | None = None,
        scheduler: str | None = None,
        *,
        environ: Mapping[str, str] | None = None,
    ) -> ComputeSpec:
        """The spec the command-line options ``--workers`` / ``--scheduler`` ask for.

        Without either option, a non-empty ``DASK_SCHEDULER_ADDRESS`` in the environment names
        the scheduler; an explicit option wins over the environment.

        Parameters
        ----------
        workers : int, optional
            ``--workers``.
        scheduler : str, optional
            ``--scheduler``.
        environ : mapping, optional
            The environment (default :data:`os.environ`).

        Returns
        -------
        ComputeSpec
        """
        env = os.environ if environ is None else environ
        if workers is None and scheduler is None and env.get(ENV_SCHEDULER, "").strip():
            return cls(scheduler=env[ENV_SCHEDULER], source=ENV_SCHEDULER)
        return cls(workers=workers, scheduler=scheduler)

    @property
    def where(self) -> Where:
        """``in-process``, ``local`` (a cluster started for the call) or ``scheduler``."""
        if self.scheduler is not None:
            return "scheduler"
        return "in-process" if self.workers is None else "local"

    def describe(self) -> str:
        """Where the tasks run, in words (for progress messages)."""
        if self.where == "scheduler":
            return f"the Dask scheduler at {self.scheduler} ({self.source})"
        if self.where == "local":
            plural = "es" if self.workers != 1 else ""
            return f"a local Dask cluster of {self.workers} worker process{plural}"
        return "this process"


#: Run in this process, one task after the other.
IN_PROCESS = ComputeSpec()


def unreachable(compute: ComputeSpec, reason: object) -> ConfigError:
    """The error for a scheduler that does not answer: the option, the address, the fixes."""
    unset = f" or unset {ENV_SCHEDULER}" if compute.source == ENV_SCHEDULER else ""
    return ConfigError(
        f"{compute.source} {compute.scheduler}: no Dask scheduler answered within "
        f"{compute.connect_timeout:g} s ({reason}). Start one there (`dask scheduler`, then "
        f"`dask worker {compute.scheduler}` on each machine), fix the address{unset}, or use "
        "--workers N for a local cluster."
    )


def check_reachable(compute: ComputeSpec) -> None:
    """Fail fast when ``compute`` names a scheduler nothing listens at (before a long fit).

    Opens and closes a plain TCP connection (no Dask import); in-process and local specs pass.

    Raises
    ------
    ConfigError
        Nothing accepts a connection at the address within ``compute.connect_timeout`` s.
    """
    if compute.scheduler is None:
        return
    match = ADDRESS.fullmatch(compute.scheduler)
    assert match is not None  # checked by ComputeSpec
    host, port = match.group(2).strip("[]"), int(match.group(3))
    try:
        socket.create_connection((host, port), timeout=compute.connect_timeout).close()
    except OSError as exc:
        raise unreachable(compute, exc.strerror or exc) from None
