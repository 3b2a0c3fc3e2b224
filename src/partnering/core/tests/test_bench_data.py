"""The benchmark data generator and the runner's URL plan (issue 7)."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction

from partnering.accounts.models import Organisation, User
from partnering.actions.models import Action
from partnering.arrangements.models import Arrangement, Membership, RoleAssignment
from partnering.assessments import selectors
from partnering.assessments.models import Answer, Assessment, Respondent
from partnering.bench.generate import BENCH_EMAIL, SCALES
from partnering.bench.run import CEILING, TARGETS, bench_subject, plan_targets, render, write_report
from partnering.core.choices import Role
from partnering.core.policy import access_for

ANCHOR = date(2026, 1, 15)
MODELS = {
    Organisation: ("slug", "kind"),
    User: ("email", "full_name", "organisation__slug"),
    Arrangement: ("uuid", "slug", "title", "stage", "customer__slug", "provider__slug"),
    Membership: ("uuid", "user__email", "side", "is_active"),
    RoleAssignment: ("uuid", "role", "started_at", "ended_at"),
    Assessment: ("uuid", "title", "bank__key", "status", "created_at", "revealed_at"),
    Respondent: ("uuid", "name", "side", "submitted_at"),
    Answer: ("uuid", "side", "question_id", "perspective", "value", "comment"),
    Action: ("uuid", "title", "owner__email", "due_date", "status", "visibility", "source_detail"),
}

if apps.is_installed("partnering.risks"):
    from partnering.risks.models import Risk

    MODELS[Risk] = ("uuid", "reference", "title", "score", "status", "owner__email")


def _snapshot() -> dict[str, object]:
    """Counts, and the first and last record of each family (ids left out: they may differ)."""
    snap: dict[str, object] = {}
    for model, fields in MODELS.items():
        qs = model.objects.order_by("pk").values_list(*fields)
        snap[model.__name__] = (qs.count(), qs.first(), qs.last())
    return snap


def _generate(seed: int) -> dict[str, object]:
    """Generate tiny data, snapshot it, and roll it back."""
    with transaction.atomic():
        call_command("bench_data", scale="tiny", seed=seed, anchor=ANCHOR, verbosity=0)
        snap = _snapshot()
        transaction.set_rollback(True)
    return snap


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data():
    first, second = _generate(seed=11), _generate(seed=11)

    assert first == second
    assert first["Arrangement"][0] == SCALES["tiny"].arrangements
    assert first["Answer"][0] > 0
    assert first["Action"][0] == SCALES["tiny"].actions


@pytest.mark.django_db
def test_another_seed_gives_other_data():
    assert _generate(seed=11)["Arrangement"] != _generate(seed=12)["Arrangement"]


@pytest.mark.django_db
def test_it_refuses_a_database_that_already_has_arrangements(world):
    with pytest.raises(CommandError, match="--reset"):
        call_command("bench_data", scale="tiny", anchor=ANCHOR, verbosity=0)


@pytest.mark.django_db
def test_the_bench_user_leads_the_focus_arrangement_and_sees_its_results():
    call_command("bench_data", scale="tiny", seed=3, anchor=ANCHOR, verbosity=0)
    user, subject = bench_subject()

    access = access_for(user=user, arrangement_slug=subject.slug)
    assessment = Assessment.objects.get(uuid=subject.assessment_uuid)
    results = selectors.results(access=access, assessment=assessment)

    assert Role.SRO in access.roles
    assert user.email == BENCH_EMAIL
    assert results.visible_sides == {"customer", "provider"}
    assert all(row.customer and row.provider for row in results.rows)
    assert Action.objects.filter(owner=user).exists()


@pytest.mark.django_db
def test_every_planned_url_serves_the_bench_user(client, settings):
    settings.ROOT_URLCONF = "partnering.bench.urls"
    call_command("bench_data", scale="tiny", seed=3, anchor=ANCHOR, verbosity=0)
    user, subject = bench_subject()
    client.force_login(user)
    planned, skipped = plan_targets(subject)

    assert client.get("/bench/ok").content == b"ok"
    assert {t.name for t, _ in planned} | {s["name"] for s in skipped} == {t.name for t in TARGETS}
    assert len(planned) >= 8
    for target, path in planned:
        assert client.get(path).status_code == 200, target.name


def test_the_report_keeps_text_outside_its_markers(tmp_path):
    result = {"p50_ms": 5.0, "p95_ms": 9.0, "p99_ms": 12.0, "rps": 800.0, "errors": {"status": 0}}
    run = {
        "label": "SQLite",
        "vendor": "sqlite",
        "counts": {"Arrangement": 3},
        "ceiling": {"p50_ms": 2.0, "p95_ms": 4.0, "p99_ms": 6.0, "rps": 2000.0},
        "ceiling_runs": [{"rps": 1900.0}, {"rps": 2100.0}],
        "results": [{"name": "Members", "api": False, **result}],
        "skipped": [],
        "rss_mb": {},
    }
    meta = {
        "date": "today",
        "commit": "abc",
        "dirty": "",
        "cores": 2,
        "cpu": "x",
        "python": "3",
        "workers": 2,
        "wrk": "-t2",
        "command": "make bench",
        "note": "",
    }
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\nNotes.\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\nMore notes.\n")

    write_report(out, render([run], meta))

    text = out.read_text()
    assert "Notes." in text and "More notes." in text and "old" not in text
    assert "| Members | 5.0 | 9.0 | 12.0 | 800 | 40% | – | 2.2× | yes |" in text
    assert CEILING.url_name == "bench-ok"
