"""Build step for front-end assets: copy KERN UX and htmx from node_modules into static/.

Run `npm ci` first (the README's commands do both). The copied files are not committed;
`src/amtshilfe/core/static/vendor/` is rebuilt from the locked npm packages.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
TARGET = Path(__file__).resolve().parent / "core" / "static" / "vendor"
FONT_URL = re.compile(r'url\("\./([^"]+)"\)')


def build(node_modules: Path = NODE_MODULES, target: Path = TARGET) -> list[Path]:
    kern = node_modules / "@kern-ux" / "native" / "dist"
    htmx = node_modules / "htmx.org" / "dist" / "htmx.min.js"
    if not kern.is_dir() or not htmx.is_file():
        raise FileNotFoundError(f"npm packages missing in {node_modules}: run `npm ci` first")
    copied: list[Path] = []

    def copy(source: Path, destination: Path) -> None:
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        copied.append(destination)

    copy(kern / "kern.min.css", target / "kern" / "kern.min.css")
    fonts_css = kern / "fonts" / "fira-sans.css"
    copy(fonts_css, target / "kern" / "fonts" / "fira-sans.css")
    for font in sorted(set(FONT_URL.findall(fonts_css.read_text()))):
        copy(kern / "fonts" / font, target / "kern" / "fonts" / font)
    copy(kern.parent / "LICENSE.md", target / "kern" / "LICENSE.md")
    copy(htmx, target / "htmx" / "htmx.min.js")
    copy(htmx.parent.parent / "LICENSE", target / "htmx" / "LICENSE")
    return copied


if __name__ == "__main__":
    files = build()
    sys.stdout.write(f"Assets: {len(files)} Dateien nach / files to {TARGET}\n")
