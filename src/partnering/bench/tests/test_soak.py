"""The soak run's arithmetic and its report; the run itself needs gunicorn (`make bench`)."""

from __future__ import annotations

from partnering.bench.soak import END, START, summarise_memory, write_report


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
