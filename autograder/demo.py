"""A whole term in one command: ``python -m autograder demo`` (``make demo``).

It builds a separate nbgrader course directory (default ``demo/``, git-ignored) from this
repository's config, sources and release, enrols an invented class from a CSV roster, gives every
chapter a due date and the course a late-penalty policy, writes submissions the way
``nbgrader collect`` leaves them (correct, partial, blank and a few hostile ones, some late), grades
them for real with ``grade_assignment`` (sandboxed, in parallel, late penalties applied),
generates feedback without the hidden tests, exports the grades with ``nbgrader export`` and
writes class reports. Nothing is faked: every submitted notebook runs in its own kernel.

Not every student submits every chapter (``--submissions`` per chapter): on a 2-core machine a
chapter notebook takes 10-40 s to run, blank or not, so a full class of 30 in all nine chapters
would take most of an hour. Students who did not submit appear in the export with zero.
"""

from __future__ import annotations

import copy
import csv
import datetime
import random
import re
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from autograder.feedback import generate_feedback
from autograder.grade import Summary, grade_assignment
from autograder.nbgrader_command import run_nbgrader
from autograder.notebook import grade_id, is_solution, is_test, is_written, read_notebook
from autograder.paths import IGNORED, UnknownAssignment, assignments, course_root
from autograder.report import ClassReport, build_report
from autograder.sandbox import Limits

MARKER = ".autograder-demo"
# Monday of the first week of term; chapter k is due k weeks later at 17:00 UTC.
FIRST_DUE = datetime.datetime(2026, 9, 14, 17, 0, 0)
PERCENT_PER_DAY = 10
# Every fifth submission of a chapter (the third, eighth, ...) comes in after the due date.
LATE_EVERY = 5
SEED = 2026
# Demo limits: the slowest chapter cell takes a few seconds here, so a minute is generous, and a
# student's infinite loop costs one minute of one worker instead of nbgrader's ten.
DEMO_LIMITS = Limits(cell_timeout=60, notebook_timeout=400)

FIRST_NAMES = (
    "Amara", "Bilal", "Chiara", "Dmitri", "Esi", "Farid", "Greta", "Hiro", "Ines", "Jonas",
    "Kavya", "Lior", "Maren", "Nikhil", "Oluwaseun", "Paloma", "Quentin", "Rania", "Soren",
    "Tamsin", "Umar", "Vesna", "Wen", "Ximena", "Yusuf", "Zofia", "Aleksi", "Bronwen", "Caio",
    "Dalia", "Emeka", "Freya", "Goran", "Hana", "Idris", "Juno",
)  # fmt: skip
LAST_NAMES = (
    "Abara", "Brandt", "Castellano", "Duarte", "Eriksen", "Fontaine", "Gallo", "Haddad",
    "Ishikawa", "Jovanovic", "Kowalczyk", "Lindqvist", "Mbeki", "Novak", "Okonkwo", "Petrov",
    "Quispe", "Rahman", "Sato", "Tremblay", "Uribe", "Varga", "Whitfield", "Xu", "Yilmaz",
    "Zapata", "Achterberg", "Bianchi", "Coelho", "Dimitriou",
)  # fmt: skip
WRITTEN_ATTEMPT = "I think it is because the model learns from the data, but I am not sure why."
HOSTILE_KINDS = ("corrupt_json", "reads_gradebook", "deleted_tests", "faked_outputs")


class DemoExists(RuntimeError):
    """The destination already holds something (the message says what to do)."""


@dataclass
class Student:
    """One row of the roster CSV (nbgrader's columns)."""

    id: str
    first_name: str
    last_name: str
    email: str


@dataclass
class DemoResult:
    """What the demo built and how long each stage took."""

    dest: Path
    roster: Path
    grades: Path
    reports: Path
    summaries: dict[str, Summary] = field(default_factory=dict)
    kinds: dict[str, dict[str, str]] = field(default_factory=dict)  # chapter -> student -> kind
    late: dict[str, dict[str, float]] = field(default_factory=dict)  # chapter -> penalties
    feedback: dict[str, list[Path]] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0


def make_roster(count: int, seed: int = SEED) -> list[Student]:
    """``count`` students with invented names and unique ids such as ``aabara``."""
    rng = random.Random(seed)
    pairs = [(f, last) for f in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(pairs)
    students: list[Student] = []
    taken: set[str] = set()
    for first, last in pairs[:count]:
        base = (first[0] + last).lower()
        sid, n = base, 2
        while sid in taken:
            sid, n = f"{base}{n}", n + 1
        taken.add(sid)
        students.append(Student(sid, first, last, f"{sid}@students.example.edu"))
    return students


def write_roster(students: Sequence[Student], path: Path) -> Path:
    """The CSV that ``nbgrader db student import`` reads: id,first_name,last_name,email."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "first_name", "last_name", "email"])
        for s in students:
            writer.writerow([s.id, s.first_name, s.last_name, s.email])
    return path


def due_date(index: int) -> datetime.datetime:
    """The due date (UTC) of the ``index``-th chapter of the term."""
    return FIRST_DUE + datetime.timedelta(weeks=index)


# ---- submissions -------------------------------------------------------------------------------


def _solution_code(source: str) -> str:
    """The source solution as a student would type it: without nbgrader's markers."""
    markers = ("### BEGIN SOLUTION", "### END SOLUTION")
    lines = source.splitlines()
    return "\n".join(line for line in lines if not any(m in line for m in markers))


def _model_answer(source: str) -> str:
    """The model answer of a written cell, without its rubric."""
    text = source.split("**Rubric", 1)[0]
    return re.sub(r"\*\*Model answer\.\*\*\s*", "", text).strip() or WRITTEN_ATTEMPT


def answered(release: NotebookNode, source: NotebookNode, chosen: set[str] | None) -> NotebookNode:
    """The release with the source's answers in the cells ``chosen`` (None: every answer cell)."""
    answers = {grade_id(c): c for c in source.cells if is_solution(c) and grade_id(c)}
    nb = copy.deepcopy(release)
    for cell in nb.cells:
        gid = grade_id(cell)
        if (
            not is_solution(cell)
            or gid not in answers
            or (chosen is not None and gid not in chosen)
        ):
            continue
        if is_written(cell):
            cell.source = _model_answer(answers[gid].source)
        else:
            cell.source = _solution_code(answers[gid].source)
    return nb


def partial(release: NotebookNode, source: NotebookNode, rng: random.Random) -> NotebookNode:
    """Some code answers right, the rest left as released; a weak attempt at some written ones."""
    code = [grade_id(c) for c in release.cells if is_solution(c) and not is_written(c)]
    chosen = {gid for gid in code if rng.random() < 0.55}
    nb = answered(release, source, chosen)
    for cell in nb.cells:
        if is_written(cell) and rng.random() < 0.5:
            cell.source = WRITTEN_ATTEMPT
    return nb


def _first_code_answer(nb: NotebookNode) -> NotebookNode:
    return next(c for c in nb.cells if is_solution(c) and c.cell_type == "code")


def hostile(kind: str, release: NotebookNode, source: NotebookNode) -> NotebookNode | bytes:
    """A submission from a student who breaks things (bytes: a file that is not even JSON)."""
    nb = answered(release, source, None)
    if kind == "corrupt_json":
        return nbformat.writes(nb).encode()[:2000]
    if kind == "infinite_loop":
        _first_code_answer(nb).source = "while True:\n    pass"
    elif kind == "reads_gradebook":
        cell = _first_code_answer(nb)
        cell.source = (
            "import pathlib\n"
            "for _p in ['../../../gradebook.db', '../../gradebook.db', '/etc/shadow']:\n"
            "    try:\n"
            "        print(_p, len(pathlib.Path(_p).read_bytes()))\n"
            "    except OSError as _e:\n"
            "        print(_p, 'not readable:', type(_e).__name__)\n\n" + cell.source
        )
    elif kind == "deleted_tests":
        nb.cells = [c for c in nb.cells if not is_test(c)]
    elif kind == "faked_outputs":
        nb = copy.deepcopy(release)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="passed")]
            if is_test(cell):
                cell.metadata.nbgrader["points"] = 100
    return nb


def choose_kinds(
    students: Sequence[Student], count: int, chapter_index: int, rng: random.Random
) -> dict[str, str]:
    """Who submits this chapter, and what: {student id: kind}. About a third correct, a third
    partial, a sixth blank; from six submissions on, two hostile ones (an infinite loop only in
    the first chapter, as it costs a full cell timeout)."""
    picked = rng.sample([s.id for s in students], min(count, len(students)))
    kinds: dict[str, str] = {}
    hostile_count = 2 if len(picked) >= 6 else 0
    for n, sid in enumerate(picked[:hostile_count]):
        if chapter_index == 0 and n == 0:
            kinds[sid] = "infinite_loop"
        else:
            kinds[sid] = HOSTILE_KINDS[(2 * chapter_index + n) % len(HOSTILE_KINDS)]
    rest = picked[hostile_count:]
    for n, sid in enumerate(rest):
        share = n / max(1, len(rest))
        kinds[sid] = "correct" if share < 0.35 else "partial" if share < 0.75 else "blank"
    return kinds


def submission_time(due: datetime.datetime, late: bool, rng: random.Random) -> datetime.datetime:
    """When the student submitted: before the due date, or 1 hour to 3 days after it."""
    if late:
        return due + datetime.timedelta(minutes=rng.randint(60, 3 * 24 * 60))
    return due - datetime.timedelta(minutes=rng.randint(10, 5 * 24 * 60))


def write_submission(
    root: Path, student: str, chapter: str, content: NotebookNode | bytes, when: datetime.datetime
) -> Path:
    """submitted/STUDENT/CHAPTER/ as ``nbgrader collect`` leaves it: notebook and timestamp.txt."""
    folder = root / "submitted" / student / chapter
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{chapter}.ipynb"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        nbformat.write(content, str(path))
    stamp = when.strftime("%Y-%m-%d %H:%M:%S.%f") + " UTC\n"
    (folder / "timestamp.txt").write_text(stamp, encoding="utf-8")
    return path


# ---- course directory --------------------------------------------------------------------------


def _nbgrader(root: Path, *args: str) -> str:
    """Run one nbgrader command in the demo course; its output (NbgraderFailed with its log)."""
    return run_nbgrader(args, cwd=root)


DEMO_CONFIG = f"""

# ---- added by `python -m autograder demo` ----
# Late penalty: {PERCENT_PER_DAY}% of the score for every started day after the due date.
c.AssignLatePenalties.plugin_class = "autograder.late.PenaltyPerDay"
c.PenaltyPerDay.percent_per_day = {PERCENT_PER_DAY}
# A private exchange, so that release_assignment and collect work here without JupyterHub.
c.Exchange.root = str(ROOT / "exchange")
"""


def prepare(dest: Path, chapters: Sequence[str], force: bool, repo: Path) -> Path:
    """A fresh course directory at ``dest``: config (with the late policy), source/, release/."""
    if dest.exists() and any(dest.iterdir()):
        if not (dest / MARKER).is_file():
            raise DemoExists(f"{dest} exists and is not a demo course: choose another --dest")
        if not force:
            raise DemoExists(f"{dest} already holds a demo: add --force to rebuild it from scratch")
        shutil.rmtree(dest)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / MARKER).write_text("built by python -m autograder demo; safe to delete\n")
    (dest / "exchange").mkdir()
    config = (repo / "nbgrader_config.py").read_text(encoding="utf-8")
    (dest / "nbgrader_config.py").write_text(config + DEMO_CONFIG, encoding="utf-8")
    for part in ("source", "release"):
        for chapter in chapters:
            shutil.copytree(
                repo / part / chapter,
                dest / part / chapter,
                ignore=shutil.ignore_patterns(*IGNORED),
            )
    return dest


# ---- reports -----------------------------------------------------------------------------------


def term_report(reports: dict[str, ClassReport], folder: Path) -> Path:
    """reports/term.md (one row per student, one column per chapter) and term_scores.png."""
    chapters = list(reports)
    students: dict[str, dict[str, float]] = {}
    for chapter, report in reports.items():
        for row in report.rows:
            students.setdefault(str(row["student_id"]), {})[chapter] = float(row["score"])
    maximum = sum(r.max_score for r in reports.values())
    lines = [
        "# The term: final scores (after late penalties)",
        "",
        "| student | " + " | ".join(chapters) + " | total |",
        "| --- | " + " | ".join("---:" for _ in chapters) + " | ---: |",
    ]
    totals = []
    for sid in sorted(students):
        scores = students[sid]
        total = sum(scores.values())
        totals.append(total)
        cells = " | ".join(f"{scores.get(c, 0.0):g}" for c in chapters)
        lines.append(f"| {sid} | {cells} | {total:g} |")
    maxima = " | ".join(f"{r.max_score:g}" for r in reports.values())
    lines.append(f"| **max** | {maxima} | {maximum:g} |")
    path = folder / "term.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(totals, bins=15, range=(0, maximum or 1))
    ax.set_xlabel(f"term total (of {maximum:g})")
    ax.set_ylabel("students")
    ax.set_title("The term: total scores")
    fig.tight_layout()
    fig.savefig(folder / "term_scores.png", dpi=100)
    plt.close(fig)
    return path


# ---- the whole term ----------------------------------------------------------------------------


def run_demo(
    dest: Path = Path("demo"),
    students: int = 30,
    chapters: Sequence[str] | None = None,
    submissions: int = 9,
    workers: int | None = None,
    force: bool = False,
    sandbox: str = "auto",
    limits: Limits = DEMO_LIMITS,
    seed: int = SEED,
    say: Callable[[str], None] = print,
) -> DemoResult:
    """Build, enrol, submit, grade, penalise, give feedback, export and report; see the module
    docstring. ``say`` receives one line per stage."""
    started = time.monotonic()
    repo = course_root()
    known = assignments(repo)
    chosen = list(chapters) if chapters else known
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise UnknownAssignment(f"unknown chapters {unknown} (chapters: {', '.join(known)})")
    dest = Path(dest).resolve()
    rng = random.Random(seed)

    def stage(name: str, since: float) -> float:
        now = time.monotonic()
        result.stages[name] = result.stages.get(name, 0.0) + now - since
        return now

    root = prepare(dest, chosen, force, repo)
    result = DemoResult(dest, dest / "roster.csv", dest / "grades.csv", dest / "reports")
    t = time.monotonic()
    roster = make_roster(students, seed)
    write_roster(roster, result.roster)
    _nbgrader(root, "db", "student", "import", result.roster.name)
    for index, chapter in enumerate(chosen):
        due = due_date(index).strftime("%Y-%m-%d %H:%M:%S UTC")
        _nbgrader(root, "db", "assignment", "add", chapter, f"--duedate={due}")
    say(f"course directory {dest}: {len(roster)} students enrolled from {result.roster.name}")
    t = stage("enrol", t)

    for index, chapter in enumerate(chosen):
        source = read_notebook(root / "source" / chapter / f"{chapter}.ipynb")
        release = read_notebook(root / "release" / chapter / f"{chapter}.ipynb")
        kinds = choose_kinds(roster, submissions, index, rng)
        result.kinds[chapter] = kinds
        for n, (sid, kind) in enumerate(kinds.items()):
            if kind == "correct":
                content: NotebookNode | bytes = answered(release, source, None)
            elif kind == "partial":
                content = partial(release, source, rng)
            elif kind == "blank":
                content = release
            else:
                content = hostile(kind, release, source)
            late = n % LATE_EVERY == 2
            write_submission(
                root, sid, chapter, content, submission_time(due_date(index), late, rng)
            )
    t = stage("submissions", t)

    for chapter in chosen:
        given = list(result.kinds[chapter].values())
        counts = ", ".join(f"{given.count(k)} {k}" for k in sorted(set(given)))
        say(f"grading {chapter}: {len(given)} submissions ({counts})")
        summary = grade_assignment(
            chapter, root=root, workers=workers, sandbox=sandbox, limits=limits
        )
        result.summaries[chapter] = summary
        for line in summary.lines():
            say("  " + line)
        result.late[chapter] = summary.late  # grade applies the late-penalty plugin
        t = stage("grading", t)
        result.feedback[chapter] = generate_feedback(chapter, root).written
        t = stage("feedback", t)

    _nbgrader(root, "export", f"--to={result.grades.name}")
    result.reports.mkdir(exist_ok=True)
    reports = {}
    for chapter in chosen:
        report = build_report(chapter, root)
        reports[chapter] = report
        (result.reports / f"{chapter}.md").write_text(report.markdown(), encoding="utf-8")
        (result.reports / f"{chapter}.csv").write_text(report.csv(), encoding="utf-8")
        page = report.html(f"{chapter}.csv")
        (result.reports / f"{chapter}.html").write_text(page, encoding="utf-8")
        report.histogram(result.reports / f"{chapter}_scores.png")
    term_report(reports, result.reports)
    stage("export and reports", t)
    result.seconds = time.monotonic() - started
    for line in closing_lines(result, reports):
        say(line)
    return result


def closing_lines(result: DemoResult, reports: dict[str, ClassReport]) -> list[str]:
    """The summary printed at the end: per chapter, then where everything is."""
    lines = ["", "chapter              submitted  graded  invalid  late  mean score (of max)"]
    for chapter, report in reports.items():
        summary = result.summaries[chapter]
        stats = report.stats()
        lines.append(
            f"{chapter:<20} {len(result.kinds[chapter]):>9}  {len(summary.of('graded')):>6}  "
            f"{len(summary.of('invalid')):>7}  {len(result.late[chapter]):>4}  "
            f"{stats['mean']:.1f} ({report.max_score:g})"
        )
    stages = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in result.stages.items())
    d = result.dest
    lines += [
        "",
        f"done in {result.seconds / 60:.1f} min ({stages})",
        f"course directory   {d}",
        f"roster             {result.roster}",
        f"gradebook          {d / 'gradebook.db'}",
        f"submissions        {d / 'submitted'}/STUDENT/CHAPTER/",
        f"graded notebooks   {d / 'autograded'}/STUDENT/CHAPTER/",
        f"feedback (HTML)    {d / 'feedback'}/STUDENT/CHAPTER/CHAPTER.html",
        f"grades (export)    {result.grades}",
        f"reports            {result.reports}/ (term.md, term_scores.png, CHAPTER.md, ...)",
        f"formgrader         cd {d} && jupyter lab   (menu Nbgrader > Formgrader)",
    ]
    return lines
