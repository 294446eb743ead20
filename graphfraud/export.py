"""Evidence bundles: everything about one ring in a folder that proves it has not changed.

``export_ring`` writes ``members.csv``, ``identifiers.csv``, ``orders.csv``,
``graph.graphml``, ``report.html``, ``summary.json``, ``queries.cypher`` and
``manifest.json`` into a temporary folder beside the target and renames it into place at
the end, so an interrupted export leaves nothing half-written, and two exports into one
folder cannot both succeed. ``verify`` recomputes every hash over the exact bytes and names
each changed, missing or extra file, a symbolic link in place of any of them, and a manifest
that no longer matches its own hash or whose text is not the one export writes.

Every data file is the result of a named statement in ``cypher/`` (``queries.cypher``
repeats each one with its parameter values); the graph, the summary and the report are
built from those same rows. The summary and the report also list the rings of the latest run
tied to the ring's members (``detection.tied_rings``), as ``rings show`` does. Instrument ids
and card data are masked (``normalise.mask_id`` and ``normalise.mask_card``) unless
``unmask`` is set; the manifest records which.

The manifest hash is SHA-256 over the manifest's canonical JSON (sorted keys, no
whitespace, UTF-8) without its ``manifest_sha256`` field. It makes a bundle
tamper-evident, not tamper-proof: whoever rewrites a file and both hashes is not caught.

Text from the bundle or the graph (a file name, an id) is never printed or written raw where a
character could act instead of show: ``shown`` escapes it for a terminal or a Cypher comment,
``_xml_text`` for GraphML.
"""

import csv
import errno
import hashlib
import io
import json
import math
import os
import re
import shutil
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import __version__, normalise
from .errors import GraphfraudError, UsageError
from .hashing import sha256_file
from .html import inline_svg, templates
from .investigate import flat_spellings, unknown_ring
from .wording import HIDDEN_CATEGORIES, escaped, spreadsheet_safe, visible

__all__ = ["export_ring", "verify", "is_bundle", "shown", "ExportResult", "Verification", "VerificationFailed"]

DATA_FILES = ("members.csv", "identifiers.csv", "orders.csv", "graph.graphml", "report.html", "summary.json",
              "queries.cypher")
BUNDLE_ONLY = ("members.csv", "identifiers.csv", "summary.json", "graph.graphml", "queries.cypher")   # not orders.csv:
                                                                                    # a data folder holds one too
MANIFEST = "manifest.json"
BUNDLE_FILES = (*DATA_FILES, MANIFEST)
# manifest.json holds every object's keys in this order (any other key after them, sorted): its
# text is then a function of its content alone, which verify rebuilds and compares byte for byte
MANIFEST_KEY_ORDER = ("format", "ring_id", "graphfraud_version", "created_at", "created_by", "masked", "database",
                      "load_runs", "detection_runs", "case_status",
                      "id", "started_at", "ended_at", "as_of", "status",   # a load or detection run's
                      "files", "sha256", "bytes", "manifest_sha256_of", "manifest_sha256", *DATA_FILES)
FORMAT = "graphfraud-evidence-bundle/2"   # 2: manifest keys in MANIFEST_KEY_ORDER (1: as the database returned them)
FORMAT_UNORDERED = "graphfraud-evidence-bundle/1"
LAYOUT_SEED = 7
REPORT_ORDER_ROWS = 200

ROLE_COLOURS = {"seller": "#c0392b", "buyer": "#2471a3", "both": "#7d3c98", "core": "#b9770e", "mule": "#148f77"}
EXTRA_COLOURS = ("#117864", "#a04000", "#5b2c6f", "#1a5276", "#7b241c")
IDENTIFIER_STYLE = {  # type -> (shape, colour)
    "Device": ("square", "#566573"), "IP": ("triangle", "#7f8c8d"), "Subnet": ("triangle", "#aab7b8"),
    "Address": ("diamond", "#6e2c00"), "PaymentInstrument": ("square", "#1e8449"),
    "CardFingerprint": ("diamond", "#52be80"), "PromoCode": ("triangle", "#b7950b"),
    "Building": ("diamond", "#935116"),
}
TYPE_NAMES = {"Device": "device", "IP": "IP", "Subnet": "IP subnet", "Address": "address",
              "PaymentInstrument": "instrument", "CardFingerprint": "card", "PromoCode": "promo code",
              "Building": "building"}


class VerificationFailed(GraphfraudError):
    """A bundle whose files do not match its manifest."""


@dataclass
class ExportResult:
    out: Path
    ring_id: str
    files: dict          # name -> sha256
    counts: dict
    masked: bool
    manifest_sha256: str


@dataclass
class Verification:
    folder: Path
    rows: list = field(default_factory=list)  # {file, status, expected_sha256, actual_sha256}

    @property
    def problems(self) -> list[str]:
        return [f"{shown(r['file'])} {r['status']}" for r in self.rows if r["status"] != "ok"]

    @property
    def ok(self) -> bool:
        return not self.problems


# --------------------------------------------------------------------------- untrusted text

# the backslash, and the characters XML 1.0 forbids
_NOT_XML = re.compile(r"[\\\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def shown(text) -> str:
    """``text`` from a bundle (a file name, a hash read from its manifest) as verify and export print
    it: what a terminal acts on escaped, and the backslash too, so a name can neither forge the line
    that names it nor pass for another name (``wording.visible``)."""
    return visible(text, exact=True)


def _xml_text(value):
    """``value`` as XML 1.0 can hold it: a character it forbids (most C0 controls, U+FFFE, U+FFFF, an
    unpaired surrogate) and the backslash written as ``shown`` writes them. networkx writes them
    raw, and no XML parser reads the file back."""
    return _NOT_XML.sub(lambda found: escaped(found.group()), value) if isinstance(value, str) else value


# --------------------------------------------------------------------------- small helpers

def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 6))
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    return str(value)   # temporal values come from the store already short (store.plain)


def _manifest_text(manifest: dict) -> str:
    """manifest.json as export writes it; verify asks for exactly this text. It depends on the
    content alone, not on the order a parser met the keys in: a manifest rewritten with its keys
    reordered is not what export wrote. A bundle of format 1 kept its keys as the database
    returned them (Neo4j's order is not fixed), so its text is taken in the order it has."""
    ordered = manifest if manifest.get("format") == FORMAT_UNORDERED else _in_export_order(manifest)
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"


def _in_export_order(value):
    """``value`` with every object's keys in ``MANIFEST_KEY_ORDER``."""
    if isinstance(value, dict):
        order = MANIFEST_KEY_ORDER
        return {k: _in_export_order(value[k])
                for k in sorted(value, key=lambda k: (order.index(k) if k in order else len(order), k))}
    if isinstance(value, list):
        return [_in_export_order(v) for v in value]
    return value


def _canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def manifest_hash(manifest: dict) -> str:
    """SHA-256 of the manifest's canonical JSON without its own ``manifest_sha256``."""
    return hashlib.sha256(_canonical({k: v for k, v in manifest.items() if k != "manifest_sha256"})).hexdigest()


def _cypher_literal(value) -> str:
    """A parameter value written as a Cypher literal (for queries.cypher)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k if re.fullmatch(r'[A-Za-z_][A-Za-z0-9_]*', k) else '`' + k + '`'}: "
                               f"{_cypher_literal(v)}" for k, v in value.items()) + "}"
    return "'" + "".join(_cypher_char(c) for c in str(value)) + "'"


def _cypher_char(c: str) -> str:
    """One character of a Cypher string literal: a quote or backslash escaped, and what ``shown``
    escapes as a \\u escape (UTF-16, as Cypher reads it), so a value keeps its ``:param`` line whole
    and the statement still gets the exact value."""
    if c in "\\'":
        return "\\" + c
    if unicodedata.category(c) not in HIDDEN_CATEGORIES:
        return c
    units = c.encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{int.from_bytes(units[i:i + 2], 'big'):04x}" for i in range(0, len(units), 2))


class _Masker:
    """Masks instrument ids and card numbers unless the bundle is unmasked."""

    def __init__(self, unmask: bool):
        self.unmask = unmask
        self._ids: dict[str, str] = {}

    def instrument(self, value):
        if self.unmask or not value:
            return value
        return self._ids.setdefault(value, normalise.mask_id(value))

    def card(self, bin_, last4):
        if not (bin_ or last4):
            return None
        return f"{bin_ or ''}:{last4 or ''}" if self.unmask else normalise.mask_card(bin_ or "", last4 or "")

    def fingerprint(self, value):
        if self.unmask or not value or ":" not in value:
            return value
        return normalise.mask_card(*value.split(":", 1))

    def identifier(self, type_, value):
        if type_ == "PaymentInstrument":
            return self.instrument(value)
        if type_ == "CardFingerprint":
            return self.fingerprint(value)
        return value


# --------------------------------------------------------------------------- reading the ring

QUERIES = {  # file -> the statements whose rows make it
    "members.csv": ["export_members"],
    "identifiers.csv": ["export_identifiers"],
    "orders.csv": ["export_orders"],
    "summary.json": ["export_ring", "export_members", "export_identifiers", "export_orders", "cases_history",
                     "export_load_runs", "rings_show_linked"],
    "graph.graphml": ["export_members", "export_identifiers", "export_orders"],
    "report.html": ["export_ring", "export_members", "export_identifiers", "export_orders", "cases_history",
                    "export_load_runs", "rings_show_linked"],
}


def _read(store, ring_id: str) -> dict:
    """Everything the bundle holds about the ring, from one state of it (``read_consistently``): the
    summary's reasons, the members and the case history never come from two detection runs."""
    from .detection import read_consistently

    store.require_current_schema()   # evidence read from an older graph would lack its building ties
    return read_consistently(store, ring_id, lambda: _read_once(store, ring_id))


def _read_once(store, ring_id: str) -> dict:
    from .detection import tied_rings

    ring_rows = store.read("export_ring", ring_id=ring_id)
    if not ring_rows:
        raise unknown_ring(store, ring_id)
    tied, tied_params = tied_rings(store, ring_id)
    members = store.read("export_members", ring_id=ring_id)
    identifiers = store.read("export_identifiers", ring_id=ring_id)
    orders = store.read("export_orders", ring_id=ring_id)
    history = store.read("cases_history", ring_id=ring_id)
    load_ids = sorted({run for r in members + orders
                       for run in (r.get("load_run"), r.get("status_load_run"), r.get("links_load_run")) if run})
    load_runs = store.read("export_load_runs", ids=load_ids) if load_ids else []
    return {"ring": ring_rows[0]["ring"], "detection_runs": ring_rows[0]["detection_runs"], "members": members,
            "identifiers": identifiers, "orders": orders, "tied_rings": tied,
            "history": history[0]["events"] if history else [], "load_ids": load_ids, "load_runs": load_runs,
            "params": {"export_ring": {"ring_id": ring_id}, "export_members": {"ring_id": ring_id},
                       "export_identifiers": {"ring_id": ring_id}, "export_orders": {"ring_id": ring_id},
                       "cases_history": {"ring_id": ring_id}, "export_load_runs": {"ids": load_ids},
                       "rings_show_linked": tied_params}}


def _reasons(ring: dict) -> list[dict]:
    raw = ring.get("reasons")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return [{"signal": "", "value": None, "baseline": None, "evidence": [], "text": raw}]
    return [r if isinstance(r, dict) else {"text": str(r)} for r in raw or []]


# --------------------------------------------------------------------------- tables

MEMBER_COLUMNS = ["account_id", "ring_role", "detection_run", "account_role", "country", "status", "created_at",
                  "orders_placed", "orders_sold", "chargebacks", "refunds", "load_run", "status_load_run"]
IDENTIFIER_COLUMNS = ["type", "identifier", "ring_members", "account_id", "links", "orders", "first_seen",
                      "last_seen", "spellings", "nodes", "links_in_graph"]
ORDER_COLUMNS = ["order_id", "created_at", "buyer_id", "seller_id", "buyer_in_ring", "seller_in_ring", "amount",
                 "currency", "status", "promo_code", "device_id", "address_id", "address_raw", "instrument_id",
                 "card", "load_run", "status_load_run", "links_load_run"]
# status_load_run: the later load that changed the status; links_load_run: the later load that gave an
# identifier the order was first stored without


def _tables(data: dict, mask: _Masker) -> dict:
    members = [{c: r.get(c) for c in MEMBER_COLUMNS} for r in data["members"]]
    identifiers = []
    for r in data["identifiers"]:
        row = {c: r.get(c) for c in IDENTIFIER_COLUMNS}
        row["identifier"] = mask.identifier(r["type"], r["identifier"])
        row["links"] = sorted(r.get("links") or [])   # sorted: Neo4j promises no order within a collect
        row["spellings"] = flat_spellings(r.get("spellings"))
        row["nodes"] = [mask.instrument(n) if r["type"] in ("PaymentInstrument", "CardFingerprint") else n
                        for n in sorted(r.get("nodes") or [])]
        identifiers.append(row)
    orders = []
    for r in data["orders"]:
        row = {c: r.get(c) for c in ORDER_COLUMNS if c != "card"}
        row["instrument_id"] = mask.instrument(r.get("instrument_id"))
        row["card"] = mask.card(r.get("card_bin"), r.get("card_last4"))
        orders.append({c: row.get(c) for c in ORDER_COLUMNS})
    tied = [{**r, "identifiers": [{"kind": i["kind"], "id": mask.identifier(i["kind"], i["id"])}
                                  for i in r["identifiers"]]} for r in data["tied_rings"]]
    return {"members": members, "identifiers": identifiers, "orders": orders, "tied_rings": tied}


def _write_csv(path: Path, rows: list[dict], columns: list[str]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([spreadsheet_safe(row.get(c), _cell(row.get(c))) for c in columns])


def _hubs(identifiers: list[dict]) -> list[dict]:
    """Identifier rows grouped into one entry per shared identifier."""
    hubs: dict[tuple, dict] = {}
    for r in identifiers:
        h = hubs.setdefault((r["type"], r["identifier"]), {
            "type": r["type"], "type_name": TYPE_NAMES.get(r["type"], r["type"]), "identifier": r["identifier"],
            "ring_members": r["ring_members"], "links_in_graph": r["links_in_graph"], "members": [], "spellings": [],
            "first_seen": None, "last_seen": None, "orders": 0})
        h["members"].append(r["account_id"])
        h["orders"] += r["orders"] or 0
        for s in r["spellings"]:
            if s not in h["spellings"]:
                h["spellings"].append(s)
        for k, pick in (("first_seen", min), ("last_seen", max)):
            if r[k]:
                h[k] = pick(h[k], r[k]) if h[k] else r[k]
    return list(hubs.values())


# --------------------------------------------------------------------------- graph

def _graph(tables: dict):
    """Members, shared identifiers as hubs, and trades between members, as a networkx DiGraph."""
    import networkx as nx

    g = nx.DiGraph()
    for m in tables["members"]:
        g.add_node(f"account:{m['account_id']}", kind="member", type="account", label=m["account_id"],
                   ring_role=m["ring_role"] or "", account_role=m["account_role"] or "", country=m["country"] or "",
                   orders_placed=int(m["orders_placed"] or 0), chargebacks=int(m["chargebacks"] or 0))
    for h in _hubs(tables["identifiers"]):
        key = f"{h['type']}:{h['identifier']}"
        attrs = {"kind": "identifier", "type": h["type"], "label": h["identifier"], "ring_members": h["ring_members"]}
        if h["links_in_graph"] is not None:
            attrs["links_in_graph"] = int(h["links_in_graph"])
        g.add_node(key, **attrs)
    for r in tables["identifiers"]:
        key = f"{r['type']}:{r['identifier']}"
        attrs = {"type": ";".join(r["links"] or []), "orders": int(r["orders"] or 0)}
        for k in ("first_seen", "last_seen"):
            if r[k]:
                attrs[k] = str(r[k])
        g.add_edge(f"account:{r['account_id']}", key, **attrs)
    trades: dict[tuple, dict] = {}
    for o in tables["orders"]:
        if o["buyer_in_ring"] and o["seller_in_ring"]:
            t = trades.setdefault((o["buyer_id"], o["seller_id"]), {"orders": 0, "amount": 0.0})
            t["orders"] += 1
            t["amount"] += float(o["amount"] or 0)
    for (buyer, seller), t in sorted(trades.items()):
        g.add_edge(f"account:{buyer}", f"account:{seller}", type="BOUGHT_FROM", orders=t["orders"],
                   amount=round(t["amount"], 2))
    return g


def graphml_bytes(g) -> bytes:
    """``g`` as GraphML that is well-formed XML 1.0 whatever its ids and values hold (``_xml_text``)."""
    import networkx as nx

    safe = g.__class__()
    safe.graph.update(_xml_attrs(g.graph))
    safe.add_nodes_from((_xml_text(n), _xml_attrs(d)) for n, d in g.nodes(data=True))
    edges = g.edges(keys=True, data=True) if g.is_multigraph() else g.edges(data=True)
    safe.add_edges_from((*map(_xml_text, e[:-1]), _xml_attrs(e[-1])) for e in edges)
    buf = io.BytesIO()
    nx.write_graphml(safe, buf, encoding="utf-8", prettyprint=True)
    return buf.getvalue()


def _xml_attrs(attrs: dict) -> dict:
    return {_xml_text(k): _xml_text(v) for k, v in attrs.items()}


def _layout(g, seed: int = LAYOUT_SEED) -> dict:
    """Node positions in [0, 1]² from igraph's Fruchterman–Reingold layout with a fixed seed."""
    import random

    import igraph as ig

    nodes = sorted(g.nodes)
    if not nodes:
        return {}
    if len(nodes) == 1:
        return {nodes[0]: (0.5, 0.5)}
    index = {n: i for i, n in enumerate(nodes)}
    ig_graph = ig.Graph(n=len(nodes), edges=sorted({tuple(sorted((index[a], index[b]))) for a, b in g.edges}))
    start = [[math.cos(2 * math.pi * i / len(nodes)), math.sin(2 * math.pi * i / len(nodes))] for i in range(len(nodes))]
    ig.set_random_number_generator(random.Random(seed))
    try:
        coords = ig_graph.layout_fruchterman_reingold(seed=start, niter=800).coords
    finally:
        ig.set_random_number_generator(random)
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    return {n: ((coords[i][0] - min(xs)) / span_x, (coords[i][1] - min(ys)) / span_y) for n, i in index.items()}


def _drawing(g, width: int = 960, height: int = 640, margin: int = 36, label_room: int = 170) -> dict:
    """Everything the template needs to draw the ring as inline SVG."""
    pos = _layout(g)
    roles = sorted({d.get("ring_role") or "member" for _, d in g.nodes(data=True) if d["kind"] == "member"})
    colours, extra = {}, iter(EXTRA_COLOURS * 4)
    for role in roles:
        colours[role] = ROLE_COLOURS.get(role) or next(extra)

    def xy(n):
        x, y = pos[n]
        return round(margin + x * (width - 2 * margin - label_room), 1), round(margin + y * (height - 2 * margin), 1)

    nodes, edges = [], []
    for n, d in sorted(g.nodes(data=True)):
        x, y = xy(n)
        if d["kind"] == "member":
            role = d.get("ring_role") or "member"
            nodes.append({"kind": "member", "x": x, "y": y, "r": 9, "colour": colours[role], "label": d["label"],
                          "title": f"account {d['label']} ({role}, {d.get('account_role', '')}, "
                                   f"{d.get('orders_placed', 0)} orders, {d.get('chargebacks', 0)} chargebacks)"})
        else:
            shape, colour = IDENTIFIER_STYLE.get(d["type"], ("square", "#808b96"))
            size = 5 + 2 * math.log2(1 + d.get("ring_members", 1))
            label = d["label"] if len(d["label"]) <= 22 else d["label"][:20] + "…"
            nodes.append({"kind": "identifier", "x": x, "y": y, "r": round(size, 1), "shape": shape, "colour": colour,
                          "label": f"{TYPE_NAMES.get(d['type'], d['type'])}: {label}",
                          "title": f"{TYPE_NAMES.get(d['type'], d['type'])} {d['label']}: shared by "
                                   f"{d.get('ring_members')} members"
                                   + (f", {d['links_in_graph']:,} links in the whole graph"
                                      if d.get("links_in_graph") is not None else ""),
                          "points": _shape_points(shape, x, y, size)})
    for a, b, d in sorted(g.edges(data=True)):
        (x1, y1), (x2, y2) = xy(a), xy(b)
        edges.append({"x1": x1, "y1": y1, "x2": x2, "y2": y2, "trade": d.get("type") == "BOUGHT_FROM",
                      "title": f"{g.nodes[a]['label']} {d.get('type', '')} {g.nodes[b]['label']}"})
    legend = [{"label": f"member: {role}", "colour": c, "shape": "circle"} for role, c in colours.items()]
    types = sorted({d["type"] for _, d in g.nodes(data=True) if d["kind"] == "identifier"})
    legend += [{"label": TYPE_NAMES.get(t, t), "colour": IDENTIFIER_STYLE.get(t, ("square", "#808b96"))[1],
                "shape": IDENTIFIER_STYLE.get(t, ("square", ""))[0]} for t in types]
    return {"width": width, "height": height, "nodes": nodes, "edges": edges, "legend": legend}


def _shape_points(shape: str, x: float, y: float, s: float) -> str:
    if shape == "diamond":
        pts = [(x, y - s), (x + s, y), (x, y + s), (x - s, y)]
    elif shape == "triangle":
        pts = [(x, y - s), (x + s, y + s * 0.8), (x - s, y + s * 0.8)]
    else:
        pts = [(x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s)]
    return " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)


# --------------------------------------------------------------------------- timeline chart

STATUS_COLOURS = {"completed": "#5d6d7e", "chargeback": "#c0392b", "refunded": "#e67e22", "cancelled": "#aab7b8",
                  "disputed": "#8e44ad", "pending": "#d4ac0d"}


def _timeline_svg(orders: list[dict], members: list[dict]) -> str:
    """Orders per day (per week over long spans), stacked by status, with account creation marks."""
    from datetime import date, timedelta

    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    days = [(str(o["created_at"])[:10], o["status"] or "unknown") for o in orders if o.get("created_at")]
    if not days:
        return ""
    first, last = date.fromisoformat(min(d for d, _ in days)), date.fromisoformat(max(d for d, _ in days))
    weekly = (last - first).days > 120
    width = 7 if weekly else 1

    def bucket(d):
        d = date.fromisoformat(d)
        return d - timedelta(days=d.weekday()) if weekly else d

    statuses = sorted({s for _, s in days}, key=lambda s: (s != "completed", s))
    counts: dict = {}
    for d, s in days:
        counts.setdefault(bucket(d), {}).setdefault(s, 0)
        counts[bucket(d)][s] += 1
    xs = sorted(counts)
    with matplotlib.rc_context({"svg.hashsalt": "graphfraud", "svg.fonttype": "path", "font.size": 9}):
        fig = Figure(figsize=(9.6, 3.0), dpi=100)
        FigureCanvasSVG(fig)
        ax = fig.add_subplot()
        bottom = [0] * len(xs)
        for s in statuses:
            heights = [counts[x].get(s, 0) for x in xs]
            ax.bar(xs, heights, width=width * 0.9, bottom=bottom, label=s, color=STATUS_COLOURS.get(s, "#34495e"),
                   align="edge" if weekly else "center")
            bottom = [b + h for b, h in zip(bottom, heights)]
        created = [date.fromisoformat(str(m["created_at"])[:10]) for m in members if m.get("created_at")]
        created = [c for c in created if first - timedelta(days=30) <= c <= last]
        if created:
            ax.plot(created, [0] * len(created), marker="|", markersize=14, linestyle="none", color="#2471a3",
                    label="account created", clip_on=False)
        ax.set_ylabel("orders per week" if weekly else "orders per day")
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(loc="upper left", frameon=False, ncol=min(len(statuses) + 1, 6))
        fig.autofmt_xdate()
        fig.tight_layout()
        return inline_svg(fig)


# --------------------------------------------------------------------------- summary, queries, report

def _summary(data: dict, tables: dict, mask: _Masker, created: dict) -> dict:
    ring = {k: v for k, v in data["ring"].items() if k != "reasons"}
    orders = tables["orders"]
    amounts: dict[str, float] = {}
    for o in orders:
        amounts[o["currency"] or ""] = round(amounts.get(o["currency"] or "", 0.0) + float(o["amount"] or 0), 2)
    statuses: dict[str, int] = {}
    for o in orders:
        statuses[o["status"] or ""] = statuses.get(o["status"] or "", 0) + 1
    hubs = _hubs(tables["identifiers"])
    return {
        "ring": ring,
        "reasons": _reasons(data["ring"]),
        "counts": {"members": len(tables["members"]),
                   "members_by_role": _count(tables["members"], "ring_role"),
                   "shared_identifiers": len(hubs), "shared_identifiers_by_type": _count(hubs, "type"),
                   "orders": len(orders), "orders_by_status": statuses, "order_amount_by_currency": amounts,
                   "orders_between_members": sum(1 for o in orders if o["buyer_in_ring"] and o["seller_in_ring"])},
        "period": {"first_order": min((o["created_at"] for o in orders if o["created_at"]), default=None),
                   "last_order": max((o["created_at"] for o in orders if o["created_at"]), default=None)},
        "tied_rings": tables["tied_rings"],
        "tied_rings_run": data["params"]["rings_show_linked"]["run_id"],
        "case": {"status": data["ring"].get("status") or "open",
                 "history": data["history"]},
        "detection_runs": data["detection_runs"],
        "load_runs": data["load_runs"],
        "masked": not mask.unmask,
        "created_at": created["at"], "created_by": created["by"], "graphfraud_version": __version__,
    }


def _count(rows, key) -> dict:
    out: dict = {}
    for r in rows:
        out[r.get(key) or ""] = out.get(r.get(key) or "", 0) + 1
    return dict(sorted(out.items()))


def _queries_text(data: dict, ring_id: str, created: dict, masked: bool) -> str:
    from .store import statement

    lines = [f"// graphfraud evidence bundle for ring {shown(ring_id)}, created {created['at']} "
             f"by {shown(created['by'])}",   # shown: a line break in a name would end the comment
             f"// with graphfraud {__version__}.",
             "// Each block reproduces a file of this bundle from the database: set the parameters, then run",
             "// the statement (cypher-shell or Neo4j Browser). The rows come back in the file's row order;",
             "// the CSV columns are the statement's columns, with timestamps shortened to ISO 8601 and lists",
             "// joined with '; ', except in orders.csv, where card_bin and card_last4 are one card column",
             "// (bin:last4). A text cell that starts with =, +, -, @, a tab or a carriage return has a",
             "// leading ' so that a spreadsheet shows it as text."]
    if masked:
        lines.append("// In this bundle instrument ids and card numbers are masked (normalise.mask_id/mask_card:")
        lines.append("// the card column is bin******last4); the statements return them in full.")
    lines.append("// graph.graphml, summary.json and report.html are built from the rows of these statements.")
    used = {}
    for file, names in QUERIES.items():
        for name in names:
            used.setdefault(name, []).append(file)
    for name, files in used.items():
        params = data["params"][name]
        lines += ["", f"// ---- {', '.join(files)}: cypher/{name}.cypher",
                  f":param {_cypher_literal(params)}", statement(name) + ";"]
    return "\n".join(lines) + "\n"


def _report_html(data: dict, tables: dict, summary: dict, drawing: dict, timeline: str, mask: _Masker) -> str:
    env = templates(num=_num, day=lambda v: str(v)[:10] if v else "")
    template = env.get_template("ring_report.html.j2")
    hubs = sorted(_hubs(tables["identifiers"]), key=lambda h: (-h["ring_members"], h["type"], str(h["identifier"])))
    return template.render(summary=summary, ring=summary["ring"], reasons=summary["reasons"],
                           members=tables["members"], hubs=hubs, orders=tables["orders"][:REPORT_ORDER_ROWS],
                           order_total=len(tables["orders"]), drawing=drawing, timeline=timeline,
                           history=summary["case"]["history"], masked=not mask.unmask, type_names=TYPE_NAMES,
                           cap=data["params"]["rings_show_linked"]["cap"],
                           min_orders=data["params"]["rings_show_linked"]["min_orders"])


def _num(value, digits: int = 3) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


# --------------------------------------------------------------------------- export

def _check_target(out: Path, force: bool, ring_id: str) -> None:
    """``out`` may be new, an empty folder, or (with ``force``) an earlier bundle of the same ring
    and nothing else: never anything --force would lose. A symbolic link is refused, not followed:
    the bundle would land wherever it points that day, and --force would replace the link."""
    try:
        if out.is_symlink():
            raise UsageError(f"--out {shown(out)} is a symbolic link: give the folder itself")
        if out.name in ("", "..") or (out.is_dir() and os.path.samefile(out, os.curdir)):
            raise UsageError(f"--out {shown(out)}: give the bundle a folder of its own (such as --out "
                             f"{shown(ring_id)}), not '.', '..', '/' or the current folder")
        if out.exists() and not out.is_dir():
            raise UsageError(f"{shown(out)} exists and is not a folder")
        if _holds_anything(out):
            if not force:
                raise UsageError(f"{shown(out)} is not empty: refusing to write a bundle into it "
                                 "(use --force to replace it)")
            _check_replaceable(out, ring_id)
        for parent in out.parents:   # the folder will be created: nothing on the way may be a file
            if parent.exists():
                if not parent.is_dir() or not os.access(parent, os.W_OK):
                    raise _cannot_write(out, f"{shown(parent)} is not a folder this user can write in")
                break
    except OSError as e:   # a path the system refuses to look at (too long, permissions)
        raise _cannot_write(out, e.strerror or str(e)) from None


def _holds_anything(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def _check_replaceable(out: Path, ring_id: str) -> None:
    """``--force`` replaces a folder only when it holds a bundle of ``ring_id`` and nothing else, each
    file a regular one by a bundle file's name, as export wrote it: the investigator's notes or
    attachments beside it (even in a folder named ``report.html``), or another ring's bundle, would be lost."""
    if not _regular_file(out / MANIFEST) or out.resolve() == Path.home().resolve():
        raise UsageError(f"{shown(out)} is not an evidence bundle (no {MANIFEST}): --force replaces only a bundle")
    manifest, _ = _read_manifest(out / MANIFEST)
    found = manifest.get("ring_id") if manifest else None
    if found != ring_id:
        held = f"the bundle of ring {shown(found)}" if isinstance(found, str) else f"an unreadable {MANIFEST}"
        raise UsageError(f"{shown(out)} holds {held}: --force replaces only a bundle of ring {shown(ring_id)}")
    foreign = sorted(_entry_name(p) for p in out.iterdir() if not (p.name in BUNDLE_FILES and _regular_file(p)))
    if foreign:
        raise UsageError(f"{shown(out)} holds files a bundle does not have, which --force would delete: "
                         f"{', '.join(foreign)}")


def _regular_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _entry_name(path: Path) -> str:
    """A name as ``ls -F`` lists it: a folder's with "/", a symbolic link's with "@"."""
    return shown(path.name) + ("@" if path.is_symlink() else "/" if path.is_dir() else "")


def _cannot_write(out: Path, why: str) -> UsageError:
    return UsageError(f"--out {shown(out)}: cannot write there ({why})")


def export_ring(store, ring_id: str, out: Path, unmask: bool = False, force: bool = False, by: str | None = None,
                now: datetime | None = None) -> ExportResult:
    """Write the evidence bundle of one ring into ``out`` (created; replaced only with ``force``)."""
    from .cases import author

    out = Path(out)
    _check_target(out, force, ring_id)
    data = _read(store, ring_id)
    mask = _Masker(unmask)
    created = {"at": (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")
               .replace("+00:00", "Z"), "by": author(by)}
    tables = _tables(data, mask)
    summary = _summary(data, tables, mask, created)
    graph = _graph(tables)
    drawing = _drawing(graph)
    timeline = _timeline_svg(tables["orders"], tables["members"])

    tmp = _partial_folder(out, private=unmask)
    try:
        _write_csv(tmp / "members.csv", tables["members"], MEMBER_COLUMNS)
        _write_csv(tmp / "identifiers.csv", tables["identifiers"], IDENTIFIER_COLUMNS)
        _write_csv(tmp / "orders.csv", tables["orders"], ORDER_COLUMNS)
        (tmp / "graph.graphml").write_bytes(graphml_bytes(graph))
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str) + "\n",
                                          encoding="utf-8")
        (tmp / "queries.cypher").write_text(_queries_text(data, ring_id, created, not unmask), encoding="utf-8")
        (tmp / "report.html").write_text(_report_html(data, tables, summary, drawing, timeline, mask), encoding="utf-8")
        files = {name: {"sha256": sha256_file(tmp / name), "bytes": (tmp / name).stat().st_size} for name in DATA_FILES}
        manifest = {
            "format": FORMAT, "ring_id": ring_id, "graphfraud_version": __version__,
            "created_at": created["at"], "created_by": created["by"], "masked": not unmask,
            "database": getattr(store, "target", None),
            "load_runs": data["load_runs"],
            "detection_runs": [{k: v for k, v in d.items() if k in ("id", "started_at", "ended_at", "as_of", "status")}
                               for d in data["detection_runs"]],
            "case_status": data["ring"].get("status") or "open",
            "files": files,
            "manifest_sha256_of": "canonical JSON (sorted keys, no whitespace, UTF-8) of this object "
                                  "without manifest_sha256",
        }
        manifest["manifest_sha256"] = manifest_hash(manifest)
        (tmp / MANIFEST).write_text(_manifest_text(manifest), encoding="utf-8")
        if unmask:
            for name in BUNDLE_FILES:
                (tmp / name).chmod(0o600)
        _place(tmp, out, force, ring_id)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    counts = {"members": len(tables["members"]), "identifiers": len(_hubs(tables["identifiers"])),
              "orders": len(tables["orders"])}
    # the manifest is named by its own hash, the one verify shows and checks (--expect)
    return ExportResult(out, ring_id, {n: f["sha256"] for n, f in files.items()} | {MANIFEST: manifest["manifest_sha256"]},
                        counts, not unmask, manifest["manifest_sha256"])


def _partial_folder(out: Path, private: bool) -> Path:
    """The temporary folder beside ``out`` the bundle is written into; ``private`` (an unmasked
    bundle: every instrument id in full) makes it its owner's alone, as the home folder is."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
        tmp.mkdir(mode=0o700 if private else 0o777)
    except OSError as e:   # a place the system lets no one write in (/proc), a full disk
        raise _cannot_write(out, e.strerror or str(e)) from None
    return tmp


def _place(tmp: Path, out: Path, force: bool, ring_id: str) -> None:
    """Rename the finished bundle onto ``out``. The rename replaces an empty folder but fails on one
    that holds anything, so what appeared at ``out`` during the export (another export's bundle) is
    never replaced. With ``force`` the earlier bundle, checked again, is moved aside first and
    removed file by file once the new one is in place."""
    old = _move_aside(out, ring_id) if force else None
    try:
        os.rename(tmp, out)
    except BaseException as e:   # a Ctrl-C too: the earlier bundle goes back where it was
        if old is not None:
            _put_back(old, out)
        if isinstance(e, OSError):
            raise _not_placed(out, e) from None
        raise
    if old is not None:
        _remove_bundle(old, out)


def _move_aside(out: Path, ring_id: str) -> Path | None:
    """The earlier bundle at ``out``, renamed to a hidden folder beside it; None when there is none."""
    _check_target(out, True, ring_id)   # again: files may have been added to it during the export
    if not _holds_anything(out):
        return None
    old = out.parent / f".{out.name}.replaced-{uuid.uuid4().hex[:8]}"
    try:
        os.rename(out, old)
    except FileNotFoundError:   # moved away meanwhile by another export with --force
        return None
    except OSError as e:
        raise _cannot_write(out, e.strerror or str(e)) from None
    return old


def _put_back(old: Path, out: Path) -> None:
    try:
        os.rename(old, out)
    except OSError:
        raise GraphfraudError(f"{shown(out)} was filled by another export while this one replaced it: this bundle "
                              f"was discarded, and the earlier one is kept in {shown(old)}") from None


def _not_placed(out: Path, e: OSError) -> UsageError:
    if e.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
        return UsageError(f"{shown(out)} is not empty any more: something was written there during this export "
                          "(another export?); nothing was replaced, and this bundle was discarded")
    return _cannot_write(out, e.strerror or str(e))


def _remove_bundle(old: Path, out: Path) -> None:
    """Remove the replaced bundle: its files by name, then its folder, kept if anything else appeared in it."""
    try:
        for name in BUNDLE_FILES:
            (old / name).unlink(missing_ok=True)
        old.rmdir()
    except OSError:
        raise GraphfraudError(f"bundle written to {shown(out)}; the earlier one's folder, kept in {shown(old)}, "
                              "holds files export did not write") from None


# --------------------------------------------------------------------------- verify

_LINKED = "replaced by a symbolic link"


def verify(folder: Path, expect: str | None = None) -> Verification:
    """Recompute every hash of a bundle; each file's row says ok, changed, missing or extra.

    ``expect`` is the manifest hash recorded in the case file when the bundle was exported: a
    bundle rewritten with every hash recomputed still matches itself, but not that record.
    Files are compared byte for byte, and a file or folder in the bundle that is a symbolic
    link fails it: a link is not the evidence, whatever it points at today. A folder with neither
    manifest.json nor a file only a bundle has, checked without ``expect``, is no bundle at all: a
    usage error, not a failed verification (a bundle whose manifest was deleted fails).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"{shown(folder)} is not a folder")
    if expect is None and not is_bundle(folder):   # with --expect it was a bundle
        raise UsageError(f"{shown(folder)} is not an evidence bundle (no {MANIFEST})")
    result = Verification(folder)
    manifest_row, listed = _manifest_row(folder / MANIFEST, expect)
    result.rows.append(manifest_row)
    result.rows += [_listed_row(folder / name, listed[name]) for name in sorted(listed)]
    result.rows += [_extra_row(path) for path in sorted(folder.iterdir()) if path.name not in (MANIFEST, *listed)]
    return result


def is_bundle(folder: Path) -> bool:
    """Whether ``folder`` holds an evidence bundle, even a damaged one: a manifest (or a link in its
    place) or a file only a bundle has. A command writing into a folder checks it first, so that it
    never replaces a bundle's ``report.html`` (``weekly --out``)."""
    folder = Path(folder)
    return (folder / MANIFEST).exists() or (folder / MANIFEST).is_symlink() or \
        any((folder / name).exists() for name in BUNDLE_ONLY)


def _row(name: str, status: str, expected: str = "", actual: str = "") -> dict:
    return {"file": name, "status": status, "expected_sha256": expected, "actual_sha256": actual}


def _bytes(path: Path) -> bytes | None:
    """A regular file's exact bytes; None for a folder, a device, a pipe or a file that cannot be read."""
    if not path.is_file():
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def _read_manifest(path: Path) -> tuple[dict | None, bytes | None]:
    """manifest.json's exact bytes, and the manifest they hold: None unless a JSON object with a file list."""
    raw = _bytes(path)
    try:
        manifest = json.loads(raw.decode("utf-8")) if raw is not None else None
    except (ValueError, RecursionError):   # not UTF-8, not JSON, or nested deeper than Python's stack
        manifest = None
    usable = isinstance(manifest, dict) and isinstance(manifest.get("files"), dict)
    return (manifest if usable else None), raw


def _manifest_row(path: Path, expect: str | None) -> tuple[dict, dict]:
    """manifest.json's row, and the files it lists under names that stay inside the bundle."""
    if not path.exists() and not path.is_symlink():
        return _row(MANIFEST, "missing"), {}
    manifest, raw = _read_manifest(path)
    if manifest is None:
        status = _LINKED if path.is_symlink() else "changed (not a readable manifest)"
        return _row(MANIFEST, status, actual=hashlib.sha256(raw).hexdigest() if raw is not None else ""), {}
    expected, actual = manifest.get("manifest_sha256", ""), manifest_hash(manifest)
    status = "ok" if expected == actual else "changed (its own hash does not match)"
    if status == "ok" and raw != _manifest_text(manifest).encode("utf-8"):
        # any edit counts: a key written twice shows a reader one value and the parser another
        status = "changed (its text is not the manifest it holds)"
    if expect is not None and actual != expect:
        status, expected = "changed (not the manifest recorded at export)", expect
    listed = manifest["files"]
    bad_names = [n for n in listed if not isinstance(n, str) or Path(n).name != n or n in ("", ".", "..")]
    if bad_names:
        status = "changed (names files outside the bundle)"
        listed = {n: v for n, v in listed.items() if n not in bad_names}
    if path.is_symlink():
        status = _LINKED
    return _row(MANIFEST, status, expected, actual), listed


def _listed_row(path: Path, entry) -> dict:
    """The row of a file the manifest lists: ok, changed, missing or a symbolic link (never followed)."""
    expected = entry.get("sha256", "") if isinstance(entry, dict) else str(entry)
    if path.is_symlink():
        return _row(path.name, _LINKED, expected)
    if not path.is_file():
        return _row(path.name, "missing", expected)
    actual = _hash(path)
    return _row(path.name, "ok" if actual == expected else "changed" if actual else "changed (unreadable)",
                expected, actual)


def _hash(path: Path) -> str:
    """A file's SHA-256; "" when it cannot be read (its permissions, a failing disk)."""
    try:
        return sha256_file(path)
    except OSError:
        return ""


def _extra_row(path: Path) -> dict:
    """The row of a file or folder the manifest does not list."""
    if path.is_symlink():
        return _row(path.name, "extra (a symbolic link)")
    return _row(path.name + ("/" if path.is_dir() else ""), "extra", actual=_hash(path) if path.is_file() else "")
