"""Mutation testing of an assignment's rubric: does it catch one-change bugs of the reference?

Each mutant (autograder/mutation.py) is a full copy of the reference with one change
in a solution block. All of them, and the reference itself as a baseline, are graded
by the batch ``grade`` runs (``batch.run``: warm workers, the sandbox, every check,
the training run). A mutant is killed when a check fails or grading it fails.

The mutation score is killed / (graded - equivalent). An equivalent mutant behaves
like the reference wherever the assignment's contract reaches; each is listed, with
the reason, in ``solutions/<id>/audit_equivalent.toml``::

    [sigmoid-comparison-69815e75]
    change = "x >= 0  ->  x > 0"
    reason = "at x == 0 both branches of np.where give 0.5"

A listed mutant that is killed is not equivalent, and the report says so. Results go
to the console and, as report.json and report.md, to the output folder, with the
mutant files and their grades beside them.
"""
import json
import random
import shutil
import time
import tomllib
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import batch, files, mutation, report

EQUIVALENT_FILE = "audit_equivalent.toml"
BASELINE = "reference"


class AuditError(Exception):
    """The audit cannot give a meaningful score (an unknown mutant id, a reference that fails a check)."""


@dataclass
class Result:
    id: str
    function: str
    operator: str
    line: int
    change: str
    diff: str
    status: str = ""  # killed, survived or equivalent
    killed_by: list = field(default_factory=list)  # check names, or the grading error
    reason: str = ""  # why it is equivalent, from the committed list


def equivalent_list(assignment):
    """{mutant id: reason} from ``solutions/<id>/audit_equivalent.toml`` (empty if there is none)."""
    path = assignment.solution_dir / EQUIVALENT_FILE
    if not path.is_file():
        return {}
    with open(path, "rb") as f:
        table = tomllib.load(f)
    return {key: entry["reason"] for key, entry in table.items()}


def choose(mutants, sample=None, seed=0, only=None):
    """The mutants to grade: those named in ``only``, else a seeded sample of ``sample``, else all."""
    if only:
        known = {m.id: m for m in mutants}
        unknown = [i for i in only if i not in known]
        if unknown:
            raise AuditError(f"no such mutant: {', '.join(unknown)} (list them with --list)")
        return [known[i] for i in only]
    if sample is not None and sample < len(mutants):
        picked = set(id(m) for m in random.Random(seed).sample(mutants, sample))
        return [m for m in mutants if id(m) in picked]
    return list(mutants)


def failures(results):
    """The checks a graded submission failed, or why it could not be graded."""
    status = report.status(results)
    if report.status_kind(status) != report.GRADED:
        return [status]
    return [t["name"] for t in results["tests"] if t["score"] < t["max_score"]]


def run(assignment, out_dir, *, console, jobs=2, sample=None, seed=0, only=None, resume=False):
    """Grade the chosen mutants; return the report (a dict, also written to ``out_dir``).

    ``resume`` keeps the grades already in ``out_dir`` (an interrupted run, or a new list of
    equivalent mutants) and grades only the rest: use it only while the checks are unchanged.
    """
    start = time.monotonic()
    reference = assignment.reference_path
    shown = reference.relative_to(assignment.root).as_posix()
    generated = mutation.mutants(reference.read_text(), assignment.graded, path=shown)
    chosen = choose(generated, sample, seed, only)
    listed = equivalent_list(assignment)
    out_dir = Path(out_dir)
    folder = out_dir / "submissions"
    if not resume:
        shutil.rmtree(out_dir / "grades", ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / f"{BASELINE}.py").write_text(reference.read_text())
    for m in chosen:
        (folder / f"{m.id}.py").write_text(m.source)
    graded = batch.run([assignment], sorted(folder.iterdir()), out_dir / "grades", jobs=jobs, resume=resume,
                       console=console, language="en")  # the report names checks in English
    if graded.code:
        raise AuditError(f"grading stopped (exit code {graded.code}); --resume finishes it")
    rows = {r["extra_data"]["student"]: r for r in graded.rows}
    baseline = failures(rows[BASELINE])
    if baseline:
        raise AuditError(f"the reference itself fails: {'; '.join(baseline)}; a score would mean nothing")
    results = []
    for m in chosen:
        r = Result(m.id, m.function, m.operator, m.line, m.change, m.diff, killed_by=failures(rows[m.id]))
        r.status = "killed" if r.killed_by else "equivalent" if m.id in listed else "survived"
        r.reason = listed.get(m.id, "")
        results.append(r)
    checks = [t["name"] for t in rows[BASELINE]["tests"]]
    summary = _summary(assignment, shown, generated, results, listed, sample, seed, only, checks)
    summary["seconds"] = round(time.monotonic() - start, 1)
    summary["reused"] = graded.resumed  # grades kept from an earlier run (--resume)
    files.atomic_write(out_dir / "report.json", json.dumps(summary, indent=2))
    files.atomic_write(out_dir / "report.md", markdown(summary))
    return summary


def _summary(assignment, shown, generated, results, listed, sample, seed, only, checks):
    counts = Counter(r.status for r in results)
    scored = counts["killed"] + counts["survived"]
    kills = Counter({name: 0 for name in checks})  # a check that kills nothing is listed too
    kills.update(name for r in results if r.status == "killed" for name in r.killed_by)
    unique = {}
    for r in results:
        if len(r.killed_by) == 1:
            unique.setdefault(r.killed_by[0], []).append(r.id)
    functions = {}
    for r in results:
        entry = functions.setdefault(r.function, Counter())
        entry[r.status] += 1
    made = {m.id for m in generated}
    return {
        "assignment": assignment.id, "reference": shown, "generated": len(generated), "graded": len(results),
        "sample": {"size": len(results), "seed": seed} if sample is not None and not only and
        len(results) < len(generated) else None,
        "only": list(only) if only else None,
        "killed": counts["killed"], "survived": counts["survived"], "equivalent": counts["equivalent"],
        "score": counts["killed"] / scored if scored else None,
        "functions": {f: dict(c) for f, c in functions.items()},
        "kills": dict(kills.most_common()), "unique_kills": unique,
        "listed_but_killed": [r.id for r in results if r.status == "killed" and r.id in listed],
        "listed_but_not_generated": sorted(set(listed) - made),
        "mutants": [asdict(r) for r in results],
    }


def scope(summary):
    """What was graded, in words: the whole set, a sample (the score is an estimate) or chosen mutants."""
    if summary["only"]:
        return f"{summary['graded']} chosen mutant(s) of {summary['generated']}"
    if summary["sample"]:
        return (f"a random sample of {summary['graded']} of {summary['generated']} mutants (seed "
                f"{summary['sample']['seed']}): the score is an estimate")
    return f"all {summary['generated']} mutants"


def timing(summary):
    reused = f" ({summary['reused']} grades reused from an earlier run)" if summary.get("reused") else ""
    return f"graded in {summary['seconds']:.0f} s{reused}"


def score_text(summary):
    if summary["score"] is None:
        return "no score: every graded mutant is listed as equivalent"
    return (f"mutation score {summary['score']:.1%}: {summary['killed']} killed of "
            f"{summary['killed'] + summary['survived']} non-equivalent mutants ({summary['equivalent']} equivalent)")


def lines(summary):
    """The report as console text."""
    out = [f"audit of {summary['assignment']}: {scope(summary)} of {summary['reference']}, {timing(summary)}",
           score_text(summary)]
    for function, c in summary["functions"].items():
        out.append(f"  {function}: {c.get('killed', 0)} killed, {c.get('survived', 0)} survived, "
                   f"{c.get('equivalent', 0)} equivalent")
    survivors = [m for m in summary["mutants"] if m["status"] == "survived"]
    out.append(f"survivors: {len(survivors)}" + (" (kill them with a check, or list them as equivalent in "
                                                  f"solutions/{summary['assignment']}/{EQUIVALENT_FILE})"
                                                  if survivors else ""))
    for m in survivors:
        out += [f"  {m['id']} (line {m['line']}): {m['change']}"] + ["    " + d for d in m["diff"].splitlines()]
    out.append("checks: mutants killed (of them, killed by this check alone)")
    for name, count in summary["kills"].items():
        out.append(f"  {count:4d} ({len(summary['unique_kills'].get(name, [])):3d})  {name}")
    idle = [name for name, count in summary["kills"].items() if not count]
    if idle and summary["graded"]:
        out.append(f"checks that kill no graded mutant: {len(idle)} (weak, or only redundant here)")
    for key, what in (("listed_but_killed", "listed as equivalent but killed: not equivalent, take it off the list"),
                      ("listed_but_not_generated", "listed as equivalent but no longer generated")):
        if summary[key]:
            out.append(f"{what}: {', '.join(summary[key])}")
    return out


def markdown(summary):
    out = [f"# Mutation audit of {summary['assignment']}", "",
           f"{scope(summary)} of `{summary['reference']}`, {timing(summary)}.", "",
           f"**{score_text(summary)}**", "", "| function | killed | survived | equivalent |", "|---|---|---|---|"]
    out += [f"| {f} | {c.get('killed', 0)} | {c.get('survived', 0)} | {c.get('equivalent', 0)} |"
            for f, c in summary["functions"].items()]
    out += ["", "## Survivors", ""]
    survivors = [m for m in summary["mutants"] if m["status"] == "survived"]
    for m in survivors:
        out += [f"### `{m['id']}`", "", f"line {m['line']}: `{m['change']}`", "", "```diff", m["diff"].rstrip(), "```", ""]
    if not survivors:
        out += ["None.", ""]
    out += ["## Checks", "", "| check | mutants killed | killed by it alone |", "|---|---|---|"]
    out += [f"| {name} | {count} | {', '.join(f'`{i}`' for i in summary['unique_kills'].get(name, []))} |"
            for name, count in summary["kills"].items()]
    out += ["", "## Equivalent mutants", ""]
    out += [f"- `{m['id']}` (`{m['change']}`): {m['reason']}" for m in summary["mutants"] if m["status"] == "equivalent"]
    for key, what in (("listed_but_killed", "Listed as equivalent but killed (not equivalent)"),
                      ("listed_but_not_generated", "Listed as equivalent but no longer generated")):
        if summary[key]:
            out += ["", f"**{what}:** " + ", ".join(f"`{i}`" for i in summary[key])]
    return "\n".join(out) + "\n"
