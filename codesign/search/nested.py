"""Nested search, as NAAS does (Lin et al., DAC 2021): an outer search over architectures and,
for each architecture it proposes, an inner search of ``inner_trials`` accelerators.

Everything lives in the one study, so fronts, status and resume work as for any strategy:

- trials are grouped in *rounds*: round ``r`` holds ``inner_trials`` trials (its *slots*) that
  share one architecture; round and slot are stored on each trial (system attributes);
- slot 0 draws the architecture from the **outer** sampler, which sees one trial per finished
  round: the round's architecture parameters, and as values the best each objective reached over
  the round's feasible trials (the architecture's ideal point on the accelerators tried; with no
  feasible trial, the least-violating trial's values and constraints). NAAS likewise scores an
  architecture by the best accelerator its inner search found;
- every slot draws the accelerator from the **inner** sampler; later slots copy slot 0's
  architecture. By default one inner sampler sees every round's trials, so what it learns about
  accelerators carries over between architectures (``shared_inner``); NAAS's strict form, a fresh
  inner sampler per round (seeded per round) that sees only that round's trials, is
  ``shared_inner: false``.

The samplers are ordinary Optuna samplers given a filtered view of the study (``_StudyView``):
they read trials through it and write their bookkeeping (an NSGA-II generation, say) to the real
trials, so that state is in the journal and survives a resume.

The study's trials are read and grouped by round once per asked trial (``_rounds``), and every
view and every parameter copied from a round's head is answered from that index, so the work per
ask is linear in the trials (it used to rescan them for each architecture parameter).
"""
from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Callable, Container, Sequence
from typing import Any

import optuna
from optuna.distributions import BaseDistribution
from optuna.samplers import BaseSampler
from optuna.study import StudyDirection
from optuna.trial import FrozenTrial, TrialState

from codesign.search import optuna_internals as internals

# A trial a killed run left running carries REQUEUED_ATTR (its copy carries ``REQUEUE_OF_ATTR``).
from codesign.storage.trial_attrs import REQUEUE_OF_ATTR, REQUEUED_ATTR, ROUND_KEY, SLOT_KEY

_CONSTRAINT_PREFIX = "constraints:"
_INNER_CACHE = 4


class _StudyView(optuna.Study):
    """A study that shows a sampler the trials it is given (the storage is the real one)."""

    def __init__(self, study: optuna.Study, trials: list[FrozenTrial]) -> None:  # noqa: D107
        # Deliberately not Study.__init__: the view shares the real study's identity and storage.
        internals.init_study_view(self, study)
        self._view_trials = trials

    def _get_trials(self, deepcopy: bool = True, states: Container[TrialState] | None = None,
                    use_cache: bool = False) -> list[FrozenTrial]:
        trials = [t for t in self._view_trials if states is None or t.state in states]
        return copy.deepcopy(trials) if deepcopy else trials

    def get_trials(self, deepcopy: bool = True, states: Container[TrialState] | None = None) -> list[FrozenTrial]:
        return self._get_trials(deepcopy=deepcopy, states=states)


def _violation(trial: FrozenTrial) -> float:
    return sum(v for v in trial.constraints.values() if v > 0)


class NestedSampler(BaseSampler):
    """Outer sampler for the parameters of the ``outer`` sub-spaces (a parameter ``NAME.dim``
    belongs to sub-space ``NAME``), an inner sampler for the rest."""

    def __init__(self, outer: BaseSampler, inner_factory: Callable[[int], BaseSampler], inner_trials: int,
                 outer_subspaces: tuple[str, ...] = ("arch",), shared_inner: bool = False) -> None:
        if inner_trials < 1:
            raise ValueError("inner_trials must be >= 1")
        self.outer = outer
        self.inner_factory = inner_factory
        self.inner_trials = inner_trials
        self.outer_subspaces = frozenset(outer_subspaces)
        #: One inner sampler that sees every round's trials (accelerator knowledge carries over
        #: between architectures) instead of a fresh one per round.
        self.shared_inner = shared_inner
        self._inner: OrderedDict[int, BaseSampler] = OrderedDict()
        self._slots: dict[int, tuple[int, int]] = {}  # trial id -> (round, slot), this process
        self._last: tuple[int, int] | None = None
        # Views and the round index built for the trial being sampled (other trials do not
        # change meanwhile).
        self._views: tuple[int, dict[Any, Any]] = (-1, {})

    # -- rounds ---------------------------------------------------------------------------------
    def _is_outer(self, name: str) -> bool:
        """Whether parameter ``name`` belongs to an outer sub-space."""
        return name.partition(".")[0] in self.outer_subspaces

    def _slot_of(self, study: optuna.Study, trial: FrozenTrial) -> tuple[int, int]:
        if internals.trial_id(trial) in self._slots:
            return self._slots[internals.trial_id(trial)]
        attrs = trial.system_attrs if ROUND_KEY in trial.system_attrs else internals.system_attrs(study, trial)
        return int(attrs[ROUND_KEY]), int(attrs[SLOT_KEY])

    @staticmethod
    def _round(t: FrozenTrial) -> int | None:
        r = t.system_attrs.get(ROUND_KEY)
        return None if r is None else int(r)

    def _next_slot(self, study: optuna.Study) -> tuple[int, int]:
        if self._last is None:
            assigned = [(int(t.system_attrs[ROUND_KEY]), int(t.system_attrs[SLOT_KEY]))
                        for t in internals.all_trials(study)
                        if ROUND_KEY in t.system_attrs]
            self._last = max(assigned, default=(-1, self.inner_trials - 1))
        r, j = self._last
        return (r, j + 1) if j + 1 < self.inner_trials else (r + 1, 0)

    def _inner_sampler(self, r: int) -> BaseSampler:
        if self.shared_inner:
            r = -1
        if r not in self._inner:
            self._inner[r] = self.inner_factory(r)
            while len(self._inner) > _INNER_CACHE:
                self._inner.popitem(last=False)
        self._inner.move_to_end(r)
        return self._inner[r]

    # -- views ----------------------------------------------------------------------------------
    def _all(self, study: optuna.Study) -> list[FrozenTrial]:
        return internals.all_trials(study)

    def _cached(self, trial: FrozenTrial, key: Any, build: Callable[[], Any]) -> Any:
        owner, views = self._views
        if owner != internals.trial_id(trial):
            views = {}
            self._views = (internals.trial_id(trial), views)
        if key not in views:
            views[key] = build()
        return views[key]

    def _trials(self, study: optuna.Study, trial: FrozenTrial) -> list[FrozenTrial]:
        """Every trial of the study, read once per asked trial."""
        return self._cached(trial, "trials", lambda: self._all(study))

    def _rounds(self, study: optuna.Study, trial: FrozenTrial) -> dict[int | None, list[FrozenTrial]]:
        """The study's trials by round (``None``: no round yet), read once per asked trial."""
        def build() -> dict[int | None, list[FrozenTrial]]:
            rounds: dict[int | None, list[FrozenTrial]] = {}
            for t in self._trials(study, trial):
                rounds.setdefault(self._round(t), []).append(t)
            return rounds
        return self._cached(trial, "rounds", build)

    def _round_view(self, study: optuna.Study, r: int, trial: FrozenTrial) -> _StudyView:
        if self.shared_inner:
            return self._cached(trial, "all", lambda: _StudyView(study, list(self._trials(study, trial))))
        return self._cached(trial, r, lambda: _StudyView(study, list(self._rounds(study, trial).get(r, []))))

    def _outer_view(self, study: optuna.Study, trial: FrozenTrial) -> _StudyView:
        return self._cached(trial, "outer", lambda: self._build_outer_view(study, trial))

    def _build_outer_view(self, study: optuna.Study, trial: FrozenTrial) -> _StudyView:
        view = []
        rounds = self._rounds(study, trial)
        for r in sorted(r for r in rounds if r is not None):
            everyone = rounds[r]
            members = [t for t in everyone if not t.user_attrs.get(REQUEUED_ATTR)]
            head = next((t for t in members if t.system_attrs.get(SLOT_KEY) == 0), None)
            if head is not None:
                view.append(self._outer_trial(study, r, head, members))
        return _StudyView(study, view)

    def _outer_trial(self, study: optuna.Study, r: int, head: FrozenTrial, members: list[FrozenTrial]) -> FrozenTrial:
        """Round ``r`` as one trial of the outer search (see the module docstring)."""
        params = {k: v for k, v in head.params.items() if self._is_outer(k)}
        dists = {k: v for k, v in head.distributions.items() if self._is_outer(k)}
        system_attrs = {k: v for k, v in head.system_attrs.items() if not k.startswith(_CONSTRAINT_PREFIX)}
        finished = [t for t in members if t.state.is_finished()]
        complete = [t for t in finished if t.state == TrialState.COMPLETE and t.values is not None]
        state, values = TrialState.RUNNING, None
        if len(finished) >= self.inner_trials:
            state = TrialState.COMPLETE if complete else TrialState.FAIL
        if state == TrialState.COMPLETE:
            feasible = [t for t in complete if _violation(t) <= 0]
            if feasible:
                values = []
                for i, direction in enumerate(study.directions):
                    column = [t.values[i] for t in feasible]
                    values.append(max(column) if direction == StudyDirection.MAXIMIZE else min(column))
                keys = {k for t in feasible for k in t.constraints}
                constraints = {k: min(t.constraints.get(k, 0.0) for t in feasible) for k in keys}
            else:
                best = min(complete, key=_violation)
                values, constraints = list(best.values), dict(best.constraints)
            system_attrs.update({f"{_CONSTRAINT_PREFIX}{k}": v for k, v in constraints.items()})
        return FrozenTrial(
            number=r, state=state, value=None, values=values, datetime_start=head.datetime_start,
            datetime_complete=head.datetime_complete if state.is_finished() else None, params=params,
            distributions=dists, user_attrs={}, system_attrs=system_attrs, intermediate_values={},
            trial_id=internals.trial_id(head),
        )

    # -- the sampler interface ------------------------------------------------------------------
    def before_trial(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if ROUND_KEY in trial.system_attrs:
            r, j = int(trial.system_attrs[ROUND_KEY]), int(trial.system_attrs[SLOT_KEY])
        elif REQUEUE_OF_ATTR in trial.user_attrs:  # a re-queued trial keeps its place
            original = internals.trial_by_number(study, int(trial.user_attrs[REQUEUE_OF_ATTR]))
            r, j = self._slot_of(study, original)
        else:
            r, j = self._next_slot(study)
            self._last = (r, j)
        internals.set_system_attr(study, trial, ROUND_KEY, r)
        internals.set_system_attr(study, trial, SLOT_KEY, j)
        self._slots[internals.trial_id(trial)] = (r, j)
        if j == 0:
            self.outer.before_trial(self._outer_view(study, trial), trial)
        self._inner_sampler(r).before_trial(self._round_view(study, r, trial), trial)

    def infer_relative_search_space(self, study: optuna.Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        r, j = self._slot_of(study, trial)
        space = {}
        if j == 0:
            outer = self.outer.infer_relative_search_space(self._outer_view(study, trial), trial)
            space.update({k: v for k, v in outer.items() if self._is_outer(k)})
        inner = self._inner_sampler(r).infer_relative_search_space(self._round_view(study, r, trial), trial)
        space.update({k: v for k, v in inner.items() if not self._is_outer(k)})
        return space

    def sample_relative(self, study: optuna.Study, trial: FrozenTrial,
                        search_space: dict[str, BaseDistribution]) -> dict[str, Any]:
        r, j = self._slot_of(study, trial)
        outer_space = {k: v for k, v in search_space.items() if self._is_outer(k)}
        inner_space = {k: v for k, v in search_space.items() if not self._is_outer(k)}
        out: dict[str, Any] = {}
        if outer_space:
            out.update(self.outer.sample_relative(self._outer_view(study, trial), trial, outer_space))
        if inner_space:
            out.update(self._inner_sampler(r).sample_relative(self._round_view(study, r, trial), trial, inner_space))
        return out

    def sample_independent(self, study: optuna.Study, trial: FrozenTrial, param_name: str,
                           param_distribution: BaseDistribution) -> Any:
        r, j = self._slot_of(study, trial)
        if self._is_outer(param_name):
            if j > 0:
                head = next((t for t in self._rounds(study, trial).get(r, [])
                             if t.system_attrs.get(SLOT_KEY) == 0 and param_name in t.params), None)
                if head is not None:
                    return head.params[param_name]
            return self.outer.sample_independent(self._outer_view(study, trial), trial, param_name, param_distribution)
        return self._inner_sampler(r).sample_independent(self._round_view(study, r, trial), trial, param_name,
                                                         param_distribution)

    def after_trial(self, study: optuna.Study, trial: FrozenTrial, state: TrialState,
                    values: Sequence[float] | None) -> None:
        r, _ = self._slot_of(study, trial)
        self._views = (-1, {})
        self._inner_sampler(r).after_trial(self._round_view(study, r, trial), trial, state, values)
        self._slots.pop(internals.trial_id(trial), None)

    def reseed_rng(self) -> None:
        self.outer.reseed_rng()
        for sampler in self._inner.values():
            sampler.reseed_rng()
