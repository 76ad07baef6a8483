"""Tests of autograder.collect through the real ``nbgrader zip_collect``: who sent a notebook and
when come from the learning platform's download and roster, and hostile archives are skipped.

The course is the 00_demo chapter of tests/autograder/chapter.py. Students' zips are made by
``submit`` (or crafted by hand where a student would craft them) and laid out in
downloaded/00_demo/archive/ the way Moodle's and Canvas's "Download all submissions" name them.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from nbformat import NotebookNode

from autograder.cli import main
from autograder.score import score_notebook
from autograder.submit import MANIFEST, STUDENT_ENV, submit
from tests.autograder.chapter import (
    ASSIGNMENT,
    EARLY,
    LATE,
    NOTEBOOK,
    RIGHT_DOUBLE,
    RIGHT_SCALE,
    WRONG_DOUBLE,
    answer,
)
from tests.autograder.conftest import save
from tests.timeouts import hang_guard

# Moodle's grading worksheet: its columns, as the collector is told about them on the command line.
WORKSHEET = [
    "--LmsCollector.platform_id_column=Identifier",
    "--LmsCollector.student_id_column=ID number",
    "--LmsCollector.time_column=Last modified (submission)",
    "--LmsCollector.timezone=Europe/Paris",
]


@pytest.fixture
def root(course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo course (zip_collect and grading write into it)."""
    copy = tmp_path / "course"
    shutil.copytree(course, copy, ignore=shutil.ignore_patterns("gradebook.db"))
    monkeypatch.setenv("COURSE_ROOT", str(copy))
    monkeypatch.delenv(STUDENT_ENV, raising=False)
    return copy


def archive_of(root: Path) -> Path:
    folder = root / "downloaded" / ASSIGNMENT / "archive"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def solved(release_nb: NotebookNode) -> NotebookNode:
    nb = answer(release_nb, "ex0_1_double", RIGHT_DOUBLE)
    nb = answer(nb, "ex0_2_scale", RIGHT_SCALE)
    return answer(nb, "written_ex0_3_explain", "Doubling is scaling by a factor of two.")


def notebook(tmp_path: Path, name: str, nb: NotebookNode) -> Path:
    """A student's workspace/00_demo/00_demo.ipynb holding ``nb``."""
    return save(nb, tmp_path / name / ASSIGNMENT / NOTEBOOK)


def made_zip(tmp_path: Path, name: str, nb: NotebookNode, student: str, when: datetime) -> Path:
    """The zip ``submit`` writes for ``nb`` as ``student`` at ``when`` (the student's own clock)."""
    return submit(ASSIGNMENT, student, notebook(tmp_path, name, nb), tmp_path / name, when).zip_path


def moodle_upload(root: Path, full_name: str, participant: int, upload: Path) -> Path:
    """Moodle's "Download all submissions" with folders: Full Name_ID_assignsubmission_file_/."""
    folder = archive_of(root) / f"{full_name}_{participant}_assignsubmission_file_"
    folder.mkdir(exist_ok=True)
    return Path(shutil.copy(upload, folder))


def canvas_upload(root: Path, lastfirst: str, user_id: int, upload: Path) -> Path:
    """Canvas's "Download Submissions": lastfirst_USERID_ATTACHMENTID_ORIGINALNAME."""
    return Path(
        shutil.copy(upload, archive_of(root) / f"{lastfirst}_{user_id}_{user_id + 7}_{upload.name}")
    )


def write_roster(root: Path, header: list[str], rows: list[list[str]]) -> None:
    """The platform's CSV export in downloaded/00_demo/roster.csv (with the BOM platforms write)."""
    path = root / "downloaded" / ASSIGNMENT / "roster.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle).writerows([header, *rows])


def zip_collect(root: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", "zip_collect", ASSIGNMENT, "--log-level=INFO", *options],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=hang_guard(120),
        check=False,
    )


def warnings_about(log: str, name: str) -> list[str]:
    return [line for line in log.splitlines() if "WARNING" in line and name in line]


def collected(root: Path) -> dict[str, bytes]:
    """{student: notebook bytes} of everything zip_collect put in submitted/."""
    folder = root / "submitted"
    if not folder.is_dir():
        return {}
    return {p.name: (p / ASSIGNMENT / NOTEBOOK).read_bytes() for p in sorted(folder.iterdir())}


def timestamp(root: Path, student: str) -> str:
    return (root / "submitted" / student / ASSIGNMENT / "timestamp.txt").read_text()


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


@pytest.mark.slow
def test_the_class_is_collected_and_graded(
    root: Path, tmp_path: Path, release_nb: NotebookNode, capsys: pytest.CaptureFixture[str]
) -> None:
    """Students submit through the command line; their honest zips raise no warning."""
    bob_nb = answer(solved(release_nb), "ex0_1_double", WRONG_DOUBLE)
    people = [
        ("alice", 501, "Alice Abara", solved(release_nb)),
        ("bob.smith-2", 502, "Bob Smith", bob_nb),
    ]
    rows = []
    for student, participant, full_name, nb in people:
        path = notebook(tmp_path, student, nb)
        assert main(["submit", ASSIGNMENT, "--student", student, "--notebook", str(path)]) == 0
        (made,) = (path.parents[1] / "submissions").glob("*.zip")
        assert str(made) in capsys.readouterr().out
        moodle_upload(root, full_name, participant, made)
        moodle_upload(root, full_name, participant, made.with_name(made.name + ".sha256"))
        with zipfile.ZipFile(made) as archive:
            made_at = datetime.fromisoformat(json.loads(archive.read(MANIFEST))["submitted_at"])
        uploaded_at = made_at + timedelta(minutes=3)
        rows.append([str(participant), student, uploaded_at.isoformat()])
    write_roster(root, ["platform_id", "student_id", "submitted_at"], rows)

    result = zip_collect(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 files collected" in result.stderr
    assert not warnings_about(result.stderr, "Archive"), result.stderr  # no claim disagrees
    # The manifests and checksum files are not notebooks: nbgrader skips them with a warning.
    skipped = warnings_about(result.stderr, "Skipped submission with no match")
    assert len(skipped) == 4 and all(line.endswith((".sha256", MANIFEST)) for line in skipped)
    assert collected(root) == {
        student: (tmp_path / student / ASSIGNMENT / NOTEBOOK).read_bytes()
        for student in ("alice", "bob.smith-2")
    }
    grades = {
        student: score_notebook(root / "submitted" / student / ASSIGNMENT / NOTEBOOK, root=root)
        for student in ("alice", "bob.smith-2")
    }
    assert (grades["alice"].score, grades["alice"].max_score) == (3, 3)
    assert grades["bob.smith-2"].score == 2


@pytest.mark.slow
def test_a_zip_named_for_another_student_replaces_nobodys_work(
    root: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    """Mallory uploads, under her own Moodle account, a zip that names Alice (name and manifest)
    and is newer than Alice's: nbgrader's plain collector gave it to Alice, over her work."""
    alice = made_zip(tmp_path, "alice", solved(release_nb), "alice", EARLY)
    forged = made_zip(tmp_path, "mallory", release_nb, "alice", LATE)
    moodle_upload(root, "Alice Abara", 501, alice)
    moodle_upload(root, "Mallory Doe", 502, forged)
    write_roster(
        root,
        ["platform_id", "student_id", "submitted_at"],
        [["501", "alice", "2026-03-01T09:02:00Z"], ["502", "mallory", "2026-03-01T17:31:00Z"]],
    )
    result = zip_collect(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert collected(root) == {
        "alice": (tmp_path / "alice" / ASSIGNMENT / NOTEBOOK).read_bytes(),
        "mallory": (tmp_path / "mallory" / ASSIGNMENT / NOTEBOOK).read_bytes(),
    }
    claims = warnings_about(
        result.stderr, f"Archive 'Mallory Doe_502_assignsubmission_file_/{forged.stem}/"
    )
    assert len(claims) == 2, result.stderr  # the zip's name and its manifest both claim Alice
    assert all("work of 'alice'" in line and "collected as mallory" in line for line in claims)
    assert all("Moodle id 502" in line for line in claims)
    assert timestamp(root, "alice").startswith("2026-03-01 09:02:00")
    assert timestamp(root, "mallory").startswith("2026-03-01 17:31:00")


@pytest.mark.slow
def test_a_backdated_stamp_does_not_change_the_recorded_time(
    root: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    """Bob sets his clock back before `submit`: the zip's name and manifest say 09:00 UTC, Moodle's
    grading worksheet says he submitted at 18:30 Paris time (17:30 UTC). Moodle decides."""
    backdated = made_zip(tmp_path, "bob", solved(release_nb), "bob", EARLY)
    moodle_upload(root, "Bob Smith", 4711, backdated)
    write_roster(
        root,
        ["Identifier", "Full name", "ID number", "Status", "Last modified (submission)"],
        [
            ["Participant 4711", "Bob Smith", "bob", "Submitted", "Sunday, 1 March 2026, 6:30 PM"],
            ["Participant 4712", "Carl Nobody", "carl", "No submission", "-"],
        ],
    )
    result = zip_collect(root, *WORKSHEET)
    assert result.returncode == 0, result.stdout + result.stderr
    assert list(collected(root)) == ["bob"]
    assert timestamp(root, "bob").startswith("2026-03-01 17:30:00")
    reported = warnings_about(
        result.stderr, f"Archive 'Bob Smith_4711_assignsubmission_file_/{backdated.stem}/"
    )
    assert len(reported) == 2, result.stderr
    assert all("gives the time 2026-03-01T09:00:00+00:00" in line for line in reported)
    assert all("platform recorded 2026-03-01T17:30:00+00:00" in line for line in reported)


def crafted_zip(path: Path, members: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    """A zip a student made by hand: members by name, and symbolic links (name: target)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return path


@pytest.mark.slow
def test_hostile_archives_are_skipped_with_a_reason_and_the_rest_is_collected(
    root: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    hand = tmp_path / "hand"
    good = made_zip(tmp_path, "alice", solved(release_nb), "alice", EARLY)
    data = good.read_bytes()
    escape = tmp_path / "escaped.ipynb"  # six levels above the upload's folder in extracted/
    outside = tmp_path / "outside"
    hostile = {
        "Eve Slip_2": (
            crafted_zip(hand / "slip.zip", {"../" * 6 + "escaped.ipynb": b"{}", NOTEBOOK: b"{}"}),
            "would be written outside",
        ),
        "Abe Solute_3": (
            crafted_zip(hand / "abs.zip", {str(outside / "abs.ipynb"): b"{}"}),
            "would be written outside",
        ),
        "Cora Rupt_4": (hand / "corrupt.zip", "BadZipFile"),
        "Lin Kage_5": (
            crafted_zip(hand / "link.zip", {}, {NOTEBOOK: "/etc/passwd"}),
            "is a symbolic link",
        ),
        "Bo Mb_6": (
            crafted_zip(hand / "bomb.zip", {NOTEBOOK: b"0" * 3_000_000}),
            "more than the limit of 1000000",
        ),
        "Manny Members_7": (
            crafted_zip(hand / "many.zip", {f"{i}.txt": b"" for i in range(101)}),
            "101 members",
        ),
    }
    (hand / "corrupt.zip").write_bytes(b"PK\x03\x04" + os.urandom(300))
    moodle_upload(root, "Alice Abara", 1, good)
    for name, (upload, _) in hostile.items():
        full_name, participant = name.rsplit("_", 1)
        moodle_upload(root, full_name, int(participant), upload)
    # A link in the download itself (to another folder holding a valid zip) is not followed.
    outside.mkdir()
    shutil.copy(good, outside / good.name)
    (archive_of(root) / "Trudy Link_8_assignsubmission_file_").symlink_to(outside)
    moodle_upload(root, "Zoe Zed", 9, made_zip(tmp_path, "zoe", release_nb, "zoe", EARLY))
    students = ["alice", "eve", "abe", "cora", "lin", "bo", "manny", "trudy", "zoe"]
    write_roster(
        root,
        ["platform_id", "student_id", "submitted_at"],
        [[str(i), s, "2026-03-01T09:05:00Z"] for i, s in enumerate(students, start=1)],
    )
    before = files_under(tmp_path)

    result = zip_collect(root, "--SafeExtractor.max_bytes=1000000")
    assert result.returncode == 0, result.stdout + result.stderr
    for name, (upload, reason) in hostile.items():
        (line,) = warnings_about(
            result.stderr, f"Skipped upload '{name}_assignsubmission_file_/{upload.name}'"
        )
        assert reason in line, line
    (line,) = warnings_about(result.stderr, "Skipped upload 'Trudy Link_8_assignsubmission_file_':")
    assert "link" in line
    assert "Uploads extracted: 2, skipped: 7" in result.stderr
    assert collected(root) == {
        "alice": (tmp_path / "alice" / ASSIGNMENT / NOTEBOOK).read_bytes(),
        "zoe": (tmp_path / "zoe" / ASSIGNMENT / NOTEBOOK).read_bytes(),
    }
    assert good.read_bytes() == data
    # Nothing was written outside extracted/ and submitted/; no skipped upload left files there.
    extracted = root / "downloaded" / ASSIGNMENT / "extracted"
    new = files_under(tmp_path) - before
    allowed = (extracted, root / "submitted")
    assert all(any(a in (p, *p.parents) for a in allowed) for p in new), new
    assert not escape.exists() and not (outside / "abs.ipynb").exists()
    assert sorted(p.name for p in extracted.iterdir()) == [
        "Alice Abara_1_assignsubmission_file_",
        "Zoe Zed_9_assignsubmission_file_",
    ]
    assert not any(p.is_symlink() for p in extracted.rglob("*"))


@pytest.mark.slow
def test_uploads_nobody_vouches_for_are_skipped_with_the_reason(
    root: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    """A zip the platform did not name, an uploader missing from the roster, and a second notebook
    with the same time as the first (nbgrader would abort the class on that tie)."""
    loose = made_zip(tmp_path, "loose", solved(release_nb), "alice", EARLY)
    shutil.copy(loose, archive_of(root))  # how zips were collected before: named by the student
    stranger = made_zip(tmp_path, "stranger", solved(release_nb), "sam", EARLY)
    moodle_upload(root, "Sam Stranger", 99, stranger)
    first = made_zip(tmp_path, "first", solved(release_nb), "carol", EARLY)
    second = made_zip(tmp_path, "second", release_nb, "carol", EARLY + timedelta(minutes=1))
    moodle_upload(root, "Carol Two", 7, first)
    moodle_upload(root, "Carol Two", 7, second)
    write_roster(
        root,
        ["platform_id", "student_id", "submitted_at"],
        [["1", "alice", "2026-03-01T09:05:00Z"], ["7", "carol", "2026-03-01T09:05:00Z"]],
    )
    result = zip_collect(root)
    assert result.returncode == 0, result.stdout + result.stderr
    (line,) = warnings_about(result.stderr, f"Skipped '{loose.stem}/{NOTEBOOK}'")
    assert "not a learning platform's name" in line
    (line,) = warnings_about(result.stderr, "Skipped 'Sam Stranger_99_")
    assert "Moodle id 99 is not in the roster" in line
    (line,) = warnings_about(
        result.stderr, f"Skipped 'Carol Two_7_assignsubmission_file_/{second.stem}"
    )
    assert (
        f"carol already has {NOTEBOOK} from 'Carol Two_7_assignsubmission_file_/{first.stem}"
        in line
    )
    assert collected(root) == {"carol": (tmp_path / "first" / ASSIGNMENT / NOTEBOOK).read_bytes()}


@pytest.mark.slow
def test_the_newest_upload_by_the_platforms_time_wins(
    root: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    """Canvas, downloaded with a tool that keeps the platform's file times (time_source = mtime):
    of Dave's two uploads the later one counts, whatever the stamps in their names say."""
    older = made_zip(tmp_path, "older", release_nb, "dave", LATE)
    newer = made_zip(tmp_path, "newer", solved(release_nb), "dave", EARLY)
    uploaded = {older: LATE + timedelta(days=1), newer: LATE + timedelta(days=2)}
    for made, when in uploaded.items():
        path = canvas_upload(root, "ddave", 31, made)
        os.utime(path, (when.timestamp(), when.timestamp()))
    write_roster(
        root,
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Exercise 0 (1)"],
        [
            ["    Points Possible", "", "", "", "", "3.00"],
            ["Dave, Dave", "31", "S0031", "dave", "A", ""],
        ],
    )
    result = zip_collect(
        root,
        "--LmsCollector.platform_id_column=ID",
        "--LmsCollector.student_id_column=SIS Login ID",
        "--LmsCollector.time_source=mtime",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert collected(root) == {"dave": (tmp_path / "newer" / ASSIGNMENT / NOTEBOOK).read_bytes()}
    assert timestamp(root, "dave").startswith("2026-03-03 17:30:05")


def test_without_a_roster_nothing_is_collected(
    root: Path, tmp_path: Path, release_nb: NotebookNode
) -> None:
    moodle_upload(root, "Alice Abara", 1, made_zip(tmp_path, "a", release_nb, "alice", EARLY))
    result = zip_collect(root)
    assert result.returncode != 0
    assert f"no roster at {root / 'downloaded' / ASSIGNMENT / 'roster.csv'}" in result.stderr
    assert not (root / "submitted").exists()
