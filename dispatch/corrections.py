"""更正说明: what a later version of a month's report changes against the version before it.

`snapshot_diff(old, new)` is a pure function of the two frozen snapshots: every figure of the
headline whose value differs, and per table the rows added, removed or changed (with the
columns that changed). When the generation time is all that differs, the list is empty.
"""

from collections import Counter
from decimal import Decimal, InvalidOperation

# A row is the same row in both versions when these agree (the first the table has).
IDENTITY_KEYS = ("code", "key", "name", "label")


def _same(a, b) -> bool:
    if a == b:
        return True
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except (InvalidOperation, ValueError):
        return False


def _identity(table: dict) -> str | None:
    keys = {c["key"] for c in table["columns"]}
    for key in IDENTITY_KEYS:
        if key in keys:
            values = [row.get(key) for row in table["rows"]]
            if len(set(values)) == len(values):
                return key
    return None


def _row_name(table: dict, row: dict) -> str:
    first = table["columns"][0]["key"]
    return str(row.get("name") or row.get("label") or row.get(first) or "")


def _table_changes(title: str, old: dict, new: dict) -> list[dict]:
    key = _identity(new) if _identity(old) == _identity(new) else None
    labels = {c["key"]: c["label"] for c in new["columns"]}
    if key is None:
        # No stable identity (a list of moves): compare the rows as wholes.
        # As multisets: a row listed twice and once since is one removal.
        before = Counter(tuple(sorted(r.items())) for r in old["rows"])
        after = Counter(tuple(sorted(r.items())) for r in new["rows"])
        removed = [dict(r) for r in (before - after).elements()]
        added = [dict(r) for r in (after - before).elements()]
        return [
            {"table": title, "kind": "removed", "row": _row_name(old, r), "columns": []}
            for r in removed
        ] + [
            {"table": title, "kind": "added", "row": _row_name(new, r), "columns": []}
            for r in added
        ]
    before = {r.get(key): r for r in old["rows"]}
    after = {r.get(key): r for r in new["rows"]}
    changes = []
    for identity, row in after.items():
        if identity not in before:
            changes.append({"table": title, "kind": "added", "row": _row_name(new, row)})
            continue
        differing = [
            {"label": labels[k], "old": before[identity].get(k), "new": row.get(k)}
            for k in labels
            if not _same(before[identity].get(k), row.get(k))
        ]
        if differing:
            changes.append(
                {
                    "table": title,
                    "kind": "changed",
                    "row": _row_name(new, row),
                    "columns": differing,
                }
            )
    for identity, row in before.items():
        if identity not in after:
            changes.append({"table": title, "kind": "removed", "row": _row_name(old, row)})
    for change in changes:
        change.setdefault("columns", [])
    return changes


def snapshot_diff(old: dict, new: dict) -> list[dict]:
    """The differences from snapshot `old` to `new`, figures first, then table by table.

    Each item: {"table", "kind": changed | added | removed, "row", "columns": [{"label",
    "old", "new"}]}.
    """
    changes = []
    old_tables, new_tables = old.get("tables", {}), new.get("tables", {})
    for key, table in new_tables.items():
        if key in old_tables:
            changes += _table_changes(table["title"], old_tables[key], table)
        else:
            changes.append({"table": table["title"], "kind": "added", "row": "", "columns": []})
    for key, table in old_tables.items():
        if key not in new_tables:
            changes.append({"table": table["title"], "kind": "removed", "row": "", "columns": []})
    return changes


def describe(change: dict) -> str:
    """One line of the 更正说明."""
    where = f"“{change['table']}”" + (f"中“{change['row']}”" if change["row"] else "")
    if change["kind"] == "added":
        return f"{where}为新增内容。"
    if change["kind"] == "removed":
        return f"{where}已删除。"
    parts = [f"{c['label']}由{_text(c['old'])}更正为{_text(c['new'])}" for c in change["columns"]]
    return f"{where}：" + "，".join(parts) + "。"


def _text(value) -> str:
    if value is None or value == "":
        return "空"
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = f"{amount:,.2f}"
    return text[:-3] if text.endswith(".00") else text
