"""Vietnamese first, English on request: the templates' words are Vietnamese message ids, and the
English catalogue (locale/en/LC_MESSAGES/messages.po) translates them. The catalogue is read from its
.po file when the app starts, so no compiled file is kept in the repository."""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bhyt.domain.messages import Joined, Message, Named

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT_LANGUAGE = "vi"
COOKIE = "lang"
LOCALE_DIR = Path(__file__).parent / "locale"

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)
# The values of a Message, and parts of a Joined, that are translated in turn; any other is shown as it is.
_BUILT = (Message, Joined, Named)


@cache
def translations(language: str) -> NullTranslations:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not path.exists():
        return NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def N_(text: str) -> str:
    """Marks a label for extraction (`make messages` runs pybabel with `-k N_`) and returns it unchanged:
    the label stays Vietnamese in Python data and is translated where a template shows it, `_(label)`."""
    return text


def gettext(message: str) -> str:
    if not message:  # gettext("") is the catalogue's header; an empty label stays empty
        return message
    return translations(current_language.get()).gettext(message)


def translated(text: str) -> str:
    """A sentence built in Python, in the reader's language: a `Message` from its id and values (each
    value translated in turn), a `Joined` part by part, a `Named` by its English name in English, a plain
    label as gettext gives it."""
    if isinstance(text, Message):
        return gettext(text.id) % {name: translated(value) if isinstance(value, _BUILT) else value
                                   for name, value in text.values.items()}
    if isinstance(text, Joined):
        return text.separator.join(translated(part) if isinstance(part, _BUILT) else part for part in text.parts)
    if isinstance(text, Named):
        return named(str(text), text.en)
    return gettext(text)


def named(vi: str, en: str) -> str:
    """A name that data gives in both languages (participant codes, target groups, entitlements), in the
    reader's language; the Vietnamese where the English is missing."""
    return en if current_language.get() == "en" and en else vi


def error_text(error: Exception) -> str:
    """An error's message in the reader's language: one raised with a `Message` (TargetError, VisitError,
    UnknownUnit, a refused sign-in…) is translated, any other is shown as it was written (the web's own
    errors went through gettext)."""
    message = error.args[0] if error.args else None
    return translated(message) if isinstance(message, Message) else str(error)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, count)


def language_of(cookie: str | None) -> str:
    return cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE
