"""The set-up benchmark copies only what the install reads, and sizes folders correctly."""

from __future__ import annotations

from bench.setup import PROJECT_FILES, copy_project, folder_size


def test_copy_project_has_what_pip_needs_and_nothing_else(tmp_path):
    dest = copy_project(tmp_path / "project")
    assert sorted(p.name for p in dest.iterdir()) == sorted(PROJECT_FILES)
    assert (dest / "course" / "device.py").is_file()
    assert not list(dest.rglob("__pycache__"))
    assert not (dest / ".venv").exists()


def test_folder_size_counts_files_not_links(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 1000)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_bytes(b"y" * 24)
    (tmp_path / "link").symlink_to(tmp_path / "a")
    assert folder_size(tmp_path) == 1024
