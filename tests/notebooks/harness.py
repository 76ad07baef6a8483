"""Run each exercise's test cell against candidate answers, in one kernel per chapter.

Executing a whole chapter once per wrong answer would make the suite far too slow once all nine
chapters exist. Instead, for every chapter, one kernel runs only what the exercises need:

1. In notebook order, for each autograded exercise: the cells tagged ``setup`` and the source
   solutions of earlier exercises, then the exercise's own source solution and test cell (which
   must pass), then the released answer cell as a student first gets it (the stub, which must earn
   nothing), then each candidate answer followed by the test cell, then the source solution again.
2. With every solution in place, every test cell once more (the baseline: test cells must not
   depend on notebook state that later cells change).
3. For each wrong answer: the wrong answer, the later solutions that use a name it defines, and the
   other test cells, which must still pass (a wrong answer must cost only its own
   exercise's points); then the solution and those later solutions again. The other tests are
   skipped only when they cannot change: the wrong answer only defines functions and classes
   (nothing else runs when its cell runs), and no other probe reaches a name it defines, directly
   or through the solutions and setup cells the probe calls (:func:`reachable`); then its code
   never runs again, and the kernel differs from the solution's only in names no test reads.

Every test runs as the grader runs it: the test cell's probe in the kernel, with the probe seed
set as the grader sets it (fresh each run; ``HARNESS_SEED`` fixes it), and its judge, loaded from
the source notebook, deciding in this process from the probe's record alone
(:func:`autograder.judging.judge_cell`). The visible part of the test cell runs separately for the
solution and the right answers: a visible check must never reject a correct answer.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from autograder.feedback import split_hidden
from autograder.grading import outcome
from autograder.judging import Judge, judge_cell, load_judges
from autograder.notebook import grade_id, is_solution, is_test, points
from autograder.paths import course_root, data_files, release_notebook, source_notebook
from autograder.probing import new_seed, probe_source, stopped_by
from tests.timeouts import hang_guard

CANDIDATES_DIR = Path(__file__).parent / "candidates"
# Hang guards (scaled by $COURSE_TEST_TIMEOUT_SCALE): no candidate here loops on purpose.
CELL_TIMEOUT = hang_guard(300)
STARTUP_TIMEOUT = hang_guard(60)  # the kernel's start, torch import included


class HarnessError(RuntimeError):
    """The chapter itself is broken for the harness (a setup cell or a source solution fails)."""


@dataclass
class Exercise:
    """An autograded exercise: its answer cell, its test cell and its points."""

    answer_id: str
    solution: str
    test_id: str
    test: str
    points: float
    answer_index: int
    judge: Judge
    expensive: bool = False

    @property
    def probe(self) -> str:
        return probe_source(self.test)

    @property
    def visible(self) -> str:
        return split_hidden(self.test)[0]

    @property
    def defined_names(self) -> set[str]:
        return top_level_names(self.solution)


@dataclass
class CandidateResult:
    """What happened to one candidate answer."""

    exercise: str
    kind: str  # "solution", "stub" (the released answer cell), "wrong" or "right"
    name: str
    passed: bool
    message: str | None
    collateral: dict[str, str] = field(default_factory=dict)  # other test ids it made fail
    cross_checked: list[str] = field(default_factory=list)  # other test ids re-run beside it
    visible: str | None = None  # why the visible checks rejected it (None: they passed)


def top_level_names(source: str) -> set[str]:
    """Names a cell defines at module level (functions, classes, assignments, imports)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def used_names(source: str) -> set[str]:
    """Every name a cell reads or writes (a cheap over-approximation of its dependencies)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


# Calls that run code or reach modules by a name computed at run time: a cell that makes one may
# reach any name.
OPAQUE_CALLS = {"eval", "exec", "get_ipython", "__import__"}
# Calls that hand out the notebook's namespace. The course's probes and setup cells index it with
# literal names (``globals().get("numerical_gradient")``) or keyword arguments
# (``replaced_globals(rnn_cell=...)``), so a cell that makes one reaches every such name too.
NAMESPACE_CALLS = {"globals", "locals", "vars"}


def _calls_nothing(node: ast.AST | None) -> bool:
    """True when evaluating ``node`` (a default, an annotation, a base class) calls no code."""
    if node is None:
        return True
    forbidden = (ast.Call, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)
    return not any(isinstance(n, forbidden) for n in ast.walk(node))


def _defines_only(node: ast.stmt) -> bool:
    """True when running the statement only binds names: a plain def or class, an import, a
    docstring. Decorators, defaults, annotations and class bodies that call anything are not."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        return all(alias.name != "*" for alias in node.names)  # a star binds names unseen
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr):
        return isinstance(node.value, ast.Constant)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        arguments = node.args
        evaluated = [*arguments.defaults, *arguments.kw_defaults, node.returns]
        evaluated += [a.annotation for a in ast.walk(arguments) if isinstance(a, ast.arg)]
        return not node.decorator_list and all(_calls_nothing(e) for e in evaluated)
    if isinstance(node, ast.ClassDef):
        if node.decorator_list or node.keywords:
            return False
        if not all(_calls_nothing(b) for b in node.bases):
            return False
        for statement in node.body:
            if isinstance(statement, ast.Assign | ast.AnnAssign):
                annotation = getattr(statement, "annotation", None)
                if not (_calls_nothing(statement.value) and _calls_nothing(annotation)):
                    return False
            elif not _defines_only(statement):
                return False
        return True
    return False


def only_defines(source: str) -> bool:
    """True when running the cell does nothing but bind names (functions, classes, imports): it
    changes no object and no state that a later cell could see except through those names."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return True  # a cell that does not parse runs nothing
    return all(_defines_only(node) for node in tree.body)


def _called(tree: ast.AST) -> set[str]:
    """The plain names this code calls (``f(...)``, not ``obj.f(...)``)."""
    return {
        n.func.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }


def _literal_names(tree: ast.AST) -> set[str]:
    """String constants that are identifiers, and keyword-argument names."""
    strings = {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.isidentifier()
    }
    return strings | {n.arg for n in ast.walk(tree) if isinstance(n, ast.keyword) and n.arg}


def reachable(probe: str, providers: list[str]) -> set[str] | None:
    """Every global name the probe can reach when it runs: the names it uses, and, for each
    provider cell (setup cells and solutions) that defines one of them, the names that cell uses,
    and so on. Where one of these cells reads the namespace (``globals()``), the literal names
    and keyword names of them all count too. None when one of them runs code or imports by a
    computed name (it may reach anything)."""
    reached = [probe]
    names = used_names(probe)
    pending = [(top_level_names(source), source) for source in providers]
    grew = True
    while grew:
        grew = False
        for defined, source in pending:
            if source not in reached and defined & names:
                reached.append(source)
                names |= used_names(source)
                grew = True
    trees = []
    for source in reached:
        try:
            trees.append(ast.parse(source))
        except SyntaxError:
            continue
    called = set().union(*(_called(tree) for tree in trees))
    if called & OPAQUE_CALLS:
        return None
    if called & NAMESPACE_CALLS:
        names |= set().union(*(_literal_names(tree) for tree in trees))
    return names


def load_candidates(assignment: str) -> dict[str, dict[str, dict[str, str]]]:
    """The CANDIDATES dict of tests/notebooks/candidates/<assignment>.py ({} when missing)."""
    path = CANDIDATES_DIR / f"{assignment}.py"
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location(f"candidates_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CANDIDATES


def released_answers(assignment: str, root: Path) -> dict[str, str]:
    """The answer cells of the chapter's released notebook (the stubs a student starts from), by
    grade id; {} when the release has not been generated."""
    path = release_notebook(assignment, root)
    if not path.is_file():
        return {}
    nb = nbformat.read(path, as_version=4)
    return {grade_id(c): c.source for c in nb.cells if c.cell_type == "code" and is_solution(c)}


def exercises(nb: nbformat.NotebookNode) -> list[Exercise]:
    """The autograded exercises of a source notebook, in order (answer cell then its test cell),
    each with its judge."""
    found: list[Exercise] = []
    cells = nb.cells
    judges = load_judges(nb)
    for i, cell in enumerate(cells):
        if cell.cell_type != "code" or not is_solution(cell):
            continue
        answer_id = grade_id(cell)
        test_cell = cells[i + 1] if i + 1 < len(cells) else None
        if test_cell is None or not is_test(test_cell):
            raise HarnessError(f"answer cell {answer_id} is not followed by its test cell")
        found.append(
            Exercise(
                answer_id=answer_id,
                solution=cell.source,
                test_id=grade_id(test_cell),
                test=test_cell.source,
                points=points(test_cell),
                answer_index=i,
                expensive="expensive" in test_cell.metadata.get("tags", []),
                judge=judges[grade_id(test_cell)],
            )
        )
    return found


class Harness:
    """One kernel for one chapter; see the module docstring for what it runs."""

    def __init__(self, assignment: str, root: Path | None = None, timeout: int = CELL_TIMEOUT):
        self.assignment = assignment
        self.root = course_root(root)
        self.nb = nbformat.read(source_notebook(assignment, self.root), as_version=4)
        self.exercises = exercises(self.nb)
        self.timeout = timeout
        self.seed = int(os.environ.get("HARNESS_SEED") or new_seed())
        self._answers = {ex.answer_id: ex.solution for ex in self.exercises}
        self.stubs = released_answers(assignment, self.root)
        self._scratch = nbformat.v4.new_notebook()
        self._client: NotebookClient | None = None

    def _execute(self, source: str) -> tuple[list, str | None]:
        cell = nbformat.v4.new_code_cell(source)
        self._scratch.cells.append(cell)
        try:
            self._client.execute_cell(cell, len(self._scratch.cells) - 1)
        except CellTimeoutError:
            self._client.km.interrupt_kernel()
            return cell.outputs, f"timed out after {self.timeout} s"
        except DeadKernelError as exc:
            raise HarnessError(f"the kernel died: {exc}") from exc
        return cell.outputs, None

    def _run(self, source: str) -> tuple[bool, str | None]:
        outputs, timed_out = self._execute(source)
        return (False, timed_out) if timed_out else outcome(outputs)

    def _answer(self, ex: Exercise, source: str) -> tuple[bool, str | None]:
        """Put ``source`` in place as the answer of ``ex`` (the judges read it)."""
        self._answers[ex.answer_id] = source
        return self._run(source)

    def _test(self, ex: Exercise) -> tuple[bool, str | None]:
        """The verdict on ``ex`` as the grader reaches it: its probe here, its judge outside."""
        outputs, timed_out = self._execute(ex.probe)
        if timed_out:
            return False, timed_out
        verdict = judge_cell(ex.judge, outputs, self.seed, dict(self._answers), stopped_by(outputs))
        return verdict.passed, (None if verdict.passed else f"{verdict.message} (seed {self.seed})")

    def _visible(self, ex: Exercise) -> str | None:
        """Why the visible checks of ``ex`` reject the answer in place (None when they pass)."""
        passed, message = self._run(ex.visible)
        return None if passed else (message or "failed")

    def _must_run(self, source: str, what: str) -> None:
        passed, message = self._run(source)
        if not passed:
            raise HarnessError(f"{self.assignment}: {what} fails in the harness kernel: {message}")

    def run(self, candidates: dict[str, dict[str, dict[str, str]]]) -> list[CandidateResult]:
        """Run every candidate of every exercise; raise HarnessError if the chapter itself fails."""
        with tempfile.TemporaryDirectory(prefix=f"harness-{self.assignment}-") as tmp:
            for path in data_files(self.assignment, self.root):
                (Path(tmp) / path.name).write_bytes(path.read_bytes())
            self._client = NotebookClient(
                self._scratch,
                timeout=self.timeout,
                startup_timeout=STARTUP_TIMEOUT,
                kernel_name="python3",
                allow_errors=True,
                resources={"metadata": {"path": tmp}},
            )
            with self._client.setup_kernel(cwd=tmp):
                self._must_run(
                    f'__import__("os").environ["DLCOURSE_PROBE_SEED"] = "{self.seed}"',
                    "the probe seed",
                )
                results = self._per_exercise(candidates)
                self._baseline()
                self._cross_check(candidates, results)
        return results

    def _per_exercise(self, candidates) -> list[CandidateResult]:
        results: list[CandidateResult] = []
        cursor = 0
        for ex in self.exercises:
            for cell in self.nb.cells[cursor : ex.answer_index]:
                if cell.cell_type != "code":
                    continue
                if "setup" in cell.metadata.get("tags", []):
                    self._must_run(cell.source, f"setup cell {cell.get('id')}")
                elif is_solution(cell):
                    self._must_run(cell.source, f"solution {grade_id(cell)}")
            cursor = ex.answer_index + 1
            self._must_run(ex.solution, f"solution {ex.answer_id}")
            passed, message = self._test(ex)
            results.append(
                CandidateResult(
                    ex.answer_id, "solution", "source", passed, message, visible=self._visible(ex)
                )
            )
            if not passed:
                raise HarnessError(
                    f"{self.assignment}: the source solution of {ex.answer_id} fails its test "
                    f"in the harness kernel ({message}); does a cell it needs lack the 'setup' tag?"
                )
            if ex.answer_id in self.stubs:
                ok, message = self._answer(ex, self.stubs[ex.answer_id])
                if ok:
                    ok, message = self._test(ex)
                results.append(CandidateResult(ex.answer_id, "stub", "release", ok, message))
            own = candidates.get(ex.answer_id, {})
            for kind in ("wrong", "right"):
                for name, source in own.get(kind, {}).items():
                    ok, message = self._answer(ex, source)
                    if ok:
                        ok, message = self._test(ex)
                    visible = self._visible(ex) if kind == "right" else None
                    results.append(
                        CandidateResult(ex.answer_id, kind, name, ok, message, visible=visible)
                    )
            self._answers[ex.answer_id] = ex.solution
            self._must_run(ex.solution, f"solution {ex.answer_id}")
        return results

    def _baseline(self) -> None:
        for ex in self.exercises:
            passed, message = self._test(ex)
            if not passed:
                raise HarnessError(
                    f"{self.assignment}: {ex.test_id} fails when re-run after the whole chapter "
                    f"({message}); a test cell must not depend on state that later cells change"
                )

    def _providers(self) -> list[str]:
        """The cells whose definitions a probe can call: setup cells and the solutions."""
        setup = [
            c.source
            for c in self.nb.cells
            if c.cell_type == "code" and "setup" in c.metadata.get("tags", [])
        ]
        return setup + [ex.solution for ex in self.exercises]

    def _reached_by(
        self, ex: Exercise, wrong: str, reach: dict[str, set[str] | None]
    ) -> list[Exercise]:
        """The other (not expensive) exercises whose tests the wrong answer ``wrong`` of ``ex``
        might change: none when the wrong answer only defines names, the later solutions run with
        it define nothing else, and no other test can reach a name it defines (then its code never
        runs after its own cell, and the kernel differs only in names nobody reads); else all."""
        others = [o for o in self.exercises if o is not ex and not o.expensive]
        names = top_level_names(wrong) | ex.defined_names
        isolated = (
            only_defines(wrong)
            and all(only_defines(d.solution) for d in self._dependents(ex))
            and not any(reach[o.test_id] is None or names & reach[o.test_id] for o in others)
        )
        return [] if isolated else others

    def _dependents(self, ex: Exercise) -> list[Exercise]:
        later = self.exercises[self.exercises.index(ex) + 1 :]
        names = ex.defined_names
        return [other for other in later if names & used_names(other.solution)]

    def _cross_check(self, candidates, results: list[CandidateResult]) -> None:
        providers = self._providers()
        reach = {ex.test_id: reachable(ex.probe, providers) for ex in self.exercises}
        for result in results:
            if result.kind != "wrong":
                continue
            ex = next(e for e in self.exercises if e.answer_id == result.exercise)
            wrong = candidates[ex.answer_id]["wrong"][result.name]
            dependents = self._dependents(ex)
            self._answer(ex, wrong)
            for other in dependents:
                self._run(other.solution)
            for other in self._reached_by(ex, wrong, reach):
                result.cross_checked.append(other.test_id)
                passed, message = self._test(other)
                if not passed:
                    result.collateral[other.test_id] = message or "failed"
            self._answers[ex.answer_id] = ex.solution
            self._must_run(ex.solution, f"solution {ex.answer_id}")
            for other in dependents:
                self._must_run(other.solution, f"solution {other.answer_id}")
