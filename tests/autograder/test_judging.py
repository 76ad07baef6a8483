"""The trusted half of grading: records read strictly, judges loaded from the source, verdicts."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
from nbformat.v4 import new_code_cell, new_notebook, new_output

from autograder.judging import JudgeError, judge_cell, load_judges
from autograder.probing import apply_verdicts, prepare, probe_source
from autograder.records import BadRecord, read_record
from autograder.static import forbidden_uses
from course.probe import MIME_TYPE, encode

SEED = 777


def record(values, test="test_x", seed=SEED):
    data = {"test": test, "seed": seed, "values": {k: encode(v) for k, v in values.items()}}
    return new_output("display_data", data={MIME_TYPE: data})


def judges_for(source: str):
    test = new_code_cell(
        "### BEGIN HIDDEN TESTS\n_probe = course.probe.Probe('test_x')\n_probe.send()\n"
        "### END HIDDEN TESTS",
        metadata={
            "nbgrader": {
                "grade": True,
                "solution": False,
                "grade_id": "test_x",
                "points": 1,
                "locked": True,
                "schema_version": 3,
            }
        },
    )
    judge = new_code_cell(source, metadata={"tags": ["judge"]})
    nb = new_notebook()
    nb.cells = [test, judge]
    return load_judges(nb)


DOUBLE_JUDGE = """
def judge(probe):
    x = torch.randn(4, generator=probe.generator())
    got = probe.tensor("out", "double(x)", shape=x.shape, dtype=x.dtype, device="cpu")
    assert torch.allclose(got, 2 * x), "double(x) is not 2x"
"""


def right_values():
    from autograder.judging import Evidence

    x = torch.randn(4, generator=Evidence("test_x", SEED, {}, {}).generator())
    return {"out": 2 * x}


def test_a_right_record_passes_and_a_wrong_one_fails_with_the_judges_message():
    judge = judges_for(DOUBLE_JUDGE)["test_x"]
    assert judge_cell(judge, [record(right_values())], SEED, {}).passed
    wrong = {"out": right_values()["out"] + 1}
    verdict = judge_cell(judge, [record(wrong)], SEED, {})
    assert not verdict.passed and verdict.message == "double(x) is not 2x"


@pytest.mark.parametrize(
    "outputs, reason",
    [
        ([], "reported nothing"),
        ([record(right_values()), record(right_values())], "instead of one"),
        ([record(right_values(), test="test_y")], "another test"),
        ([record(right_values(), seed=SEED + 1)], "not made in this run"),
        ([new_output("display_data", data={MIME_TYPE: {"test": "test_x"}})], "malformed"),
        ([new_output("display_data", data={MIME_TYPE: "{not json"})], "not valid JSON"),
    ],
)
def test_no_valid_record_no_points(outputs, reason):
    judge = judges_for(DOUBLE_JUDGE)["test_x"]
    verdict = judge_cell(
        judge, outputs, SEED, {}, stopped="NameError: name 'double' is not defined"
    )
    assert not verdict.passed and reason in verdict.message
    assert "NameError" in verdict.message  # why the record is missing, for the student


def test_printed_text_and_stream_outputs_never_pass():
    judge = judges_for(DOUBLE_JUDGE)["test_x"]
    fake = [new_output("stream", name="stdout", text="Passed: the grader's hidden tests accept")]
    assert not judge_cell(judge, fake, SEED, {}).passed


def test_a_record_over_the_size_limit_is_refused():
    big = {"test": "test_x", "seed": SEED, "values": {"x": "a" * (5 * 2**20)}}
    with pytest.raises(BadRecord, match="size limit"):
        read_record([new_output("display_data", data={MIME_TYPE: big})], "test_x", SEED)


@pytest.mark.parametrize(
    "tensor_spec",
    [
        {"dtype": "float32", "shape": [2], "data": "AAAA"},  # 3 bytes for 8
        {"dtype": "float32", "shape": [-1], "data": ""},
        {"dtype": "float32", "shape": "2", "data": ""},
    ],
)
def test_malformed_tensors_are_bad_records(tensor_spec):
    data = {"test": "test_x", "seed": SEED, "values": {"out": {"__tensor__": tensor_spec}}}
    with pytest.raises(BadRecord):
        read_record([new_output("display_data", data={MIME_TYPE: data})], "test_x", SEED)


def test_staged_messages_type_shape_dtype_device():
    judge = judges_for(DOUBLE_JUDGE)["test_x"]
    x = right_values()["out"]
    for value, words in [
        ([1.0] * 4, "should be a torch.Tensor"),
        (x[:2], "shape"),
        (x.double(), "dtype"),
        (x.to("meta"), "device"),
    ]:
        verdict = judge_cell(judge, [record({"out": value})], SEED, {})
        assert words in verdict.message, verdict.message


def test_an_exception_in_the_students_code_is_the_message():
    judge = judges_for(DOUBLE_JUDGE)["test_x"]
    verdict = judge_cell(judge, [record({"out": ValueError("oops")})], SEED, {})
    assert "your code raised ValueError: oops" in verdict.message


def test_a_judge_that_trips_on_an_odd_result_fails_the_test_with_a_reason():
    judge = judges_for("def judge(probe):\n    probe['out'].nonexistent()\n")["test_x"]
    verdict = judge_cell(judge, [record({"out": 1})], SEED, {})
    assert not verdict.passed and "could not use your result" in verdict.message


def test_judges_keep_their_asserts_under_python_O():
    script = (
        "from tests.autograder.test_judging import judges_for, record, SEED\n"
        "from autograder.judging import judge_cell\n"
        'j = judges_for(\'def judge(probe):\\n    assert probe["v"] == 1, "v must be 1"\\n\')\n'
        "print(judge_cell(j['test_x'], [record({'v': 2})], SEED, {}).passed)\n"
    )
    out = subprocess.run(
        [sys.executable, "-O", "-c", script], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_a_broken_judge_cell_is_the_courses_error_not_a_zero():
    with pytest.raises(JudgeError, match="does not load"):
        judges_for("def judge(probe):\n    return (\n")
    with pytest.raises(JudgeError, match="defines no judge"):
        judges_for("x = 1\n")


def test_prepare_runs_probes_only_and_apply_verdicts_restores_the_cell():
    source = (
        "assert double(2) == 4  # visible\n### BEGIN HIDDEN TESTS\n_probe = 1\n### END HIDDEN TESTS"
    )
    assert probe_source(source) == "_probe = 1"
    judges = judges_for(DOUBLE_JUDGE)
    nb = new_notebook()
    test = new_code_cell(
        source,
        metadata={
            "nbgrader": {"grade": True, "solution": False, "grade_id": "test_x", "points": 1}
        },
    )
    nb.cells = [
        new_code_cell("x = 1"),
        test,
        new_code_cell("def judge(probe): pass", metadata={"tags": ["judge"]}),
    ]
    ready = prepare(nb, SEED)
    assert [c.source for c in ready.cells][1:] == ["x = 1", "_probe = 1"]
    assert str(SEED) in ready.cells[0].source
    ready.cells[2].outputs = [record(right_values())]
    done = apply_verdicts(ready, nb, judges, SEED)
    assert [c.source for c in done.cells] == ["x = 1", source]
    assert done.cells[1].outputs[0]["name"] == "stdout"


@pytest.mark.parametrize(
    "answer",
    [
        "def f(z):\n    return torch.sigmoid(z)",
        "def f(z):\n    return z.sigmoid()",
        "from torch import sigmoid as s\ndef f(z):\n    return s(z)",
        "from torch.nn.functional import sigmoid\n",
        "def f(z):\n    return torch.ops.aten.exp(z)",
        "def f(z):\n    return torch._C._nn.gelu(z)",
        "def f(z):\n    return getattr(torch, 'sig' + 'moid')(z)",
        "import importlib\n",
        "import sys\nf = sys.modules['torch'].sigmoid",
        "import operator\nf = operator.attrgetter('sig' + 'moid')(torch)",
        "def f(z):\n    return eval('torch.sigmoid')(z)",
        "f = vars(torch)['sigmoid']",
    ],
)
def test_the_static_check_sees_forbidden_names_in_any_spelling(answer):
    assert forbidden_uses(answer, {"sigmoid"})


@pytest.mark.parametrize(
    "answer",
    [
        "import sys\nsys.setrecursionlimit(10_000)\n",
        "def forward(self, x):\n    for i in range(3):\n        x = getattr(self, f'fc{i}')(x)\n",
    ],
)
def test_the_static_check_allows_lookups_on_the_students_own_objects(answer):
    assert forbidden_uses(answer, {"sigmoid"}) == []


def test_the_static_check_leaves_honest_answers_alone():
    honest = (
        "def sigmoid(z):\n    e = torch.exp(-z.abs())\n"
        "    return torch.where(z >= 0, 1 / (1 + e), e / (1 + e))"
    )
    assert forbidden_uses(honest, {"sigmoid"}) == []


def test_the_static_check_sees_names_imported_in_other_cells_but_not_the_answers_own():
    assert forbidden_uses("def auc(s, y):\n    return roc_auc_score(y, s)", {"roc_auc_score"})
    assert forbidden_uses("from sklearn.metrics import roc_curve", {"metrics"})
    own = "def sigmoid(z):\n    return 1 / (1 + torch.exp(-z))\n\nsigmoid(torch.zeros(1))"
    assert forbidden_uses(own, {"sigmoid"}) == []
