"""Evidence and a 0–100 score for each candidate group, from tests against honest behaviour.

Sharing identifiers is why a group is a candidate, not why it is a ring: families,
flatmates, offices and cafés share them too. Each candidate is therefore tested, signal
by signal, against what the rest of the marketplace does, and a signal *holds* only when
it is both significant and large:

- significant: its one-sided p-value is below ``ALPHA`` (1 %) divided by the number of
  candidates that signal was tested on (Bonferroni), after paying for any choice made
  while looking (the p-value is multiplied by the number of sellers, codes, windows or
  cut-offs it was picked from); or, tested a second time among the groups holding a strong
  signal of another family, below ``ALPHA`` divided by the number of those groups it was tested
  on (``hold_signals``): a ring that shows one rare thing needs less to show a second;
- large: the group's rate is at least ``MIN_LIFT`` (3) times the baseline.

Signals about what the group does together (concentration, uniform amounts) are tested only
when two or more of its buyers do it: one member's lunch habit is not the household's act.

The signals, each with its baseline (what honest accounts do):

==================  =====================================================================
concentration       share of the group's orders going to its ring sellers (or its top
                    seller) vs those sellers' market share among other buyers of the
                    group's country (binomial)
block               buyers reaching those sellers vs the number expected from market
                    shares and each buyer's order count (Poisson; FRAUDAR-like: orders to
                    popular sellers, the camouflage, barely count)
devotion            buyers placing half their orders with one seller vs the marketplace
fresh_accounts      buyers younger at first order than 90 % (or 75 %) of all buyers
signup_burst        accounts created in one week vs the marketplace's sign-ups that week
order_burst         buyers starting (with the ring sellers) within one window vs the
                    marketplace's first orders in that window (not counting older accounts
                    first seen in the data's first four weeks: they may have bought all along)
promo_reuse         one code used by members who share a phone or card vs its use overall
promo_burst         those members' first uses of the code in one window vs all code uses
chargebacks,        rates vs the marketplace's rates (binomial)
refunds,
cancellations
uniform_amounts     spread of amounts to the ring sellers vs the narrower of the same
                    sellers' orders from others and a usual seller's (chi-square)
high_value          orders in buyer-seller pairs averaging more per order than 90 % of the
                    marketplace's orders in that currency (the projection keeps sums per pair)
seller_links        ring buyer-seller pairs sharing a device, an address (or building) or a
                    card vs all buyer-seller pairs of the marketplace (a /24 network or a
                    promo code is no such link: a local shop shares its neighbours' provider)
trade_circle        the group's sellers that buy from each other in a circle (A from B,
                    B from C, C from A: a directed cycle of orders inside the group) vs
                    the sellers on any circle among those in no candidate group (binomial)
==================  =====================================================================

Friends do things together: flatmates sign up in the same week and pass the welcome code
around, colleagues take up the same lunch place. The co-behaviour signals (promo_reuse,
promo_burst, signup_burst, order_burst) therefore count only members who share a phone or
a payment card with another member of the group: one person with many accounts. That is a
presumption, not a proof (flatmates share a computer, colleagues a company card), so signing up
together stays weak evidence. Status rates and identical amounts count only as a group's act:
chargebacks, refunds and cancellations when two or more members have them, amounts when two or
more buyers pay them and they lie within a 10 % spread (a household's regular basket varies more).

Signals fall into families (``FAMILY``) that count once each, with a weight
(``WEIGHTS``) saying how much that family alone tells an analyst. Weak families (0.25)
are things honest groups do too: buying from one shop, signing up together, sharing a code,
dear orders, refunds. Strong families (0.40) are rare among honest groups: fabricated accounts,
coordinated starts, many accounts paying the very same amount, sellers linked to their
own buyers, sellers trading in a circle, chargebacks. The score combines the families that
hold as independent evidence (a noisy OR), the weak ones together counting at most as one
strong one (``combine``). One family alone never reaches 50, the default minimum, nor do weak
families alone, however many; a strong one with any other makes 55 or more. The one exception
is what a ring is by itself: chargebacks by most of a group's buyers, three or more of them
(``DECISIVE``, 50 alone); two members of a household who each disputed a payment are not that.
The weights are round levels fixed by that reading, not fitted to labels.

All computations are vectorised over candidates (group-bys with ``np.bincount``):
``score_groups`` returns the scores as arrays and builds a ``Candidate``, with its
sentences, only for the groups someone will read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .detect import DEVOTED_SHARE, REPEAT_ORDERS, distinct, orders_per_pair   # devotion: the stars' rule
from .wording import counted

__all__ = ["ALPHA", "MIN_LIFT", "WEIGHTS", "Candidate", "Scores", "score_groups",
           "log10_binom_sf", "p_text", "combine", "hold_signals"]

ALPHA = 0.01
LOG10_P_FLOOR = -300.0    # a p-value below floating point's reach is reported as 1e-300 (JSON has no -Infinity)
MIN_LIFT = 3.0
DAY = 86_400
FRESH_QUANTILES = (0.10, 0.25)   # younger at first order than 90 % (or 75 %) of the marketplace's buyers
SIGNUP_WINDOW_DAYS = 7    # accounts created in one week
WARMUP_DAYS = 28          # an account older than four weeks when the data begins, first seen ordering in its
                          # first four weeks, may have been ordering all along: that first order is no start
MIN_ORDERS = 3            # fewer orders than this say nothing about rates or bursts
HIGH_VALUE_QUANTILE = 0.9 # "dearer than 90 % of the marketplace's orders in that currency"
IDENTICAL_SPREAD = 0.10   # amounts are "identical" within a 10 % spread: a household's regular basket varies more
SELLER_LINK_KINDS = ("device", "address", "instrument", "fingerprint", "building")   # a seller linked to its
                          # buyers: not by a /24 network (a neighbourhood's provider) nor by a public code; a
                          # building stays (rings spread one account per flat: without it ours lost 0.002)
TARGET_SHARE = 0.5        # a seller making most of its sales outside the group, tied to it by nothing else, is its target
WEAK, STRONG = 0.25, 0.40
DECISIVE = 0.50           # one family that is, alone, what a ring is: 50 on its own
DISPUTING_MEMBERS = 3     # chargebacks by most of a group's buyers, and by at least three of them, are decisive
WEIGHTS = {
    # common among honest groups too (families share a shop, sign up together, pass a code on;
    # some buy dear things): weak alone, and all of them together count at most as one strong family
    "coordination": WEAK,
    "devotion": WEAK,
    "signup": WEAK,
    "promo": WEAK,
    "value": WEAK,
    "refunds": WEAK,
    "cancellations": WEAK,
    # rare among honest groups: fabricated accounts, coordinated starts, many accounts paying
    # the very same amount, sellers linked to their own buyers or trading in a circle,
    # chargebacks; one of these with any other family reaches 50
    "fresh": STRONG,
    "burst": STRONG,
    "amounts": STRONG,
    "seller_links": STRONG,
    "chargebacks": STRONG,
    "trade_circle": STRONG,
}
SAME_EVIDENCE = {  # a strong signal does not lower the bar of these (``hold_signals``): they measure the same act
    "promo_burst": ("promo_reuse",),                     # a burst of a code's uses is that code's reuse, same members
    "fresh_accounts": ("signup_burst", "order_burst"),   # signing up, starting together and starting right after
    "order_burst": ("signup_burst", "fresh_accounts"),   # signing up are one act for accounts made to be used at once
    "chargebacks": ("refunds", "cancellations"),         # money taken back, by the same members, on the same orders
}
FAMILY = {  # signals of one family count once
    "concentration": "coordination", "block": "coordination", "devotion": "devotion",
    "fresh_accounts": "fresh", "signup_burst": "signup", "chargebacks": "chargebacks", "refunds": "refunds",
    "cancellations": "cancellations", "promo_reuse": "promo", "order_burst": "burst", "promo_burst": "burst",
    "uniform_amounts": "amounts", "high_value": "value", "seller_links": "seller_links",
    "trade_circle": "trade_circle",
}
LABELS = {  # signal names for people
    "concentration": "orders concentrated on few sellers", "block": "buyers concentrated on few sellers",
    "devotion": "devoted buyers", "fresh_accounts": "new accounts", "signup_burst": "accounts created together",
    "chargebacks": "chargebacks", "refunds": "refunds", "cancellations": "cancellations",
    "promo_reuse": "one promo code", "promo_burst": "promo code used together", "order_burst": "started together",
    "uniform_amounts": "identical amounts", "high_value": "dear orders",
    "seller_links": "sellers linked to their buyers", "trade_circle": "sellers buying from each other in a circle",
}
LN10 = math.log(10)


@dataclass
class Candidate:
    """One candidate group with its evidence; ``score`` is 0–100."""

    index: int
    members: np.ndarray                       # account indices
    roles: list[str]                          # per member: seller, buyer, both, linked
    score: float
    typology: str | None
    typology_basis: str
    reasons: list[dict]                       # every tested signal, holding ones first
    dismissal: str | None = None              # why it is not a ring (when below the minimum)
    dismissal_kind: str | None = None
    facts: dict = field(default_factory=dict)

    @property
    def held(self) -> list[dict]:
        return [r for r in self.reasons if r["holds"]]


def combine(weights):
    """Noisy-OR of independent evidence weights (along the last axis), as a 0–100 score; the
    weak ones (under ``STRONG``) together count at most as one strong one: what honest groups
    do too, however much of it, never makes a ring on its own.

    >>> combine([0.4, 0.25])
    55.0
    >>> combine([0.4, 0.4])
    64.0
    >>> combine([])
    0.0
    >>> combine([[0.25, 0.25, 0.25], [0.4, 0.25, 0.25]]).tolist()
    [40.0, 64.0]
    """
    weights = np.asarray(weights if isinstance(weights, np.ndarray) else list(weights), dtype=float)
    strong = weights >= STRONG
    weak = np.minimum(1.0 - np.prod(np.where(strong, 1.0, 1.0 - weights), axis=-1), STRONG)
    score = np.round(100.0 * (1.0 - np.prod(np.where(strong, 1.0 - weights, 1.0), axis=-1) * (1.0 - weak)), 1)
    return float(score) if np.ndim(score) == 0 else score


def log10_binom_sf(k, n, p) -> np.ndarray:
    """log10 P(X >= k) for X ~ Binomial(n, p), vectorised; 0 where k <= 0.

    >>> float(np.round(log10_binom_sf(3, 3, 0.1), 6))
    -3.0
    """
    from scipy.stats import binom

    k, n, p = np.broadcast_arrays(np.asarray(k, float), np.asarray(n, float), np.asarray(p, float))
    p = np.clip(p, 1e-15, 1 - 1e-12)
    out = binom.logsf(k - 1, n, p) / LN10
    return np.where(k <= 0, 0.0, np.minimum(out, 0.0))


def log10_poisson_sf(k, mu) -> np.ndarray:
    """log10 P(X >= k) for X ~ Poisson(mu)."""
    from scipy.stats import poisson

    k, mu = np.broadcast_arrays(np.asarray(k, float), np.asarray(mu, float))
    out = poisson.logsf(k - 1, np.maximum(mu, 1e-15)) / LN10
    return np.where(k <= 0, 0.0, np.minimum(out, 0.0))


def log10_chi2_cdf(x, df) -> np.ndarray:
    """log10 P(X <= x) for X ~ chi-square(df) (small spread = small x)."""
    from scipy.stats import chi2

    x, df = np.broadcast_arrays(np.asarray(x, float), np.asarray(df, float))
    out = chi2.logcdf(np.maximum(x, 0), np.maximum(df, 1)) / LN10
    return np.where(df < 1, 0.0, np.minimum(out, 0.0))


def hold_signals(signals: dict, C: int, alpha: float, min_lift: float) -> None:
    """Set which signals hold (``holds``) and the bar (log10 p) each group was held to (``bar``;
    NaN where the signal was not tested), in two stages.

    First each signal against the number of groups it was tested on (Bonferroni). Then each
    signal again, among the groups holding a strong signal of another family, against the
    number of those groups it was tested on: a ring that shows one rare thing needs less to show
    a second. Each second test is Bonferroni over its own, smaller family, so it adds at most
    ``alpha`` expected false holds per signal, provided the signal tells nothing more once the
    first one holds; a strong signal therefore never lowers the bar of one that measures the
    same act (``SAME_EVIDENCE``). Unlike a gatekeeping procedure it spends a fresh ``alpha``,
    and its price is paid by honest groups that truly show one strong thing (a flat of new
    accounts): a second, weak family now tips them over 50 sooner.
    """
    def bar(tested):
        return math.log10(alpha / max(int(tested.sum()), 1))

    def held(sig, tested, at):
        return tested & sig.get("large", sig["lift"] >= min_lift) & (sig["log10_p"] <= at)

    everyone = np.ones(C, bool)
    for sig in signals.values():
        tested = sig.get("eligible", everyone)
        sig["bar"] = np.where(tested, bar(tested), np.nan)
        sig["holds"] = held(sig, tested, sig["bar"])
    strong = {name: sig["holds"] & (np.asarray(sig.get("weight", WEIGHTS[FAMILY[name]])) >= STRONG)
              for name, sig in signals.items()}   # the groups holding each signal as strong evidence
    for name, sig in signals.items():
        gate = np.zeros(C, bool)
        for other, holds in strong.items():
            if FAMILY[other] != FAMILY[name] and name not in SAME_EVIDENCE.get(other, ()):
                gate |= holds
        tested = sig.get("eligible", everyone) & gate
        sig["bar"] = np.where(tested, bar(tested), sig["bar"])   # fewer groups: a bar as loose or looser
        sig["holds"] |= held(sig, tested, sig["bar"])


def p_text(log10p: float) -> str:
    """A p-value for people.

    >>> p_text(-14.2), p_text(-3.4), p_text(-0.5)
    ('p < 1e-12', 'p = 4e-04', 'p = 0.32')
    """
    if log10p < -12:
        return "p < 1e-12"
    p = 10 ** log10p
    return f"p = {p:.0e}" if p < 0.01 else f"p = {p:.2f}"


def _pct(x: float) -> str:
    if x >= 0.1 or x < 1e-7:   # under one in ten million: no share of a million accounts, only rounding left-overs
        return f"{100 * x:.0f} %"
    if x >= 0.001:
        return f"{100 * x:.1f} %"
    return f"{100 * x:.2g} %"


# --------------------------------------------------------------------------- group-by helpers

def _sum(labels, values, C):
    m = labels >= 0
    return np.bincount(labels[m], weights=np.asarray(values, float)[m], minlength=C)


def _count(labels, C):
    m = labels >= 0
    return np.bincount(labels[m], minlength=C).astype(float)


def _argmax_by(labels, key_values, C):
    """Per label, the position of the largest value (-1 for labels without rows)."""
    pos = np.flatnonzero(labels >= 0)
    out = np.full(C, -1, dtype=np.int64)
    if not len(pos):
        return out
    order = np.lexsort((-np.asarray(key_values)[pos], labels[pos]))
    pos = pos[order]
    lab = labels[pos]
    first = np.ones(len(pos), bool)
    first[1:] = lab[1:] != lab[:-1]
    out[lab[first]] = pos[first]
    return out


def _min_by(labels, values, C, fill):
    out = np.full(C, fill, dtype=np.asarray(values).dtype)
    m = labels >= 0
    np.minimum.at(out, labels[m], np.asarray(values)[m])
    return out


def _max_by(labels, values, C, fill):
    out = np.full(C, fill, dtype=np.asarray(values).dtype)
    m = labels >= 0
    np.maximum.at(out, labels[m], np.asarray(values)[m])
    return out


def _window_share(sorted_times, k, t0, t1):
    """Per group, the width in days of the whole days from ``t0`` to ``t1`` (the group's ``k``
    starts), and the share of the marketplace's ``sorted_times`` falling in them, the group's own
    left out (at least one in all, so no window is impossible).

    >>> times = np.array([0, DAY, DAY + 5, DAY + 9, 3 * DAY])   # two of the group's starts on day 1, one other
    >>> [x.tolist() for x in _window_share(times, np.array([2]), np.array([DAY]), np.array([DAY + 5]))]
    [[1.0], [0.25]]
    """
    d0 = np.where(k > 0, t0, 0) // DAY * DAY
    d1 = (np.where(k > 0, t1, 0) // DAY + 1) * DAY
    inside = np.searchsorted(sorted_times, d1) - np.searchsorted(sorted_times, d0)
    share = np.clip((inside - k) / max(len(sorted_times) - 1, 1), 1.0 / len(sorted_times), 1.0)
    return (d1 - d0) / DAY, share


def _burst_log10p(k, share, width, sorted_times):
    """log10 of P(all k starts fall in one window of that width) <= windows * share ** k, the
    windows counted over the span of ``sorted_times``."""
    span_days = max((sorted_times[-1] - sorted_times[0]) / DAY, 1.0)
    return np.minimum(k * np.log10(share) + np.log10(np.maximum(span_days / width, 1.0)), 0.0)


# --------------------------------------------------------------------------- scoring

class Scores:
    """Scores of every candidate group as arrays; ``Candidate`` objects are built on demand.

    A million accounts make a hundred thousand candidates, almost all honest: their scores
    and dismissal kinds stay arrays, and only the groups someone will read (rings, a few
    examples) become objects with sentences.
    """

    def __init__(self, ctx, signals: dict, scores: np.ndarray):
        self.ctx, self.signals, self.scores = ctx, signals, scores
        self.kinds = ctx.dismissal_kinds(signals) if ctx is not None else np.zeros(0, dtype=object)
        if ctx is not None:
            ctx._kinds = self.kinds

    def __len__(self) -> int:
        return len(self.scores)

    def order(self) -> np.ndarray:
        """Candidate indices, best score first (ties by index)."""
        return np.lexsort((np.arange(len(self.scores)), -self.scores))

    def candidate(self, c: int, min_score: float = 50.0, explain: bool | None = None) -> Candidate:
        ctx, signals = self.ctx, self.signals
        c = int(c)
        members = ctx.members_of(c)
        score = float(self.scores[c])
        report = score >= min_score if explain is None else explain
        reasons = [ctx.reason(name, s, c) for name, s in signals.items()] if report else []
        reasons.sort(key=lambda r: (not r["holds"], -WEIGHTS[FAMILY[r["signal"]]] if r["holds"] else 0,
                                    0.0 if r["log10_p"] is None else r["log10_p"]))
        typology, basis = ctx.typology(c, signals) if report else (None, "")
        cand = Candidate(index=c, members=members, roles=ctx.roles(c, members), score=score, typology=typology,
                         typology_basis=basis, reasons=reasons, facts=ctx.facts(c))
        if score < min_score:
            cand.dismissal_kind, cand.dismissal = ctx.dismissal(c, signals, score, min_score)
        return cand

    def dismissed_counts(self, min_score: float) -> dict[str, int]:
        kinds, counts = np.unique(self.kinds[self.scores < min_score], return_counts=True)
        return {str(k): int(n) for k, n in zip(kinds, counts)}


def score_groups(proj, membership: np.ndarray, alpha: float | None = None, min_lift: float | None = None) -> Scores:
    """Test every candidate group of ``membership`` (-1 = none) against the marketplace."""
    membership = np.asarray(membership, dtype=np.int64)
    C = int(membership.max()) + 1 if len(membership) and membership.max() >= 0 else 0
    if C == 0:
        return Scores(None, {}, np.zeros(0))
    ctx = _Context(proj, membership, C, ALPHA if alpha is None else alpha, MIN_LIFT if min_lift is None else min_lift)
    signals = ctx.signals()
    fam_weights = np.zeros((C, len(WEIGHTS)))
    fam_index = {f: i for i, f in enumerate(WEIGHTS)}
    for name, s in signals.items():
        f = fam_index[FAMILY[name]]
        weight = s.get("weight", WEIGHTS[FAMILY[name]])
        fam_weights[:, f] = np.maximum(fam_weights[:, f], np.where(s["holds"], weight, 0.0))
    return Scores(ctx, signals, combine(fam_weights))


def _once(proj, name: str, compute):
    """A marketplace-wide array that no membership changes, computed on the first scoring pass over
    ``proj`` and kept with it: detection scores one projection six times
    when every step of ``detection.find_rings`` changes something."""
    if name not in proj.derived:
        proj.derived[name] = compute()
    return proj.derived[name]


class _Context:
    """Per-candidate aggregates over the projection, computed once."""

    def __init__(self, proj, membership, C, alpha, min_lift):
        self.p, self.lab, self.C = proj, membership, C
        self.alpha, self.min_lift = alpha, min_lift
        o = proj.orders
        n_acc = proj.n
        self.ob, self.os = o["buyer"].astype(np.int64), o["seller"].astype(np.int64)
        self.on = o["orders"].astype(float)
        self.lb, self.ls = membership[self.ob], membership[self.os]
        self.size = _count(membership, C)
        order = np.argsort(membership, kind="stable")
        starts = np.searchsorted(membership[order], np.arange(C + 1))
        self._order, self._starts = order, starts
        # buyers: per account orders placed; per candidate totals
        self.orders_of = np.bincount(self.ob, weights=self.on, minlength=n_acc)
        self.is_buyer = self.orders_of > 0
        self.buyers = _count(np.where(self.is_buyer, membership, -1), C)
        self.n = _sum(self.lb, self.on, C)                              # orders placed by members
        self.country = self._main_country()
        self.internal = (self.lb >= 0) & (self.lb == self.ls)
        self.sold_internal = np.bincount(self.os[self.internal], weights=self.on[self.internal], minlength=n_acc)
        self.bought_internal = np.bincount(self.ob[self.internal], weights=self.on[self.internal], minlength=n_acc)
        m = self.lb >= 0
        self.distinct_sellers = np.bincount(distinct(self.lb[m] * n_acc + self.os[m]) // max(n_acc, 1),
                                            minlength=C).astype(float)
        self._targets()

    # ----- membership

    def members_of(self, c):
        return np.sort(self._order[self._starts[c]:self._starts[c + 1]])

    def roles(self, c, members):
        out = []
        for m in members:
            sells, buys = self.sold_internal[m] > 0, self.orders_of[m] > 0
            out.append("both" if sells and self.bought_internal[m] > 0 else "seller" if sells else "buyer" if buys
                       else "linked")
        return out

    def _main_country(self):
        lab = self.lab
        m = lab >= 0
        key = lab[m] * len(self.p.countries) + self.p.country[m]
        counts = np.bincount(key, minlength=self.C * max(len(self.p.countries), 1))
        return counts.reshape(self.C, -1).argmax(axis=1) if len(self.p.countries) else np.zeros(self.C, int)

    # ----- target sellers: ring sellers when they carry the most orders, else the top seller

    def _targets(self):
        p, C = self.p, self.C
        n_acc = p.n
        k_int = _sum(np.where(self.internal, self.lb, -1), self.on, C)
        ext = (self.lb >= 0) & ~self.internal
        key = np.where(ext, self.lb * n_acc + self.os, -1)
        uk, inv = np.unique(key[ext], return_inverse=True)
        sums = np.bincount(inv, weights=self.on[ext]) if len(uk) else np.zeros(0)
        owner = uk // n_acc if len(uk) else np.zeros(0, np.int64)   # the candidate of each (candidate, seller)
        top_pos = _argmax_by(owner, sums, C)
        k_ext = np.where(top_pos >= 0, sums[np.maximum(top_pos, 0)] if len(sums) else 0, 0.0)
        self.top_tied = np.bincount(owner[sums == k_ext[owner]], minlength=C)   # sellers with as many orders
        self.top_seller = np.where(top_pos >= 0, uk[np.maximum(top_pos, 0)] % n_acc if len(uk) else -1, -1)
        self.use_internal = (k_int > 0) & (k_int >= k_ext)
        self.k_target = np.where(self.use_internal, k_int, k_ext)
        self.to_target = self.internal.copy()
        self.to_target[~self.use_internal[np.maximum(self.lb, 0)] & (self.lb >= 0)] = False
        ext_target = (self.lb >= 0) & ~self.use_internal[np.maximum(self.lb, 0)] & \
            (self.os == self.top_seller[np.maximum(self.lb, 0)])
        self.to_target |= ext_target
        # the sellers a candidate is tested on, as (candidate, seller) rows
        tl = np.where(self.to_target, self.lb, -1)
        tkey = distinct(tl[tl >= 0] * n_acc + self.os[tl >= 0])
        self.target_c, self.target_s = tkey // n_acc, tkey % n_acc
        self.n_targets = np.bincount(self.target_c, minlength=C).astype(float)
        # distinct buyers behind the orders to the targets: one account's habits are not a group's act
        bkey = distinct(tl[tl >= 0] * n_acc + self.ob[tl >= 0])
        self.target_buyers = np.bincount(bkey // n_acc, minlength=C)

    # ----- signals: each returns dict of arrays (value, baseline, log10_p, lift, holds, ...)

    def signals(self):
        s = {}
        s["concentration"], s["block"] = self._concentration()
        s["devotion"] = self._devotion()
        s["fresh_accounts"] = self._fresh()
        s["signup_burst"] = self._signup_burst()
        for name, column in (("chargebacks", "chargebacks"), ("refunds", "refunds"), ("cancellations", "cancels")):
            s[name] = self._status(column)
        disputing = s["chargebacks"]["members"]
        s["chargebacks"]["weight"] = np.where((disputing >= DISPUTING_MEMBERS) & (2 * disputing >= self.buyers),
                                              DECISIVE, WEIGHTS["chargebacks"])
        s["promo_reuse"] = self._promo()
        s["promo_burst"] = self._promo_burst(s["promo_reuse"]["code"])
        s["order_burst"] = self._order_burst()
        s["uniform_amounts"] = self._amounts()
        s["high_value"] = self._high_value()
        s["seller_links"] = self._seller_links()
        s["trade_circle"] = self._trade_circle()
        hold_signals(s, self.C, self.alpha, self.min_lift)
        return s

    def _market(self):
        """Orders per (buyer country, seller) and per buyer country, over the whole marketplace."""
        def compute():
            p = self.p
            bc = p.country[self.ob].astype(np.int64)
            n_acc = p.n
            key = bc * n_acc + self.os
            uk, inv = np.unique(key, return_inverse=True)
            return (uk, np.bincount(inv, weights=self.on), np.bincount(bc, weights=self.on, minlength=len(p.countries)),
                    np.bincount(uk // n_acc, minlength=len(p.countries)).astype(float))
        return _once(self.p, "market", compute)

    def _concentration(self):
        p, C = self.p, self.C
        n_acc = p.n
        uk, per_key, per_country, sellers_in_country = self._market()
        bc = p.country[self.ob].astype(np.int64)
        country = self.country
        # market orders to each target seller in the candidate's country, minus the candidate's own
        tkey = country[self.target_c] * n_acc + self.target_s
        pos = np.searchsorted(uk, tkey)
        found = (pos < len(uk)) & (uk[np.minimum(pos, len(uk) - 1)] == tkey)
        market_t = np.where(found, per_key[np.minimum(pos, len(uk) - 1)], 0.0)
        own_in_country = (self.lb >= 0) & (bc == country[np.maximum(self.lb, 0)])
        own_key = np.where(own_in_country, self.lb * n_acc + self.os, -1)
        ok, oinv = np.unique(own_key[own_key >= 0], return_inverse=True)
        own_sum = np.bincount(oinv, weights=self.on[own_key >= 0]) if len(ok) else np.zeros(0)
        tk2 = self.target_c * n_acc + self.target_s
        pos2 = np.searchsorted(ok, tk2)
        f2 = (pos2 < len(ok)) & (ok[np.minimum(pos2, max(len(ok) - 1, 0))] == tk2) if len(ok) else np.zeros(len(tk2), bool)
        own_t = np.where(f2, own_sum[np.minimum(pos2, max(len(ok) - 1, 0))] if len(ok) else 0.0, 0.0)
        others_to_targets = np.bincount(self.target_c, weights=np.maximum(market_t - own_t, 0), minlength=C)
        own_total = _sum(np.where(own_in_country, self.lb, -1), self.on, C)
        market_total = np.maximum(per_country[country] - own_total, 1.0)
        share = np.maximum(others_to_targets, 0.5) / market_total      # at least half an order
        k, n = self.k_target, self.n
        n_sellers = np.maximum(sellers_in_country[country], 1.0)
        log10p = log10_binom_sf(k, n, share) + self.n_targets * np.log10(n_sellers)
        observed = np.where(n > 0, k / np.maximum(n, 1), 0.0)
        conc = {"value": observed, "baseline": share, "log10_p": np.minimum(log10p, 0.0),
                "lift": observed / share, "k": k, "n": n, "choices": n_sellers,
                "eligible": (n >= MIN_ORDERS) & (self.n_targets > 0) & (self.target_buyers >= 2)}
        # block: distinct buyers reaching the target sellers against the chance of reaching them
        has_target = np.bincount(self.ob[self.to_target], minlength=n_acc) > 0
        buyer_lab = np.where(self.is_buyer, self.lab, -1)
        hits = _count(np.where(has_target, self.lab, -1), C)
        nb = self.orders_of
        share_b = share[np.maximum(buyer_lab, 0)]
        expected_b = np.where(buyer_lab >= 0, 1.0 - np.power(1.0 - share_b, nb), 0.0)
        expected = _sum(buyer_lab, expected_b, C)
        log10p_b = log10_poisson_sf(hits, expected) + self.n_targets * np.log10(n_sellers)
        block = {"value": hits, "baseline": expected, "log10_p": np.minimum(log10p_b, 0.0),
                 "lift": hits / np.maximum(expected, 1e-12), "k": hits, "n": self.buyers, "choices": n_sellers,
                 "eligible": (hits >= 3) & (self.n_targets > 0)}
        return conc, block

    def _devotion(self):
        p, C = self.p, self.C

        def compute():   # per buyer, the orders to its most used seller, whatever the currencies
            buyer, _, orders = orders_per_pair(self.ob, self.os, self.on, p.n)
            top = np.zeros(p.n)
            np.maximum.at(top, buyer, orders)
            return top

        top = _once(p, "top_seller_orders", compute)
        eligible_b = self.orders_of >= REPEAT_ORDERS
        devoted = eligible_b & (top >= DEVOTED_SHARE * self.orders_of)
        base = devoted.sum() / max(eligible_b.sum(), 1)
        k = _count(np.where(devoted, self.lab, -1), C)
        n = _count(np.where(eligible_b, self.lab, -1), C)
        share = np.where(n > 0, k / np.maximum(n, 1), 0.0)
        return {"value": share, "baseline": np.full(C, base), "log10_p": log10_binom_sf(k, n, base),
                "lift": share / max(base, 1e-12), "k": k, "n": n, "eligible": k >= 3}

    def _first_order(self):
        if not hasattr(self, "_fo"):
            fo = np.full(self.p.n, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(fo, self.ob, self.p.orders["first"])
            self._fo = fo
        return self._fo

    def _fresh(self):
        """Buyers younger at their first order than 90 % (or 75 %) of the marketplace's buyers.

        Both cut-offs are tested and the better one kept, its p-value doubled (Bonferroni):
        the 10 % cut catches accounts used within hours of sign-up, the 25 % cut accounts
        opened a few days before a campaign.
        """
        p, C = self.p, self.C
        fo = self._first_order()
        age = (fo - p.created) / DAY
        ages = age[self.is_buyer]
        n = self.buyers
        best = None
        for q in FRESH_QUANTILES:
            cut_q = float(np.quantile(ages, q)) if len(ages) else 0.0
            fresh = self.is_buyer & (age <= cut_q)
            base_q = fresh.sum() / max(self.is_buyer.sum(), 1)
            k_q = _count(np.where(fresh, self.lab, -1), C)
            lp = np.minimum(log10_binom_sf(k_q, n, base_q) + math.log10(len(FRESH_QUANTILES)), 0.0)
            if best is None:
                best = [k_q, np.full(C, base_q), lp, np.full(C, cut_q)]
            else:
                better = lp < best[2]
                best = [np.where(better, k_q, best[0]), np.where(better, base_q, best[1]),
                        np.where(better, lp, best[2]), np.where(better, cut_q, best[3])]
        k, base, log10p, cut = best
        share = np.where(n > 0, k / np.maximum(n, 1), 0.0)
        buyer_lab = np.where(self.is_buyer, self.lab, -1)
        median_age = np.full(C, np.nan)
        if (buyer_lab >= 0).any():
            idx = np.flatnonzero(buyer_lab >= 0)
            order = idx[np.lexsort((age[idx], buyer_lab[idx]))]
            lab_sorted = buyer_lab[order]
            starts = np.searchsorted(lab_sorted, np.arange(C))
            ends = np.searchsorted(lab_sorted, np.arange(C), side="right")
            low, high = (starts + ends - 1) // 2, (starts + ends) // 2   # the two middle buyers (one when odd)
            has = ends > starts
            median_age[has] = (age[order[low[has]]] + age[order[high[has]]]) / 2
        self.market_median_age = float(np.median(ages)) if len(ages) else float("nan")
        return {"value": share, "baseline": base, "log10_p": log10p, "lift": share / np.maximum(base, 1e-12),
                "k": k, "n": n, "median_age_days": median_age, "cut_days": cut, "eligible": k >= 3}

    def _signup_burst(self):
        """Accounts created in one week, counting members who share a phone or card with another."""
        p, C = self.p, self.C
        lab = np.where(self.personal(), self.lab, -1)
        idx = np.flatnonzero(lab >= 0)
        window = SIGNUP_WINDOW_DAYS * DAY
        empty = {"value": np.zeros(C), "baseline": np.ones(C), "log10_p": np.zeros(C), "lift": np.zeros(C),
                 "k": np.zeros(C), "n": self.size, "start": np.zeros(C, np.int64), "eligible": np.zeros(C, bool)}
        if not len(idx):
            return empty
        created = p.created
        order = idx[np.lexsort((created[idx], lab[idx]))]
        t = created[order]
        key = lab[order].astype(np.float64) * 1e11 + (t - t.min())
        end = np.searchsorted(key, key + window, side="right")
        count = (end - np.arange(len(order))).astype(float)
        best = _argmax_by(lab[order], count, C)
        k = np.where(best >= 0, count[np.maximum(best, 0)], 0.0)
        start = np.where(best >= 0, t[np.maximum(best, 0)], 0)
        all_created = np.sort(created)
        in_window = np.searchsorted(all_created, start + window, side="right") - np.searchsorted(all_created, start)
        share_w = np.maximum(in_window - k, 0.5) / max(len(all_created), 1)
        span = max((all_created[-1] - all_created[0]) / window, 1.0) if len(all_created) else 1.0
        n = _count(lab, C)
        log10p = log10_binom_sf(k, n, share_w) + math.log10(span)
        value = k / np.maximum(n, 1)
        return {"value": value, "baseline": share_w, "log10_p": np.minimum(log10p, 0.0), "lift": value / share_w,
                "k": k, "n": n, "start": start, "eligible": k >= 3}

    def _status(self, column):
        C = self.C
        o = self.p.orders
        x = o[f"account_{column}"].astype(float)
        k = _sum(self.lab, x, C)
        total, total_n = x.sum(), self.on.sum()
        base = np.maximum(total - k, 0.5) / np.maximum(total_n - self.n, 1.0)
        rate = np.where(self.n > 0, k / np.maximum(self.n, 1), 0.0)
        members = _count(np.where(x > 0, self.lab, -1), C)   # one member's disputes are not the group's act
        return {"value": rate, "baseline": base, "log10_p": log10_binom_sf(k, self.n, base), "lift": rate / base,
                "k": k, "n": self.n, "members": members, "eligible": (members >= 2) & (self.n >= MIN_ORDERS)}

    def _kinds_shared(self) -> np.ndarray:
        """Per candidate and identifier kind, how many identifiers of that kind two or more members share."""
        from .project import KIND_NAMES

        p = self.p
        G = max(len(p.group_kind), 1)
        rows = np.repeat(np.arange(len(p.group_kind), dtype=np.int64), np.diff(p.group_ptr))
        lab = self.lab[p.group_members] if len(rows) else np.zeros(0, np.int64)
        m = lab >= 0
        uk, counts = np.unique(lab[m] * G + rows[m], return_counts=True)
        shared = counts >= 2
        K = len(KIND_NAMES)
        key = (uk // G)[shared] * K + p.group_kind[(uk % G)[shared]]
        return np.bincount(key, minlength=self.C * K).reshape(self.C, K)

    def personal(self) -> np.ndarray:
        """Accounts that share a device or a payment card with another member of their group.

        Flatmates share an address and a router; several accounts on one phone or one card
        is one person with several accounts.
        """
        if not hasattr(self, "_personal"):
            self._personal = self._sharing(("device", "instrument", "fingerprint"))
        return self._personal

    def _sharing(self, kinds) -> np.ndarray:
        """Accounts sharing an identifier of one of ``kinds`` with another member of their group.

        As in the projection, an address (or building) is shared by two who hold it, or by two who
        only ship there, never by its holder and someone who shipped a parcel to it: the strangers
        a brushing ring ships to are not part of it.
        """
        from .project import KIND_NAMES

        p = self.p
        G = max(len(p.group_kind), 1)
        rows = np.repeat(np.arange(len(p.group_kind), dtype=np.int64), np.diff(p.group_ptr))
        lab = self.lab[p.group_members] if len(rows) else np.zeros(0, np.int64)
        kind = p.group_kind[rows]
        places = np.isin(kind, [KIND_NAMES.index(k) for k in ("address", "building")])
        side = np.where(places, p.group_held, True).astype(np.int64)   # holders apart from parcels' recipients
        use = (lab >= 0) & np.isin(kind, [KIND_NAMES.index(k) for k in kinds])
        key = (lab * G + rows) * 2 + side
        _, inverse, counts = np.unique(key[use], return_inverse=True, return_counts=True)
        hit = np.zeros(len(rows), dtype=bool)
        hit[np.flatnonzero(use)] = counts[inverse] >= 2
        out = np.zeros(p.n, dtype=bool)
        out[p.group_members[hit]] = True
        return out

    def bystanders(self) -> np.ndarray:
        """Members that take no part in what their group does: on its network or code only,
        or the shops it buys from.

        The core of a group is its members sharing a device, card, address or building with
        another member; a member is part of the group when it is in the core or traded at least
        twice with the core (bought from, or sold to, core members). A café's regulars on
        the ring's subnet who once bought from one of its shops are not part of the ring.
        A group without a core (its members share only networks and codes) keeps everyone.

        A seller the group buys from is its target, not a member, when it shares no
        identifier of any kind with a member, buys nothing from the group, and either makes most
        of its sales (``TARGET_SHARE``) outside it or, selling outside it too, saw most of its
        sales to the group charged back (the shop loses that money: a small shop a chargeback ring
        lives off; a shop that sells to the group alone may be the ring's own cash-out): the
        electronics shop a chargeback ring defrauds, the popular shops a promo ring spends its
        codes at. Naming the victim as a ring member would point enforcement at the wrong
        account; the evidence still names it as the group's seller.
        """
        from .project import KIND_NAMES

        core = self._sharing(("device", "instrument", "fingerprint", "address", "building"))
        bought = self.internal & core[self.os]
        sold = self.internal & core[self.ob]
        with_core = _sum(self.ob[bought], self.on[bought], self.p.n) + _sum(self.os[sold], self.on[sold], self.p.n)
        part = core | (with_core >= 2)
        has_core = _count(np.where(core, self.lab, -1), self.C) > 0
        sales = np.bincount(self.os, weights=self.on, minlength=self.p.n)
        charged = _sum(self.os[self.internal], self.p.orders["chargebacks"][self.internal], self.p.n)
        lost = (charged > TARGET_SHARE * self.sold_internal) & (sales > self.sold_internal)   # with a life outside:
        target = (self.sold_internal > 0) & (self.bought_internal == 0) & ~self._sharing(tuple(KIND_NAMES)) & \
            ((self.sold_internal < TARGET_SHARE * sales) | lost)   # a shop selling to the ring alone may be its cash-out
        return (self.lab >= 0) & ((~part & has_core[np.maximum(self.lab, 0)]) | target)

    def _promo(self):
        """One code used by many members who share a phone or a card, against its use in the marketplace.

        Only members sharing a device or a payment card with another member count: flatmates
        and families pass a welcome or referral code around as a matter of course, while
        one person redeeming it from many accounts is the abuse.
        """
        p, C = self.p, self.C
        from .project import KIND_NAMES

        kind = KIND_NAMES.index("promo")
        G = max(len(p.group_kind), 1)
        rows = np.repeat(np.arange(len(p.group_kind), dtype=np.int64), np.diff(p.group_ptr))
        lab = self.lab[p.group_members]
        use = (lab >= 0) & (p.group_kind[rows] == kind) & self.personal()[p.group_members] if len(rows) else lab >= 0
        uk, counts = np.unique(lab[use] * G + rows[use], return_counts=True)
        labs, groups = uk // G, uk % G
        best = _argmax_by(labs, counts, C)
        k = np.where(best >= 0, counts[np.maximum(best, 0)] if len(counts) else 0, 0).astype(float)
        code = np.where(best >= 0, groups[np.maximum(best, 0)] if len(groups) else -1, -1)
        sizes = np.diff(p.group_ptr)
        users = np.where(code >= 0, sizes[np.maximum(code, 0)] if len(sizes) else 0, 0).astype(float)
        base = np.maximum(users, 1.0) / max(float(self.is_buyer.sum()), 1.0)
        n = np.maximum(self.buyers, k)
        share = np.where(n > 0, k / np.maximum(n, 1), 0.0)
        n_codes = max(int((p.group_kind == kind).sum()), 1)
        log10p = log10_binom_sf(k, n, base) + math.log10(n_codes)
        return {"value": share, "baseline": base, "log10_p": np.minimum(log10p, 0.0),
                "lift": share / base, "k": k, "n": n, "code": code, "users": users, "choices": np.full(C, n_codes),
                "eligible": k >= 3}

    def _promo_burst(self, code):
        """The members' first uses of the group's most shared code, packed in one window.

        P(all k uses fall in a window of that width) <= windows * p_w ** k, p_w being the
        share of the marketplace's code uses (any code, any account) in that window.
        """
        p, C = self.p, self.C
        pu = p.promo_uses
        empty = {"value": np.zeros(C), "baseline": np.ones(C), "log10_p": np.zeros(C), "lift": np.zeros(C),
                 "k": np.zeros(C), "n": np.zeros(C), "first": np.zeros(C, np.int64), "last": np.zeros(C, np.int64),
                 "code": code, "eligible": np.zeros(C, bool)}
        if not pu or not len(pu["account"]):
            return empty
        lab = self.lab[pu["account"]]
        key = np.where(code >= 0, p.group_key[np.maximum(code, 0)] if len(p.group_key) else "", "")
        mine = (lab >= 0) & (pu["code"] == key[np.maximum(lab, 0)]) & self.personal()[pu["account"]]
        use_lab = np.where(mine, lab, -1)
        k = _count(use_lab, C)
        big = np.iinfo(np.int64).max
        t0 = _min_by(use_lab, pu["first"], C, big)
        t1 = _max_by(use_lab, pu["first"], C, 0)
        all_first = np.sort(pu["first"])
        width, share_w = _window_share(all_first, k, t0, t1)
        return {"value": width, "baseline": share_w, "log10_p": _burst_log10p(k, share_w, width, all_first),
                "lift": 1.0 / share_w,
                "k": k, "n": k, "first": t0, "last": t1, "code": code, "eligible": (k >= 3) & (share_w < 1)}

    def _order_burst(self):
        """Buyers whose first order (to the ring sellers, if any) falls in one short window.

        The unit is the buyer, not the order: one keen customer's many orders are not a
        burst, many accounts starting together are; and only buyers sharing a phone or card
        with another member count (colleagues take up a lunch place together). P(all m
        buyers start inside a window of that width) <= windows * p_w ** m, p_w being the
        marketplace's share of first orders that fell in that window: first orders of
        buyers, or, for groups tested on their ring sellers, first orders of buyer-seller
        pairs (when anyone starts buying from a given shop).

        The data begins somewhere: an office's regulars of the canteen all show their "first"
        lunch in its first days. A buyer whose account is older than ``WARMUP_DAYS`` when the
        data begins, and whose first order falls in its first ``WARMUP_DAYS``, is therefore not
        counted (its start is censored: it may have been ordering all along).
        """
        p, C = self.p, self.C
        o = p.orders
        big = np.iinfo(np.int64).max
        # first order per buyer: to the target sellers for candidates that have ring sellers
        use_target = self.to_target & self.use_internal[np.maximum(self.lb, 0)]
        first_target = np.full(p.n, big, dtype=np.int64)
        np.minimum.at(first_target, self.ob[use_target], o["first"][use_target])
        first_any = self._first_order()
        buyer_lab = np.where(self.is_buyer & self.personal(), self.lab, -1)
        internal_c = self.use_internal[np.maximum(buyer_lab, 0)] & (buyer_lab >= 0)
        start = np.where(internal_c, first_target, first_any)
        firsts = np.sort(first_any[self.is_buyer])
        censored = np.zeros(p.n, bool)
        if len(firsts):
            warmup = WARMUP_DAYS * DAY
            censored = (buyer_lab >= 0) & (p.created < firsts[0] - warmup) & (start < firsts[0] + warmup)
            start = np.where(censored, big, start)
        lab = np.where(start < big, buyer_lab, -1)
        m = _count(lab, C)
        n_censored = _count(np.where(censored, buyer_lab, -1), C)
        t0 = _min_by(lab, start, C, big)
        t1 = _max_by(lab, np.where(start < big, start, 0), C, 0)
        pair_firsts = np.sort(o["first"])
        empty = {"value": np.zeros(C), "baseline": np.ones(C), "log10_p": np.zeros(C), "lift": np.zeros(C),
                 "k": m, "n": m, "first": t0, "last": t1, "censored": n_censored, "eligible": np.zeros(C, bool)}
        if not len(firsts):
            return empty
        width, share_w = _window_share(firsts, m, t0, t1)
        share_w = np.where(self.use_internal, _window_share(pair_firsts, m, t0, t1)[1], share_w)
        return {"value": width, "baseline": share_w, "log10_p": _burst_log10p(m, share_w, width, firsts),
                "lift": 1.0 / share_w,
                "k": m, "n": m, "first": t0, "last": t1, "censored": n_censored, "eligible": (m >= 3) & (share_w < 1)}

    def _amounts(self):
        """Near-identical amounts on the orders to the target sellers.

        The spread (coefficient of variation) is compared with the narrower of two: the
        same sellers' orders from everyone else (a lunch counter sells in a narrow price
        range; counted when there are 10 or more) and the median seller's spread; a
        chi-square test of the variance, (k - 1) * (cv / cv0)^2 ~ chi2(k - 1), lower tail.
        """
        p, C = self.p, self.C
        o = p.orders
        use = np.where(self.to_target, self.lb, -1)
        k = _sum(use, self.on, C)
        s1 = _sum(use, o["amount"], C)
        s2 = _sum(use, o["amount_sq"], C)
        mean = s1 / np.maximum(k, 1)
        cv = np.sqrt(np.maximum(s2 / np.maximum(k, 1) - mean ** 2, 0.0)) / np.maximum(mean, 1e-9)
        n_s = np.bincount(self.os, weights=self.on, minlength=p.n)
        a_s = np.bincount(self.os, weights=o["amount"], minlength=p.n)
        q_s = np.bincount(self.os, weights=o["amount_sq"], minlength=p.n)
        ok = n_s >= 10
        if ok.any():
            m_s = a_s[ok] / n_s[ok]
            cv0 = float(np.median(np.sqrt(np.maximum(q_s[ok] / n_s[ok] - m_s ** 2, 0)) / np.maximum(m_s, 1e-9)))
        else:
            cv0 = 0.5
        cv0 = max(cv0, 1e-3)
        others_n = _sum(self.target_c, n_s[self.target_s], C) - k
        others_a = _sum(self.target_c, a_s[self.target_s], C) - s1
        others_q = _sum(self.target_c, q_s[self.target_s], C) - s2
        others_mean = others_a / np.maximum(others_n, 1)
        others_cv = np.sqrt(np.maximum(others_q / np.maximum(others_n, 1) - others_mean ** 2, 0)) / \
            np.maximum(others_mean, 1e-9)
        base = np.where(others_n >= 10, np.clip(others_cv, 1e-3, cv0), cv0)
        log10p = log10_chi2_cdf((k - 1) * (cv / base) ** 2, k - 1)
        amount_all = o["amount"].sum() / max(self.on.sum(), 1)
        width = max(len(p.currencies), 1)
        paid_in = distinct(use[use >= 0].astype(np.int64) * width + o["currency"][use >= 0])   # (candidate, currency)
        n_currencies = np.bincount(paid_in // width, minlength=C)
        currency = np.full(C, -1)
        currency[paid_in // width] = paid_in % width   # meaningful where the candidate paid in one currency
        return {"value": cv, "baseline": base, "log10_p": log10p,
                "lift": base / np.maximum(cv, base / 1000), "k": k, "n": k, "mean": mean, "market_mean": amount_all,
                "currency": np.where(n_currencies == 1, currency, -1), "currencies": n_currencies,
                "large": (base >= self.min_lift * cv) & (cv <= IDENTICAL_SPREAD),
                "eligible": (k >= 5) & (self.target_buyers >= 2)}

    def _high_value(self):
        """Orders in buyer-seller pairs whose average order is dearer than 90 % of the marketplace's
        orders in that currency, each order valued at its pair's average (the projection keeps sums
        per pair, not each order's amount)."""
        p, C = self.p, self.C

        def compute():
            mean = p.orders["amount"] / np.maximum(self.on, 1)
            cur = p.orders["currency"].astype(np.int64)
            cut = np.full(max(len(p.currencies), 1), np.inf)
            for i in distinct(cur):
                m = cur == i
                order = np.argsort(mean[m])
                cum = np.cumsum(self.on[m][order])
                cut[i] = mean[m][order][np.searchsorted(cum, HIGH_VALUE_QUANTILE * cum[-1])]
            return mean >= cut[cur] if len(cur) else np.zeros(0, bool)
        dear = _once(p, "dear", compute)
        k = _sum(self.lb, np.where(dear, self.on, 0.0), C)
        total = float(self.on[dear].sum())
        base = np.maximum(total - k, 0.5) / np.maximum(self.on.sum() - self.n, 1.0)
        share = np.where(self.n > 0, k / np.maximum(self.n, 1), 0.0)
        return {"value": share, "baseline": base, "log10_p": log10_binom_sf(k, self.n, base), "lift": share / base,
                "k": k, "n": self.n, "eligible": (k >= 3) & (self.n >= MIN_ORDERS)}

    def _seller_links(self):
        p, C = self.p, self.C

        def compute():   # per order pair: do buyer and seller share a device, address or card?
            from .project import KIND_NAMES, pair_weights

            n_acc = np.int64(p.n)
            weak = ~np.isin(p.group_kind, [KIND_NAMES.index(k) for k in SELLER_LINK_KINDS])
            a, b, _ = pair_weights(p.group_ptr, p.group_members, p.group_kind, p.n, p.cap, held=p.group_held,
                                   silent=p.group_silent | weak)
            pair_key = a.astype(np.int64) * n_acc + b
            key = np.minimum(self.ob, self.os) * n_acc + np.maximum(self.ob, self.os)
            if not len(pair_key):
                return np.zeros(len(key), bool)
            return pair_key[np.minimum(np.searchsorted(pair_key, key), len(pair_key) - 1)] == key
        linked = _once(p, "seller_linked", compute)
        internal = np.where(self.internal, self.lb, -1)
        k = _count(np.where(linked, internal, -1), C)
        n = _count(internal, C)
        base = np.maximum(linked.sum() - k, 0.5) / np.maximum(len(linked) - n, 1)
        share = np.where(n > 0, k / np.maximum(n, 1), 0.0)
        self.linked_pairs = linked
        return {"value": share, "baseline": base, "log10_p": log10_binom_sf(k, n, base), "lift": share / base,
                "k": k, "n": n, "eligible": k >= 1}

    def _trade_circle(self):
        """Sellers on a directed cycle of orders inside the group, against the unlinked sellers.

        Shops buy supplies from wholesalers, which makes stars; shops that buy from each other
        round a circle are rare and are how collusive sellers inflate each other's sales.
        Strongly connected components of the buyer → seller graph find the cycles: over the
        group's internal orders for the group; over every order, among the sellers that share no
        identifier with anyone (no candidate group), for the baseline, so that other rings'
        circles do not raise the bar.
        """
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        p, C = self.p, self.C
        sellers = np.bincount(self.os, weights=self.on, minlength=p.n) > 0

        def on_cycle(a, b):
            graph = coo_matrix((np.ones(len(a), np.int8), (a, b)), shape=(p.n, p.n))
            _, comp = connected_components(graph, directed=True, connection="strong")
            return (np.bincount(comp, minlength=p.n) >= 2)[comp] & sellers

        inner = on_cycle(self.ob[self.internal], self.os[self.internal])
        k = _count(np.where(inner, self.lab, -1), C)
        n = _count(np.where(sellers, self.lab, -1), C)
        background = sellers & (self.lab < 0)
        base = np.full(C, max(float((on_cycle(self.ob, self.os) & background).sum()), 0.5) / max(background.sum(), 1))
        share = np.where(n > 0, k / np.maximum(n, 1), 0.0)
        return {"value": share, "baseline": base, "log10_p": log10_binom_sf(k, n, base), "lift": share / base,
                "k": k, "n": n, "eligible": k >= 2}

    # ----- words

    def _named_seller(self, c) -> str | None:
        """The one seller a reason names, if it names one (a ring's own sellers it counts instead)."""
        s = self.top_seller[c]
        return None if self.use_internal[c] or s < 0 else str(self.p.ids[s])

    def _picking(self, s, c, noun: str, country: str | None = None) -> str:
        """How a p-value allows for the reason having picked its sellers (or code) among many: it is
        multiplied by the number of the country's sellers to the power of those picked (or by the
        number of codes), so strong counts may still read p = 1.00."""
        chosen = 1 if noun == "code" else int(self.n_targets[c])
        where = f" in {country}" if country else ""
        return f", allowing for picking {counted(chosen, noun)} of the {s['choices'][c]:,.0f}{where}"

    def _seller_label(self, c):
        if self.use_internal[c]:
            n = int(self.n_targets[c])
            return f"{n} ring seller{'s' if n != 1 else ''}"
        seller = self._named_seller(c)
        if not seller:
            return "no seller"
        tied = int(self.top_tied[c]) - 1   # the lowest id is named
        return f"one seller ({seller}; {counted(tied, 'other')} had as many)" if tied else f"one seller ({seller})"

    def reason(self, name, s, c) -> dict:
        p = self.p
        v, base, lp, lift = float(s["value"][c]), float(s["baseline"][c]), float(s["log10_p"][c]), float(s["lift"][c])
        k, n = float(s["k"][c]), float(s["n"][c])
        country = p.countries[self.country[c]] if p.countries else "?"
        pt = p_text(lp)
        measured = n > 0   # False: the group has nothing this signal counts (no orders, no shared code …)
        if name == "concentration":
            its = "its" if self.n_targets[c] == 1 else "their"
            text = (f"{_pct(v)} of the group's orders ({k:.0f} of {n:.0f}) went to {self._seller_label(c)} "
                    f"({its} market share in {country}: {_pct(base)}; {pt}{self._picking(s, c, 'seller', country)})")
            evidence = {"orders_to_sellers": k, "orders": n, "sellers": self._target_ids(c), "country": country}
        elif name == "block":
            text = (f"{k:.0f} of {self.buyers[c]:.0f} buyers ordered from {self._seller_label(c)}, "
                    f"{base:.2g} expected from market shares ({pt}{self._picking(s, c, 'seller', country)})")
            evidence = {"buyers_reaching": k, "buyers": float(self.buyers[c]), "expected": base}
        elif name == "devotion":
            one = round(k) == 1
            text = (f"{k:.0f} of {counted(n, 'repeat buyer')} {'places' if one else 'place'} at least half "
                    f"{'its' if one else 'their'} orders with one seller (marketplace: {_pct(base)}; {pt})"
                    if measured else "no repeat buyers, so no devotion to measure")
            evidence = {"devoted": k, "repeat_buyers": n}
        elif name == "fresh_accounts":
            med = float(s["median_age_days"][c])
            text = (f"{k:.0f} of {n:.0f} buyers placed their first order within {_days(float(s['cut_days'][c]))} of sign-up "
                    f"({_pct(v)}; marketplace {_pct(base)}; median account age at first order {_days(med)}, "
                    f"marketplace {_days(self.market_median_age)}; {pt})")
            evidence = {"fresh": k, "buyers": n, "median_age_days": med, "market_median_age_days": self.market_median_age}
        elif name == "signup_burst":
            measured = k > 0
            start = _date(int(s["start"][c])) if k else None
            text = (f"{k:.0f} of the {counted(n, 'member')} sharing a phone or card with another "
                    f"{'was' if round(k) == 1 else 'were'} created in the "
                    f"{SIGNUP_WINDOW_DAYS} days from {start} (the marketplace created {_pct(base)} of its accounts then; "
                    f"{pt})" if k else "no members sharing a phone or card with another, so no sign-ups to compare")
            evidence = {"created_in_window": k, "accounts": n, "window_start": start}
        elif name in ("chargebacks", "refunds", "cancellations"):
            word = {"chargebacks": "chargeback", "refunds": "refund", "cancellations": "cancellation"}[name]
            m = float(s["members"][c])
            text = (f"{word} rate {_pct(v)} ({k:.0f} of {n:.0f} orders, by {m:.0f} member{'s' if m != 1 else ''}; "
                    f"marketplace {_pct(base)}; {pt})")
            evidence = {word + "s": k, "orders": n, "members": m}
        elif name == "promo_reuse":
            measured = k > 0
            code = int(s["code"][c])
            key = str(p.group_key[code]) if code >= 0 else ""
            users = float(s["users"][c])
            text = (f"promo code {key} used by {counted(k, 'buyer')} who share a phone or card with another member "
                    f"({_pct(v)} of the group's {counted(n, 'buyer')}; {_pct(base)} of the marketplace's buyers, "
                    f"{users:.0f} accounts, use it; {pt}{self._picking(s, c, 'code')})"
                    if k else "no promo code shared by members who share a phone or card")
            evidence = {"code": key, "members_using": k, "buyers": n, "accounts_using": users}
        elif name == "order_burst":
            measured = k > 0
            t0, t1 = (int(s["first"][c]), int(s["last"][c])) if k else (0, 0)
            sellers = int(self.n_targets[c])
            first, firsts = ((f"first order with the ring's {'seller' if sellers == 1 else f'{sellers} sellers'}",
                              "buyer-seller pairs' first orders") if self.use_internal[c] else
                             ("first order", "first orders"))
            censored = float(s["censored"][c])
            older = (f"older accounts whose {first} fell in the data's first {WARMUP_DAYS} days (they may have "
                     f"been ordering before it began)")
            if k:
                text = (f"{counted(k, 'buyer')} sharing a phone or card with another member placed their {first} "
                        f"{_within(v, t0, t1)}; {_pct(base)} of the marketplace's {firsts} fell then ({pt})"
                        + (f"; {censored:.0f} more, {older}, not counted" if censored else ""))
            elif censored:
                text = (f"{counted(censored, 'buyer')} sharing a phone or card with another member, all {older}: "
                        "no start to compare")
            else:
                text = "no buyers sharing a phone or card with another member, so no start to compare"
            evidence = {"buyers": k, "days": v, "first": _date(t0) if k else None, "last": _date(t1) if k else None,
                        "not_counted": censored}
        elif name == "promo_burst":
            measured = k > 0
            code = int(s["code"][c])
            key = str(p.group_key[code]) if code >= 0 else ""
            t0, t1 = (int(s["first"][c]), int(s["last"][c])) if k else (0, 0)
            text = (f"{counted(k, 'member')} first used code {key} {_within(v, t0, t1)}; "
                    f"{_pct(base)} of the marketplace's code uses fell then ({pt})"
                    if k else "no promo code shared by members who share a phone or card")
            evidence = {"code": key, "uses": k, "days": v, "first": _date(t0) if k else None,
                        "last": _date(t1) if k else None}
        elif name == "uniform_amounts":
            measured = k > 0
            mean = float(s["mean"][c])
            paid = (p.currencies[int(s["currency"][c])] if s["currency"][c] >= 0 else
                    f"(amounts in {int(s['currencies'][c])} currencies taken together)")
            text = (f"{counted(k, 'order')} to {self._seller_label(c)} averaged {mean:.2f} {paid} with a spread of "
                    f"{_pct(v)} (identical: within {_pct(IDENTICAL_SPREAD)}; their orders from others, or a usual "
                    f"seller's if narrower: {_pct(base)}; {pt})" if measured else
                    f"no orders to {self._seller_label(c)}, so no amounts to compare")
            evidence = {"orders": k, "mean_amount": mean, "cv": v, "market_cv": base}
        elif name == "high_value":
            text = (f"{_pct(v)} of the group's orders ({k:.0f} of {n:.0f}) were in buyer-seller pairs averaging more "
                    f"per order than 90 % of the marketplace's orders in that currency (each order valued at its "
                    f"pair's average; marketplace: {_pct(base)}; {pt})")
            evidence = {"dear_orders": k, "orders": n}
        elif name == "seller_links":
            text = (f"{k:.0f} of {n:.0f} buyer-seller pairs inside the group share a device, an address (or a "
                    f"building) or a card (marketplace pairs: {_pct(base)}; {pt})" if measured else
                    "no buyer-seller pairs inside the group")
            evidence = {"linked_pairs": k, "pairs": n}
        elif name == "trade_circle":
            measured = n >= 2
            text = (f"{k:.0f} of the group's {counted(n, 'seller')} buy from each other in a circle "
                    f"(sellers on such a circle among those in no candidate group: {_pct(base)}; {pt})" if measured else
                    f"the group has {counted(n, 'seller')}: no circle of sellers")
            evidence = {"sellers_in_circle": k, "sellers": n}
        else:
            text, evidence = name, {}
        seller = self._named_seller(c)
        named = [evidence.get("code"), seller if seller and f"one seller ({seller}" in text else None]
        figures = {"value": _num(v), "baseline": _num(base), "lift": _num(lift),
                   "log10_p": max(round(lp, 2), LOG10_P_FLOOR)}
        return {"signal": name, "label": LABELS[name], "family": FAMILY[name], "holds": bool(s["holds"][c]),
                **(figures if measured else dict.fromkeys(figures)),   # nothing measured: no figures to read
                "bar": _num(round(float(s["bar"][c]), 2)), "evidence": evidence,
                "text": text, "names": [x for x in named if x]}

    def _target_ids(self, c):
        lo, hi = np.searchsorted(self.target_c, [c, c + 1])
        return [str(self.p.ids[s]) for s in self.target_s[lo:hi]]

    def typology(self, c, s) -> tuple[str | None, str]:
        def held(name):
            return bool(s[name]["holds"][c])

        def text(name):
            return self.reason(name, s[name], c)["text"]

        if held("chargebacks"):
            return "chargeback", text("chargebacks")
        if held("promo_reuse"):
            return "promo_abuse", text("promo_reuse")
        sellers = int(self.n_targets[c]) if self.use_internal[c] else 0
        if sellers >= 2:
            members = self.members_of(c)
            trading = int(((self.sold_internal[members] > 0) & (self.bought_internal[members] > 0)).sum())
            if trading >= 2:
                return "collusion", (f"{trading} of the group's {sellers} sellers also buy inside the group "
                                     f"(sellers trading with each other)")
        if self.use_internal[c] and (held("concentration") or held("block")):
            return "brushing", text("concentration")
        if held("refunds") or held("cancellations"):   # money taken back without a dispute: filed with chargebacks
            what = "refunds" if held("refunds") else "cancellations"
            return "chargeback", f"money taken back by {what}, not chargebacks: {text(what)}"
        if held("fresh_accounts") or held("signup_burst"):
            return "promo_abuse", text("fresh_accounts" if held("fresh_accounts") else "signup_burst")
        if held("concentration"):
            return "brushing", text("concentration")
        return None, "no typology: the evidence fits none"

    def facts(self, c) -> dict:
        return {"size": int(self.size[c]), "buyers": int(self.buyers[c]), "orders": int(self.n[c]),
                "ring_sellers": int(self.n_targets[c]) if self.use_internal[c] else 0,
                "country": self.p.countries[self.country[c]] if self.p.countries else None}

    def dismissal_kinds(self, s) -> np.ndarray:
        """The dismissal category of every candidate, as ``dismissal`` names it, vectorised."""
        from .project import KIND_NAMES

        C = self.C
        out = np.full(C, "", dtype=object)
        if not C:
            return out
        shared = self._kinds_shared()
        top = shared.argmax(axis=1)
        has = shared.max(axis=1) > 0
        size = self.size
        k = {name: i for i, name in enumerate(KIND_NAMES)}
        out[:] = np.array([f"shared {name}" for name in KIND_NAMES], dtype=object)[top]
        out[has & (top == k["device"]) & (size > 6)] = "shared machine"
        out[has & (top == k["promo"])] = "shared promo code"
        out[has & (top == k["subnet"])] = "shared network"
        out[has & (shared[:, k["address"]] > 0) & (size <= 6) & (top != k["subnet"])] = "household"
        out[~has] = "customers of one seller"
        n_held = sum(sig["holds"].astype(int) for sig in s.values())
        fav = s["concentration"]["holds"] & (n_held <= 2) & np.isin(out, ["household", "customers of one seller"])
        out[fav] = "favourite seller"
        return out

    def dismissal(self, c, s, score: float, min_score: float) -> tuple[str, str]:
        """A category and a sentence for a group that is not a ring: what it looks like, and the
        evidence it holds, with its score against the minimum it fell under."""
        if not hasattr(self, "_kinds"):
            self._kinds = self.dismissal_kinds(s)
        kind = str(self._kinds[c])
        size = int(self.size[c])
        distinct = int(self.distinct_sellers[c])
        held = [name for name in s if s[name]["holds"][c]]
        if s["concentration"]["holds"][c]:
            v = float(s["concentration"]["value"][c])
            sellers = (f"{counted(self.n_targets[c], 'seller')} in the group" if self.use_internal[c]   # no ring:
                       else self._seller_label(c))                                                 # no "ring sellers"
            conc = f"{_pct(v)} of orders to {sellers} (market share {_pct(float(s['concentration']['baseline'][c]))})"
        else:
            conc = "no concentration"
        rest = [LABELS[h] for h in held if FAMILY[h] != "coordination"]
        tail = f"; also {', '.join(rest)}: {score:g}, under the minimum {min_score:g}" if rest \
            else ("" if held else "; nothing unusual")
        sentence = f"{kind}: {size} accounts, {distinct} distinct seller{'s' if distinct != 1 else ''}, {conc}{tail}"
        return kind, sentence


def _num(x: float):
    if x is None or not np.isfinite(x):
        return None
    return float(f"{x:.4g}")


def _days(d: float) -> str:
    if d != d:
        return "?"
    if d < 1 / 24:
        return "under an hour"
    if d < 1:
        return counted(24 * d, "hour")
    return counted(d, "day")


def _date(t: int) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(int(t), tz=timezone.utc).strftime("%Y-%m-%d")


def _within(days: float, t0: int, t1: int) -> str:
    """'within 3 days (2025-09-24 to 2025-09-26)', or 'on 2025-09-24' when it is one day.

    >>> _within(1, 0, 3600)
    'on 1970-01-01'
    >>> _within(2, 0, 86400)
    'within 2 days (1970-01-01 to 1970-01-02)'
    """
    first, last = _date(t0), _date(t1)
    return f"on {first}" if first == last else f"within {counted(days, 'day')} ({first} to {last})"
