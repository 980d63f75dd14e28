"""Fast paths for the switch's send, recv, sendto and recvfrom (bench: issue 7).

The C-style calls (``send(s, buf, len, flags)`` ...) reach the provider as
WSPSend & co. with a one-element WSABUF array and out-parameters: per call a
list, a WSABUF, two or three Refs and a memoryview, then generic validation of
all of it.  For the overwhelmingly common call -- a plain buffer, no flags, a
connected socket whose data can move at once -- that is most of the cost.

The switch (ws2/sockets.py) calls these functions instead *only* when its
proc-table entry is still this base provider's own entry point (:func:`native`):
no layered provider, no fault wrapper, no trace wrapper sits in between.  Each
function handles exactly the calls the general path would complete at once,
and does what the general path does for them, in the same order, with the same
transport and provider hooks.  For anything else -- an odd argument type, a
flag, a state whose table row is not a plain "allowed", data that would
pend, truncate or block -- it returns
:data:`GENERAL` *before changing anything*, and the switch takes the general
path, which validates and fails exactly as before.  So no validation Windows
performs is skipped: calls that would fail never run here.

Return value: ``>= 0`` the byte count; :data:`GENERAL` (-1): take the general
path; any other negative number ``-err``: the call failed with Windows error
``err`` (only after a hook that the general path would also have run once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import states as S
from ..constants import AF_INET, AF_INET6, FD_OOB, FD_READ
from .core import decode_addr, encode_addr, get_in, write_addr
from .io import DataPath

if TYPE_CHECKING:
    from .sock import Sock

#: "Not handled here: take the general path" (nothing has been changed).
GENERAL = -1

_MAX_DGRAM = {AF_INET: 65507, AF_INET6: 65527}


def _allowed(table: S.Table, event: str) -> frozenset[S.State]:
    """States whose row for ``event`` is a state, i.e. check() returns 0."""
    return frozenset(st for st, row in table.items() if isinstance(row.get(event), S.State))


_STREAM_SEND = _allowed(S.STREAM, "send")
_STREAM_RECV = _allowed(S.STREAM, "recv")
_DGRAM_SENDTO = _allowed(S.DATAGRAM, "sendto")
_DGRAM_RECV = _allowed(S.DATAGRAM, "recv")

#: Entry point -> (the base provider's function, the helpers it relies on).
_ENTRIES: dict[str, tuple[str, ...]] = {
    "WSPSend": ("send", "_send_stream", "check", "lookup"),
    "WSPRecv": ("recv", "_recv", "take", "check", "lookup", "rearm", "scatter", "serve_recvs"),
    "WSPSendTo": ("send", "check", "lookup", "autobind"),
    "WSPRecvFrom": ("recv", "_recv", "take", "check", "lookup", "rearm", "scatter"),
}


def native(provider: Any, fn: Any, name: str) -> bool:
    """True iff ``fn`` (a proc-table entry) is ``provider``'s own, unwrapped
    ``name`` of the base provider, with none of the helpers it uses overridden."""
    helpers = _ENTRIES.get(name)
    if helpers is None or not isinstance(provider, DataPath):
        return False
    if getattr(fn, "__self__", None) is not provider or getattr(fn, "__func__", None) is not DataPath.__dict__[name]:
        return False
    cls = type(provider)
    return all(getattr(cls, h) is getattr(DataPath, h) for h in helpers)


def send(p: DataPath, s: int, buf: Any, n: Any, flags: Any) -> int:
    """send() on a connected stream socket whose window takes all ``n`` bytes now."""
    sock: Sock | None = p.table.get(s)
    if (
        sock is None
        or not sock.stream
        or type(flags) is not int
        or flags
        or type(n) is not int
        or n <= 0
        or sock._state not in _STREAM_SEND
    ):
        return GENERAL
    tb = type(buf)
    if tb is not bytes and tb is not bytearray:
        # A plain byte view is common for bulk data (``mv[off:]``); sending it
        # without the general path's bytes() copy also spares the allocator a
        # large block per call.
        if tb is not memoryview or buf.format != "B" or buf.ndim != 1 or not buf.contiguous:
            return GENERAL
    size = len(buf)
    if n > size or sock._sq:  # too short a buffer (WSAEFAULT); sends queued before
        return GENERAL
    # As DataPath._send_stream when the window takes it all: the transport copies
    # the bytes (it keeps no reference); else the general path.
    if sock.ep.send_all(buf if n == size else memoryview(buf)[:n]):  # memoryview: no copy
        return n
    return GENERAL


def recv(p: DataPath, s: int, buf: Any, n: Any, flags: Any) -> int:
    """recv() on a stream socket with data waiting."""
    sock: Sock | None = p.table.get(s)
    if (
        sock is None
        or not sock.stream
        or type(buf) is not bytearray
        or type(flags) is not int
        or flags
        or type(n) is not int
        or n <= 0
        or n > len(buf)
        or sock._state not in _STREAM_RECV
    ):
        return GENERAL
    ep = sock.ep
    rbuf = ep._rbuf
    if not rbuf or ep.urg is not None:  # nothing to read (FIN, reset, blocking ...); urgent data
        return GENERAL
    # As DataPath.take (stream) and scatter for one buffer.
    have = len(rbuf)
    if have <= n:
        buf[:have] = rbuf
        del rbuf[:have]
        k = have
    else:
        buf[:n] = rbuf[:n]
        del rbuf[:n]
        k = n
    peer = ep.peer
    if peer is not None and peer._sndq:
        ep.consumed()
        # As DataPath.recv: any receive re-enables FD_READ/FD_OOB (SPI-FACTS 3.9);
        # then urgent data pulled across may complete a pending MSG_OOB receive.
        if sock.ev_mask:
            p.rearm(sock, FD_READ | FD_OOB)
        if sock._rq and ep.urg is not None:
            p.serve_recvs(sock)
        return k
    # As DataPath.recv: any receive re-enables FD_READ/FD_OOB (SPI-FACTS 3.9).
    if sock.ev_mask:
        p.rearm(sock, FD_READ | FD_OOB)
    return k


#: packed destination address -> (family, ip, port), for addresses a send accepts
_DEST: dict[bytes, tuple[int, str, int]] = {}
#: destinations the general path judges (ADDR_ANY: WSAEADDRNOTAVAIL; broadcast:
#: WSAEACCES without SO_BROADCAST)
_SLOW_DEST = ("0.0.0.0", "::", "255.255.255.255")


def sendto(p: DataPath, s: int, buf: Any, n: Any, flags: Any, to: Any, tolen: Any) -> int:
    """sendto() on a bound datagram socket, to an address given as exact bytes."""
    sock: Sock | None = p.table.get(s)
    if (
        sock is None
        or sock.stream
        or type(flags) is not int
        or flags
        or type(n) is not int
        or n <= 0
        or type(to) is not bytes
        or type(tolen) is not int
        or tolen != len(to)
        or sock._state not in _DGRAM_SENDTO
        or sock._state is S.OPEN  # the first send binds and moves the state
    ):
        return GENERAL
    tb = type(buf)
    if (tb is not bytes and tb is not bytearray) or n > len(buf):
        return GENERAL
    dest = _DEST.get(to)
    if dest is None:
        d = decode_addr(to, tolen, "lpTo")
        if isinstance(d, int) or d[2] == 0 or d[1] in _SLOW_DEST or d[0] not in _MAX_DGRAM:
            return GENERAL
        if len(_DEST) > 4096:
            _DEST.clear()
        dest = _DEST[to] = d
    fam, ip, port = dest
    if fam != sock.family or n > _MAX_DGRAM[fam]:
        return GENERAL
    ep = sock.ep
    if not ep.bound:
        return GENERAL
    # As DataPath.send for a datagram: a bytes copy is queued at the receiver.
    data = buf if (tb is bytes and n == len(buf)) else bytes(memoryview(buf)[:n])
    err = p.authenticate_datagram(sock, ip, port)
    if err:
        return -err
    err = p.sim.network.sendto(ep, data, ip, port)
    if err:
        return -err
    return n


def recvfrom(p: DataPath, s: int, buf: Any, n: Any, flags: Any, frm: Any, frmlen: Any) -> int:
    """recvfrom() on a datagram socket whose next datagram fits ``buf``."""
    sock: Sock | None = p.table.get(s)
    if (
        sock is None
        or sock.stream
        or type(buf) is not bytearray
        or type(flags) is not int
        or flags
        or type(n) is not int
        or n <= 0
        or n > len(buf)
        or sock._state not in _DGRAM_RECV
    ):
        return GENERAL
    if frm is not None:
        if type(frm) is not bytearray or frmlen is None:
            return GENERAL
        if get_in(frmlen, "lpFromlen") < (28 if sock.family == AF_INET6 else 16):
            return GENERAL  # WSAEFAULT, from the general path
    elif frmlen is not None:
        return GENERAL
    ep = sock.ep
    dgrams = ep._dgrams
    if not dgrams:
        return GENERAL
    data, src = dgrams[0]
    k = len(data)
    if k > n:  # truncation (WSAEMSGSIZE): the general path
        return GENERAL
    # As DataPath.take (datagram): copy, dequeue, then the sender's address.
    buf[:k] = data
    ep.pop_datagram()
    if frm is not None:
        write_addr(frm, frmlen, encode_addr(sock.family, *src), "lpFrom", "lpFromlen")
    if sock.ev_mask:
        p.rearm(sock, FD_READ | FD_OOB)
    return k


__all__ = ["GENERAL", "native", "recv", "recvfrom", "send", "sendto"]
