"""Numbers as the pages write them: Vietnamese groups thousands with dots and marks decimals with a
comma; English the other way round. Pure functions, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bhyt.web import i18n
from bhyt.web.templating import number, percent


@pytest.fixture(params=["vi", "en"])
def language(request):
    token = i18n.current_language.set(request.param)
    yield request.param
    i18n.current_language.reset(token)


def test_whole_numbers_group_thousands(language):
    assert number(12345678) == {"vi": "12.345.678", "en": "12,345,678"}[language]


def test_an_amount_with_cents_keeps_its_decimal_mark(language):
    assert number(Decimal("47088844.50")) == {"vi": "47.088.844,50", "en": "47,088,844.50"}[language]


def test_percent_uses_the_language_decimal_mark(language):
    assert percent(Decimal("96.5")) == {"vi": "96,50 %", "en": "96.50 %"}[language]


def test_nothing_is_a_dash():
    assert number(None) == "–" and percent(None) == "–"
