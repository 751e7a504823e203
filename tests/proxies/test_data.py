import numpy as np
import pytest
import torch

from codesign.errors import ConfigError
from codesign.proxies.data import proxy_batch


@pytest.mark.parametrize("source", ["digits", "mnist"])
def test_packaged_sources_give_resized_standardised_batches(source):
    batch = proxy_batch(source, (3, 32, 32), 16, 10, seed=1)
    assert batch.inputs.shape == (16, 3, 32, 32) and batch.targets.shape == (16,)
    assert abs(float(batch.inputs.mean())) < 1e-4 and float(batch.inputs.std()) == pytest.approx(1.0, rel=0.05)
    assert int(batch.targets.max()) < 10 and len(set(batch.targets.tolist())) > 1
    again = proxy_batch(source, (3, 32, 32), 16, 10, seed=1)
    assert torch.equal(batch.inputs, again.inputs)
    assert not torch.equal(batch.inputs, proxy_batch(source, (3, 32, 32), 16, 10, seed=2).inputs)


def test_labels_fold_into_fewer_classes():
    assert int(proxy_batch("digits", (1, 8, 8), 64, 3).targets.max()) < 3


def test_image_folder(tmp_path):
    from PIL import Image

    rng = np.random.default_rng(0)
    for label in ("cat", "dog"):
        (tmp_path / label).mkdir()
        for i in range(3):
            size = (20, 16) if i else (12, 12)  # mixed sizes are resized
            Image.fromarray(rng.integers(0, 255, (*size, 3), dtype=np.uint8)).save(tmp_path / label / f"{i}.png")
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    batch = proxy_batch("folder", (3, 24, 24), 4, 2, seed=0, data_path=str(tmp_path))
    assert batch.inputs.shape == (4, 3, 24, 24)
    assert set(batch.targets.tolist()) <= {0, 1}


@pytest.mark.parametrize("kwargs,needle", [
    ({"source": "folder"}, "needs data_path"),
    ({"source": "folder", "data_path": "/no/such/dir"}, "not found"),
    ({"source": "imagenet"}, "unknown data source"),
])
def test_bad_sources(kwargs, needle):
    source = kwargs.pop("source")
    with pytest.raises(ConfigError, match=needle):
        proxy_batch(source, (3, 8, 8), 4, 10, **kwargs)


def test_batch_larger_than_the_data_set():
    with pytest.raises(ConfigError, match="exceeds the 1797 images"):
        proxy_batch("digits", (1, 8, 8), 2000, 10)


def test_synthetic_images_have_a_natural_one_over_f_spectrum():
    batch = proxy_batch("synthetic", (3, 64, 64), 32, 10, seed=0)
    x = batch.inputs.double()
    assert x.shape == (32, 3, 64, 64)
    assert abs(float(x.mean())) < 1e-6 and float(x.std()) == pytest.approx(1.0, rel=1e-3)
    amplitude = torch.fft.fft2(x).abs().mean(dim=(0, 1))
    f = torch.fft.fftfreq(64, dtype=torch.float64)
    radius = torch.sqrt(f[:, None] ** 2 + f[None, :] ** 2)
    keep = (radius > 0.02) & (radius < 0.45)
    slope = np.polyfit(np.log(radius[keep].numpy()), np.log(amplitude[keep].numpy()), 1)[0]
    assert slope == pytest.approx(-1.0, abs=0.1)  # |F(f)| ~ 1/f, as natural images (Field 1987)
    white = proxy_batch("gaussian", (3, 64, 64), 32, 10, seed=0).inputs.double()
    white_amplitude = torch.fft.fft2(white).abs().mean(dim=(0, 1))
    assert abs(np.polyfit(np.log(radius[keep].numpy()), np.log(white_amplitude[keep].numpy()), 1)[0]) < 0.1
    assert torch.equal(batch.inputs, proxy_batch("synthetic", (3, 64, 64), 32, 10, seed=0).inputs)
    assert torch.equal(batch.targets, proxy_batch("gaussian", (3, 64, 64), 32, 10, seed=0).targets)


def test_synthetic_non_image_inputs_stay_white_noise():
    from codesign.proxies.base import synthetic_batch

    assert synthetic_batch((16,), 4, 2).inputs.shape == (4, 16)
    with pytest.raises(ValueError, match="unknown spectrum"):
        synthetic_batch((3, 8, 8), 4, 2, spectrum="pink")


def test_config_and_cli_list_the_same_sources():
    """The experiment schema and `codesign proxy --data` name every source the loader knows."""
    import typing

    from codesign.cli.main import _parser as build_parser
    from codesign.config.schema import ProxySection
    from codesign.proxies.data import SOURCES

    assert typing.get_args(ProxySection.model_fields["data"].annotation) == SOURCES
    proxy_parser = build_parser()._subparsers._group_actions[0].choices["proxy"]
    data_action = next(a for a in proxy_parser._actions if a.dest == "data")
    assert tuple(data_action.choices) == SOURCES


def test_cached_synthetic_batches_are_handed_out_as_copies():
    first = proxy_batch("synthetic", (3, 8, 8), 4, 2, seed=3)
    expected = first.inputs.clone()
    first.inputs.mul_(0)  # a proxy modifying its batch must not change the next architecture's
    assert torch.equal(proxy_batch("synthetic", (3, 8, 8), 4, 2, seed=3).inputs, expected)
