"""Jinchang's facts, loaded from the YAML files in seeds/ (see seeds/README.md).

Facts are what the five source articles say: places, units, enterprises, the "2+4" chains with
their links, gaps and outputs, and the events with the totals the city reported. Each record
names its article in `source`. The figures the city quoted have no model; `quoted_figures()`
reads them for pages that show "市里公布" beside what the ledger computes.

Loading is keyed (place/unit/enterprise/chain by name, link by chain + parent + name, output by
chain + year, event by name + date) and writes only what differs, so a second run changes
nothing: no save, no history row, no `updated_at` bump.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import models, transaction

from chains.models import ChainLink, ChainOutput, IndustryChain
from jinchang.seedfiles import (  # noqa: F401 - the loader's tests and commands read them here
    CENT,
    SEEDS_DIR,
    YI,
    QuotedFigure,
    Records,
    SeedDataError,
    article_files,
    check_source,
    quoted_figures,
    read_seed,
    yi_to_wan,
)
from org.models import Place, Unit
from projects.models import Enterprise, Event


@dataclass
class Tally:
    """What a load created and updated, by kind (a model's verbose name)."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated)

    def lines(self) -> list[str]:
        out = []
        if +self.created:
            out.append("新增：" + "，".join(f"{k} {n}" for k, n in self.created.items() if n))
        if +self.updated:
            out.append("更新：" + "，".join(f"{k} {n}" for k, n in self.updated.items() if n))
        return out


# --- reading the files -----------------------------------------------------------------------


# --- writing records -------------------------------------------------------------------------


def _differs(obj: models.Model, name: str, value) -> bool:
    f = obj._meta.get_field(name)
    if f.is_relation:
        return getattr(obj, f.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def upsert(model, lookup: dict, values: dict, *, tally: Tally):
    """Create the record keyed by `lookup`, or update the fields of `values` that differ.

    Nothing is saved when nothing differs, so a repeated load writes no history row.
    """
    kind = str(model._meta.verbose_name)
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        tally.created[kind] += 1
        return obj
    changed = [name for name, value in values.items() if _differs(obj, name, value)]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save(update_fields=changed)
        tally.updated[kind] += 1
    return obj


def add_missing(manager, objs, *, tally: Tally, kind: str) -> None:
    """Add the members of an M2M relation that are missing; never remove what an admin added."""
    present = set(manager.values_list("pk", flat=True))
    missing = [o for o in objs if o.pk not in present]
    if missing:
        manager.add(*missing)
        tally.created[kind] += len(missing)


# --- the facts -------------------------------------------------------------------------------


@transaction.atomic
def load_facts(*, seeds_dir: Path | None = None, tally: Tally | None = None) -> Tally:
    """Load places, units, enterprises, chains (links, gaps, outputs, owners) and events."""
    tally = tally or Tally()
    _load_places(seeds_dir, tally)
    _load_units(seeds_dir, tally)
    enterprises = _load_enterprises(seeds_dir, tally)
    _load_chains(seeds_dir, tally, enterprises)
    _load_events(seeds_dir, tally)
    return tally


def _load_places(seeds_dir, tally):
    records = Records("places.yaml", seeds_dir, {"kind", "parent", "order"}, {"name"})
    places = {}
    for r in records:
        parent = None
        if r.get("parent"):
            if r["parent"] not in places:
                raise SeedDataError(f"places.yaml {r['name']}: 上级 {r['parent']} 须先定义。")
            parent = places[r["parent"]]
        places[r["name"]] = upsert(
            Place,
            {"name": r["name"]},
            {
                "kind": r.get("kind", Place.Kind.DISTRICT),
                "parent": parent,
                "order": r.get("order", 0),
                "source": r["source"],
                "is_illustrative": False,
            },
            tally=tally,
        )


def _load_units(seeds_dir, tally):
    records = Records(
        "units.yaml", seeds_dir, {"uses_project_manager", "order"}, {"name", "short_name"}
    )
    for r in records:
        upsert(
            Unit,
            {"name": r["name"]},
            {
                "short_name": r["short_name"],
                "uses_project_manager": bool(r.get("uses_project_manager", False)),
                "order": r.get("order", 0),
                "source": r["source"],
                "is_illustrative": False,
            },
            tally=tally,
        )


def _load_enterprises(seeds_dir, tally) -> dict[str, Enterprise]:
    records = Records(
        "enterprises.yaml",
        seeds_dir,
        {"origin", "is_chain_owner", "is_head", "description"},
        {"name"},
    )
    found = {}
    for r in records:
        found[r["name"]] = upsert(
            Enterprise,
            {"name": r["name"]},
            {
                "origin": r.get("origin", ""),
                "is_chain_owner": bool(r.get("is_chain_owner", False)),
                "is_head": bool(r.get("is_head", False)),
                "description": r.get("description", ""),
                "source": r["source"],
                "is_illustrative": False,
            },
            tally=tally,
        )
    return found


def _tiers() -> dict[str, str]:
    """A tier by its code or its label (千亿级/百亿级/+N)."""
    return {str(label): value for value, label in IndustryChain.Tier.choices} | {
        value: value for value in IndustryChain.Tier.values
    }


LINK_KEYS = {"position", "enterprises", "gap", "wanted", "children"}


def _load_chains(seeds_dir, tally, enterprises):
    records = Records(
        "chains.yaml",
        seeds_dir,
        {"short_name", "order", "owners", "description", "outputs", "links"},
        {"name", "tier"},
    )

    def firms(names, where):
        unknown = [n for n in names or () if n not in enterprises]
        if unknown:
            raise SeedDataError(f"{where}: 企业 {unknown} 未在 enterprises.yaml 中定义。")
        return [enterprises[n] for n in names or ()]

    tiers = _tiers()
    for r in records:
        if r["tier"] not in tiers:
            raise SeedDataError(f"chains.yaml {r['name']}: 未知层级 {r['tier']}")
        chain = upsert(
            IndustryChain,
            {"name": r["name"]},
            {
                "short_name": r.get("short_name", ""),
                "tier": tiers[r["tier"]],
                "description": r.get("description", ""),
                "order": r.get("order", 0),
                "source": r["source"],
                "is_illustrative": False,
            },
            tally=tally,
        )
        add_missing(
            chain.chain_owners, firms(r.get("owners"), r["name"]), tally=tally, kind="链主企业"
        )
        for out in r.get("outputs") or ():
            where = f"chains.yaml {r['name']} 产值"
            records.check(out, where, {"year", "target_yi", "actual_yi", "source"}, {"year"})
            upsert(
                ChainOutput,
                {"chain": chain, "year": out["year"]},
                {
                    "target": yi_to_wan(out["target_yi"]) if "target_yi" in out else None,
                    "actual": yi_to_wan(out["actual_yi"]) if "actual_yi" in out else None,
                    "source": out["source"],
                    "is_illustrative": False,
                },
                tally=tally,
            )
        for order, link in enumerate(r.get("links") or (), 1):
            _load_link(records, chain, None, link, order, tally, firms)


def _load_link(records, chain, parent, r, order, tally, firms):
    where = f"chains.yaml {chain.name}·{r.get('name')}"
    records.check(r, where, LINK_KEYS | {"name", "source"}, {"name", "source"})
    if bool(r.get("gap")) != bool(r.get("wanted")):
        raise SeedDataError(f"{where}: 缺链环节须同时给出 gap 和 wanted。")
    link = upsert(
        ChainLink,
        {"chain": chain, "parent": parent, "name": r["name"]},
        {
            "position": r.get("position", ChainLink.Position.MIDSTREAM),
            "gap_description": r.get("gap", ""),
            "wanted_enterprises": r.get("wanted", 0),
            "order": order,
            "source": r["source"],
            "is_illustrative": False,
        },
        tally=tally,
    )
    add_missing(link.enterprises, firms(r.get("enterprises"), where), tally=tally, kind="在链企业")
    for child_order, child in enumerate(r.get("children") or (), 1):
        _load_link(records, chain, link, child, child_order, tally, firms)


def _load_events(seeds_dir, tally):
    records = Records(
        "events.yaml",
        seeds_dir,
        {"venue", "reported_project_count", "reported_amount_yi", "description"},
        {"name", "held_on"},
    )
    for r in records:
        amount = r.get("reported_amount_yi")
        upsert(
            Event,
            {"name": r["name"], "held_on": r["held_on"]},
            {
                "venue": r.get("venue", ""),
                "reported_project_count": r.get("reported_project_count"),
                "reported_amount": yi_to_wan(amount) if amount is not None else None,
                "description": r.get("description", ""),
                "source": r["source"],
                "is_illustrative": False,
            },
            tally=tally,
        )


def find_link(chain: IndustryChain, path) -> ChainLink:
    """The link at `path` (names from the sub-chain down) in `chain`."""
    link = None
    for name in path:
        link = ChainLink.objects.filter(chain=chain, parent=link, name=name).first()
        if link is None:
            raise SeedDataError(f"{chain.name}: 找不到环节 {'/'.join(path)}")
    return link


# --- the named projects (loaded by the demo) ------------------------------------------------

PROJECT_FACT_KEYS = {
    "code",
    "name",
    "investor",
    "co_investors",
    "chain",
    "link",
    "place",
    "unit",
    "stage",
    "event",
    "lead_source",
    "total_investment_yi",
    "first_contact_on",
    "signed_on",
    "started_on",
    "operating_on",
    "expected_completion_on",
    "construction_content",
    "intent_note",
}


def named_projects(seeds_dir: Path | None = None) -> list[dict]:
    """The projects named in the sources, each a flat dict with `illustrative_fields`: the keys
    whose values were made up for the demo (given under `illustrative` in the file)."""
    records = Records(
        "projects.yaml",
        seeds_dir,
        PROJECT_FACT_KEYS | {"illustrative"},
        {"code", "name", "investor", "stage"},
    )
    result = []
    for r in records:
        made_up = dict(r.get("illustrative") or {})
        overlap = set(made_up) & set(r)
        if overlap:
            raise SeedDataError(f"projects.yaml {r['code']}: {sorted(overlap)} 既是事实又是示例。")
        unknown = set(made_up) - PROJECT_FACT_KEYS
        if unknown:
            raise SeedDataError(f"projects.yaml {r['code']}: 未知示例字段 {sorted(unknown)}")
        flat = {k: v for k, v in r.items() if k != "illustrative"} | made_up
        missing = {"place", "unit", "total_investment_yi"} - set(flat)
        if missing:
            raise SeedDataError(f"projects.yaml {r['code']}: 缺少字段 {sorted(missing)}")
        flat["illustrative_fields"] = sorted(made_up)
        result.append(flat)
    return result
