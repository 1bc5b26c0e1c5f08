"""`python -m autograder new`: its templates' messages are all translated, and it never overwrites.

That the scaffold grades its reference at 100 and its stubs at 0 is tested where the
author's guide is followed (tests/test_guide.py), which starts with `new`.
"""
import io
import tomllib

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract

from autograder import i18n, scaffold, solution
from kit import ROOT

VALUES = {"id": "demo", "title": "Demo"}
KEYWORDS = {**DEFAULT_KEYWORDS, "check": (2,), "NotImplementedError": (1,)}  # as `make messages` extracts them


def extracted(text):
    return {message for _line, message, _comments, _context in
            extract("python", io.BytesIO(text.encode()), keywords=KEYWORDS)}


def test_every_template_message_has_its_translations():
    with open(scaffold.MESSAGES, "rb") as f:
        messages = tomllib.load(f)
    stubs = solution.strip_solutions(scaffold.render("reference.py", VALUES))
    public = extracted(scaffold.render("test_public.py", VALUES)) | extracted(stubs)
    hidden = extracted(scaffold.render("test_hidden.py", VALUES))
    assert public == set(messages["public"]) and hidden == set(messages["hidden"])
    languages = set(i18n.available()) - {"en"}
    for section in messages.values():
        assert all(set(translations) == languages and all(translations.values())
                   for translations in section.values()), section


@pytest.mark.parametrize("bad", ["Relu", "relu-1", "1relu", "../relu", ""])
def test_an_id_must_be_a_module_name(bad, tmp_path):
    with pytest.raises(scaffold.ScaffoldError, match="lower-case Python name"):
        scaffold.create(bad, root=tmp_path)
    assert not any(tmp_path.iterdir())


def test_an_existing_assignment_is_never_overwritten():
    before = {p: p.stat().st_mtime_ns for p in (ROOT / "assignments" / "mnist_mlp").rglob("*")}
    with pytest.raises(scaffold.ScaffoldError, match="already exist"):
        scaffold.create("mnist_mlp", root=ROOT)
    assert {p: p.stat().st_mtime_ns for p in (ROOT / "assignments" / "mnist_mlp").rglob("*")} == before
