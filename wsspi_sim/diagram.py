"""State diagrams generated from the transition tables of :mod:`wsspi_sim.states`.

``wsspi-sim diagram --machine stream --format svg`` prints one; the committed
pictures in ``docs/diagrams/`` are this module's output, and a test fails when
they drift from the tables.  Three formats:

* ``mermaid`` -- a ``stateDiagram-v2`` (GitHub renders it);
* ``dot`` -- Graphviz source (for those who have Graphviz; not needed here);
* ``svg`` -- drawn by this module in pure Python, no Graphviz: a layered
  layout (cycles broken by a depth-first search from the first state, ranks by
  longest path, long edges routed through dummy points, rank order improved
  by barycentre sweeps).  Output is deterministic, byte for byte.

What is drawn, per table row ``state x event -> outcome``:

* an outcome that is another state: an arrow labelled with the events (one
  arrow per pair of states; dashed when every event is something the network
  does, :data:`~wsspi_sim.states.NETWORK_EVENTS`);
* an outcome that is the same state: listed inside the state's box ("stays");
* an outcome that is an error code: listed in the "refused" table beside the
  graph (the call fails with that code and the state is kept);
* an event that leads from *every* other state to one state (``close`` ->
  ``CLOSED``): one note instead of an arrow from each state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape

import attrs

from . import states as S
from .errors import error_name as _err

FORMATS = ("mermaid", "dot", "svg")
MACHINE_NAMES = tuple(S.MACHINES)

#: First state of each machine (where a socket / request is born).
INITIAL = {"stream": "OPEN", "datagram": "OPEN", "overlapped": "ISSUED"}

#: What each machine is, for titles.
TITLES = {
    "stream": "SOCK_STREAM (TCP) socket states",
    "datagram": "SOCK_DGRAM (UDP) socket states",
    "overlapped": "overlapped request states",
}




@attrs.frozen
class Graph:
    """A machine's table, grouped for drawing."""

    machine: str
    states: tuple[str, ...]
    #: (from, to) -> events, in table order
    edges: dict[tuple[str, str], tuple[str, ...]]
    #: state -> events that keep the state
    loops: dict[str, tuple[str, ...]]
    #: state -> error name -> events refused with it
    refused: dict[str, dict[str, tuple[str, ...]]]
    #: (event, target) rows present in every state but the target
    universal: tuple[tuple[str, str], ...]


def graph(machine: str) -> Graph:
    """Group the rows of ``states.MACHINES[machine]`` for drawing."""
    if machine not in S.MACHINES:
        raise ValueError(f"machine must be one of {', '.join(MACHINE_NAMES)}, not {machine!r}")
    table = S.MACHINES[machine]
    names = tuple(st.name for st in table)
    universal: list[tuple[str, str]] = []
    sources = [st for st, rows in table.items() if rows]
    candidates: dict[tuple[str, str], int] = {}
    for st in sources:
        for event, out in table[st].items():
            if isinstance(out, S.State) and out is not st:
                candidates[(event, out.name)] = candidates.get((event, out.name), 0) + 1
    for (event, target), count in candidates.items():
        others = [st for st in sources if st.name != target]
        if len(others) > 2 and count == len(others):
            universal.append((event, target))
    uni = set(universal)
    edges: dict[tuple[str, str], list[str]] = {}
    loops: dict[str, list[str]] = {}
    refused: dict[str, dict[str, list[str]]] = {}
    for st, rows in table.items():
        for event, out in rows.items():
            if isinstance(out, S.State):
                if out is st:
                    loops.setdefault(st.name, []).append(event)
                elif (event, out.name) not in uni:
                    edges.setdefault((st.name, out.name), []).append(event)
            else:
                refused.setdefault(st.name, {}).setdefault(_err(out), []).append(event)
    return Graph(
        machine,
        names,
        {k: tuple(v) for k, v in edges.items()},
        {k: tuple(v) for k, v in loops.items()},
        {k: {e: tuple(v) for e, v in d.items()} for k, d in refused.items()},
        tuple(universal),
    )


# -- mermaid ----------------------------------------------------------------------------------
def to_mermaid(machine: str) -> str:
    """A mermaid ``stateDiagram-v2`` of one machine."""
    g = graph(machine)
    out = [f"%% {TITLES[machine]} -- generated from wsspi_sim/states.py", "stateDiagram-v2"]
    out.append(f"    [*] --> {INITIAL[machine]}")
    for (a, b), events in g.edges.items():
        out.append(f"    {a} --> {b} : {', '.join(events)}")
    for event, target in g.universal:
        for st in g.states:
            if st != target and (st in g.loops or st in g.refused or any(k[0] == st for k in g.edges)):
                out.append(f"    {st} --> {target} : {event}")
    for st in g.states:
        if st in g.loops:
            out.append(f"    {st} --> {st} : {', '.join(g.loops[st])}")
    for st in g.states:
        if st in g.refused:
            text = "<br/>".join(f"{', '.join(ev)} : {err}" for err, ev in g.refused[st].items())
            out.append(f"    note right of {st} : refused<br/>{text}")
    for st in g.states:
        if not S.MACHINES[machine][_state(machine, st)]:
            out.append(f"    {st} --> [*]")
    return "\n".join(out) + "\n"


def _state(machine: str, name: str) -> S.State:
    for st in S.MACHINES[machine]:
        if st.name == name:
            return st
    raise KeyError(name)


# -- dot ----------------------------------------------------------------------------------------
def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(machine: str) -> str:
    """Graphviz ``dot`` source of one machine."""
    g = graph(machine)
    out = [
        f"// {TITLES[machine]} -- generated from wsspi_sim/states.py",
        f'digraph "{machine}" {{',
        "    rankdir=TB;",
        '    node [shape=box, style="rounded", fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
        '    start [shape=point];',
        f"    start -> {INITIAL[machine]};",
    ]
    for st in g.states:
        lines = [st]
        if st in g.loops:
            lines.append("stays: " + ", ".join(g.loops[st]))
        for err, events in g.refused.get(st, {}).items():
            lines.append(f"{', '.join(events)} -> {err}")
        label = "\\n".join(_dot_escape(x) for x in lines)
        out.append(f'    {st} [label="{label}"];')
    network = S.NETWORK_EVENTS
    for (a, b), events in g.edges.items():
        style = ", style=dashed" if all(e in network for e in events) else ""
        out.append(f'    {a} -> {b} [label="{_dot_escape(", ".join(events))}"{style}];')
    for event, target in g.universal:
        for st in g.states:
            if st != target:
                out.append(f'    {st} -> {target} [label="{event}", color=gray];')
    out.append("}")
    return "\n".join(out) + "\n"


# -- svg ------------------------------------------------------------------------------------------
_FONT = "font-family=\"Helvetica, Arial, sans-serif\""
_CHAR_W = 6.6  # average glyph width at 11px (layout estimate)
_SMALL_W = 5.6  # at 9.5px
_RANK_GAP = 74.0
_NODE_GAP = 46.0
_DUMMY_W = 28.0
_MARGIN = 24.0


def _wrap(words: Iterable[str], width: int) -> list[str]:
    lines: list[str] = []
    cur = ""
    for w in words:
        piece = w if not cur else cur + ", " + w
        if cur and len(piece) > width:
            lines.append(cur + ",")
            cur = w
        else:
            cur = piece
    if cur:
        lines.append(cur)
    return lines


@attrs.define
class _Node:
    name: str
    dummy: bool
    width: float
    height: float
    lines: list[str]
    rank: int = 0
    x: float = 0.0  # centre
    y: float = 0.0  # top


def _layout(g: Graph) -> tuple[dict[str, _Node], list[list[str]], list[tuple[str, str, list[str], bool]]]:
    """Place nodes; returns nodes, ranks (ordered names) and routed edges
    (from, to, node path from source to target, reversed-for-layering)."""
    nodes: dict[str, _Node] = {}
    for st in g.states:
        stay = _wrap(g.loops.get(st, ()), 30)
        if stay:
            stay[0] = "stays: " + stay[0]
        w = max([len(st) * 8.2 + 28] + [len(x) * _SMALL_W + 20 for x in stay])
        nodes[st] = _Node(st, False, w, 30 + 12.5 * len(stay), stay)
    # Break cycles with a depth-first search from the initial state, in table order.
    succ: dict[str, list[str]] = {st: [] for st in g.states}
    for a, b in g.edges:
        succ[a].append(b)
    back: set[tuple[str, str]] = set()
    seen: set[str] = set()
    on_stack: set[str] = set()
    order: list[str] = []

    def dfs(v: str) -> None:
        seen.add(v)
        on_stack.add(v)
        order.append(v)
        for w in succ[v]:
            if w in on_stack:
                back.add((v, w))
            elif w not in seen:
                dfs(w)
        on_stack.discard(v)

    dfs(INITIAL[g.machine])
    for st in g.states:
        if st not in seen:
            dfs(st)
    dag = [(b, a) if (a, b) in back else (a, b) for (a, b) in g.edges]
    rank = {st: 0 for st in g.states}
    for _ in g.states:  # longest path (the graph is small)
        for a, b in dag:
            if rank[b] < rank[a] + 1:
                rank[b] = rank[a] + 1
    # A state no arrow reaches (CLOSED when close is a universal note) goes last.
    linked = {x for e in g.edges for x in e}
    deepest = max(rank.values())
    for st in g.states:
        if st not in linked and st != INITIAL[g.machine]:
            rank[st] = deepest + 1
    for st in g.states:
        nodes[st].rank = rank[st]
    # Dummy nodes for edges spanning several ranks.
    routed: list[tuple[str, str, list[str], bool]] = []
    for (a, b) in g.edges:
        rev = (a, b) in back
        top, bottom = (b, a) if rev else (a, b)
        path = [top]
        for r in range(rank[top] + 1, rank[bottom]):
            name = f"_{a}_{b}_{r}"
            nodes[name] = _Node(name, True, _DUMMY_W, 0.0, [], r)
            path.append(name)
        path.append(bottom)
        routed.append((a, b, path, rev))
    nranks = max(n.rank for n in nodes.values()) + 1
    ranks: list[list[str]] = [[] for _ in range(nranks)]
    first_seen = {v: i for i, v in enumerate(order)}
    for name in sorted(nodes, key=lambda n: (first_seen.get(n, len(order)), n)):
        ranks[nodes[name].rank].append(name)
    # Adjacent-rank neighbours along routed paths.
    up: dict[str, list[str]] = {n: [] for n in nodes}
    down: dict[str, list[str]] = {n: [] for n in nodes}
    for _a, _b, path, _rev in routed:
        for p, q in zip(path, path[1:], strict=False):
            down[p].append(q)
            up[q].append(p)

    def sweep(neighbours: dict[str, list[str]], rng: Iterable[int], ref_delta: int) -> None:
        for r in rng:
            ref = {n: i for i, n in enumerate(ranks[r + ref_delta])}
            here = {n: i for i, n in enumerate(ranks[r])}

            def key(n: str, ref: dict[str, int] = ref, here: dict[str, int] = here) -> tuple[float, int]:
                ns = [ref[m] for m in neighbours[n] if m in ref]
                cur = here[n]
                return (sum(ns) / len(ns) if ns else float(cur), cur)

            ranks[r].sort(key=key)

    for _ in range(4):
        sweep(up, range(1, nranks), -1)
        sweep(down, range(nranks - 2, -1, -1), +1)
    # Coordinates.
    widths = [sum(nodes[n].width for n in rk) + _NODE_GAP * max(0, len(rk) - 1) for rk in ranks]
    total = max(widths)
    y = _MARGIN + 40.0
    for r, rk in enumerate(ranks):
        x = _MARGIN + (total - widths[r]) / 2
        height = max((nodes[n].height for n in rk), default=0.0)
        for n in rk:
            node = nodes[n]
            node.x = x + node.width / 2
            node.y = y + (height - node.height) / 2 if not node.dummy else y + height / 2
            x += node.width + _NODE_GAP
        y += height + _RANK_GAP
    return nodes, ranks, routed


def _fmt(v: float) -> str:
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


def _curve(points: list[tuple[float, float]]) -> str:
    d = f"M{_fmt(points[0][0])},{_fmt(points[0][1])}"
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        my = (y1 - y0) / 2
        d += f" C{_fmt(x0)},{_fmt(y0 + my)} {_fmt(x1)},{_fmt(y1 - my)} {_fmt(x1)},{_fmt(y1)}"
    return d


def _text(x: float, y: float, s: str, size: float = 11, anchor: str = "middle", weight: str = "normal",
          fill: str = "#222") -> str:  # fmt: skip
    w = f' font-weight="{weight}"' if weight != "normal" else ""
    return (f'<text x="{_fmt(x)}" y="{_fmt(y)}" font-size="{_fmt(size)}" text-anchor="{anchor}"'
            f'{w} fill="{fill}">{escape(s)}</text>')  # fmt: skip


def _overlap(p: tuple[float, float, float, float], q: tuple[float, float, float, float]) -> bool:
    return p[0] < q[2] and q[0] < p[2] and p[1] < q[3] and q[1] < p[3]


def to_svg(machine: str) -> str:
    """An SVG picture of one machine (pure Python, deterministic)."""
    g = graph(machine)
    nodes, _ranks, routed = _layout(g)
    real = [n for n in nodes.values() if not n.dummy]
    graph_right = max(n.x + n.width / 2 for n in nodes.values()) + 40
    body: list[str] = []
    labels: list[str] = []
    network = S.NETWORK_EVENTS
    # Edges first (under the nodes).  Each end of an edge gets its own port on
    # the node's top or bottom side, spread in the order of the other ends' x,
    # so parallel edges (a back edge beside a forward one) stay apart.
    drawn: list[tuple[str, str, list[str]]] = []
    for a, b, path, rev in routed:
        drawn.append((a, b, list(reversed(path)) if rev else path))
    ends: dict[tuple[str, str], list[tuple[float, int, int]]] = {}
    for idx, (_a, _b, ordered) in enumerate(drawn):
        for pos, other in ((0, 1), (len(ordered) - 1, len(ordered) - 2)):
            n, m = nodes[ordered[pos]], nodes[ordered[other]]
            side = "bottom" if m.rank > n.rank else "top"
            ends.setdefault((n.name, side), []).append((m.x, idx, pos))
    port: dict[tuple[int, int], tuple[float, float]] = {}
    for (name, side), items in ends.items():
        n = nodes[name]
        items.sort()
        span = min(n.width * 0.7, 26.0 * (len(items) - 1))
        for i, (_x, idx, pos) in enumerate(items):
            dx = 0.0 if len(items) == 1 else -span / 2 + span * i / (len(items) - 1)
            port[(idx, pos)] = (n.x + dx, n.y + n.height if side == "bottom" else n.y)
    placed: list[tuple[float, float, float, float]] = [
        (n.x - n.width / 2, n.y, n.x + n.width / 2, n.y + n.height) for n in real
    ]
    for idx, (a, b, ordered) in enumerate(drawn):
        pts = [port[(idx, 0)]]
        pts += [(nodes[x].x, nodes[x].y) for x in ordered[1:-1]]
        pts.append(port[(idx, len(ordered) - 1)])
        dashed = all(e in network for e in g.edges[(a, b)])
        style = ' stroke-dasharray="5,4"' if dashed else ""
        color = "#2a6fb0" if dashed else "#444"
        marker = "arrow-net" if dashed else "arrow"
        body.append(f'<path d="{_curve(pts)}" fill="none" stroke="{color}" stroke-width="1.3"{style} '
                    f'marker-end="url(#{marker})"/>')  # fmt: skip
        # Label: on the edge's first segment, slid along it until it overlaps
        # neither a node nor a label placed before it.
        lines = _wrap(g.edges[(a, b)], 24)
        wmax = max(len(x) for x in lines) * _SMALL_W + 8
        h = 12.0 * len(lines) + 3
        (x0, y0), (x1, y1) = pts[0], pts[1]
        spots = []
        for t in (0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8):
            # the curve leaves vertically: follow its bend roughly (cubic at t)
            bx = x0 + (x1 - x0) * (3 * t * t - 2 * t * t * t)
            by = y0 + (y1 - y0) * t
            spots.append((bx, by, (bx - wmax / 2, by - h / 2, bx + wmax / 2, by + h / 2)))
        # No free spot: the middle of the segment (the first, t = 0.5) all the same.
        free = (spot for spot in spots if not any(_overlap(spot[2], other) for other in placed))
        lx, ly, box = next(free, spots[0])
        placed.append(box)
        labels.append(f'<rect x="{_fmt(lx - wmax / 2)}" y="{_fmt(ly - h / 2)}" width="{_fmt(wmax)}" '
                      f'height="{_fmt(h)}" rx="3" fill="#ffffff" fill-opacity="0.9"/>')  # fmt: skip
        for i, line in enumerate(lines):
            labels.append(_text(lx, ly - h / 2 + 11 + 12 * i, line, 9.5, fill=color))
    # Nodes.
    for n in real:
        left, top = n.x - n.width / 2, n.y
        sink = not S.MACHINES[machine][_state(machine, n.name)]
        fill = "#eeeeee" if sink else "#fff8e1" if n.name == INITIAL[machine] else "#e8f1fb"
        body.append(f'<rect x="{_fmt(left)}" y="{_fmt(top)}" width="{_fmt(n.width)}" height="{_fmt(n.height)}" '
                    f'rx="8" fill="{fill}" stroke="#335" stroke-width="1.2"/>')  # fmt: skip
        body.append(_text(n.x, top + 19, n.name, 12, weight="bold"))
        for i, line in enumerate(n.lines):
            body.append(_text(n.x, top + 33 + 12.5 * i, line, 9.5, fill="#555"))
    # Initial-state marker.
    init = nodes[INITIAL[machine]]
    body.append(f'<circle cx="{_fmt(init.x)}" cy="{_fmt(init.y - 22)}" r="5" fill="#222"/>')
    body.append(f'<path d="M{_fmt(init.x)},{_fmt(init.y - 17)} L{_fmt(init.x)},{_fmt(init.y - 2)}" '
                f'stroke="#222" stroke-width="1.3" marker-end="url(#arrow)"/>')  # fmt: skip
    # Universal rows: one note under the graph.
    bottom = max(n.y + n.height for n in real)
    notes_y = bottom + 28
    universal = [f"{event}: every other state --{event}--> {target}" for event, target in g.universal]
    for note in universal:
        body.append(_text(_MARGIN, notes_y, note, 11, anchor="start", weight="bold", fill="#444"))
        notes_y += 16
    legend = ("solid arrow: a call by the socket's owner;  dashed: something the network does"
              if machine != "overlapped" else "arrows: the steps of one overlapped request")  # fmt: skip
    generated = "generated from wsspi_sim/states.py (wsspi-sim diagram)"
    body.append(_text(_MARGIN, notes_y, legend, 10, anchor="start", fill="#666"))
    notes_y += 14
    body.append(_text(_MARGIN, notes_y, generated, 10, anchor="start", fill="#666"))
    notes = [*universal, legend, generated]
    # The refused table.
    tx = graph_right + 10
    ty = _MARGIN + 40.0
    table: list[str] = []
    if g.refused:
        table.append(_text(tx, ty, "Refused: the call fails, the state is kept", 12, anchor="start", weight="bold"))
        ty += 18
        for st in g.states:
            rows = g.refused.get(st)
            if not rows:
                continue
            table.append(_text(tx, ty, st, 10.5, anchor="start", weight="bold", fill="#335"))
            ty += 13
            for err, events in rows.items():
                wrapped = _wrap(events, 44)
                table.append(_text(tx + 10, ty, err, 9.5, anchor="start", fill="#a11"))
                for line in wrapped:
                    table.append(_text(tx + 130, ty, line, 9.5, anchor="start", fill="#333"))
                    ty += 12
            ty += 5
    width = (tx + 130 + 44 * _SMALL_W + _MARGIN) if g.refused else graph_right + _MARGIN
    width = max(width, _MARGIN * 2 + max(len(x) for x in notes) * _CHAR_W)
    height = max(notes_y, ty) + _MARGIN
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_fmt(width)}" height="{_fmt(height)}" '
        f'viewBox="0 0 {_fmt(width)} {_fmt(height)}" {_FONT}>',
        f"<title>{escape(TITLES[machine])}</title>",
        "<defs>",
        '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker>',
        '<marker id="arrow-net" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#2a6fb0"/></marker>',
        "</defs>",
        f'<rect width="{_fmt(width)}" height="{_fmt(height)}" fill="#ffffff"/>',
        _text(_MARGIN, _MARGIN + 6, TITLES[machine], 15, anchor="start", weight="bold"),
    ]
    return "\n".join(head + body + labels + table + ["</svg>"]) + "\n"


def render(machine: str, fmt: str) -> str:
    """One machine in one format (``mermaid``, ``dot`` or ``svg``)."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, not {fmt!r}")
    return {"mermaid": to_mermaid, "dot": to_dot, "svg": to_svg}[fmt](machine)


def write_docs(root: Any) -> list[str]:
    """Write ``docs/diagrams/<machine>.svg`` under ``root``; returns the paths."""
    import pathlib

    out = pathlib.Path(root) / "docs" / "diagrams"
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for machine in MACHINE_NAMES:
        p = out / f"{machine}.svg"
        p.write_text(to_svg(machine), encoding="utf-8")
        paths.append(str(p))
    return paths


__all__ = ["FORMATS", "Graph", "MACHINE_NAMES", "graph", "render", "to_dot", "to_mermaid", "to_svg", "write_docs"]
