"""The soak run's arithmetic and its report; the run itself needs gunicorn (`make bench`)."""

from __future__ import annotations

from partnering.bench.soak import END, START, render, summarise_memory, write_report


def test_memory_that_settles_after_warming_up_is_flat():
    samples = [(0, {1: 100.0, 2: 100.0}), (30, {1: 150.0, 2: 140.0}), (60, {1: 155.0, 2: 141.0})]

    memory = summarise_memory(samples)

    assert memory["flat"] is True and memory["restarted"] == 0
    assert [(w["start_mb"], w["end_mb"], w["peak_mb"]) for w in memory["workers"]] == [
        (100.0, 155.0, 155.0),
        (100.0, 141.0, 141.0),
    ]


def test_memory_that_keeps_growing_in_the_second_half_is_not_flat():
    samples = [(0, {1: 100.0}), (30, {1: 120.0}), (60, {1: 140.0})]

    memory = summarise_memory(samples)

    assert memory["flat"] is False
    assert memory["workers"][0]["second_half_growth"] == round(20 / 120, 4)


def test_a_worker_replaced_during_the_run_is_reported_and_not_judged():
    samples = [(0, {1: 100.0, 2: 100.0}), (30, {1: 100.0, 3: 90.0}), (60, {1: 101.0, 3: 200.0})]

    memory = summarise_memory(samples)

    assert memory["restarted"] == 2 and memory["flat"] is True


def test_the_report_goes_between_its_own_markers_and_leaves_the_rest(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n\n<!-- bench:start -->\ntable\n<!-- bench:end -->\n\nNotes.\n")

    write_report(path, "first\n")
    write_report(path, "second\n")

    text = path.read_text()
    assert text.count(START) == 1 and text.count(END) == 1
    assert "first" not in text and f"{START}\nsecond\n{END}" in text
    assert text.startswith("# Benchmarks\n\n<!-- bench:start -->\ntable\n<!-- bench:end -->\n\nNotes.\n")


def test_memory_that_slows_down_in_the_last_quarter_is_settling():
    samples = [(0, {1: 100.0}), (25, {1: 160.0}), (50, {1: 170.0}), (75, {1: 176.0}), (100, {1: 178.0})]

    memory = summarise_memory(samples)

    worker = memory["workers"][0]
    assert worker["quarters_mb"] == [160.0, 170.0, 176.0, 178.0]
    assert worker["third_quarter_growth"] == round(6 / 170, 4)
    assert worker["last_quarter_growth"] == round(2 / 176, 4)
    assert memory["settling"] is True and memory["flat"] is True


def test_memory_that_grows_evenly_is_not_settling_even_when_under_the_flat_limit():
    samples = [(0, {1: 100.0}), (25, {1: 102.0}), (50, {1: 104.0}), (75, {1: 106.0}), (100, {1: 108.0})]

    memory = summarise_memory(samples)

    assert memory["flat"] is True and memory["settling"] is False


def test_the_report_shows_each_worker_by_quarter_and_both_verdicts():
    samples = [(0, {7: 100.0}), (25, {7: 160.0}), (50, {7: 170.0}), (75, {7: 176.0}), (100, {7: 178.0})]
    result = {
        "label": "PostgreSQL", "vendor": "postgresql", "workers": 2, "seconds": 100.0, "clients": 4,
        "requests": 1000, "rps": 10.0, "urls": 16, "kinds": {"page": 1000}, "statuses": {200: 1000},
        "errors_4xx": 0, "errors_5xx": 0, "connection_errors": {}, "conflicts_409": 0, "interval": 25,
        "memory": summarise_memory(samples), "examples": [],
    }  # fmt: skip
    meta = {"date": "today", "commit": "abc", "dirty": "", "cores": 2, "cpu": "CPU", "command": "make bench"}

    text = render(result, meta)

    assert "| pid 7 | 100.0 | 160.0 | 170.0 | 176.0 | 178.0 | 178.0 | +3.5% | +1.1% | +4.7% |" in text
    assert "**Memory flat: yes**" in text and "**settling: yes**" in text and "**Errors: 0**" in text


def test_a_last_quarter_under_a_megabyte_counts_as_settled():
    samples = [(0, {1: 100.0}), (25, {1: 150.0}), (50, {1: 170.0}), (75, {1: 170.2}), (100, {1: 170.8})]

    assert summarise_memory(samples)["settling"] is True
