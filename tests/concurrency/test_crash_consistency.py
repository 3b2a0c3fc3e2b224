"""Issue 7: a worker killed in the middle of an import or a submission leaves nothing half-done.

Each test runs the real service in a child process on the test database, stops it inside
its transaction once it has written rows (the child reports what it sees there), checks
that nobody else sees those rows meanwhile, kills it with SIGKILL (no clean-up code runs)
and checks that the database is exactly as before: no row, no audit row, no state change.
Finally the same work is done again in the test process, which shows the killed worker
left no lock behind and that its work was real.
"""

from __future__ import annotations

import csv
import io
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
# The child imports this file (runpy) once Django is set up, and calls `child_main`.
CHILD = "import sys, django, runpy; django.setup(); runpy.run_path(sys.argv[1])['child_main'](sys.argv[2:])"
READY = "READY "


# -- the child ---------------------------------------------------------------------------


def child_main(argv: list[str]) -> None:
    """Run one job, and hold its transaction open at `stop`: print READY, then wait to be killed."""
    job, stop, slug, email, argument = argv
    from partnering.accounts.models import User
    from partnering.core.policy import access_for

    access = access_for(user=User.objects.get(email=email), arrangement_slug=slug)

    def hold(seen: dict[str, Any]) -> None:
        print(READY + json.dumps(seen), flush=True)
        time.sleep(120)
        print("not killed", flush=True)
        os._exit(3)

    if job == "import":
        from simple_history.manager import HistoryManager

        from partnering.risks import importing
        from partnering.risks.models import Risk

        def seen() -> dict[str, Any]:
            return {"risks": Risk.objects.filter(arrangement=access.arrangement).count(), **_import_state(slug)}

        if stop == "after-new-risks":
            create = importing._create_with_history

            def create_then_hold(*args: Any, **kwargs: Any) -> Any:
                created = create(*args, **kwargs)
                hold(seen())
                return created

            importing._create_with_history = create_then_hold
        else:
            history_create = HistoryManager.bulk_history_create

            def history_then_hold(self: Any, *args: Any, **kwargs: Any) -> Any:
                rows = history_create(self, *args, **kwargs)
                if kwargs.get("update"):
                    hold(seen())
                return rows

            HistoryManager.bulk_history_create = history_then_hold
        importing.risk_import(access=access, name="risks.csv", data=Path(argument).read_bytes())
    elif job == "submit":
        from partnering.assessments import services
        from partnering.assessments.models import Assessment

        save = Assessment.save

        def save_then_hold(self: Any, *args: Any, **kwargs: Any) -> None:
            save(self, *args, **kwargs)
            hold(_assessment_state(self.uuid))

        Assessment.save = save_then_hold
        services.side_submit(access=access, assessment=Assessment.objects.get(uuid=argument))
    print("finished without stopping", flush=True)


# -- what the parent compares ------------------------------------------------------------


def _import_state(slug: str) -> dict[str, Any]:
    from partnering.risks.models import Risk

    risks = Risk.objects.filter(arrangement__slug=slug)
    return {
        "register": sorted(risks.values_list("reference", "title", "version")),
        "risk_history": Risk.history.filter(arrangement__slug=slug).count(),
    }


def _assessment_state(uuid: Any) -> dict[str, Any]:
    from partnering.assessments.models import Assessment

    a = Assessment.objects.get(uuid=uuid)
    return {
        "status": a.status,
        "customer_submitted": a.customer_submitted_at is not None,
        "revealed": a.revealed_at is not None,
        "assessment_history": Assessment.history.filter(uuid=uuid).count(),
    }


def _run_and_kill(shared_db: Any, args: list[str], state: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Start the child, wait until it holds its transaction, check isolation, SIGKILL it.

    Returns what the child saw inside its transaction.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "partnering.settings",
        "DATABASE_URL": shared_db.url,
        "DB_CONN_MAX_AGE": "0",
        "PARTNERING_TESTING": "true",
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, __file__, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        before = state()
        line = _read_ready(child, timeout=60)
        inside = json.loads(line.removeprefix(READY))
        # While the worker holds its transaction, nobody else sees its rows.
        assert state() == before
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    return inside


def _read_ready(child: subprocess.Popen, *, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    assert child.stdout is not None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([child.stdout], [], [], 0.2)
        if ready:
            line = child.stdout.readline()
            if line.startswith(READY):
                return line
            if line == "":
                break
    child.kill()
    _, err = child.communicate()
    pytest.fail(f"the child never reached its stopping point:\n{err[-3000:]}")


# -- the tests ---------------------------------------------------------------------------


@pytest.fixture
def world(shared_db):
    """The standard world, written to the shared database (not the root conftest's)."""
    from partnering.testing import build_world

    return build_world()


def _register_file(tmp_path: Path, world: Any) -> Path:
    """Three existing risks changed and thirty new ones."""
    from partnering.risks.services import risk_create

    for n in range(3):
        risk_create(
            access=world.access(world.alice), title=f"Existing {n}", owning_side="joint", likelihood=2, impact=2
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Reference", "Title", "Category", "Owning side", "Likelihood", "Impact", "Version"])
    for n in range(3):
        writer.writerow([f"R-00{n + 1}", f"Existing {n}, reworded", "Commercial", "Joint", 4, 4, 1])
    for n in range(30):
        writer.writerow(["", f"Imported {n}", "Relationship", "Customer", 1 + n % 5, 1 + (n * 3) % 5, ""])
    path = tmp_path / "risks.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_a_worker_killed_during_an_import_leaves_the_register_as_it_was(shared_db, world, tmp_path):
    from partnering.risks.importing import risk_import

    path = _register_file(tmp_path, world)
    slug = world.arrangement.slug

    def state() -> dict[str, Any]:
        return _import_state(slug)

    before = state()
    # Killed once the new risks and their audit rows are written, then once every row is.
    for stop in ("after-new-risks", "before-commit"):
        inside = _run_and_kill(shared_db, ["import", stop, slug, world.alice.email, str(path)], state)

        assert inside["risks"] == 33, stop  # the worker had written the new risks...
        assert inside["risk_history"] > before["risk_history"], stop
        assert state() == before, stop  # ...and none of it survived
    assert inside["register"] != before["register"]  # the last one had updated the existing risks too
    assert inside["risk_history"] == before["risk_history"] + 33

    # No lock left behind, and the same file imports in full.
    result = risk_import(access=world.access(world.alice), name="risks.csv", data=path.read_bytes())
    assert (result.errors, result.created, result.updated) == ([], 30, 3)
    assert state()["risk_history"] == before["risk_history"] + 33


def test_a_worker_killed_during_a_side_submission_leaves_the_assessment_unsubmitted(shared_db, world):
    from partnering.assessments import services
    from partnering.assessments.models import Assessment, AssessmentStatus, QuestionBank

    assessment = services.assessment_start(
        access=world.access(world.alice), bank=QuestionBank.objects.get(key="annex-b", is_current=True)
    )
    spec = assessment.spec
    for lead in (world.alice, world.bob):
        for question in spec.questions:
            for perspective in spec.perspectives:
                services.agreed_answer_save(
                    access=world.access(lead),
                    assessment=assessment,
                    question_id=question.id,
                    perspective=perspective,
                    value="largely",
                )
    services.side_submit(access=world.access(world.bob), assessment=assessment)

    def state() -> dict[str, Any]:
        return _assessment_state(assessment.uuid)

    before = state()
    inside = _run_and_kill(
        shared_db, ["submit", "before-commit", world.arrangement.slug, world.alice.email, str(assessment.uuid)], state
    )

    assert inside["revealed"] and inside["customer_submitted"]
    assert inside["assessment_history"] == before["assessment_history"] + 1
    assert state() == before
    assert not before["revealed"] and not before["customer_submitted"]
    # No lock left behind: the lead submits again and both sides' answers are revealed.
    services.side_submit(access=world.access(world.alice), assessment=Assessment.objects.get(pk=assessment.pk))
    assert state()["status"] == AssessmentStatus.REVEALED
