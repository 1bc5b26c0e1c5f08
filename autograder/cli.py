"""Command line: grade, check, release, data."""
import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from . import assignment as assignments
from . import data, report
from .grading import Outcome, grade_one, run_checks, student_id

console = Console(stderr=True)
CODE_SUFFIXES = (".py", ".ipynb")


def expand(paths):
    """Each PATH is a submission (a file, or a folder holding one) or a folder of submissions."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            entries = sorted(p for p in path.iterdir() if not p.name.startswith((".", "_")))
            code = [p for p in entries if p.suffix in CODE_SUFFIXES and p.is_file()]
            folders = [p for p in entries if p.is_dir()]
            if len(code) == 1 and not folders:
                found.append(path)
                continue
            found += code + folders
        else:
            found.append(path)
    return found


def _worker(assignment, path, out_dir, timeout):
    """Grade in a fresh process: whatever happens there, the batch goes on."""
    folder = out_dir / student_id(path)
    cmd = [sys.executable, "-m", "autograder", "grade-one", str(path), "--out", str(folder),
           "--assignment", assignment.id]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        problem = f"the grader process failed: {proc.stderr.strip()[-500:]}" if proc.returncode else ""
    except subprocess.TimeoutExpired:
        problem = f"grading took longer than {timeout:g} s"
    if problem or not (folder / "results.json").is_file():
        outcome = Outcome(student_id(path), error=problem or "no results were written")
        report.write_submission(outcome, folder)
    return report.read_results(folder)


def cmd_grade(args):
    assignment = assignments.resolve(args.assignment)
    submissions = expand(args.paths)
    if not submissions:
        console.print("[red]no submissions found[/]")
        return 2
    names = [student_id(p) for p in submissions]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        console.print(f"[red]two submissions share a student id: {', '.join(dupes)}[/]")
        return 2
    spec = assignment.config.get("dataset")
    if spec:  # verify once, up front, so workers only find a ready cache
        data.sandbox_cache(spec, data.load(spec))
    out_dir = Path(args.out)
    timeout = assignment.config.get("limits", {}).get("submission_seconds", 300) + 120
    start = time.monotonic()
    rows = {}
    with Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=True) as progress, ThreadPoolExecutor(args.jobs) as pool:
        task = progress.add_task("grading", total=len(submissions))
        futures = {pool.submit(_worker, assignment, p, out_dir, timeout): p for p in submissions}
        for future in futures:
            rows[futures[future]] = future.result()
            progress.advance(task)
    ordered = [rows[p] for p in submissions]
    columns = report.function_columns(ordered)
    report.atomic_write(out_dir / "grades.csv", report.grades_csv(ordered, columns))
    _print_table(ordered, columns)
    console.print(f"graded {len(ordered)} submission(s) in {time.monotonic() - start:.1f} s; "
                  f"results in {out_dir}/")
    return 0


def cmd_grade_one(args):
    assignment = assignments.resolve(args.assignment)
    grade_one(assignment, args.path, args.out)
    return 0


def _print_table(rows, functions):
    table = Table(title="Grades")
    for column in ["student", "score", *functions, "status"]:
        table.add_column(column, justify="left" if column in ("student", "status") else "right")
    for r in rows:
        extra = r.get("extra_data", {})
        points = extra.get("functions", {})
        total = sum(t["max_score"] for t in r["tests"])
        table.add_row(extra.get("student", "?"), f"{r['score']:g}/{total:g}",
                      *(f"{points[f][0]:g}/{points[f][1]:g}" if f in points else "-" for f in functions),
                      extra.get("error") or "ok")
    Console().print(table)


def cmd_check(args):
    assignment = assignments.resolve(args.assignment)
    path = Path(args.path) if args.path else assignment.release_dir / f"{assignment.module}.py"
    outcome = run_checks(assignment, path, hidden=False)
    out = Console(soft_wrap=True)
    out.print(f"[bold]Self-check of {path}[/] (public checks only; the final grade has hidden checks too)")
    for note in outcome.notes:
        out.print(f"[yellow]note:[/] {note}", highlight=False)
    for c in outcome.checks:
        mark = "[green]PASS[/]" if c.passed else "[red]FAIL[/]"
        out.print(f"{mark} {c.name} ({c.points:g}/{c.max_points:g})", highlight=False)
        for line in ([c.message] if c.message else []) + c.notes:
            out.print("     " + line.replace("\n", "\n     "), highlight=False, markup=False)
    out.print(f"[bold]{outcome.score:g} / {outcome.max_score:g}[/] public points")
    if args.json:
        Path(args.json).write_text(json.dumps(report.results_json(outcome), indent=2))
    return 0 if outcome.score == outcome.max_score and outcome.checks else 1


def cmd_release(args):
    from . import release
    assignment = assignments.resolve(args.assignment)
    for path in release.build(assignment):
        console.print(f"wrote {path}")
    return 0


def cmd_data(args):
    for assignment_id in assignments.available():
        spec = assignments.resolve(assignment_id).config.get("dataset")
        if spec:
            try:
                path = data.fetch(spec, args.source)
            except data.DataError as err:
                console.print(f"[red]{err}[/]")
                return 1
            console.print(f"{assignment_id}: {path} verified")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    grade = sub.add_parser("grade", help="grade submissions (.py, .ipynb, or folders of them)")
    grade.add_argument("paths", nargs="+")
    grade.add_argument("--out", required=True, help="results folder")
    grade.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel")
    grade.add_argument("--assignment")
    grade.set_defaults(run=cmd_grade)
    one = sub.add_parser("grade-one", help=argparse.SUPPRESS)
    one.add_argument("path")
    one.add_argument("--out", required=True)
    one.add_argument("--assignment")
    one.set_defaults(run=cmd_grade_one)
    check = sub.add_parser("check", help="students: run the public checks on your work")
    check.add_argument("path", nargs="?", help="your .py or .ipynb (default: the assignment's file)")
    check.add_argument("--assignment")
    check.add_argument("--json", help="also write the results as JSON here")
    check.set_defaults(run=cmd_check)
    rel = sub.add_parser("release", help="instructors: regenerate the student release and handout")
    rel.add_argument("assignment", nargs="?")
    rel.set_defaults(run=cmd_release)
    dat = sub.add_parser("data", help="get and verify the data sets the assignments need")
    dat.add_argument("--from", dest="source", help="a local copy to verify and copy in")
    dat.set_defaults(run=cmd_data)
    args = parser.parse_args(argv)
    return args.run(args)
