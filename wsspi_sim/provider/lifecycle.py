"""Socket lifecycle in the base provider: startup, create, bind, listen,
connect, accept, duplicate and the hard close of seed 004."""

from __future__ import annotations

import itertools
from typing import Any

from .. import states as S
from ..constants import (
    AF_INET,
    AF_INET6,
    AF_UNSPEC,
    CF_ACCEPT,
    CF_DEFER,
    CF_REJECT,
    FD_ACCEPT,
    FD_CLOSE_BIT,
    FD_CONNECT_BIT,
    FD_WRITE_BIT,
    INVALID_SOCKET,
    SOCKET_ERROR,
    SOMAXCONN,
    WSA_FLAG_MULTIPOINT_C_LEAF,
    WSA_FLAG_MULTIPOINT_C_ROOT,
    WSA_FLAG_MULTIPOINT_D_LEAF,
    WSA_FLAG_MULTIPOINT_D_ROOT,
    WSA_FLAG_OVERLAPPED,
)
from ..errors import (
    WSA_OPERATION_ABORTED,
    WSAEACCES,
    WSAEADDRINUSE,
    WSAEADDRNOTAVAIL,
    WSAEAFNOSUPPORT,
    WSAECONNREFUSED,
    WSAECONNRESET,
    WSAEFAULT,
    WSAEINTR,
    WSAEINVAL,
    WSAENETUNREACH,
    WSAENOTSOCK,
    WSAEOPNOTSUPP,
    WSAEPROTONOSUPPORT,
    WSAETIMEDOUT,
    WSAEWOULDBLOCK,
    WSANOTINITIALISED,
    WSATRY_AGAIN,
    WSAVERNOTSUPPORTED,
)
from ..spi import PROC_NAMES, WSPPROC_TABLE, WSPUPCALLTABLE
from ..structs import WSABUF, WSAPROTOCOL_INFOW, WSPDATA, fill
from ..transport import ANY4, ANY6, Endpoint, is_any, is_broadcast
from .catalog import resolve
from .core import (
    ProviderCore,
    Ref,
    addr_size,
    check_int,
    decode_addr,
    encode_addr,
    get_in,
    put,
    write_addr,
)
from .sock import Sock

#: Virtual seconds an unanswered connect waits (Windows: SYN retries, ~21 s).
CONNECT_TIMEOUT = 21.0
_MULTIPOINT = (
    WSA_FLAG_MULTIPOINT_C_ROOT
    | WSA_FLAG_MULTIPOINT_C_LEAF
    | WSA_FLAG_MULTIPOINT_D_ROOT
    | WSA_FLAG_MULTIPOINT_D_LEAF
)
_dup_tokens = itertools.count(0x5000)
#: Stream states with a connection whose pending receives a close aborts with
#: the profile's error (W21) rather than WSA_OPERATION_ABORTED.
_CONNECTED = (S.CONNECTED, S.SEND_SHUT, S.RECV_SHUT, S.BOTH_SHUT)


class Lifecycle(ProviderCore):
    """WSPStartup ... WSPCloseSocket."""

    def __init__(self, host: Any) -> None:
        super().__init__(host)
        self.handle_proc: dict[int, Any] = {}
        self.dup_tokens: dict[int, tuple[Sock, int]] = {}
        #: switch -> the proc table WSPStartup filled for it (faults.py rewrites them)
        self.proc_tables: dict[Any, WSPPROC_TABLE] = {}

    # -- startup -----------------------------------------------------------
    def WSPStartup(
        self,
        wVersionRequested: int,
        lpWSPData: WSPDATA | None,
        lpProtocolInfo: WSAPROTOCOL_INFOW | None,
        UpcallTable: WSPUPCALLTABLE,
        lpProcTable: WSPPROC_TABLE | None,
    ) -> int:
        """Start the provider for a process (SPI-FACTS 3.1); returns 0 or the error."""
        if not isinstance(UpcallTable, WSPUPCALLTABLE):
            # passed by value in C: it cannot be NULL (SPI-FACTS 3.1)
            raise TypeError(f"UpcallTable must be a WSPUPCALLTABLE, not {type(UpcallTable).__name__}")
        if lpWSPData is None or lpProcTable is None:
            return WSAEFAULT
        if not isinstance(lpWSPData, WSPDATA):
            raise TypeError(f"lpWSPData must be a WSPDATA or None, not {type(lpWSPData).__name__}")
        if not isinstance(lpProcTable, WSPPROC_TABLE):
            raise TypeError(f"lpProcTable must be a WSPPROC_TABLE or None, not {type(lpProcTable).__name__}")
        wVersionRequested = check_int(wVersionRequested, "wVersionRequested")
        major, minor = wVersionRequested & 0xFF, (wVersionRequested >> 8) & 0xFF
        if major < 2 or (major == 2 and minor < 2):
            return WSAVERNOTSUPPORTED
        lpWSPData.wVersion = 0x0202
        lpWSPData.wHighVersion = 0x0202
        lpWSPData.szDescription = "wsspi_sim base service provider"
        for name in PROC_NAMES:
            # the switch calls with the simulator lock held: give it the raw entry
            setattr(lpProcTable, "lp" + name, getattr(self, "_raw_" + name, getattr(self, name)))
        switch = UpcallTable.switch
        # Fault injection (faults.py) rewrites the tables already given out.
        self.proc_tables[switch] = lpProcTable
        self.upcalls[switch] = UpcallTable  # only the most recent table is kept
        self.started[switch] = self.started.get(switch, 0) + 1
        self.last_started = switch
        return 0

    def WSPCleanup(self, lpErrno: Any) -> int:
        """End one WSPStartup; the last one frees the process's sockets (SPI-FACTS 3.6)."""
        switch = self.process_for(None)
        count = self.started.get(switch, 0)
        if count == 0:
            return self.fail(lpErrno, WSANOTINITIALISED)
        if count > 1:
            self.started[switch] = count - 1
            return 0
        del self.started[switch]
        handles = [h for h, p in self.handle_proc.items() if p is switch]
        mine = set(handles)
        # End the requests of every socket this cleanup frees *before* tearing any
        # down: tearing down one end of a connection resets the other end, which
        # would complete that end's requests with a notification (SPI-FACTS 3.7).
        for handle in handles:
            sock = self.table.get(handle)
            if sock is None or not all(h in mine for h in sock.handles):
                continue
            recvs, sends = list(sock.rq), list(sock.sq)
            if not recvs and not sends:
                continue
            sock.rq.clear()
            sock.sq.clear()
            recv_err = self._close_recv_error(sock, sock.state)  # the errors teardown() gives
            for op in recvs:
                self.abort_silently(op, recv_err)
            for op in sends:
                self.abort_silently(op, WSA_OPERATION_ABORTED)
        for handle in handles:
            sock = self.table.get(handle)
            if sock is None:
                continue
            self.release_handle(sock, handle)
            if not sock.handles:
                # WSPCleanup cancels overlapped requests *without* notification.
                self.teardown(sock, notify=False)
            self.upcall_close_handle(switch, handle)
        return 0

    # -- create ------------------------------------------------------------
    def WSPSocket(
        self,
        af: int,
        type: int,  # noqa: A002 - Windows' parameter name
        protocol: int,
        lpProtocolInfo: WSAPROTOCOL_INFOW | None,
        g: int,
        dwFlags: int,
        lpErrno: Any,
    ) -> int:
        """Create a socket (or import a duplicate) and return its handle."""
        # ``type`` is Windows' parameter name here, so test classes directly.
        if not (
            af.__class__ is int and type.__class__ is int and protocol.__class__ is int
            and g.__class__ is int and dwFlags.__class__ is int
        ):  # fmt: skip
            af = check_int(af, "af")
            type = check_int(type, "type")
            protocol = check_int(protocol, "protocol")
            g = check_int(g, "g")
            dwFlags = check_int(dwFlags, "dwFlags")
        if lpProtocolInfo is not None and not isinstance(lpProtocolInfo, WSAPROTOCOL_INFOW):
            raise TypeError("lpProtocolInfo must be a WSAPROTOCOL_INFOW or None")
        switch = self.process_for(None)
        if lpProtocolInfo is not None and lpProtocolInfo.dwServiceFlags3 and lpProtocolInfo.dwServiceFlags4:
            return self._import_duplicate(switch, lpProtocolInfo, lpErrno)
        entry = resolve(af, type, protocol, lpProtocolInfo, self.policy.protocol_type_mismatch_error)
        if isinstance(entry, int):
            self.fail(lpErrno, entry)
            return INVALID_SOCKET
        if g != 0 or dwFlags & _MULTIPOINT:
            # no groups, no XP1_SUPPORT_MULTIPOINT (SPI-FACTS 1.6, 3.6)
            self.fail(lpErrno, WSAEINVAL)
            return INVALID_SOCKET
        self._uids += 1
        stream = entry.type == 1
        ep = Endpoint(self.sim.network, self.host, entry.family, stream)
        sock = Sock(
            self,
            self._uids,
            entry.family,
            entry.type,
            entry.protocol,
            bool(dwFlags & WSA_FLAG_OVERLAPPED),
            S.OPEN,
            ep,
            switch,
        )
        ep.owner = sock
        return self.new_handle(sock, switch, entry.catalog_id, lpErrno)

    def new_handle(self, sock: Sock, switch: Any, catalog_id: int, lpErrno: Any) -> int:
        up = self.upcalls.get(switch)
        if up is None or up.lpWPUCreateSocketHandle is None:
            self.fail(lpErrno, WSANOTINITIALISED)
            return INVALID_SOCKET
        err = Ref()
        handle: int = up.lpWPUCreateSocketHandle(catalog_id, sock.uid, err)
        if handle == INVALID_SOCKET:
            self.fail(lpErrno, err.value)
            return INVALID_SOCKET
        self.table[handle] = sock
        self.handle_proc[handle] = switch
        sock.handles.append(handle)
        if lpErrno is not None:
            put(lpErrno, 0, "lpErrno")
        return handle

    def _import_duplicate(self, switch: Any, info: WSAPROTOCOL_INFOW, lpErrno: Any) -> int:
        token = info.dwServiceFlags3
        found = self.dup_tokens.get(token)
        if found is None or found[1] != switch.pid or found[0].state is S.CLOSED or not found[0].handles:
            self.fail(lpErrno, WSAEINVAL)  # used already, wrong process, or socket gone
            return INVALID_SOCKET
        del self.dup_tokens[token]  # the info can be used only once (SPI-FACTS 3.7)
        sock = found[0]
        entry = resolve(sock.family, sock.type, sock.protocol)
        assert not isinstance(entry, int)
        return self.new_handle(sock, switch, entry.catalog_id, lpErrno)

    def WSPDuplicateSocket(self, s: int, dwProcessId: int, lpProtocolInfo: Any, lpErrno: Any) -> int:
        """Produce a one-time WSAPROTOCOL_INFOW for another process (SPI-FACTS 3.7)."""
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        dwProcessId = check_int(dwProcessId, "dwProcessId")
        if lpProtocolInfo is None:
            return self.fail(lpErrno, WSAEFAULT)
        if not isinstance(lpProtocolInfo, WSAPROTOCOL_INFOW):
            raise TypeError("lpProtocolInfo must be a WSAPROTOCOL_INFOW")
        if not any(p.pid == dwProcessId for p in self.host.processes):
            return self.fail(lpErrno, WSAEINVAL)
        token = next(_dup_tokens)
        self.dup_tokens[token] = (sock, dwProcessId)
        entry = resolve(sock.family, sock.type, sock.protocol)
        assert not isinstance(entry, int)
        info = entry.info()
        info.dwServiceFlags3 = token
        info.dwServiceFlags4 = s & 0xFFFFFFFF
        info.dwProviderReserved = token
        fill(lpProtocolInfo, info)
        return 0

    # -- close (seed 004) -----------------------------------------------------
    def WSPCloseSocket(self, s: int, lpErrno: Any) -> int:
        """Hard close (seed 004): release the descriptor; the last reference tears
        the socket down, aborts its overlapped requests with WSA_OPERATION_ABORTED,
        resets the connection, and the call ends with WPUCloseSocketHandle."""
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        switch = self.handle_proc.get(s)
        self.release_handle(sock, s)
        if not sock.handles:
            self.teardown(sock, notify=True)
        self.upcall_close_handle(switch, s)
        forget = getattr(switch, "forget_closed_handle", None)
        # After the last reference, teardown has completed every request.
        if forget is not None and (not sock.handles or not self._pending_on(sock, s)):
            # No request issued through ``s`` can still complete: the switch need
            # not keep the handle's record for late completions.
            forget(s)
        tr = self.sim.tracer
        if tr is not None:
            tr.event("close", socket=s, last=not sock.handles)
        return 0

    @staticmethod
    def _pending_on(sock: Sock, handle: int) -> bool:
        """Whether a pending request was issued through ``handle``."""
        for name in ("rq", "sq", "iq"):
            q = sock.made(name)
            if q and any(op.handle == handle for op in q):
                return True
        return False

    def switch_of(self, handle: int, sock: Sock) -> Any:
        """The process (switch) that owns ``handle``: a duplicate's requests
        complete to the process that issued them, not to the socket's creator."""
        return self.handle_proc.get(handle, sock.switch)

    def release_handle(self, sock: Sock, handle: int) -> None:
        del self.table[handle]
        sock.handles.remove(handle)

    def upcall_close_handle(self, switch: Any, handle: int) -> None:
        self.handle_proc.pop(handle, None)
        up = self.upcalls.get(switch)
        if up is not None and up.lpWPUCloseSocketHandle is not None:
            up.lpWPUCloseSocketHandle(handle, Ref())

    def teardown(self, sock: Sock, *, notify: bool) -> None:
        """The last reference is gone: discard names and data, abort everything."""
        before = sock.state
        self.step(sock, "close")
        # No FD_ notification during closure (seed 004): drop the association first.
        sock.ev_mask = 0
        sock.ev_handle = None
        if sock.connect_timer is not None:
            sock.connect_timer.cancel()
            sock.connect_timer = None
        # Release the provider's records of the requests before completing them (seed 004).
        # The private fields: look without creating the queues an idle socket never
        # had (Sock.made(); a close is a hot path, bench: create_close).
        rq, sq = sock._rq, sock._sq
        recvs: list[Any] = list(rq) if rq else []
        sends: list[Any] = list(sq) if sq else []
        if rq:
            rq.clear()
        if sq:
            sq.clear()
        ioctls: list[Any] = list(sock.iq or ())
        if ioctls:
            sock.iq = None
        ep = sock.ep
        ep.owner = None
        if sock.stream:
            if ep.listening:
                ep.listening = False
                while ep.accept_q:
                    ep.accept_q.popleft().reset()
            elif ep.peer is not None:
                abortive = sock.linger_onoff and sock.linger_secs == 0
                if ep.fin_out and not abortive:
                    ep.orphan_close()  # the switch already began a graceful close
                else:
                    ep.reset()
        rbuf, dgrams, names = ep._rbuf, ep._dgrams, sock._peer_names
        if rbuf:
            rbuf.clear()
        if dgrams:
            dgrams.clear()
        ep.dgram_bytes = 0
        self.sim.network.unbind(ep)
        if names:
            names.clear()
        recv_err = self._close_recv_error(sock, before)
        for op in recvs:
            if notify:
                self.complete(op, recv_err, 0)
            else:
                self.abort_silently(op, recv_err)
        for op in sends:
            if notify:
                self.complete(op, WSA_OPERATION_ABORTED, op.sent)
            else:
                self.abort_silently(op, WSA_OPERATION_ABORTED)
        for op in ioctls:  # a pending control request is cancelled, never aborted (W30, W31)
            if notify:
                self.complete(op, WSA_OPERATION_ABORTED, 0)
            else:
                self.abort_silently(op, WSA_OPERATION_ABORTED)
        self.sim.wake()

    def _close_recv_error(self, sock: Sock, state: S.State) -> int:
        """The error a close gives a pending receive of ``sock`` in ``state``."""
        if sock.stream and state in _CONNECTED:
            return self.policy.close_aborts_connected_recv_with
        return WSA_OPERATION_ABORTED

    def abort_silently(self, op: Any, err: int) -> None:
        """WSPCleanup: the request ends with the error but nobody is told."""
        op.done = True
        ov = op.ov
        ov.OffsetHigh = err
        ov.InternalHigh = 0
        ov.Internal = op.switch.status_for(err)

    # -- bind / listen -------------------------------------------------------
    def WSPBind(self, s: int, name: Any, namelen: int, lpErrno: Any) -> int:
        """Bind to a local address (SPI-FACTS 3.6): WSAEFAULT for a bad or
        mismatched address, WSAEINVAL if already bound."""
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        r = decode_addr(name, namelen)
        if isinstance(r, int):
            return self.fail(lpErrno, r)
        fam, ip, port = r
        if fam != sock.family:
            return self.fail(lpErrno, WSAEFAULT)
        err = self.check(sock, "bind")
        if err:
            return self.fail(lpErrno, err)
        if sock.ep.bound:
            return self.fail(lpErrno, WSAEINVAL)
        ep = sock.ep
        ep.reuse = sock.reuse
        ep.exclusive = sock.exclusive
        err = self.sim.network.bind(ep, ip, port)
        if err:
            return self.fail(lpErrno, err)
        self.step(sock, "bind")
        if not sock.stream:
            self.latch(sock, FD_WRITE_BIT)  # a bound datagram socket can send (W65)
        return 0

    def autobind(self, sock: Sock) -> int:
        ep = sock.ep
        if ep.bound:
            return 0
        ep.reuse = sock.reuse
        ep.exclusive = sock.exclusive
        err = self.sim.network.bind(ep, ANY4 if sock.family == AF_INET else ANY6, 0)
        if not err and not sock.stream:
            self.latch(sock, FD_WRITE_BIT)  # as for an explicit bind (W65)
        return err

    def WSPListen(self, s: int, backlog: int, lpErrno: Any) -> int:
        """Listen (SPI-FACTS 3.6): WSAEINVAL unbound, WSAEISCONN connected,
        WSAEOPNOTSUPP on datagram sockets; a second call changes the backlog."""
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        backlog = check_int(backlog, "backlog")
        if sock.stream and sock.state is S.BOUND and sock.reuse and self._listener_at(sock):
            # SO_REUSEADDR let it share the address; a second listener there is
            # "address in use" (SPI-FACTS 3.6 WSPListen).
            return self.fail(lpErrno, WSAEADDRINUSE)
        err = self.step(sock, "listen")
        if err:
            return self.fail(lpErrno, err)
        if backlog == SOMAXCONN or backlog > 200:
            backlog = 200
        ep = sock.ep
        ep.listening = True
        ep.backlog = max(1, backlog)
        while len(ep.accept_q) > ep.backlog:  # excess pending connections are reset
            ep.accept_q.pop().reset()
        return 0

    def _listener_at(self, sock: Sock) -> bool:
        """Another socket of this host listens on an address overlapping ``sock``'s."""
        ep = sock.ep
        assert ep.laddr is not None
        ip = ep.laddr[0]
        for other in self.sim.network.bindings.get((id(self.host), sock.family, True, ep.laddr[1]), ()):
            if other is not ep and other.listening and other.laddr is not None:
                if is_any(ip) or is_any(other.laddr[0]) or other.laddr[0] == ip:
                    return True
        return False

    # -- accept --------------------------------------------------------------
    def WSPAccept(
        self,
        s: int,
        addr: Any,
        addrlen: Any,
        lpfnCondition: Any,
        dwCallbackData: int,
        lpErrno: Any,
    ) -> int:
        """Accept a queued connection (SPI-FACTS 3.6, W90)."""
        switch = self.process_for(None)
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return INVALID_SOCKET
        err = self.check(sock, "accept")
        if err:
            self.fail(lpErrno, err)
            return INVALID_SOCKET
        if addr is not None and addrlen is not None and get_in(addrlen, "addrlen") < addr_size(sock.family):
            self.rearm(sock, FD_ACCEPT)  # even a failing call re-enables (SPI-FACTS 3.9)
            self.fail(lpErrno, WSAEFAULT)  # W90: addrlen 0 -> WSAEFAULT, addrlen untouched
            return INVALID_SOCKET
        ep = sock.ep
        if not ep.accept_q:
            # Any call re-enables FD_ACCEPT (SPI-FACTS 3.9), even a failing one; one
            # that takes a connection re-enables after taking it (no FD_ACCEPT for a
            # connection already accepted), and a deferring one (WSATRY_AGAIN) not.
            self.rearm(sock, FD_ACCEPT)
            if sock.nonblocking:
                self.fail(lpErrno, WSAEWOULDBLOCK)
                return INVALID_SOCKET
            ok = self.block(sock, lambda: bool(ep.accept_q), None, "WSPAccept", s)
            if sock.state is S.CLOSED:
                self.fail(lpErrno, WSAEINTR)
                return INVALID_SOCKET
            assert ok
        srv = ep.accept_q[0]
        if srv.rst_in:
            # Reset by the peer before it was accepted (SPI-FACTS 3.6): WSAECONNRESET,
            # or WSAEACCES when a condition function had it offered and deferred it
            # ("the connection request that was offered ... withdrawn").
            ep.accept_q.popleft()
            offered = sock.deferred is srv
            sock.deferred = None
            self.rearm(sock, FD_ACCEPT)
            self.fail(lpErrno, WSAEACCES if offered else WSAECONNRESET)
            return INVALID_SOCKET
        assert srv.raddr is not None and srv.laddr is not None
        caller = encode_addr(sock.family, *srv.raddr)
        if lpfnCondition is not None:
            verdict = lpfnCondition(
                WSABUF(len(caller), caller), None, None, None,
                WSABUF(len(encode_addr(sock.family, *srv.laddr)), encode_addr(sock.family, *srv.laddr)),
                None, Ref(0), dwCallbackData,
            )  # fmt: skip
            if addr is not None and addrlen is not None:
                write_addr(addr, addrlen, caller, "addr", "addrlen")
            if verdict == CF_DEFER:
                sock.deferred = srv
                self.fail(lpErrno, WSATRY_AGAIN)  # the connection stays queued (W90)
                return INVALID_SOCKET
            if verdict == CF_REJECT:
                ep.accept_q.popleft().reset()
                self.rearm(sock, FD_ACCEPT)
                self.fail(lpErrno, WSAECONNREFUSED)
                return INVALID_SOCKET
            if verdict != CF_ACCEPT:
                self.rearm(sock, FD_ACCEPT)
                self.fail(lpErrno, WSAEINVAL)
                return INVALID_SOCKET
        ep.accept_q.popleft()
        sock.deferred = None
        self._uids += 1
        new = Sock(
            self,
            self._uids, sock.family, sock.type, sock.protocol, sock.overlapped,
            S.CONNECTED, srv, switch,
        )  # fmt: skip
        for attr in (
            "nonblocking", "rcvtimeo", "sndtimeo", "linger_onoff", "linger_secs", "reuse",
            "keepalive", "oobinline", "nodelay", "broadcast", "debug", "dontroute",
            "ev_handle", "ev_mask", "ev_switch", "security",
        ):  # fmt: skip
            setattr(new, attr, getattr(sock, attr))  # W63, SPI-FACTS 3.9
        srv.owner = new
        entry = resolve(sock.family, sock.type, sock.protocol)
        assert not isinstance(entry, int)
        handle = self.new_handle(new, switch, entry.catalog_id, lpErrno)
        if handle == INVALID_SOCKET:
            srv.reset()
            return INVALID_SOCKET
        if addr is not None and addrlen is not None:
            write_addr(addr, addrlen, caller, "addr", "addrlen")
        self.latch(new, FD_WRITE_BIT)  # an accepted socket reports FD_WRITE (W68)
        if srv.fin_in:
            self.latch(new, FD_CLOSE_BIT)
        self.rearm(sock, FD_ACCEPT)
        return handle

    def block(self, sock: Sock, ready: Any, timeout_ms: int | None, call: str, handle: int) -> bool:
        """Wait for ``ready()`` (or the socket's close) in virtual time."""
        timeout = None if not timeout_ms else timeout_ms / 1000.0
        sock.blocked += 1
        try:
            return self.sim.wait(lambda: ready() or sock.state is S.CLOSED, timeout, call, handle)
        finally:
            sock.blocked -= 1

    # -- connect -------------------------------------------------------------
    def WSPConnect(
        self,
        s: int,
        name: Any,
        namelen: int,
        lpCallerData: Any,
        lpCalleeData: Any,
        lpSQOS: Any,
        lpGQOS: Any,
        lpErrno: Any,
    ) -> int:
        """Connect (SPI-FACTS 3.6; W82, W87): refused, timed out, already
        connected or connecting, nonblocking would-block, datagram connect and
        dissolve."""
        sock = self.lookup(s, lpErrno)
        if sock is None:
            return SOCKET_ERROR
        r = decode_addr(name, namelen)
        if isinstance(r, int):
            return self.fail(lpErrno, r)
        fam, ip, port = r
        if not sock.stream:
            return self._connect_datagram(sock, fam, ip, port, lpErrno)
        if fam != sock.family:
            return self.fail(lpErrno, WSAEAFNOSUPPORT)
        err = self.check(sock, "connect")
        if err:
            return self.fail(lpErrno, err)
        if lpSQOS is not None or lpGQOS is not None:
            return self.fail(lpErrno, WSAEOPNOTSUPP)
        if lpCallerData is not None:
            return self.fail(lpErrno, WSAEPROTONOSUPPORT)  # TCP carries no connect data
        if is_any(ip) or port == 0:
            return self.fail(lpErrno, WSAEADDRNOTAVAIL)
        err = self.autobind(sock)
        if err:
            return self.fail(lpErrno, err)
        ep = sock.ep
        assert ep.laddr is not None
        if is_any(ep.laddr[0]):
            src = self.sim.network.source_ip(self.host, sock.family, ip)
            if src is None:
                return self.fail(lpErrno, WSAENETUNREACH)  # no address of the family
            ep.laddr = (src, ep.laddr[1])
        if self._connection_exists(sock, ip, port):
            # SO_REUSEADDR let two sockets bind one address; a second connection
            # with the same four addresses is "local address in use" (SPI-FACTS 3.6).
            return self.fail(lpErrno, WSAEADDRINUSE)
        err = self.authenticate_connect(sock, ip, port)
        if err:
            return self.fail(lpErrno, err)
        self.step(sock, "connect")
        net = self.sim.network
        delay = net.link_delay(ep, ip) if net.faults is not None else 0.0
        if delay:
            result: int | None = None  # the answer comes after a round trip
            self._connect_late(sock, ip, port, delay)
        else:
            result = net.connect(ep, ip, port)
        if result is None:
            sock.connect_timer = self.sim.call_later(CONNECT_TIMEOUT, lambda: self._connect_timeout(sock))
        else:
            self._connect_done(sock, result)
        if sock.nonblocking:
            return self.fail(lpErrno, WSAEWOULDBLOCK)
        if result is None:
            self.block(sock, lambda: sock.state is not S.CONNECTING, None, "WSPConnect", s)
            if sock.state is S.CLOSED:
                return self.fail(lpErrno, WSAEINTR)
            if sock.state is not S.CONNECTED:
                return self.fail(lpErrno, sock.connect_failed or WSAETIMEDOUT)
            return 0
        if result != 0:
            return self.fail(lpErrno, result)
        return 0

    def _connection_exists(self, sock: Sock, ip: str, port: int) -> bool:
        """Another stream socket of this host has the local address ``sock`` is
        about to connect from, and a live connection to (ip, port)."""
        ep = sock.ep
        assert ep.laddr is not None
        for other in self.sim.network.bindings.get((id(self.host), sock.family, True, ep.laddr[1]), ()):
            if other is not ep and other.peer is not None and other.raddr == (ip, port) and other.laddr == ep.laddr:
                return True
        return False

    def _connect_late(self, sock: Sock, ip: str, port: int, delay: float) -> None:
        """A connect over a link with latency (issue 6): the listener sees it
        ``delay`` later, the answer is back after the round trip."""
        ep = sock.ep
        net = self.sim.network
        faults = self.sim.faults
        route = f"{ep.laddr[0]}:{ep.laddr[1]}->{ip}:{port}" if ep.laddr is not None else f"->{ip}:{port}"

        def syn() -> None:
            if sock.state is not S.CONNECTING or sock.ep is not ep:
                return  # closed (or timed out) meanwhile
            result = net.connect(ep, ip, port)
            if result is None:
                return  # no answer: the connect timer ends it
            faults.record("latency", what="syn-ack", route=route, size=0, seconds=delay)
            self.sim.call_later(delay, lambda: self._connect_answer(sock, result))

        faults.record("latency", what="syn", route=route, size=0, seconds=delay)
        self.sim.call_later(delay, syn)  # WSPConnect starts the connect timer

    def _connect_answer(self, sock: Sock, result: int) -> None:
        """The answer to a connect over a link with latency arrives."""
        if sock.state is not S.CONNECTING:
            return
        if sock.connect_timer is not None:
            sock.connect_timer.cancel()
            sock.connect_timer = None
        self._connect_done(sock, result)
        self.sim.wake()

    def _connect_done(self, sock: Sock, result: int) -> None:
        """The connect was answered: connected (0) or refused (the error)."""
        if result == 0:
            self.step(sock, "connect_ok")
            # Only a successful connect clears an earlier failure (W64).
            sock.connect_failed = 0
            sock.so_error = 0
            self.latch(sock, FD_CONNECT_BIT)
            self.latch(sock, FD_WRITE_BIT)
            return
        self.step(sock, "connect_refused")
        sock.connect_failed = result  # select: exceptfds (W64)
        if sock.nonblocking:
            sock.so_error = result  # W64: SO_ERROR reports the refusal
        self.latch(sock, FD_CONNECT_BIT, result)

    def _connect_timeout(self, sock: Sock) -> None:
        sock.connect_timer = None
        if sock.state is not S.CONNECTING:
            return
        sock.ep.peer = None
        sock.ep.raddr = None
        self.step(sock, "connect_timeout")
        sock.connect_failed = WSAETIMEDOUT
        if sock.nonblocking:
            sock.so_error = WSAETIMEDOUT
        self.latch(sock, FD_CONNECT_BIT, WSAETIMEDOUT)
        self.sim.wake()

    def _connect_datagram(self, sock: Sock, fam: int, ip: str, port: int, lpErrno: Any) -> int:
        ep = sock.ep
        if fam == AF_UNSPEC or (fam == sock.family and is_any(ip) and port == 0):
            err = self.step(sock, "dissolve")  # W82, SPI-FACTS 3.6
            if err:
                return self.fail(lpErrno, err)
            ep.raddr = None
            ep.filter_peer = None
            return 0
        if fam != sock.family:
            return self.fail(lpErrno, WSAEAFNOSUPPORT)
        if is_any(ip) or port == 0:
            return self.fail(lpErrno, WSAEADDRNOTAVAIL)
        err = self.check(sock, "connect")
        if err:
            return self.fail(lpErrno, err)
        if is_broadcast(ip) and not sock.broadcast and self.policy.connected_broadcast_needs_so_broadcast:
            return self.fail(lpErrno, WSAEACCES)  # SPI-FACTS 3.6 (Windows allows it: W82)
        if ep.laddr is None or is_any(ep.laddr[0]):
            if self.sim.network.source_ip(self.host, sock.family, ip) is None:
                return self.fail(lpErrno, WSAENETUNREACH)  # no address of the family
        err = self.autobind(sock)
        if err:
            return self.fail(lpErrno, err)
        err = self.authenticate_datagram(sock, ip, port)
        if err:
            return self.fail(lpErrno, err)
        peer = (ip, port)
        if ep.raddr != peer:
            ep.dgrams.clear()  # re-connect discards queued datagrams (SPI-FACTS 3.6)
            ep.dgram_bytes = 0
        ep.raddr = peer
        ep.filter_peer = peer
        self.step(sock, "connect")
        self.latch(sock, FD_CONNECT_BIT)  # W65: connecting a UDP socket reports FD_CONNECT
        self.latch(sock, FD_WRITE_BIT)
        return 0

    # -- security hooks (the peer-target-name registry plugs in here) ------------
    def authenticate_connect(self, sock: Sock, ip: str, port: int) -> int:
        return 0

    def authenticate_datagram(self, sock: Sock, ip: str, port: int) -> int:
        return 0


__all__ = ["CONNECT_TIMEOUT", "Lifecycle", "AF_INET6", "WSAENOTSOCK"]
