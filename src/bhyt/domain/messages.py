"""Sentences built from figures that a person reads (risk reasons, forecast assumptions), kept
translatable: each is the Vietnamese text the CLI prints, and still knows its message id and values, so
the web app can show it in English (`bhyt.web.i18n.translated`).

The message id is a Vietnamese sentence with %(name)s placeholders (a literal % written %%), marked
with N_ so that `make messages` extracts it into the web's English catalogue. The domain imports
nothing of ours, so the marker lives here, for the domain and the analytics alike.
"""

from __future__ import annotations

from collections.abc import Mapping


def N_(text: str) -> str:
    """Marks a message id for extraction and returns it unchanged."""
    return text


class Message(str):
    """`Message(N_("Giảm %(points)s điểm"), points="1,5")` is the str "Giảm 1,5 điểm", with `id` and
    `values` kept. A value may itself be a Message (translated in turn) or a plain label marked N_."""

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
