"""Every registered plugin's ``Options`` model (spaces, proxies, stages, sub-spaces) through the
one validator, ``codesign.options.validate_options``; and the experiment cases of the corpus
through the API (``Experiment.build(parse_config(...))``), where ``parse_config`` checks structure
and ``Experiment.build`` the rest: either way one ``ConfigError`` naming the field."""
from __future__ import annotations

import pytest
import yaml

from codesign.errors import ConfigError
from tests.badinput.corpus import all_cases, plugin_option_faults

FAULTS = plugin_option_faults()
EXPERIMENT_CASES = [c for c in all_cases() if c.id.startswith("experiment:") and isinstance(c.files["exp.yaml"], str)]


@pytest.mark.parametrize("fault", FAULTS, ids=[f[0] for f in FAULTS])
def test_plugin_option_fault_is_one_line_naming_the_field(fault):
    from codesign.options import validate_options

    _, model, raw, where, needle = fault
    with pytest.raises(ConfigError) as info:
        validate_options(model, raw, where)
    message = str(info.value)
    assert "\n" not in message and needle in message, message


def test_every_plugin_kind_is_covered():
    kinds = {f[0].split(":")[0] for f in FAULTS}
    assert kinds == {"space", "proxy", "stage", "subspace"}


@pytest.mark.parametrize("case", EXPERIMENT_CASES, ids=[c.id for c in EXPERIMENT_CASES])
def test_the_api_refuses_what_the_cli_refuses(case):
    from codesign.config.schema import parse_config
    from codesign.search.experiment import Experiment

    data = yaml.safe_load(case.files["exp.yaml"])
    with pytest.raises(ConfigError) as info:
        Experiment.build(parse_config(data))
    message = str(info.value)
    assert "\n" not in message and case.needle in message, message
