"""Architecture search spaces (registered in ``SPACES``; built-ins in ``search_spaces/``)."""
from codesign.spaces.arch import ArchSpec
from codesign.spaces.base import SPACES, SearchSpace, SpaceOptions, create_space

__all__ = ["ArchSpec", "SPACES", "SearchSpace", "SpaceOptions", "create_space"]
