"""autograder.mathml: the math of feedback pages as MathML, safe against a hostile answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from nbconvert.filters.markdown_mistune import MarkdownWithMath
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.mathml import MathToMathML, clean_mathml, markdown_with_mathml, tex_to_mathml
from autograder.paths import course_root, notebooks


def test_a_formula_becomes_mathml_inline_or_as_a_block() -> None:
    inline = tex_to_mathml(r"\sigma(z) = \frac{1}{1 + e^{-z}}", block=False)
    assert inline.startswith("<math") and 'display="inline"' in inline
    assert "<mfrac>" in inline and "<msup>" in inline
    assert 'display="block"' in tex_to_mathml(r"\sum_i x_i^2", block=True)


def test_tex_it_cannot_read_stays_as_escaped_tex() -> None:
    assert tex_to_mathml(r"\frac{1}{", block=False) == "$\\frac{1}{$"
    assert tex_to_mathml(r"a < \frac{", block=True) == "$$a &lt; \\frac{$$"


def test_a_hostile_formula_loses_links_scripts_and_markup() -> None:
    markup = tex_to_mathml(
        r"\href{javascript:alert(1)}{x} \text{<script>alert(1)</script>} <img src=x onerror=y>",
        block=True,
    )
    assert "href" not in markup and "javascript" not in markup
    assert "<script" not in markup and "alert(1)</" not in markup
    assert "<img" not in markup and "onerror=" not in markup
    assert clean_mathml('<math><mi style="x" onclick="y">a</mi><svg><a>b</a></svg></math>') == (
        "<math><mi>a</mi></math>"
    )


def test_markdown_keeps_its_code_and_text_and_is_one_raw_block() -> None:
    block = markdown_with_mathml("Let $x_i$ be a pixel, `$HOME` is not math.\n\n$$y = 2x$$")
    assert block is not None and "\n" not in block
    assert block.startswith("<div>") and block.endswith("</div>")
    assert "<code>$HOME</code>" in block
    assert block.count("<math") == 2
    assert markdown_with_mathml("No formula here, only `$x$` in code.") is None


def test_the_preprocessor_changes_only_markdown_with_math() -> None:
    nb = new_notebook(
        cells=[
            new_markdown_cell("Plain text."),
            new_markdown_cell("The loss $L = (y - \\hat y)^2$."),
            new_code_cell("x = '$a$'"),
        ]
    )
    out, _ = MathToMathML().preprocess(nb, {})
    assert out.cells[0].source == "Plain text."
    assert "<math" in out.cells[1].source
    assert out.cells[2].source == "x = '$a$'"


def _formulas(tokens: list[dict[str, Any]]) -> Iterator[str]:
    for token in tokens:
        if token.get("type") in ("block_math", "inline_math"):
            yield token["raw"]
        yield from _formulas(token.get("children") or [])


def test_every_formula_of_the_course_converts() -> None:
    """The chapters' own TeX is within what latex2mathml reads: none is left as TeX."""
    root = course_root()
    count = 0
    for name in notebooks(root):
        nb = json.loads((root / "source" / name / f"{name}.ipynb").read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                tokens, _ = MarkdownWithMath(renderer=None).parse("".join(cell["source"]))
                for tex in _formulas(tokens):
                    count += 1
                    assert tex_to_mathml(tex, block=False).startswith("<math"), (name, tex)
    assert count > 100
