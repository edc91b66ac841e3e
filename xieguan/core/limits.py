"""Per-key limits in Django's cache, for what anyone may call without a login
(the complaint page, the training's QR sign-in): a count per key in a window
that starts at its first use. With REDIS_URL (production, several workers)
the count is shared by every worker; the embedded default counts per process.

Keys are hashed, so an address or a receipt code is never a cache key."""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def _bucket(kind: str, key: str) -> str:
    return f"limit:{kind}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def limit_reached(kind: str, key: str, *, limit: int) -> bool:
    """Whether ``key`` has used up ``limit`` in its window (see ``limit_hit``)."""
    return int(cache.get(_bucket(kind, key), 0)) >= limit


def limit_hit(kind: str, key: str, *, seconds: int) -> int:
    """Count one use of ``key`` in a window of ``seconds`` from the first use."""
    name = _bucket(kind, key)
    cache.add(name, 0, seconds)
    try:
        return int(cache.incr(name))
    except ValueError:  # expired between add and incr
        cache.set(name, 1, seconds)
        return 1
