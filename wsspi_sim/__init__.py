"""wsspi_sim: a pure-Python simulated Winsock 2 service provider.

The Windows Sockets 2 stack -- the Winsock DLL (the switch), the SPI, a base
provider and a network -- modelled in memory, with Windows' names, error codes
and completion rules::

    import wsspi_sim as ws
    sim = ws.Simulator()
    host = sim.add_host("10.0.0.1")
    api = host.ws2
    api.WSAStartup(0x0202, ws.WSADATA())
    s = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)

Every constant and error code is importable under its Windows name; error
codes are also members of :class:`ErrorCode`.
"""

from __future__ import annotations

from .constants import *  # noqa: F403
from .constants import __all__ as _constants_all
from .errors import *  # noqa: F403
from .errors import __all__ as _errors_all
from .profiles import DOCUMENTED, PROFILES, WINDOWS, Policy
from .provider import BaseProvider
from .spi import PROC_NAMES, UPCALL_NAMES, WSPPROC_TABLE, WSPUPCALLTABLE
from .structs import (
    SOCKADDR_STORAGE,
    SOCKET_PEER_TARGET_NAME,
    SOCKET_SECURITY_QUERY_INFO,
    SOCKET_SECURITY_QUERY_TEMPLATE,
    SOCKET_SECURITY_SETTINGS,
    SOCKET_SECURITY_SETTINGS_IPSEC,
    WSABUF,
    WSADATA,
    WSANETWORKEVENTS,
    WSAOVERLAPPED,
    WSAPOLLFD,
    WSAPROTOCOL_INFOW,
    WSAPROTOCOLCHAIN,
    WSATHREADID,
    WSPDATA,
    as_bytes,
    fill,
    linger,
    parse_sockaddr,
    sizeof,
    sockaddr,
    sockaddr_family,
    sockaddr_in,
    sockaddr_in6,
    timeval,
)
from .world import Host, Simulator
from .ws2 import WS2

__version__ = "0.1.0"

__all__ = [
    *_constants_all,
    *_errors_all,
    "BaseProvider",
    "DOCUMENTED",
    "Host",
    "PROC_NAMES",
    "PROFILES",
    "Policy",
    "SOCKADDR_STORAGE",
    "SOCKET_PEER_TARGET_NAME",
    "SOCKET_SECURITY_QUERY_INFO",
    "SOCKET_SECURITY_QUERY_TEMPLATE",
    "SOCKET_SECURITY_SETTINGS",
    "SOCKET_SECURITY_SETTINGS_IPSEC",
    "Simulator",
    "UPCALL_NAMES",
    "WINDOWS",
    "WS2",
    "WSABUF",
    "WSADATA",
    "WSANETWORKEVENTS",
    "WSAOVERLAPPED",
    "WSAPOLLFD",
    "WSAPROTOCOLCHAIN",
    "WSAPROTOCOL_INFOW",
    "WSATHREADID",
    "WSPDATA",
    "WSPPROC_TABLE",
    "WSPUPCALLTABLE",
    "as_bytes",
    "fill",
    "linger",
    "parse_sockaddr",
    "sizeof",
    "sockaddr",
    "sockaddr_family",
    "sockaddr_in",
    "sockaddr_in6",
    "timeval",
]
