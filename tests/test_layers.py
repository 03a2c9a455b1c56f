"""The package shows its layers, and nothing imports upward (README, layout).

Each package of ``govarchive/`` may import from its own package and the packages below it in :data:`LAYERS`,
never from one above; imports inside functions count too. ``cli.py`` and ``settings.py`` stand on top, and
the Scrapy adapters (``spiders/``, ``pipelines/``) above them all. A module never reaches another module's
private names (``from x import _y``).
"""

from __future__ import annotations

import ast
import re
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


# -- SQL lives in index/ -------------------------------------------------------------------------------------
# The index's SQL is written in govarchive/index/ only, behind named functions and methods (docs: README, the
# layers): a module elsewhere asks `findings.platform_moves(index)`, never `index.db.execute("select …")`.
# Exceptions, each with its reason (keep this list short):
SQL_ALLOWED = {
    # demo/ sits below index/ and may not import it; the demo web reads, read-only, which port an archive's
    # demo captures were served on (one range of captures.url), so that a second `govarchive demo` serves there
    "govarchive/demo/origin.py": "below index/: the demo web's own archived origin",
}
SQL_METHODS = {"execute", "executemany", "executescript"}  # any of these is SQL, whatever its argument
SQL_TEXT = re.compile(r"^\s*(select|insert|update|delete|replace|create|drop|alter|pragma|with|begin|commit|"
                      r"rollback|savepoint|release|attach|detach|vacuum)\b", re.IGNORECASE)


def _text(node: ast.AST) -> str | None:
    """The text of a string literal, an f-string (its holes as x) or a + of them; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "x" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        return None if left is None and right is None else (left or "x") + (right or "x")
    return None


def _is_db(node: ast.AST) -> bool:
    """``db`` or ``<anything>.db``: a sqlite-utils Database by this project's naming."""
    return (isinstance(node, ast.Name) and node.id == "db") or (isinstance(node, ast.Attribute) and node.attr == "db")


def sql_outside_index(source: str) -> list[str]:
    """Where a module runs SQL or reaches a table itself: ``.execute``/``.executemany``/``.executescript`` calls,
    ``.query`` calls given SQL text, ``db["table"]`` and ``db.table("table")``, and an Index's connection
    (``index.db``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            first = _text(node.args[0]) if node.args else None
            if name in SQL_METHODS:
                found.append(f"line {node.lineno}: .{name}({(first or '…')[:40]!r})")
            elif name == "query" and first is not None and SQL_TEXT.match(first):
                found.append(f"line {node.lineno}: .query({first[:40]!r})")
            elif name == "table" and _is_db(node.func.value):
                found.append(f"line {node.lineno}: db.table(…)")
        elif isinstance(node, ast.Subscript) and _is_db(node.value) and _text(node.slice) is not None:
            found.append(f"line {node.lineno}: db[{_text(node.slice)!r}]")
        elif isinstance(node, ast.Attribute) and node.attr == "db" and isinstance(node.ctx, ast.Load):
            found.append(f"line {node.lineno}: {ast.unparse(node)} (an Index's connection)")
    return sorted(set(found), key=lambda line: (int(line.split(":")[0].split()[1]), line))


OUTSIDE_INDEX = [p for p in MODULES + sorted((ROOT / "pipelines").glob("*.py")) + sorted((ROOT / "spiders").glob("*.py"))
                 if "index" not in p.relative_to(ROOT).parts[1:2]]


@pytest.mark.parametrize("path", OUTSIDE_INDEX, ids=lambda p: str(p.relative_to(ROOT)))
def test_sql_lives_in_index(path):
    rel = path.relative_to(ROOT).as_posix()
    found = sql_outside_index(path.read_text(encoding="utf-8"))
    if rel in SQL_ALLOWED:
        assert found, f"{rel} is allowed SQL ({SQL_ALLOWED[rel]}) but has none: take it off SQL_ALLOWED"
        return
    assert not found, (f"{rel} runs SQL or reaches a table itself; ask a named function or method of "
                       f"govarchive/index/ instead: {found}")


def test_the_sql_scan_finds_each_way_of_running_sql():
    """The scan above is not vacuous: each form it forbids is found, and ordinary calls are not."""
    forbidden = {
        'index.db.execute("select 1 from runs")': ".execute(",
        'conn.executemany("insert into t values (?)", rows)': ".executemany(",
        "cursor.execute(sql, params)": ".execute(",
        'db.query("select * from posts")': ".query(",
        'db.query(f"select {x} from posts")': ".query(",
        'db["notices"].insert({})': "db['notices']",
        'index.db.table("claims").insert({})': "db.table(",
        "rows = archive.index.db": "an Index's connection",
    }
    for source, what in forbidden.items():
        found = sql_outside_index(source)
        assert any(what in place for place in found), (source, found)
    for allowed in ('self.query("sec_user_id", "sec_uid")', "await db.execute_fn(gather)",
                    'datasette.urls.table(db, "posts")', 'names["db"]'):
        assert not sql_outside_index(allowed), allowed
