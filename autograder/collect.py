"""Plugins for ``nbgrader zip_collect``: who sent a notebook and when come from the learning
platform, never from the student's zip, and a bad archive is reported and skipped.

A zip's own name and its SUBMISSION.json are written by the student, so they can name anyone and
any time. The instructor's side knows better: a learning platform's bulk download ("Download all
submissions") names each upload after its uploader's id on the platform, and the platform exports a
CSV (the roster) that maps those ids to the course's student ids and, on Moodle, records when each
submission was made. nbgrader_config.py puts both plugins into zip_collect:

- ``SafeExtractor`` unpacks each upload in ``downloaded/ASSIGNMENT/archive/`` into its own folder
  of ``extracted/``, all or nothing: a corrupt or encrypted zip, a member that would land outside
  that folder (``../``, an absolute path), a link or other special member, too many members or too
  many bytes, and links in archive/ itself are logged as "Skipped upload ..." with the reason, and
  the rest of the class is still collected. Archives inside archives are left packed.
- ``LmsCollector`` reads the platform id from the first component of each extracted path (the
  platform's name for the upload, which the student does not choose), maps it to a student with the
  roster, takes the time from the roster (or the upload's file time, or none, as configured), and
  logs a warning naming the archive when the zip claims another student or a different time.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePath, PurePosixPath
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateparser
from nbgrader.plugins import ExtractorPlugin, FileNameCollectorPlugin
from traitlets import Enum, Float, Int, List, Unicode

from autograder.settings import SUBMISSION_STAMP_FORMAT
from autograder.submit import MANIFEST, STUDENT_RE

# How learning platforms name each upload in their bulk download; the named group is the
# uploader's id on the platform. Both match from the start of the name, where the platform writes
# the uploader's name and id, before the student's own file name; an id missing from the roster
# is skipped.
PLATFORM_NAMES = {
    # "Full Name_12345_assignsubmission_file_" (a folder per student, or a prefix of each file):
    # 12345 is the participant id, the "Identifier" column of the assignment's grading worksheet.
    # Moodle turns "_" in names into spaces, so the first "_" ends the name.
    "Moodle": re.compile(r"^[^_]*_(?P<platform_id>\d+)_assignsubmission_file_"),
    # "lastfirst_12345_67890_NAME" or "lastfirst_LATE_12345_67890_NAME": 12345 is the user id
    # (the "ID" column of the gradebook export). Canvas removes "_digits_" from the user's name,
    # so the first "_ID_ID_" is its own unless the name itself ends in "_digits" (then the roster
    # is the only check). Anonymous grading ("anon_...") names nobody.
    "Canvas": re.compile(r"^(?!anon_).*?_(?P<late>LATE_)?(?P<platform_id>\d+)_\d+_"),
}
_MANIFEST_BYTES = 64 * 1024


class UnsafeArchive(Exception):
    """An upload that is not extracted; the message says why."""


class RosterError(Exception):
    """The roster cannot be used; the message says what to fix."""


def _problem(info: zipfile.ZipInfo) -> str | None:
    """Why this member must not be extracted, or None."""
    name = info.filename
    mode = info.external_attr >> 16
    if info.flag_bits & 0x1:
        return f"member {name!r} is encrypted"
    if stat.S_ISLNK(mode):
        return f"member {name!r} is a symbolic link"
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):  # 0: no file type recorded
        return f"member {name!r} is not a regular file"
    path = PurePosixPath(name)
    if "\\" in name or path.is_absolute() or ".." in path.parts or re.match(r"[A-Za-z]:", name):
        return f"member {name!r} would be written outside the upload's folder"
    return None


def extract_zip(
    archive: Path, dest: Path, max_bytes: int, max_members: int, mtime: float | None = None
) -> int:
    """Extract the regular files of ``archive`` into the new folder ``dest``, all or nothing, and
    return how many there were (each stamped with ``mtime`` if given). Raises UnsafeArchive (or
    the zip's own error) and leaves no ``dest`` behind when the archive is corrupt or breaks a
    rule (see ``_problem``), holds more than ``max_members`` members or would extract to more
    than ``max_bytes`` bytes."""
    if archive.stat().st_size > max_bytes:
        raise UnsafeArchive(f"the zip is larger than the limit of {max_bytes} bytes")
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        if len(members) > max_members:
            raise UnsafeArchive(f"{len(members)} members, more than the limit of {max_members}")
        for info in members:
            if problem := _problem(info):
                raise UnsafeArchive(problem)
        declared = sum(info.file_size for info in members)
        if declared > max_bytes:
            raise UnsafeArchive(f"{declared} bytes unpacked, more than the limit of {max_bytes}")
        dest.mkdir(parents=True)
        try:
            return _write_members(zf, members, dest, max_bytes, mtime)
        except BaseException:
            shutil.rmtree(dest)
            raise


def _write_members(
    zf: zipfile.ZipFile,
    members: list[zipfile.ZipInfo],
    dest: Path,
    budget: int,
    mtime: float | None,
) -> int:
    files = 0
    for info in members:
        target = dest.joinpath(*PurePosixPath(info.filename).parts)
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL and O_NOFOLLOW: never overwrite (a duplicate member fails), never follow a link.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        with zf.open(info) as source, os.fdopen(os.open(target, flags, 0o644), "wb") as out:
            while chunk := source.read(1 << 16):
                budget -= len(chunk)
                if budget < 0:
                    raise UnsafeArchive("unpacks to more bytes than its header says")
                out.write(chunk)
        if mtime is not None:
            os.utime(target, (mtime, mtime), follow_symlinks=False)
        files += 1
    return files


class SafeExtractor(ExtractorPlugin):
    """zip_collect's extractor: each upload into its own folder, bad ones reported and skipped."""

    zip_ext = List(
        [".zip"], help="extensions (any case) of uploads to unpack; other files are copied"
    ).tag(config=True)
    max_bytes = Int(
        64 * 1024 * 1024, help="most bytes one upload may hold, packed or unpacked"
    ).tag(config=True)
    max_members = Int(100, help="most members one zip may hold").tag(config=True)

    def extract(self, archive_path: str, extracted_path: str) -> None:
        """Unpack (or copy) every regular file under ``archive_path`` into ``extracted_path``,
        keeping its folder; each file's time becomes its upload's, for ``time_source = "mtime"``."""
        source, target = Path(archive_path), Path(extracted_path)
        done, skipped = 0, 0
        for folder, dirs, files in os.walk(source):  # does not enter linked folders: reported
            dirs.sort()
            links = [name for name in dirs if (Path(folder) / name).is_symlink()]
            for path in [Path(folder) / name for name in sorted(files) + links]:
                relative = path.relative_to(source)
                try:
                    self._unpack(path, relative, target)
                    done += 1
                except Exception as error:  # one upload, whatever went wrong, never the class
                    skipped += 1
                    reason = str(error) if isinstance(error, UnsafeArchive) else repr(error)
                    self.log.warning("Skipped upload %r: %s", str(relative), reason)
        if skipped:
            self.log.warning("Uploads extracted: %d, skipped: %d (see above)", done, skipped)
        else:
            self.log.info("Uploads extracted: %d", done)

    def _unpack(self, path: Path, relative: Path, target: Path) -> None:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeArchive("a link or special file, not followed")
        stem, ext = os.path.splitext(path.name)
        is_zip = ext.lower() in {e.lower() for e in self.zip_ext}
        dest = target / relative.parent / stem if is_zip else target / relative
        if dest.exists():
            raise UnsafeArchive(f"another upload already went to {dest.relative_to(target)}")
        if is_zip:
            count = extract_zip(path, dest, self.max_bytes, self.max_members, info.st_mtime)
            self.log.info("Extracted %r (%d files)", str(relative), count)
        elif info.st_size > self.max_bytes:
            raise UnsafeArchive(f"larger than the limit of {self.max_bytes} bytes")
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copyfile(path, dest, follow_symlinks=False)
                os.utime(dest, (info.st_mtime, info.st_mtime), follow_symlinks=False)
            except BaseException:
                dest.unlink(missing_ok=True)
                raise


@dataclass(frozen=True)
class Person:
    """One roster row: the course's student id and the platform's submission time, if any."""

    student: str
    submitted: datetime | None


def _platform_key(value: str) -> str | None:
    """The number in a platform id ("Participant 12345" and "12345" both give "12345")."""
    digits = re.search(r"\d+", value or "")
    return str(int(digits.group())) if digits else None


def _parse_time(value: str, zone: ZoneInfo) -> datetime | None:
    """A time the platform wrote (ISO, or Moodle's "Monday, 2 March 2026, 5:30 PM"), in UTC;
    a time without a zone is in ``zone``. None for an empty cell or Moodle's "-"."""
    value = (value or "").strip()
    if value in ("", "-"):
        return None
    when = dateparser.parse(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    return when.astimezone(UTC)


def read_roster(
    path: Path, platform_column: str, student_column: str, time_column: str | None, zone: ZoneInfo
) -> tuple[dict[str, Person], list[str]]:
    """{platform id: Person} from the platform's CSV, and the rows that could not be used (an
    unusable student id or time, a platform id given to two students: neither is collected).
    ``time_column`` None: no times. Raises RosterError when the file or a column is missing."""
    if not path.is_file():
        raise RosterError(f"no roster at {path}: export it from the learning platform")
    with path.open(newline="", encoding="utf-8-sig") as handle:  # platforms often write a BOM
        reader = csv.DictReader(handle)
        wanted = [platform_column, student_column] + ([time_column] if time_column else [])
        missing = [column for column in wanted if column not in (reader.fieldnames or [])]
        if missing:
            raise RosterError(
                f"{path} has no column {', '.join(map(repr, missing))} "
                f"(it has {', '.join(map(repr, reader.fieldnames or []))})"
            )
        rows = list(reader)
    people: dict[str, Person] = {}
    problems: list[str] = []
    ambiguous: set[str] = set()
    for line, row in enumerate(rows, start=2):
        key = _platform_key(row[platform_column])
        if key is None:  # e.g. Canvas's "Points Possible" line
            continue
        student = (row[student_column] or "").strip()
        if not STUDENT_RE.match(student):
            problems.append(f"line {line}: student id {student!r} is not usable")
            continue
        try:
            submitted = _parse_time(row[time_column], zone) if time_column else None
        except (ValueError, OverflowError):
            problems.append(f"line {line}: {row[time_column]!r} is not a time")
            submitted = None
        if key in people and people[key].student != student:
            problems.append(f"line {line}: platform id {key} is also {people[key].student}")
            ambiguous.add(key)
        people[key] = Person(student, submitted)
    for key in ambiguous:
        del people[key]
    return people, problems


def _claim_time(text: object, stamp: bool) -> datetime | None:
    """A time a zip claims (its name's stamp, or its manifest's ISO time), in UTC, or None."""
    if not isinstance(text, str):
        return None
    try:
        when = (
            datetime.strptime(text, SUBMISSION_STAMP_FORMAT)
            if stamp
            else datetime.fromisoformat(text)
        )
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class LmsCollector(FileNameCollectorPlugin):
    """zip_collect's collector: student id and time from the platform's names and roster."""

    roster = Unicode(
        "downloaded/{assignment_id}/roster.csv",
        help="the platform's CSV export, relative to the course directory ({assignment_id} is "
        "replaced): Moodle's grading worksheet of the assignment, Canvas's gradebook export",
    ).tag(config=True)
    platform_id_column = Unicode(
        "platform_id", help="roster column of the platform's id (Moodle: Identifier; Canvas: ID)"
    ).tag(config=True)
    student_id_column = Unicode(
        "student_id", help="roster column of the course's student id (nbgrader's student id)"
    ).tag(config=True)
    time_column = Unicode(
        "submitted_at",
        help="roster column of the submission time (Moodle: Last modified (submission))",
    ).tag(config=True)
    time_source = Enum(
        ["roster", "mtime", "none"],
        default_value="roster",
        help="where the submission time comes from: the roster's time column; the upload's file "
        "time in archive/ (only if your download preserved the platform's times); or none "
        "(no timestamp.txt, so nothing is late)",
    ).tag(config=True)
    timezone = Unicode("UTC", help="time zone of roster times written without one").tag(config=True)
    claim_tolerance = Float(
        3600.0, help="seconds a zip's claimed time may differ from the platform's unreported"
    ).tag(config=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        app = self.parent
        assignment = app.coursedir.assignment_id
        # The folder zip_collect walks (nbgrader 0.9.6, pinned, builds it with this method).
        self._extracted = Path(app._format_collect_path(app.extracted_directory))
        self._stamped = re.compile(
            rf"{re.escape(assignment)}-(?P<student>[A-Za-z0-9][A-Za-z0-9._@-]*)"
            r"-(?P<stamp>\d{8}T\d{6}Z)$"
        )
        self._roster = Path(app.coursedir.root) / self.roster.format(assignment_id=assignment)
        by_roster = self.time_source == "roster"
        try:
            self._people, problems = read_roster(
                self._roster,
                self.platform_id_column,
                self.student_id_column,
                self.time_column if by_roster else None,
                ZoneInfo(self.timezone),
            )
        except (RosterError, ZoneInfoNotFoundError, ValueError) as error:
            app.fail(f"{error}; see docs/instructor-guide.md, 'Collecting uploaded zips'")
        for problem in problems:
            self.log.warning("Roster %s, %s", self._roster, problem)
        self._kept: dict[tuple[str, str], tuple[PurePath, datetime | None]] = {}

    def collect(self, submitted_file: str) -> dict | None:
        """{student_id, file_id, timestamp} of one extracted notebook, or None to skip it."""
        path = Path(submitted_file)
        if path.suffix not in self.valid_ext:
            return None
        relative = path.relative_to(self._extracted)
        upload = relative.parts[0]
        found = [(lms, m) for lms, p in PLATFORM_NAMES.items() if (m := p.match(upload))]
        if not found:
            self.log.warning(
                "Skipped %r: %r is not a learning platform's name for an upload "
                "(Moodle's or Canvas's), so who sent it is unknown",
                str(relative),
                upload,
            )
            return None
        lms, match = found[0]
        key = _platform_key(match["platform_id"])
        person = self._people.get(key)
        if person is None:
            self.log.warning(
                "Skipped %r: %s id %s is not in the roster %s",
                str(relative),
                lms,
                key,
                self._roster,
            )
            return None
        when = person.submitted
        if self.time_source == "mtime":
            when = datetime.fromtimestamp(int(path.stat().st_mtime), UTC)
        self._report_claims(path, relative, f"{lms} id {key}", person.student, when)
        if when is None and self.time_source != "none":
            late = " (Canvas marked it LATE)" if match.groupdict().get("late") else ""
            self.log.warning(
                "Archive %r: no submission time for %s from the platform%s; collected without "
                "one, so no late penalty applies",
                str(relative),
                person.student,
                late,
            )
        if not self._keep(relative, person.student, path.name, when):
            return None
        return {
            "student_id": person.student,
            "file_id": path.name,
            "timestamp": when.isoformat() if when else None,
        }

    def _keep(self, relative: PurePath, student: str, name: str, when: datetime | None) -> bool:
        """False for a second notebook of the same name for the same student, unless both have
        different times (then nbgrader keeps the newer): never nbgrader's abort on a tie."""
        earlier = self._kept.get((student, name))
        if earlier is not None and (when is None or earlier[1] is None or when == earlier[1]):
            self.log.warning(
                "Skipped %r: %s already has %s from %r and the platform gives no later time; "
                "check by hand",
                str(relative),
                student,
                name,
                str(earlier[0]),
            )
            return False
        if earlier is None or when > earlier[1]:
            self._kept[(student, name)] = (relative, when)
        return True

    def _report_claims(
        self, path: Path, relative: PurePath, uploader: str, student: str, when: datetime | None
    ) -> None:
        """Warn, naming the archive, when its name or manifest claims another student or time."""
        claims: list[tuple[str, object, datetime | None]] = []
        for part in reversed(relative.parts[:-1]):
            if stamped := self._stamped.search(part):
                name_time = _claim_time(stamped["stamp"], stamp=True)
                claims.append(("its file name", stamped["student"], name_time))
                break
        manifest = path.with_name(MANIFEST)
        if manifest.is_file() and manifest.stat().st_size <= _MANIFEST_BYTES:
            try:
                data = json.loads(manifest.read_bytes())
            except ValueError:
                data = None
            if isinstance(data, dict):
                claims.append(
                    (
                        MANIFEST,
                        data.get("student"),
                        _claim_time(data.get("submitted_at"), stamp=False),
                    )
                )
        tolerance = timedelta(seconds=self.claim_tolerance)
        for where, claimed, claimed_time in claims:
            if claimed is not None and claimed != student:
                self.log.warning(
                    "Archive %r: %s says it is the work of %.64r, but the platform says %s (%s) "
                    "uploaded it; collected as %s",
                    str(relative),
                    where,
                    claimed,
                    student,
                    uploader,
                    student,
                )
            if claimed_time and when and abs(claimed_time - when) > tolerance:
                self.log.warning(
                    "Archive %r: %s gives the time %s, but the platform recorded %s; the "
                    "platform's time is used",
                    str(relative),
                    where,
                    claimed_time.isoformat(),
                    when.isoformat(),
                )
