"""Stop cleanly on SIGINT and SIGTERM: unwind, remove unfinished folders, publish nothing.

Python's default SIGTERM handler ends the process at once, without running ``finally`` blocks,
and a plain ``KeyboardInterrupt`` is caught by the samplers (nutpie and PyMC stop and return
the draws made so far). The command line therefore installs :func:`stop_on_signals`: both
signals raise :class:`Interrupted`, which neither ``except Exception`` nor the samplers
swallow, and are recorded, so that :func:`check` refuses to publish a cache entry or an output
folder even if some library swallowed the exception on the way. A second signal is ignored
(it would cut the clean-up short); a third ends the process at once.

Library use keeps Python's handlers (they exist only inside :func:`stop_on_signals`); there,
:func:`require_all_draws` turns a posterior that a sampler cut short into ``KeyboardInterrupt``.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import FrameType

__all__ = [
    "FORCE_AFTER",
    "SIGNALS",
    "Interrupted",
    "check",
    "forward",
    "received",
    "require_all_draws",
    "stop_on_signals",
]

#: Signals that stop a run cleanly.
SIGNALS = (signal.SIGINT, signal.SIGTERM)

_received: list[int] = []


class Interrupted(BaseException):
    """The run was stopped by SIGINT or SIGTERM.

    A ``BaseException`` so that ``except Exception`` clauses let it through, and not a
    ``KeyboardInterrupt`` because samplers catch that one and return a truncated trace. The
    signal is read from :func:`received`, not from the exception, because some libraries
    re-create exceptions with a longer message on the way up.
    """


def received() -> int | None:
    """The first signal received while :func:`stop_on_signals` was active, else None."""
    return _received[0] if _received else None


def check() -> None:
    """Raise :class:`Interrupted` if a stop signal was received; call before publishing.

    Raises
    ------
    Interrupted
        A signal arrived (its exception may have been swallowed by a library on the way).
    """
    if _received:
        raise Interrupted(f"stopped by {signal.Signals(_received[0]).name}")


def forward(signum: int) -> None:
    """Record a stop signal that a child process received and raise :class:`Interrupted`.

    A run that works in child processes (:mod:`optimizer.scenario.prefit`) stops as if the
    signal had reached it: the exit code names the child's signal.

    Raises
    ------
    Interrupted
        Always.
    """
    if not _received:
        _received.append(signum)
    raise Interrupted(f"stopped by {signal.Signals(signum).name}")


#: Signals after which the process ends at once, without clean-up (Ctrl-C three times).
FORCE_AFTER = 3


def _handler(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    if len(_received) == 1:
        raise Interrupted(f"stopped by {signal.Signals(signum).name}")
    # a second signal must not cut short the clean-up that the first one started; a third
    # one ends the process the default way, should some library have swallowed the first
    # (temporary folders left then are ignored by later runs, and swept once stale)
    if len(_received) >= FORCE_AFTER:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise :class:`Interrupted`; restored afterwards.

    A signal ignored by the parent (``nohup``, a shell's background job ignores SIGINT) stays
    ignored. Does nothing outside the main thread (Python delivers signals to it only).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _received.clear()
    previous = {
        s: signal.signal(s, _handler) for s in SIGNALS if signal.getsignal(s) is not signal.SIG_IGN
    }
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _received.clear()


def require_all_draws(sizes: Mapping[str, int], *, draws: int, chains: int, what: str) -> None:
    """Refuse a posterior cut short by an interruption that the sampler swallowed.

    nutpie and PyMC catch ``KeyboardInterrupt`` and return the draws made so far; such a
    posterior must never be used, cached or reported.

    Parameters
    ----------
    sizes : mapping
        Dimension sizes of the posterior (``idata.posterior.sizes``).
    draws, chains : int
        Draws per chain and chains requested.
    what : str
        The model, for the message.

    Raises
    ------
    Interrupted
        A stop signal was received.
    KeyboardInterrupt
        The posterior has fewer chains or draws than requested.
    """
    check()
    got_chains, got_draws = int(sizes.get("chain", 0)), int(sizes.get("draw", 0))
    if (got_chains, got_draws) != (chains, draws):
        raise KeyboardInterrupt(
            f"sampling of the {what} was interrupted ({got_chains} of {chains} chains, "
            f"{got_draws} of {draws} draws); nothing was kept."
        )
