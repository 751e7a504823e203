"""``codesign plot``: every kind as PNG and SVG, with labelled axes and units."""
from __future__ import annotations

import pytest

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("kind, extra, labels", [
    ("front", ("--objectives", "latency,energy"), ("latency [ms] (minimize)", "energy [mJ] (minimize)", "Pareto front")),
    ("hypervolume", (), ("finished trials", "hypervolume", "front size [designs]")),
    ("layers", (), ("latency [µs]", "energy [µJ]", "compute", "dram")),
    ("roofline", (), ("operational intensity [op / DRAM byte]", "throughput [GOP/s]", "roof")),
])
def test_plot_kinds_as_svg_and_png(kind, extra, labels, run_path, tmp_path, cli):
    svg = tmp_path / f"{kind}.svg"
    code, _, err = cli("plot", str(run_path), "--kind", kind, *extra, "--out", str(svg))
    assert code == 0, err
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    for label in labels:  # matplotlib writes text as <!-- label --> comments next to its glyphs
        assert label in text, label
    png = tmp_path / f"{kind}.png"
    assert cli("plot", str(run_path), "--kind", kind, *extra, "--out", str(png))[0] == 0
    assert png.read_bytes()[:8] == PNG_MAGIC


def test_plot_layers_of_a_chosen_trial_names_it(run_path, tmp_path, cli):
    from codesign.report.trials import load_run

    view = load_run(run_path)
    dominated = next(r.number for r in view.records if view.trial_class(r) == "dominated")
    out = tmp_path / "l.svg"
    assert cli("plot", str(run_path), "--kind", "layers", "--trial", str(dominated), "--out", str(out))[0] == 0
    assert f"trial {dominated}:" in out.read_text()


def test_plot_of_a_bundle(run_path, tmp_path, cli):
    from codesign.report.trials import load_run

    trial = load_run(run_path).front.trials[0].number
    bundle = tmp_path / "b"
    assert cli("export", str(run_path), "--trial", str(trial), "--out", str(bundle), "--no-onnx")[0] == 0
    out = tmp_path / "r.svg"
    assert cli("plot", str(bundle), "--kind", "roofline", "--out", str(out))[0] == 0
    assert "throughput [GOP/s]" in out.read_text()
    code, _, err = cli("plot", str(bundle), "--kind", "front", "--out", str(out))
    assert code == 2 and "layers and roofline" in err
