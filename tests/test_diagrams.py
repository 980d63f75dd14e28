"""State diagrams generated from the tables (wsspi_sim/diagram.py): the committed
pictures in docs/diagrams/ are current, and every row of every table is drawn
(DESIGN 1: "diagrams are generated from the same tables")."""

from __future__ import annotations

import pathlib
import re
import xml.etree.ElementTree as ET

import pytest

from wsspi_sim import states as S
from wsspi_sim.diagram import FORMATS, MACHINE_NAMES, graph, render, to_dot, to_mermaid, to_svg
from wsspi_sim.errors import ErrorCode

ROOT = pathlib.Path(__file__).resolve().parent.parent
DIAGRAMS = ROOT / "docs" / "diagrams"


@pytest.mark.parametrize("machine", MACHINE_NAMES)
def test_committed_svg_is_current(machine: str) -> None:
    """DESIGN 1: "diagrams are generated from the same tables" -- the SVG kept in
    docs/diagrams/ is byte for byte what the tables give now (regenerate with
    `wsspi-sim docs`)."""
    committed = (DIAGRAMS / f"{machine}.svg").read_text(encoding="utf-8")
    assert committed == to_svg(machine), (
        f"docs/diagrams/{machine}.svg is out of date with wsspi_sim/states.py: run `wsspi-sim docs`"
    )


@pytest.mark.parametrize("machine", MACHINE_NAMES)
def test_every_row_is_in_the_graph(machine: str) -> None:
    """DESIGN 1 (state x operation -> next state or error code, in tables): each row
    of the machine's table appears once in the drawing's model -- as an arrow, a
    "stays" entry, a refused entry, or a universal note."""
    g = graph(machine)
    uni = set(g.universal)
    for state, rows in S.MACHINES[machine].items():
        for event, outcome in rows.items():
            if isinstance(outcome, S.State):
                if outcome is state:
                    assert event in g.loops[state.name]
                elif (event, outcome.name) in uni:
                    continue
                else:
                    assert event in g.edges[(state.name, outcome.name)]
            else:
                assert event in g.refused[state.name][ErrorCode(outcome).name]
    for event, target in g.universal:
        for state, rows in S.MACHINES[machine].items():
            if rows and state.name != target:
                assert rows[event].name == target  # type: ignore[union-attr]


@pytest.mark.parametrize("machine", MACHINE_NAMES)
def test_svg_is_wellformed_and_shows_every_state_and_event(machine: str) -> None:
    """DESIGN 1: the SVG picture shows every state, every event and every error
    code of the table, and parses as XML."""
    svg = to_svg(machine)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    for state, rows in S.MACHINES[machine].items():
        assert state.name in texts
        for event, outcome in rows.items():
            assert event in texts
            if not isinstance(outcome, S.State):
                assert ErrorCode(outcome).name in texts
    assert to_svg(machine) == svg  # deterministic


@pytest.mark.parametrize("machine", MACHINE_NAMES)
def test_mermaid_and_dot_list_every_transition(machine: str) -> None:
    """DESIGN 1: mermaid and dot output come from the same tables: every
    state-changing row is an arrow (the universal close too)."""
    mer = to_mermaid(machine)
    dot = to_dot(machine)
    assert mer.splitlines()[1] == "stateDiagram-v2"
    assert dot.splitlines()[1].startswith("digraph")
    for state, rows in S.MACHINES[machine].items():
        for event, outcome in rows.items():
            if isinstance(outcome, S.State) and outcome is not state:
                pattern = rf"^    {state.name} --> {outcome.name} : .*\b{re.escape(event)}\b"
                assert re.search(pattern, mer, re.M), (state, event)
                assert re.search(rf"{state.name} -> {outcome.name} \[label=\"[^\"]*\b{re.escape(event)}\b", dot)


def test_render_rejects_unknown_names() -> None:
    """DESIGN 2: bad input gives a clear ValueError naming the parameter."""
    with pytest.raises(ValueError, match="machine"):
        render("tcp", "svg")
    with pytest.raises(ValueError, match="fmt"):
        render("stream", "png")
    assert set(FORMATS) == {"mermaid", "dot", "svg"}


def test_readme_embeds_the_diagrams() -> None:
    """DESIGN 1 (diagram export): the README shows the three pictures."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for machine in MACHINE_NAMES:
        assert f"docs/diagrams/{machine}.svg" in readme
