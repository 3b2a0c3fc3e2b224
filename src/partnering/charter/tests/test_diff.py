"""The difference between two versions: word by word, escaped, labelled for screen readers."""

from __future__ import annotations

from partnering.charter.diff import compare, inline_diff
from partnering.charter.models import CharterVersion


def test_changed_words_are_marked_with_hidden_labels():
    html, added, removed = inline_diff("Escalate within five days.", "Escalate within three days.")

    assert "<del" in html and "Removed: </span>five</del>" in html
    assert "Added: </span>three</ins>" in html
    assert (added, removed) == (1, 1)


def test_text_is_escaped():
    html, _added, _removed = inline_diff("", "<script>alert(1)</script>")

    assert "<script>" not in html and "&lt;script&gt;" in html


def test_sections_are_matched_by_heading_and_free_sections_added_or_removed():
    old = CharterVersion(number=1, principles="Together.", extra_sections=[{"heading": "Old", "text": "Gone"}])
    new = CharterVersion(
        number=2, principles="Together.", tone="Warm.", extra_sections=[{"heading": "New", "text": "Hi"}]
    )

    by_heading = {s.heading: s.status for s in compare(old, new)}

    assert by_heading["Principles, attitudes and ideals"] == "unchanged"
    assert by_heading["The tone of the relationship"] == "changed"
    assert (by_heading["New"], by_heading["Old"]) == ("added", "removed")
