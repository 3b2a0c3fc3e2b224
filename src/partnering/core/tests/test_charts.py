"""The chart module: deterministic SVG, cached by the data it shows, no pyplot state."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from types import SimpleNamespace as NS

import pytest
from django.core.cache import cache

from partnering.assessments.bank_loader import builtin_bank
from partnering.core import charts

GATE_2 = builtin_bank("gate-2")
ANNEX_B = builtin_bank("annex-b")


def _rows(bank, customer, provider):
    def answer(value):
        return NS(value=value) if value else None

    return [
        NS(question=q, customer=answer(c), provider=answer(p))
        for q, c, p in zip(bank.questions, customer, provider, strict=False)
    ]


def _gate_rows():
    values = ["yes", "partly", "no", "not_yet_known"]
    n = len(GATE_2.questions)
    return _rows(GATE_2, [values[i % 4] for i in range(n)], [values[(i + 1) % 4] for i in range(n)])


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def draws(monkeypatch):
    """Count how often each chart is actually drawn (rather than read from the cache)."""
    counts = {"answers": 0, "trend": 0}
    for kind in counts:
        real = getattr(charts, f"_draw_{kind}")

        def counting(data, real=real, kind=kind):
            counts[kind] += 1
            return real(data)

        monkeypatch.setattr(charts, f"_draw_{kind}", counting)
    return counts


def test_the_answers_chart_is_an_svg_with_the_scale_labels_as_ticks():
    svg = charts.answers_chart(GATE_2, _gate_rows())
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    # Text is drawn as glyph paths (no font needed to view it); matplotlib keeps each
    # label as a comment, which is how we can see the ticks are the scale's words.
    for label in ("Yes", "Partly", "No", "G2.1", "G2.14", "Customer", "Provider", "Not yet known"):
        assert f"<!-- {label} -->" in svg
    assert charts.CUSTOMER_COLOUR in svg and charts.PROVIDER_COLOUR in svg


def test_the_same_data_gives_byte_identical_svg_without_a_date():
    first = charts._draw_answers(charts._answers_data(GATE_2, _gate_rows()))
    second = charts._draw_answers(charts._answers_data(GATE_2, _gate_rows()))
    assert first == second
    assert "<dc:date>" not in first


def test_a_chart_is_drawn_once_then_read_from_the_cache(draws):
    first = charts.answers_chart(GATE_2, _gate_rows())
    second = charts.answers_chart(GATE_2, _gate_rows())
    assert first == second
    assert draws["answers"] == 1


def test_different_answers_are_a_different_cache_entry(draws):
    rows = _gate_rows()
    charts.answers_chart(GATE_2, rows)
    rows[0].customer = NS(value="no")
    charts.answers_chart(GATE_2, rows)
    assert draws["answers"] == 2


def test_before_the_reveal_only_the_members_own_side_is_drawn():
    svg = charts.answers_chart(ANNEX_B, _rows(ANNEX_B, ["fully"] * 9, [None] * 9))
    assert "<!-- Customer -->" in svg and "<!-- Provider -->" not in svg
    assert charts.PROVIDER_COLOUR not in svg


def test_nothing_to_draw_gives_no_chart():
    assert charts.answers_chart(ANNEX_B, _rows(ANNEX_B, [None] * 9, [None] * 9)) == ""
    assert charts.answers_chart_data_uri(ANNEX_B, []) == ""
    assert charts.trend_chart([]) == ""


def test_the_data_uri_carries_the_same_svg():
    uri = charts.answers_chart_data_uri(GATE_2, _gate_rows())
    prefix = "data:image/svg+xml;base64,"
    assert uri.startswith(prefix)
    assert base64.b64decode(uri[len(prefix) :]).decode() == charts.answers_chart(GATE_2, _gate_rows())


def test_the_print_chart_is_a_png_at_print_resolution_and_kept():
    uri = charts.answers_chart_print_data_uri(GATE_2, _gate_rows())
    prefix = "data:image/png;base64,"
    png = base64.b64decode(uri[len(prefix) :])

    assert uri.startswith(prefix) and png.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(png[16:20], "big")  # the IHDR chunk: 7 inches at PRINT_DPI
    assert width == 7 * charts.PRINT_DPI
    assert png[25] == 2  # IHDR colour type 2: opaque RGB, so a PDF carries no alpha mask for it
    assert charts.answers_chart_print_data_uri(GATE_2, _gate_rows()) == uri
    assert charts.answers_chart_print_data_uri(ANNEX_B, []) == ""


def _point(cycle, customer, provider):
    assessment = NS(
        bank=NS(bank=ANNEX_B),
        cycle=cycle,
        revealed_at=datetime(2025 + cycle, 6, 4, tzinfo=UTC),
        created_at=None,
    )
    ids = ANNEX_B.question_ids
    return NS(
        assessment=assessment,
        customer=dict(zip(ids, customer, strict=False)),
        provider=dict(zip(ids, provider, strict=False)),
    )


def test_the_trend_chart_plots_each_sides_mean_per_cycle(draws):
    points = [_point(1, ["partly"] * 9, ["fully"] * 9), _point(2, ["largely"] * 9, ["fully"] * 9)]
    data = charts._trend_data(points)
    assert data["cycles"] == [["Year 1\nJun 2026", 2.0, 4.0], ["Year 2\nJun 2027", 3.0, 4.0]]
    svg = charts.trend_chart(points)
    assert "<!-- Fully -->" in svg and "<!-- Not at all -->" in svg
    assert charts.trend_chart(points) == svg
    assert draws["trend"] == 1
    assert charts.trend_chart_data_uri(points).startswith("data:image/svg+xml;base64,")


def test_charts_leave_no_pyplot_figures_behind():
    charts.answers_chart(GATE_2, _gate_rows())
    import sys

    pyplot = sys.modules.get("matplotlib.pyplot")
    assert pyplot is None or pyplot.get_fignums() == []
    assert not hasattr(charts, "plt")
