"""docs/profiles.md lists every documented-vs-windows difference, generated from
wsspi_sim.profiles.Policy (DESIGN 4: "Every difference lives in one policy
object ... and the docs list the differences side by side")."""

from __future__ import annotations

from pathlib import Path

import attrs

import wsspi_sim as ws
from wsspi_sim.profiles import policy_table

DOC = Path(__file__).resolve().parent.parent / "docs" / "profiles.md"


def test_profiles_doc_table_is_the_generated_one() -> None:
    """DESIGN 4: the docs' table equals policy_table() -- regenerate it with
    `python -c "from wsspi_sim.profiles import policy_table; print(policy_table())"`
    when a Policy field is added or changed."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    table = [line for line in lines if line.startswith("|")]
    assert "\n".join(table) + "\n" == policy_table()


def test_every_policy_field_is_documented_with_a_source() -> None:
    """DESIGN 4 and the team rule: each Policy field carries doc and src
    metadata, and the two profiles differ in it (else it is no difference)."""
    for field in attrs.fields(ws.Policy):
        if field.name == "name":
            continue
        assert field.metadata.get("doc") and field.metadata.get("src"), field.name
        assert getattr(ws.DOCUMENTED, field.name) != getattr(ws.WINDOWS, field.name), field.name
