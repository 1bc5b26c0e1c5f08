"""``python -m autograder new <id>``: a new assignment that works before its author changes a line.

It writes one graded function, ``normalize``, as a template of everything an
assignment has: the reference with a solution block and a hint, public checks (one
with likely causes that need their evidence), a hidden check against the reference,
assignment.toml, and the message catalogues in every language the engine speaks.
Then it makes the release from the reference, as ``python -m autograder release``
does, so the reference grades 100 and the stubs 0 at once. The author replaces the
function, the checks and the messages (docs/writing-an-assignment.md).
"""
import re
import tomllib
from pathlib import Path

from . import assignment as assignments
from . import i18n, release

TEMPLATES = Path(__file__).with_name("templates") / "new"  # not .py: neither the handout nor Babel reads them
MESSAGES = TEMPLATES / "messages.toml"  # the templates' messages and their translations


def render(name, values):
    """A template with ``{key}`` replaced by ``values[key]`` (the templates' code keeps its own braces)."""
    text = (TEMPLATES / f"{name}.tmpl").read_text()
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


class ScaffoldError(Exception):
    pass


def write_catalogues(folder, messages):
    """``folder/<lang>/LC_MESSAGES/checks.po`` and its compiled .mo, for every language the engine speaks."""
    from babel.messages.catalog import Catalog  # Babel: the kit's i18n extra (make installs it)
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import write_po
    for language in i18n.available():
        catalog = Catalog(locale=language, domain=i18n.CHECKS_DOMAIN)
        for message, translations in messages.items():
            catalog.add(message, translations.get(language, message))
        target = Path(folder) / language / "LC_MESSAGES"
        target.mkdir(parents=True, exist_ok=True)
        with open(target / f"{i18n.CHECKS_DOMAIN}.po", "wb") as f:
            write_po(f, catalog, width=100)
        with open(target / f"{i18n.CHECKS_DOMAIN}.mo", "wb") as f:
            write_mo(f, catalog)


def create(assignment_id, root=assignments.ROOT, title=None):
    """Write ``assignments/<id>/`` and ``solutions/<id>/`` under ``root`` and release them; return the paths."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", assignment_id):
        raise ScaffoldError(f"{assignment_id!r}: an assignment id is a lower-case Python name (it names the "
                            "student's module), e.g. relu or keras_mlp")
    new = assignments.Assignment(assignment_id, Path(root))
    taken = [p for p in (new.release_dir, new.solution_dir) if p.exists()]
    if taken:
        raise ScaffoldError(f"{', '.join(map(str, taken))} already exist(s); nothing was written")
    values = {"id": assignment_id, "title": title or assignment_id.replace("_", " ").capitalize()}
    files = {new.release_dir / "assignment.toml": "assignment.toml", new.solution_dir / f"{assignment_id}.py":
             "reference.py", new.public_tests / "test_public.py": "test_public.py",
             new.hidden_tests / "test_hidden.py": "test_hidden.py"}
    for path, template in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(template, values))
    with open(MESSAGES, "rb") as f:
        messages = tomllib.load(f)
    write_catalogues(new.release_dir / "locale", messages["public"])
    write_catalogues(new.solution_dir / "locale", messages["hidden"])
    return list(files) + release.build(new)
