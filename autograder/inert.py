"""Make a notebook's student-controlled content inert before anyone opens it as HTML.

The formgrader and the feedback pages render autograded notebooks with nbconvert, which passes
HTML outputs, markdown cells' raw HTML and markdown link targets to the browser as they are: a
submission's ``<script>``, ``onerror=`` handler or ``javascript:`` link would run in the
instructor's Jupyter session. ``inert_notebook`` returns a copy in which nothing can run:

- HTML (``text/html`` outputs, raw cells, HTML inside markdown) goes through bleach, the HTML
  sanitizer nbconvert itself depends on, with allowlists: ordinary tags (tables, lists,
  emphasis, images), a few attributes, links to http(s)/mailto/fragments, images from
  ``data:image/...;base64`` only, inline styles limited to properties that cannot load anything
  or move an element over the grader's page. ``<style>`` elements are dropped (browsers apply
  them to the whole page, ``scoped`` or not), as are ids and names (they could shadow the page's
  own elements) and classes other than pandas' ``dataframe``. Scripts, SVG and MathML islands,
  iframes, objects, templates and form fields go with their content.
- Markdown that uses only markdown (no raw HTML, safe link targets) is kept as written; any other
  is replaced by its sanitized rendering, as one raw HTML block that renders exactly as it is.
- Output MIME types are allowlisted: plain text, HTML, markdown, LaTeX, JSON, PNG/JPEG/GIF/WebP
  images and SVG (rebuilt from an allowlist of elements and attributes). JavaScript, widget
  views and anything else are dropped, with a note in the output's plain text.
- Notebook-level widget state (rendered by the widget manager's JavaScript) is dropped.

``InertOutputs`` is the same as an nbconvert preprocessor: settings.FEEDBACK_PREPROCESSORS and
settings.AUTOGRADE_PREPROCESSORS run it, so plain ``nbgrader`` gets it too.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any
from xml.etree import ElementTree

import bleach
from bleach.css_sanitizer import CSSSanitizer
from bleach.html5lib_shim import Filter
from defusedxml import ElementTree as SafeElementTree
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.filters.strings import strip_files_prefix
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from nbformat.v4 import new_output
from traitlets import Bool

# What replaces an output part that is not shown (a script, a widget, an unknown type).
NOTE = "[{what} removed: pages of graded work show no scripts, widgets or other active content]"
# A markdown cell that cannot be shown safely as HTML, and not as text either (never expected).
UNSHOWABLE = "(content removed: it could not be shown safely)"


def _names(text: str) -> frozenset[str]:
    """A set of names written as one space-separated string (long allowlists read better)."""
    return frozenset(text.split())


HTML_TAGS = _names(
    "a abbr b blockquote br caption cite code col colgroup dd del details dfn div dl dt em "
    "figcaption figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span "
    "strong sub summary sup table tbody td tfoot th thead time tr u ul var wbr"
)
# Elements dropped together with everything inside them: their content is code, or markup that
# is not the page's (SVG, MathML), or form state.
DEAD_CONTENT = _names(
    "script style template noscript iframe frame frameset object embed applet noembed noframes "
    "svg math textarea select title xmp"
)
_GLOBAL_ATTRIBUTES = frozenset({"title", "lang", "dir", "style", "class"})
_TAG_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "table": {"border", "cellpadding", "cellspacing"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign", "scope"},
    "tr": {"align", "valign"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "details": {"open"},
    "time": {"datetime"},
}
# pandas' DataFrame tables; every other class could borrow the page's own styles (fixed bars).
_CLASSES = frozenset({"dataframe"})
# Properties that take no url() and cannot take an element out of the flow of its output.
CSS_PROPERTIES = _names(
    "color background-color text-align vertical-align font-weight font-style font-size "
    "font-family text-decoration white-space line-height letter-spacing border border-collapse "
    "border-spacing border-color border-style border-width border-top border-right "
    "border-bottom border-left padding padding-top padding-right padding-bottom padding-left "
    "width height min-width max-width"
)
# Link targets: absolute http(s), mailto, a fragment, or a relative path with no scheme, no
# entity and no colon (nbconvert strips a "files/" prefix after rendering, so "files/x:y" or
# "files/&#..." could turn into a scheme).
_SAFE_HREF = re.compile(r"(?:https?://|mailto:|#)\S*|[A-Za-z0-9_./~?=+%#-]*", re.IGNORECASE)
RASTER_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
_IMAGE_DATA = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*")
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")
_DIMENSION = re.compile(r"\d{1,5}%?")

TEXT_TYPES = ("text/plain", "text/latex")
KEPT_TYPES = frozenset(
    {*TEXT_TYPES, "text/html", "text/markdown", "application/json", "image/svg+xml", *RASTER_TYPES}
)


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """bleach's attribute test. ``value`` is the raw value (entities not decoded), so every URL
    rule matches a literal prefix: an encoded scheme never passes."""
    if name not in _GLOBAL_ATTRIBUTES and name not in _TAG_ATTRIBUTES.get(tag, ()):
        return False
    if name == "class":
        return set(value.split()) <= _CLASSES
    if name == "href":
        return _SAFE_HREF.fullmatch(value.strip()) is not None
    if name == "src":
        return _IMAGE_DATA.fullmatch(value.strip()) is not None
    if name in ("width", "height"):
        return _DIMENSION.fullmatch(value.strip()) is not None
    return True


class _DropDeadContent(Filter):
    """Drop DEAD_CONTENT elements and everything inside them from bleach's token stream."""

    dead = DEAD_CONTENT

    def __iter__(self):
        depth = 0
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EndTag", "EmptyTag") and (token["name"] in self.dead):
                depth += {"StartTag": 1, "EndTag": -1}.get(token["type"], 0)
                depth = max(depth, 0)
                continue
            if depth == 0:
                yield token


def _cleaner() -> bleach.Cleaner:
    # The dead elements are "allowed" through bleach only so that _DropDeadContent sees them
    # whole (a stripped <script> would leave its code behind as text); none reaches the output.
    return bleach.Cleaner(
        tags=HTML_TAGS | DEAD_CONTENT,
        attributes=_allowed_attribute,
        protocols={"http", "https", "mailto", "data"},
        strip=True,
        strip_comments=True,
        filters=[_DropDeadContent],
        css_sanitizer=CSSSanitizer(allowed_css_properties=CSS_PROPERTIES),
    )


def clean_html(text: str) -> str:
    """The HTML with everything outside the allowlists removed (text content is kept)."""
    return _cleaner().clean(text)  # a Cleaner is not thread-safe: one per call


# --- Markdown -------------------------------------------------------------------------------

# Token types of nbconvert's markdown parser whose rendering escapes all text and emits only
# the renderer's own tags. Raw HTML (block_html, inline_html) and anything unknown are not here.
_MARKDOWN_TOKENS = _names(
    "paragraph text emphasis strong codespan linebreak softbreak heading blank_line "
    "thematic_break block_text block_code block_quote list list_item task_list_item table "
    "table_head table_body table_row table_cell def_list def_list_head def_list_item "
    "strikethrough block_math inline_math multiline_math latex_environment link image"
)
_ATTACHMENT = "attachment:"


def _safe_image(url: str, attachments: dict) -> bool:
    if url.startswith(_ATTACHMENT):
        return url[len(_ATTACHMENT) :] in attachments
    return _IMAGE_DATA.fullmatch(url) is not None


def _plain_tokens(tokens: list, attachments: dict) -> bool:
    for token in tokens:
        kind = token.get("type")
        attrs = token.get("attrs") or {}
        if kind not in _MARKDOWN_TOKENS:
            return False
        if kind == "link" and _SAFE_HREF.fullmatch(str(attrs.get("url", ""))) is None:
            return False
        if kind == "image" and not _safe_image(str(attrs.get("url", "")), attachments):
            return False
        # nbconvert renders ```mermaid blocks unescaped, for mermaid.js.
        if kind == "block_code" and str(attrs.get("info") or "").strip().lower().startswith(
            "mermaid"
        ):
            return False
        if not _plain_tokens(token.get("children") or [], attachments):
            return False
    return True


def plain_markdown(source: str, attachments: dict | None = None) -> bool:
    """True when nbconvert renders this markdown with no raw HTML and only safe link targets."""
    tokens, _ = MarkdownWithMath(renderer=None).parse(source)
    return _plain_tokens(tokens, attachments or {})


def _render_markdown(source: str, attachments: dict) -> str:
    """HTML as nbconvert's exporter renders a markdown cell (anchors left out)."""
    renderer = IPythonRenderer(escape=False, attachments=attachments, exclude_anchor_links=True)
    return strip_files_prefix(MarkdownWithMath(renderer=renderer).render(source))


def _verbatim_html(source: str, attachments: dict) -> bool:
    """True for sanitized HTML that markdown renders exactly as it is."""
    return clean_html(source) == source and (
        _render_markdown(source, attachments).rstrip("\n") == source
    )


def _as_text(source: str) -> str:
    """The markdown shown as a code block: every character escaped when rendered."""
    longest = max((len(run) for run in re.findall(r"~+", source)), default=0)
    fence = "~" * max(3, longest + 1)
    text = f"{fence}\n{source}\n{fence}"
    return text if plain_markdown(text) else UNSHOWABLE


def inert_markdown(source: str, attachments: dict | None = None) -> str:
    """The markdown itself when it is plain, else its sanitized rendering as one raw HTML block.

    The block has no line breaks (they become ``&#10;``), so markdown passes it through
    verbatim; that is checked, and the source is shown as text if it does not hold.
    """
    attachments = attachments or {}
    if plain_markdown(source, attachments):
        return source
    try:
        if _verbatim_html(source, attachments):  # made inert before
            return source
        html = clean_html(_render_markdown(source, attachments))
        block = "<div>" + re.sub(r"\r\n|\r|\n", "&#10;", html) + "</div>"
        if _verbatim_html(block, attachments):
            return block
    except Exception:  # nbconvert raises on a missing attachment, among others
        pass
    return _as_text(source)


# --- SVG ------------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
SVG_ELEMENTS = _names(
    "svg g defs path rect circle ellipse line polyline polygon text tspan use clipPath "
    "linearGradient radialGradient stop pattern symbol marker title desc image"
)
SVG_ATTRIBUTES = _names(
    "id x y x1 y1 x2 y2 cx cy r rx ry dx dy width height d points transform viewBox "
    "preserveAspectRatio fill fill-opacity fill-rule stroke stroke-width stroke-linecap "
    "stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset stroke-opacity "
    "opacity clip-path clip-rule font-family font-size font-weight font-style text-anchor "
    "dominant-baseline alignment-baseline rotate textLength lengthAdjust offset stop-color "
    "stop-opacity gradientUnits gradientTransform patternUnits patternTransform "
    "clipPathUnits markerWidth markerHeight refX refY orient markerUnits version "
    "visibility display overflow color style href"
)
# Styles of SVG shapes and text (matplotlib writes its colours as style="fill: ...").
SVG_CSS_PROPERTIES = _names(
    "fill fill-opacity fill-rule stroke stroke-width stroke-linecap stroke-linejoin "
    "stroke-miterlimit stroke-dasharray stroke-dashoffset stroke-opacity opacity color "
    "font-family font-size font-weight font-style text-anchor display visibility"
)
# A reference may point at an element of the same image (fill="url(#grad)") and nowhere else.
_LOCAL_HREF = re.compile(r"#[\w.:-]+")
_LOCAL_URL = re.compile(r"url\(\s*#[\w.:-]+\s*\)", re.IGNORECASE)


def _svg_value(name: str, value: str) -> str | None:
    """The attribute's value if it is allowed (styles filtered by property), else None."""
    value = value.strip()
    if name == "href":
        ok = _LOCAL_HREF.fullmatch(value) or _IMAGE_DATA.fullmatch(value)
        return value if ok else None
    if name == "style":
        sanitizer = CSSSanitizer(
            allowed_css_properties=SVG_CSS_PROPERTIES, allowed_svg_properties=SVG_CSS_PROPERTIES
        )
        value = sanitizer.sanitize_css(value)
    # No CSS escapes (they could spell url), and every url() local.
    urls = len(re.findall(r"url\(", value, re.IGNORECASE))
    return value if "\\" not in value and urls == len(_LOCAL_URL.findall(value)) else None


def _local(name: str) -> tuple[str | None, str]:
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return None, name


def _svg_copy(element: ElementTree.Element) -> ElementTree.Element | None:
    namespace, tag = _local(element.tag) if isinstance(element.tag, str) else (None, "")
    if namespace not in (None, SVG_NS) or tag not in SVG_ELEMENTS:
        return None
    attributes = {}
    for name, value in element.attrib.items():
        key = "href" if name == _XLINK_HREF else name  # SVG 2 reads a plain href
        kept = _svg_value(key, value) if key in SVG_ATTRIBUTES else None
        if kept is not None:
            attributes[key] = kept
    copied = ElementTree.Element(tag, attributes)
    copied.text = element.text
    for child in element:
        kept = _svg_copy(child)
        if kept is not None:
            kept.tail = child.tail
            copied.append(kept)
    return copied


def clean_svg(text: str) -> str | None:
    """The SVG rebuilt from allowlisted elements and attributes, or None if it is not SVG."""
    try:
        root = SafeElementTree.fromstring(text)
    except Exception:  # defusedxml refuses entities; ElementTree refuses what is not XML
        return None
    copied = _svg_copy(root)
    if copied is None or copied.tag != "svg":
        return None
    copied.set("xmlns", SVG_NS)  # the copy's names are plain; this puts them back in SVG's
    return ElementTree.tostring(copied, encoding="unicode")


# --- Outputs and cells ----------------------------------------------------------------------


def _joined(value: Any) -> Any:
    """nbformat's multiline strings (lists of lines) as one string; other values as they are."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    return value


def _inert_value(mime: str, value: Any) -> Any | None:
    """The inert form of one output representation, or None to drop it."""
    value = _joined(value)
    if mime == "application/json":
        return copy.deepcopy(value) if isinstance(value, dict | list) else None
    if not isinstance(value, str):
        return None
    if mime == "text/html":
        return clean_html(value)
    if mime == "text/markdown":
        return inert_markdown(value)
    if mime == "image/svg+xml":
        return clean_svg(value)
    if mime in RASTER_TYPES:
        return value if _BASE64.fullmatch(value) else None
    return value if mime in TEXT_TYPES else None


def inert_data(data: Any) -> dict:
    """An output's MIME bundle with only inert representations; what was dropped is named in
    a note appended to its plain text."""
    kept: dict = {}
    dropped: list[str] = []
    for mime, value in data.items() if isinstance(data, dict) else ():
        inert = _inert_value(mime, value) if mime in KEPT_TYPES else None
        if inert is None:
            dropped.append(str(mime))
        else:
            kept[mime] = inert
    if dropped:
        note = NOTE.format(what=" and ".join(f"{m!r} output" for m in sorted(dropped)))
        plain = kept.get("text/plain", "")
        kept["text/plain"] = f"{plain}\n{note}" if plain else note
    return kept


def _inert_metadata(metadata: Any, data: dict) -> dict:
    """Only the image sizes nbconvert's templates read (never a file name or an iframe flag)."""
    kept: dict = {}
    for mime in data:
        entry = metadata.get(mime) if isinstance(metadata, dict) else None
        if mime.startswith("image/") and isinstance(entry, dict):
            sizes = {
                k: v
                for k, v in entry.items()
                if k in ("width", "height") and type(v) in (int, float)
            }
            if sizes:
                kept[mime] = sizes
    return kept


def _text(value: Any) -> str:
    value = _joined(value)
    return value if isinstance(value, str) else json.dumps(value)


def inert_output(output: Any) -> NotebookNode:
    """A new output holding only the inert parts of ``output`` (unknown kinds become a note)."""
    kind = output.get("output_type") if isinstance(output, dict) else None
    if kind == "update_display_data":  # a display update left in the file shows what it holds
        kind = "display_data"
    if kind == "stream":
        name = output.get("name") if output.get("name") in ("stdout", "stderr") else "stdout"
        return new_output("stream", name=name, text=_text(output.get("text", "")))
    if kind == "error":
        traceback = output.get("traceback")
        return new_output(
            "error",
            ename=_text(output.get("ename", "")),
            evalue=_text(output.get("evalue", "")),
            traceback=[_text(t) for t in traceback] if isinstance(traceback, list) else [],
        )
    if kind in ("display_data", "execute_result"):
        data = inert_data(output.get("data"))
        new = new_output(kind, data=data, metadata=_inert_metadata(output.get("metadata"), data))
        if kind == "execute_result":
            count = output.get("execution_count")
            new.execution_count = count if type(count) is int else None
        return new
    return new_output("stream", name="stdout", text=NOTE.format(what=f"an output of type {kind!r}"))


def _inert_attachments(attachments: Any) -> dict:
    """Cell attachments reduced to raster images (markdown can only show those inertly)."""
    kept: dict = {}
    for name, bundle in attachments.items() if isinstance(attachments, dict) else ():
        images = {
            mime: value
            for mime, value in (bundle.items() if isinstance(bundle, dict) else ())
            if mime in RASTER_TYPES and isinstance(value, str) and _BASE64.fullmatch(value)
        }
        if images:
            kept[name] = images
    return kept


def inert_cell(cell: NotebookNode) -> NotebookNode:
    """The cell with inert outputs (code), inert source (markdown, raw) and image attachments."""
    cell = copy.deepcopy(cell)
    if cell.get("cell_type") == "code":
        cell["outputs"] = [inert_output(o) for o in cell.get("outputs") or []]
        return cell
    if "attachments" in cell:
        cell["attachments"] = _inert_attachments(cell["attachments"])
    source = _text(cell.get("source", ""))
    if cell.get("cell_type") == "markdown":
        cell["source"] = inert_markdown(source, cell.get("attachments"))
    else:  # raw cells: nbconvert's HTML exporter emits them as HTML
        cell["source"] = clean_html(source)
    return cell


def inert_notebook(nb: NotebookNode) -> NotebookNode:
    """A copy of ``nb`` in which no output, markdown or raw cell can run code when rendered."""
    copied = NotebookNode({k: copy.deepcopy(v) for k, v in nb.items() if k != "cells"})
    copied.get("metadata", {}).pop("widgets", None)
    copied["cells"] = [inert_cell(c) for c in nb.get("cells", [])]
    return copied


class InertOutputs(Preprocessor):
    """nbconvert preprocessor: the notebook as ``inert_notebook`` returns it."""

    # nbconvert registers preprocessors named in config as disabled unless they say otherwise.
    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        """The inert copy of the notebook; resources unchanged."""
        return inert_notebook(nb), resources
