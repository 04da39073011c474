"""The codebook documents exactly the canonical columns, in order, with their precision codes."""

import re

from lib import docs, schema


def test_codebook_lists_every_canonical_column_in_order():
    text = docs.codebook_text()
    documented = re.findall(r"^\| `([a-z0-9_]+)` \|", text, flags=re.M)
    assert documented == schema.CANONICAL_COLUMNS


def test_codebook_says_empty_casualties_are_unknown():
    text = docs.codebook_text()
    for column in ("fatalities", "injuries"):
        row = next(line for line in text.splitlines() if line.startswith(f"| `{column}` |"))
        assert "never zero" in row


def test_codebook_counts_the_shipped_events():
    from lib.store import load_shipped

    assert f"**What it is.** {len(load_shipped())} strikes and attacks" in docs.codebook_text()
