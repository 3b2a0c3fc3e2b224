"""Demo assessments: a past year of health checks, so that results and trends show something."""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from partnering.assessments import services
from partnering.assessments.models import Assessment, QuestionBank
from partnering.core.demo_hooks import demo_hook
from partnering.core.policy import access_for

User = get_user_model()

CUSTOMER_PEOPLE = [
    "helen.carter@northshire.example",
    "daniel.okafor@northshire.example",
    "priya.shah@northshire.example",
    "tom.reilly@northshire.example",
]
PROVIDER_PEOPLE = [
    "james.whitfield@brightwave.example",
    "sophie.turner@brightwave.example",
    "ravi.patel@brightwave.example",
    "aisha.khan@brightwave.example",
]

# Last year's agreed views: the provider is rosier than the customer about
# information sharing and monitoring, a typical perception gap.
ANNEX_B_LAST_YEAR = {
    "customer": ["largely", "largely", "partly", "partly", "largely", "largely", "partly", "not_at_all", "largely"],
    "provider": ["fully", "largely", "largely", "fully", "largely", "largely", "largely", "largely", "largely"],
}
HEALTH_LAST_YEAR = {
    "customer": ["yes", "partly", "partly", "yes", "not_yet_known"],
    "provider": ["yes", "yes", "yes", "partly", "partly"],
}


def _answer_all(
    assessment: Assessment,
    people: dict[str, list],
    agreed: dict[str, list[str]],
    rng: random.Random,
    *,
    submit_sides: bool,
) -> None:
    spec = assessment.spec
    values = list(spec.scale.values)
    for side, emails in people.items():
        for email in emails:
            user = User.objects.get(email=email)
            access = access_for(user=user, arrangement_slug=assessment.arrangement.slug)
            for i, q in enumerate(spec.questions):
                for p in spec.perspectives:
                    base = values.index(agreed[side][i])
                    value = values[max(0, min(len(values) - 1, base + rng.choice([-1, 0, 0, 0, 1])))]
                    services.answer_save(
                        access=access,
                        assessment=assessment,
                        question_id=q.id,
                        perspective=p,
                        value=value,
                        comment="" if rng.random() > 0.2 else "Seen in last quarter's service reviews.",
                    )
            services.respondent_submit(access=access, assessment=assessment)
        if submit_sides:
            lead = User.objects.get(email=emails[0])
            access = access_for(user=lead, arrangement_slug=assessment.arrangement.slug)
            for i, q in enumerate(spec.questions):
                for p in spec.perspectives:
                    services.agreed_answer_save(
                        access=access, assessment=assessment, question_id=q.id, perspective=p, value=agreed[side][i]
                    )
            services.side_submit(access=access, assessment=assessment)


@demo_hook
def demo_assessments(arrangement) -> None:  # noqa: ANN001
    if Assessment.objects.filter(arrangement=arrangement).exists():
        return
    services.banks_sync_builtin()
    rng = random.Random(2027)  # noqa: S311 - demo data, not security
    sro = User.objects.get(email=CUSTOMER_PEOPLE[0])
    access = access_for(user=sro, arrangement_slug=arrangement.slug)
    everyone = User.objects.filter(email__in=CUSTOMER_PEOPLE + PROVIDER_PEOPLE)
    people = {"customer": CUSTOMER_PEOPLE, "provider": PROVIDER_PEOPLE}
    year_ago = timezone.now() - timedelta(days=300)
    for key, agreed in (("annex-b", ANNEX_B_LAST_YEAR), ("annual-health-check", HEALTH_LAST_YEAR)):
        bank = QuestionBank.objects.get(key=key, is_current=True, organisation__isnull=True)
        # Annex B asks both sides, each also saying how it sees the other; the health check is the
        # SRO's, and the provider's SRIE was asked too, as the guide says SRIEs "will also benefit".
        a = services.assessment_start(
            access=access,
            bank=bank,
            due_date=year_ago.date(),
            also_ask_other_lead=key == "annual-health-check",
            ask_other_view=key == "annex-b",
        )
        services.respondents_invite(access=access, assessment=a, users=everyone)
        _answer_all(a, people, agreed, rng, submit_sides=True)
        Assessment.objects.filter(pk=a.pk).update(
            created_at=year_ago - timedelta(days=30),
            revealed_at=year_ago,
            customer_submitted_at=year_ago,
            provider_submitted_at=year_ago,
        )
    # This year's Annex B: started from last year's agreed answers, partly answered.
    last = Assessment.objects.get(arrangement=arrangement, bank__key="annex-b")
    current = services.assessment_start(
        access=access,
        bank=last.bank,
        previous=last,
        due_date=(timezone.now() + timedelta(days=21)).date(),
        ask_other_view=True,
    )
    services.respondents_invite(access=access, assessment=current, users=everyone)
