"""``wsspi-sim explain``'s data (wsspi_sim/explain.py): names, numbers, messages,
and which calls return a code, from SPI-FACTS 3.6, the seeds' error tables, the
state tables and the profiles."""

from __future__ import annotations

import pytest

import wsspi_sim as ws
from wsspi_sim import states as S
from wsspi_sim.explain import (
    DOCUMENTED,
    EVENT_CALLS,
    documented,
    explain,
    from_profiles,
    from_tables,
    lookup,
)

#: The functions of the SPI-FACTS 3.6 table.
SPI_FACTS_36 = (
    "WSPSocket", "WSPCloseSocket", "WSPBind", "WSPListen", "WSPAccept", "WSPConnect", "WSPRecv",
    "WSPSend", "WSPSendTo", "WSPRecvFrom", "WSPRecvDisconnect", "WSPSendDisconnect", "WSPShutdown",
    "WSPIoctl", "WSPGetOverlappedResult", "WSPDuplicateSocket", "WSPEventSelect",
    "WSPEnumNetworkEvents", "WSPSetSockOpt", "WSPGetSockOpt", "WSPCleanup",
)  # fmt: skip


def test_every_documented_row_names_a_real_code() -> None:
    """SPI-FACTS 1.2: every code the explain table names is an ErrorCode member."""
    for name, row in DOCUMENTED:
        assert name in ws.ErrorCode.__members__, name
        assert row.call and row.when and row.source


def test_every_spi_facts_function_is_covered() -> None:
    """SPI-FACTS 3.6: each function of the documented-error table has rows."""
    calls = {row.call.split(" ")[0] for _name, row in DOCUMENTED}
    for fn in SPI_FACTS_36:
        assert fn in calls, fn


def test_seed_error_tables_are_covered() -> None:
    """Seeds 000/001 and 002 (the peer-target-name error tables), 003
    (WSPRecvDisconnect) and 004 (WSPCloseSocket): each listed code is explained
    for its function."""
    tables = {
        "WSADeleteSocketPeerTargetName": ("WSAEAFNOSUPPORT", "WSAEFAULT", "WSAEINVAL", "WSAEMSGSIZE", "WSAENOTSOCK"),
        "WSASetSocketPeerTargetName": ("WSAEAFNOSUPPORT", "WSAEFAULT", "WSAEINVAL", "WSAEISCONN", "WSAEMSGSIZE", "WSAENOTSOCK"),
        "WSPRecvDisconnect": ("WSAENETDOWN", "WSAEFAULT", "WSAENOPROTOOPT", "WSAEINPROGRESS", "WSAENOTCONN", "WSAENOTSOCK"),
        "WSPCloseSocket": ("WSAENETDOWN", "WSAENOTSOCK"),
    }  # fmt: skip
    for fn, codes in tables.items():
        for code in codes:
            rows = documented(ws.ErrorCode[code])
            assert any(r.call == fn for r in rows), (fn, code)


def test_state_table_rows_are_explained() -> None:
    """DESIGN 1 (state x operation -> error code, in tables): every error row of
    every machine shows up in explain under its code, with the call that takes
    the event."""
    for machine, table in S.MACHINES.items():
        for state, rows in table.items():
            for event, outcome in rows.items():
                if isinstance(outcome, int):
                    found = from_tables(ws.ErrorCode(outcome))
                    call = EVENT_CALLS.get(event, event)
                    assert any(r.call == call and machine in r.when and state.name in r.when for r in found)


def test_profile_rows() -> None:
    """W21 / seed 004: the profiles disagree on the error of a pending receive on a
    connected TCP socket closed locally; explain shows each profile's code."""
    assert any('"windows"' in r.call for r in from_profiles(ws.ErrorCode.WSAECONNABORTED))
    assert any('"documented"' in r.call for r in from_profiles(ws.ErrorCode.WSA_OPERATION_ABORTED))


def test_lookup_forms_and_errors() -> None:
    """DESIGN 2: error codes are IntEnum members under their Windows names; a bad
    code is a clear ValueError / TypeError."""
    assert lookup("wsaenotsock") is ws.ErrorCode.WSAENOTSOCK
    assert lookup(" 10038 ") is ws.ErrorCode.WSAENOTSOCK
    assert lookup(0x2736) is ws.ErrorCode.WSAENOTSOCK
    assert lookup("ERROR_IO_PENDING") is ws.ErrorCode.WSA_IO_PENDING
    with pytest.raises(ValueError, match="code"):
        lookup(123456)
    with pytest.raises(TypeError, match="code"):
        lookup(1.5)  # type: ignore[arg-type]


def test_explain_text_for_an_alias_and_an_unlisted_code() -> None:
    """SPI-FACTS 1.2: WSA_OPERATION_ABORTED is ERROR_OPERATION_ABORTED (995); a code
    no function documents still gets its name, number and message."""
    text = explain(995)
    assert text.startswith("WSA_OPERATION_ABORTED (995, 0x3E3)")
    assert "also named: ERROR_OPERATION_ABORTED" in text and "seed 004" in text
    other = explain("ERROR_HANDLE_EOF")
    assert other.startswith("ERROR_HANDLE_EOF (38,") and "NTSTATUS mapping" in other


def test_every_error_coverage_pair_is_explained() -> None:
    """docs/error-coverage.md: "for every (function, error) pair the documents
    list" -- and `wsspi-sim explain CODE` tells "which calls return it": each of
    those pairs is a row of explain's table (WSPSendTo / WSPRecvFrom and
    WSPCleanup's WSAEINVAL were missing)."""
    import pathlib
    import re

    doc = pathlib.Path(__file__).resolve().parent.parent / "docs" / "error-coverage.md"
    pairs = re.findall(r"^\| (WS\w+) \| (WSA?\w+) \| (?:tested by|not reachable)", doc.read_text(encoding="utf-8"), re.M)
    assert len(pairs) == 227
    missing = []
    for fn, code in pairs:
        calls = {c.split(" (")[0].strip() for r in documented(ws.ErrorCode[code]) for c in r.call.split(" / ")}
        if fn not in calls:
            missing.append((fn, code))
    assert not missing
