"""How big and how tangled the package is: the figures a refactoring is judged by.

``python -m benchmarks.code_metrics`` prints, for the source tree it runs in:

- package lines (all, and code lines: not blank, not a comment);
- the ten longest functions and methods (lines from ``def`` to the last line of the body);
- ``duplicates`` pairs (the library command, when it is on PATH) for the package and the whole tree;
- import cycles between the package's modules (module-level and function-level imports alike);
- the files that name one job kind (``IMM_TASK`` and its classes), as a proxy for the files a
  new job kind touches;
- per part of issue 18 (the marked sections ``# -- <title> ---`` ... ``# (end of <KEY>)`` of the
  package's shared files), the package files it took and their code lines, and the job kinds and
  operations the catalog has.

The DAG-parse import cost is measured by :mod:`benchmarks.import_cost`.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "airflow_provider_mediajobs"
# One job kind and the names of everything built for it.
KIND_NAMES = re.compile(r"\bIMM_TASK\b|\bImmTask(Sensor|Trigger)\b|\bImmGetTaskOperator\b")


def package_files() -> list[Path]:
    """The package's Python sources."""
    return sorted(PACKAGE.rglob("*.py"))


def line_counts() -> tuple[int, int]:
    """All lines and code lines of the package."""
    total = code = 0
    for path in package_files():
        for line in path.read_text().splitlines():
            total += 1
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                code += 1
    return total, code


def longest_functions(count: int = 10) -> list[tuple[int, str]]:
    """``(lines, module:qualified name)`` of the longest functions."""
    found: list[tuple[int, str]] = []
    for path in package_files():
        tree = ast.parse(path.read_text())
        stack: list[tuple[ast.AST, str]] = [(tree, "")]
        while stack:
            node, prefix = stack.pop()
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    name = f"{prefix}{child.name}"
                    if not isinstance(child, ast.ClassDef):
                        length = (child.end_lineno or child.lineno) - child.lineno + 1
                        found.append((length, f"{path.relative_to(PACKAGE)}:{name}"))
                    stack.append((child, name + "."))
    return sorted(found, reverse=True)[:count]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    """Which package modules each package module imports (anywhere in the file)."""
    modules = {_module_name(p): p for p in package_files()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join([*parts[: len(parts) - node.level + 1], base]).strip(".")
                targets.add(base)
                targets |= {f"{base}.{a.name}" for a in node.names}
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def import_cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    graph = import_graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for node in graph:
        if node not in index:
            visit(node)
    return groups


def duplicate_pairs(repo: Path) -> str:
    """The first line of ``duplicates`` for ``repo`` (or why it was not run)."""
    if shutil.which("duplicates") is None:
        return "duplicates is not on PATH"
    out = subprocess.run(["duplicates", "--repo", str(repo)], capture_output=True, text=True, cwd=repo, check=False)
    return out.stdout.splitlines()[0] if out.stdout else out.stderr.strip()


def kind_files() -> list[str]:
    """Tracked files (source, tests, docs) that name the example job kind."""
    listed = subprocess.run(["git", "ls-files"], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    hits = []
    for name in listed.splitlines():
        path = ROOT / name
        if path.suffix in (".py", ".md") and path.is_file() and KIND_NAMES.search(path.read_text()):
            hits.append(name)
    return hits


# A part's marked section in a shared package file: from its title line to its end line.
SECTION = re.compile(r"^[ \t]*# -- (?P<title>[^\n]+?\(issue 18, part \d\)) -{4,}\n(?P<body>.*?)"
                     r"^[ \t]*# \(end of (?P<key>[^)]+)\)", re.M | re.S)


def section_lines() -> dict[str, dict[str, int]]:
    """Per section title, the code lines (not blank, not a comment) it holds in each package file."""
    sizes: dict[str, dict[str, int]] = {}
    for path in package_files():
        for match in SECTION.finditer(path.read_text()):
            body = [line.strip() for line in match["body"].splitlines()]
            code = sum(1 for line in body if line and not line.startswith("#"))
            if code:
                title = match["title"].split(" (issue")[0]
                per_file = sizes.setdefault(title, {})
                name = str(path.relative_to(PACKAGE))
                per_file[name] = per_file.get(name, 0) + code  # a file may hold two (handlers, their table)
    return sizes


def catalog_counts() -> tuple[int, int]:
    """Job kinds and operations in the catalog."""
    from airflow_provider_mediajobs.catalog import alibaba, tencent
    from airflow_provider_mediajobs.catalog.model import JobKind

    kinds = {id(v) for module in (alibaba, tencent) for v in vars(module).values() if isinstance(v, JobKind)}
    return len(kinds), len(alibaba.OPERATIONS) + len(tencent.OPERATIONS)


def main() -> None:
    """Print every figure."""
    total, code = line_counts()
    print(f"package: {len(package_files())} files, {total} lines, {code} code lines")
    print("longest functions:")
    for length, name in longest_functions():
        print(f"  {length:4d}  {name}")
    print(f"duplicates (package): {duplicate_pairs(PACKAGE)}")
    print(f"duplicates (tree): {duplicate_pairs(ROOT)}")
    cycles = import_cycles()
    print(f"import cycles: {len(cycles)}")
    for group in cycles:
        print("  " + " <-> ".join(group))
    files = kind_files()
    print(f"files naming the IMM task kind: {len(files)}")
    for name in files:
        print(f"  {name}")
    kinds, operations = catalog_counts()
    print(f"catalog: {kinds} job kinds, {operations} operations")
    print("code lines per part of issue 18, by package file:")
    for title, files_lines in section_lines().items():
        spread = ", ".join(f"{name} {n}" for name, n in sorted(files_lines.items(), key=lambda kv: -kv[1]))
        print(f"  {title}: {sum(files_lines.values())} in {len(files_lines)} files ({spread})")


if __name__ == "__main__":
    main()
