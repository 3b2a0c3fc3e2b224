"""Question banks: the guide's checklists as versioned data, and the loader that checks them.

The guide's checklists (partner suitability, the questions before each OGC Gateway, the first year,
the annual health check, Annex A and Annex B) live in ``banks/*.yaml`` rather than in code, so that
wording can be reviewed against the guide line by line, a bank can be versioned, and an assessment
can store the exact bank it was answered against (``BankSpec.as_dict()``) even after the file
changes.

Because a bank file is data that people edit (and that an organisation may one day upload), the
loader trusts nothing in it: it composes the YAML with ``yaml.SafeLoader`` without constructing any
Python objects, refuses anchors and aliases outright (the "billion laughs" bomb needs them, and a
checklist never does), caps the document at 1 MB, and reports *every* problem it finds with its line
and field path, so that one run tells an editor everything to fix.

Why the gate banks use Yes / Partly / No / Not yet known
--------------------------------------------------------
The guide's questions before each Gateway are open questions for the SRO ("Would partnering be
appropriate? If so, then why?"); the guide gives no answer scale for them. We answer each one on a
comparable scale, with a narrative alongside, because only a comparable answer lets the customer's
and the provider's answers be set side by side, their perception gaps measured, and many answers
summarised into one verdict. "Partly" keeps honest the many questions that are neither fully true
nor false, and "Not yet known" is the truthful answer to much of what is asked early in the
lifecycle (before Gate 0 the provider community's view may simply be unknown); it carries no score,
so it never distorts a gap's size, but it still counts as needing attention, because an unknown is
something the SRO has to go and find out.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = [
    "ADDRESSEES",
    "BUILTIN_BANK_KEYS",
    "FORMAT",
    "MAX_DOCUMENT_BYTES",
    "MAX_TEXT_LENGTH",
    "PERSPECTIVES",
    "RECURRENCES",
    "SCALES",
    "STAGES",
    "VERDICT_RULES",
    "BankError",
    "BankSpec",
    "BankValidationError",
    "QuestionSpec",
    "Scale",
    "ScaleOption",
    "SectionSpec",
    "builtin_bank",
    "builtin_banks",
    "load_bank_file",
    "load_bank_text",
]

FORMAT = "partnering.bank/1"
MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_TEXT_LENGTH = 1000
MAX_TITLE_LENGTH = 200
MAX_ID_LENGTH = 32
MAX_VERSION = 2**31 - 1
# The schema is four levels deep; anything much deeper is not a bank and may be an attack on the
# recursive YAML composer.
MAX_DEPTH = 12
# PyYAML composes in pure Python, about 40,000 values a second: a 1 MB file of "[0,0,0,...]" holds
# half a million and would keep a worker busy for 15 s. The guide's banks have about 130 values;
# a bank of 2,000 questions would have about 14,000.
MAX_NODES = 20_000
# Field names are echoed in error messages; a hostile one may be as long as the document.
MAX_NAME_SHOWN = 60

BANK_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
QUESTION_ID_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9.-]*$")

# The guide's procurement lifecycle, in order: the OGC Gateway stages, then life under the contract.
STAGES: tuple[str, ...] = (
    "strategic_assessment",
    "business_justification",
    "procurement_strategy",
    "investment_decision",
    "contract_let",
    "in_service",
    "exit",
)
RECURRENCES: tuple[str, ...] = ("none", "annual")
# "self": how we see ourselves; "other": how we see the other party (Annex B and the health check
# ask both, so that each side's view of itself can be compared with the other side's view of it).
PERSPECTIVES: tuple[str, ...] = ("self", "other")

# Whom the guide asks a bank's questions of: the SRO (the customer side answers), the SRIE (the
# provider side answers) or both sides ("both", the default, as Annex A and Annex B are asked).
# `also_ask` names the other side's lead where the guide says they "will also benefit" (the
# relationship self-assessment questions): whoever starts the assessment may then ask them too.
ADDRESSEES: tuple[str, ...] = ("sro", "srie", "both")
OTHER_LEAD = {"sro": "srie", "srie": "sro"}

# Built-in banks in the order the guide presents them (and the lifecycle reaches them).
BUILTIN_BANK_KEYS: tuple[str, ...] = (
    "partner-suitability-sro",
    "partner-suitability-srie",
    "gate-0",
    "gate-1",
    "gate-2",
    "gate-3",
    "first-year",
    "annual-health-check",
    "annex-a",
    "annex-b",
)


# --- Scales ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleOption:
    """One answer on a scale: ``score`` orders answers and sizes gaps (``None``: not scorable)."""

    value: str
    label: str
    score: int | None


@dataclass(frozen=True)
class Scale:
    """An answer scale, kept as data so a stored bank snapshot carries its own scale."""

    key: str
    label: str
    options: tuple[ScaleOption, ...]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(option.value for option in self.options)

    def option(self, value: str) -> ScaleOption:
        """The option for ``value``; ``KeyError`` if the scale has no such answer."""
        for option in self.options:
            if option.value == value:
                return option
        raise KeyError(value)

    def score(self, value: str) -> int | None:
        return self.option(value).score

    @property
    def top(self) -> ScaleOption:
        """The best answer (highest score): the only one the gate banks treat as "no concern"."""
        return max(
            (option for option in self.options if option.score is not None),
            key=lambda option: option.score or 0,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "options": [
                {"value": option.value, "label": option.label, "score": option.score} for option in self.options
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scale:
        """Rebuild a stored scale, refusing anything that is not the shape ``as_dict`` writes."""
        errors: list[BankError] = []
        checker = _Checker(_Lines(), errors)
        scale = checker.inline_scale(data, ("scale",))
        if errors or scale is None:
            raise BankValidationError(errors)
        return scale


SCALES: dict[str, Scale] = {
    "yes_partly_no_unknown": Scale(
        key="yes_partly_no_unknown",
        label="Yes / Partly / No / Not yet known",
        options=(
            ScaleOption("yes", "Yes", 3),
            ScaleOption("partly", "Partly", 2),
            ScaleOption("no", "No", 1),
            ScaleOption("not_yet_known", "Not yet known", None),
        ),
    ),
    # Annex A: "If you answer 'No' to any of these questions, your organisation is not culturally
    # ready for partnering."
    "yes_no": Scale(
        key="yes_no",
        label="Yes / No",
        options=(ScaleOption("yes", "Yes", 2), ScaleOption("no", "No", 1)),
    ),
    # Annex B: "If you answer 'Fully' or 'Largely' to these questions, the relationship is going
    # well. If you answer 'Partly' or 'Not at all' to any question, that area needs your attention."
    "fully_largely_partly_not": Scale(
        key="fully_largely_partly_not",
        label="Fully / Largely / Partly / Not at all",
        options=(
            ScaleOption("fully", "Fully", 4),
            ScaleOption("largely", "Largely", 3),
            ScaleOption("partly", "Partly", 2),
            ScaleOption("not_at_all", "Not at all", 1),
        ),
    ),
}

# Each verdict rule and the scale it needs (None: any scale). The annex rules are stated by the
# guide in terms of particular answers, so they mean nothing on another scale.
VERDICT_RULES: dict[str, str | None] = {
    "annex_a": "yes_no",
    "annex_b": "fully_largely_partly_not",
    "attention": None,
}


# --- Bank specification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSpec:
    """One question, with where it sits in the guide so every answer can be traced back to it.

    ``narrative`` marks open questions ("If so, then why?") whose scale answer needs words beside
    it. ``order`` is the 1-based position in the whole bank. ``provider_text`` is the question as
    the provider side is asked it, where the guide's words name a party from the customer's side
    ("the provider", "our organisation"); empty where the guide's words serve both sides.
    """

    id: str
    text: str
    section: str
    guide_section: str
    narrative: bool
    order: int
    provider_text: str = ""

    def text_for(self, side: str | None) -> str:
        """The words the given side is asked (the provider's own wording where the bank has one)."""
        return self.provider_text if side == "provider" and self.provider_text else self.text


@dataclass(frozen=True)
class SectionSpec:
    title: str
    guide_section: str
    intro: str
    questions: tuple[QuestionSpec, ...]


@dataclass(frozen=True)
class BankSpec:
    """A validated question bank. Immutable, so one cached copy can be shared by every request."""

    key: str
    version: int
    title: str
    source: str
    intro: str
    scale: Scale
    verdict_rule: str
    stages: tuple[str, ...]
    recurrence: str
    perspectives: tuple[str, ...]
    sections: tuple[SectionSpec, ...]
    questions: tuple[QuestionSpec, ...] = field(repr=False)
    addressee: str = "both"
    also_ask: str = ""

    @property
    def sides_asked(self) -> tuple[str, ...]:
        """The sides that answer when only the guide's addressee is asked."""
        return {"sro": ("customer",), "srie": ("provider",)}.get(self.addressee, ("customer", "provider"))

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(question.id for question in self.questions)

    @functools.cached_property
    def _questions_by_id(self) -> dict[str, QuestionSpec]:
        return {question.id: question for question in self.questions}

    def question(self, question_id: str) -> QuestionSpec:
        """The question with this id; ``KeyError`` if the bank has none."""
        return self._questions_by_id[question_id]

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, scale included: an assessment keeps the bank it was answered on.

        ``BankSpec.from_dict(bank.as_dict()) == bank``.
        """
        data: dict[str, Any] = {
            "format": FORMAT,
            "key": self.key,
            "version": self.version,
            "title": self.title,
            "source": self.source,
            "intro": self.intro,
            "scale": self.scale.as_dict(),
            "verdict_rule": self.verdict_rule,
            "stages": list(self.stages),
            "recurrence": self.recurrence,
            "perspectives": list(self.perspectives),
            "sections": [
                {
                    "title": section.title,
                    "guide_section": section.guide_section,
                    "intro": section.intro,
                    "questions": [_question_dict(q) for q in section.questions],
                }
                for section in self.sections
            ],
        }
        # Written only when they differ from the defaults, so that a bank without them keeps the
        # snapshot (and the stored version) it always had.
        if self.addressee != "both":
            data["addressee"] = self.addressee
        if self.also_ask:
            data["also_ask"] = self.also_ask
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BankSpec:
        """Rebuild a stored bank, validating it as strictly as a file (errors carry no line).

        ``scale`` may be the inline dict ``as_dict`` writes (the stored scale wins over today's one
        of the same key: answers must be read on the scale they were given on) or a built-in scale's
        key.
        """
        if not isinstance(data, Mapping):
            raise BankValidationError([BankError(None, _ROOT, "a bank must be a mapping")])
        data = dict(data)
        scales = SCALES
        if isinstance(data.get("scale"), Mapping):
            stored = Scale.from_dict(data["scale"])
            data["scale"] = stored.key
            scales = {**SCALES, stored.key: stored}
        return _validate_bank(data, _Lines(), scales)


def _question_dict(q: QuestionSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"id": q.id, "text": q.text, "narrative": q.narrative}
    if q.provider_text:
        data["provider_text"] = q.provider_text
    return data


# --- Errors ---------------------------------------------------------------------------------------

_ROOT = "(document)"


@dataclass(frozen=True)
class BankError:
    """One problem in a bank, located well enough for an editor to go straight to it."""

    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, {self.field}" if self.line is not None else self.field
        return f"{where}: {self.message}"


class BankValidationError(Exception):
    """Every problem found in a bank, not just the first, so one run tells the editor all to fix."""

    def __init__(self, errors: list[BankError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors) or "invalid bank")


# --- YAML composition (safe) ----------------------------------------------------------------------

PathT = tuple[str | int, ...]


class _Refused(Exception):
    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors/aliases and deep nesting *before* building any node.

    Refusing at the first anchor means an alias bomb is never expanded, however it is written.
    """

    _depth = 0
    _nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused("YAML aliases are not allowed in a question bank", event.start_mark)
        if getattr(event, "anchor", None) is not None:
            raise _Refused("YAML anchors are not allowed in a question bank", event.start_mark)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refused(
                f"the document has more than {MAX_NODES:,} values; a question bank never needs so many",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused("the document is nested too deeply", event.start_mark)
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1


class _Unsupported:
    """Stands in for a value already reported as unusable, so it is not reported twice."""


_UNSUPPORTED = _Unsupported()
_TAG = "tag:yaml.org,2002:"
# Only plain scalars are ever turned into Python values, by PyYAML's own safe constructors; any
# other tag (timestamps, binary, "!!python/...") is refused rather than constructed.
_CONSTRUCTOR = SafeConstructor()
_SCALAR_CONSTRUCTORS: dict[str, Callable[[ScalarNode], Any]] = {
    f"{_TAG}str": lambda node: node.value,
    f"{_TAG}int": _CONSTRUCTOR.construct_yaml_int,
    f"{_TAG}float": _CONSTRUCTOR.construct_yaml_float,
    f"{_TAG}bool": _CONSTRUCTOR.construct_yaml_bool,
    f"{_TAG}null": lambda node: None,
}


@dataclass
class _Lines:
    """1-based lines of each value and of each key, by field path (empty for dict input)."""

    value: dict[PathT, int] = field(default_factory=dict)
    key: dict[PathT, int] = field(default_factory=dict)


def _format_path(path: PathT) -> str:
    out = ""
    for part in path:
        if isinstance(part, str) and len(part) > MAX_NAME_SHOWN:
            part = part[:MAX_NAME_SHOWN] + "…"
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or _ROOT


def _line(mark: yaml.Mark | None) -> int | None:
    return mark.line + 1 if mark is not None else None


def _compose(text: str) -> tuple[Node | None, list[BankError]]:
    loader: _StrictLoader | None = None
    try:
        loader = _StrictLoader(text)  # the reader already refuses control characters here
        return loader.get_single_node(), []
    except _Refused as refused:
        return None, [BankError(_line(refused.mark), _ROOT, refused.message)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        return None, [BankError(_line(mark), _ROOT, f"not valid YAML: {problem}")]
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        return None, [BankError(line, _ROOT, f"not valid YAML: {exc.reason}")]
    except yaml.YAMLError as exc:
        return None, [BankError(None, _ROOT, f"not valid YAML: {exc}")]
    finally:
        if loader is not None:
            loader.dispose()


def _to_data(node: Node, path: PathT, lines: _Lines, errors: list[BankError]) -> Any:
    """Turn composed nodes into plain data, recording lines and refusing what a bank never needs."""
    line = _line(node.start_mark)
    lines.value[path] = line or 0
    if isinstance(node, MappingNode) and node.tag == f"{_TAG}map":
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = _line(key_node.start_mark)
            if not (isinstance(key_node, ScalarNode) and key_node.tag == f"{_TAG}str"):
                shown = key_node.value if isinstance(key_node, ScalarNode) else "?"
                errors.append(BankError(key_line, _format_path((*path, shown)), "field names must be plain text"))
                continue
            name = key_node.value
            child = (*path, name)
            if name in result:
                first = lines.key.get(child)
                errors.append(BankError(key_line, _format_path(child), f"duplicate field (first on line {first})"))
                continue
            lines.key[child] = key_line or 0
            result[name] = _to_data(value_node, child, lines, errors)
        return result
    if isinstance(node, SequenceNode) and node.tag == f"{_TAG}seq":
        return [_to_data(item, (*path, i), lines, errors) for i, item in enumerate(node.value)]
    if isinstance(node, ScalarNode) and node.tag in _SCALAR_CONSTRUCTORS:
        return _SCALAR_CONSTRUCTORS[node.tag](node)
    errors.append(BankError(line, _format_path(path), f"unsupported YAML value (tag {node.tag!r})"))
    return _UNSUPPORTED


# --- Validation -----------------------------------------------------------------------------------

_BANK_FIELDS = {
    "format": True,
    "key": True,
    "version": True,
    "title": True,
    "source": True,
    "intro": False,
    "scale": True,
    "verdict_rule": True,
    "stages": True,
    "recurrence": False,
    "perspectives": False,
    "addressee": False,
    "also_ask": False,
    "sections": True,
}
_SECTION_FIELDS = {"title": True, "guide_section": True, "intro": False, "questions": True}
_QUESTION_FIELDS = {"id": True, "text": True, "narrative": False, "provider_text": False}
_SCALE_FIELDS = {"key": True, "label": True, "options": True}
_OPTION_FIELDS = {"value": True, "label": True, "score": True}


_TYPE_NAMES = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list"}


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return "a mapping" if isinstance(value, dict) else _TYPE_NAMES.get(type(value), "a value")


class _Checker:
    """Field-level checks that append errors and carry on, so that every problem is reported."""

    def __init__(self, lines: _Lines, errors: list[BankError]) -> None:
        self.lines = lines
        self.errors = errors

    def error(self, path: PathT, message: str, *, at_key: bool = False) -> None:
        line = self.lines.key.get(path) if at_key else None
        if line is None:
            line = self.lines.value.get(path)
        self.errors.append(BankError(line, _format_path(path), message))

    def missing(self, parent: PathT, name: str) -> None:
        line = self.lines.value.get(parent)
        self.errors.append(BankError(line, _format_path((*parent, name)), "required field is missing"))

    def mapping(self, value: Any, path: PathT, fields: Mapping[str, bool], what: str) -> dict[str, Any] | None:
        if value is _UNSUPPORTED:
            return None
        if not isinstance(value, dict):
            self.error(path, f"{what} must be a mapping, not {_type_name(value)}")
            return None
        for name in value:
            if name not in fields:
                known = ", ".join(fields)
                self.error((*path, name), f"unknown field (expected: {known})", at_key=True)
        for name, required in fields.items():
            if required and name not in value:
                self.missing(path, name)
        return value

    def text(
        self,
        data: Mapping[str, Any],
        path: PathT,
        name: str,
        *,
        max_length: int = MAX_TEXT_LENGTH,
        pattern: re.Pattern[str] | None = None,
        default: str | None = None,
    ) -> str | None:
        if name not in data:
            return default
        child = (*path, name)
        value = data[name]
        if value is _UNSUPPORTED:
            return None
        if not isinstance(value, str):
            self.error(child, f"must be text, not {_type_name(value)}")
            return None
        if not value.strip() and default is None:
            self.error(child, "must not be blank")
            return None
        if len(value) > max_length:
            self.error(child, f"is too long ({len(value)} characters; at most {max_length})")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.error(child, f"{value!r} does not match {pattern.pattern}")
            return None
        return value

    def choice(
        self,
        data: Mapping[str, Any],
        path: PathT,
        name: str,
        allowed: Mapping[str, Any] | tuple[str, ...],
    ) -> str | None:
        value = self.text(data, path, name, max_length=MAX_TITLE_LENGTH)
        if value is not None and value not in allowed:
            self.error((*path, name), f"unknown value {value!r}; expected one of: {', '.join(allowed)}")
            return None
        return value

    def choices(
        self,
        data: Mapping[str, Any],
        path: PathT,
        name: str,
        allowed: tuple[str, ...],
        default: tuple[str, ...] | None = None,
    ) -> tuple[str, ...] | None:
        if name not in data:
            return default
        child = (*path, name)
        value = data[name]
        if value is _UNSUPPORTED:
            return None
        if not isinstance(value, list) or not value:
            self.error(child, f"must be a non-empty list, not {_type_name(value)}")
            return None
        result: list[str] = []
        ok = True
        for i, item in enumerate(value):
            if item is _UNSUPPORTED:
                ok = False
            elif not isinstance(item, str) or item not in allowed:
                self.error((*child, i), f"unknown value {item!r}; expected one of: {', '.join(allowed)}")
                ok = False
            elif item in result:
                self.error((*child, i), f"{item!r} is listed twice")
                ok = False
            else:
                result.append(item)
        return tuple(result) if ok else None

    def boolean(self, data: Mapping[str, Any], path: PathT, name: str, default: bool) -> bool | None:
        value = data.get(name, default)
        if value is _UNSUPPORTED:
            return None
        if not isinstance(value, bool):
            self.error((*path, name), f"must be true or false, not {_type_name(value)}")
            return None
        return value

    def integer(self, data: Mapping[str, Any], path: PathT, name: str, *, minimum: int, maximum: int) -> int | None:
        if name not in data:
            return None
        value = data[name]
        if value is _UNSUPPORTED:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error((*path, name), f"must be a whole number, not {_type_name(value)}")
            return None
        if not minimum <= value <= maximum:
            self.error((*path, name), f"must be between {minimum} and {maximum}")
            return None
        return value

    def items(self, data: Mapping[str, Any], path: PathT, name: str) -> list[Any] | None:
        if name not in data:
            return None
        value = data[name]
        if value is _UNSUPPORTED:
            return None
        if not isinstance(value, list):
            self.error((*path, name), f"must be a list, not {_type_name(value)}")
            return None
        if not value:
            self.error((*path, name), "must not be empty")
            return None
        return value

    def inline_scale(self, value: Any, path: PathT) -> Scale | None:
        data = self.mapping(value, path, _SCALE_FIELDS, "a scale")
        if data is None:
            return None
        key = self.text(data, path, "key", max_length=MAX_ID_LENGTH)
        label = self.text(data, path, "label", max_length=MAX_TITLE_LENGTH)
        raw_options = self.items(data, path, "options")
        if key is None or label is None or raw_options is None:
            return None
        options: list[ScaleOption] = []
        for i, raw in enumerate(raw_options):
            option_path = (*path, "options", i)
            option = self.mapping(raw, option_path, _OPTION_FIELDS, "a scale option")
            if option is None or "score" not in option:
                continue
            opt_value = self.text(option, option_path, "value", max_length=MAX_ID_LENGTH)
            opt_label = self.text(option, option_path, "label", max_length=MAX_TITLE_LENGTH)
            score = option["score"]
            if score is not None and (isinstance(score, bool) or not isinstance(score, int)):
                self.error((*option_path, "score"), "must be a whole number or null")
            elif opt_value is not None and opt_label is not None:
                if any(existing.value == opt_value for existing in options):
                    self.error((*option_path, "value"), f"duplicate value {opt_value!r}")
                else:
                    options.append(ScaleOption(opt_value, opt_label, score))
        if len(options) != len(raw_options):
            return None
        if not any(option.score is not None for option in options):
            self.error((*path, "options"), "needs at least one scored option")
            return None
        return Scale(key, label, tuple(options))


def _validate_bank(document: Any, lines: _Lines, scales: Mapping[str, Scale]) -> BankSpec:
    errors: list[BankError] = []
    check = _Checker(lines, errors)
    root: PathT = ()
    data = check.mapping(document, root, _BANK_FIELDS, "a bank")
    if data is None:
        raise BankValidationError(errors)

    fmt = check.text(data, root, "format", max_length=MAX_TITLE_LENGTH)
    if fmt is not None and fmt != FORMAT:
        check.error(("format",), f"unsupported format {fmt!r}; expected {FORMAT!r}")
    key = check.text(data, root, "key", max_length=64, pattern=BANK_KEY_PATTERN)
    version = check.integer(data, root, "version", minimum=1, maximum=MAX_VERSION)
    title = check.text(data, root, "title", max_length=MAX_TITLE_LENGTH)
    source = check.text(data, root, "source")
    intro = check.text(data, root, "intro", default="")
    scale_key = check.choice(data, root, "scale", scales)
    verdict_rule = check.choice(data, root, "verdict_rule", VERDICT_RULES)
    if scale_key is not None and verdict_rule is not None:
        needed = VERDICT_RULES[verdict_rule]
        if needed is not None and needed != scale_key:
            check.error(
                ("verdict_rule",),
                f"verdict rule {verdict_rule!r} needs scale {needed!r}, not {scale_key!r}",
            )
    stages = check.choices(data, root, "stages", STAGES)
    recurrence = check.choice(data, root, "recurrence", RECURRENCES) if "recurrence" in data else "none"
    perspectives = check.choices(data, root, "perspectives", PERSPECTIVES, default=("self",))
    if perspectives is not None and "self" not in perspectives:
        check.error(("perspectives",), "must include 'self': each side always answers for itself")
    addressee = check.choice(data, root, "addressee", ADDRESSEES) if "addressee" in data else "both"
    also_ask = check.choice(data, root, "also_ask", tuple(OTHER_LEAD.values())) if "also_ask" in data else ""
    if also_ask and addressee is not None and OTHER_LEAD.get(addressee) != also_ask:
        check.error(("also_ask",), "must name the other side's lead: 'srie' for an 'sro' bank, 'sro' for an 'srie' one")

    sections: list[SectionSpec] = []
    questions: list[QuestionSpec] = []
    first_seen_id: dict[str, int | None] = {}
    first_seen_title: dict[str, int | None] = {}
    for s, raw_section in enumerate(check.items(data, root, "sections") or []):
        section_path: PathT = ("sections", s)
        section = check.mapping(raw_section, section_path, _SECTION_FIELDS, "a section")
        if section is None:
            continue
        section_title = check.text(section, section_path, "title", max_length=MAX_TITLE_LENGTH)
        guide_section = check.text(section, section_path, "guide_section", max_length=MAX_TITLE_LENGTH)
        section_intro = check.text(section, section_path, "intro", default="")
        if section_title is not None:
            if section_title in first_seen_title:
                first_line = first_seen_title[section_title]
                check.error(
                    (*section_path, "title"),
                    f"duplicate section title (first on line {first_line})",
                )
            else:
                first_seen_title[section_title] = lines.value.get((*section_path, "title"))
        section_questions: list[QuestionSpec] = []
        for q, raw_question in enumerate(check.items(section, section_path, "questions") or []):
            question_path: PathT = (*section_path, "questions", q)
            question = check.mapping(raw_question, question_path, _QUESTION_FIELDS, "a question")
            if question is None:
                continue
            qid = check.text(question, question_path, "id", max_length=MAX_ID_LENGTH, pattern=QUESTION_ID_PATTERN)
            text = check.text(question, question_path, "text")
            narrative = check.boolean(question, question_path, "narrative", default=False)
            provider_text = check.text(question, question_path, "provider_text", default="")
            if qid is not None:
                if qid in first_seen_id:
                    first_line = first_seen_id[qid]
                    check.error(
                        (*question_path, "id"),
                        f"duplicate id {qid!r} (first used on line {first_line})",
                    )
                    qid = None
                else:
                    first_seen_id[qid] = lines.value.get((*question_path, "id"))
            fields = (qid, text, section_title, guide_section, narrative)
            if None not in fields and provider_text is not None:
                spec = QuestionSpec(*fields, order=len(questions) + 1, provider_text=provider_text)  # type: ignore[arg-type]
                section_questions.append(spec)
                questions.append(spec)
        if section_title is not None and guide_section is not None and section_intro is not None:
            sections.append(SectionSpec(section_title, guide_section, section_intro, tuple(section_questions)))

    if errors:
        errors.sort(key=lambda error: error.line or 0)
        raise BankValidationError(errors)
    # No errors means every field above was read successfully (none is None).
    head = (key, version, title, source, intro, scales[scale_key])  # type: ignore[index]
    tail = (verdict_rule, stages, recurrence, perspectives, tuple(sections), tuple(questions))
    return BankSpec(*head, *tail, addressee=addressee, also_ask=also_ask)  # type: ignore[arg-type]


# --- Public loaders -------------------------------------------------------------------------------


def _too_large(head: bytes) -> BankError:
    # Name the line where the cap is crossed, so even this error points somewhere in the file.
    line = head.count(b"\n") + 1
    return BankError(line, _ROOT, f"the document is larger than {MAX_DOCUMENT_BYTES} bytes")


def load_bank_text(text: str) -> BankSpec:
    """Parse and validate one bank document; raise ``BankValidationError`` listing every problem.

    Size is checked before parsing, and anchors/aliases are refused while composing, so a hostile
    document costs at most one linear pass over 1 MB.
    """
    if not isinstance(text, str):
        raise TypeError(f"load_bank_text() needs str, not {type(text).__name__}")
    if len(text) > MAX_DOCUMENT_BYTES or len(text.encode("utf-8")) > MAX_DOCUMENT_BYTES:
        raw = text.encode("utf-8")[:MAX_DOCUMENT_BYTES]
        raise BankValidationError([_too_large(raw)])
    node, errors = _compose(text)
    if errors:
        raise BankValidationError(errors)
    if node is None:
        raise BankValidationError([BankError(1, _ROOT, "the document is empty")])
    lines = _Lines()
    document = _to_data(node, (), lines, errors)
    try:
        bank = _validate_bank(document, lines, SCALES)
    except BankValidationError as exc:
        errors.extend(exc.errors)
    if errors:
        errors.sort(key=lambda error: error.line or 0)
        raise BankValidationError(errors)
    return bank


def load_bank_file(path: str | os.PathLike[str]) -> BankSpec:
    """Load a bank from a file, reading no more than the size cap allows."""
    with open(path, "rb") as handle:
        raw = handle.read(MAX_DOCUMENT_BYTES + 1)
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise BankValidationError([_too_large(raw[:MAX_DOCUMENT_BYTES])])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise BankValidationError([BankError(line, _ROOT, "the file is not UTF-8 text")]) from exc
    return load_bank_text(text)


@functools.cache
def _builtin_banks() -> tuple[BankSpec, ...]:
    folder = resources.files(__package__).joinpath("banks")
    banks: list[BankSpec] = []
    for key in BUILTIN_BANK_KEYS:
        text = folder.joinpath(f"{key}.yaml").read_text(encoding="utf-8")
        try:
            bank = load_bank_text(text)
        except BankValidationError as exc:
            raise BankValidationError(
                [BankError(e.line, f"{key}.yaml: {e.field}", e.message) for e in exc.errors]
            ) from exc
        if bank.key != key:
            raise BankValidationError([BankError(None, f"{key}.yaml: key", "must match the file name")])
        banks.append(bank)
    return tuple(banks)


def builtin_banks() -> list[BankSpec]:
    """The guide's checklists, in the guide's order; parsed once per process."""
    return list(_builtin_banks())


def builtin_bank(key: str) -> BankSpec:
    """One built-in bank by key; ``KeyError`` if there is none."""
    for bank in _builtin_banks():
        if bank.key == key:
            return bank
    raise KeyError(f"no built-in question bank {key!r}")
