"""A layered service provider that rewrites peer target names.

Programs name the principal their peer must prove to be with
WSASetSocketPeerTargetName, which reaches the provider as WSPIoctl with
SIO_SET_PEER_TARGET_NAME and a SOCKET_PEER_TARGET_NAME buffer (SPI-FACTS 5.2).
This layer sits above the base provider and rewrites the name on the way
down -- e.g. to pin a service principal name an old program gets wrong -- and
passes everything else through.

Run:

    python examples/rewrite_peer_names_lsp.py
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import wsspi_sim as ws
from wsspi_sim.lsp import LayeredProvider
from wsspi_sim.testing import started_winsock


class RewritePeerNamesLSP(LayeredProvider):
    """Rewrites the name of every SIO_SET_PEER_TARGET_NAME request.

    ``rewrite`` is a mapping (old name -> new name; names not in it pass
    unchanged) or a function of the name."""

    def __init__(self, lower: Any, rewrite: Mapping[str, str] | Callable[[str], str]) -> None:
        super().__init__(lower)
        if isinstance(rewrite, Mapping):
            table = dict(rewrite)
            self.rewrite: Callable[[str], str] = lambda name: table.get(name, name)
        elif callable(rewrite):
            self.rewrite = rewrite
        else:
            raise TypeError(f"rewrite must be a mapping or a function, not {type(rewrite).__name__}")
        self.rewritten: list[tuple[str, str]] = []

    def WSPIoctl(self, s: int, dwIoControlCode: int, lpvInBuffer: Any, cbInBuffer: int, lpvOutBuffer: Any,
                 cbOutBuffer: int, lpcbBytesReturned: Any, lpOverlapped: Any, lpCompletionRoutine: Any,
                 lpThreadId: Any, lpErrno: Any) -> int:
        if dwIoControlCode & 0xFFFFFFFF == ws.SIO_SET_PEER_TARGET_NAME and lpvInBuffer is not None:
            rewritten = self._rewrite(lpvInBuffer, cbInBuffer)
            if rewritten is not None:
                lpvInBuffer, cbInBuffer = rewritten
        return super().WSPIoctl(s, dwIoControlCode, lpvInBuffer, cbInBuffer, lpvOutBuffer, cbOutBuffer,
                                lpcbBytesReturned, lpOverlapped, lpCompletionRoutine, lpThreadId, lpErrno)

    def _rewrite(self, buf: Any, length: Any) -> tuple[bytes, int] | None:
        """The new (buffer, length), or None to pass a malformed request down
        untouched (the base provider reports its error, as without the layer)."""
        try:
            raw = ws.as_bytes(buf, param="lpvInBuffer")
            if not isinstance(length, int) or length < ws.SOCKET_PEER_TARGET_NAME.SIZE:
                return None
            old = ws.SOCKET_PEER_TARGET_NAME.unpack(raw[:length])
        except (TypeError, ValueError):
            return None
        name = self.rewrite(old.AllStrings)
        if name == old.AllStrings:
            return None
        new = ws.SOCKET_PEER_TARGET_NAME(
            SecurityProtocol=old.SecurityProtocol, PeerAddress=old.PeerAddress, AllStrings=name
        )
        self.rewritten.append((old.AllStrings, name))
        return new.pack(), ws.SOCKET_PEER_TARGET_NAME.SIZE + new.name_bytes()


def main() -> None:
    sim = ws.Simulator()
    layer = functools.partial(RewritePeerNamesLSP, rewrite={"host/old-name": "host/server.example.com"})
    api = started_winsock(sim, "10.0.0.1", lsp=layer)
    s = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    ptn = ws.SOCKET_PEER_TARGET_NAME(
        SecurityProtocol=ws.SOCKET_SECURITY_PROTOCOL_DEFAULT,
        PeerAddress=ws.sockaddr("10.0.0.2", 443),
        AllStrings="host/old-name",
    )
    rc = api.WSASetSocketPeerTargetName(s, ptn, ws.SOCKET_PEER_TARGET_NAME.SIZE + ptn.name_bytes(), None, None)
    print(f"WSASetSocketPeerTargetName -> {rc} (last error {api.WSAGetLastError()})")
    print(f"the layer rewrote: {api.host.top_provider.rewritten}")
    print(f"the provider registered: {api.peer_target_names(s)}")


if __name__ == "__main__":
    main()
