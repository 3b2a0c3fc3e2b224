"""The contract performance notice's content, in the shape of an OCDS release.

The product prepares what a person publishes on the central digital platform
(Find a Tender); it never publishes itself. The shape follows the Open
Contracting Data Standard 1.1 (ocid, release id, date, tag, parties with
identifiers, buyer, awards, contracts) and its metrics extension for the KPIs
(`contracts[].agreedMetrics`, `contracts[].implementation.metrics`). The
ratings, the assessment period and the breaches sit in one object,
`contracts[].implementation.contractPerformance`, which is OUR reading of what
the notice needs (Procurement Act 2023 s.71; Procurement Regulations 2024 reg.
39-40), not an official schema: check it against the platform's own guidance
before relying on it. README ("The Procurement Act 2023 beside the guide")
lists the mapping field by field; `schema/contract-performance-notice.schema.json`
is the JSON Schema the export is tested against.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from partnering.core.policy import Access
from partnering.procurement import selectors
from partnering.procurement.models import AssessmentStatus, ContractFacts, PerformanceAssessment

#: Find a Tender's notice type for a contract performance notice, as we understand its UK notice list.
NOTICE_TYPE = "UK9"
#: The OCDS release tag for an update to a contract's implementation (OCDS 1.1 release tag codelist).
RELEASE_TAG = "implementationUpdate"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "contract-performance-notice.schema.json"


def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _amount(value: Decimal | None) -> float | None:
    # OCDS amounts are JSON numbers; stored to the penny, so a float holds them exactly enough to print.
    return None if value is None else float(value)


def _party(name: str, scheme: str, identifier: str, role: str) -> dict[str, Any]:
    party_id = f"{scheme}-{identifier}" if scheme and identifier else f"{role}-{name}"
    return {
        "id": party_id,
        "name": name,
        "identifier": {"scheme": scheme, "id": identifier, "legalName": name},
        "roles": [role],
    }


@dataclass
class Notice:
    release: dict[str, Any]
    problems: list[str]

    def as_json(self) -> str:
        return json.dumps(self.release, indent=2, ensure_ascii=False)


def build(*, access: Access, assessment: PerformanceAssessment) -> Notice:
    """The notice of one assessment as this member may see it: four queries."""
    arrangement = access.arrangement
    facts = selectors.facts_get(access=access) or ContractFacts(arrangement=arrangement)
    rows = selectors.ratings_for(access=access, assessment=assessment)
    kpis = {k.pk: k for k in selectors.published_kpis(access=access)}
    issues = list(selectors.issues_visible(access=access).filter(assessment=assessment))
    buyer = _party(arrangement.customer.name, facts.buyer_scheme, facts.buyer_identifier, "buyer")
    supplier = _party(arrangement.provider.name, facts.supplier_scheme, facts.supplier_identifier, "supplier")
    contract_id = facts.notice_identifier or arrangement.slug
    award_id = f"{contract_id}-award"
    metrics, agreed, ratings = [], [], []
    for r in rows:
        kpi = kpis.get(r.kpi_id, r.kpi)
        metric_id = str(kpi.uuid)
        agreed.append(
            {
                "id": metric_id,
                "title": kpi.name,
                "description": kpi.description,
                "observations": [
                    {"id": f"{metric_id}-{what}", "measure": _amount(value), "unit": {"name": kpi.unit}, "notes": what}
                    for what, value in (
                        ("baseline", getattr(kpi, "baseline_value", None)),
                        ("target", getattr(kpi, "target_value", None)),
                    )
                    if value is not None
                ],
            }
        )
        evidence = r.evidence or []
        metrics.append(
            {
                "id": metric_id,
                "title": kpi.name,
                "observations": [
                    {
                        "id": f"{metric_id}-{period}",
                        "period": {"startDate": period},
                        "measure": float(Decimal(value)),
                        "unit": {"name": kpi.unit},
                    }
                    for period, value in evidence
                ],
            }
        )
        ratings.append(
            {
                "metricID": metric_id,
                "kpi": kpi.name,
                "rating": r.rating,
                "ratingLabel": r.get_rating_display() if r.rating else "",
                "reason": r.reason,
            }
        )
    when = assessment.approved_at or timezone.now()
    release = {
        "ocid": facts.ocid,
        "id": f"{facts.ocid or arrangement.slug}-{NOTICE_TYPE.lower()}-{assessment.uuid}",
        "date": when.isoformat(),
        "tag": [RELEASE_TAG],
        "initiationType": "tender",
        "language": "en",
        "parties": [buyer, supplier],
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "awards": [
            {"id": award_id, "status": "active", "suppliers": [{"id": supplier["id"], "name": supplier["name"]}]}
        ],
        "contracts": [
            {
                "id": contract_id,
                "awardID": award_id,
                "title": arrangement.title,
                "status": "terminated" if facts.terminated_on else "active",
                "value": {"amount": _amount(facts.estimated_value), "currency": "GBP"},
                "period": {
                    "startDate": arrangement.contract_start.isoformat() if arrangement.contract_start else None,
                    "endDate": (facts.terminated_on or arrangement.contract_end).isoformat()
                    if (facts.terminated_on or arrangement.contract_end)
                    else None,
                },
                "agreedMetrics": agreed,
                "implementation": {
                    "metrics": metrics,
                    "contractPerformance": {
                        "noticeType": NOTICE_TYPE,
                        "assessmentKind": assessment.kind,
                        "period": {
                            "startDate": assessment.period_start.isoformat(),
                            "endDate": assessment.period_end.isoformat(),
                        },
                        "ratings": ratings,
                        "breaches": [
                            {
                                "id": str(i.uuid),
                                "type": i.kind,
                                "description": i.description,
                                "date": i.occurred_on.isoformat(),
                                "supplierNotifiedDate": i.provider_told_at.date().isoformat()
                                if i.provider_told_at
                                else None,
                            }
                            for i in issues
                        ],
                        "approvedDate": assessment.approved_at.isoformat() if assessment.approved_at else None,
                        "publishedDate": assessment.published_on.isoformat() if assessment.published_on else None,
                    },
                },
            }
        ],
    }
    return Notice(release, _problems(facts, assessment, ratings, issues))


def _problems(facts: ContractFacts, assessment: PerformanceAssessment, ratings: list[dict], issues: list) -> list[str]:
    """What a person publishing the notice would find missing (a hand check; the schema test is stricter)."""
    out = []
    if not facts.ocid:
        out.append("No OCID: add the contract's open contracting ID to the contract facts.")
    if not (facts.buyer_scheme and facts.buyer_identifier):
        out.append("No identifier for the customer: add its scheme and identifier to the contract facts.")
    if not (facts.supplier_scheme and facts.supplier_identifier):
        out.append("No identifier for the provider: add its scheme and identifier to the contract facts.")
    if facts.estimated_value is None:
        out.append("No estimated contract value in the contract facts.")
    unrated = [r["kpi"] for r in ratings if not r["rating"]]
    if unrated:
        out.append(f"Not yet rated: {', '.join(unrated)}.")
    if any(i.provider_told_at is None for i in issues):
        out.append("A breach or failure this notice carries has not been told to the provider yet.")
    if assessment.status in (AssessmentStatus.DRAFT, AssessmentStatus.SHARED):
        out.append("Not yet approved by the customer's SRO: the figures are frozen at approval.")
    return out
