from __future__ import annotations

import pytest
from django.utils import timezone


@pytest.fixture
def annex_b(world):
    """One revealed Annex B cycle: the customer answers 6 of 9 Fully or Largely, the provider 9 of 9."""
    from partnering.assessments.models import Answer, Assessment, QuestionBank
    from partnering.assessments.services import assessment_start, banks_ensure_builtin

    banks_ensure_builtin()
    bank = QuestionBank.objects.get(key="annex-b", is_current=True, organisation__isnull=True)
    assessment = assessment_start(access=world.access(world.alice), bank=bank)
    questions = bank.bank.question_ids
    customer = ["largely"] * 6 + ["partly", "partly", "not_at_all"]
    Answer.objects.bulk_create(
        [Answer(assessment=assessment, side="customer", question_id=q, value=v) for q, v in zip(questions, customer)]
        + [Answer(assessment=assessment, side="provider", question_id=q, value="fully") for q in questions]
    )
    Assessment.objects.filter(pk=assessment.pk).update(status="revealed", revealed_at=timezone.now())
    return assessment
