"""Student content is inert in feedback and in the formgrader: nothing a submission wrote runs.

Unit tests feed ``autograder.inert`` hostile HTML, markdown, SVG and MIME bundles and parse what
comes out. The end-to-end tests grade a hostile 00_demo submission (its answer cell displays
scripts, event handlers, javascript: links, SVG with scripts, a page-wide style, a pandas table
and a matplotlib figure; its written answer is raw HTML), make its feedback with
``generate_feedback`` and open the page in headless Debian chromium; and run plain
``nbgrader autograde`` on it, whose autograded notebook the formgrader shows.
"""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.filters.strings import strip_files_prefix
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from autograder import settings
from autograder.feedback import generate_feedback
from autograder.grade import grade_assignment
from autograder.gradebook import db_url, ensure_assignment
from autograder.inert import (
    HTML_TAGS,
    InertOutputs,
    clean_html,
    clean_svg,
    inert_markdown,
    inert_notebook,
    inert_output,
)
from autograder.notebook import read_notebook
from autograder.sandbox import Limits, bwrap_works
from tests.autograder.chapter import ASSIGNMENT, REPO, RIGHT_DOUBLE, RIGHT_SCALE, answer
from tests.autograder.conftest import nbgrader_autograde, save
from tests.autograder.test_feedback import copy_course
from tests.timeouts import hang_guard, hang_guard_ms

# A 1x1 PNG, base64.
PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0g"
    "AAAABJRU5ErkJggg=="
)

# Each would run code (or navigate, or restyle the grader's page) if it reached a browser as is.
HOSTILE_HTML = [
    "<script>window.pwned = 1</script>",
    '<img src="x" onerror="window.pwned = 1">',
    '<a href="javascript:window.pwned = 1">click</a>',
    '<a href=" JaVaScRiPt:window.pwned = 1">click</a>',
    '<a href="&#106;avascript&#58;window.pwned = 1">click</a>',
    '<a href="files/&#106;avascript&#58;window.pwned = 1">click</a>',  # nbconvert strips files/
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="data:text/html,&lt;script&gt;window.pwned = 1&lt;/script&gt;">click</a>',
    '<iframe srcdoc="&lt;script&gt;parent.pwned = 1&lt;/script&gt;"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf"><applet code="X"></applet>',
    '<base href="http://evil.invalid/">',
    '<meta http-equiv="refresh" content="0; url=javascript:window.pwned = 1">',
    '<form action="http://evil.invalid/"><input name="q"><button formaction="javascript:1">'
    "go</button></form>",
    '<svg onload="window.pwned = 1"><script>window.pwned = 2</script></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror="window.pwned = 1">',
    '<details open ontoggle="window.pwned = 1"><summary>s</summary>d</details>',
    "<style>body { display: none }</style>",
    '<div style="position: fixed; top: 0; background: url(http://evil.invalid/x.png)">over</div>',
    '<div class="navbar-fixed-top" id="notebook-container" name="x">clobber</div>',
    '<noscript><p title="</noscript><img src=x onerror=window.pwned=1>"></noscript>',
    '<img src="http://evil.invalid/beacon.png">',
    "<template><img src=x onerror=window.pwned=1></template>",
]

HOSTILE_MARKDOWN = [
    "[click](javascript:window.pwned=1)",
    "[click][ref]\n\n[ref]: javascript:window.pwned=1",
    "<javascript:window.pwned=1>",
    "[click](java&#115;cript:window.pwned=1)",
    "![img](javascript:window.pwned=1)",
    'Some text <img src="x" onerror="window.pwned=1"> more text',
    "<div>\n<script>window.pwned=1</script>\n\n[click](javascript:1)\n</div>",
    "```mermaid\n</pre><img src=x onerror=window.pwned=1>\n```",
    "[click](files/javascript:window.pwned=1)",
    "![missing](attachment:nowhere.png)",
]


class _Elements(HTMLParser):
    """Every start tag of an HTML text, with its attributes, as a browser's tokenizer reads it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(text: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(text)
    parser.close()
    return parser.found


def assert_inert(text: str) -> None:
    """Only allowlisted tags; no handler, id or name; links and images that cannot run code."""
    for tag, attrs in elements(text):
        assert tag in HTML_TAGS, (tag, text)
        for name, value in attrs.items():
            assert not name.startswith("on") and name not in ("id", "name"), (tag, name, text)
            value = (value or "").strip().lower()
            if name == "href":
                assert value.startswith(("https://", "http://", "mailto:", "#")) or (
                    ":" not in value and "&" not in value
                ), (value, text)
            if name == "src":
                assert value.startswith("data:image/png;base64,"), (value, text)
            if name == "style":
                assert "position" not in value and "url(" not in value, (value, text)
            if name == "class":
                assert value == "dataframe", (value, text)


def rendered(markdown: str, attachments: dict | None = None) -> str:
    """HTML as nbconvert renders a markdown cell (its exporter's renderer and files/ filter)."""
    renderer = IPythonRenderer(escape=False, attachments=attachments or {})
    return strip_files_prefix(MarkdownWithMath(renderer=renderer).render(markdown))


@pytest.mark.parametrize("text", HOSTILE_HTML)
def test_html_keeps_nothing_that_could_run(text: str) -> None:
    assert_inert(clean_html(text))


def test_hostile_html_is_not_inert_as_written() -> None:
    """The check above can fail: every hostile sample breaks the rules as written."""
    for text in HOSTILE_HTML:
        with pytest.raises(AssertionError):
            assert_inert(text)


def test_dropped_elements_take_their_code_with_them() -> None:
    assert clean_html("<script>window.pwned = 1</script><p>kept</p>") == "<p>kept</p>"
    assert clean_html("<style>body { display: none }</style>text") == "text"
    assert clean_html("<form><button>go</button></form>") == "go"  # form text stays


def test_ordinary_html_stays() -> None:
    """A pandas table, an inline PNG, a link and harmless inline styles survive unchanged."""
    table = pd.DataFrame({"loss": [0.25, 0.125]})._repr_html_()
    cleaned = clean_html(table)
    assert '<table border="1" class="dataframe">' in cleaned
    assert '<tr style="text-align: right;">' in cleaned
    assert "<th>loss</th>" in cleaned and "<td>0.125</td>" in cleaned
    assert "<style" not in cleaned  # pandas' page-wide <style scoped> goes
    image = f'<img src="data:image/png;base64,{PNG}" width="10" alt="plot">'
    assert clean_html(image) == image
    link = '<p>See <a href="https://pytorch.org/docs">the docs</a>, <b>bold</b> <sub>2</sub></p>'
    assert clean_html(link) == link
    assert clean_html('<span style="color: red;">x</span>') == '<span style="color: red;">x</span>'


@pytest.mark.parametrize("markdown", HOSTILE_MARKDOWN)
def test_markdown_renders_inert(markdown: str) -> None:
    html = rendered(inert_markdown(markdown))
    assert_inert(html)
    assert "pwned" not in "".join(str(a) for _, a in elements(html))


def test_hostile_markdown_is_not_inert_as_written() -> None:
    for markdown in HOSTILE_MARKDOWN[:-1]:  # the last one only fails to render
        with pytest.raises(AssertionError):
            assert_inert(rendered(markdown))


def test_markdown_without_html_is_kept_as_written() -> None:
    text = (
        "# Title\n\nSome *text*, `code <b>`, $a < b$, a [link](https://pytorch.org), a "
        "[section](#title) and ![a plot](attachment:plot.png).\n\n> quoted\n\n"
        "```python\nx = 1 < 2\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nYOUR ANSWER HERE"
    )
    assert inert_markdown(text, {"plot.png": {"image/png": PNG}}) == text


def test_markdown_with_html_keeps_its_text() -> None:
    html = rendered(inert_markdown("Ratio <b>2:1</b> and <img src=x onerror=alert(1)> done"))
    assert "Ratio <b>2:1</b> and <img> done" in html


def test_the_course_notebooks_are_left_exactly_as_they_are() -> None:
    """Every chapter's own markdown is plain: instructors' cells never change."""
    for path in sorted((REPO / "source").glob("*/*.ipynb")):
        nb = read_notebook(path)
        assert inert_notebook(nb) == nb, path


def test_made_inert_twice_is_made_inert_once() -> None:
    nb = new_notebook(
        cells=[new_markdown_cell(m) for m in HOSTILE_MARKDOWN]
        + [
            new_code_cell("x", outputs=[new_output("display_data", data={"text/html": h})])
            for h in HOSTILE_HTML
        ]
    )
    once = inert_notebook(nb)
    assert inert_notebook(once) == once


def test_outputs_keep_only_inert_types_and_say_what_went() -> None:
    script = new_output(
        "display_data",
        data={"application/javascript": "window.pwned = 1", "text/plain": "<Javascript>"},
    )
    kept = inert_output(script)
    assert set(kept.data) == {"text/plain"}
    assert kept.data["text/plain"].startswith("<Javascript>\n[")
    assert "'application/javascript' output removed" in kept.data["text/plain"]

    widget = inert_output(
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {}})
    )
    assert "widget-view+json" in widget.data["text/plain"]

    html = new_output(
        "execute_result",
        data={"text/html": "<b onclick='x()'>hi</b>", "image/png": PNG, "text/plain": "hi"},
        metadata={
            "text/html": {"isolated": True},
            "image/png": {"width": 40, "filenames": "x"},
            "filenames": {"image/png": "javascript:1"},
        },
        execution_count=3,
    )
    kept = inert_output(html)
    assert kept.data == {"text/html": "<b>hi</b>", "image/png": PNG, "text/plain": "hi"}
    assert kept.metadata == {"image/png": {"width": 40}} and kept.execution_count == 3

    bad_png = inert_output(new_output("display_data", data={"image/png": '"><script>'}))
    assert "image/png" not in bad_png.data

    update = inert_output({"output_type": "update_display_data", "data": {"text/plain": "x"}})
    assert update.output_type == "display_data" and update.data == {"text/plain": "x"}
    odd = inert_output({"output_type": "surprise", "data": {"text/html": "<script>"}})
    assert odd.output_type == "stream" and "'surprise'" in odd.text


def test_svg_keeps_the_drawing_and_loses_the_scripts() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([1, 2, 3], [1, 4, 9])
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    figure = buffer.getvalue()
    cleaned = clean_svg(figure)
    assert cleaned is not None and cleaned.startswith("<svg ")
    assert cleaned.count("<path ") == figure.count("<path ") > 5
    assert cleaned.count("<use ") == figure.count("<use ")
    assert 'style="fill: #ffffff' in cleaned  # matplotlib's colours

    hostile = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'onload="alert(1)"><script>alert(2)</script><a xlink:href="javascript:alert(3)">'
        '<text>x</text></a><rect width="5" height="5" fill="url(http://evil.invalid/#p)" '
        'style="stroke: red; fill: url(http://evil.invalid/x)"/>'
        '<use xlink:href="http://evil.invalid/x.svg#a"/><use xlink:href="#ok"/>'
        '<foreignObject><body xmlns="http://www.w3.org/1999/xhtml" onload="alert(4)"/>'
        '</foreignObject><animate attributeName="href" to="javascript:alert(5)"/></svg>'
    )
    cleaned = clean_svg(hostile)
    assert cleaned == (
        '<svg xmlns="http://www.w3.org/2000/svg"><rect width="5" height="5" /><use />'
        '<use href="#ok" /></svg>'
    )
    assert clean_svg("<!DOCTYPE x [<!ENTITY a 'b'>]><svg>&a;</svg>") is None
    assert clean_svg("<html><script>alert(1)</script></html>") is None
    assert clean_svg("not xml") is None


def test_inert_notebook_returns_a_copy_without_widget_state_or_odd_attachments() -> None:
    cell = new_markdown_cell(
        "![plot](attachment:plot.png) ![page](attachment:page.html)",
        attachments={
            "plot.png": {"image/png": PNG},
            "page.html": {"text/html": "<script>window.pwned = 1</script>"},
        },
    )
    code = new_code_cell("x", outputs=[new_output("stream", name="stdout", text="<b>ok</b>")])
    nb = new_notebook(cells=[cell, code], metadata={"widgets": {"state": {}}, "title": "t"})
    before = copy.deepcopy(nb)
    inert = inert_notebook(nb)
    assert nb == before  # pure
    assert inert.metadata == {"title": "t"}
    assert inert.cells[0].attachments == {"plot.png": {"image/png": PNG}}
    assert_inert(rendered(inert.cells[0].source, inert.cells[0].attachments))
    assert inert.cells[1] == code  # stream text is escaped by every template: left alone


def test_the_preprocessor_runs_in_the_feedback_and_autograde_chains() -> None:
    name = "autograder.inert.InertOutputs"
    feedback = settings.FEEDBACK_PREPROCESSORS
    assert feedback.index(name) == feedback.index("autograder.feedback.HideHiddenTests") + 1
    autograde = settings.AUTOGRADE_PREPROCESSORS
    assert autograde.index(name) == autograde.index("autograder.nbgrader_plugins.JudgeProbes") + 1
    assert InertOutputs().enabled
    nb = new_notebook(cells=[new_markdown_cell(HOSTILE_MARKDOWN[0])])
    assert InertOutputs().preprocess(nb, {})[0] == inert_notebook(nb)


# --- The real path: hostile submissions, graded, their feedback opened in chromium ----------

# What the hostile answer displays (each as a raw MIME bundle), besides a plot and a table.
HOSTILE_BUNDLES = [
    {"text/html": '<script>document.title = "pwned"; window.pwned = "script"</script>'},
    {"text/html": '<img src="x" onerror="window.pwned = \'onerror\'">'},
    {"text/html": "<a href=\"javascript:window.pwned = 'link'\">click me</a>"},
    {"application/javascript": 'window.pwned = "javascript output"', "text/plain": "<JS>"},
    {
        "image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" '
        'onload="window.pwned = \'svg\'"><script>window.pwned = "svg script"</script>'
        '<circle cx="10" cy="10" r="8" fill="green"/></svg>'
    },
    {"text/html": "<svg onload=\"window.pwned = 'inline svg'\"></svg>"},
    {"text/html": "<iframe srcdoc=\"<script>parent.pwned = 'iframe'</script>\"></iframe>"},
    {"text/html": "<details open ontoggle=\"window.pwned = 'toggle'\"><summary>s</summary>"},
    {"text/html": "<style>body { display: none !important }</style>"},
    {"text/html": '<base href="http://evil.invalid/">'},
    {"text/html": '<meta http-equiv="refresh" content="0; url=javascript:window.pwned=1">'},
    {"text/markdown": '[markdown link](javascript:window.pwned="markdown")'},
]
HOSTILE_ANSWER = f"""{RIGHT_DOUBLE}


import io

import matplotlib
import pandas as pd
from IPython.display import Image, display

matplotlib.use("Agg")
import matplotlib.pyplot as plt

for bundle in {json.dumps(HOSTILE_BUNDLES)}:
    display(bundle, raw=True)
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot([0, 1, 2], [0, 1, 4])
buffer = io.BytesIO()
fig.savefig(buffer, format="png")
display(Image(data=buffer.getvalue()))
pd.DataFrame({{"epoch": [1, 2], "loss": [0.75, 0.125]}})"""
HOSTILE_WRITTEN = (
    'Doubling <img src="x" onerror="window.pwned = \'written\'"> is scaling by two. '
    "[see](javascript:window.pwned='written link')"
)
LIMITS = Limits(cell_timeout=hang_guard(60), notebook_timeout=hang_guard(120), memory_mb=1500)


def hostile(release: NotebookNode) -> NotebookNode:
    nb = answer(release, "ex0_1_double", HOSTILE_ANSWER)
    nb = answer(nb, "ex0_2_scale", RIGHT_SCALE)
    return answer(nb, "written_ex0_3_explain", HOSTILE_WRITTEN)


def feedback_page(root: Path, student: str, folder: str = "feedback") -> Path:
    return root / folder / student / ASSIGNMENT / f"{ASSIGNMENT}.html"


def autograded(root: Path, student: str) -> Path:
    return root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def unsanitized(graded: NotebookNode) -> NotebookNode:
    """The autograded notebook as a grader that makes nothing inert would write it: the hostile
    bundles as the answer's outputs (before its plot and table), the written answer raw."""
    nb = copy.deepcopy(graded)
    answer_cell = next(c for c in nb.cells if "display(bundle, raw=True)" in c.source)
    raw = [new_output("display_data", data=bundle) for bundle in HOSTILE_BUNDLES]
    kept = [
        o
        for o in answer_cell.outputs
        if o.output_type == "execute_result" or "image/png" in o.get("data", {})
    ]
    answer_cell.outputs = raw + kept
    next(c for c in nb.cells if "is scaling by two" in c.source).source = HOSTILE_WRITTEN
    return nb


@pytest.fixture(scope="module")
def hostile_feedback(course: Path, tmp_path_factory: pytest.TempPathFactory, release_nb) -> Path:
    """A course with two graded hostile submissions and their feedback: mallory's autograded
    notebook as `grade` wrote it, eve's (the same submission) rewritten as a grader that makes
    nothing inert would have written it, so that the feedback chain alone has to cope."""
    root = copy_course(course, tmp_path_factory.mktemp("inert"))
    ensure_assignment(root, db_url(root), ASSIGNMENT)
    for student in ("mallory", "eve"):
        save(hostile(release_nb), root / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    sandbox = "bwrap" if bwrap_works() else "none"
    summary = grade_assignment(ASSIGNMENT, root=root, workers=2, sandbox=sandbox, limits=LIMITS)
    assert {o.student: o.score for o in summary.outcomes} == {"mallory": 3, "eve": 3}
    path = autograded(root, "eve")
    nbformat.write(unsanitized(nbformat.read(path, 4)), path)
    result = generate_feedback(ASSIGNMENT, root=root)
    assert sorted(result.written) == [feedback_page(root, s) for s in ("eve", "mallory")]
    assert not result.withheld
    return root


def browse(page_path: Path) -> dict:
    """Open the page in headless Debian chromium (no network), click its links, report what ran
    and what shows."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.server import CHROMIUM_ARGS, missing

    chromium = shutil.which("chromium")
    if chromium is None:
        missing("chromium is not installed (apt-get install chromium)")
    timeout = hang_guard_ms(30)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS, timeout=timeout
        )
        try:
            tab = browser.new_page()
            tab.set_default_timeout(timeout)
            # Offline: the page's CDN scripts (MathJax) fail at once instead of hanging.
            tab.route(
                re.compile(r"^(?!file:|data:|about:)"),
                lambda route: route.abort(),
            )
            url = page_path.resolve().as_uri()
            tab.goto(url, wait_until="load")
            for link in tab.locator("#notebook-container a").all():
                if link.is_visible():
                    link.click(no_wait_after=True)
            return tab.evaluate(
                """() => {
                const nb = document.querySelector('#notebook-container');
                const all = [...nb.querySelectorAll('*')];
                const png = [...nb.querySelectorAll('img[src^="data:image/png"]')];
                const svg = [...nb.querySelectorAll('img[src^="data:image/svg+xml"]')];
                const table = nb.querySelector('table.dataframe');
                return {
                  pwned: window.pwned === undefined ? null : String(window.pwned),
                  title: document.title,
                  url: location.href,
                  handlers: all.filter(e => [...e.attributes].some(a => a.name.startsWith('on')))
                               .map(e => e.outerHTML.slice(0, 80)),
                  scripts: all.filter(e => ['SCRIPT', 'IFRAME', 'svg'].includes(e.tagName))
                              .length,
                  jsLinks: [...nb.querySelectorAll('a[href]')]
                             .filter(a => a.href.trim().toLowerCase().startsWith('javascript'))
                             .length,
                  pngShown: png.filter(i => i.naturalWidth > 0 && i.offsetWidth > 0).length,
                  svgShown: svg.filter(i => i.naturalWidth > 0 && i.offsetWidth > 0).length,
                  table: table && table.offsetHeight > 0 ? table.innerText : null,
                  written: nb.innerText.includes('is scaling by two'),
                };
            }"""
            )
        finally:
            browser.close()


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("student", ["mallory", "eve"])
def test_the_hostile_feedback_page_runs_nothing_in_chromium(
    hostile_feedback: Path, student: str
) -> None:
    seen = browse(feedback_page(hostile_feedback, student))
    assert seen["pwned"] is None, seen
    assert seen["title"] == ASSIGNMENT and seen["url"].startswith("file:"), seen
    assert seen["handlers"] == [] and seen["scripts"] == 0 and seen["jsLinks"] == 0, seen
    # What a student's notebook ordinarily shows still shows: the table, the plots, the answer.
    assert seen["table"] is not None and "0.125" in seen["table"], seen
    assert seen["pngShown"] == 1 and seen["svgShown"] == 1, seen
    assert seen["written"], seen


@pytest.mark.slow
@pytest.mark.browser
def test_without_inert_outputs_the_same_page_runs_the_students_code(
    hostile_feedback: Path, tmp_path: Path
) -> None:
    """The check above can fail: nbgrader's chain without InertOutputs makes eve's page run her
    scripts in the browser."""
    chain = [p for p in settings.FEEDBACK_PREPROCESSORS if p != "autograder.inert.InertOutputs"]
    folder = f"unsafe_{tmp_path.name}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nbgrader",
            "generate_feedback",
            ASSIGNMENT,
            "--student",
            "eve",
            f"--GenerateFeedback.preprocessors={chain!r}",
            f"--CourseDirectory.feedback_directory={folder}",
            f"--CourseDirectory.root={hostile_feedback}",
        ],
        cwd=hostile_feedback,
        capture_output=True,
        text=True,
        timeout=hang_guard(600),
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = browse(feedback_page(hostile_feedback, "eve", folder))
    assert seen["pwned"] is not None and seen["title"] == "pwned", seen
    assert seen["handlers"] and seen["jsLinks"], seen


@pytest.mark.slow
def test_plain_nbgrader_autograde_writes_an_inert_notebook(
    course: Path, tmp_path: Path, release_nb
) -> None:
    """What the formgrader renders is the autograded notebook: after `nbgrader autograde` it
    holds no script, handler or javascript: link, and still holds the table and the figure."""
    root = copy_course(course, tmp_path / "course")
    ensure_assignment(root, db_url(root), ASSIGNMENT)
    save(hostile(release_nb), root / "submitted" / "mallory" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    nbgrader_autograde(root, ASSIGNMENT)
    graded = nbformat.read(autograded(root, "mallory"), 4)
    bundles = [o.get("data", {}) for c in graded.cells for o in c.get("outputs", [])]
    assert not [b for b in bundles if "application/javascript" in b]
    for bundle in bundles:
        for mime in ("text/html", "text/markdown"):
            if mime in bundle:
                html = bundle[mime] if mime == "text/html" else rendered(bundle[mime])
                assert_inert(html)
    assert any("image/png" in b for b in bundles)
    assert any('class="dataframe"' in b.get("text/html", "") for b in bundles)
    written = next(c for c in graded.cells if "is scaling by two" in c.source)
    assert_inert(rendered(written.source))
    assert "pwned" not in json.dumps(bundles)
