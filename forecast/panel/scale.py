"""The one seam to scale out: map a function over chunks, in-process or on Dask.

Nothing else in the package knows about Dask. Without a client the chunks
are processed in this process, one after the other, and Dask is never
imported. With a ``dask.distributed.Client`` (or the address of a
scheduler) each chunk becomes one task; the results stay on the workers
(as futures) until :func:`gather` asks for them, so a panel's fitted models
are not shipped back and forth between fitting and forecasting.

Chunks are fixed by the data (``chunk_size`` series each, in key order),
not by the number of workers, and every series draws from its own seeded
generator: the same seed gives the same numbers in-process and on any
cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["DEFAULT_CHUNK_SIZE", "chunks_of", "gather", "get_client", "map_chunks"]

DEFAULT_CHUNK_SIZE = 500


def chunks_of(items: Sequence[Any], size: int) -> list[list[Any]]:
    """Split ``items`` into consecutive chunks of ``size`` (the last may be shorter).

    Examples
    --------
    >>> chunks_of([1, 2, 3, 4, 5], 2)
    [[1, 2], [3, 4], [5]]
    """
    size = max(1, int(size))
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def get_client(client: Any) -> Any:
    """``None``, a ``dask.distributed.Client``, or an address string turned into a client."""
    if client is None:
        return None
    if isinstance(client, str):
        from distributed import Client

        return Client(client)
    if not hasattr(client, "submit") or not hasattr(client, "gather"):
        from forecast.errors import ForecastError

        raise ForecastError(f"client must be a dask.distributed.Client or a scheduler address, "
                            f"got {type(client).__name__}")
    return client


def map_chunks(func: Callable[..., Any], chunks: Sequence[Any], client: Any = None, **kwargs: Any) -> list[Any]:
    """Apply ``func(chunk, **kwargs)`` to each chunk.

    In-process: returns the results. On Dask: returns futures (one task per
    chunk); pass them to :func:`gather` or to another :func:`map_chunks`
    (a future as the chunk of a task is resolved on the worker).
    """
    if client is None:
        return [func(c, **kwargs) for c in chunks]
    return [client.submit(func, c, pure=False, **kwargs) for c in chunks]


def gather(results: Sequence[Any], client: Any = None) -> list[Any]:
    """Results of :func:`map_chunks` as values (futures are fetched from the workers)."""
    if client is None:
        return list(results)
    return list(client.gather(list(results)))
