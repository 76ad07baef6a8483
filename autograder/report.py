"""Class report of one assignment, read from nbgrader's gradebook.

Per-student totals, per-exercise pass rates, the mean and spread of the scores with a histogram,
the hardest exercises, and a CSV for a learning-management system: nbgrader's ``export`` columns
followed by the points of every graded cell. Written answers that no one has graded by hand yet
are reported as awaiting hand grading, not as 0 %. ``html()`` is one self-contained page (styles
and the histogram inside it, nothing fetched from anywhere) that opens offline in any browser.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import MissingEntry

from autograder import gradebook
from autograder.paths import course_root

EXPORT_COLUMNS = (
    "assignment",
    "duedate",
    "timestamp",
    "student_id",
    "last_name",
    "first_name",
    "email",
    "raw_score",
    "late_submission_penalty",
    "score",
    "max_score",
)


@dataclass
class Exercise:
    """One graded cell across the class."""

    grade_id: str
    max_points: float
    points: list[float] = field(default_factory=list)
    manual: bool = False  # a written answer, graded by hand in the formgrader
    awaiting: int = 0  # submissions whose answer to this cell still needs a hand grade

    @property
    def pass_rate(self) -> float:
        """Share of submissions with full points on this cell (of those graded so far)."""
        full = sum(1 for p in self.points if p >= self.max_points)
        return full / len(self.points) if self.points else 0.0

    @property
    def status(self) -> str:
        """The pass rate, or how much hand grading is still to do for a written answer."""
        graded = len(self.points)
        if self.awaiting and not graded:
            return "awaiting hand grading"
        if self.awaiting:
            return f"{100 * self.pass_rate:.0f}% ({self.awaiting} awaiting hand grading)"
        return f"{100 * self.pass_rate:.0f}%"

    @property
    def mean(self) -> float:
        """Mean points on this cell."""
        return statistics.fmean(self.points) if self.points else 0.0


@dataclass
class ClassReport:
    """Everything the report prints, computed once from the gradebook."""

    assignment: str
    max_score: float
    rows: list[dict[str, object]]
    exercises: list[Exercise]

    @property
    def scores(self) -> list[float]:
        """Final scores of the students who submitted."""
        return [float(r["score"]) for r in self.rows if r["submitted"]]

    def hardest(self, count: int = 3) -> list[Exercise]:
        """The exercises with the lowest pass rates (among those graded so far)."""
        graded = [e for e in self.exercises if e.points]
        return sorted(graded, key=lambda e: (e.pass_rate, e.mean))[:count]

    def stats(self) -> dict[str, float]:
        """Mean, median, standard deviation, minimum and maximum of the scores."""
        scores = self.scores or [0.0]
        return {
            "mean": statistics.fmean(scores),
            "median": statistics.median(scores),
            "stdev": statistics.pstdev(scores),
            "min": min(scores),
            "max": max(scores),
        }

    def csv(self) -> str:
        """nbgrader's export columns, then one column of points per graded cell."""
        out = io.StringIO()
        names = [*EXPORT_COLUMNS, *(e.grade_id for e in self.exercises)]
        writer = csv.DictWriter(out, names, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return out.getvalue()

    def markdown(self) -> str:
        """The report as Markdown tables."""
        s = self.stats()
        lines = [
            f"# {self.assignment}: class report",
            "",
            f"{len(self.scores)} submissions, out of {self.max_score:g} points: mean "
            f"{s['mean']:.2f}, median {s['median']:g}, standard deviation {s['stdev']:.2f}, "
            f"range {s['min']:g}-{s['max']:g}.",
            "",
            "| exercise | points | pass rate | mean |",
            "| --- | ---: | ---: | ---: |",
        ]
        for e in self.exercises:
            mean = f"{e.mean:.2f}" if e.points else "—"
            lines.append(f"| {e.grade_id} | {e.max_points:g} | {e.status} | {mean} |")
        lines += ["", "Hardest: " + ", ".join(e.grade_id for e in self.hardest()), ""]
        lines += ["| student | score |", "| --- | ---: |"]
        lines += [f"| {r['student_id']} | {r['score']} |" for r in self.rows]
        return "\n".join(lines) + "\n"

    def html(self, csv_name: str | None = None) -> str:
        """The report as one self-contained HTML page: styled tables, the histogram embedded,
        pass rates as bars, students sorted by id; ``csv_name`` links the LMS CSV beside it."""
        s = self.stats()
        esc = html.escape
        rows = []
        for e in self.exercises:
            width = 0 if e.awaiting and not e.points else round(100 * e.pass_rate)
            kind = "written" if e.manual else "auto"
            mean = f"{e.mean:.2f}" if e.points else "—"
            rows.append(
                f"<tr class='{kind}'><td>{esc(e.grade_id)}</td><td>{kind}</td>"
                f"<td class='num'>{e.max_points:g}</td>"
                f"<td><span class='bar'><span style='width:{width}%'></span></span> "
                f"{esc(e.status)}</td><td class='num'>{mean}</td></tr>"
            )
        students = []
        for r in sorted(self.rows, key=lambda r: str(r["student_id"])):
            late = float(r.get("late_submission_penalty") or 0.0)
            state = "" if r["submitted"] else " class='missing'"
            name = f"{r.get('first_name', '')} {r.get('last_name', '')}".strip()
            students.append(
                f"<tr{state}><td>{esc(str(r['student_id']))}</td>"
                f"<td>{esc(name)}</td>"
                f"<td class='num'>{float(r['score']):g}</td>"
                f"<td class='num'>{f'-{late:g}' if late else ''}</td>"
                f"<td>{'' if r['submitted'] else 'no submission'}</td></tr>"
            )
        title = esc(f"{self.assignment}: class report")
        hardest = ", ".join(esc(e.grade_id) for e in self.hardest()) or "none graded yet"
        link = (
            f"<p>Scores for your learning platform: <a href='{esc(csv_name)}'>{esc(csv_name)}</a> "
            "(nbgrader's export columns, then the points of every graded cell).</p>"
            if csv_name
            else ""
        )
        picture = base64.b64encode(self.histogram_png()).decode("ascii")
        return (
            "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width'><title>{title}</title>"
            f"<style>{REPORT_CSS}</style></head><body><main>"
            f"<h1>{title}</h1><p class='summary'>{len(self.scores)} of {len(self.rows)} students "
            f"submitted. Out of {self.max_score:g} points: mean {s['mean']:.2f}, median "
            f"{s['median']:g}, standard deviation {s['stdev']:.2f}, range {s['min']:g} to "
            f"{s['max']:g}.</p>{link}"
            f"<img alt='Histogram of the scores' src='data:image/png;base64,{picture}'>"
            f"<h2>Exercises</h2><p>Hardest: {hardest}.</p>"
            "<table><thead><tr><th>cell</th><th>graded</th><th class='num'>points</th>"
            "<th>full points (pass rate)</th><th class='num'>mean</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            "<h2>Students</h2><table><thead><tr><th>id</th><th>name</th><th class='num'>score</th>"
            "<th class='num'>late penalty</th><th></th></tr></thead>"
            f"<tbody>{''.join(students)}</tbody></table></main></body></html>\n"
        )

    def histogram_png(self) -> bytes:
        """The histogram of the scores as PNG bytes."""
        buffer = io.BytesIO()
        self._draw_histogram(buffer)
        return buffer.getvalue()

    def histogram(self, path: Path) -> Path:
        """Save a histogram of the scores as a PNG."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            self._draw_histogram(out)
        return path

    def _draw_histogram(self, out: io.IOBase) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.hist(
            self.scores, bins=min(20, max(5, int(self.max_score) + 1)), range=(0, self.max_score)
        )
        ax.set_xlabel("score")
        ax.set_ylabel("students")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(f"{self.assignment}: scores")
        fig.tight_layout()
        fig.savefig(out, dpi=100, format="png")
        plt.close(fig)


REPORT_CSS = (
    "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2328;margin:0;"
    "background:#f6f8fa}main{max-width:960px;margin:0 auto;padding:24px;background:#fff}"
    "h1{font-size:1.6em;margin:0 0 .4em}h2{font-size:1.25em;margin:1.4em 0 .5em}"
    "table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{padding:5px 10px;"
    "border-bottom:1px solid #d0d7de;text-align:left}th{background:#f0f3f6}"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}tr.written td:nth-child(2)"
    "{color:#8250df}tr.missing td{color:#8c959f}.bar{display:inline-block;width:110px;"
    "height:10px;background:#eaeef2;border-radius:5px;vertical-align:middle;overflow:hidden}"
    ".bar span{display:block;height:100%;background:#2da44e}img{max-width:100%;height:auto}"
    ".summary{font-size:1.05em}"
)


def build_report(assignment: str, root: Path | None = None) -> ClassReport:
    """Read every student's grades of ``assignment`` from the course's gradebook."""
    root = course_root(root)
    with gradebook.open_gradebook(gradebook.db_url(root)) as gb:
        record = gb.find_assignment(assignment)
        cells = [c for nb in record.notebooks for c in nb.grade_cells]
        exercises = {
            c.name: Exercise(c.name, float(c.max_score), manual=c.cell_type == "markdown")
            for c in cells
        }
        rows: list[dict[str, object]] = []
        for student in gb.students:
            row: dict[str, object] = {
                "assignment": assignment,
                "duedate": record.duedate or "",
                "student_id": student.id,
                "last_name": student.last_name or "",
                "first_name": student.first_name or "",
                "email": student.email or "",
                "max_score": record.max_score,
            }
            try:
                submission = gb.find_submission(assignment, student.id)
            except MissingEntry:
                row.update(timestamp="", raw_score=0.0, late_submission_penalty=0.0, score=0.0)
                row["submitted"] = False
                rows.append(row)
                continue
            penalty = submission.late_submission_penalty or 0.0
            row.update(
                timestamp=submission.timestamp or "",
                raw_score=submission.score,
                late_submission_penalty=penalty,
                score=max(0.0, submission.score - penalty),
                submitted=True,
            )
            for nb in submission.notebooks:
                for grade in nb.grades:
                    points = float(grade.score or 0.0)
                    row[grade.name] = points
                    if grade.needs_manual_grade:
                        exercises[grade.name].awaiting += 1
                    else:
                        exercises[grade.name].points.append(points)
            rows.append(row)
    rows.sort(key=lambda r: str(r["student_id"]))
    return ClassReport(assignment, float(record.max_score), rows, list(exercises.values()))
