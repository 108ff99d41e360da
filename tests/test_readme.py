"""The README stays what a newcomer reads first: short, with the rest in docs/."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_README_LINES = 250


def test_the_readme_has_at_most_250_lines():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, (
        f"README.md has {len(lines)} lines; move what goes beyond {MAX_README_LINES} into docs/"
    )
