"""Instances behind one proxy must sign sessions with one secret: AVAL_STORAGE_SECRET gives
it to all of them; without it each data dir keeps its own."""

from __future__ import annotations

from pathlib import Path

from config import Config


def test_the_storage_secret_comes_from_the_environment_when_given(tmp_path: Path) -> None:
    env = {"AVAL_DATA_DIR": str(tmp_path / "a"), "AVAL_STORAGE_SECRET": "s3cret-shared-by-all-instances"}
    assert Config.from_env(env).secret("storage") == "s3cret-shared-by-all-instances"
    assert not (tmp_path / "a" / "storage.secret").exists()
    assert "s3cret" not in repr(Config.from_env(env))


def test_without_it_each_data_dir_makes_and_keeps_its_own(tmp_path: Path) -> None:
    first = Config.from_env({"AVAL_DATA_DIR": str(tmp_path / "a")})
    other = Config.from_env({"AVAL_DATA_DIR": str(tmp_path / "b")})
    assert first.secret("storage") == first.secret("storage")
    assert len(first.secret("storage")) >= 32
    assert first.secret("storage") != other.secret("storage")
