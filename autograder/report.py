"""Class report of one assignment, read from nbgrader's gradebook.

Per-student totals, per-exercise pass rates, the mean and spread of the scores with a histogram,
the hardest exercises, and a CSV for a learning-management system: nbgrader's ``export`` columns
followed by the points of every graded cell.
"""

from __future__ import annotations

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

    @property
    def pass_rate(self) -> float:
        """Share of submissions with full points on this cell."""
        full = sum(1 for p in self.points if p >= self.max_points)
        return full / len(self.points) if self.points else 0.0

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
        """The exercises with the lowest pass rates."""
        return sorted(self.exercises, key=lambda e: (e.pass_rate, e.mean))[:count]

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
            lines.append(
                f"| {e.grade_id} | {e.max_points:g} | {100 * e.pass_rate:.0f}% | {e.mean:.2f} |"
            )
        lines += ["", "Hardest: " + ", ".join(e.grade_id for e in self.hardest()), ""]
        lines += ["| student | score |", "| --- | ---: |"]
        lines += [f"| {r['student_id']} | {r['score']} |" for r in self.rows]
        return "\n".join(lines) + "\n"

    def html(self) -> str:
        """The report as a small stand-alone HTML page."""
        s = self.stats()
        rows = "".join(
            f"<tr><td>{html.escape(e.grade_id)}</td><td>{e.max_points:g}</td>"
            f"<td>{100 * e.pass_rate:.0f}%</td><td>{e.mean:.2f}</td></tr>"
            for e in self.exercises
        )
        students = "".join(
            f"<tr><td>{html.escape(str(r['student_id']))}</td><td>{r['score']}</td></tr>"
            for r in self.rows
        )
        title = html.escape(f"{self.assignment}: class report")
        return (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h1>{title}</h1><p>{len(self.scores)} submissions, mean {s['mean']:.2f} "
            f"of {self.max_score:g}, median {s['median']:g}.</p>"
            "<table><tr><th>exercise</th><th>points</th><th>pass rate</th><th>mean</th></tr>"
            f"{rows}</table><table><tr><th>student</th><th>score</th></tr>{students}</table>"
            "</body></html>\n"
        )

    def histogram(self, path: Path) -> Path:
        """Save a histogram of the scores as a PNG."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 3.5))
        ax.hist(
            self.scores, bins=min(20, max(5, int(self.max_score) + 1)), range=(0, self.max_score)
        )
        ax.set_xlabel("score")
        ax.set_ylabel("students")
        ax.set_title(f"{self.assignment}: scores")
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
        plt.close(fig)
        return path


def build_report(assignment: str, root: Path | None = None) -> ClassReport:
    """Read every student's grades of ``assignment`` from the course's gradebook."""
    root = course_root(root)
    with gradebook.open_gradebook(gradebook.db_url(root)) as gb:
        record = gb.find_assignment(assignment)
        cells = [c for nb in record.notebooks for c in nb.grade_cells]
        exercises = {c.name: Exercise(c.name, float(c.max_score)) for c in cells}
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
                    exercises[grade.name].points.append(points)
            rows.append(row)
    return ClassReport(assignment, float(record.max_score), rows, list(exercises.values()))
