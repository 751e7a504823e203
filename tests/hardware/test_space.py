import optuna
import pytest

from accelerators.systolic import SystolicArray
from codesign.errors import ConfigError
from codesign.hardware.space import HardwareSpace


def test_sample_and_recover_from_params():
    space = HardwareSpace.build(SystolicArray(bits=16), {"rows": [4, 8], "dataflow": ["ws", "os"],
                                                         "clock_mhz": {"low": 100, "high": 1000, "log": True}}, "s")
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    trial = study.ask()
    hw = space.sample(trial)
    assert hw.rows in (4, 8) and hw.dataflow in ("ws", "os") and 100 <= hw.clock_mhz <= 1000
    assert hw.bits == 16
    assert space.from_params(trial.params) == hw


@pytest.mark.parametrize("search,message", [
    ({"rowz": [1]}, "s.rowz: unknown parameter"),
    ({"dataflow": ["ws", "xs"]}, "s.dataflow: unknown value 'xs'"),
    ({"rows": []}, "s.rows: needs at least one choice"),
    ({"rows": {"low": 8}}, "s.rows: a range needs 'low' and 'high'"),
    ({"rows": {"low": 8, "high": 4}}, "s.rows: low (8) is above high (4)"),
    ({"rows": ["x"]}, "s.rows: must be an integer"),
    ({"rows": 8}, "s.rows: expected a list of choices"),
])
def test_bad_ranges_name_the_field(search, message):
    with pytest.raises(ConfigError) as info:
        HardwareSpace.build(SystolicArray(), search, "s")
    assert str(info.value).startswith(message)
