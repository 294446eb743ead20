"""Looking around one entity: resolve an id, expand its neighbourhood, paths, shared links.

An investigator starts from whatever they were handed: an account id, a device id as
some system printed it, an IP, an address as a person writes it, an instrument id or
card fingerprint (``bin:last4``), an order id, a promo code. ``resolve`` finds what that
names: each type is looked up with its own normalised spelling (``normalise.device_id``,
``address_key`` under every country's rules, upper-cased promo codes …) in one query.
``expand`` also takes an IP subnet or a building (``HUBS``).

All graph work is aggregated on the server: ``expand`` sends one query per hop for the whole
frontier (a key behind several nodes starts as a hub of them), and a super-node (a
device behind 5,000 accounts) comes back as a count plus its top ``limit`` neighbours (highest
ring score, then newest), never in full. ``shared`` is one query; ``paths`` one shortest-path
query, then one listing every connection of that length when it is short (``ALL_PATHS_HOPS``).

The rings shown beside an account are its current rings: those of the latest complete
detection run (``rings list``). A ring that merged away or dissolved keeps its members
for ``rings show`` and evidence bundles, but is no longer where the account stands.
"""

import difflib
import ipaddress
import math
import re
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

from . import normalise
from .errors import GraphfraudError, NotFoundError, UsageError

__all__ = [
    "TYPES", "Entity", "AmbiguousIdError", "resolve", "expand", "Neighbourhood", "Node", "Edge", "More",
    "paths", "Path", "shared", "SharedLink", "to_networkx", "describe", "rel_text", "MAX_HOPS", "unknown_ring",
    "flat_spellings", "current_run", "HUBS", "hub_keys",
]

# type name -> node label, in the order candidates are listed
TYPES = {"account": "Account", "device": "Device", "ip": "IP", "address": "Address",
         "instrument": "PaymentInstrument", "order": "Order", "promo": "PromoCode"}
TYPE_OF_LABEL = {label: t for t, label in TYPES.items()} | {"Ring": "ring"}
MAX_HOPS = 4
MAX_PATH_HOPS = 6   # the bound written into cypher/investigate_path_shortest.cypher
ALL_PATHS_HOPS = 4  # ... and into cypher/investigate_paths.cypher: every connection up to this long
MAX_NODES = 2000    # expand stops adding nodes past this many, and says so
FINGERPRINT = re.compile(r"\d{6}:\d{4}")   # a card fingerprint as stored and printed: bin:last4
MASKED_CARD = re.compile(r"(\d{6})\*{6}(\d{4})")   # the same card as messages and bundles show it: 411111******1111


def fingerprint_in(raw: str) -> str | None:
    """The card fingerprint ``raw`` is, typed as stored (``411111:1111``) or copied masked from a
    message or a bundle (``411111******1111``); None for anything else.

    >>> fingerprint_in("411111******1111"), fingerprint_in("411111:1111"), fingerprint_in("4111")
    ('411111:1111', '411111:1111', None)
    """
    masked = MASKED_CARD.fullmatch(raw)
    if masked:
        return f"{masked[1]}:{masked[2]}"
    return raw if FINGERPRINT.fullmatch(raw) else None
REL_ORDER = {rel: i for i, rel in enumerate(("USED_DEVICE", "HAS_INSTRUMENT", "HAS_ADDRESS", "USED_IP", "SOLD_BY",
                                             "PLACED", "PAID_WITH", "FROM_DEVICE", "SHIPPED_TO", "USED_PROMO"))}


TYPED_SHOWN = 120   # characters of what was typed that a message quotes: a pasted page is not echoed back


def _typed(text: str) -> str:
    """What the investigator typed, as a message quotes it: every run of 12 digits or more masked,
    as in a quarantined row, since a card number with a typo or cut short is still most of one;
    cut after ``TYPED_SHOWN`` characters.

    >>> _typed("acc-1"), _typed("x" * 500)[-20:]
    ("'acc-1'", "x'… (500 characters)")
    """
    shown = normalise.mask_card_numbers(text, checked=False)
    if len(shown) > TYPED_SHOWN:
        return f"{shown[:TYPED_SHOWN]!r}… ({len(text):,} characters)"
    return repr(shown)


class AmbiguousIdError(GraphfraudError):
    """An id that names several entities; ``candidates`` lists them. ``option`` is the one that
    says the type (``path`` has one per end)."""

    def __init__(self, text: str, candidates: list["Entity"], option: str = "--type"):
        self.candidates = candidates
        listed = ", ".join(f"{c.type} {c.id!r}" for c in candidates[:8])
        more = f" and {len(candidates) - 8} more" if len(candidates) > 8 else ""
        how = f"say which with {option}" if len({c.type for c in candidates}) > 1 else "give one of their ids"
        super().__init__(f"{_typed(text)} is ambiguous: it names {listed}{more}; {how}")


class UnknownIdError(NotFoundError):
    """An id that names nothing; ``suggestions`` are ids that look close."""

    def __init__(self, text: str, types: list[str], suggestions: list["Entity"]):
        self.suggestions = suggestions
        what = " or ".join(types) if len(types) <= 2 else "entity (" + ", ".join(types) + ")"
        message = f"no {what} has the id {_typed(text)}"
        if suggestions:
            message += "; did you mean " + ", ".join(f"{s.type} {s.id!r}" for s in suggestions) + "?"
        super().__init__(message)


@dataclass(frozen=True)
class Entity:
    type: str
    id: str

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


# --------------------------------------------------------------------------- resolving ids

def _check_type(type_: str | None) -> None:
    if type_ is not None and type_ not in TYPES:
        raise UsageError(f"unknown type {type_!r}; expected one of {', '.join(TYPES)}")


def _address_keys(text: str) -> list[str]:
    """The keys an address typed by a person could have been stored under (one per country's rules)."""
    countries = [None, *normalise.COUNTRIES]
    text = normalise.mask_stored_text(text)   # as the loader stores an address that holds one
    keys = []
    for cc in countries:
        key = normalise.address_key(text, cc)
        if key and key not in keys:
            keys.append(key)
    return keys


def candidate_keys(text: str, type_: str | None = None) -> dict[str, list[str]]:
    """Per type, the stored ids ``text`` could be (the resolve query's parameters)."""
    raw = text.strip()
    keys = {t: [] for t in TYPES} | {"fingerprint": [], "ring": []}
    if not raw:
        return keys

    def want(t):
        return type_ is None or type_ == t

    def stored(column):   # as the loader stores an id that is or holds a card number
        if not normalise.may_hold_card_number(raw):
            return []
        from .home import card_hash_key

        return [normalise.id_as_stored(column, raw, card_hash_key)]

    def given_card():   # as the loader stores a card_number: any Luhn-valid number, issued or not
        digits = normalise.card_digits(normalise.plain_digits(raw))
        if not (digits and normalise.luhn_valid(digits)):
            return []
        from .home import card_hash_key

        return [normalise.card_key(digits, card_hash_key())]

    if want("account"):
        keys["account"] = [raw, *stored("account_id")]
    if want("order"):
        keys["order"] = [raw, *stored("order_id")]
    if want("device"):
        keys["device"] = sorted({raw, normalise.device_id(raw), *stored("device_id")})
    if want("ip"):
        ips = [raw]
        try:
            ips.append(str(ipaddress.ip_address(raw)))
        except ValueError:
            pass
        keys["ip"] = sorted(set(ips))
    if want("address") and (type_ == "address" or re.search(r"[\s,]", raw)):
        keys["address"] = _address_keys(raw) + ([raw] if type_ == "address" else [])
    if want("instrument"):
        keys["instrument"] = [raw, *stored("instrument_id"), *given_card()]
        fingerprint = fingerprint_in(raw)
        keys["fingerprint"] = [fingerprint] if fingerprint else []
    if want("promo"):
        keys["promo"] = sorted({raw, normalise.promo_code(raw), *stored("promo_code")})
    if type_ is None:
        keys["ring"] = [raw]
    return keys


def resolve(store, text: str, type_: str | None = None, option: str = "--type") -> Entity:
    """The one entity ``text`` names; ``UnknownIdError`` with close matches, or ``AmbiguousIdError``
    naming ``option``, the option that gives the type."""
    return _one(store, text, type_, option, _lookup(store, text, type_, None))[0]


def _lookup(store, text: str, type_: str | None, run_id: str | None) -> list[dict]:
    """The resolve query's rows: every entity ``text`` may name."""
    _check_type(type_)
    if not text or not text.strip():
        raise UsageError("the id is empty")
    return store.read("investigate_resolve", **candidate_keys(text, type_), run_id=run_id)


def _one(store, text: str, type_: str | None, option: str, rows: list[dict]) -> tuple[Entity, dict]:
    """The one entity among the resolve query's ``rows`` with its row (properties, rings of the
    detection run looked up, links), or the error that says why there is none."""
    found = [Entity(r["type"], r["id"]) for r in rows]
    entities = [e for e in found if e.type != "ring"]
    if len(entities) == 1:
        return entities[0], next(r for r in rows if r["type"] != "ring")
    if len(entities) > 1:
        raise AmbiguousIdError(text, entities, option)
    if found:  # only a ring has that id
        raise UsageError(f"{_typed(text)} is a ring: see it with `graphfraud rings show {found[0].id}`")
    if type_:   # an id of another kind, given where one kind is asked for (`shared` takes two accounts)
        other = [Entity(r["type"], r["id"]) for r in _lookup(store, text, None, None) if r["type"] != "ring"]
        if other:
            raise NotFoundError(f"no {type_} has the id {_typed(text)}: it names "
                                + ", ".join(f"{e.type} {e.id!r}" for e in other[:3]))
    types = [type_] if type_ else list(TYPES)
    raise UnknownIdError(text, types, [] if normalise.card_number_in(text) else suggestions(store, text, types))


def unknown_ring(store, ring_id: str) -> GraphfraudError:
    """The error for a ring id that names no ring, with ring ids close to it (every command
    that takes a ring id says it the same way); an empty one is a usage error, as for ``expand``."""
    if not ring_id.strip():
        return UsageError("the ring id is empty")
    return UnknownIdError(ring_id, ["ring"], suggestions(store, ring_id, ["ring"]))


def current_run(store) -> str | None:
    """The latest complete detection run: its rings are where an account stands now."""
    rows = store.read("rings_latest_run")
    return rows[0]["id"] if rows else None


def suggestions(store, text: str, types: list[str], n: int = 5) -> list[Entity]:
    """Ids close to ``text`` among those sharing its first characters (a bounded candidate list)."""
    raw = text.strip()
    if len(raw) < 2:
        return []
    # longest prefixes first: the server keeps the first $per_type ids it finds per type
    lengths = sorted({max(2, len(raw) - d) for d in (1, 2, 4)} | {min(len(raw), 4)}, reverse=True)
    prefixes = []
    for k in lengths:
        for variant in (raw, raw.lower(), raw.upper(), normalise.device_id(raw)):
            if variant[:k] not in prefixes:
                prefixes.append(variant[:k])
    keys = _address_keys(raw)[:1] if "address" in types else []
    address = [key[:max(2, len(key) - d)] for key in keys for d in (1, 4, 8)]
    rows = store.read("investigate_suggest", prefixes=prefixes, address_prefixes=address, types=list(types),
                      per_type=200)
    by_id: dict[str, list[Entity]] = {}
    for r in rows:
        by_id.setdefault(r["id"], []).append(Entity(r["type"], r["id"]))
    target = raw.lower()
    scored = []
    for i in by_id:
        ratio = difflib.SequenceMatcher(None, target, i.lower()).ratio()
        if ratio >= 0.6:  # an id the text is the start of (a truncated paste) comes first
            scored.append((-ratio - (0.1 if i.lower().startswith(target) else 0.0), len(i), i))
    return [e for _, _, i in sorted(scored)[:n] for e in by_id[i]][:n]


# --------------------------------------------------------------------------- describing nodes

def _day(value) -> str:
    return str(value)[:10] if value else ""


def _ring_summary(rings: list[dict]) -> dict:
    rings = sorted(rings or [], key=lambda r: (-(r.get("score") or 0), r.get("id") or ""))
    return {"rings": rings, "ring": rings[0]["id"] if rings else None,
            "ring_score": rings[0].get("score") if rings else None,
            "ring_role": rings[0].get("role") if rings else None}


def describe(type_: str, props: dict) -> str:
    """A few words about an entity for a tree or a table row."""
    p = props or {}
    if type_ == "account":
        parts = [p.get("role"), p.get("country"), p.get("status") if p.get("status") not in (None, "active") else None,
                 f"since {_day(p.get('created_at'))}" if p.get("created_at") else None]
    elif type_ == "order":
        amount = p.get("amount")
        parts = [f"{amount:,.2f} {p.get('currency') or ''}".strip() if isinstance(amount, (int, float)) else None,
                 p.get("status"), _day(p.get("created_at")), f"promo {p['promo_code']}" if p.get("promo_code") else None]
    elif type_ == "address":
        parts = [p.get("country"), p.get("postcode")]
    elif type_ == "ip":
        parts = [f"subnet {p['subnet']}" if p.get("subnet") else None]
    elif type_ in HUBS:
        parts = [f"{HUBS[type_].name} of {p.get('nodes')} {_plural(HUBS[type_].nodes)}"]
    elif type_ == "instrument":
        parts = [p.get("kind"), normalise.mask_card(p.get("bin") or "", p.get("last4") or "")
                 if p.get("last4") else None]
    else:
        parts = []
    return ", ".join(str(x) for x in parts if x)


def rel_text(rel: str, forward: bool) -> str:
    """A link as it reads from the node it starts at: ``-[USED_DEVICE]->`` or ``<-[USED_DEVICE]-``."""
    return f"-[{rel}]->" if forward else f"<-[{rel}]-"


# --------------------------------------------------------------------------- expand

@dataclass
class Node:
    type: str
    id: str
    depth: int
    props: dict = field(default_factory=dict)
    rings: list = field(default_factory=list)
    links: int | None = None
    parent: str | None = None      # key of the node it was reached from
    rel: str | None = None         # the link type it was reached through
    forward: bool | None = None    # True when the link points from the parent to it
    link: dict = field(default_factory=dict)  # properties of that link (first/last seen, raw spellings)

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id}"

    def row(self) -> dict:
        ring = _ring_summary(self.rings)
        return {"depth": self.depth, "type": self.type, "id": self.id, "parent": self.parent or "",
                "link": rel_text(self.rel, self.forward) if self.rel else "", "details": describe(self.type, self.props),
                "links": self.links, "ring": ring["ring"], "ring_score": ring["ring_score"], "ring_role": ring["ring_role"],
                "first_seen": _day(self.link.get("first_seen")), "last_seen": _day(self.link.get("last_seen"))}


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    rel: str


@dataclass
class More:
    """Neighbours of one node through one link type that are not listed (a super-node's tail)."""

    parent: str
    rel: str
    forward: bool
    type: str
    total: int
    shown: int
    hidden: int

    def text(self) -> str:
        noun = self.type if self.hidden == 1 else _plural(self.type)
        return f"… {self.hidden:,} more {noun} ({self.total:,} in all through {self.rel})"


def _plural(type_: str) -> str:
    return {"address": "addresses", "ip": "IPs"}.get(type_, type_ + "s")


@dataclass
class Neighbourhood:
    root: Node
    hops: int
    limit: int
    nodes: list[Node]
    edges: list[Edge]
    more: list[More]
    stopped: bool = False  # MAX_NODES was reached

    def rows(self) -> list[dict]:
        """One row per node, then one per summarised group (type ``more``), for tables and CSV."""
        rows = [n.row() for n in self.nodes]
        for m in self.more:
            rows.append({"depth": None, "type": "more", "id": "", "parent": m.parent,
                         "link": rel_text(m.rel, m.forward), "details": m.text(), "links": m.total})
        return rows

    def as_json(self) -> dict:
        return {"root": self.root.key, "hops": self.hops, "limit": self.limit, "stopped": self.stopped,
                "nodes": [{"key": n.key, **asdict(n), **_ring_summary(n.rings), "details": describe(n.type, n.props)}
                          for n in self.nodes],
                "edges": [asdict(e) for e in self.edges],
                "more": [{**asdict(m), "text": m.text()} for m in self.more]}

    def children(self) -> dict[str, list]:
        """Parent key -> its child nodes and summaries, grouped by link type (for a tree)."""
        out: dict[str, list] = {}
        for seq, n in enumerate(self.nodes[1:]):
            out.setdefault(n.parent, []).append(((REL_ORDER.get(n.rel, 99), not n.forward, 0, seq), n))
        for seq, m in enumerate(self.more):
            out.setdefault(m.parent, []).append(((REL_ORDER.get(m.rel, 99), not m.forward, 1, seq), m))
        return {k: [x for _, x in sorted(v, key=lambda t: t[0])] for k, v in out.items()}

    def cross_links(self) -> dict[str, list[tuple[Node, Edge]]]:
        """Per node, links to nodes listed elsewhere in the tree (the ones that reveal sharing)."""
        by_key = {n.key: n for n in self.nodes}
        tree = {(n.parent, n.key) for n in self.nodes if n.parent} | {(n.key, n.parent) for n in self.nodes if n.parent}
        out: dict[str, list] = {}
        for e in self.edges:
            if (e.source, e.target) in tree:
                continue
            out.setdefault(e.source, []).append((by_key.get(e.target), e))
            out.setdefault(e.target, []).append((by_key.get(e.source), e))
        return out


def expand(store, text: str, hops: int = 2, limit: int = 25, type_: str | None = None,
           max_nodes: int = MAX_NODES) -> Neighbourhood:
    """The neighbourhood of an entity to ``hops`` links, super-nodes summarised to ``limit`` neighbours."""
    if not 1 <= hops <= MAX_HOPS:
        raise UsageError(f"--hops must be between 1 and {MAX_HOPS}")
    if limit < 1:
        raise UsageError("--limit must be at least 1")
    run_id = current_run(store)
    rows = _lookup(store, text, type_, run_id)
    root, reached, more = (_hub(store, text, type_, rows, limit)
                           or (_root(*_one(store, text, type_, "--type", rows)), [], []))
    nodes = {n.key: n for n in [root, *reached]}
    edges: dict[tuple, Edge] = {(root.key, n.key, n.rel): Edge(root.key, n.key, n.rel) for n in reached}
    expanded: set[str] = set()   # label:id, as the hop statement keys a neighbour: ids of two types may be equal
    frontier = reached or [root]   # a hub is no node of the graph: the walk goes on from its nodes
    stopped = False
    for depth in range(1 + bool(reached), hops + 1):
        if not frontier or stopped:
            break
        rows = store.read("investigate_hop", frontier=[{"type": n.type, "id": n.id} for n in frontier],
                          seen=sorted(expanded), limit=limit, run_id=run_id)
        expanded.update(f"{TYPES[n.type]}:{n.id}" for n in frontier)
        groups: dict[tuple, dict] = {}
        next_frontier = []
        for r in rows:
            parent = f"{r['from_type']}:{r['from_id']}"
            group = groups.setdefault((parent, r["rel"], r["outgoing"]), {"total": r["total"], "skipped": r["skipped"],
                                                                          "listed": 0, "type": None})
            if r["id"] is None:
                continue
            type_of = TYPE_OF_LABEL.get(r["label"], r["label"].lower())
            group["type"] = type_of
            key = f"{type_of}:{r['id']}"
            if key not in nodes and len(nodes) >= max_nodes:
                stopped = True
                continue
            group["listed"] += 1
            source, target = (parent, key) if r["outgoing"] else (key, parent)
            edges.setdefault((source, target, r["rel"]), Edge(source, target, r["rel"]))
            if key not in nodes:
                node = Node(type_of, r["id"], depth, r["props"] or {}, r["rings"] or [], r["links"], parent, r["rel"],
                            r["outgoing"], r["link"] or {})
                nodes[key] = node
                next_frontier.append(node)
        for (parent, rel, outgoing), g in groups.items():
            hidden = g["total"] - g["skipped"] - g["listed"]
            if hidden > 0:
                more.append(More(parent, rel, outgoing, g["type"] or _neighbour_type(parent, rel, outgoing),
                                 g["total"], g["listed"], hidden))
        frontier = next_frontier
    return Neighbourhood(root, hops, limit, list(nodes.values()), list(edges.values()), more, stopped)


def _root(entity: Entity, row: dict) -> Node:
    return Node(entity.type, entity.id, 0, row.get("props") or {}, row.get("rings") or [], row.get("links"))


class Hub(NamedTuple):
    """A key several nodes may share, which `expand` shows as one hub node with them one hop out."""
    nodes: str      # the type of the nodes behind it
    property: str   # the node property holding the key
    link: str       # the link drawn from the hub to its nodes (not stored in the graph)
    name: str       # what it is called


HUBS = {"fingerprint": Hub("instrument", "fingerprint", "FINGERPRINT", "card fingerprint"),
        "subnet": Hub("ip", "subnet", "SUBNET", "IP subnet"),
        "building": Hub("address", "building", "BUILDING", "building")}


def hub_keys(text: str, type_: str | None = None) -> dict[str, list[str]]:
    """Per hub kind, the keys ``text`` could be: a card fingerprint (``bin:last4``), an IP subnet
    as ``shared`` and the reasons print it (``203.0.113``) or in CIDR (``203.0.113.0/24``,
    ``2001:db8::/64``), a building as a person writes its address."""
    raw = text.strip()
    keys = {kind: [] for kind in HUBS}
    fingerprint = fingerprint_in(raw) if type_ in (None, "instrument") else None
    if fingerprint:
        keys["fingerprint"] = [fingerprint]
    if type_ in (None, "ip"):
        subnets = set()
        try:
            net = ipaddress.ip_network(raw, strict=False)
        except ValueError as e:   # not CIDR: the key itself, as stored (three IPv4 octets, four IPv6 groups)
            if "/" in raw and _is_ip(raw.split("/", 1)[0]):   # an address with a prefix it cannot have (/33)
                raise UsageError(f"{raw} is not a network: {e}") from None
            subnets.add(normalise.ip_subnet(raw + (".0" if raw.count(".") == 2 else "::")))
        else:
            linked = 24 if net.version == 4 else 64
            if "/" in raw and net.prefixlen != linked:
                raise UsageError(f"{raw} is a /{net.prefixlen}: expand takes a /24 (IPv4) or /64 (IPv6) subnet, "
                                 "the networks detection links")
            if net.prefixlen == linked:
                subnets.add(normalise.ip_subnet(str(net.network_address)))
        keys["subnet"] = sorted(s for s in subnets if s)
    if type_ == "address" or (type_ is None and re.search(r"[\s,]", raw)):
        keys["building"] = [k for k in _address_keys(raw) if not normalise.building_key(k)]
    return keys


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _hub(store, text: str, type_: str | None, rows: list[dict],
         limit: int) -> tuple[Node, list[Node], list[More]] | None:
    """For a key behind several nodes (one card under several instrument ids, the IPs of a subnet,
    the flats of a building) that names nothing else: a hub node for the key, its nodes one hop out
    (the busiest ``limit`` of them, the rest counted); behind one node, that node. That is what an
    investigator who types a fingerprint, a subnet or a building asks about; None for any other id."""
    keys = hub_keys(text, type_)
    if not any(keys.values()):
        return None
    found = store.read("investigate_hub", **keys, limit=limit)
    if not found:
        return None
    totals = {(r["kind"], r["key"]): r["total"] for r in found}
    kind, key = min(totals, key=lambda k: (-totals[k], k))   # one address may give several keys: the busiest
    hub = HUBS[kind]

    def member(r):
        props = r["props"] or {}
        return r["type"] == hub.nodes and (props.get(hub.property) == key or (kind == "building" and r["id"] == key))

    if not all(member(r) for r in rows if r["type"] != "ring"):
        return None   # the text names something else too: resolving says what
    total = totals[kind, key]
    listed = [r for r in found if (r["kind"], r["key"]) == (kind, key)]
    if total == 1:
        return _root(Entity(hub.nodes, listed[0]["id"]), listed[0]), [], []
    root = Node(kind, key, 0, {"nodes": total}, [], total)
    members = [Node(hub.nodes, r["id"], 1, r["props"] or {}, [], r["links"], root.key, hub.link, True) for r in listed]
    hidden = total - len(members)
    return root, members, [More(root.key, hub.link, True, hub.nodes, total, len(members), hidden)] if hidden else []


_ENDS = {"USED_DEVICE": ("account", "device"), "USED_IP": ("account", "ip"), "HAS_ADDRESS": ("account", "address"),
         "HAS_INSTRUMENT": ("account", "instrument"), "PLACED": ("account", "order"), "SOLD_BY": ("order", "account"),
         "FROM_DEVICE": ("order", "device"), "SHIPPED_TO": ("order", "address"),
         "PAID_WITH": ("order", "instrument"), "USED_PROMO": ("order", "promo")}


def _neighbour_type(parent_key: str, rel: str, outgoing: bool) -> str:
    start, end = _ENDS.get(rel, ("entity", "entity"))
    return end if outgoing else start


def to_networkx(hood: Neighbourhood):
    """The neighbourhood as a networkx MultiDiGraph; summarised groups become ``more`` nodes."""
    import networkx as nx

    g = nx.MultiDiGraph(root=hood.root.key, hops=hood.hops, limit=hood.limit)
    for n in hood.nodes:
        ring = _ring_summary(n.rings)
        attrs = {"type": n.type, "label": n.id, "depth": n.depth, "details": describe(n.type, n.props),
                 "rings": ",".join(r["id"] for r in ring["rings"])}
        if n.links is not None:
            attrs["links"] = int(n.links)
        if ring["ring_score"] is not None:
            attrs["ring_score"] = float(ring["ring_score"])
        g.add_node(n.key, **attrs)
    for e in hood.edges:
        g.add_edge(e.source, e.target, key=e.rel, type=e.rel)
    for i, m in enumerate(hood.more):
        key = f"more:{i}"
        g.add_node(key, type="more", label=m.text(), hidden=m.hidden, total=m.total)
        source, target = (m.parent, key) if m.forward else (key, m.parent)
        g.add_edge(source, target, key=m.rel, type=m.rel)
    return g


# --------------------------------------------------------------------------- paths

@dataclass
class Path:
    nodes: list[dict]  # {type, id, details, links, ring, ring_score}
    rels: list[dict]   # {type, forward, props}

    @property
    def hops(self) -> int:
        return len(self.rels)

    @property
    def weakest(self) -> int:
        """Links of the busiest node in between: a path through a 40,000-order promo code says little."""
        inner = [n["links"] or 0 for n in self.nodes[1:-1]]
        return max(inner) if inner else 0

    def specificity(self) -> float:
        return sum(math.log1p(n["links"] or 0) for n in self.nodes[1:-1])

    def text(self) -> str:
        parts = [_node_text(self.nodes[0])]
        for rel, node in zip(self.rels, self.nodes[1:]):
            parts.append(rel_text(rel["type"], rel["forward"]))
            parts.append(_node_text(node))
        return " ".join(parts)

    def row(self, i: int) -> dict:
        return {"path": i, "hops": self.hops, "chain": self.text(), "busiest_link_count": self.weakest,
                "through": " ".join(f"{n['type']}:{n['id']}" for n in self.nodes[1:-1])}


def _node_text(n: dict) -> str:
    text = f"{n['type']} {n['id']}"
    if n["type"] != "account" and n.get("links") is not None:
        text += f" ({n['links']:,} links)"
    if n.get("ring"):
        text += f" [ring {n['ring']}]"
    return text


def paths(store, a: str, b: str, max_hops: int = 6, limit: int = 10, type_a: str | None = None,
          type_b: str | None = None) -> tuple[Entity, Entity, list[Path]]:
    """Shortest connections between two entities, most specific first (quietest nodes in between).

    One shortest path is found first (searched from both ends, fast at any length); when it is
    at most ``ALL_PATHS_HOPS`` long, every other connection of that length is listed too.
    """
    if not 1 <= max_hops <= MAX_PATH_HOPS:
        raise UsageError(f"--max-hops must be between 1 and {MAX_PATH_HOPS}")
    ea, eb = resolve(store, a, type_a, "--type-a"), resolve(store, b, type_b, "--type-b")
    if ea == eb:
        raise UsageError(f"{ea} is both ends of the path")
    given = {"a": ea.id, "a_type": ea.type, "b": eb.id, "b_type": eb.type, "run_id": current_run(store)}
    rows = store.read("investigate_path_shortest", **given, max_hops=max_hops)
    if rows and limit > 1 and len(rows[0]["rels"]) <= ALL_PATHS_HOPS:
        rows = store.read("investigate_paths", **given, max_hops=len(rows[0]["rels"]), limit=max(limit * 5, 50)) or rows
    found = []
    for r in rows:
        nodes = []
        for n in r["nodes"]:
            type_of = TYPE_OF_LABEL.get(n["label"], (n["label"] or "").lower())
            nodes.append({"type": type_of, "id": n["id"], "details": describe(type_of, n["props"]), "links": n["links"],
                          **{k: v for k, v in _ring_summary(n["rings"]).items() if k != "rings"}})
        found.append(Path(nodes, r["rels"]))
    found.sort(key=lambda p: (p.hops, p.specificity(), p.text()))
    return ea, eb, found[:limit]


# --------------------------------------------------------------------------- shared

KIND_NAMES = {"Device": "device", "IP": "ip", "Address": "address", "PaymentInstrument": "instrument",
              "PromoCode": "promo", "CardFingerprint": "card fingerprint", "Subnet": "IP subnet",
              "Building": "building", "Seller": "seller (both bought from)", "Buyer": "buyer (both sold to)"}


@dataclass
class SharedLink:
    kind: str
    id: str
    a: dict  # {first, last, orders, direct, raw, via}
    b: dict
    note: str = ""

    def row(self, a_id: str, b_id: str) -> dict:
        def how(u):
            if not u:
                return ""
            parts = []
            if u["direct"]:
                parts.append("directly")
            if u["orders"]:
                parts.append(f"{u['orders']} order{'s' if u['orders'] != 1 else ''}")
            return " + ".join(parts)

        return {"kind": self.kind, "id": self.id, "a_how": how(self.a), "a_first_seen": _day(self.a.get("first")),
                "a_last_seen": _day(self.a.get("last")), "b_how": how(self.b), "b_first_seen": _day(self.b.get("first")),
                "b_last_seen": _day(self.b.get("last")), "a_spellings": "; ".join(self.a.get("raw") or []),
                "b_spellings": "; ".join(self.b.get("raw") or []), "note": self.note}


def flat_spellings(values) -> list[str]:
    """Raw spellings collected per link (each a spelling or a list of them) as one list, first
    seen first, without repeats or blanks."""
    out = []
    for v in values or []:
        for s in v if isinstance(v, list) else [v]:
            if s and s not in out:
                out.append(s)
    return out


def shared(store, a: str, b: str) -> tuple[Entity, Entity, list[SharedLink]]:
    """What two accounts have in common, strongest kinds first; orders between them are listed too."""
    ea, eb = resolve(store, a, "account"), resolve(store, b, "account")
    if ea == eb:
        raise UsageError(f"{ea} compared with itself")
    out = []
    for r in store.read("investigate_shared", a=ea.id, b=eb.id):
        uses = {u["account"]: {**u, "raw": flat_spellings(u["raw"])} for u in r["uses"]}
        kind = KIND_NAMES.get(r["kind"], r["kind"])
        note = ""
        if r["kind"] in ("Seller", "Buyer") and r["key"] in (ea.id, eb.id):
            if r["kind"] == "Buyer":
                continue  # the same orders as the Seller row of the other account
            seller = r["key"]
            buyer = eb.id if seller == ea.id else ea.id
            use = uses.get(buyer)
            if not use:
                continue
            kind, note = "trade between them", f"{buyer} bought from {seller}: {use['orders']} orders"
            uses = {buyer: use}
        elif r["kind"] == "CardFingerprint":
            ids_a, ids_b = set(uses[ea.id]["via"]), set(uses[eb.id]["via"])
            if ids_a == ids_b:
                continue  # the same instrument, already listed
            note = "same card under different ids: " + ", ".join(sorted(ids_a | ids_b))
        elif r["kind"] == "Subnet":
            ips_a, ips_b = set(uses[ea.id]["via"]), set(uses[eb.id]["via"])
            if ips_a == ips_b:
                continue  # the same IPs, already listed
            note = "same /24 or /64: " + ", ".join(sorted(ips_a | ips_b)[:6])
        elif r["kind"] == "Building":
            flats_a, flats_b = set(uses[ea.id]["via"]), set(uses[eb.id]["via"])
            if flats_a == flats_b:
                continue  # the same flat, already listed
            note = "different flats of one building: " + ", ".join(sorted(flats_a | flats_b)[:6])
        out.append(SharedLink(kind, r["key"], uses.get(ea.id) or {}, uses.get(eb.id) or {}, note))
    order = list(KIND_NAMES.values())
    out.sort(key=lambda s: (s.kind != "trade between them", order.index(s.kind) if s.kind in order else 99, s.id))
    return ea, eb, out
