"""Sentences built from figures that a person reads (risk reasons, forecast assumptions), kept
translatable: each is the Vietnamese text the CLI prints, and still knows its message id and values, so
the web app can show it in English (`bhyt.web.i18n.translated`).

The message id is a Vietnamese sentence with %(name)s placeholders (a literal % written %%), marked
with N_ so that `make messages` extracts it into the web's English catalogue. The domain imports
nothing of ours, so the marker lives here, for the domain and the analytics alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def N_(text: str) -> str:
    """Marks a message id for extraction and returns it unchanged."""
    return text


class Message(str):
    """`Message(N_("Giảm %(points)s điểm"), points="1,5")` is the str "Giảm 1,5 điểm", with `id` and
    `values` kept. A value may itself be a Message, a Named or a Joined (translated in turn); any other
    value is shown as it is."""

    id: str
    values: Mapping[str, object]

    def __new__(cls, message_id: str, **values: object) -> Message:
        text = super().__new__(cls, message_id % values)
        text.id = message_id
        text.values = values
        return text

    def __reduce__(self):  # copied or pickled as a Message, not as the plain text
        return _message, (self.id, dict(self.values))


def _message(message_id: str, values: dict[str, object]) -> Message:
    return Message(message_id, **values)


class Named(str):
    """`Named(row["label_vi"], row["label_en"])`: a name read from a legal data file that gives it in both
    languages, as the str of the Vietnamese name, the English kept in `en`. A Message's value may be one."""

    en: str

    def __new__(cls, vi: str, en: str) -> Named:
        name = super().__new__(cls, vi)
        name.en = en
        return name

    def __reduce__(self):
        return Named, (str(self), self.en)


class Joined(str):
    """`Joined("; ", parts)` is the str of the parts so joined, each part kept (a Message, a Named…) so that
    it is translated in turn; the separator reads the same in both languages. A Message's value may be one."""

    separator: str
    parts: tuple[str, ...]

    def __new__(cls, separator: str, parts: Iterable[str]) -> Joined:
        parts = tuple(parts)
        text = super().__new__(cls, separator.join(parts))
        text.separator = separator
        text.parts = parts
        return text

    def __reduce__(self):
        return Joined, (self.separator, self.parts)
