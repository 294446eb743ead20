"""The weekly trend report for management: ``report.html`` and ``report.md``.

Pure: it takes the numbers the weekly job measured (one ``WeekMetrics`` per weekly run,
the rings worth naming, the sellers and promo codes shared by rings) and writes two
files. ``report.html`` is self-contained (inline CSS, charts as inline SVG drawn with
matplotlib, no script, no network) and has a print stylesheet; ``report.md`` carries the
same numbers as text for email or a wiki.

Money is converted to one currency with fixed rates that the report states
(``RATES_TO_EUR``, or the ``rates`` given to ``convert``). Account ids, sellers and promo
codes are masked; ring ids are shown in full so investigators can look them up.
"""

import json
import math
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from statistics import median

from .html import inline_svg, templates
from .wording import counted

__all__ = ["WeekMetrics", "ReportData", "RATES_TO_EUR", "RATES_NOTE", "convert", "mask", "find_patterns",
           "charts", "render", "staged_report", "write_report", "HEADLINES", "LAST_WEEK_DAYS", "AVERAGE_WEEKS",
           "last_week", "average_weeks", "no_comparison"]

# Planning rates, units of EUR per unit of currency (rounded ECB reference rates, 2025).
# A team sets its own in GRAPHFRAUD_HOME/report.json (graphfraud.weekly reads it; see the README).
RATES_TO_EUR = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "CAD": 0.67, "AUD": 0.60, "CHF": 1.06, "PLN": 0.23,
                "SEK": 0.088, "NOK": 0.086, "DKK": 0.134, "CZK": 0.040, "HUF": 0.0025, "RON": 0.20,
                "JPY": 0.0061, "BRL": 0.17, "MXN": 0.050, "INR": 0.011}
RATES_NOTE = "fixed planning rates (rounded ECB reference rates, 2025)"

TYPOLOGY_COLOURS = {"brushing": "#4C72B0", "promo_abuse": "#DD8452", "chargeback": "#C44E52",
                    "collusion": "#8172B3", "unknown": "#937860"}
IDENTIFIER_NAMES = {"device": "a device", "subnet": "an IP subnet", "ip": "an IP address", "address": "an address",
                    "instrument": "a payment instrument", "fingerprint": "a card fingerprint (BIN + last 4)",
                    "promo": "a promo code", "building": "flats of one building"}

# A run whose as-of date is this many days (inclusive) before this run's is "last week". Weekly
# runs drift by a day or two when the scheduler slips (a Monday run that only fires on Tuesday,
# then back on Monday: 8 days, then 6), and such a run still covers five of last week's seven
# days; a run further back is a gap, not last week, and comparing with it would call months of
# change "+x % vs last week".
LAST_WEEK_DAYS = (5, 9)
AVERAGE_WEEKS = 4  # the headline average is over the runs of the 4 weeks before this one

# (key, label, kind, higher_is_bad)
HEADLINES = (
    ("active_rings", "Active rings", "count", True),
    ("new_rings", "New rings", "count", True),
    ("accounts", "Accounts involved", "count", True),
    ("gmv", "GMV through ring orders", "money", True),
    ("promo_spend", "Promo / subsidy spend abused", "money", True),
    ("chargeback", "Chargeback exposure", "money", True),
    ("actioned", "Rings actioned", "count", False),
)
NEW_RING_FIGURES = ("new_rings",)  # not measured in a baseline week: left out of comparisons and averages
METRICS_VERSION = 3  # 2: active rings, their accounts and countries count the rings that ordered in the week;
                     # 3: rings actioned are those left actioned at the week's end
RECOUNTED = {"active_rings": 2, "accounts": 2, "actioned": 3}   # figure -> the version that counts it as now


@dataclass
class WeekMetrics:
    """What one weekly run measured; kept in the graph so later reports can compare."""

    as_of: str
    run_id: str
    active_rings: int = 0  # flagged rings whose members placed an order in the week
    rings_on_file: int = 0  # every ring flagged, active or not
    baseline: bool = False  # the first weekly run: its rings are the baseline, none counted as new
    new_rings: int = 0
    accounts: int = 0  # members of active rings
    gmv: float = 0.0
    promo_spend: float = 0.0
    chargeback: float = 0.0
    actioned: int = 0
    new_by_typology: dict = field(default_factory=dict)
    money_by_typology: dict = field(default_factory=dict)
    ttd_days: list = field(default_factory=list)  # days to detection of each ring first flagged this week
    countries: dict = field(default_factory=dict)  # accounts of active rings by country
    identifier_kinds: dict = field(default_factory=dict)  # rings sharing each kind of identifier
    new_identifier_kinds: dict = field(default_factory=dict)  # the same, over this week's new rings only
    unconverted: dict = field(default_factory=dict)  # currency -> amount with no rate
    promo_orders: int = 0
    promo_discount: float | None = None  # the assumed discount promo_spend was estimated at (None: not kept then)
    currency: str = "EUR"  # of every money figure above
    version: int = METRICS_VERSION  # how the figures were counted (metrics stored before versions have 1)

    @classmethod
    def from_dict(cls, d: dict) -> "WeekMetrics":
        """Metrics as stored, also by older versions: those counted every ring on file as active.

        >>> old = WeekMetrics.from_dict({"as_of": "2026-03-01", "run_id": "a", "active_rings": 12})
        >>> old.rings_on_file, old.version
        (12, 1)
        """
        names = cls.__dataclass_fields__
        d = {"rings_on_file": d.get("active_rings", 0), "version": 1, **d}
        return cls(**{k: v for k, v in d.items() if k in names})

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass
class ReportData:
    """Everything one report shows. ``weeks`` is oldest first and ends with this week."""

    weeks: list
    top_new: list = field(default_factory=list)  # {ring_id, typology, size, score, money, explanation}
    fastest_growing: list = field(default_factory=list)  # {ring_id, typology, size, added, money, explanation}
    hubs: list = field(default_factory=list)  # {kind: seller|promo, id, rings: [ring ids]}
    lineage: dict = field(default_factory=dict)  # kind -> count this week
    decisions: dict = field(default_factory=dict)  # case status -> ids of the rings left in it this week
    currency: str = "EUR"
    rates: dict = field(default_factory=lambda: dict(RATES_TO_EUR))
    rates_note: str = RATES_NOTE
    promo_note: str = ""
    patterns: list | None = None
    previous_as_of: str | None = None  # the latest earlier run, even one too old to compare with
    caveats: list = field(default_factory=list)  # what the reader must know before comparing, in sentences

    @property
    def week(self) -> WeekMetrics:
        return self.weeks[-1]


def convert(amounts: dict, rates: dict) -> tuple[float, dict]:
    """Sum amounts by currency in one currency; returns (total, amounts with no rate).

    >>> convert({"EUR": 10.0, "GBP": 10.0, "XYZ": 5.0}, {"EUR": 1.0, "GBP": 1.17})
    (21.7, {'XYZ': 5.0})
    """
    total, missing = 0.0, {}
    for currency, amount in amounts.items():
        rate = rates.get((currency or "").upper())
        if rate is None:
            missing[currency] = missing.get(currency, 0.0) + amount
        else:
            total += amount * rate
    return round(total, 2), missing


def mask(identifier: str | None) -> str:
    """An identifier with its middle hidden: enough to tell two apart, not to look one up.

    >>> mask("seller_004821"), mask("WELCOME10"), mask("ab")
    ('sel•••821', 'WE•••10', '•••')
    """
    if not identifier:
        return ""
    s = str(identifier)
    if len(s) <= 4:
        return "•••"
    keep = 3 if len(s) >= 10 else 2
    return f"{s[:keep]}•••{s[-keep:]}"


# --------------------------------------------------------------------------- numbers

def _avg(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _days_before(earlier: str, later: str) -> int:
    """Days from one as-of date to another.

    >>> _days_before("2026-03-01", "2026-12-04")
    278
    """
    return (date.fromisoformat(later[:10]) - date.fromisoformat(earlier[:10])).days


def last_week(weeks: list[WeekMetrics]) -> WeekMetrics | None:
    """The run "vs last week" compares with: the one before this, if it is 5 to 9 days earlier.

    >>> last_week([WeekMetrics("2026-02-22", "a"), WeekMetrics("2026-03-01", "b")]).run_id
    'a'
    >>> last_week([WeekMetrics("2026-03-01", "a"), WeekMetrics("2026-12-04", "b")]) is None
    True
    """
    if len(weeks) < 2:
        return None
    low, high = LAST_WEEK_DAYS
    return weeks[-2] if low <= _days_before(weeks[-2].as_of, weeks[-1].as_of) <= high else None


def average_weeks(weeks: list[WeekMetrics]) -> list[WeekMetrics]:
    """The runs the headline average and the emerging patterns compare with: the (at most four)
    runs of the four weeks before this one, with the same slack as last week. Older runs stay in
    the trend charts but would make "the 4-week average" an average of another season."""
    this = weeks[-1].as_of
    reach = AVERAGE_WEEKS * 7 + LAST_WEEK_DAYS[1] - 7  # four weeks and last week's slack
    return [w for w in weeks[:-1] if _days_before(w.as_of, this) <= reach][-AVERAGE_WEEKS:]


def no_comparison(weeks: list[WeekMetrics], previous_as_of: str | None = None) -> str | None:
    """Why this week is not compared with last week, as a phrase; None when it is.

    ``previous_as_of`` is the latest earlier run, which may be too old to be among ``weeks``.

    >>> no_comparison([WeekMetrics("2026-12-04", "b")], "2026-03-01")
    'no run last week (previous run 2026-03-01, 39 weeks earlier)'
    >>> no_comparison([WeekMetrics("2026-12-04", "b")])
    'first run: nothing to compare with'
    """
    reason = _no_comparison(weeks, previous_as_of)
    return reason and reason[1]


def _no_comparison(weeks: list[WeekMetrics], previous_as_of: str | None) -> tuple[str, str] | None:
    """(the headline cell, the sentence) saying why there is no "vs last week"; None when there is one."""
    if last_week(weeks) is not None:
        return None
    previous = previous_as_of or (weeks[-2].as_of if len(weeks) > 1 else None)
    if previous is None:
        return "first run", "first run: nothing to compare with"
    days = _days_before(previous, weeks[-1].as_of)
    if days > LAST_WEEK_DAYS[1]:
        ago = f"{days} days" if days < 14 else f"{days // 7} weeks"
        return "no run last week", f"no run last week (previous run {previous}, {ago} earlier)"
    if days < LAST_WEEK_DAYS[0]:
        return "not compared", f"not compared: the previous run ({previous}) is only {counted(days, 'day')} earlier"
    return "not compared", f"not compared: last week's run ({previous}) is left out (see the notes above)"


def headline_rows(weeks: list[WeekMetrics], previous_as_of: str | None = None) -> list[dict]:
    """Each headline figure with last week's value (``last_week``) and the average over
    ``average_weeks``; ``delta`` says "first run" or "no run last week" when there is no last week
    (``previous_as_of``: the latest earlier run, which may be too old to be among ``weeks``)."""
    this, last, before = weeks[-1], last_week(weeks), average_weeks(weeks)
    missing = (_no_comparison(weeks, previous_as_of) or ("", ""))[0]
    rows = []
    for key, label, kind, bad in HEADLINES:
        value, compared_with, delta = getattr(this, key), last, missing
        averaged = [w for w in before if _measured(w, key, this)]
        if not _measured(this, key, this):
            value, delta = None, "baseline"
        elif last is not None and not _measured(last, key, this):
            compared_with, delta = None, "last week: baseline" if last.baseline else "last week: counted otherwise"
        previous = getattr(compared_with, key) if compared_with is not None else None
        rows.append({"key": key, "label": label, "kind": kind, "value": value, "last": previous,
                     "avg4": _avg([getattr(w, key) for w in averaged]), "compared": previous is not None,
                     "delta": delta if previous is None else _delta(value, previous),
                     "trend": _trend(value, previous, bad)})
    return rows


def _measured(week: WeekMetrics, key: str, this: WeekMetrics) -> bool:
    """Whether ``week`` measured headline ``key`` as ``this`` week does: a baseline week's 0 new
    rings is no figure, a figure counted another way before (``RECOUNTED``: a week stored before
    version 2 counted every ring on file as active; before 3, a ring set actioned and then
    dismissed in the week as actioned) is another figure, and so is promo spend estimated at another
    assumed discount (a week stored before the discount was kept is taken at this week's)."""
    return not ((key in NEW_RING_FIGURES and week.baseline) or week.version < RECOUNTED.get(key, 0)
                or (key == "promo_spend" and week.promo_discount not in (None, this.promo_discount)))


def _delta(value, last) -> str:
    """The change against ``last``: a percentage, or a multiple once it is ten times or more.

    >>> _delta(12, 10), _delta(5, 10), _delta(88_298_526, 1), _delta(3, 0)
    ('+20%', '-50%', '×88.30m', 'new')
    """
    if last == 0:
        return "new" if value else "="
    if value / last >= 10:
        return f"×{_short_number(value / last)}"
    change = (value - last) / last
    return "=" if abs(change) < 0.005 else f"{change:+.0%}"


def _trend(value, last, higher_is_bad: bool) -> str:
    if last is None or value == last:
        return "flat"
    worse = (value > last) == higher_is_bad
    return "worse" if worse else "better"


def _previous_weeks(n: int) -> str:
    """'the previous week', 'the previous 4 weeks'."""
    return "the previous week" if n == 1 else f"the previous {n} weeks"


def find_patterns(weeks: list[WeekMetrics], hubs: list[dict], currency: str = "EUR") -> list[str]:
    """Emerging patterns in words, each backed by the numbers that triggered it.

    Each compares this week with the same baseline, the runs of the previous 4 weeks
    (``average_weeks``), and names it. Thresholds are round and stated: a typology is *growing
    fast* when this week has at least 3 new rings of it and at least twice its 4-week average,
    or at least twice its 4-week average money at risk (and 1,000 or more); an identifier kind
    is *new* when this week's new rings share it and no ring did in the previous 4 weeks, which
    had rings (with none, there is nothing to call it new against); a seller or promo code is
    *at the centre* of rings when it is the main one of 2 or more; a country *shift* is a
    change of 10 percentage points or more in its share of the accounts of active rings.

    >>> w = [WeekMetrics("2025-10-06", "r1", new_by_typology={"promo_abuse": 1}),
    ...      WeekMetrics("2025-10-13", "r2", new_by_typology={"promo_abuse": 4})]
    >>> find_patterns(w, [])
    ['Promo abuse is growing fast: 4 new rings this week against 1 a week on average over the previous week.']
    """
    this, before = weeks[-1], average_weeks(weeks)
    out = []
    if before:
        span = _previous_weeks(len(before))
        counted_new = [w for w in before if not w.baseline]   # a baseline week has no new rings to count
        for typ in sorted(set(this.new_by_typology) | set(this.money_by_typology)):
            new = this.new_by_typology.get(typ, 0)
            avg_new = _avg([w.new_by_typology.get(typ, 0) for w in counted_new])
            money = this.money_by_typology.get(typ, 0.0)
            avg_money = _avg([w.money_by_typology.get(typ, 0.0) for w in before]) or 0.0
            name = _typology_name(typ)
            if avg_new is not None and new >= 3 and new >= 2 * avg_new:
                out.append(f"{name.capitalize()} is growing fast: {new} new rings this week against "
                           f"{_num(avg_new)} a week on average over {_previous_weeks(len(counted_new))}.")
            elif money >= 1000 and money >= 2 * avg_money:
                against = (f"{money / avg_money:.1f} times its weekly average over {span} "
                           f"({_money(avg_money, currency)})") if avg_money else f"against none in {span}"
                out.append(f"Money at risk in {name} rings: {_money(money, currency)} this week, {against}.")
        if any(w.rings_on_file for w in before):
            seen_before = {k for w in before for k, v in w.identifier_kinds.items() if v}
            for kind, count in sorted(this.new_identifier_kinds.items()):
                if count and kind not in seen_before:
                    verb = "shares" if count == 1 else "share"
                    out.append(f"New kind of link: {count} of this week's new rings {verb} "
                               f"{IDENTIFIER_NAMES.get(kind, kind)}, which no ring shared in {span}.")
        out.extend(_country_shift(this, before))
    for hub in hubs:
        what = "Seller" if hub["kind"] == "seller" else "Promo code"
        rings = ", ".join(hub["rings"][:5]) + (" …" if len(hub["rings"]) > 5 else "")
        role = "main seller" if hub["kind"] == "seller" else "main promo code"
        out.append(f"{what} {mask(hub['id'])} is the {role} of {len(hub['rings'])} rings ({rings}).")
    return out


def _country_shift(this: WeekMetrics, before: list[WeekMetrics]) -> list[str]:
    def shares(counts):
        total = sum(counts.values())
        return {c: n / total for c, n in counts.items()} if total else {}

    now = shares(this.countries)
    past = [shares(w.countries) for w in before if w.countries and w.version >= RECOUNTED["accounts"]]   # same rings
    if not now or not past:
        return []
    rose, fell = [], []
    for country in sorted(set(now) | {c for p in past for c in p}):
        was = sum(p.get(country, 0.0) for p in past) / len(past)
        is_ = now.get(country, 0.0)
        if abs(is_ - was) >= 0.10:
            (rose if is_ > was else fell).append(f"{country} to {is_:.0%} (from {was:.0%})")
    if not rose and not fell:
        return []
    parts = ([f"rose in {_listed(rose)}"] if rose else []) + ([f"fell in {_listed(fell)}"] if fell else [])
    joined = (", and " if max(len(rose), len(fell)) > 1 else " and ").join(parts)   # "rose in A, and fell in B and C"
    return [f"Shift between countries: the share of active rings' accounts {joined}, against the average of "
            f"{_previous_weeks(len(past))}."]


def _listed(items: list[str]) -> str:
    """Items in an English list.

    >>> _listed(["GB to 21%"]), _listed(["GB to 21%", "US to 27%"]), _listed(["a", "b", "c"])
    ('GB to 21%', 'GB to 21% and US to 27%', 'a, b and c')
    """
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _typology_name(typ: str) -> str:
    return (typ or "unknown").replace("_", " ")


def _num(x: float) -> str:
    """A count or average as a reader rounds it: halves up (Python's own format rounds 0.25 to 0.2).

    >>> _num(0.25), _num(2.75), _num(3.0), _num(1234.04)
    ('0.3', '2.8', '3', '1,234')
    """
    from decimal import ROUND_HALF_UP, Decimal

    tenths = Decimal(repr(x)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{tenths:,.0f}" if tenths == tenths.to_integral_value() else f"{tenths:,.1f}"


def _money(x: float | None, currency: str = "EUR") -> str:
    """An amount as a manager reads it.

    >>> _money(9_999.6), _money(999_960, "USD"), _money(2.3e11, "PLN"), _money(None)
    ('€10.0k', '$1.00m', '230.00bn PLN', '–')
    """
    if x is None:
        return "–"
    symbol = {"EUR": "€", "USD": "$", "GBP": "£"}.get(currency)
    text = _short_number(x)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def _short_number(x: float) -> str:
    """12,345 as 12.3k, millions as m, billions as bn, trillions as tn; under 10,000 in full. The
    unit is chosen after rounding, so 999,960 is 1.00m, not 1,000.0k."""
    if abs(x) >= 9_999.5:   # 10,000 once rounded (nan is not, and prints as it is)
        for scale, unit, places in ((1e12, "tn", 2), (1e9, "bn", 2), (1e6, "m", 2), (1e3, "k", 1)):
            if round(abs(x) / scale, places) >= 1:
                return f"{x / scale:,.{places}f}{unit}"
    return f"{x:,.0f}"


def _rate(x: float) -> str:
    """An exchange rate to at most 4 significant figures, without exponent.

    >>> _rate(1.0869565217391304), _rate(0.0025), _rate(0.92), _rate(163.93442622950818), _rate(15432.1)
    ('1.087', '0.0025', '0.92', '163.9', '15,430')
    """
    decimals = 3 - math.floor(math.log10(abs(x))) if x else 0
    text = f"{round(x, decimals):,.{max(decimals, 0)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _value(x, kind: str, currency: str) -> str:
    if x is None:
        return "–"
    return _money(x, currency) if kind == "money" else _num(x)


# --------------------------------------------------------------------------- charts

def _short_date(iso: str) -> str:
    """'2026-02-15' -> '15 Feb'."""
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    return f"{int(iso[8:10])} {months[int(iso[5:7]) - 1]}"


def charts(weeks: list[WeekMetrics], currency: str = "EUR") -> dict[str, str]:
    """Three inline SVG charts over the weeks given: new rings and money at risk by
    typology (stacked bars), and days to detection (median and each ring)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    step = 1 if len(weeks) <= 6 else 2  # every other week's label when 12 would collide
    labels = [_short_date(w.as_of) if (len(weeks) - 1 - i) % step == 0 else "" for i, w in enumerate(weeks)]
    typologies = sorted({t for w in weeks for t in (*w.new_by_typology, *w.money_by_typology)})
    x = list(range(len(weeks)))
    style = {"svg.fonttype": "none", "svg.hashsalt": "graphfraud", "font.size": 9,
             "font.family": "DejaVu Sans", "axes.spines.top": False,
             "axes.spines.right": False}
    out = {}
    with plt.rc_context(style):
        for name, attr, title, ylabel in (
            ("new_rings", "new_by_typology", "New rings per week, by typology", "rings"),
            ("money", "money_by_typology", f"Money at risk per week, by typology ({currency})", currency),
        ):
            fig, ax = plt.subplots(figsize=(5.6, 2.8))
            bottom = [0.0] * len(weeks)
            for typ in typologies:
                values = [float(getattr(w, attr).get(typ, 0)) for w in weeks]
                ax.bar(x, values, bottom=bottom, label=_typology_name(typ),
                       color=TYPOLOGY_COLOURS.get(typ, "#777777"), width=0.7)
                bottom = [b + v for b, v in zip(bottom, values)]
            ax.set_title(title, loc="left", fontsize=10)
            ax.set_ylabel(ylabel)
            if name == "money":
                ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _money(v, currency)))
            else:
                ax.yaxis.set_major_locator(MaxNLocator(integer=True))
                for i, w in enumerate(weeks):   # a baseline week counts no new rings: say so, not 0
                    if w.baseline:
                        ax.text(i, 0.03, "baseline", rotation=90, ha="center", va="bottom", fontsize=7,
                                color="#777777", transform=ax.get_xaxis_transform())
            ax.set_xticks(x, labels)
            if typologies:
                ax.legend(frameon=False, fontsize=8, ncols=min(4, len(typologies)), loc="upper left")
                ax.set_ylim(0, max(bottom + [1]) * 1.35)
            else:   # an empty chart says why, with no fractional axis for nothing
                ax.set_ylim(0, 1)
                ax.set_yticks([0])
                ax.text(0.5, 0.5, "no rings in these weeks", transform=ax.transAxes, ha="center", va="center",
                        color="#777777")
            out[name] = inline_svg(fig, bbox_inches="tight")
            plt.close(fig)

        fig, ax = plt.subplots(figsize=(5.6, 2.8))
        for i, w in enumerate(weeks):
            if w.ttd_days:
                ax.scatter([i] * len(w.ttd_days), w.ttd_days, s=10, color="#999999", alpha=0.6, zorder=2)
        med = [(i, median(w.ttd_days)) for i, w in enumerate(weeks) if w.ttd_days]
        if med:
            ax.plot([m[0] for m in med], [m[1] for m in med], marker="o", color="#C44E52", label="median", zorder=3)
            ax.legend(frameon=False, fontsize=8, loc="upper left")
        ax.axhline(7, color="#4C72B0", linestyle="--", linewidth=0.8)
        ax.text(1.0, 7, " 7 days", va="center", ha="left", fontsize=8, color="#4C72B0",   # beside the axes: clear
                transform=ax.get_yaxis_transform())                                         # of the last week's marker
        ax.set_title("Days from start of activity to detection (new rings)", loc="left", fontsize=10)
        ax.set_ylabel("days")
        ax.set_xticks(x, labels)
        ax.set_xlim(-0.6, len(weeks) - 0.4)
        ax.set_ylim(0, max([9.0] + [d * 1.15 for w in weeks for d in w.ttd_days]))
        out["ttd"] = inline_svg(fig, bbox_inches="tight")
        plt.close(fig)
    return out


# --------------------------------------------------------------------------- render

def _environment():
    return templates(money=_money, num=_num, typology=_typology_name, mask=mask, rate=_rate)


def render(data: ReportData) -> tuple[str, str]:
    """The HTML and Markdown text of a report."""
    from markupsafe import Markup

    weeks = data.weeks
    patterns = data.patterns if data.patterns is not None else find_patterns(weeks, data.hubs, data.currency)
    rows = headline_rows(weeks, data.previous_as_of)
    for row in rows:
        row["shown"] = _value(row["value"], row["kind"], data.currency)
        row["last_shown"] = _value(row["last"], row["kind"], data.currency)
        row["avg4_shown"] = _value(row["avg4"], row["kind"], data.currency)
    this = data.week
    ttd = sorted(this.ttd_days)
    unlike = no_comparison(weeks, data.previous_as_of)
    context = {
        "d": data, "week": this, "weeks": weeks, "rows": rows, "patterns": patterns,
        "ttd_median": median(ttd) if ttd else None,
        "avg_weeks": len(average_weeks(weeks)) or AVERAGE_WEEKS,   # the runs there are, "4" with none
        "no_comparison": f"{unlike[0].upper()}{unlike[1:]}." if unlike else None,
        "trend_span": _trend_span(weeks),
        "rates": sorted((c, r) for c, r in data.rates.items() if c != data.currency),
        "trend": [{"as_of": w.as_of, "new": "baseline" if w.baseline else w.new_rings,
                   "active": w.active_rings if w.version >= RECOUNTED["active_rings"] else "–",   # counted otherwise
                   "on_file": w.rings_on_file, "money": _money(w.gmv, data.currency),
                   "ttd": (f"{median(w.ttd_days):.0f}" if w.ttd_days else "–")} for w in weeks],
        "unconverted": ", ".join(f"{_num(a)} {c}" for c, a in sorted(this.unconverted.items())),
    }
    env = _environment()
    svgs = {k: Markup(v) for k, v in charts(weeks, data.currency).items()}
    html = env.get_template("weekly_report.html").render(charts=svgs, **context)
    md = env.get_template("weekly_report.md").render(**context)
    return html, md


def _trend_span(weeks: list[WeekMetrics]) -> str:
    """The trend's heading: the calendar weeks it covers, and how many of them had no run.

    >>> _trend_span([WeekMetrics("2026-02-15", "a"), WeekMetrics("2026-03-01", "b")])
    'the last 3 weeks, 1 of them without a run'
    >>> _trend_span([WeekMetrics("2026-03-01", "b")])
    'the last week'
    """
    covered = round(_days_before(weeks[0].as_of, weeks[-1].as_of) / 7) + 1
    missing = covered - len(weeks)
    span = "the last week" if covered == 1 else f"the last {covered} weeks"
    return f"{span}, {missing} of them without a run" if missing > 0 else span


def write_report(data: ReportData, out_dir: Path) -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.md`` into ``out_dir``; each appears whole or not at all."""
    with staged_report(data, out_dir) as paths:
        pass
    return paths


@contextmanager
def staged_report(data: ReportData, out_dir: Path):
    """Render the report into temporary files in ``out_dir`` and yield the paths of ``report.html``
    and ``report.md``; the files replace those only when the block succeeds, and are removed when
    it fails. The weekly run publishes inside the block: a run that fails to publish leaves the
    report already there, which names a run that did complete."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    html, md = render(data)
    staged = []
    try:
        for name, text in (("report.html", html), ("report.md", md)):
            staged.append((out_dir / f".{name}.tmp", out_dir / name))
            staged[-1][0].write_text(text, encoding="utf-8")
        yield staged[0][1], staged[1][1]
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in staged:
        tmp.replace(path)
