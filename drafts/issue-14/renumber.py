"""Issue 14, run once: renumber chapters 05-07 and move the two drafted chapters into the course.

    PYTHONPATH=. .venv/bin/python drafts/issue-14/renumber.py      # from the repository root

Old -> new: 05_rnn -> 06_rnn, 06_transformers -> 07_transformers, 07_ethics -> 09_ethics; then
05_deep_training and 08_generative come in from drafts/issue-14/ (already written with the new
numbers, so nothing of theirs is renumbered). Steps:

1. Rename the chapter's files: source/NN_slug/NN_slug.ipynb, docs/chapters/NN_slug.md,
   tests/notebooks/candidates/NN_slug.py (release/ is rebuilt in step 5).
2. Rewrite text, in the source notebooks (cell sources, cell ids, nbgrader grade_id; read and
   written with autograder.notebook) and in every text file git knows of (tracked, or untracked
   and not ignored) outside drafts/ and release/: chapter ids, grade ids (ex5_3_x, test_ex5_3_x,
   written_ex5_3_x), exercise numbers ("Exercise 5.3", "exercises 7.8 and 7.9",
   needs_answer("7.2 and 7.3"), AnswerOr(..., "7.8", ...); in a renamed chapter's own notebook,
   notes and candidates also bare ones: "a mistake in 5.2", "(6.1, 6.2)"), chapter references
   ("chapter 6", "Chapter 05", the "# 07 — ..." title). Every rule writes its new numbers as
   placeholders that no rule matches, so 5 -> 6 -> 7 -> 9 can never chain. Book chapters under
   "Further reading" (Goodfellow et al., chapter 6) are left alone, and so are section numbers
   ("section 6.3"), figure sizes and measurements.
3. Apply the drafts' two patches (their context lines are renamed to the new ids first), put
   08_generative's entries before 09_ethics's, and copy the drafted files into place.
4. Delete drafts/issue-14/.
5. Rebuild release/ (python -m autograder release) and the generated parts of README.md,
   bench/results/*.md and course/chapter_times.json (bench/readme.py); the two new chapters show
   "not measured yet" until `make bench` runs.

It refuses to run twice (source/05_rnn must exist) and prints every bare number like "6.5" that it
left alone in a renamed chapter's files, for a last look by eye.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from autograder.notebook import read_notebook, write_notebook

ROOT = Path.cwd()
DRAFTS = ROOT / "drafts" / "issue-14"
RENAMED = {"05_rnn": "06_rnn", "06_transformers": "07_transformers", "07_ethics": "09_ethics"}
NUMBER = {5: 6, 6: 7, 7: 9}  # old chapter number -> new
PATCHES = ["05_deep_training.patch", "08_generative.patch"]
# Where a chapter's own files live; {c} is the chapter id.
CHAPTER_FILES = ["docs/chapters/{c}.md", "tests/notebooks/candidates/{c}.py"]
# Text files that are rewritten (besides the source notebooks): everything tracked, minus these.
SKIP_DIRS = {"drafts", "release", "source"}  # source/: only notebooks, rewritten apart
TEXT_SUFFIXES = {".py", ".md", ".toml", ".json", ".txt", ".cfg", ".yml", ".yaml", ".html", ".js"}
TEXT_NAMES = {"Makefile", "README.md"}
# Prose that counts the chapters (exact text; each must be found once).
PROSE = {
    "README.md": [
        (
            "seven chapters that build neural networks from a single neuron up\n"
            "to attention and Transformers, and end with the ethics of deploying them. "
            "Every chapter explains with\n",
            "nine chapters that build neural networks from a single neuron up\n"
            "to attention, Transformers and generative models, and end with the ethics\n"
            "of deploying them. Every chapter explains with\n",
        )
    ],
    "autograder/demo.py": [("in all seven chapters", "in all nine chapters")],
    "tests/notebooks/harness.py": [
        ("once all seven\nchapters exist", "once all nine\nchapters exist")
    ],
}

# Placeholders: a rule writes "\ue000" + digits + "\ue001"; no rule's pattern matches them.
OPEN, CLOSE = "\ue000", "\ue001"


def hold(text: str) -> str:
    return OPEN + text + CLOSE


def release_placeholders(text: str) -> str:
    return re.sub(f"{OPEN}([^{CLOSE}]*){CLOSE}", r"\1", text)


def new_number(old: str) -> str:
    """ "5" -> "6", "05" -> "06", "7" -> "9" (keeps a leading zero); other numbers unchanged."""
    n = int(old)
    if n not in NUMBER:
        return old
    return hold(f"{NUMBER[n]:0{len(old)}d}")


# --- the rules -------------------------------------------------------------------------------

CHAPTER_ID = re.compile(r"\b(" + "|".join(RENAMED) + r")\b")
# ex5_3_slug, test_ex5_3_slug, written_ex5_3_slug, and the heading cells' ids ex5-3.
GRADE_ID = re.compile(r"(?<![A-Za-z0-9])ex([567])(?=[_-]\d)")
EX = r"[567]\.[1-9]\d?"  # an exercise number of a renamed chapter: 5.3, 7.12
EX_LIST = rf"{EX}(?:(?:,\s*|,?\s+and\s+|\s+or\s+|\s*[–-]\s*|\s+to\s+){EX})*"
END = r"(?!\d|\.\d)"  # a number ends here (a full stop may follow)
EX_NUMBER = re.compile(rf"(?<![\d.])([567])\.(?=[1-9]\d?{END})")
# "Exercise 5.3", "exercises 7.8 and 7.9", "Exercises 7.1–7.3".
EXERCISE_WORDS = re.compile(rf"(?i)\bexercises?\s+{EX_LIST}{END}")
# A string that holds only exercise numbers: needs_answer("7.2 and 7.3"), AnswerOr(.., "7.8", ..).
EXERCISE_STRING = re.compile(rf'"{EX_LIST}"')
# "chapter 6", "Chapter 05", "chapters 5 and 6" (not "chapter 07_transformers": ids are above).
CHAPTER_WORDS = re.compile(
    r"(?i)\bchapters?\s+0?[0-9](?:(?:,\s*|\s+and\s+|\s+or\s+|\s*[–-]\s*|\s+to\s+)0?[0-9])*\b(?!_)"
)
CHAPTER_TITLE = re.compile(r"\A# (0[567]) — ")
FURTHER_READING = re.compile(r"^#+ Further reading", re.MULTILINE)


def renumber_exercises(match: re.Match) -> str:
    return EX_NUMBER.sub(lambda m: new_number(m.group(1)) + ".", match.group(0))


def renumber_own_exercises(text: str, chapter: int, exercises: int) -> str:
    """In a chapter's own files, a bare "6.4" is its exercise 6.4 ("a mistake in 5.2", "(6.1,
    6.2)", "- 6.8 checks"), unless it is no exercise's number (6.54), a figure size
    (figsize=(6.5, 4)) or one end of a range of measurements ("6.5 to 7.1")."""

    def renumber(m: re.Match) -> str:
        before, after = text[: m.start()], text[m.end() :]
        if (
            int(m.group(1)) > exercises
            or re.search(r"figsize=\([\d., ]*$", before)
            or re.match(r"\s+to\s+\d", after)
        ):
            return m.group(0)
        return new_number(str(chapter)) + "." + m.group(1)

    return re.sub(rf"(?<![\d.\w]){chapter}\.([1-9]\d?){END}", renumber, text)


def renumber_chapters(match: re.Match) -> str:
    return re.sub(r"\b0?[0-9]\b", lambda m: new_number(m.group(0)), match.group(0))


def rewrite(text: str, own: tuple[int, int] | None = None, prose: bool = True) -> str:
    """``text`` with the new chapter ids, grade ids, exercise and chapter numbers.

    ``own``: (old number, number of exercises) when the text is a renamed chapter's own (notebook,
    notes, candidates), whose bare exercise numbers are renumbered too. ``prose``: chapter and
    exercise references in words are renumbered (False: only ids, in data such as results JSON).
    """
    assert OPEN not in text and CLOSE not in text
    text = CHAPTER_ID.sub(lambda m: hold(RENAMED[m.group(1)]), text)
    text = GRADE_ID.sub(lambda m: "ex" + new_number(m.group(1)), text)
    if prose:
        text = CHAPTER_TITLE.sub(lambda m: f"# {new_number(m.group(1))} — ", text)
        text = EXERCISE_WORDS.sub(renumber_exercises, text)
        text = EXERCISE_STRING.sub(renumber_exercises, text)
        if own:
            text = renumber_own_exercises(text, *own)
        # Book chapters are cited under "Further reading": leave them as they are.
        reading = FURTHER_READING.search(text)
        cut = reading.start() if reading else len(text)
        text = CHAPTER_WORDS.sub(renumber_chapters, text[:cut]) + text[cut:]
    return release_placeholders(text)


# --- the steps -------------------------------------------------------------------------------


def move(old: Path, new: Path) -> None:
    assert old.exists() and not new.exists(), (old, new)
    new.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(old, new)
    print(f"moved {old.relative_to(ROOT)} -> {new.relative_to(ROOT)}")


def rename_chapter_files() -> None:
    # 07 first, then 06, then 05, so that no new name is ever an old one still waiting.
    for old, new in reversed(RENAMED.items()):
        move(ROOT / "source" / old, ROOT / "source" / new)
        move(ROOT / "source" / new / f"{old}.ipynb", ROOT / "source" / new / f"{new}.ipynb")
        for pattern in CHAPTER_FILES:
            move(ROOT / pattern.format(c=old), ROOT / pattern.format(c=new))


def exercise_count(chapter: str) -> int:
    """The number of exercises of an (old) chapter: the largest N of its "Exercise C.N" headings."""
    number = int(chapter[:2])
    nb = read_notebook(ROOT / "source" / chapter / f"{chapter}.ipynb")
    heading = re.compile(rf"^### Exercise {number}\.(\d+) —", re.MULTILINE)
    return max(int(m.group(1)) for cell in nb.cells for m in heading.finditer(cell.source))


def own_files() -> dict[Path, tuple[int, int]]:
    """Each renamed chapter's own files (new paths) -> (old number, number of exercises)."""
    found = {}
    for old, new in RENAMED.items():
        own = (int(old[:2]), exercise_count(old))
        for pattern in ["source/{c}/{c}.ipynb", *CHAPTER_FILES]:
            found[ROOT / pattern.format(c=new)] = own
    return found


def rewrite_notebooks(own: dict[Path, tuple[int, int]]) -> None:
    for path in sorted((ROOT / "source").glob("*/*.ipynb")):
        nb = read_notebook(path)
        for cell in nb.cells:
            cell.source = rewrite(cell.source, own.get(path))
            cell.id = rewrite(cell.id, prose=False)
            meta = cell.metadata.get("nbgrader")
            if meta and "grade_id" in meta:
                meta["grade_id"] = rewrite(meta["grade_id"], prose=False)
        before = path.read_bytes()
        write_notebook(nb, path)
        if path.read_bytes() != before:
            print(f"rewrote {path.relative_to(ROOT)}")


def text_files() -> list[Path]:
    """Tracked and untracked, not ignored (student data, .venv), text files outside SKIP_DIRS."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    found = []
    for name in sorted(set(filter(None, listed))):
        path = ROOT / name
        if path.parts[len(ROOT.parts)] in SKIP_DIRS or not path.is_file():
            continue
        if path.suffix in TEXT_SUFFIXES or path.name in TEXT_NAMES:
            found.append(path)
    return found


def rewrite_text_files(own: dict[Path, tuple[int, int]]) -> None:
    for path in text_files():
        relative = path.relative_to(ROOT).as_posix()
        old = path.read_text(encoding="utf-8")
        # Untouched: the bench's fixtures and tests/course/ (made-up chapters and exercise numbers,
        # e.g. needs_answer("6.8")). Data files (results, times) get new ids only.
        if relative.startswith(("tests/bench/fixtures/", "tests/course/")):
            continue
        prose = path.suffix != ".json"
        new = rewrite(old, own.get(path), prose=prose)
        for before, after in PROSE.get(relative, []):
            assert new.count(before) == 1, f"{relative}: expected once: {before!r}"
            new = new.replace(before, after)
        if new != old:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {relative}")


def apply_patches() -> None:
    for name in PATCHES:
        patch = rewrite((DRAFTS / name).read_text(encoding="utf-8"), prose=False)
        adapted = ROOT / f".{name}"
        adapted.write_text(patch, encoding="utf-8")
        try:
            subprocess.run(["git", "apply", "--check", adapted.name], cwd=ROOT, check=True)
            subprocess.run(["git", "apply", adapted.name], cwd=ROOT, check=True)
        finally:
            adapted.unlink()
        print(f"applied {name} (context renamed to the new ids)")
    # The patches append 08_generative after the last chapter, 09_ethics: put it before.
    toml = ROOT / "bench" / "chapters.toml"
    text = toml.read_text(encoding="utf-8")
    block = re.search(r"\[08_generative\]\n.*?(?=\n\[|\Z)", text, re.DOTALL).group(0).rstrip("\n")
    text = text.replace("\n\n" + block, "").replace("[09_ethics]", block + "\n\n[09_ethics]")
    toml.write_text(text, encoding="utf-8")
    specs = ROOT / "bench" / "specs.py"
    text = specs.read_text(encoding="utf-8")
    block = re.search(r'    "08_generative": """\n.*?\n""",\n', text, re.DOTALL).group(0)
    text = text.replace(block, "").replace('    "09_ethics": """', block + '    "09_ethics": """')
    specs.write_text(text, encoding="utf-8")
    print("moved 08_generative before 09_ethics in bench/chapters.toml and bench/specs.py")


def copy_drafts() -> None:
    skip = {"README.md", Path(__file__).name, *PATCHES}
    for path in sorted(DRAFTS.rglob("*")):
        relative = path.relative_to(DRAFTS)
        if path.is_dir() or relative.as_posix() in skip or "__pycache__" in relative.parts:
            continue
        target = ROOT / relative
        assert not target.exists(), f"{relative} already exists"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        print(f"copied drafts/issue-14/{relative}")
    shutil.rmtree(DRAFTS)
    if not any((ROOT / "drafts").iterdir()):
        (ROOT / "drafts").rmdir()
    print("removed drafts/issue-14/")


def regenerate() -> None:
    run = [sys.executable]
    subprocess.run([*run, "-m", "autograder", "release"], cwd=ROOT, check=True)
    subprocess.run([*run, "bench/readme.py"], cwd=ROOT, check=True)


def report_bare_numbers(own: dict[Path, tuple[int, int]]) -> None:
    """Print each decimal such as 6.5 that starts with a renamed chapter's old number and was left
    alone in that chapter's own files (figure sizes, measurements; a reference to an exercise of
    the chapter now numbered like the old one shows up here too)."""
    for path, (number, _) in own.items():
        left = re.compile(rf"(?<![\d.\w]){number}\.[1-9]\d?{END}")
        if path.suffix == ".ipynb":
            texts = [(f" cell {i}", c.source) for i, c in enumerate(read_notebook(path).cells)]
        else:
            texts = [("", path.read_text(encoding="utf-8"))]
        for where, text in texts:
            for m in left.finditer(text):
                context = text[max(0, m.start() - 40) : m.end() + 25].replace("\n", " ")
                print(f"  {path.relative_to(ROOT)}{where}: ...{context}...")


def main() -> None:
    if not (ROOT / "source" / "05_rnn").is_dir() or not DRAFTS.is_dir():
        raise SystemExit("source/05_rnn or drafts/issue-14 is missing: already renumbered?")
    if not (ROOT / "autograder").is_dir():
        raise SystemExit("run this from the repository root")
    for name in PATCHES:  # they must fit the old numbering before anything changes
        subprocess.run(["git", "apply", "--check", str(DRAFTS / name)], cwd=ROOT, check=True)
    own = own_files()
    rename_chapter_files()
    rewrite_notebooks(own)
    rewrite_text_files(own)
    apply_patches()
    copy_drafts()
    regenerate()
    print("Decimals with an old chapter number left as they were (check none is an exercise):")
    report_bare_numbers(own)
    print("Done. Next: make bench (times of 05_deep_training and 08_generative), then make test.")


if __name__ == "__main__":
    main()
