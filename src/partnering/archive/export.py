"""A complete export of one arrangement: every record and its history, as a documented ZIP.

The archive (`archive.json`) names every record by a natural key, never by a
database id: records by their UUID, people by e-mail address, organisations by
name, question banks by key and version. So it loads into another installation
exactly (see importer.py), which is what makes an exit without lock-in real.

An export made by a member holds only what the member's side may see
(access policy rule 3: the other side's private records and their discussion
stay out) and never an answer the blind rule hides (the other side's answers
before the reveal, and its individual answers ever). Only what was revealed
leaves: of the other side's agreed answers the archive holds the answer as
submitted and its history from the submission on, never the drafts typed
before it (`HISTORY_FILTERS`). The operator's export
(`partnering export --all`) holds everything.
"""

from __future__ import annotations

import base64
import io
import json
import socket
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from partnering.accounts.models import Organisation, User
from partnering.archive.graph import Node, archive_nodes
from partnering.arrangements.models import Arrangement
from partnering.assessments.models import Participation, QuestionBank
from partnering.assessments.selectors import can_see_both_sides_before_reveal
from partnering.core.choices import Side
from partnering.core.policy import Access

FORMAT = "partnering-archive"
FORMAT_VERSION = 1
README = (Path(__file__).parent / "README_FORMAT.txt").read_text(encoding="utf-8")


def _agreed_of(side: str, access: Access) -> Q:
    """The other side's agreed answers where the member may read them (`selectors.sides_visible`):
    once revealed, or before for the facilitator when the openness lets them see blind answers;
    a one-sided assessment reaches only the facilitator."""
    participation = [Participation.BOTH, side] if access.is_neutral else [Participation.BOTH]
    q = Q(respondent__isnull=True, side=side, assessment__participation__in=participation)
    if can_see_both_sides_before_reveal(access):
        return q
    return q & Q(assessment__revealed_at__isnull=False)


def _other_sides(access: Access) -> list[str]:
    return [side for side in (Side.CUSTOMER, Side.PROVIDER) if side != access.side]


def _answer_filter(access: Access) -> Q:
    """The blind rule for answers: the member's own side's, and the other side's agreed answers
    where the member may read them."""
    q = Q(side=access.side)
    for side in _other_sides(access):
        q |= _agreed_of(side, access)
    return q


def _answer_history_filter(access: Access, history: type[models.Model]) -> Q:
    """Only what was revealed leaves: of the other side's agreed answers, the version the side
    submitted and any change after it, never the drafts typed before.

    Before the submission an agreed answer is a draft of the side lead's: every value, comment
    and piece of evidence they tried. Its history rows up to the submission stay within the side,
    except the last one, which is the answer as submitted (and revealed). The member's own side's
    history is theirs, drafts included.
    """
    q = Q(side=access.side)
    for side in _other_sides(access):
        submitted = f"assessment__{side}_submitted_at"
        as_submitted = (
            history.objects.filter(id=OuterRef("id"), history_date__lte=OuterRef(submitted))
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        since = Q(history_date__gt=F(submitted)) | (Q(history_id=Subquery(as_submitted)) & ~Q(history_type="-"))
        q |= _agreed_of(side, access) & since
    return q


def _books(access: Access) -> Q:
    """Open-book accounting: only the books the openness profile lets the member read."""
    return Q(side__in=[side for side in (Side.CUSTOMER, Side.PROVIDER) if access.sees_book_of(side)])


def _customer_book(access: Access) -> Q:
    # Budget constraints are the customer's figures (finance.selectors.budget_constraints).
    return Q() if access.sees_book_of(Side.CUSTOMER) else Q(pk__in=[])


def _nothing(access: Access) -> Q:
    # 360° pulse responses are only ever shown grouped, with groups under five withheld
    # (assessments.pulse.pulse_results): single responses never leave the installation in a
    # member's export, nor the survey's links (their hashes, whether each was used) or the
    # digests of the addresses invited.
    return Q(pk__in=[])


#: Extra rules for a member's export, by model label, beyond visibility. A feature whose
#: records are hidden by a rule of its own adds it here; children follow their parent.
MEMBER_FILTERS: dict[str, Callable[[Access], Q]] = {
    "assessments.answer": _answer_filter,
    "assessments.pulseresponse": _nothing,
    "assessments.pulseinvitation": _nothing,
    "assessments.pulseinvitee": _nothing,
    "finance.costline": _books,
    "finance.valuemeasure": _books,
    "finance.budgetconstraint": _customer_book,
}

#: Rules for the history rows of a member's export where they differ from the records' own
#: (`MEMBER_FILTERS`): called with the access and the history model.
HISTORY_FILTERS: dict[str, Callable[[Access, type[models.Model]], Q]] = {
    "assessments.answer": _answer_history_filter,
}


@dataclass
class _Collected:
    node: Node
    rows: list[Any]
    history: list[Any] = field(default_factory=list)


class Scope:
    """What goes in: everything (`access=None`, the operator) or what one member may see."""

    def __init__(self, arrangement: Arrangement, access: Access | None) -> None:
        self.arrangement = arrangement
        self.access = access
        self._live: dict[str, QuerySet] = {}
        self._hist: dict[str, QuerySet] = {}

    def _member_q(self, node: Node, *, history: bool = False) -> Q:
        q = Q()
        if self.access is None:
            return q
        if any(f.name == "visibility" for f in node.model._meta.concrete_fields):
            q &= self.access.visible_q()
        history_rule = HISTORY_FILTERS.get(node.label) if history else None
        if history_rule is not None:
            assert node.history_model is not None
            return q & history_rule(self.access, node.history_model)
        rule = MEMBER_FILTERS.get(node.label)
        if rule is not None:
            q &= rule(self.access)
        return q

    def live(self, node: Node) -> QuerySet:
        """The node's records in the arrangement, as a queryset (parents' scope as subqueries)."""
        if node.label not in self._live:
            manager = node.model._base_manager
            if node.parent is None:
                qs = manager.filter(pk=self.arrangement.pk)
            else:
                assert node.parent_field is not None
                qs = manager.filter(**{f"{node.parent_field.name}__in": self.live(node.parent).values("pk")})
            self._live[node.label] = qs.filter(self._member_q(node))
        return self._live[node.label]

    def history(self, node: Node) -> QuerySet | None:
        """History rows of the node's records, including records deleted since."""
        hist = node.history_model
        if hist is None:
            return None
        if node.label not in self._hist:
            if node.parent is None:
                qs = hist.objects.filter(id=self.arrangement.pk)
            else:
                assert node.parent_field is not None
                attname = node.parent_field.attname
                parent = node.parent
                q = Q(**{f"{attname}__in": self.live(parent).values("pk")})
                parent_hist = self.history(parent)
                if parent_hist is not None:
                    # A parent deleted since: known only from its history.
                    deleted = Q(**{f"{attname}__in": parent_hist.values("id")}) & ~Q(
                        **{f"{attname}__in": parent.model._base_manager.values("pk")}
                    )
                    q |= deleted
                qs = hist.objects.filter(q)
            if self.access is not None:
                # A record the member may not see now is hidden with its whole past.
                hidden = node.model._base_manager.exclude(pk__in=self.live(node).values("pk"))
                qs = qs.filter(self._member_q(node, history=True)).exclude(id__in=hidden.values("pk"))
            self._hist[node.label] = qs.order_by("history_date", "history_id")
        return self._hist[node.label]


def _plain(f: models.Field, value: Any) -> Any:
    """A field's value as JSON; `field.to_python` reads it back."""
    if value is None or isinstance(f, models.JSONField):
        return value
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    return value


class _Refs:
    """Turns database ids into natural keys."""

    def __init__(self) -> None:
        self.keys: dict[str, dict[Any, str]] = {}  # node label -> id -> key
        self.user_ids: set[int] = set()
        self.org_ids: set[int] = set()
        self.bank_ids: set[int] = set()
        self.users: dict[int, str] = {}
        self.orgs: dict[int, str] = {}
        self.banks: dict[int, list[Any]] = {}

    def note(self, f: models.Field, raw: Any) -> None:
        if raw is None or not f.is_relation:
            return
        target = f.related_model
        if target is User:
            self.user_ids.add(raw)
        elif target is Organisation:
            self.org_ids.add(raw)
        elif target is QuestionBank:
            self.bank_ids.add(raw)

    def load(self) -> None:
        users = User.objects.filter(pk__in=self.user_ids).select_related("organisation")
        self.users = {u.pk: u.email for u in users}
        self.org_ids |= {u.organisation_id for u in users if u.organisation_id}
        banks = QuestionBank.objects.filter(pk__in=self.bank_ids)
        self.banks = {b.pk: [b.key, b.version] for b in banks}
        self.org_ids |= {b.organisation_id for b in banks if b.organisation_id}
        self.orgs = dict(Organisation.objects.filter(pk__in=self.org_ids).values_list("pk", "name"))

    def ref(self, f: models.Field, raw: Any) -> Any:
        if raw is None:
            return None
        target = f.related_model
        if target is User:
            return self.users.get(raw)
        if target is Organisation:
            return self.orgs.get(raw)
        if target is QuestionBank:
            return self.banks.get(raw)
        if target._meta.label_lower == "contenttypes.contenttype":
            from django.contrib.contenttypes.models import ContentType

            ct = ContentType.objects.get_for_id(raw)
            return f"{ct.app_label}.{ct.model}"
        # A record outside the export (for example the other side's private risk): no reference.
        return self.keys.get(target._meta.label_lower, {}).get(raw)


def _generic_ref(refs: _Refs, row: Any, gfk: Any) -> Any:
    from django.contrib.contenttypes.models import ContentType

    ct_id, obj_id = getattr(row, f"{gfk.ct_field}_id", None), getattr(row, gfk.fk_field, None)
    if ct_id is None or obj_id is None:
        return None
    ct = ContentType.objects.get_for_id(ct_id)
    key = refs.keys.get(f"{ct.app_label}.{ct.model}", {}).get(obj_id)
    return None if key is None else key


def _record(node: Node, row: Any, refs: _Refs, fields: list[models.Field], key: str, generic: dict[str, Any]) -> dict:
    out: dict[str, Any] = {}
    for f in fields:
        if f.name in generic:
            continue
        raw = getattr(row, f.attname)
        out[f.name] = refs.ref(f, raw) if f.is_relation else _plain(f, raw)
    for fk_field, gfk in generic.items():
        out[fk_field] = _generic_ref(refs, row, gfk)
    return {"key": key, "fields": out}


def collect(arrangement: Arrangement, *, access: Access | None = None) -> dict[str, Any]:
    """The archive's content as one JSON-able dict (see README_FORMAT.txt)."""
    scope = Scope(arrangement, access)
    refs = _Refs()
    collected: list[_Collected] = []
    for node in archive_nodes():
        rows = list(scope.live(node).order_by(node.key_field))
        hist_qs = scope.history(node)
        history = list(hist_qs) if hist_qs is not None else []
        key_field = node.key_field
        ids = refs.keys.setdefault(node.label, {})
        for h in history:
            ids.setdefault(h.id, str(getattr(h, key_field)))
        for r in rows:
            ids[r.pk] = str(getattr(r, key_field))
        for r in rows:
            for f in node.data_fields():
                refs.note(f, getattr(r, f.attname))
        if history:
            for h in history:
                for f in node.history_fields():
                    refs.note(f, getattr(h, f.attname))
        collected.append(_Collected(node, rows, history))
    m2m_values: dict[str, dict[Any, dict[str, list[Any]]]] = {}
    for c in collected:
        for m2m in c.node.m2m_fields():
            through = m2m.remote_field.through
            src = m2m.m2m_field_name()
            dst = m2m.m2m_reverse_field_name()
            pairs = through.objects.filter(**{f"{src}__in": [r.pk for r in c.rows]}).values_list(
                f"{src}_id", f"{dst}_id"
            )
            per = m2m_values.setdefault(c.node.label, {})
            for a, b in pairs:
                per.setdefault(a, {}).setdefault(m2m.name, []).append(b)
                if m2m.related_model is User:
                    refs.user_ids.add(b)
    refs.org_ids |= {arrangement.customer_id, arrangement.provider_id}
    refs.load()

    out_models = []
    for c in collected:
        node = c.node
        generic = {g.fk_field: g for g in node.generic_fks()}
        data_fields = node.data_fields()
        records = []
        for r in c.rows:
            rec = _record(node, r, refs, data_fields, str(getattr(r, node.key_field)), generic)
            for m2m in node.m2m_fields():
                raw_ids = m2m_values.get(node.label, {}).get(r.pk, {}).get(m2m.name, [])
                values = [refs.ref(m2m, i) for i in raw_ids]
                rec["fields"][m2m.name] = sorted(v for v in values if v is not None)
            records.append(rec)
        entry: dict[str, Any] = {"model": node.label, "key": node.key_field, "records": records}
        if node.history_model is not None:
            hist_fields = node.history_fields()
            entry["history"] = [
                _record(node, h, refs, hist_fields, str(getattr(h, node.key_field)), generic) for h in c.history
            ]
        out_models.append(entry)

    users = User.objects.filter(pk__in=refs.users).select_related("organisation").order_by("email")
    orgs = Organisation.objects.filter(pk__in=refs.orgs).order_by("name")
    banks = QuestionBank.objects.filter(pk__in=refs.banks).select_related("organisation", "uploaded_by")
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "source": {"installation": getattr(settings, "SITE_URL", "") or socket.gethostname()},
        "scope": (
            {"everything": True}
            if access is None
            else {"everything": False, "side": access.side, "exported_by": access.user.email}
        ),
        "arrangement": {"uuid": str(arrangement.uuid), "slug": arrangement.slug, "title": arrangement.title},
        "organisations": [{"name": o.name, "slug": o.slug, "kind": o.kind} for o in orgs],
        "users": [
            {
                "email": u.email,
                "full_name": u.full_name,
                "job_title": u.job_title,
                "organisation": u.organisation.name if u.organisation else None,
            }
            for u in users
        ],
        "question_banks": [
            {
                "key": b.key,
                "version": b.version,
                "uuid": str(b.uuid),
                "title": b.title,
                "spec": b.spec,
                "source_text": b.source_text,
                "organisation": b.organisation.name if b.organisation else None,
                "is_current": b.is_current,
                "created_at": b.created_at.isoformat(),
                "updated_at": b.updated_at.isoformat(),
            }
            for b in sorted(banks, key=lambda b: (b.key, b.version))
        ],
        "models": out_models,
    }


# -- the registers as a spreadsheet --------------------------------------------------


def registers_xlsx(data: dict[str, Any]) -> bytes:
    """One sheet per register (every kind of record in the archive), every cell formula-safe.

    Assessment answers: only each side's agreed answers, the register a reader wants.
    """
    from django.apps import apps
    from openpyxl import Workbook

    from partnering.risks.importing import safe_cell

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for entry in data["models"]:
        model = apps.get_model(entry["model"])
        records = entry["records"]
        if entry["model"] == "assessments.answer":
            records = [r for r in records if r["fields"].get("respondent") is None]
        title = str(model._meta.verbose_name_plural).capitalize()[:31]
        while title in used:
            title = title[:28] + f"({len(used) % 100})"
        used.add(title)
        sheet = workbook.create_sheet(title)
        names = list(records[0]["fields"]) if records else [f.name for f in model._meta.concrete_fields]
        sheet.append(["Key", *[str(_verbose(model, n)).capitalize() for n in names]])
        for rec in records:
            sheet.append([rec["key"], *[safe_cell(_cellable(rec["fields"].get(n))) for n in names]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _verbose(model: Any, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a name that is not a field is shown as is
        return name


def _cellable(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and len(value) > 32000:
        return value[:32000] + "…"
    return value


def archive_zip(arrangement: Arrangement, *, access: Access | None = None) -> bytes:
    """The ZIP: archive.json, README.txt and registers.xlsx."""
    data = collect(arrangement, access=access)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("archive.json", json.dumps(data, ensure_ascii=False, indent=1))
        zf.writestr("README.txt", README)
        zf.writestr("registers.xlsx", registers_xlsx(data))
    return buffer.getvalue()


def filename(arrangement: Arrangement) -> str:
    return f"{arrangement.slug}-export-{timezone.localdate().isoformat()}.zip"
