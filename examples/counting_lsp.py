"""A counting layered service provider (LSP) over the simulated base provider.

It counts every WSP call that passes through it and, with completion wrapping
on (the LSP sample's pattern, SPI-FACTS 3.4), every overlapped request the
base provider completes and the bytes each moved.

Run:

    python examples/counting_lsp.py
"""

from __future__ import annotations

import ctypes
from collections import Counter
from collections.abc import Callable
from typing import Any

import wsspi_sim as ws
from wsspi_sim.lsp import LayeredProvider
from wsspi_sim.testing import connected_tcp_pair, started_winsock


class CountingLSP(LayeredProvider):
    """Counts calls per entry point and completed bytes per kind of request."""

    wrap_completions = True  # see every overlapped completion (on_complete)

    def __init__(self, lower: Any) -> None:
        super().__init__(lower)
        self.calls: Counter[str] = Counter()
        self.completions: Counter[str] = Counter()
        self.completed_bytes: Counter[str] = Counter()

    def next_proc(self, name: str) -> Callable[..., Any]:
        # Every pass-through asks for the lower entry point here: count it.
        self.calls[name] += 1
        return super().next_proc(name)

    def on_complete(
        self, kind: str, s: int, lpOverlapped: ws.WSAOVERLAPPED, dwError: int, cbTransferred: int, dwFlags: int
    ) -> tuple[int, int, int]:
        self.completions[kind] += 1
        self.completed_bytes[kind] += cbTransferred
        return dwError, cbTransferred, dwFlags


def main() -> None:
    sim = ws.Simulator()
    api = started_winsock(sim, lsp=CountingLSP)
    lsp = api.host.top_provider
    assert isinstance(lsp, CountingLSP)
    pair = connected_tcp_pair(api)
    api.send(pair.client, b"hello, layered world", 20, 0)
    buf = bytearray(64)
    ov = ws.WSAOVERLAPPED(hEvent=api.WSACreateEvent())
    api.WSARecv(pair.server, [ws.WSABUF(64, buf)], 1, ctypes.c_ulong(), ctypes.c_ulong(0), ov, None)
    api.closesocket(pair.client)
    api.closesocket(pair.server)
    print("calls through the layer:")
    for name, n in sorted(lsp.calls.items()):
        print(f"  {name:<22} {n}")
    print(f"overlapped completions: {dict(lsp.completions)}, bytes: {dict(lsp.completed_bytes)}")
    print(f"received: {bytes(buf[: ov.InternalHigh])!r}")


if __name__ == "__main__":
    main()
