from __future__ import annotations

import pytest

from partnering.lessons.demo import LESSONS, demo_lessons
from partnering.lessons.models import Lesson


@pytest.mark.django_db
def test_demo_lessons_are_added_once_and_some_are_published():
    from partnering.arrangements.demo import load_demo

    arrangement, _people = load_demo()
    demo_lessons(arrangement)
    demo_lessons(arrangement)

    assert Lesson.objects.filter(arrangement=arrangement).count() == len(LESSONS)
    published = Lesson.objects.filter(published_at__isnull=False, author_side="customer")
    assert published.count() == 2
