"""`{% lessons_suggestions access %}`: the "Lessons from earlier arrangements" panel, for any page.

    {% load lessons %}
    {% lessons_suggestions access %}                 {# the arrangement's current stage #}
    {% lessons_suggestions access stages=bank.spec.stages %}   {# when starting an assessment #}

One query; renders nothing when the lessons app has nothing to suggest.
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("lessons/_suggestions.html")
def lessons_suggestions(access: Any, stages: Any = None) -> dict[str, Any]:
    from partnering.lessons.selectors import lessons_suggested

    return {"suggested_lessons": lessons_suggested(access=access, stages=stages) if access else []}
