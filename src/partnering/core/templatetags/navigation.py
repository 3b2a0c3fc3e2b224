"""The arrangement's grouped navigation and its breadcrumbs (see core.navigation)."""

from __future__ import annotations

from typing import Any

from django import template

from partnering.core.navigation import GROUPS, group_of, section

register = template.Library()


@register.inclusion_tag("includes/arrangement_nav.html")
def arrangement_nav(arrangement: Any, tab: str = "") -> dict[str, Any]:
    return {"arrangement": arrangement, "groups": GROUPS, "current": group_of(tab), "tab": tab}


@register.simple_tag
def arrangement_section(tab: str = "") -> Any:
    """The current section (key, label, urlname), for the breadcrumbs; None outside every section."""
    return section(tab)
