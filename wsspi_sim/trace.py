"""The trace recorder: structured events in virtual time.

Tracing is off unless ``Simulator(trace=True)`` (or the CLI's ``--trace``).
When it is off nothing here runs: the API methods, the proc table and the
upcall table are the plain functions, and the provider's one state-change
point (``ProviderCore.step``) pays one attribute test.  When it is on, the
:class:`Tracer` wraps, *at construction time*, every public API method of
each switch (instance attributes shadowing the class methods), every direct
WSP entry point of each provider, every entry of the WSPPROC_TABLE a
WSPStartup fills, and every entry of the switch's upcall table.  Each call
becomes one :class:`TraceEvent` recorded when the call starts (so events
nest in the order they happen: API -> SPI -> upcall) and completed with its
result, last error and out-parameters when it returns.

Kinds of event:

``api``         a call of the Winsock API (``host.ws2``)
``spi``         a WSP entry point (through the switch's proc table, or direct)
``upcall``      a WPU upcall, or WPUCompleteOverlappedRequest
``transition``  a socket moved (or was refused) in the state tables
``completion``  an overlapped request completed (provider ``complete``)
``close``       the provider released a descriptor (WSPCloseSocket)
``apc``         a queued APC ran in an alertable wait
``fault``       an injected fault (transport, timers)

The trace is queryable (:meth:`Tracer.calls`, :meth:`Tracer.transitions`,
...), exports as JSON Lines (:meth:`Tracer.to_jsonl`) and prints as an
indented timeline (:meth:`Tracer.timeline`), with ANSI colours only when the
stream is a terminal.  Output is deterministic: threads, processes and
overlapped structures are numbered in order of first appearance.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

import attrs

from .errors import error_name as _err_name

if TYPE_CHECKING:
    from .world import Simulator

#: BSD-style API functions of the switch (the rest of the API is CamelCase).
BSD_NAMES: frozenset[str] = frozenset(
    {
        "socket", "closesocket", "bind", "listen", "accept", "connect", "send", "recv",
        "sendto", "recvfrom", "shutdown", "getsockopt", "setsockopt", "getsockname",
        "getpeername", "ioctlsocket", "select",
    }
)  # fmt: skip

CALL_KINDS: frozenset[str] = frozenset({"api", "spi", "upcall"})

#: Calls that return a new socket handle: the event's socket is the result.
_CREATORS = frozenset(
    {"socket", "WSASocketW", "WSASocketA", "accept", "WSAAccept", "WSPSocket", "WSPAccept",
     "WPUCreateSocketHandle"}
)  # fmt: skip
#: API functions returning a BOOL (FALSE means failure, details in the last error).
_BOOL_API = frozenset(
    {"WSAGetOverlappedResult", "GetQueuedCompletionStatus", "PostQueuedCompletionStatus",
     "WSASetEvent", "WSAResetEvent", "WSACloseEvent", "CancelIo", "CancelIoEx", "CloseHandle",
     "WSPGetOverlappedResult"}
)  # fmt: skip
#: Parameters that hold a socket handle.
_SOCKET_PARAMS = ("s", "Socket", "hFile", "FileHandle")
#: Parameters that hold a packed socket address.
_ADDR_PARAMS = frozenset({"name", "to", "lpTo", "PeerAddr", "addr", "from_", "lpFrom"})
#: API calls that only read the thread's state: kept in the trace, hidden by default
#: in the timeline because every C program calls them after each failure.
QUIET_NAMES: frozenset[str] = frozenset({"WSAGetLastError", "GetLastError", "GetCurrentProcessId"})

INVALID_SOCKET = (1 << 64) - 1
SOCKET_ERROR = -1


def api_names(cls: type) -> list[str]:
    """The public Winsock API methods of a switch class (what tracing wraps and
    what the coverage table lists): CamelCase names that are not upcalls, and
    the BSD names."""
    names = []
    for name in dir(cls):
        if name.startswith("_") or not callable(getattr(cls, name, None)):
            continue
        if name in BSD_NAMES or (name[0].isupper() and not name.startswith("WPU")):
            names.append(name)
    return sorted(names)


@attrs.define(slots=True, eq=False)
class TraceEvent:
    """One recorded event.

    ``fields`` holds whatever the recording site passed (``tracer.event(kind,
    **fields)``); call events also fill ``name``, ``args``, ``result``,
    ``last_error`` (API) or ``errno`` (SPI/upcall), and ``outs`` (the
    out-parameters' values after the call).  ``depth`` is the nesting level
    and ``parent`` the ``seq`` of the call this event happened inside.
    """

    seq: int
    time: float
    thread: int
    kind: str
    fields: dict[str, Any]
    depth: int = 0
    parent: int | None = None
    process: int | None = None
    socket: int | None = None
    name: str | None = None
    args: dict[str, Any] | None = None
    result: Any = None
    last_error: int | None = None
    errno: int | None = None
    outs: dict[str, Any] | None = None
    end_time: float | None = None
    exception: str | None = None

    @property
    def failed(self) -> bool:
        """A call that returned SOCKET_ERROR, INVALID_SOCKET or (BOOL) FALSE."""
        if self.kind not in CALL_KINDS:
            return False
        r = self.result
        if r == SOCKET_ERROR or r == INVALID_SOCKET:
            return True
        return self.name in _BOOL_API and r == 0

    @property
    def error(self) -> int | None:
        """The error a failed call reported (last error or lpErrno); else the
        ``error`` field of a completion / transition event."""
        if self.kind in CALL_KINDS:
            if not self.failed:
                return None
            return self.last_error if self.kind == "api" else self.errno
        err = self.fields.get("error")
        return err if isinstance(err, int) else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (keys with None values left out)."""
        d: dict[str, Any] = {"seq": self.seq, "time": self.time, "kind": self.kind}
        for key in ("end_time", "process", "thread", "depth", "parent", "socket", "name",
                    "args", "result", "last_error", "errno", "outs", "exception"):  # fmt: skip
            v = getattr(self, key)
            if v is not None:
                d[key] = v
        for key, v in self.fields.items():
            d.setdefault(key, _jsonable(v))
        return d


class _Local(threading.local):
    def __init__(self) -> None:
        self.stack: list[TraceEvent] = []


#: Tracers started by :func:`capture` blocks (the CLI's ``run --trace``).
_captures: list[list[Tracer]] = []


@contextlib.contextmanager
def capture() -> Iterator[list[Tracer]]:
    """Every Simulator created inside the block records a trace; yields the
    list of their tracers (in creation order)."""
    found: list[Tracer] = []
    _captures.append(found)
    try:
        yield found
    finally:
        _captures.remove(found)


def capturing() -> bool:
    """True inside a :func:`capture` block (Simulator then traces by default)."""
    return bool(_captures)


class Tracer:
    """Collects :class:`TraceEvent` records for one simulator."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.events: list[TraceEvent] = []
        self._local = _Local()
        self._threads: dict[int, int] = {}
        self._objects: dict[int, tuple[int, Any]] = {}
        self._uid_handle: dict[tuple[int, Any], int] = {}
        for found in _captures:
            found.append(self)

    # -- recording -------------------------------------------------------------------
    def _thread_no(self) -> int:
        ident = threading.get_ident()
        n = self._threads.get(ident)
        if n is None:
            n = self._threads[ident] = len(self._threads) + 1
        return n

    def _new(self, kind: str, fields: dict[str, Any]) -> TraceEvent:
        stack = self._local.stack
        parent = stack[-1] if stack else None
        ev = TraceEvent(
            len(self.events), self.sim.now, self._thread_no(), kind, fields,
            depth=len(stack),
            parent=parent.seq if parent is not None else None,
            process=parent.process if parent is not None else None,
        )  # fmt: skip
        sock = fields.get("socket")
        if isinstance(sock, int) and not isinstance(sock, bool):
            ev.socket = sock
        self.events.append(ev)
        return ev

    def event(self, kind: str, **fields: Any) -> TraceEvent:
        """Record a point event (completion, close, fault, ...) at the current depth."""
        with self.sim.lock:
            return self._new(kind, fields)

    def transition(self, sock: Any, machine: str, before: Any, event: str, outcome: Any) -> TraceEvent:
        """Record a row of a state table taken by the provider (``ProviderCore.step``)."""
        handles = getattr(sock, "handles", None)
        uid = getattr(sock, "uid", None)
        # uids count per provider: key the last known handle by (provider, uid)
        key = (id(getattr(sock, "provider", None)), uid)
        handle = handles[0] if handles else self._uid_handle.get(key)
        if handles:
            self._uid_handle[key] = handles[0]
        elif handle is None and event == "close":
            # The last descriptor is already released and the socket never took a
            # row before (an accepted socket closed at once): the close runs inside
            # WSPCloseSocket(s), whose ``s`` is the handle.
            stack = self._local.stack
            if stack and stack[-1].socket is not None:
                handle = stack[-1].socket
        fields: dict[str, Any] = {
            "socket": handle, "uid": uid, "machine": machine, "from": getattr(before, "name", str(before)),
            "event": event,
        }  # fmt: skip
        if isinstance(outcome, int):
            fields["error"] = int(outcome)
            fields["to"] = None
        else:
            fields["to"] = getattr(outcome, "name", str(outcome))
        ev = self.event("transition", **fields)
        owner = getattr(getattr(sock, "switch", None), "pid", None)
        if owner is not None:  # the socket's process, not the caller's (a peer's reset)
            ev.process = owner
        return ev

    def begin(self, kind: str, name: str, process: int | None, args: dict[str, Any]) -> TraceEvent:
        """Open a call event; the caller must :meth:`end` it."""
        with self.sim.lock:
            ev = self._new(kind, {})
            ev.name = name
            ev.args = args
            if process is not None:
                ev.process = process
            for p in _SOCKET_PARAMS:
                v = args.get(p)
                if isinstance(v, int) and not isinstance(v, bool):
                    ev.socket = v
                    break
            self._local.stack.append(ev)
            return ev

    def end(self, ev: TraceEvent, result: Any, raw_args: dict[str, Any], last_error: int | None,
            exception: BaseException | None = None) -> None:  # fmt: skip
        """Close a call event with its result and out-parameters."""
        with self.sim.lock:
            stack = self._local.stack
            if stack and stack[-1] is ev:
                stack.pop()
            elif ev in stack:  # an exception unwound inner calls without ending them
                del stack[stack.index(ev):]
            ev.end_time = self.sim.now
            if exception is not None:
                ev.exception = f"{type(exception).__name__}: {exception}"
                return
            ev.result = self.value(result)
            ev.last_error = last_error
            outs: dict[str, Any] = {}
            for pname, v in raw_args.items():
                if _is_out(v):
                    outs[pname] = self.value(_read_out(v))
            if outs:
                ev.outs = outs
            errno = outs.get("lpErrno")
            if isinstance(errno, int) and not isinstance(errno, bool):
                ev.errno = errno
            if ev.name in _CREATORS and isinstance(result, int) and result not in (INVALID_SOCKET, SOCKET_ERROR):
                ev.socket = result

    # -- argument rendering -----------------------------------------------------------
    def object_no(self, obj: Any) -> int:
        """A small, deterministic number for an object (OVERLAPPED #1, #2, ...)."""
        key = id(obj)
        found = self._objects.get(key)
        if found is None or found[1] is not obj:
            found = (len(self._objects) + 1, obj)
            self._objects[key] = found
        return found[0]

    def value(self, v: Any, pname: str = "") -> Any:
        """A JSON-ready rendering of one argument or result."""
        if v is None or isinstance(v, (bool, float, str)):
            return v
        if isinstance(v, int):
            return int(v)  # an IntEnum (ErrorCode) prints as its number in the trace
        if isinstance(v, (bytes, bytearray, memoryview)):
            b = bytes(v)
            if pname in _ADDR_PARAMS and len(b) in (16, 28):
                addr = _addr_text(b)
                if addr is not None:
                    return addr
            return f"<{len(b)} bytes>"
        cls = type(v).__name__
        if cls == "WSAOVERLAPPED":
            return f"OVERLAPPED#{self.object_no(v)}"
        if cls == "WSABUF":
            return f"WSABUF({getattr(v, 'len', '?')})"
        if cls == "WSATHREADID":
            return f"thread {getattr(v, 'ThreadHandle', '?')}"
        if isinstance(v, (list, tuple)):
            return [self.value(x, pname) for x in v[:8]]
        if _is_out(v):
            return f"&{self.value(_read_out(v))}"
        if callable(v):
            return f"<{getattr(v, '__qualname__', cls)}>"
        return f"<{cls}>"

    # -- instrumentation (only when tracing is on) ----------------------------------
    def _wrap(self, kind: str, name: str, fn: Callable[..., Any], process: Callable[[dict[str, Any]], int | None],
              last_error: Callable[[], int | None] | None = None, **extra: Any) -> Callable[..., Any]:  # fmt: skip
        try:
            params = list(inspect.signature(fn).parameters)
        except (TypeError, ValueError):
            params = []
        tracer = self

        @functools.wraps(fn)
        def traced(*args: Any, **kwargs: Any) -> Any:
            raw = dict(zip(params, args, strict=False))
            raw.update(kwargs)
            shown = {k: tracer.value(v, k) for k, v in raw.items()}
            ev = tracer.begin(kind, name, process(raw), shown)
            if extra:
                ev.fields.update(extra)
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:
                tracer.end(ev, None, raw, None, exc)
                raise
            tracer.end(ev, result, raw, last_error() if last_error is not None else None)
            return result

        traced.__wsspi_traced__ = True  # type: ignore[attr-defined]
        return traced

    def instrument_switch(self, switch: Any) -> None:
        """Wrap a switch's API methods and its upcall table (called by SwitchCore)."""
        pid = switch.pid

        def last_error() -> int | None:
            ts = switch._threads.get(threading.get_ident())
            return ts.last_error if ts is not None else None

        def proc(_raw: dict[str, Any]) -> int:
            return int(pid)

        for name in api_names(type(switch)):
            fn = getattr(switch, name)
            setattr(switch, name, self._wrap("api", name, fn, proc, last_error))
        table = switch.upcall_table
        for attr in attrs.fields(type(table)):
            fn = getattr(table, attr.name)
            if attr.name.startswith("lpWPU") and fn is not None and not _traced(fn):
                setattr(table, attr.name, self._wrap("upcall", attr.name[2:], fn, proc))
        fn = switch.WPUCompleteOverlappedRequest
        switch.WPUCompleteOverlappedRequest = self._wrap("upcall", "WPUCompleteOverlappedRequest", fn, proc)

    def instrument_provider(self, provider: Any) -> None:
        """Wrap a provider's direct WSP entry points (called by ProviderCore)."""
        from .spi import PROC_NAMES

        def proc(raw: dict[str, Any]) -> int | None:
            s = raw.get("s")
            owner = getattr(provider, "handle_proc", {}).get(s) if isinstance(s, int) else None
            return owner.pid if owner is not None else None

        for name in PROC_NAMES:
            fn = getattr(provider, name, None)
            if fn is not None and not _traced(fn):
                wrapper = self._wrap("spi", name, fn, proc, direct=True)
                wrapper.__wsspi_direct__ = True  # type: ignore[attr-defined]
                setattr(provider, name, wrapper)
        # Tables given out before (fault injection re-arms a started provider).
        for switch, table in list(getattr(provider, "proc_tables", {}).items()):
            self.instrument_proc_table(table, getattr(switch, "pid", None))
        startup = getattr(provider, "WSPStartup", None)
        if startup is None or _traced(startup):
            return
        tracer = self

        def startup_pid(raw: dict[str, Any]) -> int | None:
            return getattr(getattr(raw.get("UpcallTable"), "switch", None), "pid", None)

        traced = self._wrap("spi", "WSPStartup", startup, startup_pid)

        @functools.wraps(startup)
        def WSPStartup(wVersionRequested: Any, lpWSPData: Any, lpProtocolInfo: Any,
                       UpcallTable: Any, lpProcTable: Any) -> Any:  # fmt: skip
            rc = traced(wVersionRequested, lpWSPData, lpProtocolInfo, UpcallTable, lpProcTable)
            if rc == 0 and lpProcTable is not None:
                # the table it filled: calls through it are traced from now on
                tracer.instrument_proc_table(lpProcTable, startup_pid({"UpcallTable": UpcallTable}))
            return rc

        WSPStartup.__wsspi_traced__ = True  # type: ignore[attr-defined]
        provider.WSPStartup = WSPStartup

    def instrument_proc_table(self, table: Any, pid: int | None) -> None:
        """Wrap the entries a WSPStartup wrote into a WSPPROC_TABLE."""
        from .spi import PROC_NAMES

        def proc(_raw: dict[str, Any]) -> int | None:
            return pid

        for name in PROC_NAMES:
            fn = getattr(table, "lp" + name, None)
            if fn is not None and getattr(fn, "__wsspi_direct__", False):
                # a layered provider handed out its own (traced) attributes: these
                # are calls through the switch's table, not direct calls
                fn = fn.__wrapped__
            elif fn is None or _traced(fn):
                continue
            setattr(table, "lp" + name, self._wrap("spi", name, fn, proc))

    # -- queries ----------------------------------------------------------------------------
    def of_kind(self, kind: str) -> list[TraceEvent]:
        """Every event of one kind, in order."""
        return [e for e in self.events if e.kind == kind]

    def calls(self, name: str | None = None, kind: str | None = None, socket: int | None = None) -> list[TraceEvent]:
        """Call events (api, spi, upcall), optionally of one function name, kind or socket."""
        out = []
        for e in self.events:
            if e.kind not in CALL_KINDS:
                continue
            if kind is not None and e.kind != kind:
                continue
            if name is not None and e.name != name:
                continue
            if socket is not None and e.socket != socket:
                continue
            out.append(e)
        return out

    def transitions(self, socket: int | None = None, *, refused: bool = False) -> list[TraceEvent]:
        """State-table rows taken, optionally for one socket handle; rows whose
        outcome is an error code are included only with ``refused=True``."""
        return [
            e for e in self.events
            if e.kind == "transition"
            and (socket is None or e.socket == socket)
            and (refused or e.fields.get("to") is not None)
        ]  # fmt: skip

    def states(self, socket: int) -> list[str]:
        """The states one socket went through, starting with its first recorded one."""
        moves = self.transitions(socket)
        if not moves:
            return []
        return [moves[0].fields["from"]] + [e.fields["to"] for e in moves]

    def completions(self, socket: int | None = None) -> list[TraceEvent]:
        """Overlapped completions, optionally of one socket."""
        return [e for e in self.events if e.kind == "completion" and (socket is None or e.socket == socket)]

    def for_socket(self, socket: int) -> list[TraceEvent]:
        """Every event that concerns one socket handle."""
        return [e for e in self.events if e.socket == socket]

    def children(self, ev: TraceEvent) -> list[TraceEvent]:
        """The events recorded directly inside a call."""
        return [e for e in self.events if e.parent == ev.seq]

    def errors(self) -> list[TraceEvent]:
        """Every failed call, refused transition and completion with an error."""
        return [e for e in self.events if e.error]

    def mark(self) -> int:
        """A position in the trace, for :meth:`since`."""
        return len(self.events)

    def since(self, mark: int) -> list[TraceEvent]:
        """The events recorded after :meth:`mark` returned ``mark``."""
        return self.events[mark:]

    def clear(self) -> None:
        """Forget every event recorded so far."""
        with self.sim.lock:
            self.events.clear()

    # -- export -------------------------------------------------------------------------------
    def to_dicts(self, events: Iterable[TraceEvent] | None = None) -> list[dict[str, Any]]:
        return [e.to_dict() for e in (self.events if events is None else events)]

    def to_jsonl(self, out: str | os.PathLike[str] | IO[str] | None = None,
                 events: Iterable[TraceEvent] | None = None) -> str:  # fmt: skip
        """The trace as JSON Lines (one event per line); also written to ``out``
        (a path or a text stream) when given."""
        text = "".join(json.dumps(d, sort_keys=True, default=str) + "\n" for d in self.to_dicts(events))
        if out is not None:
            if isinstance(out, (str, os.PathLike)):
                with open(out, "w", encoding="utf-8") as f:
                    f.write(text)
            else:
                out.write(text)
        return text

    def timeline(self, events: Iterable[TraceEvent] | None = None, *, color: bool = False,
                 hide: Iterable[str] = QUIET_NAMES, indent: str = "", compact: bool = False) -> str:  # fmt: skip
        """The events as an indented timeline, one line each (see :func:`format_event`)."""
        evs = list(self.events if events is None else events)
        if not evs:
            return ""
        hidden = set(hide)
        base = min(e.depth for e in evs)
        lines = []
        skip_under: set[int] = set()
        for e in evs:
            if e.parent in skip_under or (e.kind in CALL_KINDS and e.name in hidden):
                skip_under.add(e.seq)
                continue
            lines.append(indent + format_event(e, color=color, base_depth=base, compact=compact))
        return "\n".join(lines) + "\n" if lines else ""

    def print_timeline(self, stream: IO[str] | None = None, events: Iterable[TraceEvent] | None = None,
                       *, color: bool | None = None, hide: Iterable[str] = QUIET_NAMES) -> None:  # fmt: skip
        """Print the timeline; colours when ``stream`` is a terminal (or ``color=True``)."""
        import sys

        out = sys.stdout if stream is None else stream
        if color is None:
            color = use_color(out)
        out.write(self.timeline(events, color=color, hide=hide))


# -- rendering helpers ----------------------------------------------------------------------------
def use_color(stream: Any) -> bool:
    """ANSI colours only on a terminal, and never when NO_COLOR is set."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except (ValueError, OSError):
        return False


_COLORS = {
    "api": "\x1b[1;36m", "spi": "\x1b[35m", "upcall": "\x1b[33m", "transition": "\x1b[32m",
    "completion": "\x1b[34m", "close": "\x1b[34m", "apc": "\x1b[34m", "fault": "\x1b[1;31m",
}  # fmt: skip
_RED = "\x1b[31m"
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text


def _is_out(v: Any) -> bool:
    """An out-parameter object (ctypes scalar, Ref, ...): has a writable ``value``."""
    if v is None or isinstance(v, (bool, int, float, str, bytes, bytearray, memoryview, list, tuple)):
        return False
    if type(v).__name__ in ("WSABUF", "WSAOVERLAPPED"):
        return False
    try:
        v.value  # noqa: B018 - probing the attribute
    except AttributeError:
        return False
    except Exception:  # noqa: BLE001 - an empty ctypes.py_object() raises ValueError
        return not callable(v)
    return not callable(v)


def _read_out(v: Any) -> Any:
    """An out-parameter's current value; None for an empty ctypes.py_object()."""
    try:
        return v.value
    except Exception:  # noqa: BLE001 - ValueError("PyObject is NULL")
        return None


def _traced(fn: Any) -> bool:
    return bool(getattr(fn, "__wsspi_traced__", False))


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return repr(v)


def _addr_text(b: bytes) -> str | None:
    fam = b[0] | (b[1] << 8)
    port = (b[2] << 8) | b[3]
    if fam == 2 and len(b) >= 16:
        return f"{b[4]}.{b[5]}.{b[6]}.{b[7]}:{port}"
    if fam == 23 and len(b) >= 28:
        import ipaddress

        return f"[{ipaddress.IPv6Address(bytes(b[8:24]))}]:{port}"
    return None


def _const_names() -> dict[str, dict[int, str]]:
    from . import constants as C

    def pick(prefixes: tuple[str, ...], exclude: tuple[str, ...] = ()) -> dict[int, str]:
        out: dict[int, str] = {}
        for n in sorted(dir(C)):
            v = getattr(C, n)
            if n.startswith(prefixes) and not n.startswith(exclude) and isinstance(v, int):
                out.setdefault(v, n)
        return out

    return {
        "af": pick(("AF_",)),
        "type": pick(("SOCK_",)),
        "protocol": pick(("IPPROTO_",)),
        "how": pick(("SD_",)),
        "level": {0xFFFF: "SOL_SOCKET", 6: "IPPROTO_TCP", 0: "IPPROTO_IP", 17: "IPPROTO_UDP", 41: "IPPROTO_IPV6"},
        "ioctl": pick(("SIO_", "FIO")),
        "flags": pick(("WSA_FLAG_",)),
    }


_NAMES: dict[str, dict[int, str]] | None = None
_ERROR_PARAMS = frozenset({"lpErrno", "dwError", "iError", "dwErrorCode"})
_PARAM_KIND = {
    "af": "af", "AddressFamily": "af", "type": "type", "protocol": "protocol", "how": "how",
    "level": "level", "dwIoControlCode": "ioctl", "cmd": "ioctl",
}  # fmt: skip


def _show_arg(pname: str, v: Any) -> str:
    global _NAMES
    if isinstance(v, int) and not isinstance(v, bool):
        kind = _PARAM_KIND.get(pname)
        if kind is not None:
            if _NAMES is None:
                _NAMES = _const_names()
            key = v & 0xFFFFFFFF if kind == "ioctl" else v
            found = _NAMES[kind].get(key)
            if found is not None:
                return found
        if pname in _ERROR_PARAMS and v:
            return _err_name(v)
    if isinstance(v, list):
        return "[" + ", ".join(_show_arg("", x) for x in v) + "]"
    if isinstance(v, str) and pname and not v.startswith(("<", "&", "OVERLAPPED#", "WSABUF", "thread", "[")):
        if ":" in v and pname in _ADDR_PARAMS:
            return v
        return repr(v)
    return str(v)




def _show_result(e: TraceEvent) -> str:
    r = e.result
    if r == SOCKET_ERROR:
        return "SOCKET_ERROR"
    if r == INVALID_SOCKET:
        return "INVALID_SOCKET"
    if isinstance(r, bool):
        return "TRUE" if r else "FALSE"
    if e.name in _BOOL_API and isinstance(r, int) and r in (0, 1):
        return "TRUE" if r else "FALSE"
    return str(r)


def format_event(e: TraceEvent, *, color: bool = False, base_depth: int = 0, compact: bool = False) -> str:
    """One timeline line: ``[time] pPID/tN  <indent>kind  text``; ``compact``
    leaves out NULL arguments."""
    where = f"p{e.process}" if e.process is not None else "p-"
    head = f"[{e.time:8.3f}s] {where}/t{e.thread} "
    pad = "  " * max(0, e.depth - base_depth)
    tag = _paint(f"{e.kind:<10}", _COLORS.get(e.kind, ""), color)
    f = e.fields
    if e.kind in CALL_KINDS:
        outs = e.outs or {}
        args = ", ".join(
            f"{k}=&{_show_arg(k, outs[k])}" if k in outs else f"{k}={_show_arg(k, v)}"
            for k, v in (e.args or {}).items()
            if not (compact and v is None)
        )
        text = f"{e.name}({args})"
        if e.exception is not None:
            text += " raised " + _paint(e.exception, _RED, color)
        else:
            text += " -> " + _show_result(e)
            err = e.error
            if err:
                text += " " + _paint(f"[{_err_name(err)}]", _RED, color)
        if f.get("direct"):
            text += _paint("  (direct provider call)", _DIM, color)
    elif e.kind == "transition":
        if f.get("to") is None:
            text = (f"socket {f.get('socket')}: {f.get('from')} x {f.get('event')} -> "
                    + _paint(_err_name(int(f.get('error', 0))), _RED, color) + " (refused; state kept)")
        else:
            text = f"socket {f.get('socket')}: {f.get('from')} --{f.get('event')}--> {f.get('to')}"
    elif e.kind == "completion":
        err = f.get("error", 0)
        shown = _paint(_err_name(err), _RED, color) if err else "success"
        text = f"socket {f.get('socket')} {f.get('op')} request completed: {shown}, {f.get('bytes', 0)} bytes"
    elif e.kind == "apc":
        text = f"{f.get('routine')}({f.get('context')}) runs in the thread's alertable wait"
    elif e.kind == "close":
        last = "the last reference: socket torn down" if f.get("last") else "another descriptor still refers to it"
        text = f"socket {f.get('socket')} released ({last})"
    else:
        text = " ".join(f"{k}={v}" for k, v in f.items())
    return f"{head}{pad}{tag} {text}"


__all__ = [
    "BSD_NAMES",
    "CALL_KINDS",
    "QUIET_NAMES",
    "TraceEvent",
    "Tracer",
    "api_names",
    "capture",
    "capturing",
    "format_event",
    "use_color",
]
