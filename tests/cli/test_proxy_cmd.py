import json

from tests.cli.test_cli import ARCH, SPACE_ARGS


def test_proxy_scores_as_json_lines(cli, tmp_path):
    other = ARCH.replace("k5", "k3")
    path = tmp_path / "archs.txt"
    path.write_text(f"{ARCH}\n{other}\n")
    code, out, err = cli("proxy", *SPACE_ARGS, "--arch-file", str(path), "--proxy", "naswot,synflow",
                         "--proxy", "params", "--json")
    assert code == 0, err
    rows = [json.loads(line) for line in out.strip().splitlines()]
    assert [r["arch"] for r in rows] == [ARCH, other]
    for row in rows:
        assert set(row["scores"]) == {"naswot", "synflow", "params"} and not row["errors"]
        assert all(isinstance(v, float) for v in row["scores"].values())
    assert rows[0]["scores"]["params"] != rows[1]["scores"]["params"]


def test_proxy_with_real_data_is_deterministic(cli):
    argv = ["proxy", *SPACE_ARGS, "--arch", ARCH, "--proxy", "grad_norm", "--data", "digits", "--batch-size", "8"]
    first, second = cli(*argv), cli(*argv)
    assert first[0] == 0 and json.loads(first[1])["scores"] == json.loads(second[1])["scores"]


def test_proxy_errors(cli):
    code, _, err = cli("proxy", *SPACE_ARGS, "--arch", ARCH, "--proxy", "magic")
    assert code == 2 and "--proxy: unknown proxy 'magic'" in err
    code, _, err = cli("proxy", *SPACE_ARGS, "--arch", "bad-key", "--proxy", "naswot")
    assert code == 2 and "is not an mbconv key" in err
