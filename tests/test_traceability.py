"""docs/traceability.md maps every sentence of the five seeds to the tests that
check it, and stays true: every sentence is listed, every listed sentence is in
its seed, every behaviour sentence names a test, every named test exists."""

from __future__ import annotations

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "traceability.md"
TESTS = ROOT / "tests"


def seeds_dir() -> pathlib.Path:
    """shared/seeds/ beside the checkout (as CI has it), else /work/shared/seeds."""
    for cand in (ROOT.parent / "shared" / "seeds", pathlib.Path("/work/shared/seeds")):
        if cand.is_dir():
            return cand
    raise AssertionError("the seed documents (shared/seeds/) are not beside the checkout")


def sentences(text: str) -> list[str]:
    """The seed's sentences: each prose line (ending in '.' or ':'), cut at sentence
    ends, whitespace normalised.  Headings, syntax and table cells without a
    full stop are not prose."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or not line.endswith((".", ":")):
            continue
        for part in re.split(r"(?<=[.!?])\s+(?=[A-Z•“\"(])", line):
            if part.strip():
                out.append(" ".join(part.split()))
    return out


def seed_sentences() -> dict[str, list[str]]:
    out = {}
    for path in sorted(seeds_dir().glob("*.txt")):
        out[path.name[:3]] = sentences(path.read_text(encoding="utf-8"))
    return out


ROW = re.compile(r"^\| (\d{3})\.(\d+) \| (.+) \| (.+) \|$")


def doc_rows() -> dict[tuple[str, int], tuple[str, str]]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            key = (m.group(1), int(m.group(2)))
            assert key not in rows, f"row {key} listed twice"
            rows[key] = (m.group(3), m.group(4))
    return rows


def existing_tests() -> set[str]:
    """Every test function as 'tests/file.py::name' (and '::Class::name')."""
    found: set[str] = set()
    for path in TESTS.glob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = f"tests/{path.name}"

        def walk(body: list[ast.stmt], prefix: str, rel: str = rel) -> None:
            for node in body:
                if isinstance(node, ast.ClassDef):
                    walk(node.body, prefix + node.name + "::", rel)
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                    found.add(f"{rel}::{prefix}{node.name}")

        walk(tree.body, "")
    return found


def _tests_of(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def test_every_seed_sentence_is_listed_exactly() -> None:
    """The five seeds (shared/seeds/): every sentence appears in docs/traceability.md
    under its seed and number, word for word, and no row quotes anything else."""
    seeds = seed_sentences()
    rows = doc_rows()
    assert set(seeds) == {"000", "001", "002", "003", "004"}
    expected = {(seed, i): text for seed, ss in seeds.items() for i, text in enumerate(ss, 1)}
    missing = sorted(set(expected) - set(rows))
    extra = sorted(set(rows) - set(expected))
    assert not missing, f"sentences missing from docs/traceability.md: {missing}"
    assert not extra, f"rows that are not seed sentences: {extra}"
    for key, text in expected.items():
        assert rows[key][0] == text, f"{key}: the doc quotes {rows[key][0]!r}, the seed says {text!r}"


def test_every_behaviour_sentence_is_checked_by_existing_tests() -> None:
    """Every behaviour sentence of the seeds is checked by at least one test that
    exists (seed 001, the Portuguese page of seed 000, maps to seed 000's rows);
    a row without tests must say why it is not a behaviour."""
    rows = doc_rows()
    tests = existing_tests()
    covered = 0
    behaviour = 0
    for (seed, i), (_text, cell) in rows.items():
        if cell.startswith("= "):
            assert seed == "001", f"{seed}.{i}: only seed 001 rows point at another row"
            target = cell[2:].strip()
            assert target == f"000.{i}", f"001.{i} must map to 000.{i}, not {target}"
            cell = rows[("000", i)][1]
        if cell.startswith("not behaviour: "):
            assert len(cell) > len("not behaviour: ") + 5, f"{seed}.{i}: give the reason"
            continue
        behaviour += 1
        names = _tests_of(cell)
        assert names, f"{seed}.{i}: a behaviour sentence with no test"
        unknown = [n for n in names if n not in tests]
        assert not unknown, f"{seed}.{i}: no such test(s): {unknown}"
        covered += 1
    assert covered == behaviour
    summary = re.search(r"^(\d+) behaviour sentences of (\d+) sentences; all (\d+) are checked", DOC.read_text(encoding="utf-8"), re.M)
    assert summary is not None
    assert (int(summary.group(1)), int(summary.group(2)), int(summary.group(3))) == (behaviour, len(rows), covered)


def test_seed_001_is_the_translation_of_seed_000() -> None:
    """Seeds 000 and 001 are the same page (English / Portuguese): same number of
    sentences, and the names of the function and its constants appear in the same
    rows -- so "= 000.n" maps each sentence to its own original."""
    seeds = seed_sentences()
    assert len(seeds["000"]) == len(seeds["001"])
    for en, pt in zip(seeds["000"], seeds["001"], strict=True):
        names_en = set(re.findall(r"\b(?:WSA\w+|SOCK_\w+|AF_\w+|SIO_\w+|IPPROTO_\w+|SOCKET_ERROR)\b", en))
        names_pt = set(re.findall(r"\b(?:WSA\w+|SOCK_\w+|AF_\w+|SIO_\w+|IPPROTO_\w+|SOCKET_ERROR)\b", pt))
        assert names_en == names_pt, (en, pt)
