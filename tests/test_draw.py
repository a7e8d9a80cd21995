"""catlearn.draw and ``catlearn draw``: diagrams, hypergraphs and circuits to PNG/SVG."""

from pathlib import Path

import pytest

from catlearn.circuits import CircuitBuilder
from catlearn.cli import main
from catlearn.diagrams import Box, Ty
from catlearn.diagrams import polycirc as pc
from catlearn.draw import DrawingError, draw
from catlearn.functors import reverse_derivative

ROOT = Path(__file__).resolve().parents[1]


def _png(path: Path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_draws_a_diagram_a_hypergraph_and_a_circuit(tmp_path):
    x = Ty("x")
    assert _png(draw(Box("f", x, x) >> Box("g", x, x), tmp_path / "d.png"))
    assert _png(draw(reverse_derivative(pc.dot(2)), tmp_path / "r.png"))
    b = CircuitBuilder()
    lits = [b.literal(v, s) for v in (1, 2) for s in (True, False)]
    c = b.build([b.sum([b.product([lits[0], lits[3]]), b.product([lits[1], lits[2]])],
                       [0.25, 0.75])])  # fmt: skip
    assert _png(draw(c, tmp_path / "c.png", engine="matplotlib"))
    svg = draw(c, tmp_path / "c.svg", engine="matplotlib").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg


def test_errors_say_what_went_wrong(tmp_path):
    with pytest.raises(DrawingError, match=".png or .svg"):
        draw(Box("f", Ty("x"), Ty("x")), tmp_path / "d.jpg")
    with pytest.raises(DrawingError, match="cannot draw a int"):
        draw(3, tmp_path / "d.png")
    with pytest.raises(DrawingError, match=r"draw\(engine\): expected one of"):
        draw(_small(),
             tmp_path / "c.png", engine="dot")  # fmt: skip


def _small():
    b = CircuitBuilder()
    return b.build([b.literal(1)])


def test_draw_command(tmp_path, capsys):
    nnf = ROOT / "catlearn" / "data" / "exactly_40_of_80.nnf"
    assert main(["draw", str(nnf), "--out", str(tmp_path / "big.png")]) == 1  # too many nodes
    assert "too many" in capsys.readouterr().err
    out = tmp_path / "or.png"
    assert main(["draw", "catlearn.diagrams.polycirc:OR", "--out", str(out)]) == 0
    assert _png(out)
    assert main(["draw", "no_such_module:thing"]) == 1
    assert "no module named 'no_such_module'" in capsys.readouterr().err
    assert main(["draw", "plain-name"]) == 2
    assert "expected FILE.nnf or module:attribute" in capsys.readouterr().err
