"""Executes course notebooks headlessly through the real evcxr kernel.

Called by scripts/run-notebooks.sh (which sets up the environment); see --help.
Each notebook runs in a fresh "Rust (dlcourse)" kernel, cell by cell. Executed copies,
with their outputs and pictures, are written under target/notebooks/ even when a cell
fails. On failure the notebook, the cell number and the error are named, and the exit
status is non-zero. A cell tagged `raises-exception` must fail (a compile error, a panic
or an error on stderr) and the run goes on; one that does not fail fails the run.
A notebook that is not valid JSON, a cell that kills the process running the cells
(e.g. `std::process::abort()`) and a cell that runs past --cell-timeout each fail their
notebook, naming it and the cell; the remaining notebooks still run.
"""

import argparse
import datetime
import json
import os
import re
import sys
import time
from pathlib import Path

import queue

import nbformat
from nbclient import NotebookClient
from nbclient.util import run_sync
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def cell_source_head(cell, lines=3):
    text = "".join(cell.source) if isinstance(cell.source, list) else cell.source
    head = text.strip().splitlines()[:lines]
    return "\n".join("    | " + line for line in head)


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def error_text(cell):
    """The error outputs of an executed cell, as plain text."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            parts.append(f"{out.get('ename', '')}: {out.get('evalue', '')}".strip(": "))
            parts.extend(out.get("traceback", [])[:20])
        elif out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", "")[-2000:])
    return ANSI.sub("", "\n".join(p for p in parts if p))


# evcxr catches a panic in a cell (so the learner keeps their variables), prints it to
# stderr and reports the cell as successful; it does the same with an error returned by
# `?`. A headless run must fail on both.
PANIC = re.compile(r"^thread '.*' (\(\d+\) )?panicked at ", re.MULTILINE)


def stderr_text(cell):
    return "".join(
        out.get("text", "")
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream" and out.get("name") == "stderr"
    )


def panic_text(stderr):
    """The panic message in a cell's stderr, or None."""
    match = PANIC.search(stderr)
    if not match:
        return None
    lines = stderr[match.start():].splitlines()
    message = [line for line in lines[:12] if not line.startswith(("stack backtrace", "   "))]
    return "\n".join(message)


# evcxr forwards the cell process's stderr on its own thread and replies before it has
# all arrived; a late line is tagged with whatever request runs next. Listening a moment
# after each cell, before sending the next, keeps each line with the cell that wrote it.
LATE_OUTPUT_WINDOW = 0.3


async def _late_stderr(kernel_client, window):
    text = []
    while True:
        try:
            msg = await kernel_client.get_iopub_msg(timeout=window)
        except queue.Empty:
            return "".join(text)
        content = msg.get("content", {})
        if msg.get("msg_type") == "stream" and content.get("name") == "stderr":
            text.append(content.get("text", ""))


late_stderr = run_sync(_late_stderr)


def collect_late_stderr(client, cell):
    text = late_stderr(client.kc, LATE_OUTPUT_WINDOW)
    if text:
        cell.outputs.append(nbformat.v4.new_output("stream", name="stderr", text=text))


def allows_stderr(cell):
    return "allow-stderr" in cell.get("metadata", {}).get("tags", [])


# A cell that shows a mistake on purpose carries the `raises-exception` tag (as nbval and
# nbmake spell it): it must fail — a compile error, a panic, or an error returned by `?`
# on stderr — and the run goes on. nbclient already lets such a cell's error through.
RAISES = "raises-exception"


def must_fail(cell):
    return RAISES in cell.get("metadata", {}).get("tags", [])


def failure_text(cell):
    """How an executed cell failed (its error, panic or stderr), or None if it did not."""
    errors = [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    if errors:
        return error_text(cell)
    stderr = stderr_text(cell)
    return panic_text(stderr) or (stderr.strip() or None)


def shows_result(cell):
    """Whether an executed cell showed something: a value, a picture, or printed text."""
    return any(
        out.get("output_type") in ("execute_result", "display_data")
        or (out.get("output_type") == "stream" and out.get("name") == "stdout" and out.get("text", "").strip())
        for out in cell.get("outputs", [])
    )


def run_one(path, out_dir, kernel, cell_timeout, notebook_timeout, cell_times=None, timing=None):
    """Runs one notebook; returns (ok, seconds, message). Appends (cell number, seconds,
    first source line) of each code cell to `cell_times` when given. Fills the dict
    `timing`, when given, with the seconds from the kernel's launch to its readiness
    (`kernel_ready_s`) and each code cell's number, seconds, end (seconds since the
    kernel's launch), whether it showed a result, and first line (`cells`)."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:  # not JSON, not a notebook, unreadable
        cause = err.__cause__ or err
        detail = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
        return False, 0.0, (
            f"cannot read the notebook ({type(err).__name__}: {detail}); no cell ran — "
            f"fix the file (git diff shows what changed) or restore it with git"
        )
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=cell_timeout,
        allow_errors=False,
        record_timing=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.monotonic()
    code_cells = 0
    ok, message = True, ""
    try:
        with client.setup_kernel():
            if timing is not None:
                timing["kernel_ready_s"] = time.monotonic() - start
                timing["cells"] = []
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                code_cells += 1
                elapsed = time.monotonic() - start
                if elapsed > notebook_timeout:
                    raise TimeoutError(
                        f"the notebook ran past its {notebook_timeout:.0f} s limit before cell {index + 1}"
                    )
                cell_start = time.monotonic()
                try:
                    client.execute_cell(cell, index)
                except (CellExecutionError, CellTimeoutError, DeadKernelError) as err:
                    detail = error_text(cell) or str(err)
                    kind = {
                        CellTimeoutError: f"timed out after {cell_timeout} s",
                        DeadKernelError: "the kernel died",
                    }.get(type(err), "raised an error")
                    # evcxr runs the cells in a child process; when it dies (an abort, a
                    # segfault, the OOM killer) the cell fails with this error.
                    if "Subprocess terminated with status" in detail:
                        kind = "killed the process running the cells (its variables are lost)"
                    raise RuntimeError(
                        f"cell {index + 1} (code cell {code_cells}) {kind}:\n"
                        f"{cell_source_head(cell)}\n{detail}"
                    ) from None
                # The cell's own latency, without the runner's wait for late stderr.
                now = time.monotonic()
                collect_late_stderr(client, cell)
                # The copy so far, so a run that is stopped (or still going) shows its outputs.
                out_dir.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, out_dir / path.name)
                first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
                if cell_times is not None:
                    cell_times.append((index + 1, now - cell_start, first))
                if timing is not None:
                    timing["cells"].append({
                        "cell": index + 1,
                        "seconds": now - cell_start,
                        "end_s": now - start,
                        "result": shows_result(cell),
                        "source": first,
                    })
                if must_fail(cell):
                    if failure_text(cell) is None:
                        raise RuntimeError(
                            f"cell {index + 1} (code cell {code_cells}) is tagged {RAISES} "
                            f"but did not fail (no compile error, panic or error on stderr):\n"
                            f"{cell_source_head(cell)}"
                        )
                    continue
                stderr = stderr_text(cell)
                panic = panic_text(stderr)
                if panic:
                    raise RuntimeError(
                        f"cell {index + 1} (code cell {code_cells}) panicked:\n"
                        f"{cell_source_head(cell)}\n{panic}"
                    )
                # evcxr prints an error returned by `?` to stderr and reports success; a
                # lesson writes nothing there unless its cell is tagged `allow-stderr`.
                if stderr.strip() and not allows_stderr(cell):
                    lines = [l for l in stderr.strip().splitlines() if not l.startswith("   ")]
                    raise RuntimeError(
                        f"cell {index + 1} (code cell {code_cells}) returned an error:\n"
                        f"{cell_source_head(cell)}\n" + "\n".join(lines[:15])
                    )
    except (RuntimeError, TimeoutError) as err:
        ok, message = False, str(err)
    except Exception as err:  # kernel could not start, etc.
        ok, message = False, f"{type(err).__name__}: {err}"
    seconds = time.monotonic() - start
    # How this copy was made, for the book (scripts/book.sh) and for a reader of the copy.
    nb.metadata["dlcourse"] = {
        "profile": os.environ.get("DLCOURSE_PROFILE", "full"),
        "executed": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "seconds": round(seconds, 1),
        "ok": ok,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_dir / path.name)
    return ok, seconds, message


def count_pictures(path):
    nb = nbformat.read(path, as_version=4)
    return sum(
        1
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if {"image/png", "image/svg+xml"} & set(out.get("data", {}))
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--kernel", default="dlcourse-rust")
    parser.add_argument("--cell-timeout", type=int, default=3600)
    parser.add_argument("--notebook-timeout", type=int, default=5400)
    parser.add_argument("--cell-times", action="store_true", help="print each code cell's seconds")
    parser.add_argument(
        "--times-json", type=Path, metavar="PATH",
        help="write the timings as JSON: per notebook, its seconds, the kernel's start-up, "
        "the first cell that showed a result, and every code cell",
    )
    parser.add_argument(
        "--require-pictures", action="store_true",
        help="fail a notebook whose executed copy holds no image (every lesson draws some)",
    )
    args = parser.parse_args()

    results = []
    timings = []
    for path in args.notebooks:
        print(f"== {path.name} (profile {os.environ.get('DLCOURSE_PROFILE', 'full')})", flush=True)
        cell_times = [] if args.cell_times else None
        timing = {} if args.times_json else None
        ok, seconds, message = run_one(
            path.resolve(), args.out, args.kernel, args.cell_timeout, args.notebook_timeout, cell_times,
            timing,
        )
        for number, cell_seconds, first in cell_times or []:
            print(f"   cell {number:>3}  {cell_seconds:7.2f} s  {first[:60]}", flush=True)
        if ok and args.require_pictures and count_pictures(args.out / path.name) == 0:
            ok, message = False, "the executed notebook holds no picture (image/png or image/svg+xml)"
        results.append((path.name, ok, seconds))
        if timing is not None:
            shown = [c for c in timing.get("cells", []) if c["result"]]
            timings.append({
                "notebook": path.name,
                "ok": ok,
                "seconds": seconds,
                "kernel_ready_s": timing.get("kernel_ready_s"),
                "first_result_s": shown[0]["end_s"] if shown else None,
                "first_result_cell": shown[0]["cell"] if shown else None,
                "cells": timing.get("cells", []),
            })
        if ok:
            print(f"   ok in {seconds:.1f} s -> {args.out / path.name}", flush=True)
        else:
            print(f"FAILED: {path} — {message}", file=sys.stderr, flush=True)

    width = max(len(name) for name, _, _ in results)
    print(f"\n{'notebook':<{width}}  {'result':<6}  seconds")
    for name, ok, seconds in results:
        print(f"{name:<{width}}  {'ok' if ok else 'FAILED':<6}  {seconds:7.1f}")
    failed = [name for name, ok, _ in results if not ok]
    print(f"notebooks: {len(results) - len(failed)} passed, {len(failed)} failed")
    if args.times_json:
        profile = os.environ.get("DLCOURSE_PROFILE", "full")
        args.times_json.parent.mkdir(parents=True, exist_ok=True)
        args.times_json.write_text(json.dumps({"profile": profile, "notebooks": timings}, indent=1) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
