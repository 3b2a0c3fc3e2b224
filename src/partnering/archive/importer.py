"""Load an arrangement archive (see export.py and README_FORMAT.txt) into this installation exactly.

All or nothing: the whole archive is read and checked first, and written in
one transaction; any problem stops the import before anything is kept, with a
message naming the kind of record and its key. Records keep their UUIDs,
slugs, timestamps and history. People and organisations are matched by e-mail
and name; those missing are created (people without a usable password).
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django.db.models import Min

from partnering.accounts.models import Organisation, User
from partnering.archive.export import FORMAT, FORMAT_VERSION
from partnering.archive.graph import Node, archive_nodes
from partnering.arrangements.models import Arrangement
from partnering.assessments.models import QuestionBank
from partnering.core import uploads

MAX_ARCHIVE_BYTES = 500 * 1024 * 1024


class ArchiveError(Exception):
    """The archive cannot be imported; nothing was written."""


@dataclass
class ImportResult:
    arrangement: Arrangement
    records: int = 0
    history: int = 0
    created_users: list[str] = field(default_factory=list)


def read_archive(source: Any) -> dict[str, Any]:
    """archive.json of a ZIP (a path, bytes or a file object), or a bare archive.json."""
    raw = source
    if isinstance(source, (str, bytes)) is False and hasattr(source, "read"):
        raw = source.read()
    elif isinstance(source, str):
        with open(source, "rb") as fh:
            raw = fh.read()
    if len(raw) > MAX_ARCHIVE_BYTES:
        raise ArchiveError("The archive is too large.")
    try:
        if raw[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(raw)) as zf:
                # Sizes from the ZIP's directory, before inflating anything: no zip bomb.
                uploads.check_zip(zf, limit=uploads.limits(), what="archive", max_uncompressed_bytes=MAX_ARCHIVE_BYTES)
                raw = zf.read("archive.json")
        data = json.loads(raw)
    except uploads.UploadRefused as exc:
        raise ArchiveError(" ".join(exc.messages)) from exc
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ArchiveError(f"This is not a partnering archive: {exc}") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ArchiveError("This is not a partnering archive (no 'format: partnering-archive').")
    if data.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(f"Archive format version {data.get('format_version')} is not supported.")
    return data


_auto_now_lock = threading.Lock()


@contextlib.contextmanager
def _keep_timestamps(model_list: list[type[models.Model]]) -> Iterator[None]:
    """Write created_at/updated_at as they are in the archive, not as now."""
    saved = []
    with _auto_now_lock:
        for model in model_list:
            for f in model._meta.concrete_fields:
                if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
                    saved.append((f, f.auto_now, f.auto_now_add))
                    f.auto_now = f.auto_now_add = False
        try:
            yield
        finally:
            for f, auto_now, auto_now_add in saved:
                f.auto_now, f.auto_now_add = auto_now, auto_now_add


#: Fields a later version of the product no longer keeps, dropped when an older archive is read:
#: the pulse survey's shared link (replaced by single-use links) and the day a response came in
#: (a response keeps no time at all).
RETIRED_FIELDS: dict[str, frozenset[str]] = {
    "assessments.pulsesurvey": frozenset({"token"}),
    "assessments.pulseresponse": frozenset({"submitted_on"}),
}


def _without_retired(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for entry in entries:
        retired = RETIRED_FIELDS.get(entry.get("model", ""), frozenset())
        for rec in (*entry.get("records", []), *entry.get("history", [])) if retired else ():
            for name in retired:
                rec.get("fields", {}).pop(name, None)
    return entries


class _Loader:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.nodes = {n.label: n for n in archive_nodes()}
        self.entries = _without_retired(data.get("models", []))
        #: node label -> key -> new primary key (live records; negative for records known only from history)
        self.pks: dict[str, dict[str, Any]] = {}
        self.users: dict[str, int] = {}
        self.orgs: dict[str, int] = {}
        self.banks: dict[tuple[str, int], int] = {}
        self.keys_in_archive: dict[str, set[str]] = {}
        self.result_users: list[str] = []

    # -- checks, before anything is written --------------------------------------

    def fail(self, label: str, key: Any, message: str) -> None:
        raise ArchiveError(f"{label} {key}: {message}")

    def check(self) -> None:
        arr = self.data.get("arrangement") or {}
        if (
            Arrangement.objects.filter(slug=arr.get("slug")).exists()
            or Arrangement.objects.filter(uuid=arr.get("uuid")).exists()
        ):
            raise ArchiveError(
                f"Arrangement {arr.get('slug')} is already in this installation: delete it first, "
                "or import into another installation."
            )
        emails = {u.get("email") for u in self.data.get("users", [])}
        org_names = {o.get("name") for o in self.data.get("organisations", [])}
        for entry in self.entries:
            label = entry.get("model")
            node = self.nodes.get(label)
            if node is None:
                self.fail(label, "", "this kind of record is not installed here.")
            keys = {r["key"] for r in entry.get("records", [])}
            keys |= {h["key"] for h in entry.get("history", [])}
            self.keys_in_archive[label] = keys
        for entry in self.entries:
            node = self.nodes[entry["model"]]
            known = {f.name: f for f in node.data_fields()} | {m.name: m for m in node.m2m_fields()}
            live_keys = [r["key"] for r in entry.get("records", [])]
            clash = node.model._base_manager.filter(**{f"{node.key_field}__in": live_keys[:10000]})
            found = clash.values_list(node.key_field, flat=True).first()
            if found is not None:
                self.fail(node.label, found, "a record with this key is already in this installation.")
            for rec in entry.get("records", []):
                for name, value in rec.get("fields", {}).items():
                    f = known.get(name)
                    if f is None:
                        self.fail(node.label, rec["key"], f"unknown field {name!r}.")
                    self._check_ref(node, rec["key"], f, value, emails, org_names)

    def _check_ref(self, node: Node, key: str, f: Any, value: Any, emails: set, org_names: set) -> None:
        if value is None or not f.is_relation:
            return
        target = f.related_model
        values = value if f.many_to_many else [value]
        for v in values:
            if target is User:
                ok = v in emails or User.objects.filter(email=v).exists()
            elif target is Organisation:
                ok = v in org_names or Organisation.objects.filter(name=v).exists()
            elif target is QuestionBank:
                ok = any([b["key"], b["version"]] == v for b in self.data.get("question_banks", []))
            elif target is ContentType:
                ok = isinstance(v, str) and "." in v
            else:
                ok = v in self.keys_in_archive.get(target._meta.label_lower, set())
            if not ok:
                self.fail(node.label, key, f"{f.name} refers to {v!r}, which is not in the archive.")

    # -- writing -----------------------------------------------------------------------

    def write_people(self) -> None:
        for o in self.data.get("organisations", []):
            org = Organisation.objects.filter(name=o["name"]).first()
            if org is None:
                slug = o.get("slug") or ""
                if slug and Organisation.objects.filter(slug=slug).exists():
                    slug = ""
                org = Organisation.objects.create(name=o["name"], slug=slug, kind=o["kind"])
            self.orgs[org.name] = org.pk
        for u in self.data.get("users", []):
            user = User.objects.filter(email=u["email"]).first()
            if user is None:
                user = User.objects.create_user(
                    email=u["email"],
                    password=None,
                    full_name=u.get("full_name") or "",
                    job_title=u.get("job_title") or "",
                    organisation_id=self.orgs.get(u.get("organisation")),
                )
                self.result_users.append(user.email)
            self.users[user.email] = user.pk
        for b in self.data.get("question_banks", []):
            # Keys are unique per organisation: the archive's bank is the one its organisation holds.
            owner = self.orgs.get(b.get("organisation"))
            bank = QuestionBank.objects.filter(key=b["key"], version=b["version"], organisation_id=owner).first()
            if bank is None:
                with _keep_timestamps([QuestionBank]):
                    bank = QuestionBank(
                        key=b["key"],
                        version=b["version"],
                        title=b["title"],
                        spec=b["spec"],
                        source_text=b.get("source_text", ""),
                        organisation_id=owner,
                        is_current=b.get("is_current", True),
                        created_at=b["created_at"],
                        updated_at=b["updated_at"],
                    )
                    if b.get("uuid") and not QuestionBank.objects.filter(uuid=b["uuid"]).exists():
                        bank.uuid = b["uuid"]
                    bank.save()
            self.banks[(b["key"], b["version"])] = bank.pk

    def _ref(self, f: Any, value: Any) -> Any:
        """The new id a reference points at, or None when it cannot be set yet."""
        if value is None:
            return None
        target = f.related_model
        if target is User:
            return self.users.get(value) or User.objects.filter(email=value).values_list("pk", flat=True).first()
        if target is Organisation:
            return self.orgs.get(value) or Organisation.objects.filter(name=value).values_list("pk", flat=True).first()
        if target is QuestionBank:
            return self.banks.get((value[0], value[1]))
        if target is ContentType:
            app_label, model = value.split(".", 1)
            return ContentType.objects.get_by_natural_key(app_label, model).pk
        return self.pks.get(target._meta.label_lower, {}).get(value)

    def _generic_target(self, node: Node, fields: dict[str, Any], gfk: Any) -> Any:
        ct_label, key = fields.get(gfk.ct_field), fields.get(gfk.fk_field)
        if ct_label is None or key is None:
            return None
        return self.pks.get(ct_label, {}).get(key)

    def write_records(self) -> int:
        count = 0
        deferred: list[tuple[Node, str, str, Any]] = []  # node, key, field name, reference
        generic: list[tuple[Node, str, Any, dict[str, Any]]] = []
        m2m_rows: list[tuple[Node, str, Any, list[Any]]] = []
        for entry in self.entries:
            node = self.nodes[entry["model"]]
            fields = {f.name: f for f in node.data_fields()}
            gfks = {g.fk_field: g for g in node.generic_fks()}
            objs = []
            for rec in entry.get("records", []):
                obj = node.model()
                setattr(obj, node.key_field, node.model._meta.get_field(node.key_field).to_python(rec["key"]))
                values = rec["fields"]
                for name, value in values.items():
                    f = fields.get(name)
                    if f is None:  # a many-to-many field
                        m2m_rows.append((node, rec["key"], node.model._meta.get_field(name), value))
                        continue
                    if name in gfks:
                        generic.append((node, rec["key"], gfks[name], values))
                        continue
                    if f.is_relation:
                        pk = self._ref(f, value)
                        if pk is None and value is not None:
                            deferred.append((node, rec["key"], f.attname, (f, value)))
                        setattr(obj, f.attname, pk)
                    else:
                        setattr(obj, f.attname, _python(f, value, node, rec["key"]))
                try:
                    # Field by field only: references are checked above, and uniqueness by the database.
                    obj.clean_fields(exclude=[f.name for f in node.model._meta.concrete_fields if f.is_relation])
                except ValidationError as exc:
                    raise ArchiveError(f"{node.label} {rec['key']}: {_messages(exc)}") from exc
                objs.append(obj)
            try:
                created = node.model._base_manager.bulk_create(objs, batch_size=500)
            except (IntegrityError, DatabaseError) as exc:
                raise ArchiveError(f"{node.label}: could not be written ({exc}).") from exc
            keys = self.pks.setdefault(node.label, {})
            if created and any(o.pk is None for o in created):
                found = node.model._base_manager.filter(
                    **{f"{node.key_field}__in": [r["key"] for r in entry["records"]]}
                )
                keys.update({str(k): pk for k, pk in found.values_list(node.key_field, "pk")})
            else:
                keys.update({str(getattr(o, node.key_field)): o.pk for o in created})
            count += len(created)
        for node, key, attname, (f, value) in deferred:
            pk = self._ref(f, value)
            if pk is None and not f.null:
                raise ArchiveError(f"{node.label} {key}: {f.name} refers to {value!r}, which is not in the archive.")
            node.model._base_manager.filter(pk=self.pks[node.label][key]).update(**{attname: pk})
        for node, key, gfk, values in generic:
            node.model._base_manager.filter(pk=self.pks[node.label][key]).update(
                **{gfk.fk_field: self._generic_target(node, values, gfk)}
            )
        for node, key, m2m, value in m2m_rows:
            through = m2m.remote_field.through
            src, dst = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
            targets = [self._ref(m2m, v) for v in value or []]
            through.objects.bulk_create(
                [through(**{f"{src}_id": self.pks[node.label][key], f"{dst}_id": t}) for t in targets if t is not None]
            )
        return count

    def write_history(self) -> int:
        count = 0
        # Records known only from their history (deleted before the export) get ids below any in use,
        # so that they never collide with a live record.
        for entry in self.entries:
            node = self.nodes[entry["model"]]
            hist = node.history_model
            if hist is None:
                continue
            keys = self.pks.setdefault(node.label, {})
            lowest = min(hist.objects.aggregate(low=Min("id"))["low"] or 0, 0)
            for h in entry.get("history", []):
                if h["key"] not in keys:
                    lowest -= 1
                    keys[h["key"]] = lowest
        for entry in self.entries:
            node = self.nodes[entry["model"]]
            hist = node.history_model
            if hist is None:
                continue
            fields = {f.name: f for f in node.history_fields()}
            gfks = {g.fk_field: g for g in node.generic_fks()}
            rows = []
            for h in entry.get("history", []):
                row = hist(id=self.pks[node.label][h["key"]])
                if node.key_field != "id":
                    setattr(row, node.key_field, hist._meta.get_field(node.key_field).to_python(h["key"]))
                for name, value in h["fields"].items():
                    f = fields.get(name)
                    if f is None:
                        raise ArchiveError(f"{node.label} {h['key']}: unknown history field {name!r}.")
                    if name in gfks:
                        setattr(row, f.attname, self._generic_target(node, h["fields"], gfks[name]))
                    elif f.is_relation:
                        setattr(row, f.attname, self._ref(f, value))
                    else:
                        setattr(row, f.attname, _python(f, value, node, h["key"]))
                rows.append(row)
            hist.objects.bulk_create(rows, batch_size=500)
            count += len(rows)
        return count


def _python(f: models.Field, value: Any, node: Node, key: str) -> Any:
    if value is None or isinstance(f, models.JSONField):
        return value
    try:
        return f.to_python(value)
    except ValidationError as exc:
        raise ArchiveError(f"{node.label} {key}: {f.name}: {_messages(exc)}") from exc


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def _number_private_records(arrangement: Arrangement) -> None:
    """An archive made before private records had their own sequences (R-005 customer only)
    gets them numbered there (RC-001), as the migrations did for this installation's own."""
    from django.apps import apps

    from partnering.core.references import renumber_private

    for label, letter in (("risks.Risk", "R"), ("concerns.Concern", "C")):
        app_label = label.split(".")[0]
        if apps.is_installed(f"partnering.{app_label}"):
            renumber_private(apps.get_model(label), letter, [arrangement.pk])


def _upgrade(data: dict[str, Any]) -> None:
    """Read an archive made before lessons recorded their authors' consent: a publication then
    named one organisation, not who agreed, so the lesson comes in unpublished (its authors
    publish it again); its author side is the default, joint."""
    for entry in data.get("models") or []:
        if not isinstance(entry, dict) or entry.get("model") != "lessons.lesson":
            continue
        for rec in [*entry.get("records", []), *entry.get("history", [])]:
            fields = rec.get("fields") if isinstance(rec, dict) else None
            if isinstance(fields, dict) and "published_to_organisation" in fields:
                fields.pop("published_to_organisation", None)
                fields.pop("published_by", None)
                fields["published_at"] = None


def archive_import(source: Any) -> ImportResult:
    """Import an archive; raises ArchiveError (and writes nothing) if any part of it is wrong."""
    data = read_archive(source)
    _upgrade(data)
    loader = _Loader(data)
    loader.check()
    model_list = [n.model for n in loader.nodes.values()]
    model_list += [n.history_model for n in loader.nodes.values() if n.history_model is not None]
    with transaction.atomic(), _keep_timestamps(model_list):
        loader.write_people()
        records = loader.write_records()
        history = loader.write_history()
        arrangement = Arrangement.objects.get(uuid=data["arrangement"]["uuid"])
        _number_private_records(arrangement)
    return ImportResult(arrangement=arrangement, records=records, history=history, created_users=loader.result_users)
