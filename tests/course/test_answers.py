"""Demos fall back on PyTorch's equivalent, or skip, while an exercise is the unsolved stub."""

from __future__ import annotations

import pytest

from course.answers import AnswerOr, needs_answer


def stub(x: float) -> float:
    raise NotImplementedError()


def test_answer_or_uses_the_fallback_and_says_once_which_exercise(capsys):
    double = AnswerOr(stub, lambda x: 2 * x, "3.4", "torch.mul")
    assert double(2) == 4 and double(5) == 10
    assert double.fell_back
    printed = capsys.readouterr().out
    assert printed.count("Solve exercise 3.4") == 1
    assert "until then it uses torch.mul." in printed


def test_answer_or_uses_the_answer_once_solved(capsys):
    double = AnswerOr(lambda x: x + x, lambda x: -1, "3.4", "torch.mul")
    assert double(3) == 6
    assert not double.fell_back
    assert capsys.readouterr().out == ""


def test_answer_or_lets_other_errors_through():
    def wrong(x: float) -> float:
        raise ValueError("a bug in the answer")

    with pytest.raises(ValueError, match="a bug"):
        AnswerOr(wrong, lambda x: x, "3.4", "torch.mul")(1)


def test_needs_answer_stops_the_block_with_a_note(capsys):
    reached = []
    with needs_answer("6.8"):
        stub(1)
        reached.append(True)
    assert not reached
    assert capsys.readouterr().out == "(skipped: needs your answer to exercise 6.8)\n"
    with needs_answer("7.2 and 7.3"):
        stub(1)
    assert "needs your answers to exercises 7.2 and 7.3" in capsys.readouterr().out


def test_needs_answer_lets_other_errors_through():
    with pytest.raises(KeyError), needs_answer("6.8"):
        raise KeyError("model")
