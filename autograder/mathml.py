"""Math in feedback pages without a network: TeX becomes MathML when the page is made.

nbconvert's HTML pages leave ``$...$`` in the text and load MathJax from a CDN to typeset it, so
a student reading feedback offline (or in JupyterLab's HTML viewer, which runs no scripts) sees
raw TeX. ``MathToMathML`` renders each markdown cell that holds math as nbconvert would, with
every formula converted to MathML by latex2mathml; browsers draw MathML natively (Chromium,
Firefox and Safari), so the page needs no script and no download. A formula latex2mathml cannot
read stays as TeX text.

A student's written answer is hostile input: the MathML is rebuilt from an allowlist of MathML
elements and presentation attributes (no links, no scripts, no styles), after
``autograder.inert`` has made the rest of the cell inert.
"""

from __future__ import annotations

import html
import re
from typing import Any

import bleach
from latex2mathml.converter import convert
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.filters.strings import strip_files_prefix
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from autograder.inert import DEAD_CONTENT, _DropDeadContent, _names

MATHML_TAGS = _names(
    "math mrow mi mn mo ms mtext mspace mfrac msqrt mroot msub msup msubsup munder mover "
    "munderover mtable mtr mtd mstyle mpadded mphantom menclose merror semantics "
    "annotation mmultiscripts mprescripts none"
)
MATHML_ATTRIBUTES = _names(
    "xmlns display mathvariant mathsize stretchy fence separator form lspace rspace accent "
    "accentunder largeop movablelimits symmetric minsize maxsize linethickness columnalign "
    "rowalign columnspacing rowspacing columnlines rowlines frame displaystyle scriptlevel "
    "width height depth notation encoding"
)
# What nbconvert's markdown parser calls math, and so what the renderer below converts.
_MATH_TOKENS = frozenset({"block_math", "inline_math", "multiline_math", "latex_environment"})


class _DropDeadContentButMath(_DropDeadContent):
    dead = DEAD_CONTENT - {"math"}


def clean_mathml(markup: str) -> str:
    """MathML with every element and attribute outside the allowlists removed."""
    cleaner = bleach.Cleaner(
        tags=MATHML_TAGS | DEAD_CONTENT,
        attributes=lambda _tag, name, _value: name in MATHML_ATTRIBUTES,
        strip=True,
        strip_comments=True,
        filters=[_DropDeadContentButMath],
    )
    return cleaner.clean(markup)


def tex_to_mathml(tex: str, block: bool) -> str:
    """One formula as MathML (escaped TeX between dollar signs if it cannot be converted)."""
    try:
        markup = convert(tex, display="block" if block else "inline")
    except Exception:  # latex2mathml raises many kinds of errors on TeX it does not know
        fence = "$$" if block else "$"
        return html.escape(f"{fence}{tex}{fence}")
    return clean_mathml(markup)


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, with math written as MathML instead of TeX."""

    def block_math(self, body: str) -> str:
        return tex_to_mathml(body, block=True)

    def multiline_math(self, text: str) -> str:
        return tex_to_mathml(text.strip().strip("$"), block=True)

    def latex_environment(self, name: str, body: str) -> str:
        return tex_to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", block=True)

    def inline_math(self, body: str) -> str:
        return tex_to_mathml(body, block=False)


def _has_math(tokens: list[dict[str, Any]]) -> bool:
    return any(
        token.get("type") in _MATH_TOKENS or _has_math(token.get("children") or [])
        for token in tokens
    )


def markdown_with_mathml(source: str, attachments: dict | None = None) -> str | None:
    """The cell as one raw HTML block with its math in MathML; None when it holds no math."""
    tokens, _ = MarkdownWithMath(renderer=None).parse(source)
    if not _has_math(tokens):
        return None
    renderer = MathMLRenderer(
        escape=False, attachments=attachments or {}, exclude_anchor_links=True
    )
    rendered = strip_files_prefix(MarkdownWithMath(renderer=renderer).render(source))
    # One line: markdown passes a raw HTML block through unchanged only up to a blank line.
    return "<div>" + re.sub(r"\r\n|\r|\n", "&#10;", rendered) + "</div>"


class MathToMathML(Preprocessor):
    """Replace each markdown cell holding math by its rendering with MathML (feedback pages)."""

    enabled = Bool(True).tag(config=True)  # nbconvert skips a preprocessor left disabled

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            try:
                block = markdown_with_mathml(cell.source, cell.get("attachments"))
            except Exception:  # a missing attachment, among others: leave the cell as it is
                block = None
            if block is not None:
                cell.source = block
        return cell, resources
