"""The trace: every API call, SPI call, upcall, state transition and completion,
nested, in virtual time -- and how a test can query it.

Run:  python examples/trace_timeline.py
(the same trace for any script: wsspi-sim run SCRIPT --trace --json trace.jsonl)
"""

from __future__ import annotations

import ctypes

import wsspi_sim as ws


def main() -> None:
    sim = ws.Simulator(trace=True)  # tracing is off (and free) unless asked for
    a, b = sim.add_host("10.0.0.1"), sim.add_host("10.0.0.2")
    api, srv = a.ws2, b.ws2
    for x in (api, srv):
        x.WSAStartup(0x0202, ws.WSADATA())
    lst = srv.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    srv.bind(lst, ws.sockaddr("10.0.0.2", 80), 16)
    srv.listen(lst, 1)

    tracer = sim.tracer
    assert tracer is not None
    mark = tracer.mark()  # from here on: the part we print
    c = api.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP)
    api.connect(c, ws.sockaddr("10.0.0.2", 80), 16)
    ov = ws.WSAOVERLAPPED(hEvent=api.WSACreateEvent())
    api.WSARecv(c, [ws.WSABUF(16, bytearray(16))], 1, ctypes.c_ulong(), ctypes.c_ulong(), ov, None)
    api.closesocket(c)

    print("timeline (indentation = nesting: API -> SPI -> upcall):")
    tracer.print_timeline(events=tracer.since(mark))

    print()
    print("queries:")
    print(f"  the states of socket {c}: {' -> '.join(tracer.states(c))}")
    print(f"  SPI calls on it: {', '.join(e.name or '' for e in tracer.calls(kind='spi', socket=c))}")
    done = tracer.completions(c)[0]
    print(f"  its completion: {ws.ErrorCode(done.fields['error']).name}, inside {tracer.events[done.parent or 0].name}")
    print(f"  events recorded: {len(tracer.events)}; as JSON Lines: {len(tracer.to_jsonl().splitlines())} lines")


if __name__ == "__main__":
    main()
