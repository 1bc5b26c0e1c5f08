"""Student-facing messages in the course's language: gettext catalogues managed with Babel.

Wrap a message in ``_()`` where it is written and format it after translation:
``_("{n} points").format(n=3)``. The catalogues are autograder/locale/<lang>/LC_MESSAGES/
autograder.po (sources, edited by translators) and .mo (compiled, shipped in the
package); see README "Translating the feedback". The language is chosen once per
process: ``language`` in assignment.toml, overridden by ``--lang``; English otherwise.
The instructor-facing CLI and CSV are not translated.
"""
import gettext
import os
from pathlib import Path

DOMAIN = "autograder"
LOCALE_DIR = Path(__file__).with_name("locale")
DEFAULT = "en"
ENV = "AUTOGRADER_LANG"

_translation = gettext.NullTranslations()


def available():
    """The languages with a compiled catalogue, English (the source language) included."""
    return sorted({DEFAULT, *(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))})


def set_language(language=None):
    """Translate from now on into ``language`` (None or "en": the messages as written)."""
    global _translation
    language = language or DEFAULT
    if language not in available():
        raise ValueError(f"no catalogue for language {language!r}; available: {', '.join(available())}")
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def choose(assignment, requested=None):
    """``--lang`` if given, else the assignment's ``language``, else English.

    ``grade --lang`` reaches its worker processes through the environment (ENV).
    """
    set_language(requested or os.environ.get(ENV) or assignment.config.get("language"))


def _(message):
    return _translation.gettext(message)
