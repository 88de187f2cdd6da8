"""No test reaches the user's real state, config or cache: the root conftest points every dir
followcal or platformdirs would use into the test's own temporary folder (and the session-wide
`real_user_dirs_untouched` fixture fails the run if a file in the real ones changed anyway)."""

from __future__ import annotations

from pathlib import Path

from followcal import config
from followcal.core import holiday_cache


def test_every_user_dir_is_inside_the_test_folder(isolated_user_dirs: Path,
                                                  real_user_dirs_untouched: list[Path]) -> None:
    used = [config.state_dir(create=False), config.default_config_path(), holiday_cache.cache_dir()]
    for path in used:
        assert isolated_user_dirs in path.parents, path
    for real in real_user_dirs_untouched:
        assert all(real != p and real not in p.parents for p in used)


def test_the_config_env_variable_does_not_leak_in() -> None:
    import os

    assert "FOLLOWCAL_CONFIG" not in os.environ


def test_the_real_dirs_are_the_users_own_under_xdist_too(real_user_dirs_untouched: list[Path]) -> None:
    """An xdist worker starts with the controller's redirected environment: the dirs it guards
    must still be the user's real ones (passed on by the controller), not the controller's
    temporary ones, or the session check would watch the wrong folders."""
    assert len(real_user_dirs_untouched) == 3
    for real in real_user_dirs_untouched:
        assert "followcal-tests-" not in str(real), real
