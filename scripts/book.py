"""Builds a static HTML book from the executed lessons (the runner's copies in
target/notebooks/): an index with the lesson table, one page per lesson with its outputs and
pictures, navigation between lessons, and the profile and date each ran in. With --check it
also verifies every page: it has its pictures, and no cell shows an error (cells tagged
raises-exception are the lessons' deliberate mistakes and may)."""

import argparse
import datetime
import html
import re
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

RAISES = "raises-exception"
PICTURES = ("image/png", "image/svg+xml", "image/jpeg")

STYLE = """
<style>
.dlcourse-nav { font: 15px/1.4 system-ui, sans-serif; display: flex; gap: 1.5em; align-items: baseline;
  padding: .6em 1em; border-bottom: 1px solid #ddd; background: #fafafa; position: sticky; top: 0; z-index: 10; }
.dlcourse-nav a { text-decoration: none; color: #1a5fb4; }
.dlcourse-nav .ran { margin-left: auto; color: #666; }
</style>
"""

INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>dlcourse — the lessons</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .4em .6em; text-align: left; vertical-align: top; }}
th {{ background: #f3f3f3; }}
.missing {{ color: #888; }}
.failed {{ color: #b00; }}
</style></head><body>
<h1>dlcourse — deep learning, in Rust, in Jupyter</h1>
<p>Every lesson below is the notebook as the course's headless runner executed it, with its
outputs and pictures. Built {built}.</p>
<table><tr><th>#</th><th>lesson</th><th>profile</th><th>ran</th><th>seconds</th><th>pictures</th></tr>
{rows}
</table></body></html>
"""


def title_of(nb, fallback):
    """The lesson's title: its first markdown heading."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def pictures_in(nb):
    return sum(
        1 for cell in nb.cells for out in cell.get("outputs", []) if set(PICTURES) & set(out.get("data", {}))
    )


def errors_in(nb):
    """(cell number, first line) of every cell that shows an error or stderr output and is not
    one of the lesson's deliberate mistakes."""
    found = []
    for number, cell in enumerate(nb.cells, 1):
        if cell.cell_type != "code" or RAISES in cell.get("metadata", {}).get("tags", []):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" or (
                out.get("output_type") == "stream" and out.get("name") == "stderr" and out.get("text", "").strip()
            ):
                found.append((number, (out.get("ename") or out.get("text", "")).strip().splitlines()[0][:120]))
                break
    return found


def ran_line(nb):
    meta = nb.metadata.get("dlcourse", {})
    if not meta:
        return "run details not recorded"
    return f"{meta.get('profile', '?')} profile, {meta.get('executed', '?')}, {meta.get('seconds', 0):.0f} s"


def nav(lessons, index):
    prev_link = f'<a href="{lessons[index - 1]["page"]}">← {html.escape(lessons[index - 1]["title"])}</a>' if index > 0 else ""
    next_link = (
        f'<a href="{lessons[index + 1]["page"]}">{html.escape(lessons[index + 1]["title"])} →</a>'
        if index + 1 < len(lessons) else ""
    )
    ran = html.escape(ran_line(lessons[index]["nb"]))
    return f'<nav class="dlcourse-nav"><a href="index.html">All lessons</a>{prev_link}{next_link}<span class="ran">{ran}</span></nav>'


def build(sources, executed, out):
    """Writes the book to `out`; returns the lessons (with their notebooks) it holds."""
    out.mkdir(parents=True, exist_ok=True)
    lessons, missing = [], []
    for source in sources:
        copy = executed / source.name
        if not copy.exists():
            missing.append(source)
            continue
        nb = nbformat.read(copy, as_version=4)
        lessons.append({"name": source.stem, "page": source.stem + ".html", "nb": nb,
                        "title": title_of(nb, source.stem)})
    exporter = HTMLExporter(template_name="lab")
    for index, lesson in enumerate(lessons):
        body, _ = exporter.from_notebook_node(lesson["nb"])
        body = body.replace("</head>", STYLE + "</head>", 1)
        body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + nav(lessons, index), body, count=1)
        (out / lesson["page"]).write_text(body, encoding="utf-8")
    rows = []
    for lesson in lessons:
        meta = lesson["nb"].metadata.get("dlcourse", {})
        status = "" if meta.get("ok", True) else ' <span class="failed">(failed)</span>'
        rows.append(
            f'<tr><td>{html.escape(lesson["name"][:2])}</td><td><a href="{lesson["page"]}">'
            f'{html.escape(lesson["title"])}</a>{status}</td><td>{html.escape(str(meta.get("profile", "—")))}</td>'
            f'<td>{html.escape(str(meta.get("executed", "not recorded")))}</td>'
            f'<td>{"%.0f" % meta["seconds"] if "seconds" in meta else "—"}</td>'
            f'<td>{pictures_in(lesson["nb"])}</td></tr>'
        )
    for source in missing:
        rows.append(f'<tr class="missing"><td>{html.escape(source.stem[:2])}</td><td>{html.escape(source.stem)}'
                    f' — not run yet (scripts/run-notebooks.sh {html.escape(source.name)})</td><td></td><td></td><td></td><td></td></tr>')
    built = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    (out / "index.html").write_text(INDEX.format(built=built, rows="\n".join(rows)), encoding="utf-8")
    return lessons, missing


def check(lessons, out):
    """Problems with the built pages: a lesson without pictures (in the notebook or on its page),
    or a cell that shows an error."""
    problems = []
    for lesson in lessons:
        page = (out / lesson["page"]).read_text(encoding="utf-8")
        expected = pictures_in(lesson["nb"])
        shown = len(re.findall(r"<img\s", page)) + len(re.findall(r"<svg[\s>]", page))
        if expected == 0:
            problems.append(f"{lesson['page']}: the executed lesson holds no picture")
        elif shown < expected:
            problems.append(f"{lesson['page']}: {expected} pictures in the notebook, {shown} on the page")
        for number, first in errors_in(lesson["nb"]):
            problems.append(f"{lesson['page']}: cell {number} shows an error: {first}")
        if "dlcourse-nav" not in page:
            problems.append(f"{lesson['page']}: no navigation bar")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="+", type=Path, help="the lessons' sources, in book order")
    parser.add_argument("--executed", type=Path, required=True, help="folder of the executed copies")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--check", action="store_true", help="fail when a page lacks pictures or shows an error")
    args = parser.parse_args()
    lessons, missing = build(args.notebooks, args.executed, args.out)
    print(f"book: {len(lessons)} lessons, {len(missing)} not run yet -> {args.out / 'index.html'}")
    if args.check:
        problems = check(lessons, args.out)
        problems += [f"{source.name}: not executed (no copy in {args.executed})" for source in missing]
        for problem in problems:
            print(f"book check: {problem}", file=sys.stderr)
        if problems:
            return 1
        print("book check: every page has its pictures and no error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
