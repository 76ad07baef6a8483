"""Let a demo use the student's answer once it is written, and run before that too.

An unsolved exercise is nbgrader's stub, which raises NotImplementedError when called. A demo
that calls it would fail far from the exercise on a student's first Run All; these helpers make it
fall back to PyTorch's equivalent, or skip, with a one-line note that names the exercise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class AnswerOr:
    """Calls ``answer``, or ``fallback`` while ``answer`` is still the stub.

    The first fallback prints a note saying which exercise to solve; the answer is tried again on
    every call, so a demo run after solving uses the student's code. ``fell_back`` says whether
    any call used the fallback (for labels such as "yours" versus "PyTorch's").
    """

    def __init__(
        self,
        answer: Callable[..., Any],
        fallback: Callable[..., Any],
        exercise: str,
        fallback_name: str,
    ) -> None:
        self.answer, self.fallback = answer, fallback
        self.exercise, self.fallback_name = exercise, fallback_name
        self.fell_back = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self.answer(*args, **kwargs)
        except NotImplementedError:
            if not self.fell_back:
                print(
                    f"Solve exercise {self.exercise} to see this demo with your own code; "
                    f"until then it uses {self.fallback_name}."
                )
                self.fell_back = True
            return self.fallback(*args, **kwargs)


@contextmanager
def needs_answer(exercise: str) -> Iterator[None]:
    """Run the block, or stop it with a one-line note where it reaches an unsolved stub."""
    try:
        yield
    except NotImplementedError:
        s = "s" if " and " in exercise else ""
        print(f"(skipped: needs your answer{s} to exercise{s} {exercise})")
