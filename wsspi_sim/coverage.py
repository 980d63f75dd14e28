"""``wsspi-sim coverage``: what the simulation models, generated from the code.

* WSP entry points: an entry point is *not modelled* when a top-level
  statement of its body calls ``self.unmodelled(...)`` (it always answers
  WSAEOPNOTSUPP, or raises NotModelledError in strict mode).
* Winsock API functions: the contract list of DESIGN section 2 and every
  other API method the switch has.
* ioctl codes: every SIO_* / FIO* / SIOC* constant is tried through
  ``WSAIoctl`` on a fresh TCP and UDP socket of a ``strict`` simulator; a code
  is modelled unless both tries raise :class:`~wsspi_sim.errors.NotModelledError`.
* socket options: every SO_* / TCP_* / IP_* / IPV6_* constant is read and
  written through ``getsockopt`` / ``setsockopt`` on a fresh TCP and UDP
  socket; the table shows "yes" or the error code returned.

``docs/coverage.md`` is this module's :func:`markdown` output; a test fails
when it is out of date (regenerate with ``wsspi-sim docs``).
"""

from __future__ import annotations

import ast
import ctypes
import inspect
import textwrap
from typing import Any, Final

from . import constants as C
from .errors import NotModelledError, SimulationDeadlock
from .errors import error_name as _err_name
from .spi import PROC_NAMES

#: The API functions DESIGN section 2 requires, in its order.
CONTRACT_API: Final[tuple[str, ...]] = (
    "WSAStartup", "WSACleanup", "socket", "WSASocketW", "closesocket", "bind", "listen", "accept",
    "WSAAccept", "connect", "WSAConnect", "send", "recv", "sendto", "recvfrom", "WSASend", "WSARecv",
    "WSASendTo", "WSARecvFrom", "shutdown", "WSASendDisconnect", "WSARecvDisconnect", "getsockopt",
    "setsockopt", "getsockname", "getpeername", "ioctlsocket", "WSAIoctl", "WSADuplicateSocketW",
    "WSAEventSelect", "WSAEnumNetworkEvents", "WSACreateEvent", "WSASetEvent", "WSAResetEvent",
    "WSACloseEvent", "WSAWaitForMultipleEvents", "SleepEx", "WSAGetOverlappedResult",
    "CreateIoCompletionPort", "GetQueuedCompletionStatus", "PostQueuedCompletionStatus", "CancelIo",
    "CancelIoEx", "WSAGetLastError", "WSASetLastError", "GetLastError", "GetCurrentProcessId",
    "WSASetSocketPeerTargetName", "WSADeleteSocketPeerTargetName", "WSASetSocketSecurity",
    "WSAQuerySocketSecurity", "WSAImpersonateSocketPeer", "WSARevertImpersonation",
)  # fmt: skip


def _calls_unmodelled_at_top(fn: Any) -> bool:
    try:
        src = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError):
        return False
    tree = ast.parse(src)
    func = tree.body[0]
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    for stmt in func.body:
        if isinstance(stmt, (ast.Return, ast.Expr)) and stmt.value is not None:
            for node in ast.walk(stmt.value):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "unmodelled"):  # fmt: skip
                    return True
    return False


def entry_points() -> list[tuple[str, bool]]:
    """(name, modelled) for the 30 WSP entry points, in WSPPROC_TABLE order."""
    from .provider import BaseProvider

    out = []
    for name in PROC_NAMES:
        fn = getattr(BaseProvider, "_raw_" + name, None) or getattr(BaseProvider, name)
        fn = inspect.unwrap(fn)
        out.append((name, not _calls_unmodelled_at_top(fn)))
    return out


def api_functions() -> list[tuple[str, bool, bool]]:
    """(name, present, in the contract) for the contract's API and every other API method."""
    from .trace import api_names
    from .ws2 import WS2

    have = set(api_names(WS2))
    rows = [(n, n in have, True) for n in CONTRACT_API]
    rows += [(n, True, False) for n in sorted(have - set(CONTRACT_API))]
    return rows


def _constants(prefixes: tuple[str, ...]) -> list[tuple[str, int]]:
    seen: dict[int, str] = {}
    for name in C.__all__ if hasattr(C, "__all__") else dir(C):
        value = getattr(C, name, None)
        if name.startswith(prefixes) and isinstance(value, int) and not isinstance(value, bool):
            seen.setdefault(value, name)
    return sorted(((n, v) for v, n in seen.items()), key=lambda nv: (nv[1] & 0xFFFFFFFF, nv[0]))


def _world() -> tuple[Any, Any]:
    from .structs import WSADATA
    from .world import Simulator

    sim = Simulator(strict=True, trace=False)
    host = sim.add_host("10.0.0.1")
    api = host.ws2
    api.WSAStartup(0x0202, WSADATA())
    return sim, api




def ioctls() -> list[tuple[str, int, bool]]:
    """(name, code, modelled) for every ioctl constant."""
    _sim, api = _world()
    out = []
    for name, code in _constants(("SIO_", "FIO", "SIOC")):
        modelled = False
        for kind in (C.SOCK_STREAM, C.SOCK_DGRAM):
            s = api.socket(C.AF_INET, kind, 0)
            try:
                api.WSAIoctl(s, code, bytearray(64), 64, bytearray(1024), 1024, ctypes.c_ulong(), None, None)
                modelled = True
            except NotModelledError:
                pass
            except (SimulationDeadlock, TypeError, ValueError):
                modelled = True  # it was handled (blocked waiting, or refused our dummy buffers)
            api.closesocket(s)
        out.append((name, code & 0xFFFFFFFF, modelled))
    return out


_LEVELS: Final = (("SO_", C.SOL_SOCKET), ("TCP_", C.IPPROTO_TCP), ("IPV6_", C.IPPROTO_IPV6), ("IP_", C.IPPROTO_IP))


def options() -> list[tuple[str, str, str, str, str, str]]:
    """(level, option, get TCP, set TCP, get UDP, set UDP): "yes" or the error name."""
    _sim, api = _world()
    rows = []
    for prefix, level in _LEVELS:
        names = [(n, v) for n, v in _constants((prefix,)) if not (prefix == "IP_" and n.startswith("IPV6_"))]
        for name, opt in names:
            if name in ("SO_SYNCHRONOUS_ALERT", "SO_SYNCHRONOUS_NONALERT"):
                continue  # values of SO_OPENTYPE, not options
            cells = []
            for kind in (C.SOCK_STREAM, C.SOCK_DGRAM):
                s = api.socket(C.AF_INET, kind, 0)
                buf = bytearray(628)
                n = ctypes.c_int(628)
                cells.append(_probe(api, api.getsockopt, s, level, opt, buf, n))
                value = bytes(buf[: max(4, min(n.value, 628))]) if cells[-1] == "yes" else bytes(4)
                cells.append(_probe(api, api.setsockopt, s, level, opt, value, len(value)))
                api.closesocket(s)
            level_name = {C.SOL_SOCKET: "SOL_SOCKET", C.IPPROTO_TCP: "IPPROTO_TCP",
                          C.IPPROTO_IP: "IPPROTO_IP", C.IPPROTO_IPV6: "IPPROTO_IPV6"}[level]  # fmt: skip
            rows.append((level_name, name, *cells))
    return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]


def _probe(api: Any, call: Any, *args: Any) -> str:
    try:
        rc = call(*args)
    except NotModelledError:
        return "not modelled"
    if rc == 0:
        return "yes"
    return _err_name(api.WSAGetLastError())


def markdown() -> str:
    """The text of docs/coverage.md."""
    lines = [
        "# What the simulation models",
        "",
        "Generated from the code by `wsspi-sim coverage` (`wsspi_sim/coverage.py`); "
        "`tests/test_coverage_doc.py` fails when this file is out of date. "
        "Regenerate it with `wsspi-sim docs`.",
        "",
        "Nothing is a silent stub (DESIGN 2): what is not modelled answers `WSAEOPNOTSUPP` "
        "(or `WSAENOPROTOOPT` / `WSAEINVAL` where Windows would), and raises "
        "`NotModelledError` in a `Simulator(strict=True)`.",
        "",
        "## WSP entry points (WSPPROC_TABLE order)",
        "",
        "| # | entry point | modelled |",
        "| --- | --- | --- |",
    ]
    eps = entry_points()
    for i, (name, ok) in enumerate(eps, 1):
        lines.append(f"| {i} | {name} | {'yes' if ok else 'no: WSAEOPNOTSUPP'} |")
    lines.append("")
    lines.append(f"{sum(ok for _, ok in eps)} of {len(eps)} entry points are modelled.")
    lines += ["", "## Winsock API functions (the switch)", "", "| function | modelled | in DESIGN 2 |", "| --- | --- | --- |"]
    for name, present, contract in api_functions():
        lines.append(f"| {name} | {'yes' if present else '**missing**'} | {'yes' if contract else ''} |")
    lines += ["", "## ioctl codes (WSAIoctl / WSPIoctl)", "", "| code | value | modelled |", "| --- | --- | --- |"]
    codes = ioctls()
    for name, value, ok in codes:
        lines.append(f"| {name} | 0x{value:08X} | {'yes' if ok else 'no: WSAEOPNOTSUPP'} |")
    lines.append("")
    lines.append(f"{sum(ok for *_, ok in codes)} of {len(codes)} codes are modelled.")
    lines += [
        "",
        "## Socket options (getsockopt / setsockopt)",
        "",
        "Each cell: `yes`, or the error a fresh socket gets (WSAENOPROTOOPT: not an option "
        "of this level or type; WSAEINVAL: unknown level).",
        "",
        "| level | option | get (TCP) | set (TCP) | get (UDP) | set (UDP) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in options():
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


__all__ = ["CONTRACT_API", "api_functions", "entry_points", "ioctls", "markdown", "options"]
