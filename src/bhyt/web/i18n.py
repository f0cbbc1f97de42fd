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

from bhyt.domain.messages import Message

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT_LANGUAGE = "vi"
COOKIE = "lang"
LOCALE_DIR = Path(__file__).parent / "locale"

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


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
    value translated in turn), a plain label as gettext gives it."""
    if isinstance(text, Message):
        return gettext(text.id) % {name: translated(value) if isinstance(value, Message) else value
                                   for name, value in text.values.items()}
    return gettext(text)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, count)


def language_of(cookie: str | None) -> str:
    return cookie if cookie in LANGUAGES else DEFAULT_LANGUAGE
