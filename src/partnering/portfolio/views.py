"""Portfolio and early-warning pages: thin translations from HTTP to the selectors."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from partnering.core import pagecache
from partnering.core.gate import arrangement_page
from partnering.core.policy import Access, Perm
from partnering.portfolio import rules, selectors

PAGE_SIZE = 25
SEVERITY_COLOURS = {rules.Severity.HIGH: "red", rules.Severity.MEDIUM: "orange", rules.Severity.LOW: "grey"}
SEVERITY_LABELS = {rules.Severity.HIGH: "High", rules.Severity.MEDIUM: "Medium", rules.Severity.LOW: "Low"}


@login_required
@require_GET
@pagecache.kept_for(selectors.portfolio_scope)
def index(request: HttpRequest) -> HttpResponse:
    rows = selectors.portfolio(user=request.user)
    counts = Counter(r.health for r in rows)
    wanted = request.GET.get("health", "")
    shown = [r for r in rows if r.health == wanted] if wanted in rules.Health.__members__.values() else rows
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portfolio/index.html",
        {
            "organisation": request.user.organisation,
            "page": page,
            "total": len(rows),
            "health_counts": [(h, rules.HEALTH_LABELS[h], counts.get(h, 0)) for h in rules.Health],
            "health_filter": wanted if wanted in rules.Health.__members__.values() else "",
            "verdict_headings": [heading for _key, heading in selectors.VERDICT_COLUMNS],
            "severity_colours": SEVERITY_COLOURS,
            "severity_labels": SEVERITY_LABELS,
            "rules": list(rules.RULES.values()),
        },
    )


@arrangement_page(Perm.VIEW)
@require_GET
def arrangement_warnings(request: HttpRequest, access: Access) -> HttpResponse:
    row = selectors.arrangement_warnings(access=access)
    return render(
        request,
        "portfolio/warnings.html",
        {
            "access": access,
            "arrangement": access.arrangement,
            "tab": "warnings",
            "row": row,
            "not_applicable": selectors.not_applicable(row),
            "severity_colours": SEVERITY_COLOURS,
            "severity_labels": SEVERITY_LABELS,
            "health_label": rules.HEALTH_LABELS[row.health],
        },
    )
