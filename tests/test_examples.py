"""Every examples/*.py runs (``python examples/x.py``) and prints what it should.

Each example must be registered in EXPECTED with lines its output must contain
(whole lines, in this order): an example without an entry fails, so a new example
cannot go unchecked.  The lines are the behaviours the example demonstrates, so
each entry cites its source.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))

#: example -> (argv, lines its output contains, in order)
EXPECTED: dict[str, list[tuple[list[str], list[str]]]] = {
    # Seed 003: "After this function has been successfully issued, subsequent receives
    # on the socket will be disallowed." / TCP window / "For UDP, incoming datagrams are
    # accepted and queued." / "WSPRecvDisconnect does not close the socket" /
    # WSAENOTCONN "(connection-oriented sockets only)".
    "recv_disconnect.py": [([], [
        "TCP: WSPRecvDisconnect -> 0",
        "TCP: recv after it -> SOCKET_ERROR=True, error WSAESHUTDOWN",
        "TCP: the client sent 13 bytes; 13 bytes wait at the server",
        "TCP: the socket is still open, bound to 10.0.0.2:7000",
        "TCP: WSPCloseSocket -> 0; getsockname now -> error WSAENOTSOCK",
        "TCP (not connected): WSPRecvDisconnect -> -1, lpErrno WSAENOTCONN",
        "UDP: WSPRecvDisconnect -> 0; 8 bytes queued; recvfrom -> error WSAESHUTDOWN",
    ])],
    # Seed 004: WSA_OPERATION_ABORTED through every completion mechanism; WSAENOTSOCK
    # afterwards; "Any subsequent WSPRecv call from the remote peer ... fails with
    # WSAECONNRESET."  Profile windows: W21 (WSAECONNABORTED for a connected TCP receive).
    "close_aborts_overlapped.py": [
        ([], [
            "profile: documented",
            "event signalled: True; OffsetHigh = WSA_OPERATION_ABORTED",
            "routine ran before the wait: False",
            "SleepEx(0, TRUE) -> WAIT_IO_COMPLETION; routine called with dwError = WSA_OPERATION_ABORTED, cbTransferred = 0",
            "GetQueuedCompletionStatus -> 0, key 0xC0FFEE, same OVERLAPPED: True, GetLastError = WSA_OPERATION_ABORTED",
            "recv on the closed handle -> -1, WSAENOTSOCK",
            "the peer's recv -> -1, WSAECONNRESET",
        ]),
        (["windows"], [
            "profile: windows",
            "event signalled: True; OffsetHigh = WSAECONNABORTED",
            "SleepEx(0, TRUE) -> WAIT_IO_COMPLETION; routine called with dwError = WSAECONNABORTED, cbTransferred = 0",
            "GetQueuedCompletionStatus -> 0, key 0xC0FFEE, same OVERLAPPED: True, GetLastError = WSA_OPERATION_ABORTED",
            "the peer's recv -> -1, WSAECONNRESET",
        ]),
    ],
    # Seed 004: "If the WSPCloseSocket function releases the last reference to an
    # underlying socket, the SAN service provider discards the associated naming
    # information and queued data."  SPI-FACTS 3.7 (duplicate info used once).
    "duplicate_last_reference.py": [([], [
        "process 1 has socket 260; process 2 imported it as 264; a second import -> INVALID_SOCKET (WSAEINVAL)",
        "process 1's handle is gone: recv -> -1, WSAENOTSOCK",
        "process 2 still reads the queued datagram: b'hello both'",
        "bind 10.0.0.1:4000 again while process 2 holds the socket -> -1, WSAEADDRINUSE",
        "the pending receive completed with WSA_OPERATION_ABORTED",
        "the name was discarded: bind 10.0.0.1:4000 now -> 0",
    ])],
    # Seed 004: "The Windows Sockets switch fully implements the semantics required by
    # graceful disconnect and associated socket options such as SO_LINGER,
    # SO_DONTLINGER, and nonblocking close." SPI-FACTS 3.7 linger table.
    "linger_modes.py": [([], [
        "1. SO_DONTLINGER (default): closesocket -> 0; the peer reads: 100 bytes, 0 (graceful end)",
        "2. SO_LINGER {1, 0}: closesocket -> 0; the peer reads: WSAECONNRESET",
        "3. SO_LINGER {1, 5}, blocking: closesocket -> 0 after 5.0 virtual seconds; the peer reads: WSAECONNRESET",
        "4. SO_LINGER {1, 5}, nonblocking: closesocket -> -1 (WSAEWOULDBLOCK); handle still valid: True",
        "   after SO_LINGER {1, 0}: closesocket -> 0",
    ])],
    # SPI-FACTS 3.4: completion packets carry the key and the request; a 0-byte
    # receive is the peer's graceful close (SPI-FACTS 3.8).
    "iocp_echo_server.py": [([], [
        "server: key 1: received b'hello from client 1', echoing",
        "server: key 3: received b'hello from client 3', echoing",
        "client 2: got back b'hello from client 2'",
        "server: key 2: 0 bytes, the client closed; closing",
        "client 3: recv -> 0 (the server closed too)",
        "echoed 3 messages; virtual time 0.000 s",
    ])],
    # Seed 002: "A client application should specify the peer target name in order to
    # prevent trusted man-in-the-middle attacks."
    "mitm_refused.py": [([], [
        "client without a target name: connect -> 0",
        "  ...and the peer it authenticated is 'host/mallory.example.test'  <- the man in the middle",
        "  connect -> -1, WSAEACCES: refused, nothing reached mallory",
        "connections mallory received: 1 (only the naive client's)",
    ])],
    # Seed 002: set before WSAConnect; WSAEMSGSIZE "A buffer passed was too small.";
    # WSAEISCONN "The socket is connected."; seed 000 (delete); SPI-FACTS 5.6 (size probe).
    "peer_target_names_tcp.py": [([], [
        "WSASetSocketPeerTargetName(len = 143: too small)           -> SOCKET_ERROR, WSAEMSGSIZE",
        "WSASetSocketPeerTargetName(len = 190)                      -> 0",
        "WSAConnect([fd00::2]:445)                                  -> 0",
        "WSASetSocketPeerTargetName after connect                   -> SOCKET_ERROR, WSAEISCONN",
        "WSAQuerySocketSecurity(info NULL): the size probe          -> SOCKET_ERROR, WSAEFAULT",
        "WSADeleteSocketPeerTargetName (TCP: allowed, discouraged)  -> 0",
    ])],
    # Seed 002: "For connectionless sockets, an application can call the
    # WSASetSocketPeerTargetName function multiple times to specify different target
    # names for different peer IP addresses." / zero address and port: WSAEINVAL;
    # seed 000: "no future authentication to the IP address will use the previously
    # specified target name".
    "peer_target_names_udp.py": [([], [
        "name for 10.0.0.2:123 (wrapper)       -> 0",
        "name for 10.0.0.3:514 (WSAIoctl)      -> 0",
        "name for 0.0.0.0:0                    -> SOCKET_ERROR (WSAEINVAL)",
        "sendto log (name is wrong)            -> SOCKET_ERROR (WSAEACCES)",
        "WSADeleteSocketPeerTargetName(log)    -> 0",
        "sendto log (no name: any principal)   -> 4",
        "after connect, set a name             -> SOCKET_ERROR (WSAEISCONN)",
    ])],
    # DESIGN 1 (the trace recorder); seed 004 (the switch calls WSPCloseSocket after
    # its graceful close; WSA_OPERATION_ABORTED for the pending request).
    "trace_timeline.py": [([], [
        "timeline (indentation = nesting: API -> SPI -> upcall):",
        "  the states of socket 268: OPEN -> CONNECTING -> CONNECTED -> SEND_SHUT -> CLOSED",
        "  SPI calls on it: WSPSocket, WSPConnect, WSPRecv, WSPShutdown, WSPCloseSocket",
        "  its completion: WSA_OPERATION_ABORTED, inside WSPCloseSocket",
    ])],
    # Issue 6 (layered providers): a counting LSP sees each call once and, wrapping
    # completions as the LSP sample does (SPI-FACTS 3.4), the overlapped receive.
    "counting_lsp.py": [([], [
        "  WSPRecv                1",
        "  WSPSend                1",
        "overlapped completions: {'recv': 1}, bytes: {'recv': 20}",
        "received: b'hello, layered world'",
    ])],
    # Issue 6 / seed 002: WSASetSocketPeerTargetName reaches the provider as
    # SIO_SET_PEER_TARGET_NAME; the layer rewrites the name on its way down.
    "rewrite_peer_names_lsp.py": [([], [
        "WSASetSocketPeerTargetName -> 0 (last error 0)",
        "the layer rewrote: [('host/old-name', 'host/server.example.com')]",
        "the provider registered: {None: 'host/server.example.com'}",
    ])],
}


def _run(path: pathlib.Path, argv: list[str]) -> str:
    env = dict(os.environ, NO_COLOR="1", PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, str(path), *argv], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env=env)  # fmt: skip
    assert proc.returncode == 0, f"{path.name} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs_and_prints_its_lines(path: pathlib.Path) -> None:
    """Issue 5 (examples): every example runs with `python examples/x.py` and its
    output contains its registered lines, in order (sources: the comments on
    EXPECTED)."""
    runs = EXPECTED.get(path.name)
    assert runs, f"examples/{path.name} is not registered in tests/test_examples.py EXPECTED"
    for argv, lines in runs:
        out = _run(path, argv).splitlines()
        pos = 0
        for line in lines:
            try:
                pos = out.index(line, pos) + 1
            except ValueError:
                raise AssertionError(f"{path.name} {argv}: missing (in order) {line!r}\n--- output:\n"
                                     + "\n".join(out)) from None  # fmt: skip


def test_every_registered_example_exists() -> None:
    """Issue 5 (examples): the registry names only examples that exist."""
    names = {p.name for p in EXAMPLES}
    assert set(EXPECTED) <= names, set(EXPECTED) - names


def test_examples_have_a_docstring_and_main() -> None:
    """Issue 5 (examples): each example is a commented, runnable script: a module
    docstring that says how to run it, and a __main__ guard."""
    for path in EXAMPLES:
        text = path.read_text(encoding="utf-8")
        assert text.startswith('"""'), path.name
        assert "Run:" in text.split('"""')[1], path.name
        assert 'if __name__ == "__main__":' in text, path.name
