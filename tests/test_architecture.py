"""The layering holds: core/ is plumbing, features plug in through `init_app`, no import cycles.

Imports are read with `ast` (every import, including those inside functions), so a module
that imports upwards only when called still counts.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

from tests.live import ROOT, run_python

SKIP = {"tests", "bench", "build", "versions", ".venv", "node_modules"}
# Shared plumbing and the layers beside it: everything else at the top level is a feature.
PLUMBING = {"core", "telephony", "prompts", "migrations", "emulator", "devtools"}
ENTRY_POINTS = {"app", "cli", "worker"}


def _modules() -> dict[str, Path]:
    """Return every first-party module by dotted name (tests and benchmarks aside)."""
    found: dict[str, Path] = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if SKIP & set(parts) or any(part.startswith(".") for part in parts):
            continue
        if len(parts) > 1 and not (ROOT / parts[0] / "__init__.py").exists():
            continue
        name = ".".join(parts).removesuffix(".__init__")
        found[name] = path
    return found


def _imports(path: Path, known: dict[str, Path]) -> Iterator[str]:
    """Yield the first-party modules `path` imports, wherever in the file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from pkg import mod` imports pkg.mod; `from pkg import name` imports pkg.
            whole = (f"{node.module}.{alias.name}" for alias in node.names)
            names = [name if name in known else node.module for name in whole]
        else:
            continue
        yield from (name for name in names if name in known)


def _graph() -> dict[str, set[str]]:
    """Map each module to what it imports, leaving out its own parent packages (always first)."""
    known = _modules()
    return {
        name: {t for t in _imports(path, known) if not f"{name}.".startswith(f"{t}.")}
        for name, path in known.items()
    }


def _top(module: str) -> str:
    return module.partition(".")[0]


def _features() -> set[str]:
    tops = {_top(name) for name in _modules()}
    return tops - PLUMBING - ENTRY_POINTS


def test_core_imports_no_feature_and_not_the_app() -> None:
    """core/ is plumbing: config, db, redis, clock, jobs queue, paths, the feature registry."""
    graph = _graph()
    forbidden = _features() | ENTRY_POINTS | {"devtools"}
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if _top(module) == "core"
        for target in targets
        if _top(target) in forbidden
    )
    assert upward == []
    assert {"queueing", "callbacks", "ivr", "roster"} <= _features()


def test_no_import_cycles_outside_the_emulator() -> None:
    """Every import cycle among modules stays inside emulator/ (a self-contained fake Twilio)."""
    cycles = [c for c in _strongly_connected(_graph()) if len(c) > 1]
    outside = [sorted(c) for c in cycles if any(_top(m) != "emulator" for m in c)]
    assert outside == []


def test_no_import_cycles_among_packages() -> None:
    """Between top-level packages (emulator/ aside) there is no import cycle at all.

    The roster reads agents' live state and re-mirrors the ACD after edits through hooks the
    queue registers (core/features.py), so roster/ never imports queueing/.
    """
    packages: dict[str, set[str]] = {}
    for module, targets in _graph().items():
        outward = {_top(t) for t in targets} - {_top(module)}
        packages.setdefault(_top(module), set()).update(outward)
    cycles = [c for c in _strongly_connected(packages) if len(c) > 1]
    assert [sorted(c) for c in cycles] == []
    assert "queueing" not in packages["roster"] and "queueing" not in packages["calls"]
    assert "migrations" not in packages["core"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check above can fail: a two-module loop is reported."""
    cycles = _strongly_connected({"a": {"b"}, "b": {"a"}, "c": {"a"}})
    assert [sorted(c) for c in cycles if len(c) > 1] == [["a", "b"]]


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Return the strongly connected components of `graph` (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                found.append(component)
    return found


PROBE = """
import json, os, sys
os.environ.update(HELPLINE_ENV="test", REDIS_URL=sys.argv[1], DATABASE_URL=sys.argv[2])
import worker
from app import create_app
from core.features import registry
from core.jobs import job_app

scheduler = worker.prepare(create_app())
features = registry(job_app())
doc = job_app().test_client().get("/api/openapi.json").get_json()
print(json.dumps({
    "periodic": {job.name: job.seconds for job in scheduler.periodic},
    "offers": {k: f"{h.__module__}.{h.__qualname__}" for k, h in features.offer_handlers.items()},
    "ended": [f"{h.__module__}.{h.__qualname__}" for h in features.call_ended],
    "paths": sorted(doc["paths"]),
    "rules": sorted(rule.rule for rule in job_app().url_map.iter_rules()),
}))
"""


def test_features_register_themselves_through_create_app(app: object, tmp_path: Path) -> None:
    """In a fresh interpreter importing only `app` and `worker`, every feature's hooks are set."""
    config = app.config  # type: ignore[attr-defined]
    database = f"sqlite:///{tmp_path / 'p.db'}"
    result = run_python(PROBE, config["REDIS_URL"], database)
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["periodic"] == {
        "queueing.jobs.sweep": 2,
        "cases.jobs.flag_overdue": 3600,
        "callbacks.jobs.reconcile": config["CALLBACK_RECONCILE_SECONDS"],
    }
    assert found["offers"] == {
        "call": "queueing.service.offer_call",
        "cb": "callbacks.queue_link.offer_entry",
    }
    assert found["ended"] == ["queueing.service.on_call_ended"]
    assert {"/api/agents", "/api/shifts/{shift_id}", "/api/callbacks"} <= set(found["paths"])
    assert {"/voice/incoming", "/voice/queue/join", "/voice/callback/offer"} <= set(found["rules"])
