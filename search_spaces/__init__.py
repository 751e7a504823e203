"""Architecture search spaces, one file each, registered in ``codesign.spaces.SPACES``."""
