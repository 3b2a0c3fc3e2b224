"""Which records belong to an arrangement, found from the models themselves.

Every installed partnering model with a chain of foreign keys to
`Arrangement` (a direct `arrangement` key, or through a parent such as
Answer → Assessment → Arrangement) belongs to the arrangement's archive, in
an order where every record comes after the records it points at. A feature
added later is exported and imported without any change here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from simple_history.models import HistoricalChanges

from partnering.accounts.models import Organisation, User
from partnering.arrangements.models import Arrangement
from partnering.assessments.models import QuestionBank

#: Models referenced by natural key, outside the arrangement: users by e-mail,
#: organisations by name, question banks by (key, version), content types by label.
REFERENCE_MODELS = (User, Organisation, QuestionBank, ContentType)


@dataclass
class Node:
    model: type[models.Model]
    #: The foreign key towards the arrangement (None for the arrangement itself).
    parent_field: models.ForeignKey | None
    parent: Node | None
    depends_on: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def key_field(self) -> str:
        """The natural key every reference uses: `uuid`, or a UUID primary key."""
        names = {f.name for f in self.model._meta.concrete_fields}
        return "uuid" if "uuid" in names else self.model._meta.pk.name

    @property
    def history_model(self) -> type[models.Model] | None:
        attr = getattr(self.model._meta, "simple_history_manager_attribute", None)
        return getattr(self.model, attr).model if attr else None

    def data_fields(self) -> list[models.Field]:
        """Every stored field but the auto id and the key."""
        pk = self.model._meta.pk
        return [f for f in self.model._meta.concrete_fields if f.name != self.key_field and f is not pk]

    def history_fields(self) -> list[models.Field]:
        hist = self.history_model
        assert hist is not None
        skip = {"history_id", "id", self.key_field}
        return [f for f in hist._meta.concrete_fields if f.name not in skip]

    def m2m_fields(self) -> list[models.ManyToManyField]:
        return list(self.model._meta.many_to_many)

    def generic_fks(self) -> list[GenericForeignKey]:
        return [f for f in self.model._meta.private_fields if isinstance(f, GenericForeignKey)]


def _candidates() -> list[type[models.Model]]:
    out = []
    for config in apps.get_app_configs():
        if not config.name.startswith("partnering."):
            continue
        for model in config.get_models():
            if model._meta.auto_created or issubclass(model, HistoricalChanges) or model in REFERENCE_MODELS:
                continue
            out.append(model)
    return out


def _has_natural_key(model: type[models.Model]) -> bool:
    names = {f.name for f in model._meta.concrete_fields}
    return "uuid" in names or isinstance(model._meta.pk, models.UUIDField)


@functools.cache
def archive_nodes() -> tuple[Node, ...]:
    """Every model of arrangement data, parents before children."""
    found: dict[type[models.Model], Node] = {Arrangement: Node(Arrangement, None, None)}
    pending = [m for m in _candidates() if m is not Arrangement]
    changed = True
    while changed:
        changed = False
        for model in list(pending):
            fks = [
                f
                for f in model._meta.concrete_fields
                if f.is_relation
                and (f.many_to_one or f.one_to_one)
                and f.related_model in found
                and f.related_model is not model
            ]
            if not fks:
                continue
            best = next((f for f in fks if f.name == "arrangement"), fks[0])
            found[model] = Node(model, best, found[best.related_model])
            pending.remove(model)
            changed = True
    nodes = {n.label: n for n in found.values() if _has_natural_key(n.model)}
    for node in nodes.values():
        for f in node.model._meta.concrete_fields:
            target = f.related_model if f.is_relation else None
            if target is not None and target is not node.model and target._meta.label_lower in nodes:
                node.depends_on.add(target._meta.label_lower)
    # Kahn's algorithm, stable in discovery order.
    ordered: list[Node] = []
    done: set[str] = set()
    remaining = list(nodes.values())
    while remaining:
        ready = [n for n in remaining if n.depends_on <= done]
        if not ready:  # a cycle: keep going, the importer defers the references it cannot set yet
            ready = [remaining[0]]
        for n in ready:
            ordered.append(n)
            done.add(n.label)
            remaining.remove(n)
    return tuple(ordered)


def node_for(model: Any) -> Node | None:
    label = model._meta.label_lower
    return next((n for n in archive_nodes() if n.label == label), None)
