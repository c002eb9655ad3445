"""The shape of the code: no import cycle in tracker/, the app does not load the developer tools, and
the README's command table names exactly the commands the app registers."""

import ast
import re
import subprocess
import sys

from flask.cli import FlaskGroup

from tracker import PROJECT_ROOT
from tracker.cli import COMMANDS, LazyCommand

PACKAGE = PROJECT_ROOT / "tracker"


def module_name(path):
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph():
    """{module: {tracker modules it imports at import time}}: top-level statements only (an import
    inside a function runs later, so it cannot make an import-time cycle). `from . import x` points
    at the submodule x when there is one, else at the package."""
    files = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        package = name if is_package else name.rpartition(".")[0]
        targets = set()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    base = ".".join(base + ([node.module] if node.module else []))
                else:
                    base = node.module
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.add(sub if sub in files else base)
        graph[name] = {t for t in targets if t in files and t != name}
    return graph


def find_cycle(graph):
    """One cycle as a list of modules [a, b, ..., a], or None."""
    state = {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return trail[trail.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt, trail + [nxt])
                if found:
                    return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_the_graph_sees_relative_imports():
    graph = import_graph()
    assert "tracker.models" in graph["tracker.schema"]  # from .models import SchemaVersion
    assert "tracker.catalog" in graph["tracker.schema"]  # from . import catalog, migrations
    assert "tracker.db" in graph["tracker.catalog"]  # from ..db import database
    assert "tracker.tools.generate" in graph["tracker.tools.bench"]  # from .generate import ...


def test_find_cycle_reports_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_tracker():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_db_imports_no_tracker_module():
    assert import_graph()["tracker.db"] == set()


def test_only_the_cli_and_the_tools_import_the_cli_or_the_tools():
    graph = import_graph()
    offenders = [
        f"{module} imports {target}"
        for module, targets in graph.items()
        if not module.startswith(("tracker.cli", "tracker.tools"))
        for target in targets
        if target.startswith(("tracker.cli", "tracker.tools"))
    ]
    assert offenders == []


def test_create_app_does_not_import_the_tools(tmp_path):
    """The developer tools load only when one of their commands runs, not with every app."""
    code = (
        "import sys\n"
        "from tracker import create_app\n"
        f"app = create_app({{'TESTING': True, 'DATABASE_URL': 'sqlite:///{tmp_path / 'x.sqlite3'}'}})\n"
        "app.cli.list_commands(None)\n"
        "print(sorted(m for m in sys.modules if m == 'tracker.tools' or m.startswith('tracker.tools.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_tool_command_loads_its_module_when_it_runs(runner):
    result = runner.invoke(args=["generate-data", "--help"])
    assert result.exit_code == 0, result.output
    assert "--scale" in result.output and "--seed" in result.output
    assert "tracker.tools.generate" in sys.modules


def test_lazy_commands_show_the_help_of_the_command_they_load():
    for command in COMMANDS:
        if isinstance(command, LazyCommand):
            real = command.load()
            assert real.name == command.name
            assert command.get_short_help_str() == real.get_short_help_str(), command.name


def readme_commands():
    """The command names in the README's command table (first cell of each row, up to a space)."""
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("| command | what it does |")
    lines = text[start:].splitlines()
    rows = []
    for line in lines[2:]:
        if not line.startswith("|"):
            break
        rows.append(re.match(r"\| `([\w-]+)", line).group(1))
    return rows


def test_the_readme_table_lists_every_registered_command_and_no_other(app):
    registered = set(app.cli.list_commands(None))
    listed = readme_commands()
    assert len(listed) == len(set(listed)), "a command is listed twice"
    assert set(listed) == registered


def test_every_command_is_registered_through_the_cli_package(app):
    assert set(app.cli.list_commands(None)) == {command.name for command in COMMANDS}
    # send-mail (issue 15), send-digests (issue 18), rebuild-search (issue 23), the portfolio's three (issue 20),
    # rebuild-rollups (issue 21)
    assert len(COMMANDS) == 19


def test_flask_help_lists_every_command(app):
    cli = FlaskGroup(create_app=lambda: app, load_dotenv=False, set_debug_flag=False)
    result = app.test_cli_runner().invoke(cli, args=["--help"])
    assert result.exit_code == 0, result.output
    shown = set(re.findall(r"^  ([\w-]+)\s", result.output, re.M))
    assert {command.name for command in COMMANDS} <= shown


def test_the_readme_layout_names_every_module():
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    layout = text[text.index("```\ntracker/\n") :]
    layout = layout[: layout.index("```", 4)]
    named = set(re.findall(r"^  ([\w.]+/?)", layout, re.M))
    present = {p.name + "/" for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    present |= {p.name for p in PACKAGE.glob("*.py")}
    assert present - named == set()


def test_every_stylesheet_closes_each_block_it_opens():
    """A lost "}" (a merge can drop one) silently swallows every rule after it into an @media block: the
    stage colours of the journey charts once vanished that way."""
    for path in sorted((PROJECT_ROOT / "static" / "css").glob("*.css")):
        text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
        depth = 0
        for number, line in enumerate(text.splitlines(), 1):
            depth += line.count("{") - line.count("}")
            assert depth >= 0, f"{path.name}:{number}: a '}}' closes nothing"
        assert depth == 0, f"{path.name}: {depth} block(s) left open"
