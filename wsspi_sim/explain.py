"""``wsspi-sim explain CODE``: what an error code means and who returns it, when.

Three sources, merged per code:

* :data:`DOCUMENTED` -- a data table written from SPI-FACTS 3.6 (the documented
  error codes of each WSP function), the error tables of the seed documents
  (000/001 WSADeleteSocketPeerTargetName, 002 WSASetSocketPeerTargetName,
  003 WSPRecvDisconnect, 004 WSPCloseSocket), SPI-FACTS 3.4/3.5/3.7/3.9 and the
  switch's own checks; a row the simulation never produces says so ("never in the
  simulation": docs/error-coverage.md gives the reason);
* the state tables (:mod:`wsspi_sim.states`): every row whose outcome is the
  code, as "which call, in which state";
* the profiles (:mod:`wsspi_sim.profiles`): every policy field whose value is
  the code in one profile.
"""

from __future__ import annotations

from typing import Final

import attrs

from . import states as S
from .errors import ErrorCode


@attrs.frozen
class Row:
    """One "who returns it, and when" line."""

    call: str
    when: str
    source: str


def _rows(*items: tuple[str, str, str, str]) -> tuple[tuple[str, Row], ...]:
    return tuple((code, Row(call, when, src)) for code, call, when, src in items)


_S36 = "SPI-FACTS 3.6"
_S000 = "seed 000/001"
_S002 = "seed 002"
_S003 = "seed 003"
_S004 = "seed 004"

#: (error name, Row) pairs: the documented returns, in documentation order.
DOCUMENTED: Final[tuple[tuple[str, Row], ...]] = _rows(
    # -- the switch (ws2_32) itself ------------------------------------------------------
    ("WSANOTINITIALISED", "every API function", "called before a successful WSAStartup (or after the last WSACleanup)", "SPI-FACTS 3.5, 4.6"),
    ("WSANOTINITIALISED", "WSPCleanup", "the provider was not started for this process", _S36),
    ("WSAENOTSOCK", "every API function taking a SOCKET", "the handle is not an open socket of this process (checked by the switch before the provider)", "SPI-FACTS 3.5, 4.6"),
    ("WSASYSCALLFAILURE", "every API function", "the provider failed without giving an error code", "SPI-FACTS 3.5"),
    ("WSASYSCALLFAILURE", "WSARevertImpersonation", "the only documented error -- never in the simulation (docs/error-coverage.md)", "SPI-FACTS 5.7"),
    ("WSAVERNOTSUPPORTED", "WSAStartup / WSPStartup", "the requested version is below 2.2 (provider) or below 1.0 (switch)", "SPI-FACTS 3.1"),
    ("WSAEFAULT", "WSAStartup / WSPStartup", "lpWSAData / lpWSPData or lpProcTable is NULL", "SPI-FACTS 3.1"),
    ("WSASYSNOTREADY", "WSPStartup / WSAStartup", "the network subsystem is unavailable (sim.faults.network_down)", "SPI-FACTS 3.1"),
    ("WSAEINPROGRESS", "WSPStartup", "a blocking WinSock 1.1 operation is in progress -- never in the simulation (docs/error-coverage.md)", "SPI-FACTS 3.1"),
    ("WSAEPROCLIM", "WSPStartup", "a limit on the number of tasks has been reached -- never in the simulation (docs/error-coverage.md)", "SPI-FACTS 3.1"),
    # -- WSPSocket -----------------------------------------------------------------------
    ("WSAENETDOWN", "WSPSocket", "the network subsystem has failed", _S36),
    ("WSAEAFNOSUPPORT", "WSPSocket", "the address family is not supported", _S36),
    ("WSAEINPROGRESS", "WSPSocket", "a blocking call is in progress -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAEMFILE", "WSPSocket", "no more socket descriptors are available -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAENOBUFS", "WSPSocket", "no buffer space is available -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAEPROTONOSUPPORT", "WSPSocket", "the protocol is not supported", _S36),
    ("WSAEPROTOTYPE", "WSPSocket", "the protocol is the wrong type for the socket", _S36),
    ("WSAESOCKTNOSUPPORT", "WSPSocket", "the socket type is not supported in this address family", _S36),
    ("WSAEINVAL", "WSPSocket", "g (a socket group) is invalid, or multipoint flags are given", _S36),
    # -- WSPCloseSocket (seed 004) -------------------------------------------------------------
    ("WSAENETDOWN", "WSPCloseSocket", "network subsystem failed", _S004),
    ("WSAENOTSOCK", "WSPCloseSocket", "descriptor is not a socket (also every later use of a closed descriptor)", _S004),
    ("WSAEINPROGRESS", "WSPCloseSocket", "a blocking call is in progress (not for a SAN provider) -- never in the simulation (docs/error-coverage.md)", _S004),
    ("WSAEWOULDBLOCK", "WSPCloseSocket / closesocket", "nonblocking socket with SO_LINGER and a nonzero timeout cannot close at once (the handle stays valid)", "SPI-FACTS 3.7; seed 004"),
    ("WSA_OPERATION_ABORTED", "WSPCloseSocket (completion of pending requests)", "every pending overlapped request of a socket hard-closed completes with it: \"the overlapped operation was canceled because the socket was closed\"", _S004),
    ("WSA_OPERATION_ABORTED", "WSPCleanup", "pending overlapped requests are cancelled with it, without notification", "SPI-FACTS 3.7"),
    ("WSAECONNRESET", "WSPRecv (on the peer)", "the remote peer's socket was hard-closed: \"Any subsequent WSPRecv call from the remote peer of the connection fails with WSAECONNRESET\"", _S004),
    # -- WSPBind ----------------------------------------------------------------------------------
    ("WSAENETDOWN", "WSPBind", "the network subsystem has failed", _S36),
    ("WSAEADDRINUSE", "WSPBind", "the address is in use (no SO_REUSEADDR)", _S36),
    ("WSAEADDRNOTAVAIL", "WSPBind", "the address is not one of this host's", _S36),
    ("WSAEFAULT", "WSPBind", "bad pointer, namelen too small, bad format, or sa_family is not the socket's family", _S36),
    ("WSAEINPROGRESS", "WSPBind", "a blocking call is in progress -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAEINVAL", "WSPBind", "the socket is already bound", _S36),
    ("WSAENOBUFS", "WSPBind", "port 0 and every ephemeral port is taken (Windows: KB 196271)", _S36),
    ("WSAENOTSOCK", "WSPBind", "the descriptor is not a socket", _S36),
    # -- WSPListen ---------------------------------------------------------------------------------
    ("WSAENETDOWN", "WSPListen", "the network subsystem has failed", _S36),
    ("WSAEADDRINUSE", "WSPListen", "another socket listens on the address it shares through SO_REUSEADDR", _S36),
    ("WSAEINPROGRESS", "WSPListen", "a blocking call is in progress -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAEINVAL", "WSPListen", "the socket is not bound", _S36),
    ("WSAEISCONN", "WSPListen", "the socket is already connected", _S36),
    ("WSAEMFILE", "WSPListen", "no more descriptors -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAENOBUFS", "WSPListen", "no buffer space -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAENOTSOCK", "WSPListen", "the descriptor is not a socket", _S36),
    ("WSAEOPNOTSUPP", "WSPListen", "the socket type does not support listen (datagram)", _S36),
    # -- WSPAccept ---------------------------------------------------------------------------------
    ("WSAECONNREFUSED", "WSPAccept", "the condition function returned CF_REJECT", _S36),
    ("WSAECONNRESET", "WSPAccept", "the connection was reset before it was accepted", _S36),
    ("WSAENETDOWN", "WSPAccept", "the network subsystem has failed", _S36),
    ("WSAEFAULT", "WSPAccept", "addrlen is too small", _S36),
    ("WSAEINTR", "WSPAccept", "the blocking call was cancelled (the socket was closed)", _S36),
    ("WSAEINPROGRESS", "WSPAccept", "a blocking call is in progress -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAEINVAL", "WSPAccept", "the socket is not listening, g is invalid, or the condition function returned a bad value", _S36),
    ("WSAEMFILE", "WSPAccept", "no more descriptors -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAENOBUFS", "WSPAccept", "no buffer space -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAENOTSOCK", "WSPAccept", "the descriptor is not a socket", _S36),
    ("WSAEOPNOTSUPP", "WSPAccept", "the socket type does not support accept", _S36),
    ("WSATRY_AGAIN", "WSPAccept", "the condition function returned CF_DEFER (the connection stays queued)", _S36),
    ("WSAEWOULDBLOCK", "WSPAccept", "nonblocking socket and no connection is queued", _S36),
    ("WSAEACCES", "WSPAccept", "the connection a condition function deferred (CF_DEFER) was withdrawn (reset) before the next accept", _S36),
    # -- WSPConnect ---------------------------------------------------------------------------------
    ("WSAENETDOWN", "WSPConnect", "the network subsystem has failed", _S36),
    ("WSAEADDRINUSE", "WSPConnect", "another connection has the same local and remote addresses (SO_REUSEADDR let the sockets share the local one)", _S36),
    ("WSAEINTR", "WSPConnect", "the blocking call was cancelled (the socket was closed)", _S36),
    ("WSAEINPROGRESS", "WSPConnect", "a blocking call is in progress -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAEALREADY", "WSPConnect", "a nonblocking connect is already in progress", _S36),
    ("WSAEADDRNOTAVAIL", "WSPConnect", "the remote address is all zeroes (ADDR_ANY) or the port is 0", _S36),
    ("WSAEAFNOSUPPORT", "WSPConnect", "the address family cannot be used with this socket", _S36),
    ("WSAECONNREFUSED", "WSPConnect", "nobody listens at the address (the socket may connect again)", _S36),
    ("WSAEFAULT", "WSPConnect", "bad name pointer or namelen too small", _S36),
    ("WSAEINVAL", "WSPConnect", "the socket is listening", _S36),
    ("WSAEISCONN", "WSPConnect", "the socket is already connected (connection-oriented)", _S36),
    ("WSAENETUNREACH", "WSPConnect", "the network cannot be reached: the host has no address of the destination's family", _S36),
    ("WSAENOBUFS", "WSPConnect / WSPSendTo", "the implicit bind finds every ephemeral port taken (Windows: KB 196271)", _S36),
    ("WSAENOTSOCK", "WSPConnect", "the descriptor is not a socket", _S36),
    ("WSAEOPNOTSUPP", "WSPConnect", "QoS was requested (lpSQOS / lpGQOS)", _S36),
    ("WSAEPROTONOSUPPORT", "WSPConnect", "lpCallerData is not supported by the protocol", _S36),
    ("WSAETIMEDOUT", "WSPConnect", "the connection attempt timed out (no answer)", _S36),
    ("WSAEWOULDBLOCK", "WSPConnect", "nonblocking socket: the connection is in progress", _S36),
    ("WSAEACCES", "WSPConnect", "datagram connect to a broadcast address without SO_BROADCAST", _S36),
    # -- WSPRecv / WSPRecvFrom ---------------------------------------------------------------------
    ("WSAENETDOWN", "WSPRecv / WSPRecvFrom", "the network subsystem has failed", _S36),
    ("WSAENOTCONN", "WSPRecv / WSPRecvFrom", "the socket is not connected", _S36),
    ("WSAEINTR", "WSPRecv / WSPRecvFrom", "the blocking call was cancelled (the socket was closed)", _S36),
    ("WSAEINPROGRESS", "WSPRecv / WSPRecvFrom", "a blocking call is in progress -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAENETRESET", "WSPRecv / WSPRecvFrom", "the connection was broken by keep-alive -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAEFAULT", "WSPRecv", "lpBuffers is not a valid buffer array", _S36),
    ("WSAENOTSOCK", "WSPRecv / WSPRecvFrom", "the descriptor is not a socket", _S36),
    ("WSAEOPNOTSUPP", "WSPRecv / WSPRecvFrom", "MSG_OOB on a non-stream socket, or a send-only socket", _S36),
    ("WSAESHUTDOWN", "WSPRecv / WSPRecvFrom", "receives were shut down (SD_RECEIVE / SD_BOTH / WSPRecvDisconnect)", _S36),
    ("WSAEWOULDBLOCK", "WSPRecv / WSPRecvFrom", "nonblocking socket and no data is queued (MSG_OOB: no urgent data is held)", _S36),
    ("WSAEMSGSIZE", "WSPRecv / WSPRecvFrom", "the message was too large for the buffers (datagram truncated)", _S36),
    ("WSAEINVAL", "WSPRecv / WSPRecvFrom", "a datagram socket that is not bound; MSG_PEEK with an OVERLAPPED; MSG_OOB with SO_OOBINLINE on (W70); a completion routine on a port-associated socket (W34)", _S36),
    ("WSAECONNABORTED", "WSPRecv / WSPRecvFrom", "the connection was aborted locally (time-out, failure, local reset)", _S36),
    ("WSAECONNRESET", "WSPRecv / WSPRecvFrom", "the connection was reset by the peer (abortive close)", _S36),
    ("WSAEDISCON", "WSPRecv / WSPRecvFrom", "message-oriented socket: the peer closed gracefully -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSA_IO_PENDING", "WSPRecv / WSPRecvFrom", "an overlapped receive was accepted and will complete later", _S36),
    ("WSA_OPERATION_ABORTED", "WSPRecv / WSPRecvFrom", "the overlapped receive was cancelled because the socket was closed", _S36),
    ("WSAEFAULT", "WSPRecvFrom", "lpFrom / lpFromlen invalid or too small (else as WSPRecv)", _S36),
    # -- WSPSend / WSPSendTo -----------------------------------------------------------------------
    ("WSAENETDOWN", "WSPSend / WSPSendTo", "the network subsystem has failed", _S36),
    ("WSAEACCES", "WSPSend", "the default peer is the broadcast address and SO_BROADCAST is off (profile \"documented\"; Windows sends, W82)", _S36),
    ("WSAEACCES", "WSPSendTo", "lpTo is the broadcast address and SO_BROADCAST is off (W82 agrees)", _S36),
    ("WSAEINPROGRESS", "WSPSend / WSPSendTo", "a blocking call is in progress -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAEFAULT", "WSPSend", "lpBuffers is not a valid buffer array", _S36),
    ("WSAENETRESET", "WSPSend / WSPSendTo", "the connection was broken by keep-alive -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAENOBUFS", "WSPSend", "no buffer space -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAENOTCONN", "WSPSend / WSPSendTo", "the socket is not connected", _S36),
    ("WSAENOTSOCK", "WSPSend / WSPSendTo", "the descriptor is not a socket", _S36),
    ("WSAEOPNOTSUPP", "WSPSend / WSPSendTo", "MSG_OOB on a non-stream socket, MSG_PARTIAL unsupported, or a receive-only socket", _S36),
    ("WSAESHUTDOWN", "WSPSend / WSPSendTo", "sends were shut down (SD_SEND / SD_BOTH / WSPSendDisconnect)", _S36),
    ("WSAEWOULDBLOCK", "WSPSend / WSPSendTo", "nonblocking socket and the send buffers are full", _S36),
    ("WSAEMSGSIZE", "WSPSend / WSPSendTo", "a datagram larger than the protocol allows", _S36),
    ("WSAEINVAL", "WSPSend / WSPSendTo", "a completion routine on a socket associated with a completion port (W34)", _S36),
    ("WSAECONNABORTED", "WSPSend / WSPSendTo", "the connection was aborted locally", _S36),
    ("WSAECONNRESET", "WSPSend / WSPSendTo", "the connection was reset by the peer", _S36),
    ("WSA_OPERATION_ABORTED", "WSPSend / WSPSendTo", "the overlapped send was cancelled (socket closed or SIO_FLUSH)", _S36),
    ("WSAEINTR", "WSPSendTo", "the blocking call was cancelled (the socket was closed)", _S36),
    ("WSAEADDRNOTAVAIL", "WSPSendTo", "the destination is ADDR_ANY or port 0", _S36),
    ("WSAEAFNOSUPPORT", "WSPSendTo", "the destination's family cannot be used with this socket", _S36),
    ("WSAEDESTADDRREQ", "WSPSendTo", "lpTo is NULL and the datagram socket has no default peer", _S36),
    ("WSAENETUNREACH", "WSPSendTo", "the network cannot be reached: the host has no address of the destination's family", _S36),
    ("WSAEFAULT", "WSPSendTo", "lpTo is too small", _S36),
    # -- WSPRecvDisconnect (seed 003) / WSPSendDisconnect / WSPShutdown -------------------------------
    ("WSAENETDOWN", "WSPRecvDisconnect", "the network subsystem has failed", _S003),
    ("WSAEFAULT", "WSPRecvDisconnect", "the buffer referenced by lpInboundDisconnectData is too small", _S003),
    ("WSAENOPROTOOPT", "WSPRecvDisconnect", "disconnect data is not supported by the protocol family (TCP/IP has none)", _S003),
    ("WSAEINPROGRESS", "WSPRecvDisconnect", "a blocking call is in progress, or the provider is still processing a callback -- never in the simulation (docs/error-coverage.md)", _S003),
    ("WSAENOTCONN", "WSPRecvDisconnect", "the socket is not connected (connection-oriented sockets only)", _S003),
    ("WSAENOTSOCK", "WSPRecvDisconnect", "the descriptor is not a socket", _S003),
    ("WSAENETDOWN", "WSPSendDisconnect", "the network subsystem has failed", _S36),
    ("WSAENOPROTOOPT", "WSPSendDisconnect", "lpOutboundDisconnectData is non-NULL and the provider has no disconnect data", _S36),
    ("WSAEINPROGRESS", "WSPSendDisconnect", "a blocking call is in progress -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAENOTCONN", "WSPSendDisconnect", "the socket is not connected", _S36),
    ("WSAENOTSOCK", "WSPSendDisconnect", "the descriptor is not a socket", _S36),
    ("WSAEFAULT", "WSPSendDisconnect", "lpOutboundDisconnectData is not a valid buffer", _S36),
    ("WSAENETDOWN", "WSPShutdown", "the network subsystem has failed", _S36),
    ("WSAEINVAL", "WSPShutdown", "how is not SD_RECEIVE, SD_SEND or SD_BOTH, or does not fit the socket type", _S36),
    ("WSAEINPROGRESS", "WSPShutdown", "a blocking call is in progress -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAENOTCONN", "WSPShutdown", "the socket is not connected (connection-oriented only)", _S36),
    ("WSAENOTSOCK", "WSPShutdown", "the descriptor is not a socket", _S36),
    # -- WSPIoctl, overlapped results, duplicate, events, options --------------------------------------
    ("WSA_IO_PENDING", "WSPIoctl", "an overlapped ioctl was accepted and will complete later", _S36),
    ("WSAEFAULT", "WSPIoctl", "bad pointers, lpcbBytesReturned NULL, or cbInBuffer / cbOutBuffer too small", _S36),
    ("WSAEINVAL", "WSPIoctl", "a code Windows does not define (profile \"documented\"; Windows: WSAEOPNOTSUPP, W38), cbOutBuffer < 4 for FIONREAD / SIOCATMARK, FIONBIO(0) under WSPEventSelect (W72), or SIOCATMARK on a non-stream socket", _S36),
    ("WSAEINPROGRESS", "WSPIoctl", "a blocking call is in progress -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAENETDOWN", "WSPIoctl", "the network subsystem has failed", _S36),
    ("WSAENOTSOCK", "WSPIoctl", "the descriptor is not a socket", _S36),
    ("WSAEOPNOTSUPP", "WSPIoctl", "the command cannot be carried out (QoS; or a code the simulation does not model)", _S36),
    ("WSAEWOULDBLOCK", "WSPIoctl", "nonblocking socket and the command cannot complete at once (SIO_ADDRESS_LIST_CHANGE without an OVERLAPPED, W30)", _S36),
    ("WSAENETDOWN", "WSPGetOverlappedResult", "the network subsystem has failed", _S36),
    ("WSAENOTSOCK", "WSPGetOverlappedResult", "the descriptor is not a socket", _S36),
    ("WSA_INVALID_HANDLE", "WSPGetOverlappedResult", "the OVERLAPPED's hEvent is not a valid event", _S36),
    ("WSAEINVAL", "WSPGetOverlappedResult", "lpOverlapped, lpcbTransfer or lpdwFlags is NULL (WSAGetOverlappedResult reports WSAEFAULT first)", _S36),
    ("WSA_IO_INCOMPLETE", "WSPGetOverlappedResult / WSAGetOverlappedResult", "fWait is FALSE and the request has not completed", _S36),
    ("WSAENETDOWN", "WSPDuplicateSocket", "the network subsystem has failed", _S36),
    ("WSAEINVAL", "WSPDuplicateSocket", "an invalid parameter (no such target process)", _S36),
    ("WSAEINPROGRESS", "WSPDuplicateSocket", "a blocking call is in progress -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAEMFILE", "WSPDuplicateSocket", "no more descriptors -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAENOBUFS", "WSPDuplicateSocket", "no buffer space -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAENOTSOCK", "WSPDuplicateSocket", "the descriptor is not a socket", _S36),
    ("WSAEINVAL", "WSPSocket (FROM_PROTOCOL_INFO)", "a duplicate's WSAPROTOCOL_INFOW used twice, by another process, or after its socket closed", "SPI-FACTS 3.7"),
    ("WSAENETDOWN", "WSPEventSelect", "the network subsystem has failed", _S36),
    ("WSAEINVAL", "WSPEventSelect", "lNetworkEvents is not 0 and hEventObject is not an event", _S36),
    ("WSAEINPROGRESS", "WSPEventSelect", "a blocking call is in progress -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAENOTSOCK", "WSPEventSelect", "the descriptor is not a socket", _S36),
    ("WSAENETDOWN", "WSPEnumNetworkEvents", "the network subsystem has failed", _S36),
    ("WSAEINVAL", "WSPEnumNetworkEvents", "hEventObject is not an event", _S36),
    ("WSAEINPROGRESS", "WSPEnumNetworkEvents", "a blocking call is in progress -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAENOTSOCK", "WSPEnumNetworkEvents", "the descriptor is not a socket", _S36),
    ("WSAECONNRESET", "FD_CLOSE iErrorCode (WSPEnumNetworkEvents)", "the circuit was reset by the peer (0 means a graceful close)", "SPI-FACTS 3.9"),
    ("WSAECONNABORTED", "FD_CLOSE iErrorCode (WSPEnumNetworkEvents)", "the connection was aborted", "SPI-FACTS 3.9"),
    ("WSAECONNREFUSED", "FD_CONNECT iErrorCode (WSPEnumNetworkEvents)", "the connection attempt was refused", "SPI-FACTS 3.9"),
    ("WSAETIMEDOUT", "FD_CONNECT iErrorCode (WSPEnumNetworkEvents)", "the connection attempt timed out", "SPI-FACTS 3.9"),
    ("WSAENETDOWN", "WSPSetSockOpt", "the network subsystem has failed", _S36),
    ("WSAEFAULT", "WSPSetSockOpt", "optval is not valid or optlen is too small", _S36),
    ("WSAEINPROGRESS", "WSPSetSockOpt", "a blocking call is in progress -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAEINVAL", "WSPSetSockOpt", "level is not valid, or a bad value", _S36),
    ("WSAENETRESET", "WSPSetSockOpt", "SO_KEEPALIVE: the connection timed out -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAENOPROTOOPT", "WSPSetSockOpt", "the option is unknown or unsupported (or read-only)", _S36),
    ("WSAENOTCONN", "WSPSetSockOpt", "SO_KEEPALIVE: the connection was reset", _S36),
    ("WSAENOTSOCK", "WSPSetSockOpt", "the descriptor is not a socket", _S36),
    ("WSAENETDOWN", "WSPGetSockOpt", "the network subsystem has failed", _S36),
    ("WSAEFAULT", "WSPGetSockOpt", "optval / optlen invalid, or *optlen too small (rewritten to the size needed)", _S36),
    ("WSAEINVAL", "WSPGetSockOpt", "level is unknown or invalid", _S36),
    ("WSAEINPROGRESS", "WSPGetSockOpt", "a blocking call is in progress -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAENOPROTOOPT", "WSPGetSockOpt", "the option is unknown or unsupported by the family", _S36),
    ("WSAENOTSOCK", "WSPGetSockOpt", "the descriptor is not a socket", _S36),
    ("WSAENETDOWN", "WSPCleanup", "the network subsystem has failed -- never in the simulation (docs/error-coverage.md)", _S36),
    ("WSAEINVAL", "WSPCleanup", "a provider identifier the provider does not manage (copied from the name-space provider pages) -- never in the simulation (docs/error-coverage.md)", _S36),
    # -- peer target names (seeds 000/001 and 002) ----------------------------------------------------
    ("WSAEAFNOSUPPORT", "WSASetSocketPeerTargetName", "the specified address family is not supported", _S002),
    ("WSAEFAULT", "WSASetSocketPeerTargetName", "the PeerTargetName parameter was a NULL pointer", _S002),
    ("WSAEINVAL", "WSASetSocketPeerTargetName", "the socket is not AF_INET/AF_INET6 with SOCK_DGRAM/SOCK_STREAM; or a connectionless socket and PeerAddress's IP address and port are zero", _S002),
    ("WSAEISCONN", "WSASetSocketPeerTargetName", "the socket is connected (connection oriented or connectionless)", _S002),
    ("WSAEMSGSIZE", "WSASetSocketPeerTargetName", "a buffer passed was too small (PeerTargetNameLen)", _S002),
    ("WSAENOTSOCK", "WSASetSocketPeerTargetName", "the descriptor is not a valid socket", _S002),
    ("WSAEAFNOSUPPORT", "WSADeleteSocketPeerTargetName", "the specified address family is not supported", _S000),
    ("WSAEFAULT", "WSADeleteSocketPeerTargetName", "the PeerAddr parameter was a NULL pointer", _S000),
    ("WSAEINVAL", "WSADeleteSocketPeerTargetName", "the socket is not AF_INET/AF_INET6 with SOCK_DGRAM/SOCK_STREAM -- never in the simulation (docs/error-coverage.md)", _S000),
    ("WSAEMSGSIZE", "WSADeleteSocketPeerTargetName", "a buffer passed was too small (PeerAddrLen)", _S000),
    ("WSAENOTSOCK", "WSADeleteSocketPeerTargetName", "the descriptor is not a valid socket", _S000),
    ("WSAEISCONN", "WSASetSocketSecurity", "the socket is connected", "SPI-FACTS 5.5"),
    ("WSAEINVAL", "WSASetSocketSecurity", "a bad value in SOCKET_SECURITY_SETTINGS; a second call; after bind", "SPI-FACTS 5.5"),
    ("WSAEAFNOSUPPORT", "WSASetSocketSecurity", "the address family is not supported -- never in the simulation (docs/error-coverage.md)", "SPI-FACTS 5.5"),
    ("WSAENOTSOCK", "WSASetSocketSecurity / WSAQuerySocketSecurity / WSAImpersonateSocketPeer", "the descriptor is not a valid socket", "SPI-FACTS 5.5-5.7"),
    ("WSAECONNRESET", "WSAQuerySocketSecurity", "the TCP connection was reset (UDP: an ICMP port unreachable)", "SPI-FACTS 5.6"),
    ("WSAEFAULT", "WSAQuerySocketSecurity", "SecurityQueryInfoLen is NULL (and the TCP size probe in profile \"documented\")", "SPI-FACTS 5.6"),
    ("WSAEINVAL", "WSAQuerySocketSecurity", "the socket is not AF_INET/AF_INET6 with SOCK_STREAM/SOCK_DGRAM -- never in the simulation (docs/error-coverage.md)", "SPI-FACTS 5.6"),
    ("WSAEAFNOSUPPORT", "WSAQuerySocketSecurity / WSAImpersonateSocketPeer", "the peer address's family is not supported", "SPI-FACTS 5.6-5.7"),
    ("WSAEFAULT", "WSAImpersonateSocketPeer", "a connectionless socket and PeerAddr is NULL", "SPI-FACTS 5.7"),
    ("WSAEMSGSIZE", "WSASetSocketSecurity / WSAQuerySocketSecurity / WSAImpersonateSocketPeer", "a buffer or length passed was too small", "SPI-FACTS 5.5-5.7"),
    # -- waits and completion ports ---------------------------------------------------------------
    ("WSA_INVALID_HANDLE", "WSAWaitForMultipleEvents / WSASetEvent / WSAResetEvent / WSACloseEvent", "an event handle is not valid", "SPI-FACTS 1.2"),
    ("WSA_INVALID_PARAMETER", "WSAWaitForMultipleEvents", "cEvents is 0 or above WSA_MAXIMUM_WAIT_EVENTS", "SPI-FACTS 1.2"),
    ("WSA_IO_PENDING", "WSASend / WSARecv / WSAIoctl / ...", "an overlapped request was accepted: the result comes later (event, completion routine or port)", "SPI-FACTS 3.4"),
)


#: State-table events -> the calls that take them.
EVENT_CALLS: Final[dict[str, str]] = {
    "bind": "WSPBind",
    "connect": "WSPConnect",
    "listen": "WSPListen",
    "accept": "WSPAccept",
    "send": "WSPSend",
    "sendto": "WSPSendTo",
    "recv": "WSPRecv / WSPRecvFrom",
    "shutdown_recv": "WSPShutdown(SD_RECEIVE)",
    "shutdown_send": "WSPShutdown(SD_SEND)",
    "shutdown_both": "WSPShutdown(SD_BOTH)",
    "recv_disconnect": "WSPRecvDisconnect",
    "send_disconnect": "WSPSendDisconnect",
    "getpeername": "WSPGetPeerName",
    "dissolve": "WSPConnect (all-zero address)",
    "close": "WSPCloseSocket",
}


def lookup(code: str | int) -> ErrorCode:
    """An ErrorCode from a number (``10038``, ``0x2746``) or a name
    (``WSAENOTSOCK``, ``wsaenotsock``, ``ERROR_IO_PENDING``); ValueError if unknown."""
    if isinstance(code, int) and not isinstance(code, bool):
        try:
            return ErrorCode(code)
        except ValueError:
            raise ValueError(f"code {code} is not a Winsock or Win32 error code this simulator knows") from None
    if not isinstance(code, str):
        raise TypeError(f"code must be an int or a str, not {type(code).__name__}")
    text = code.strip()
    try:
        number = int(text, 0)
    except ValueError:
        number = None
    if number is not None:
        return lookup(number)
    member = ErrorCode.__members__.get(text.upper())
    if member is None:
        raise ValueError(f"code {code!r} is not the name of a Winsock or Win32 error code")
    return member


def documented(code: ErrorCode) -> list[Row]:
    """The documented "who returns it, when" rows for ``code``."""
    names = {n for n, m in ErrorCode.__members__.items() if m is code}
    return [row for name, row in DOCUMENTED if name in names]


def from_tables(code: ErrorCode) -> list[Row]:
    """Rows of the state tables whose outcome is ``code``, grouped per event."""
    out: list[Row] = []
    for machine, table in S.MACHINES.items():
        by_event: dict[str, list[str]] = {}
        for state, rows in table.items():
            for event, outcome in rows.items():
                if isinstance(outcome, int) and outcome == code:
                    by_event.setdefault(event, []).append(state.name)
        for event, states in by_event.items():
            call = EVENT_CALLS.get(event, event)
            out.append(Row(call, f"{machine} socket in state {', '.join(states)}", "states.py"))
    return out


def from_profiles(code: ErrorCode) -> list[Row]:
    """Policy fields whose value is ``code`` in a profile."""
    from .profiles import PROFILES, Policy

    out = []
    for field in attrs.fields(Policy):
        doc = field.metadata.get("doc")
        if doc is None:
            continue
        for name, policy in PROFILES.items():
            value = getattr(policy, field.name)
            if isinstance(value, int) and not isinstance(value, bool) and value == code:
                out.append(Row(f'profile "{name}"', doc, field.metadata.get("src", "")))
    return out


def explain(code: str | int) -> str:
    """The text ``wsspi-sim explain`` prints."""
    err = lookup(code)
    aliases = [n for n, m in ErrorCode.__members__.items() if m is err and n != err.name]
    lines = [f"{err.name} ({int(err)}, 0x{int(err):X})"]
    if aliases:
        lines.append(f"  also named: {', '.join(aliases)}")
    lines.append(f"  message: {err.message}")
    sections = (
        ("Returned by (documented)", documented(err)),
        ("From the state tables (the call fails and the socket keeps its state)", from_tables(err)),
        ("Where the profiles differ", from_profiles(err)),
    )
    found = False
    for title, rows in sections:
        if not rows:
            continue
        found = True
        lines.append("")
        lines.append(f"{title}:")
        width = min(40, max(len(r.call) for r in rows))
        for r in rows:
            lines.append(f"  {r.call:<{width}}  {r.when}  [{r.source}]")
    if not found:
        lines.append("")
        lines.append("No WSP or WSA function of the simulation documents this code; it appears in")
        lines.append("OVERLAPPED results or GetLastError() through the NTSTATUS mapping (errors.py).")
    return "\n".join(lines) + "\n"


__all__ = ["DOCUMENTED", "EVENT_CALLS", "Row", "documented", "explain", "from_profiles", "from_tables", "lookup"]
