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


def resolve(assignment_id=None, root=ROOT):
    ids = available(root)
    if assignment_id is None:
        if len(ids) != 1:
            raise SystemExit(f"several assignments exist ({', '.join(ids)}); name one with --assignment")
        assignment_id = ids[0]
    if assignment_id not in ids:
        raise SystemExit(f"unknown assignment {assignment_id!r}; available: {', '.join(ids)}")
    return Assignment(assignment_id, Path(root))
