"""MkDocs hooks: the site's home page is the README (one text, not two), and the committed
diagrams (``diagrams/*.svg``, written by ``jobstate diagram --all``) are served with the site,
so pages show them without a second copy in ``docs/``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent


def home_page(readme: str) -> str:
    """The README as the site's home page: its links into ``docs/`` become links between
    pages, and a link to another file of the repository (not on the site) its bare text."""

    def link(m: re.Match[str]) -> str:
        text, target = m.group(1), m.group(2)
        if target.startswith("docs/"):
            return f"[{text}]({target.removeprefix('docs/')})"
        if target.startswith(("http://", "https://", "#", "diagrams/")):
            return m.group(0)
        return text

    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", link, readme)


def on_files(files: Files, config: Any) -> Files:
    """Add the home page made from the README, and each committed SVG diagram as
    ``diagrams/NAME.svg``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    files.append(File.generated(config, "index.md", content=home_page(readme)))
    for svg in sorted((ROOT / "diagrams").glob("*.svg")):
        files.append(
            File(
                f"diagrams/{svg.name}",
                src_dir=str(ROOT),
                dest_dir=config["site_dir"],
                use_directory_urls=config["use_directory_urls"],
            )
        )
    return files
