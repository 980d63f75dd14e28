"""The Winsock DLL, "the switch" (DESIGN 1, top layer): one :class:`WS2` per
simulated process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .extensions import ExtensionAPI
from .opentype import OpenTypeAPI
from .secure import SecureAPI
from .select import SelectAPI
from .waits import WaitAPI

if TYPE_CHECKING:
    from ..world import Host


class WS2(ExtensionAPI, OpenTypeAPI, SecureAPI, SelectAPI, WaitAPI):
    """The Winsock API of one simulated process (``host.ws2``, ``host.new_process()``)."""

    def __init__(self, host: Host) -> None:
        super().__init__(host)

    def __repr__(self) -> str:
        return f"<WS2 pid={self.pid} on {self.host.name}: {len(self.sockets)} sockets>"


__all__ = ["WS2"]
