"""The default catalogs (JSON files beside this module), loaded into the database by `init-db`.

Loading adds the entries whose key is missing and leaves existing ones alone, so running it again
never overwrites what an administrator has edited, and never rewrites history.
"""

import json
from functools import cache
from pathlib import Path

from ..db import database
from ..models import (
    BenchmarkTemplate,
    Competency,
    CompetencyDomain,
    CompetencyFramework,
    FeedbackInstrument,
    FeedbackItem,
    Principle,
    Stage,
    Strategy,
    StrategyCluster,
)

HERE = Path(__file__).parent


@cache
def read(name):
    with open(HERE / f"{name}.json", encoding="utf-8") as fh:
        return json.load(fh)


def stage_keys():
    """The stage keys in order. Stages are the catalog's (init-db loads them; nothing adds others), so
    where a stage is named (the API's bodies and filters, the report filters) its key is one of these."""
    return [spec["key"] for spec in read("stages")["stages"]]


def cfir_domains():
    """[(key, name, help)] of the CFIR context domains."""
    return [(d["key"], d["name"], d.get("help", "")) for d in read("cfir")["domains"]]


def _load_competencies():
    added = 0
    for framework_spec in read("competencies")["frameworks"]:
        framework, _ = CompetencyFramework.get_or_create(
            key=framework_spec["key"],
            defaults={
                "name": framework_spec["name"],
                "short_name": framework_spec.get("short_name", ""),
                "source": framework_spec.get("source", ""),
                "is_default": framework_spec.get("is_default", False),
            },
        )
        for d_pos, domain_spec in enumerate(framework_spec["domains"]):
            domain, _ = CompetencyDomain.get_or_create(
                framework=framework, key=domain_spec["key"], defaults={"name": domain_spec["name"], "position": d_pos}
            )
            existing = {c.key for c in Competency.select(Competency.key).where(Competency.domain == domain)}
            rows = [
                {"domain": domain.id, "key": c["key"], "name": c["name"], "help": c.get("help", ""), "position": pos}
                for pos, c in enumerate(domain_spec["competencies"])
                if c["key"] not in existing
            ]
            if rows:
                Competency.insert_many(rows).execute()
                added += len(rows)
    return added


MATCHES = ("exact", "approximate")


@cache
def crosswalk():
    """The competency crosswalk (crosswalk.json: 2020's 15 competencies to 2021's 12, with its source), checked
    against competencies.json: {"from_framework", "to_framework", "source", "links": [{"from", "to", "match",
    "reverse", "note"}]}. Every competency of both frameworks is in at least one link; `match` is exact or
    approximate; `reverse` (default true): the link also counts sessions logged with the 2021 competency for
    the 2020 one. ValueError when the file does not hold. Read where reports count across frameworks."""
    data = read("crosswalk")
    keys = {
        f["key"]: {c["key"] for d in f["domains"] for c in d["competencies"]}
        for f in read("competencies")["frameworks"]
    }
    source, target = keys.get(data["from_framework"]), keys.get(data["to_framework"])
    if source is None or target is None or not data.get("source"):
        raise ValueError("crosswalk.json: unknown framework or no source")
    links = []
    for link in data["links"]:
        if link["from"] not in source or link["to"] not in target or link["match"] not in MATCHES:
            raise ValueError(f"crosswalk.json: bad link {link}")
        links.append({**link, "reverse": link.get("reverse", True)})
    if {link["from"] for link in links} != source or {link["to"] for link in links} != target:
        raise ValueError("crosswalk.json: every competency of both frameworks needs a link")
    return {**data, "links": links}


def _load_principles():
    existing = {p.key for p in Principle.select(Principle.key)}
    rows = [
        {"key": p["key"], "name": p["name"], "help": p.get("help", ""), "source": p.get("source", ""), "position": pos}
        for pos, p in enumerate(read("principles")["principles"])
        if p["key"] not in existing
    ]
    if rows:
        Principle.insert_many(rows).execute()
    return len(rows)


def _load_stages():
    added = 0
    for pos, spec in enumerate(read("stages")["stages"]):
        stage, created = Stage.get_or_create(
            key=spec["key"], defaults={"name": spec["name"], "help": spec.get("help", ""), "position": pos}
        )
        if created:
            added += 1
            BenchmarkTemplate.insert_many(
                [{"stage": stage.id, "text": text, "position": i} for i, text in enumerate(spec.get("benchmarks", []))]
            ).execute()
    return added


def _load_strategies():
    added = 0
    for spec in read("strategies")["clusters"]:
        cluster, _ = StrategyCluster.get_or_create(
            key=spec["key"], defaults={"number": spec["number"], "name": spec["name"], "help": spec.get("help", "")}
        )
        existing = {s.key for s in Strategy.select(Strategy.key).where(Strategy.cluster == cluster)}
        rows = [
            {
                "cluster": cluster.id,
                "key": s["key"],
                "number": s["number"],
                "name": s["name"],
                "help": s.get("help", ""),
            }
            for s in spec["strategies"]
            if s["key"] not in existing
        ]
        if rows:
            Strategy.insert_many(rows).execute()
            added += len(rows)
    return added


def _load_feedback():
    added = 0
    for spec in read("feedback")["instruments"]:
        definition = {k: v for k, v in spec.items() if k not in ("items", "key", "version", "name")}
        instrument, created = FeedbackInstrument.get_or_create(
            key=spec["key"],
            version=spec["version"],
            defaults={"name": spec["name"], "definition": json.dumps(definition)},
        )
        if created:
            FeedbackItem.insert_many(
                [
                    {
                        "instrument": instrument.id,
                        "key": item["key"],
                        "scale": item.get("scale"),
                        "kind": item["kind"],
                        "text": item["text"],
                        "position": pos,
                    }
                    for pos, item in enumerate(spec["items"])
                ]
            ).execute()
            added += len(spec["items"])
    return added


def load_defaults():
    """Add missing default catalog entries; returns {what: number added} for what was added."""
    crosswalk()  # checked with the catalog: a broken crosswalk stops init-db, not a report
    with database.atomic():
        counts = {
            "competencies": _load_competencies(),
            "principles": _load_principles(),
            "stages": _load_stages(),
            "strategies": _load_strategies(),
            "feedback items": _load_feedback(),
        }
    return {what: n for what, n in counts.items() if n}
