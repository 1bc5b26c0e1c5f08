"""An assignment is data: its release folder, its instructor folder and assignment.toml."""
import importlib.util
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# The kit (a clone, an unzipped handout): assignments/ beside the engine. The pip-installed
# handout carries its assignment inside the package (release.py's HANDOUT_PYPROJECT).
ROOT = PACKAGE.parent if (PACKAGE.parent / "assignments").is_dir() else PACKAGE / "handout"


@dataclass
class Assignment:
    id: str
    root: Path = ROOT

    @cached_property
    def config(self):
        with open(self.release_dir / "assignment.toml", "rb") as f:
            return tomllib.load(f)

    @property
    def release_dir(self):
        return self.root / "assignments" / self.id

    @property
    def solution_dir(self):
        return self.root / "solutions" / self.id

    @property
    def module(self):
        return self.config["module"]

    @property
    def graded(self):
        return list(self.config["graded"])

    @property
    def harness(self):
        name = self.config.get("harness")
        return str(self.release_dir / name) if name else None

    @property
    def requirements(self):
        """What the student's code needs beyond the kit's own dependencies (``requirements``), as
        pip requirement strings: the handout and the Gradescope image install them."""
        return list(self.config.get("requirements", []))

    @property
    def sandbox_env(self):
        """Environment variables the assignment's code needs in the sandbox (``[sandbox] env``): the
        child's environment is otherwise scrubbed, so a library's settings (its thread count) are data."""
        env = self.config.get("sandbox", {}).get("env", {})
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()):
            raise ValueError(f"{self.id}: [sandbox] env must map names to strings")
        return env

    @property
    def public_tests(self):
        return self.release_dir / "tests"

    @property
    def hidden_tests(self):
        return self.solution_dir / "tests"

    @property
    def reference_path(self):
        return self.solution_dir / f"{self.module}.py"

    @property
    def has_solutions(self):
        return self.reference_path.is_file()

    def load_reference(self):
        """The instructor's module, imported in the trusted process only."""
        return load_module(self.reference_path, f"reference_{self.id}")

    def load_trainer(self):
        """The trusted side of the training run (``[schedule] trainer``), or None."""
        name = self.config.get("schedule", {}).get("trainer")
        return load_module(self.release_dir / name, f"trainer_{self.id}") if name else None


def load_module(path, name):
    """The Python file at ``path`` as a fresh module called ``name`` (not put in sys.modules)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def available(root=ROOT):
    return sorted(p.name for p in (Path(root) / "assignments").iterdir() if (p / "assignment.toml").is_file())


def named_by(path, candidates):
    """The assignment among ``candidates`` that the submission at ``path`` says it is: a file named
    after its module (keras_mlp.py, mnist_mlp.ipynb), or a folder holding such files of one
    assignment only. None when it does not say (alice.py), or says two."""
    by_module = {a.module: a for a in candidates}
    path = Path(path)
    files = [path] if path.is_file() else path.rglob("*") if path.is_dir() else []
    named = {by_module[p.stem].id: by_module[p.stem] for p in files
             if p.suffix in (".py", ".ipynb") and p.stem in by_module and not p.is_symlink()}
    return next(iter(named.values())) if len(named) == 1 else None


def candidates(assignment_id=None, root=ROOT):
    """The assignments a command may grade: the one named (--assignment), else every one there is."""
    ids = available(root)
    if assignment_id is not None and assignment_id not in ids:
        raise SystemExit(f"unknown assignment {assignment_id!r}; available: {', '.join(ids)}")
    return [Assignment(i, Path(root)) for i in ([assignment_id] if assignment_id else ids)]


def resolve(assignment_id=None, root=ROOT, path=None):
    """The assignment named, else the only one, else the one the submission at ``path`` names."""
    found = candidates(assignment_id, root)
    if len(found) == 1:
        return found[0]
    named = named_by(path, found) if path is not None else None
    if named is None:
        raise SystemExit(unnamed(path, found))
    return named


def unnamed(path, found):
    """Why the assignment of the submission at ``path`` (None: no submission) cannot be chosen."""
    said = f"{Path(path).name} does not say which it is (its file is not named " \
           f"{' or '.join(a.module + '.py' for a in found)}); " if path is not None else ""
    return f"several assignments exist ({', '.join(a.id for a in found)}); {said}name one with --assignment"
