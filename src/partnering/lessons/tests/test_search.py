"""Search and visibility across arrangements, on SQLite and PostgreSQL alike.

Run against PostgreSQL with DATABASE_URL=postgres://... : the same tests then
exercise websearch_to_tsquery and the GIN expression index.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnering.core.choices import Role, Side, Stage
from partnering.lessons import search, services
from partnering.lessons.selectors import LessonFilters, lessons_search, lessons_suggested
from partnering.lessons.tests.factories import make_lesson
from partnering.testing import ArrangementFactory, UserFactory, add_member


def _titles(qs) -> set[str]:
    return {lesson.title for lesson in qs}


@pytest.fixture
def lessons(world):
    alice, bob = world.access(world.alice), world.access(world.bob)
    make_lesson(alice, title="Migration criteria", what_happened="Data migration slipped six weeks.")
    make_lesson(bob, title="Peer map", what_happened="Escalations bounced between service desks.", tags="peers")
    make_lesson(
        alice, title="Customer budget note", what_happened="Budget pressure on migration.", visibility="customer"
    )
    make_lesson(bob, title="Provider staffing note", what_happened="Architect left.", visibility="provider")
    return world


def test_members_find_lessons_by_every_word_of_the_query(lessons):
    found = lessons_search(user=lessons.alice, query="migration slipped")

    assert _titles(found) == {"Migration criteria"}


def test_search_ignores_case_and_accents(lessons):
    assert _titles(lessons_search(user=lessons.alice, query="ESCALATIONS")) == {"Peer map"}
    assert _titles(lessons_search(user=lessons.bob, query="Archítect")) == {"Provider staffing note"}


def test_each_side_sees_shared_lessons_and_its_own_private_ones(lessons):
    assert _titles(lessons_search(user=lessons.alice)) == {"Migration criteria", "Peer map", "Customer budget note"}
    assert _titles(lessons_search(user=lessons.bob)) == {"Migration criteria", "Peer map", "Provider staffing note"}
    assert _titles(lessons_search(user=lessons.fran)) == {"Migration criteria", "Peer map"}
    assert _titles(lessons_search(user=lessons.dave, query="migration")) == {
        "Migration criteria",
        "Customer budget note",
    }


def test_outsiders_find_nothing(lessons):
    assert not lessons_search(user=lessons.charlie, query="migration").exists()


def test_a_published_lesson_reaches_every_arrangement_of_that_organisation(lessons):
    lesson = make_lesson(
        lessons.access(lessons.alice), title="Published one", what_happened="Open book reviews lapsed."
    )
    services.lesson_publish(access=lessons.access(lessons.alice), lesson=lesson)
    # Northshire's next arrangement, with another provider: its members read the lesson.
    later = ArrangementFactory(title="Northshire waste", customer=lessons.customer)
    newcomer = UserFactory(email="nina@other-provider.example")
    add_member(later, newcomer, Side.PROVIDER, Role.SRIE)

    assert _titles(lessons_search(user=newcomer, query="open book")) == {"Published one"}
    assert not lessons_search(user=lessons.charlie, query="open book").exists()


def test_a_private_published_lesson_reaches_only_that_organisations_side(lessons):
    lesson = make_lesson(lessons.access(lessons.alice), title="Private published", visibility="customer")
    services.lesson_publish(access=lessons.access(lessons.alice), lesson=lesson)
    later = ArrangementFactory(title="Northshire waste", customer=lessons.customer)
    council = UserFactory(email="nina@northshire.example", organisation=lessons.customer)
    supplier = UserFactory(email="omar@other-provider.example")
    add_member(later, council, Side.CUSTOMER, Role.SRO)
    add_member(later, supplier, Side.PROVIDER, Role.SRIE)

    assert _titles(lessons_search(user=council)) == {"Private published"}
    assert not lessons_search(user=supplier).exists()


def test_filters_combine_with_the_query(lessons):
    filters = LessonFilters(tag="peers", stage=Stage.IN_SERVICE)

    assert _titles(lessons_search(user=lessons.bob, query="escalations", filters=filters)) == {"Peer map"}
    assert not lessons_search(user=lessons.bob, filters=LessonFilters(tag="peer")).exists()


def test_search_runs_one_query_whatever_the_number_of_arrangements(world):
    def run() -> int:
        with CaptureQueriesContext(connection) as ctx:
            list(lessons_search(user=world.alice, query="migration"))
        return len(ctx.captured_queries)

    make_lesson(world.access(world.alice))
    few = run()
    for n in range(5):
        other = ArrangementFactory(title=f"Other {n}", customer=world.customer)
        add_member(other, world.alice, Side.CUSTOMER, Role.SRO)
        make_lesson(world.access(world.alice, other))

    # One SELECT: visibility is EXISTS subqueries, arrangement and organisation joined.
    assert run() == few == 1


def test_suggestions_come_from_other_arrangements_at_the_same_stage(world):
    other = ArrangementFactory(title="Earlier", customer=world.customer, stage=Stage.EXIT)
    add_member(other, world.alice, Side.CUSTOMER, Role.SRO)
    make_lesson(world.access(world.alice, other), title="In service elsewhere", stage=Stage.IN_SERVICE)
    make_lesson(world.access(world.alice, other), title="Exit elsewhere", stage=Stage.EXIT)
    make_lesson(world.access(world.alice), title="Here already", stage=Stage.IN_SERVICE)

    access = world.access(world.alice)
    assert [lesson.title for lesson in lessons_suggested(access=access)] == ["In service elsewhere"]
    assert [lesson.title for lesson in lessons_suggested(access=access, stages=[Stage.EXIT])] == ["Exit elsewhere"]


def test_query_terms_are_normalised_and_capped():
    assert search.terms('  "Data"  data-migration, ÉXIT ') == ["data", "data-migration", "exit"]
    assert len(search.terms(" ".join(f"w{n}" for n in range(20)))) == search.MAX_TERMS


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index exists on PostgreSQL only")
def test_postgres_has_the_full_text_index(db):
    with connection.cursor() as cursor:
        cursor.execute("select indexdef from pg_indexes where indexname = 'lessons_lesson_search_gin'")
        row = cursor.fetchone()
    assert row and "to_tsvector" in row[0]
