"""Demo exit strategy: a draft with a knowledge and data handover checklist (idempotent)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from partnering.core.demo_hooks import demo_hook
from partnering.core.policy import access_for
from partnering.exit import services
from partnering.exit.models import ExitStrategy

User = get_user_model()

CUSTOMER = "helen.carter@northshire.example"
PROVIDER = "james.whitfield@brightwave.example"

# (kind, item, owner's e-mail, due in days)
HANDOVER = [
    ("data", "Export of all resident case records in the agreed open format", PROVIDER, 300),
    ("data", "Reconciliation report for migrated revenues data", PROVIDER, 320),
    ("knowledge", "Runbooks for the citizen portal and its integrations", PROVIDER, 280),
    ("knowledge", "Service desk knowledge base and known-error log", PROVIDER, 290),
    ("knowledge", "Council's product ownership and roadmap decisions log", CUSTOMER, 260),
    ("asset", "Transfer of domain names, certificates and cloud accounts", CUSTOMER, 340),
]


@demo_hook
def demo_exit_strategy(arrangement) -> None:  # noqa: ANN001
    if ExitStrategy.objects.filter(arrangement=arrangement).exists():
        return
    people = {u.email: u for u in User.objects.filter(email__in=[CUSTOMER, PROVIDER])}
    if CUSTOMER not in people or PROVIDER not in people:
        return
    access = access_for(user=people[CUSTOMER], arrangement_slug=arrangement.slug)
    today = timezone.localdate()
    services.exit_strategy_save(
        access=access,
        expected_version=0,
        values={
            "triggers": "The end of the initial five-year term; a break at year three if the joint board "
            "agrees the outcomes are not being met; persistent failure of the agreed service levels.",
            "timeline": "18 months before the end: decide between extension and recompetition. 12 months: "
            "start the recompetition. 6 months: handover plan agreed with the incoming provider.",
            "continuity": "Parallel running of the citizen portal for one month; the provider keeps the "
            "service desk staffed until handover; data exports rehearsed every year.",
            "decision_by": today + timedelta(days=200),
            "recompetition_starts": today + timedelta(days=380),
            "handover_by": today + timedelta(days=560),
        },
    )
    for kind, title, email, days in HANDOVER:
        services.handover_item_add(
            access=access, kind=kind, title=title, owner=people[email], due_date=today + timedelta(days=days)
        )
