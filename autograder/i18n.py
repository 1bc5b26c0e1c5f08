"""Student-facing messages in the course's language: gettext catalogues managed with Babel.

Wrap a message in ``_()`` where it is written and format it after translation:
``_("{n} points").format(n=3)``. A check's title (``check(function, title, ...)``) is
translated by ``check`` itself. Three catalogues, each a ``<folder>/<lang>/LC_MESSAGES/
<domain>.po`` (edited by translators) beside its compiled .mo:

- the engine's: ``autograder/locale``, domain ``autograder``;
- an assignment's public checks: ``assignments/<id>/locale``, domain ``checks`` (it ships
  in the handout);
- its hidden checks: ``solutions/<id>/locale``, domain ``checks`` (it never leaves the
  instructor's side, so the handout names no hidden check).

A message is looked up in that order, hidden first. See docs/i18n.md
and ``make messages``. The language is chosen once per process: ``--lang`` (passed on to
every process that grades, as an argument), else ``language`` in assignment.toml, else
English. The instructor-facing CLI and CSV are not translated.
"""
import gettext
from pathlib import Path

DOMAIN = "autograder"
CHECKS_DOMAIN = "checks"
LOCALE_DIR = Path(__file__).with_name("locale")
DEFAULT = "en"

_translation = gettext.NullTranslations()
_language = DEFAULT


def available():
    """The languages with a compiled catalogue, English (the source language) included."""
    return sorted({DEFAULT, *(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))})


def catalogue_dirs(assignment):
    """The assignment's catalogue folders that exist, looked up first to last."""
    folders = [assignment.solution_dir / "locale", assignment.release_dir / "locale"]
    return [f for f in folders if f.is_dir()]


def _load(folder, domain, language):
    """One compiled catalogue, or an empty one. Not gettext.translation(): it caches the
    object it returns, and chaining fallbacks onto a cached object would chain them twice."""
    path = Path(folder) / language / "LC_MESSAGES" / f"{domain}.mo"
    if not path.is_file():
        return gettext.NullTranslations()
    with open(path, "rb") as f:
        return gettext.GNUTranslations(f)


def set_language(language=None, assignment_dirs=()):
    """Translate from now on into ``language`` (None or "en": the messages as written).

    ``assignment_dirs``: an assignment's catalogue folders (``catalogue_dirs``).
    """
    global _translation, _language
    language = language or DEFAULT
    if language not in available():
        raise ValueError(f"no catalogue for language {language!r}; available: {', '.join(available())}")
    chain = [_load(folder, CHECKS_DOMAIN, language) for folder in assignment_dirs]
    chain.append(_load(LOCALE_DIR, DOMAIN, language))
    for catalogue in chain[1:]:
        chain[0].add_fallback(catalogue)
    _translation, _language = chain[0], language


def current():
    """The language messages are translated into now (an HTML page's ``lang``)."""
    return _language


def choose(assignment, requested=None):
    """``requested`` (``--lang``) if given, else the assignment's ``language``, else English."""
    set_language(requested or assignment.config.get("language"), catalogue_dirs(assignment))


def _(message):
    return _translation.gettext(message)


def N_(message):
    """Mark ``message`` for the catalogue; it is translated later, where it is shown."""
    return message
