"""E-mail subjects, built in one place for every message the service sends.

Django refuses a header with a line break in it (`BadHeaderError`), and a subject is made from
titles people typed. Titles are single-line since they are checked where they come in
(core/text.py), but records stored before that, and anything a management command writes, may
still hold one: so every `send_mail` and `EmailMessage` of the project takes its subject from
`subject_line`, which turns any run of white space or control characters into one space.
"""

from __future__ import annotations

import re

from partnering.core.text import single_line

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
#: Long subjects are cut in mail clients anyway; RFC 5322 advises lines under 78 characters.
MAX_LENGTH = 200


def subject_line(text: str) -> str:
    """One safe line for an e-mail's Subject header."""
    line = single_line(_CONTROL.sub(" ", text))
    return line if len(line) <= MAX_LENGTH else line[: MAX_LENGTH - 1].rstrip() + "…"
