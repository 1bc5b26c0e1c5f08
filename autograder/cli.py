"""Command line: grade, check, release, data, bundle, audit, new."""
import argparse
import os
import sys
import json
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import assignment as assignments
from . import data, files, i18n, lms, report, submission
from .grading import grade_one, run_checks
from .sandbox import jail

console = Console(stderr=True)


def cmd_grade(args):
    from . import batch
    candidates = assignments.candidates(args.assignment)  # several: each submission names its own
    console.print(f"student code is confined at the {jail.describe(jail.level())} level", highlight=False)
    if jail.level() == "basic":
        one_file = len(args.paths) == 1 and Path(args.paths[0]).is_file() \
            and Path(args.paths[0]).suffix in (".py", ".ipynb")
        if not (args.unconfined or one_file):
            console.print(f"[red]refusing to grade: {jail.UNCONFINED_RISK} {jail.HOW_TO_CONFINE} "
                          "To grade anyway, knowingly, pass --unconfined.[/]")
            return 2
        console.print(f"[yellow]warning: {jail.UNCONFINED_RISK}[/]")
    out_dir = Path(args.out)
    start = time.monotonic()
    scheduler = args.scheduler or os.environ.get("AUTOGRADER_SCHEDULER") or next(
        (a.config["grading"]["scheduler"] for a in candidates if a.config.get("grading", {}).get("scheduler")), None)
    result = batch.run(candidates, args.paths, out_dir, jobs=args.jobs, resume=args.resume,
                       id_column=args.id_column, console=console, scheduler=scheduler, lms_choice=args.lms,
                       roster_path=args.roster, due=args.due, similar=args.similarity,
                       lms_assignment=args.lms_assignment, language=args.lang)
    if result.code:
        return result.code
    _print_table(result.rows, result.columns)
    console.print(f"graded {result.graded} submission(s) in {time.monotonic() - start:.1f} s"
                  + (f" ({result.resumed} already graded)" if result.resumed else "")
                  + f"; results in {out_dir}/, class summary in {out_dir / 'summary.html'}")
    return 0


def cmd_grade_one(args):
    assignment = assignments.resolve(args.assignment, path=args.path)
    grade_one(assignment, args.path, args.out, student=args.id, language=args.lang)
    return 0


def cmd_worker(args):
    from . import workers
    workers.serve(assignments.resolve(args.assignment), args.lang)
    return 0


def _print_table(rows, functions):
    table = Table(title="Grades")
    for column in ["student", "score", *functions, "test acc.", "status"]:
        table.add_column(column, justify="left" if column in ("student", "status") else "right")
    for r in rows:
        extra = r.get("extra_data", {})
        points = extra.get("functions", {})
        total = sum(t["max_score"] for t in r["tests"])
        accuracy = report.test_accuracy(r)
        table.add_row(extra.get("student", "?"), f"{r['score']:g}/{total:g}",
                      *(f"{points[f][0]:g}/{points[f][1]:g}" if f in points else "-" for f in functions),
                      "-" if accuracy is None else report.percent(accuracy), _cut(report.status(r), 80))
    # A pipe or a log file gets the whole table; a terminal gets what fits.
    Console(width=None if sys.stdout.isatty() else 200).print(table)


def _cut(text, width):
    return text if len(text) <= width else text[:width - 1] + "\u2026"


def cmd_check(args):
    candidates = assignments.candidates(args.assignment)
    if not args.path:  # the assignment's own file (several assignments: the one named)
        own = assignments.resolve(args.assignment)
        args.path = str(own.release_dir / f"{own.module}.py")
    assignment = candidates[0] if len(candidates) == 1 else assignments.named_by(args.path, candidates)
    i18n.choose(assignment or candidates[0], args.lang)
    out = Console(soft_wrap=True)
    try:  # the rules `grade` applies: one readable .py or .ipynb, or a folder with one to pick
        path = submission.load(Path(args.path), (assignment or candidates[0]).module).path
    except submission.SubmissionError as err:
        console.print(f"[red]{submission.unreadable_note(err.translated())}[/]", highlight=False)
        return 2
    if assignment is None:
        console.print(f"[red]{assignments.unnamed(path, candidates)}[/]", highlight=False)
        return 2
    outcome = run_checks(assignment, path, hidden=False, language=args.lang)
    out.print("[bold]" + escape(i18n._("Self-check of {path}").format(path=path)) + "[/] "
              + escape(i18n._("(public checks only; the final grade has hidden checks too)")))
    for note in outcome.notes:
        out.print("[yellow]" + escape(i18n._("note:")) + "[/] " + escape(note), highlight=False)
    for c in outcome.checks:
        mark = "[green]" + i18n._("PASS") + "[/]" if c.passed else "[red]" + i18n._("FAIL") + "[/]"
        out.print(f"{mark} {escape(c.name)} ({c.points:g}/{c.max_points:g})", highlight=False)
        for line in ([c.message] if c.message else []) + c.notes:
            out.print("     " + line.replace("\n", "\n     "), highlight=False, markup=False)
    out.print(f"[bold]{outcome.score:g} / {outcome.max_score:g}[/] " + escape(i18n._("public points")))
    low, high = outcome.grade_range or (outcome.score, outcome.score)
    if high > low:
        out.print(escape(i18n._("In the grade: {low:g} to {high:g} of these public points. The checks marked above run "
                                "the function with your helpers here, with correct ones in the grade.").format(
            low=low, high=high)), highlight=False)
    trained = _train(assignment, path, outcome, out) if args.train else None
    if args.json:
        Path(args.json).write_text(json.dumps(report.results_json(outcome), indent=2))
    if args.html:
        from .pages import feedback
        files.atomic_write(args.html, feedback.render(report.results_json(outcome), outcome.output,
                                                            title=i18n._("Self-check (public checks only)")))
        out.print(escape(i18n._("feedback written to {path}").format(path=args.html)))
    return 0 if outcome.score == outcome.max_score and outcome.checks and (trained is None or trained.all_likely) else 1


def _train(assignment, path, outcome, out):
    """`check --train`: print the training run's report; it also goes into --html."""
    from . import training_check
    functions = training_check.predicted_by(assignment)
    failing = [c.title for c in outcome.checks if c.function in functions and not c.passed]
    try:
        trained = training_check.run(assignment, path, failing)
    except (data.DataError, submission.SubmissionError) as err:
        out.print(f"[red]{err}[/]", highlight=False)
        return training_check.TrainingReport(tiers=[], margin=0, validation_images=0)
    for line in trained.lines():
        out.print(line, highlight=False, markup=False)
    outcome.notes += trained.lines()
    outcome.artifacts["plots"] = trained.plots()
    return trained


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


def cmd_bundle(args):
    from . import bundle
    assignment = assignments.resolve(args.assignment)
    try:
        path = bundle.gradescope(assignment, Path(args.out), with_data=args.with_data)
    except data.DataError as err:
        console.print(f"[red]{err}[/]")
        return 1
    console.print(f"wrote {path}")
    return 0


def cmd_audit(args):
    from . import audit, mutation
    assignment = assignments.resolve(args.assignment)
    if args.list:
        source = assignment.reference_path.read_text()
        for m in mutation.mutants(source, assignment.graded):
            print(f"{m.id}\t{m.line}\t{m.change}")
        return 0
    out = Path(args.out or Path("out") / "audit" / assignment.id)
    only = [i for group in args.only or [] for i in group.split(",") if i]
    try:
        summary = audit.run(assignment, out, console=console, jobs=args.jobs, sample=args.sample, seed=args.seed,
                            only=only, resume=args.resume)  # grades in English: the report names checks
    except audit.AuditError as err:
        console.print(f"[red]audit of {assignment.id}: {err}[/]", highlight=False)
        return 1
    print("\n".join(audit.lines(summary)))
    print(f"report: {out / 'report.md'}, {out / 'report.json'}")
    return 0


def cmd_new(args):
    from . import scaffold, solution
    try:
        written = scaffold.create(args.assignment_id, title=args.title)
    except (scaffold.ScaffoldError, solution.ReleaseError) as err:
        console.print(f"[red]{err}[/]", highlight=False)
        return 1
    for path in written:
        console.print(f"wrote {path}", highlight=False)
    console.print(f"next: docs/writing-an-assignment.md; check it with `python -m autograder grade "
                  f"solutions/{args.assignment_id}/{args.assignment_id}.py --out out/{args.assignment_id} "
                  f"--assignment {args.assignment_id}`", highlight=False)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    grade = sub.add_parser("grade", help="grade submissions (.py, .ipynb, folders of them, or a .zip)")
    grade.add_argument("paths", nargs="+")
    grade.add_argument("--out", required=True, help="results folder")
    grade.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel")
    grade.add_argument("--resume", action="store_true",
                       help="skip submissions whose OUT/<student>/results.json is already complete")
    grade.add_argument("--id-column", default="student",
                       help='header of the student column in grades.csv (e.g. "SIS User ID")')
    grade.add_argument("--lms", choices=lms.CHOICES, default=lms.AUTO,
                       help="whose bulk download PATHS are (default: told by the file names)")
    grade.add_argument("--roster", metavar="CSV", help="class list: Canvas's gradebook export, Moodle's grading "
                                                       "worksheet, or a CSV with id, name, sis_id, email, section, "
                                                       "submitted_at")
    grade.add_argument("--due", metavar="ISO-8601", help="due date with its time zone, e.g. 2026-12-01T23:59+09:00 "
                                                         "(default: [late] due in assignment.toml)")
    grade.add_argument("--lms-assignment", metavar='"TITLE (ID)"',
                       help="the Canvas gradebook column to import into (default: the roster's)")
    grade.add_argument("--similarity", action=argparse.BooleanOptionalAction, default=True,
                       help="flag copied code and embedded data for a human (default: on)")
    grade.add_argument("--scheduler", metavar="tcp://HOST:8786",
                       help="grade on a Dask cluster (needs the [dask] extra); default: "
                            "$AUTOGRADER_SCHEDULER, then [grading] scheduler in assignment.toml")
    grade.add_argument("--assignment")
    grade.add_argument("--unconfined", action="store_true",
                       help="grade a class even where student code cannot be confined (see docs/security.md)")
    grade.add_argument("--lang", choices=i18n.available(), help="language of the students' feedback (default: the course's, else en)")
    grade.set_defaults(run=cmd_grade)
    one = sub.add_parser("grade-one")  # the batch's worker: without help=, argparse does not list it
    one.add_argument("path")
    one.add_argument("--out", required=True)
    one.add_argument("--id", help="student id (default: the file stem or folder name)")
    one.add_argument("--assignment")
    one.add_argument("--lang")
    one.set_defaults(run=cmd_grade_one)
    worker = sub.add_parser("worker")  # a warm worker of `grade`; unlisted, like grade-one
    worker.add_argument("--assignment")
    worker.add_argument("--lang")
    worker.set_defaults(run=cmd_worker)
    check = sub.add_parser("check", help="students: run the public checks on your work")
    check.add_argument("path", nargs="?", help="your .py or .ipynb (default: the assignment's file)")
    check.add_argument("--assignment")
    check.add_argument("--json", help="also write the results as JSON here")
    check.add_argument("--html", help="also write the feedback as a web page here")
    check.add_argument("--train", action="store_true",
                       help="also train your network on the grader's schedule and estimate the accuracy tiers")
    check.add_argument("--lang", choices=i18n.available(), help="language of the feedback (default: the course's, else en)")
    check.set_defaults(run=cmd_check)
    rel = sub.add_parser("release", help="instructors: regenerate the student release and handout")
    rel.add_argument("assignment", nargs="?")
    rel.set_defaults(run=cmd_release)
    dat = sub.add_parser("data", help="get and verify the data sets the assignments need")
    dat.add_argument("--from", dest="source", help="a local copy to verify and copy in")
    dat.set_defaults(run=cmd_data)
    bun = sub.add_parser("bundle", help="instructors: build an autograder zip for a grading platform")
    bun.add_argument("platform", choices=["gradescope"])
    bun.add_argument("--out", default="dist/autograder.zip", help="the zip to write (default %(default)s)")
    bun.add_argument("--with-data", action="store_true",
                     help="embed the verified data set (for graders without internet access)")
    bun.add_argument("--assignment")
    bun.set_defaults(run=cmd_bundle)
    aud = sub.add_parser("audit", help="instructors: mutation-test the rubric on one-change mutants of the reference")
    aud.add_argument("assignment", nargs="?")
    aud.add_argument("--out", help="report folder (default out/audit/<assignment>)")
    aud.add_argument("--jobs", type=int, default=2, help="mutants graded in parallel (default 2)")
    aud.add_argument("--sample", type=int, help="grade a random sample of this many mutants (the report says so)")
    aud.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    aud.add_argument("--only", action="append", metavar="ID[,ID...]", help="grade only these mutants")
    aud.add_argument("--resume", action="store_true",
                     help="keep the grades already in the report folder, grade the rest (only while the checks are unchanged)")
    aud.add_argument("--list", action="store_true", help="list the mutants (id, line, change) without grading")
    aud.set_defaults(run=cmd_audit)
    new = sub.add_parser("new", help="instructors: start a new assignment that grades its reference at 100")
    new.add_argument("assignment_id", metavar="id", help="a lower-case Python name, e.g. relu")
    new.add_argument("--title", help="the assignment's title (default: from the id)")
    new.set_defaults(run=cmd_new)
    args = parser.parse_args(argv)
    return args.run(args)
