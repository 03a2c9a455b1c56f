"""The package shows its layers, and nothing imports upward (README, layout).

Each package of ``govarchive/`` may import from its own package and the packages below it in :data:`LAYERS`,
never from one above; imports inside functions count too. ``cli.py`` and ``settings.py`` stand on top, and
the Scrapy adapters (``spiders/``, ``pipelines/``) above them all. A module never reaches another module's
private names (``from x import _y``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# bottom first
LAYERS = ["core", "demo", "pages", "index", "closure", "warc", "crawl", "browse", "<top>"]
TOP = {"cli", "settings", "__init__"}


def layer_of(module: str) -> int:
    """The layer of a dotted module name of govarchive (``govarchive.warc.writer`` → warc)."""
    parts = module.split(".")
    if parts[0] != "govarchive" or len(parts) == 1:
        return LAYERS.index("<top>") if len(parts) == 1 else -1
    return LAYERS.index("<top>") if parts[1] in TOP else LAYERS.index(parts[1])


def imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every import in the file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            names = [alias.name for alias in node.names]
            # `from govarchive.warc import writer`: the module imported is govarchive.warc.writer
            found.append((node.lineno, module, names))
    return found


MODULES = sorted((ROOT / "govarchive").rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(ROOT)) for p in MODULES])
def test_nothing_imports_upward(path):
    own = layer_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
    upward = []
    for line, module, names in imports(path):
        targets = [module] if not module.startswith("govarchive") else (
            [f"{module}.{n}" for n in names] if module == "govarchive" else [module])
        for target in targets:
            if target.startswith("govarchive") and target != "govarchive.__version__" and layer_of(target) > own:
                upward.append(f"line {line}: {target}")
    assert not upward, f"{path.relative_to(ROOT)} imports from a layer above it: {upward}"


@pytest.mark.parametrize("path", MODULES + sorted((ROOT / "pipelines").glob("*.py")) + sorted((ROOT / "spiders").glob("*.py")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_reaches_another_modules_private_names(path):
    private = [f"line {line}: {module}.{name}" for line, module, names in imports(path)
               if module.startswith("govarchive") for name in names if name.startswith("_") and name != "__version__"]
    assert not private, f"{path.relative_to(ROOT)} imports private names: {private}"


def test_the_layers_are_the_packages():
    packages = {p.name for p in (ROOT / "govarchive").iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(LAYERS) - {"<top>"}
    loose = {p.stem for p in (ROOT / "govarchive").glob("*.py")}
    assert loose == TOP, "modules outside the layer packages"
