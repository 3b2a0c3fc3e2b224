"""A populated arrangement for the archive tests: one record of nearly every kind, with history."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone


@pytest.fixture
def populated(world):
    from partnering.actions.models import Action
    from partnering.arrangements.models import SharedOutcome
    from partnering.assessments.models import Answer, Assessment, QuestionBank, Respondent
    from partnering.assessments.services import assessment_start, banks_ensure_builtin
    from partnering.risks.models import Risk, RiskComment
    from partnering.risks.services import risk_create

    alice, bob = world.access(world.alice), world.access(world.bob)
    today = timezone.localdate()
    SharedOutcome.objects.create(arrangement=world.arrangement, text="Residents served first time")
    banks_ensure_builtin()
    bank = QuestionBank.objects.get(key="gate-0", is_current=True)
    revealed = assessment_start(access=alice, bank=bank, title="Gate 0 review", due_date=today)
    blind = assessment_start(access=alice, bank=bank, title="Gate 0 again", due_date=today - timedelta(days=1))
    # Both sides answer, as every Gate 0 was answered before the banks named the SRO as their addressee:
    # such assessments stay in archives and packs, and must stay as blind as ever.
    Assessment.objects.filter(pk__in=[revealed.pk, blind.pk]).update(participation="both")
    revealed.refresh_from_db()
    blind.refresh_from_db()
    qid = bank.bank.question_ids[0]
    respondent = Respondent.objects.create(assessment=blind, user=world.bob, name="Bob Brown", side="provider")
    Respondent.objects.create(assessment=blind, user=world.peter, name="Peter Price", side="provider")
    for assessment in (revealed, blind):
        Answer.objects.create(assessment=assessment, side="customer", question_id=qid, value="yes", comment="Ours")
        Answer.objects.create(assessment=assessment, side="provider", question_id=qid, value="no", comment="Theirs")
    Answer.objects.create(assessment=blind, respondent=respondent, side="provider", question_id=qid, value="no")
    # Revealed: both sides submitted (the archive keeps the other side's answers from its submission).
    now = timezone.now()
    Assessment.objects.filter(pk=revealed.pk).update(
        status="revealed", revealed_at=now, customer_submitted_at=now, provider_submitted_at=now
    )
    shared = risk_create(
        access=alice, title="Key people leave", owning_side="customer", likelihood=4, impact=5, owner=world.alice
    )
    private = risk_create(access=bob, title="Margin squeeze", owning_side="provider", likelihood=2, impact=2)
    # Made private as a private risk is numbered: in the provider's own sequence (core.references).
    Risk.objects.filter(pk=private.pk).update(visibility="provider", reference="RP-001", number=1)
    RiskComment.objects.create(risk=private, author=world.bob, text="Only for us")
    RiskComment.objects.create(risk=shared, author=world.bob, text='=HYPERLINK("http://x")')
    gone = risk_create(access=alice, title="Deleted risk", owning_side="joint", likelihood=1, impact=1)
    gone.delete()
    action = Action.objects.create(
        arrangement=world.arrangement,
        title="Agree the exit plan",
        owner=world.alice,
        due_date=today - timedelta(days=2),
        source=revealed,
        source_detail=f"question {qid}",
    )
    return SimpleNamespace(
        world=world, revealed=revealed, blind=blind, shared=shared, private=private, action=action, qid=qid
    )
