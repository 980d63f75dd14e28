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
    WSAEINVAL,
    WSAENOPROTOOPT,
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
