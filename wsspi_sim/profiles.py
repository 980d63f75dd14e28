"""Profiles: where what the documents say and what Windows does part ways.

Every difference between the ``"documented"`` profile (the seed documents and
the SPI reference) and the ``"windows"`` profile (WINDOWS-OBSERVED.md) is one
field of :class:`Policy`.  Code asks the policy; it never tests the profile's
name.  ``docs/profiles.md`` is generated from :data:`PROFILES` (see
:func:`policy_table`), so the table in the docs cannot drift from the code.
"""

from __future__ import annotations

from typing import Final

import attrs

from .errors import (
    WSA_OPERATION_ABORTED,
    WSAECONNABORTED,
    WSAECONNRESET,
    WSAEFAULT,
    WSAEINVAL,
    WSAEMSGSIZE,
    WSAENOPROTOOPT,
    WSAEOPNOTSUPP,
    WSAEPROTONOSUPPORT,
    WSAEPROTOTYPE,
)


@attrs.frozen
class Policy:
    """One profile's answers to the questions the documents and Windows answer differently."""

    name: str
    #: OVERLAPPED.Internal after completion holds the NTSTATUS Windows stores
    #: (DESIGN 2, W42); otherwise it holds the Winsock error (0 on success).
    internal_holds_ntstatus: bool = attrs.field(
        metadata={"doc": "OVERLAPPED.Internal holds an NTSTATUS after completion", "src": "DESIGN 2; W42"}
    )
    #: Error for a pending receive on a connected stream socket that is closed
    #: locally (seed 004 says WSA_OPERATION_ABORTED; Windows W21 says aborted).
    close_aborts_connected_recv_with: int = attrs.field(
        metadata={"doc": "error of a pending receive on a connected TCP socket at local close", "src": "seed 004; W21, W22"}
    )
    #: FD_CLOSE error code when the peer resets (SPI-FACTS 3.9 vs W56).
    fd_close_on_reset: int = attrs.field(
        metadata={"doc": "FD_CLOSE iErrorCode when the peer resets the connection", "src": "SPI-FACTS 3.9; W56"}
    )
    #: Receive/send error when a reset arrives after the peer's FIN (the RST a
    #: closed socket answers late data with): SPI-FACTS 3.7 says reset, W50
    #: shows Windows reporting an abort.  A reset without a FIN before it is
    #: WSAECONNRESET in both profiles (seed 004).
    reset_after_fin_error: int = attrs.field(
        metadata={"doc": "receive error when a reset follows the peer's FIN", "src": "SPI-FACTS 3.7; W50"}
    )
    #: WSPShutdown(SD_RECEIVE) on TCP resets the connection when data is queued
    #: or arrives later (SPI-FACTS 3.8); Windows keeps accepting it (W46, W48).
    shutdown_receive_resets: bool = attrs.field(
        metadata={"doc": "shutdown(SD_RECEIVE) on TCP resets when data is queued or arrives", "src": "SPI-FACTS 3.8; W46, W48"}
    )
    #: getsockopt(SO_ERROR) clears the stored error (SPI-FACTS 3.6) or not (W64).
    so_error_read_clears: bool = attrs.field(
        metadata={"doc": "getsockopt(SO_ERROR) clears the stored error", "src": "SPI-FACTS 3.6; W64"}
    )
    #: setsockopt(SO_ERROR) is accepted and stored (W64) or refused WSAENOPROTOOPT.
    so_error_settable: bool = attrs.field(
        metadata={"doc": "setsockopt(SO_ERROR) stores the value", "src": "SPI-FACTS 3.6; W64"}
    )
    #: FD_CLOSE waits until every byte has been read (API doc, SPI-FACTS 3.9)
    #: or is reported while data is still unread (W60).
    fd_close_waits_for_data: bool = attrs.field(
        metadata={"doc": "FD_CLOSE is recorded only after all data has been read", "src": "SPI-FACTS 3.9; W60"}
    )
    #: setsockopt(SO_TYPE) error on a datagram socket (W8: WSAEINVAL on Windows).
    set_so_type_dgram_error: int = attrs.field(
        metadata={"doc": "setsockopt(SO_TYPE) error on a datagram socket", "src": "SPI-FACTS 3.6; W8"}
    )
    #: Error of WSAQuerySocketSecurity's size probe (no or short info buffer) on
    #: a TCP socket: Microsoft's sample expects WSAEFAULT; NtApiDotNet's
    #: SocketSecurityUtils, which runs on Windows, expects WSAEMSGSIZE (the
    #: error the documentation gives for non-TCP sockets in both profiles).
    query_security_tcp_probe_error: int = attrs.field(
        metadata={"doc": "WSAQuerySocketSecurity size probe error on a TCP socket", "src": "SPI-FACTS 5.6 (WDOC using-secure-socket-extensions); NtApiDotNet SocketSecurityUtils"}
    )
    #: WSAGetOverlappedResult derives its answer from OVERLAPPED.Internal with
    #: the W42 status table, and reports the byte count even on failure (W83);
    #: otherwise from OffsetHigh, leaving *lpcbTransfer alone on FALSE (SPI-FACTS 3.4).
    overlapped_result_from_internal: bool = attrs.field(
        metadata={"doc": "WSAGetOverlappedResult maps OVERLAPPED.Internal (W42 table) and reports bytes on failure", "src": "SPI-FACTS 3.4; W42, W83"}
    )
    #: A synchronous WSAIoctl code given an OVERLAPPED completes with 0 bytes
    #: (W37) instead of the bytes returned (SPI-FACTS 3.4: cbTransferred).
    sync_ioctl_completes_with_zero_bytes: bool = attrs.field(
        metadata={"doc": "an overlapped synchronous WSAIoctl reports 0 bytes in its completion", "src": "SPI-FACTS 3.4; W37"}
    )
    #: An unknown WSAIoctl code given an OVERLAPPED pends, then completes with
    #: WSAEOPNOTSUPP (W38); otherwise it fails at once (SPI-FACTS 3.4, 3.6).
    unknown_ioctl_overlapped_pends: bool = attrs.field(
        metadata={"doc": "an unknown WSAIoctl code with an OVERLAPPED returns WSA_IO_PENDING, then fails WSAEOPNOTSUPP", "src": "SPI-FACTS 3.4; W38"}
    )
    #: On a socket created without WSA_FLAG_OVERLAPPED an OVERLAPPED is ignored
    #: (seed 000), so a nonblocking socket fails WSAEWOULDBLOCK; Windows blocks
    #: until the call can finish, regardless of FIONBIO (W39).
    overlapped_on_plain_socket_blocks: bool = attrs.field(
        metadata={"doc": "an OVERLAPPED on a socket without WSA_FLAG_OVERLAPPED blocks even if nonblocking", "src": "seed 000; W39"}
    )
    #: Thread exit cancels every request the thread issued (SPI-FACTS 3.4), or
    #: only those without (a completion key and no event) (W22, W33).
    thread_exit_spares_keyed_port_requests: bool = attrs.field(
        metadata={"doc": "a request with a completion key and no event survives its thread's exit", "src": "SPI-FACTS 3.4; W22, W33"}
    )
    #: FD_READ is recorded again for each arrival of data, not only after a
    #: receive re-enabled it (SPI-FACTS 3.9 vs W70); FD_OOB likewise for each
    #: urgent byte held out of band (W70's test_oob_events).
    fd_read_per_arrival: bool = attrs.field(
        metadata={"doc": "each arrival of data records FD_READ (urgent data: FD_OOB) again, without a receive in between", "src": "SPI-FACTS 3.9; W70"}
    )
    #: WSPSocket error for a protocol that exists but does not fit the socket
    #: type, e.g. (AF_INET, SOCK_STREAM, IPPROTO_UDP): SPI-FACTS 3.6 documents
    #: WSAEPROTOTYPE; Windows answers WSAEPROTONOSUPPORT (W5).
    protocol_type_mismatch_error: int = attrs.field(
        metadata={"doc": "WSPSocket error for a protocol of the wrong type (SOCK_STREAM with IPPROTO_UDP)", "src": "SPI-FACTS 3.6; W5"}
    )
    #: A datagram connect to the broadcast address, and a send to such a default
    #: peer, need SO_BROADCAST (SPI-FACTS 3.6: WSAEACCES); Windows connects and
    #: sends without it (W82).  sendto(broadcast) needs it in both profiles (W82).
    connected_broadcast_needs_so_broadcast: bool = attrs.field(
        metadata={"doc": "a datagram connect to / send to a broadcast default peer without SO_BROADCAST fails WSAEACCES", "src": "SPI-FACTS 3.6; W82"}
    )
    #: WSPIoctl error for a control code Windows does not define at all
    #: (SPI-FACTS 3.6: WSAEINVAL, "not a valid command"; W38: WSAEOPNOTSUPP).  A
    #: code Windows defines but the simulation does not model is WSAEOPNOTSUPP
    #: in both profiles (DESIGN 2).
    unknown_ioctl_error: int = attrs.field(
        metadata={"doc": "WSPIoctl error for a control code Windows does not define", "src": "SPI-FACTS 3.6; W38"}
    )
    #: Urgent bytes not yet read queue up, each read by its own recv(MSG_OOB)
    #: (Windows: two urgent sends give two urgent bytes, W70 test_oob_events,
    #: W74 test_fionread_siocatmark); otherwise a socket has one urgent byte at
    #: a time, as in the BSD model WinSock 1.1 follows: a new one replaces it
    #: and the old one becomes normal data at its place.
    urgent_bytes_queue: bool = attrs.field(
        metadata={"doc": "urgent bytes not yet read queue up (a later urgent send does not turn the earlier byte into normal data)", "src": "WinSock 1.1 out-of-band data (BSD model); W70, W74"}
    )
    #: SIOCATMARK with an urgent byte received inline (SO_OOBINLINE on when it
    #: arrived): the WSPIoctl / ioctlsocket documentation says FALSE while any
    #: urgent data waits to be read; Windows says TRUE once it is the next byte
    #: to read (W74).  Urgent data held out of band is FALSE in both profiles.
    siocatmark_true_at_inline_mark: bool = attrs.field(
        metadata={"doc": "SIOCATMARK is TRUE when an urgent byte received inline is the next byte to read", "src": "WSPIoctl SIOCATMARK documentation; W74"}
    )
    #: SIO_KEEPALIVE_VALS with an input shorter than a tcp_keepalive and an
    #: OVERLAPPED fails WSAEFAULT at once, yet Windows has already marked the
    #: OVERLAPPED in progress (Internal = STATUS_PENDING, W76); the documents
    #: leave an OVERLAPPED untouched by an immediate failure (SPI-FACTS 3.4).
    short_keepalive_vals_marks_pending: bool = attrs.field(
        metadata={"doc": "SIO_KEEPALIVE_VALS with a short input and an OVERLAPPED fails WSAEFAULT but leaves OVERLAPPED.Internal = STATUS_PENDING", "src": "SPI-FACTS 3.4; W76"}
    )


DOCUMENTED: Final = Policy(
    name="documented",
    internal_holds_ntstatus=False,
    close_aborts_connected_recv_with=WSA_OPERATION_ABORTED,
    fd_close_on_reset=WSAECONNRESET,
    reset_after_fin_error=WSAECONNRESET,
    shutdown_receive_resets=True,
    so_error_read_clears=True,
    so_error_settable=False,
    fd_close_waits_for_data=True,
    set_so_type_dgram_error=WSAENOPROTOOPT,
    query_security_tcp_probe_error=WSAEFAULT,
    overlapped_result_from_internal=False,
    sync_ioctl_completes_with_zero_bytes=False,
    unknown_ioctl_overlapped_pends=False,
    overlapped_on_plain_socket_blocks=False,
    thread_exit_spares_keyed_port_requests=False,
    fd_read_per_arrival=False,
    protocol_type_mismatch_error=WSAEPROTOTYPE,
    connected_broadcast_needs_so_broadcast=True,
    unknown_ioctl_error=WSAEINVAL,
    urgent_bytes_queue=False,
    siocatmark_true_at_inline_mark=False,
    short_keepalive_vals_marks_pending=False,
)

WINDOWS: Final = Policy(
    name="windows",
    internal_holds_ntstatus=True,
    close_aborts_connected_recv_with=WSAECONNABORTED,
    fd_close_on_reset=WSAECONNABORTED,
    reset_after_fin_error=WSAECONNABORTED,
    shutdown_receive_resets=False,
    so_error_read_clears=False,
    so_error_settable=True,
    fd_close_waits_for_data=False,
    set_so_type_dgram_error=WSAEINVAL,
    query_security_tcp_probe_error=WSAEMSGSIZE,
    overlapped_result_from_internal=True,
    sync_ioctl_completes_with_zero_bytes=True,
    unknown_ioctl_overlapped_pends=True,
    overlapped_on_plain_socket_blocks=True,
    thread_exit_spares_keyed_port_requests=True,
    fd_read_per_arrival=True,
    protocol_type_mismatch_error=WSAEPROTONOSUPPORT,
    connected_broadcast_needs_so_broadcast=False,
    unknown_ioctl_error=WSAEOPNOTSUPP,
    urgent_bytes_queue=True,
    siocatmark_true_at_inline_mark=True,
    short_keepalive_vals_marks_pending=True,
)

PROFILES: Final[dict[str, Policy]] = {"documented": DOCUMENTED, "windows": WINDOWS}


def get_policy(profile: str | Policy) -> Policy:
    """Return the policy for a profile name (or a Policy passed through)."""
    if isinstance(profile, Policy):
        return profile
    if not isinstance(profile, str):
        raise TypeError(f"profile must be a str or Policy, not {type(profile).__name__}")
    try:
        return PROFILES[profile]
    except KeyError:
        raise ValueError(
            f"profile must be one of {sorted(PROFILES)}, not {profile!r}"
        ) from None


def _show(value: object) -> str:
    from .errors import ErrorCode

    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        try:
            return f"{ErrorCode(value).name} ({int(value)})"
        except ValueError:
            return str(value)
    return str(value)


def policy_table() -> str:
    """The documented-vs-windows table, as Markdown (kept in docs/profiles.md)."""
    lines = [
        "| question | documented | windows | sources |",
        "| --- | --- | --- | --- |",
    ]
    for field in attrs.fields(Policy):
        if field.name == "name":
            continue
        lines.append(
            f"| {field.metadata['doc']} | {_show(getattr(DOCUMENTED, field.name))} "
            f"| {_show(getattr(WINDOWS, field.name))} | {field.metadata['src']} |"
        )
    return "\n".join(lines) + "\n"
