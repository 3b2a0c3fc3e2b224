"""`{% scrolling "label" %}<table>...</table>{% endscrolling %}`: a wide table scrolls inside its own box.

WCAG 2.2 success criterion 1.4.10 (Reflow) asks that a page be read at 320 CSS px without scrolling
in two directions; a data table may scroll inside its own container. The container is a labelled
region that takes keyboard focus, so people who do not use a mouse can scroll it too. Its name is the
table's caption when it has one, otherwise the label given.
"""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe

register = template.Library()

_CAPTION = re.compile(r"<caption[^>]*>(.*?)</caption>", re.S)


class ScrollingNode(template.Node):
    def __init__(self, nodelist: template.NodeList, label: template.base.FilterExpression | None) -> None:
        self.nodelist = nodelist
        self.label = label

    def render(self, context: Any) -> str:
        inner = self.nodelist.render(context)
        caption = _CAPTION.search(inner)
        label = " ".join(strip_tags(caption.group(1)).split()) if caption else ""
        if not label and self.label is not None:
            label = str(self.label.resolve(context))
        return format_html(
            '<div class="app-table-scroll" role="region" aria-label="{}" tabindex="0">{}</div>',
            label or "Table",
            mark_safe(inner),  # noqa: S308 - the template's own rendered output, escaped as it rendered
        )


@register.tag
def scrolling(parser: template.base.Parser, token: template.base.Token) -> ScrollingNode:
    bits = token.split_contents()
    if len(bits) > 2:
        raise template.TemplateSyntaxError("{% scrolling %} takes at most one argument: the label.")
    label = parser.compile_filter(bits[1]) if len(bits) == 2 else None
    nodelist = parser.parse(("endscrolling",))
    parser.delete_first_token()
    return ScrollingNode(nodelist, label)
