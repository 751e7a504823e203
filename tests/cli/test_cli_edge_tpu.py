"""The interface the held-out NAS-Bench-201 Edge TPU check uses: ``codesign evaluate --space nb201
--arch-file FILE --accelerator edge_tpu --json``, one JSON object per line with ``latency_s``."""
import json

CONVS = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
MIXED = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|"
EMPTY = "|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|"


def latencies(cli, tmp_path, *extra):
    path = tmp_path / "archs.txt"
    path.write_text("\n".join((CONVS, MIXED, EMPTY)) + "\n")
    code, out, err = cli("evaluate", "--space", "nb201", "--arch-file", str(path), "--accelerator", "edge_tpu",
                         "--json", *extra)
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert [r["arch"] for r in lines] == [CONVS, MIXED, EMPTY]
    return [r["latency_s"] for r in lines]


def test_nb201_edge_tpu_latencies_one_json_line_each(cli, tmp_path):
    convs, mixed, empty = latencies(cli, tmp_path)
    assert convs > mixed > empty > 0
    # Every dispatched operation costs the preset's fixed time: without it all three are faster,
    # the near-empty network (few, tiny layers) by the largest fraction.
    bare = latencies(cli, tmp_path, "--set", "op_overhead_us=0")
    assert all(b < t for b, t in zip(bare, (convs, mixed, empty), strict=True))
    assert 1 - bare[2] / empty > 1 - bare[0] / convs
