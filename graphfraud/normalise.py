"""Identifier cleaning: the spellings of one thing meet under one key (pure; no I/O).

Fraud rings reuse devices, addresses and cards while varying how they type them
("Flat 4, 12 High St" / "12 High Street, F4"), and an account is linked to another only
through an identical node id. So every identifier is reduced to a canonical key before
it becomes an id. The loader calls these functions once per input row, on millions of
rows: regexes are compiled once, per-country rules are built once, and the address and
device functions are cached.

Card numbers are never cached, logged or put in an exception message: ``card_instrument``
turns them into a keyed hash plus the BIN and last four digits at once.
"""

import hashlib
import hmac
import ipaddress
import re
import unicodedata
from functools import lru_cache

__all__ = [
    "address_key", "building_key", "postcode", "device_id", "email", "ip_subnet", "valid_ip", "card_digits",
    "luhn_valid", "card_instrument", "card_key", "card_number_in", "issued_card_number", "id_as_stored",
    "instrument_fingerprint", "promo_code", "mask_card", "mask_card_numbers", "mask_stored_text",
    "may_hold_card_number", "plain_digits", "mask_id", "COUNTRIES",
]

# --------------------------------------------------------------------------- text folding

# Ordinal and degree signs first become spaces ("3º 2ª" ~ "3 2"), before NFKC would turn
# them into the letters "o"/"a"; every apostrophe becomes "'" so one rule handles them.
_PRE_FOLD = str.maketrans({"º": " ", "ª": " ", "°": " ", "’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
# Letters NFKD does not decompose (casefold has already made ß/ẞ into "ss").
_LETTER_FOLDS = str.maketrans({"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th",
                               "ı": "i", "ħ": "h", "ŀ": "l"})
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_PASEO = re.compile(r"\bp\s*\.?\s*º", re.IGNORECASE)  # Spanish "P.º" (paseo) before º goes


def _fold(text: str) -> str:
    """Casefolded, accent-free text; punctuation is left for the address rules to read."""
    if text.isascii():
        return text.lower()
    if "º" in text:
        text = _PASEO.sub(" paseo ", text)
    text = unicodedata.normalize("NFKC", text.translate(_PRE_FOLD)).casefold()
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).translate(_LETTER_FOLDS)
    return text


# --------------------------------------------------------------------------- countries

# Names a country is written as at the end of an address, per ISO code. Strong names are
# also recognised when no country is given; two-letter codes are not ("CA" is California
# in a US address), nor are words that are also street words.
_COUNTRY_NAMES = {
    "US": ("united states of america", "united states", "usa", "us", "america"),
    "GB": ("united kingdom", "great britain", "england", "scotland", "wales", "northern ireland", "uk", "gb", "gbr"),
    "DE": ("germany", "deutschland", "allemagne", "alemania", "germania", "niemcy", "duitsland", "de", "deu"),
    "FR": ("france", "frankreich", "francia", "francja", "frankrijk", "fr", "fra"),
    "NL": ("the netherlands", "netherlands", "nederland", "holland", "niederlande", "pays bas", "paesi bassi",
           "paises bajos", "holandia", "nl", "nld"),
    "ES": ("spain", "espana", "spanien", "espagne", "spagna", "hiszpania", "spanje", "es", "esp"),
    "IT": ("italy", "italia", "italien", "italie", "wlochy", "it", "ita"),
    "PL": ("poland", "polska", "polen", "pologne", "polonia", "pl", "pol"),
    "CA": ("canada", "kanada", "ca", "can"),
    "AU": ("australia", "australien", "australie", "au", "aus"),
}
_STRONG_SHORT = {"usa", "uk"}
COUNTRIES = tuple(_COUNTRY_NAMES)   # the countries whose address rules are known


def _name_pattern(name: str) -> str:
    if len(name) <= 3 and " " not in name:  # a code may be dotted: "u.s.a.", "u.k."
        return r"\.?\s*".join(re.escape(c) for c in name) + r"\.?"
    return r"[\s.\-]+".join(re.escape(w) for w in name.split())


def _tail_regex(names) -> re.Pattern:
    alternatives = "|".join(_name_pattern(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(r"(?:^|[\s,;/]+)(?:" + alternatives + r")[\s,;.]*$")


_COUNTRY_TAIL = {cc: _tail_regex(names) for cc, names in _COUNTRY_NAMES.items()}
_STRONG_NAMES = {n.replace(" ", ""): cc for cc, names in _COUNTRY_NAMES.items()
                 for n in names if len(n) > 3 or n in _STRONG_SHORT}
_STRONG_TAIL = _tail_regex([n for names in _COUNTRY_NAMES.values() for n in names
                            if n.replace(" ", "") in _STRONG_NAMES])
# Names that may close an address given for another country (a parcel sent abroad): not the
# ones that are also parts of regions elsewhere ("New South Wales", "New England", Holland MI).
_ABROAD_TAIL = _tail_regex([n for names in _COUNTRY_NAMES.values() for n in names if n.replace(" ", "") in _STRONG_NAMES
                            and n not in ("wales", "england", "america", "holland")])
_COUNTRY_ALIASES = {**_STRONG_NAMES, **{n: cc for cc, names in _COUNTRY_NAMES.items() for n in names if len(n) == 3}}
_COUNTRY_ALIASES.update({"gb": "GB", "uk": "GB", "us": "US"})


@lru_cache(maxsize=512)
def _country(country: str | None) -> str | None:
    """ISO code for the ``country`` argument: "DE", "de", "Deutschland", "UK" → "DE"/"GB"."""
    if not country:
        return None
    folded = re.sub(r"[^a-z]+", "", _fold(country.strip()))
    if not folded:
        return None
    if folded in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[folded]
    return folded.upper() if len(folded) == 2 else None


def _endings(names) -> tuple[str, ...]:
    """How an address naming one of these countries can end (a cheap test before the regex)."""
    ends = {n.split()[-1] for n in names}
    return tuple(sorted(ends | {".".join(e) for e in ends if len(e) <= 3}))


_COUNTRY_ENDS = {cc: _endings(names) for cc, names in _COUNTRY_NAMES.items()}
_STRONG_ENDS = _endings(n for names in _COUNTRY_NAMES.values() for n in names
                        if n.replace(" ", "") in _STRONG_NAMES)


def _strip_country(s: str, cc: str | None) -> tuple[str, str | None]:
    """Drop a trailing country name (the country is its own field); infer cc if unknown or abroad."""
    t = s.rstrip(" \t,;.")
    if cc is None:
        if t.endswith(_STRONG_ENDS):
            m = _STRONG_TAIL.search(s)
            if m:
                return s[:m.start()], _STRONG_NAMES.get(re.sub(r"[^a-z]+", "", m.group()))
        return s, None
    if cc in _COUNTRY_ENDS and t.endswith(_COUNTRY_ENDS[cc]):
        m = _COUNTRY_TAIL[cc].search(s)
        if m:
            return s[:m.start()], cc
    if t.endswith(_STRONG_ENDS):  # another country named at the end: a parcel abroad, its rules
        m = _ABROAD_TAIL.search(s)
        if m:
            return s[:m.start()], _STRONG_NAMES.get(re.sub(r"[^a-z]+", "", m.group()), cc)
    return s, cc


# --------------------------------------------------------------------------- postcodes

def _postcode_regex(pattern: str, not_first: bool = False) -> re.Pattern:
    """Finds the *last* match in one call: a greedy prefix backtracks from the end.

    Group "pc" is the postcode as written; the numbered groups inside it are its parts.
    With ``not_first`` something must come before it (a leading number is a house number).
    """
    prefix = r"^(?P<pre>\s*\S.*)" if not_first else r"^(?P<pre>.*)"
    return re.compile(prefix + "(?P<pc>" + pattern + ")", re.DOTALL)


# (regex, cut): "pc" cuts the whole postcode out of the address; "pc_prefix" also a country
# prefix written before it ("D-10115"); "digits" cuts only the digit groups (an AU state
# before the postcode stays in the address). Lookbehinds would be slower than the prefix check.
_POSTCODES = {
    "GB": (_postcode_regex(r"\b([a-z]{1,2}\d[a-z\d]?)\s*(\d[a-z]{2})\b"), "pc"),
    "CA": (_postcode_regex(r"\b([abceghj-nprstvxy]\d[abceghj-nprstv-z])[\s-]*(\d[abceghj-nprstv-z]\d)\b"), "pc"),
    "NL": (_postcode_regex(r"\b([1-9]\d{3})\s*(?!sa\b|sd\b|ss\b)([a-z]{2})\b"), "pc"),
    "PL": (_postcode_regex(r"\b(\d{2})\s*-\s*(\d{3})\b|\b(\d{5})\b"), "pc"),
    "US": (_postcode_regex(r"\b(\d{5})(?:\s*-\s*\d{4}|\d{4})?(?=[\s,.]*$)"), "pc"),  # ZIP(+4) only at the end
    "AU": (_postcode_regex(r"\b(?:nsw|vic|qld|wa|sa|tas|act|nt)[\s,]+(\d{4})\b|\b(\d{4})(?=[\s,.]*$)"), "digits"),
}
_FIVE_DIGITS = (_postcode_regex(r"\b(\d{5})\b", not_first=True), "pc_prefix")  # 75001, D-10115
for _cc in ("DE", "FR", "ES", "IT"):
    _POSTCODES[_cc] = _FIVE_DIGITS
# Without a country only the unmistakable shapes are tried, in this order.
_UNKNOWN_POSTCODES = (_POSTCODES["GB"], _POSTCODES["CA"], (_postcode_regex(r"\b(\d{2})-(\d{3})\b"), "pc"),
                      (_postcode_regex(r"\b(\d{5})-\d{4}\b"), "pc"), _FIVE_DIGITS)


def _find_postcode(s: str, cc: str | None) -> tuple[str, str | None]:
    """(address without its postcode, normalised postcode or None)."""
    if cc is None:
        candidates = _UNKNOWN_POSTCODES
    elif cc in _POSTCODES:
        candidates = (_POSTCODES[cc],)
    else:
        return s, None
    for regex, cut in candidates:
        m = regex.match(s)
        if m is not None:
            parts = m.groups()[2:]
            if cut != "digits":
                start, end = m.span("pc")
                if cut == "pc_prefix" and s[start - 1:start] == "-":
                    k = start - 1
                    while k > 0 and start - 1 - k < 2 and "a" <= s[k - 1] <= "z":
                        k -= 1
                    if k < start - 1 and not s[k - 1:k].isalnum():
                        start = k
            else:
                g = next(i for i, part in enumerate(parts, 3) if part)
                start, end = m.span(g)
            return s[:start] + " " + s[end:], "".join(filter(None, parts))
    return s, None


# --------------------------------------------------------------------------- street and unit words

def _table(spec: dict[str, str]) -> dict[str, str]:
    """{"canonical": "spelling spelling ..."} → {spelling: canonical}."""
    return {alias: canonical for canonical, aliases in spec.items() for alias in aliases.split()}


# Per language: WORDS always map; IF_NUMBER map only when the next token is a number
# ("ste 4" is a suite, "ste catherine" a saint; "" drops the word: "nr 5" → "5");
# IF_WORD are one-letter street types that map only before a street name.
_ORDINALS = {w: f"{i}{'st' if i == 1 else 'nd' if i == 2 else 'rd' if i == 3 else 'th'}" for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth".split(), 1)}
_EN_WORDS = _table({
    "st": "street st str strt saint", "rd": "road rd", "ave": "avenue ave av avn aven avenu",
    "bd": "boulevard blvd boul blv bvd bd", "dr": "drive dr drv", "ln": "lane ln", "ct": "court ct crt",
    "pl": "place pl", "sq": "square sq sqr", "cres": "crescent cres cresc crs", "tce": "terrace tce terr ter",
    "hwy": "highway hwy hway", "pde": "parade pde", "cl": "close cl", "cir": "circle cir circ",
    "pkwy": "parkway pkwy pky", "way": "way wy", "gr": "grove gr gro grv", "gdns": "gardens gdns gdn",
    "esp": "esplanade esp", "fwy": "freeway fwy", "expy": "expressway expy", "aly": "alley aly",
    "plz": "plaza plz", "trl": "trail trl", "mt": "mount mt", "ft": "fort ft", "hts": "heights hts",
    "n": "north n", "s": "south s", "e": "east e", "w": "west w",
    "ne": "northeast ne", "nw": "northwest nw", "se": "southeast se", "sw": "southwest sw",
    "unit": "unit apartment apt apts suite flat room rm", "fl": "floor flr fl level lvl",
    "bldg": "building bldg", "pobox": "pobox",
}) | _ORDINALS
_EN_IF_NUMBER = {"ste": "unit", "f": "unit", "no": "", "number": ""}

_DE_WORDS = _table({
    "str": "strasse str", "pl": "platz pl", "weg": "weg", "allee": "allee", "gasse": "gasse", "damm": "damm",
    "ring": "ring", "ufer": "ufer", "chaussee": "chaussee", "unit": "wohnung whg appartement app apt",
})
_DE_IF_NUMBER = {"nr": "", "no": "", "hausnummer": ""}

_FR_WORDS = _table({
    "rue": "rue", "ave": "avenue av ave aven", "bd": "boulevard bd bld blvd boul bvd", "pl": "place pl",
    "imp": "impasse imp", "allee": "allee all", "ch": "chemin chem ch", "rte": "route rte", "quai": "quai",
    "crs": "cours crs", "fbg": "faubourg fbg fg", "sq": "square sq", "res": "residence res",
    "bat": "batiment bat bt", "esc": "escalier esc", "fl": "etage", "pass": "passage pass",
    "prom": "promenade prom", "unit": "appartement appt apt app", "st": "saint st", "ste": "sainte ste",
    "n": "nord", "s": "sud", "e": "est", "o": "ouest",
})
_FR_IF_NUMBER = {"n": "", "no": "", "num": "", "numero": ""}
_FR_STOP = frozenset("de du des la le les l d".split())

_NL_WORDS = _table({
    "str": "straat str", "laan": "laan ln", "plein": "plein pln", "weg": "weg", "gracht": "gracht gr",
    "kade": "kade kd", "singel": "singel", "dijk": "dijk", "dreef": "dreef", "hs": "huis hs",
})
_NL_IF_NUMBER = {"nr": "", "no": ""}

_ES_WORDS = _table({
    "calle": "calle cl cll", "ave": "avenida avda avd av", "pl": "plaza pza plz pl", "paseo": "paseo pso",
    "ctra": "carretera ctra crta", "cmno": "camino cno cmno", "rda": "ronda rda", "trav": "travesia trva trav",
    "gta": "glorieta gta", "urb": "urbanizacion urb", "bajo": "bajo bj", "izq": "izquierda izq izda izqda",
    "dcha": "derecha dcha dcho dch", "esc": "escalera esc", "unit": "apartamento apto", "sn": "sn",
})
_ES_IF_NUMBER = {"piso": "", "puerta": "", "pta": "", "planta": "", "n": "", "no": "", "num": "", "numero": "",
                 "nro": ""}
_ES_STOP = frozenset("de del la las los el".split())

_IT_WORDS = _table({
    "via": "via", "viale": "viale vle", "piazza": "piazza pza pzza pz", "piazzale": "piazzale ple",
    "corso": "corso cso", "largo": "largo lgo", "vicolo": "vicolo vlo vic", "strada": "strada str",
    "loc": "localita loc", "fraz": "frazione fraz", "contrada": "contrada cda", "sc": "scala sc",
    "unit": "interno", "fl": "piano", "s": "san santo santa sant",
})
_IT_IF_NUMBER = {"int": "unit", "n": "", "no": "", "nr": "", "num": "", "numero": "", "civico": ""}
_IT_STOP = frozenset("di del dello della dei degli delle dell d".split())

_PL_WORDS = _table({
    "ul": "ulica ul", "al": "aleja aleje al", "pl": "plac pl", "os": "osiedle os",
    "unit": "mieszkanie lokal lok", "rondo": "rondo",
})
_PL_IF_NUMBER = {"m": "unit", "nr": "", "no": ""}

# Words joined to the word before them in German and Dutch ("Berliner Str." = "Berlinerstr."),
# unless that word is an article or preposition ("Am Weg" stays two words).
_DE_JOIN = frozenset("str pl weg allee gasse damm ring ufer chaussee".split())
_NL_JOIN = frozenset("str laan plein weg gracht kade singel dijk dreef".split())
_JOIN_STOP = frozenset("am an auf im in zum zur der die das den dem des van de het op aan ter ten bij".split())


class _Rules:
    """Everything country-specific, built once per country."""

    def __init__(self, cc, langs):
        self.cc = cc
        self.words, self.if_number, self.stop = {}, {}, frozenset()
        self.if_word: dict[str, tuple[str, bool]] = {}  # letter -> (canonical, allowed right after a number)
        self.suffixes: tuple[tuple[str, str], ...] = ()
        self.join, self.no_join_letters, self.pre = frozenset(), frozenset(), []
        for lang in langs or ("en",):
            words, if_number = _LANGS[lang]
            self.words = words | self.words  # the first language wins a conflict
            self.if_number = if_number | self.if_number
        if "en" in langs or not langs:
            self.no_join_letters = frozenset("nsew")  # "12 N Main St": N is north, not 12N
        if "de" in langs:
            self.suffixes += (("strasse", "str"), ("platz", "pl"))
            self.join |= _DE_JOIN
            self.pre.append(_umlauts_spelled)
        if "nl" in langs:
            self.suffixes += (("straat", "str"),)
            self.join |= _NL_JOIN
        if "fr" in langs:
            self.stop |= _FR_STOP
            self.if_word.setdefault("r", ("rue", True))
            self.pre.append(_ELISION)
        self.bigrams: dict[tuple[str, str], str] = {}
        if "es" in langs or not langs:
            self.bigrams |= _ES_BIGRAMS
        if "it" in langs or not langs:
            self.bigrams |= _IT_BIGRAMS
        if "es" in langs:
            self.stop |= _ES_STOP
            self.if_word.setdefault("c", ("calle", False))
        if "it" in langs:
            self.stop |= _IT_STOP
            self.if_word.setdefault("v", ("via", False))
            self.if_word.setdefault("p", ("piazza", False))
            if _ELISION not in self.pre:
                self.pre.append(_ELISION)
        if not langs:  # no country: English plus the unmistakable long words of the others
            for lang in ("de", "fr", "nl", "es", "it", "pl"):
                for word, canonical in _LANGS[lang][0].items():
                    if len(word) >= 4 and len(canonical) > 1:  # not "santa" → "s", "nord" → "n"
                        self.words.setdefault(word, canonical)
            self.if_number |= {"nr": ""}
            self.suffixes = (("strasse", "str"), ("straat", "str"))
        self.pre += _COUNTRY_PRE.get(cc, [])
        self.suffix_ends = tuple(s for s, _ in self.suffixes)
        # One lookup per token: (kind, canonical, flag); precedence stop > if-number > if-word > word.
        table: dict[str, tuple] = {t: (_WORD, c, False) for t, c in self.words.items()}
        table.update({t: (_IF_WORD, c, after) for t, (c, after) in self.if_word.items()})
        table.update({t: (_IF_NUMBER, c, False) for t, c in self.if_number.items()})
        table.update({t: (_STOP, "", False) for t in self.stop})
        self.table = table


_WORD, _STOP, _IF_NUMBER, _IF_WORD = range(4)


_LANGS = {"en": (_EN_WORDS, _EN_IF_NUMBER), "de": (_DE_WORDS, _DE_IF_NUMBER), "fr": (_FR_WORDS, _FR_IF_NUMBER),
          "nl": (_NL_WORDS, _NL_IF_NUMBER), "es": (_ES_WORDS, _ES_IF_NUMBER), "it": (_IT_WORDS, _IT_IF_NUMBER),
          "pl": (_PL_WORDS, _PL_IF_NUMBER)}
_COUNTRY_LANGS = {"US": ("en",), "GB": ("en",), "AU": ("en",), "IE": ("en",), "NZ": ("en",), "CA": ("en", "fr"),
                  "DE": ("de",), "AT": ("de",), "CH": ("de", "fr", "it"), "FR": ("fr",), "BE": ("fr", "nl"),
                  "LU": ("fr", "de"), "NL": ("nl",), "ES": ("es",), "MX": ("es",), "IT": ("it",), "PL": ("pl",)}

def _umlauts_spelled(s: str) -> str:
    """German written without umlauts: "Muenchen" meets "München" (folded to "munchen")."""
    return s.replace("ae", "a").replace("oe", "o").replace("ue", "u")


def _sub_if(needle: str, pattern: str, replacement: str):
    """A rewrite that only runs its regex when ``needle`` is in the text (most rows skip it)."""
    regex = re.compile(pattern)
    return lambda s: regex.sub(replacement, s) if needle in s else s


# French and Italian elision: "l'Église" → "l église", "dell'Orso" → "dell orso".
_ELISION = _sub_if("'", r"\b(l|d|j|m|n|s|t|qu|dell|all|dall|nell|sull|coll|un)'", r"\1 ")
# Country conventions for a unit written into the house number.
_COUNTRY_PRE = {
    "AU": [_sub_if("u", r"^\s*u\s?(\d+[a-z]?)\b\s*/?", r" unit \1 "),                  # U5 12 Smith St, U 5/12
           _sub_if("/", r"^\s*(\d+[a-z]?)\s*/\s*(\d+[a-z]?)\b", r" unit \1 \2")],   # 5/12 Smith St
    "CA": [_sub_if("-", r"^\s*(\d+[a-z]?)\s*-\s*(\d+[a-z]?)\b", r" unit \1 \2")],   # 200-123 Main St
    "PL": [_sub_if("/", r"\b(\d+[a-z]?)\s*/\s*(\d+[a-z]?)\b", r"\1 unit \2")],      # Marszałkowska 10/5
}

# Italian and Spanish abbreviations that punctuation removal splits in two: "v.le" → "v le".
_IT_BIGRAMS = {("v", "le"): "viale", ("p", "zza"): "piazza", ("p", "za"): "piazza", ("p", "le"): "piazzale",
               ("c", "so"): "corso", ("l", "go"): "largo", ("c", "da"): "contrada", ("v", "lo"): "vicolo"}
_ES_BIGRAMS = {("s", "n"): "sn"}  # s/n: sin número
_POBOX = re.compile(r"\bp\s*\.?\s*o\s*\.?\s*box\b")
_BIS = re.compile(r"\b(\d+)(bis|ter|quater)\b")                  # 12bis → 12 bis
_GLUED_UNIT = re.compile(r"(apt|unit|flat|ste|suite|f|no|nr|n|whg|m|lok|int|appt|app|rm|piso|pta)(\d+[a-z]?)")
_NON_WORD = re.compile(r"[\W_]+")
_ASCII_PUNCT = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()} | {"#": " unit "})


@lru_cache(maxsize=64)
def _rules(cc: str | None) -> _Rules:
    return _Rules(cc, _COUNTRY_LANGS.get(cc, ()))


def _tokens(s: str, r: _Rules) -> list[str]:
    """Map words to canonical tokens, join house-number letters and street suffixes, hoist units."""
    table, words, join, no_join, bigrams = r.table, r.words, r.join, r.no_join_letters, r.bigrams
    toks = s.split()
    last = len(toks) - 1
    out: list[str] = []
    skip = False
    for i, t in enumerate(toks):
        if skip:
            skip = False
            continue
        pair = bigrams.get((t, toks[i + 1])) if len(t) == 1 and bigrams and i < last else None
        rule = table.get(t) if pair is None else None
        if pair is not None:  # "v le" was "v.le"
            c, skip = pair, True
        elif rule is None:
            c = t
            if t[-1].isdigit():
                if not t[0].isdigit():  # "apt4", "f4", "m5": a unit word glued to its number
                    m = _GLUED_UNIT.fullmatch(t)
                    if m:
                        head, c = m.groups()
                        head_rule = table.get(head)
                        head = head_rule[1] if head_rule and head_rule[0] in (_WORD, _IF_NUMBER) else head
                        if head and not (head == "unit" and out and out[-1] == "unit"):
                            out.append(head)
            elif r.suffix_ends and t.endswith(r.suffix_ends):
                for suffix, canonical in r.suffixes:
                    if t.endswith(suffix) and len(t) > len(suffix):
                        c = t[:-len(suffix)] + canonical
                        break
        else:
            kind, c, flag = rule
            if kind:
                if kind == _STOP:
                    continue
                nxt = toks[i + 1] if i < last else ""
                if kind == _IF_NUMBER:
                    if nxt[:1].isdigit():
                        if not (out and out[-1] == "unit"):
                            if c:
                                out.append(c)
                            continue
                        if not c:  # "Flat no. 4": a number word after a unit word says nothing
                            continue
                    c = words.get(t, t)  # "Flat F 12": F is the flat
                elif not (len(nxt) > 1 and nxt.isalpha() and (flag or not i or not toks[i - 1][:1].isdigit())):
                    c = words.get(t, t)  # a one-letter street type only before a street name
        if out:
            prev = out[-1]
            # A house-number letter joins its number: "12 A" → "12a" (not "12 N Main St",
            # but "Apt 4 E" → "unit 4e").
            if len(t) == 1 and len(c) == 1 and prev.isdigit() and c.isalpha() and (
                    c not in no_join or len(out) > 1 and out[-2] == "unit"):
                out[-1] = prev + c
                continue
            # German/Dutch street types join their name: "Berliner Str." → "berlinerstr".
            if join and c in join and prev.isalpha() and len(prev) >= 3 and prev not in _JOIN_STOP \
                    and prev not in words:
                out[-1] = prev + c
                continue
            if c == "unit" and prev == "unit":  # "Apt #4"
                continue
        out.append(c)
    if "unit" not in out:
        return out
    # A unit goes first wherever it was written: "Apt 4, 12 Main St" = "12 Main St #4".
    units: list[str] = []
    rest: list[str] = []
    i, n = 0, len(out)
    while i < n:
        value = out[i + 1] if i + 1 < n else ""
        if out[i] == "unit" and (value[:1].isdigit() or value[-1:].isdigit() or len(value) == 1):
            units += out[i:i + 2]
            i += 2
        else:
            rest.append(out[i])
            i += 1
    return units + rest


def address_key(raw: str, country: str | None = None) -> str:
    """A key on which spellings of one place meet, so accounts sharing it are linked.

    ``country`` is an ISO code or a country name ("DE", "Deutschland", "UK"); it picks
    the language rules and the postcode format. Without it the country is inferred from
    a country name at the end, else only English words and unmistakable foreign ones
    ("strasse", "calle") are mapped. In order:

    1. NFKC, casefold, accents stripped, ł ø æ œ đ folded; º/ª dropped ("3º 2ª" ~ "3 2").
    2. A trailing country name or code is dropped (the country is its own field).
    3. The postcode is normalised ("SW1A 1AA" → "sw1a1aa", ZIP+4 → ZIP) and moved to the
       end, so "75001 Paris" and "Paris 75001" meet.
    4. Punctuation becomes space; street types and unit words map to one token per
       language ("Straße"/"Str."/"-strasse" → "str", "Apt"/"#"/"Suite"/"Flat"/"Whg"/
       "m."/"int." → "unit"); German/Dutch street suffixes join their name
       ("Berliner Str." = "Berlinerstraße"); "12 A" and "12-A" become "12a"; French,
       Spanish and Italian articles ("de la", "dell'") are dropped.
    5. "unit N" moves to the front, wherever it was written ("Apt 4, 12 Main St" =
       "12 Main St #4"; AU "5/12" and "U5", CA "5-12" and PL "12/5" are read as units;
       "Flat no. 4" is "Flat 4"). An Italian province after the town ("Roma (RM)") is dropped.

    Word order is otherwise kept; a card number the steps put together ("1111 1111 Apt 4111
    1111": the unit moves to the front) is masked, as in the raw text. Returns "" for empty input.

    >>> address_key("Flat 4, 12 High Street, London SW1A 1AA, United Kingdom", "GB")
    'unit 4 12 high st london sw1a1aa'
    >>> address_key("12 High St F4 London sw1a1aa", "GB")
    'unit 4 12 high st london sw1a1aa'
    >>> address_key("Hauptstraße 5, 10115 Berlin", "DE") == address_key("Hauptstr. 5, 10115 Berlin", "DE")
    True
    """
    if not raw:
        return ""
    return mask_stored_text(_address_key(raw, _country(country)))


@lru_cache(maxsize=1 << 17)
def _address_key(raw: str, cc: str | None) -> str:
    s, cc = _strip_country(_fold(raw), cc)
    r = _rules(cc)
    s, code = _find_postcode(s, cc)
    if "box" in s:
        s = _POBOX.sub(" pobox ", s)
    if "bis" in s or "ter" in s:
        s = _BIS.sub(r"\1 \2", s)
    for rewrite in r.pre:
        s = rewrite(s)
    if "'" in s:
        s = s.replace("'", "")
    s = s.translate(_ASCII_PUNCT)
    if not s.isascii():
        s = _NON_WORD.sub(" ", s)
    toks = _tokens(s, r)
    if cc == "IT" and len(toks) > 2 and len(toks[-1]) == 2 and toks[-1].isalpha():
        toks.pop()  # the province after the town: "00184 Roma (RM)"
    if code:
        toks.append(code)
    return " ".join(toks)


def building_key(key: str) -> str:
    """The building of an ``address_key``: the key without its leading unit, "" when it has none
    (the address is the building). Flats of one building meet here; the loader keeps it on the
    Address node (``building``) for the investigator's views.

    >>> building_key(address_key("18 Martin Luther King Jr Blvd Apt 5, Seattle, WA 98136", "US"))
    '18 martin luther king jr bd seattle wa 98136'
    >>> building_key(address_key("Lindenallee 40, Whg. 17, 50968 Köln", "DE"))
    'lindenallee 40 koln 50968'
    >>> building_key(address_key("Hauptstraße 5, 10115 Berlin", "DE"))
    ''
    """
    parts = key.split(" ", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "unit" else ""


def postcode(raw: str, country: str | None) -> str | None:
    """The postcode in an address, normalised as in ``address_key`` (None if there is none).

    >>> postcode("10 Downing Street, London SW1A 2AA", "GB")
    'sw1a2aa'
    >>> postcode("1 Market St, San Francisco, CA 94105-1234", "US")
    '94105'
    """
    if not raw:
        return None
    s, cc = _strip_country(_fold(raw), _country(country))
    return _find_postcode(s, cc)[1]


# --------------------------------------------------------------------------- devices, e-mail, IPs, promo codes

_WRAPPERS = "{}[]()<>\"' "
_DEVICE_PREFIX = re.compile(r"^((?:[0-9a-f]*[g-z][a-z0-9]*[_:\-])+)(.+)$")   # segments with a non-hex letter; its
                          # first one splits a segment one way only, so a long id takes linear time, not quadratic
_DEVICE_SEPARATORS = re.compile(r"[\s:\-.]+")
_HEX = re.compile(r"[0-9a-f]{8,}")


@lru_cache(maxsize=1 << 16)
def device_id(raw: str) -> str:
    """Canonical device id.

    Casefolded, stripped of surrounding braces/brackets/quotes. If what follows an
    optional word prefix (a run of segments each containing a non-hex letter, like
    ``dev_`` or ``idfa:``) is at least 8 hex digits once ``-``, ``:``, ``.`` and spaces
    are removed, those separators go and the prefix's separators become ``_``: the
    separators in a UUID, MAC or hex serial are formatting, not identity. Anything else
    is only casefolded, so ids that are not clearly one id do not merge.

    >>> device_id("{DEV-AB12-CD34}") == device_id("dev_ab12cd34") == "dev_ab12cd34"
    True
    >>> device_id("AA:BB:CC:DD:EE:FF")
    'aabbccddeeff'
    >>> device_id("Pixel-7 Pro")
    'pixel-7 pro'
    """
    s = raw.strip().strip(_WRAPPERS).casefold()
    m = _DEVICE_PREFIX.match(s)
    prefix, body = (m.group(1), m.group(2)) if m else ("", s)
    compact = _DEVICE_SEPARATORS.sub("", body)
    if _HEX.fullmatch(compact):
        return re.sub(r"[_:\-]", "_", prefix) + compact
    return s


def email(raw: str) -> str:
    """Canonical mailbox: casefolded; "+tag" dropped; Gmail also ignores dots in the name.

    googlemail.com is the same mailbox as gmail.com and becomes gmail.com.

    >>> email(" J.Doe+shop@GoogleMail.com ")
    'jdoe@gmail.com'
    >>> email("j.doe+x@example.com")
    'j.doe@example.com'
    """
    s = raw.strip().strip("<>").strip().casefold()
    local, at, domain = s.rpartition("@")
    if not at or not local:
        return s
    domain = domain.rstrip(".")
    if "+" in local[1:]:
        local = local[0] + local[1:].split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def _ip(ip: str):
    try:
        return ipaddress.ip_address(ip.strip())
    except (ValueError, AttributeError):
        return None


def valid_ip(ip: str) -> bool:
    """True for an IPv4 or IPv6 address (no port, no prefix length)."""
    return _ip(ip) is not None


def ip_subnet(ip: str) -> str | None:
    """The /24 (IPv4) or /64 (IPv6) an address is in, as a key; None if not an address.

    An IPv4-mapped IPv6 address counts as its IPv4 address.

    >>> ip_subnet("203.0.113.7"), ip_subnet("2001:DB8::1"), ip_subnet("::ffff:203.0.113.9"), ip_subnet("x")
    ('203.0.113', '2001:db8:0:0', '203.0.113', None)
    """
    addr = _ip(ip)
    if addr is None:
        return None
    if addr.version == 6 and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if addr.version == 4:
        return str(addr).rsplit(".", 1)[0]
    return ":".join(f"{int(h, 16):x}" for h in addr.exploded.split(":")[:4])


def promo_code(raw: str) -> str:
    """Promo codes are case-insensitive for shoppers: stripped and upper-cased."""
    return raw.strip().upper()


# --------------------------------------------------------------------------- order status

ORDER_STATUSES = ("completed", "refunded", "chargeback", "cancelled", "pending", "disputed")
_STATUS_WORDS = {
    "completed": ("complete", "delivered", "shipped", "fulfilled", "fulfiled", "paid", "closed", "done", "success",
                  "succeeded", "ok"),
    "refunded": ("refund", "returned", "return", "refunded_full", "partially_refunded", "partial_refund"),
    "chargeback": ("chargebacks", "charged_back", "chargedback", "charge_back", "dispute_lost", "fraud_chargeback"),
    "cancelled": ("canceled", "cancel", "cancelled_by_buyer", "cancelled_by_seller", "voided", "void", "rejected"),
    "pending": ("processing", "placed", "new", "open", "created", "awaiting_payment", "in_transit"),
    "disputed": ("dispute", "dispute_open", "in_dispute", "claim", "claimed"),
}
_STATUS = {word: canonical for canonical, words in _STATUS_WORDS.items() for word in (canonical, *words)}


def order_status(raw: str) -> tuple[str, bool]:
    """(status, known): the usual words for an order's state mapped onto graphfraud's six.

    Marketplaces name states their own way ("delivered", US "canceled", "charged back"). A
    status outside the list is kept as written (lower case) and ``known`` is False: the
    order still loads, and counts as neither chargeback, refund nor cancellation.

    >>> order_status("Delivered"), order_status("charged back"), order_status("on hold")
    (('completed', True), ('chargeback', True), ('on hold', False))
    """
    text = " ".join(raw.strip().lower().split())
    canonical = _STATUS.get(text.replace(" ", "_").replace("-", "_"))
    return (canonical, True) if canonical else (text, False)


# --------------------------------------------------------------------------- cards

_CARD_SEPARATORS = re.compile(r"[\s\-]+")


def card_digits(raw: str) -> str | None:
    """The digits of a card number written with spaces or dashes, in any script's digits, as
    ASCII; None unless 12–19 digits."""
    if not isinstance(raw, str):
        return None
    digits = _CARD_SEPARATORS.sub("", plain_digits(raw))
    if 12 <= len(digits) <= 19 and digits.isascii() and digits.isdigit():
        return digits
    return None


def luhn_valid(digits: str) -> bool:
    """The Luhn check every real card number passes (catches typos and made-up numbers).

    >>> luhn_valid("4111111111111111"), luhn_valid("4111111111111112")
    (True, False)
    """
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_instrument(raw: str, key: bytes) -> tuple[str, str, str]:
    """(instrument id, BIN, last 4) for a raw card number; the number itself is not kept.

    The id is ``card_key(digits)``: keyed, so nobody without the key can test a guessed
    number against stored ids. Errors never contain the number.

    >>> card_instrument("4111 1111 1111 1111", b"k")[1:]
    ('411111', '1111')
    """
    if not key:
        raise ValueError("card hashing key is empty")
    digits = card_digits(raw)
    if digits is None:
        raise ValueError("card_number is not 12 to 19 digits")
    if not luhn_valid(digits):
        raise ValueError("card_number fails the Luhn check")
    return card_key(digits, key), digits[:6], digits[-4:]


def card_key(text: str, key: bytes) -> str:
    """``card:`` + the first 32 hex digits of HMAC-SHA256(key, text): what a card number (its
    digits), or an id that holds one (the whole id), is stored as.

    >>> card_key("4111111111111111", b"k") == card_instrument("4111-1111-1111-1111", b"k")[0]
    True
    """
    return "card:" + hmac.new(bytes(key), text.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


_CANONICAL_ID = {"device_id": device_id, "promo_code": promo_code}   # other ids are only stripped


def id_as_stored(column: str, value: str, get_key) -> str:
    """The id a value of an id column is stored under: canonical, and kept as its keyed hash
    when it is or holds a card number (a column mix-up), so the number is never stored and
    the id still joins. ``get_key()`` gives the hashing key, asked for only when needed.

    Ids are often long numbers, so only a number a card network could have issued counts
    (``issued_card_number``), and digits glued to a hex letter are part of a hex id (a UUID).

    >>> id_as_stored("device_id", " DEV-AB12-CD34 ", bytes)
    'dev_ab12cd34'
    >>> id_as_stored("order_id", "4111:1111:1111:1111", lambda: b"k") == card_key("4111111111111111", b"k")
    True
    >>> id_as_stored("order_id", "202500000007", bytes), id_as_stored("order_id", "ORD-20251004-000123", bytes)
    ('202500000007', 'ORD-20251004-000123')
    """
    canonical = _CANONICAL_ID.get(column, str.strip)
    value = canonical(plain_digits(value))
    digits = card_number_in(value)
    if digits:
        return canonical(card_key(digits, get_key()))
    if _mask(value, _ID_DIGITS, issued_card_number) != value:
        return canonical(card_key(value, get_key()))
    return value


def card_number_in(value: str) -> str | None:
    """The digits of ``value`` when the whole value is a card number a network could have
    issued, its groups parted by any punctuation; else None.

    >>> card_number_in(" 4111/1111/1111/1111"), card_number_in("ord-4111111111111111"), card_number_in("202500000007")
    ('4111111111111111', None, None)
    """
    digits = _ANY_GAP.sub("", plain_digits(value))
    return digits if digits.isascii() and digits.isdigit() and issued_card_number(digits) else None


# (first and last prefix, lengths) of the numbers card networks issue: Visa; Mastercard; Amex;
# Diners; Discover; JCB; UnionPay; Maestro (from 13 digits: its rare 12-digit cards would take in
# a locker code and a house number).
_ISSUED = (((4, 4), (13, 16, 19)), ((51, 55), (16,)), ((2221, 2720), (16,)), ((34, 34), (15,)), ((37, 37), (15,)),
           ((300, 305), (14, 16, 19)), ((36, 36), (14, 16, 19)), ((38, 39), (14, 16, 19)), ((6011, 6011), range(16, 20)),
           ((644, 649), range(16, 20)), ((65, 65), range(16, 20)), ((3528, 3589), range(16, 20)),
           ((62, 62), range(16, 20)), ((50, 50), range(13, 20)), ((56, 69), range(13, 20)))


def issued_card_number(digits: str) -> bool:
    """Luhn-valid, with a prefix and length a card network issues: one id in ten passes Luhn
    alone, an order number ``202500000007`` or a 15-digit IMEI among them.

    >>> issued_card_number("4111111111111111"), issued_card_number("202500000007"), issued_card_number("356938035643809")
    (True, False, False)
    """
    if not luhn_valid(digits):
        return False
    return any(lo <= int(digits[:len(str(lo))]) <= hi and len(digits) in lengths for (lo, hi), lengths in _ISSUED)


def instrument_fingerprint(bin: str, last4: str) -> str | None:  # noqa: A002 - the API's name
    """"bin:last4", which one card keeps under any token or hash; None unless both look right.

    An 8-digit BIN is cut to its first 6 digits, so a source that gives 8 and one that
    gives 6 still meet.

    >>> instrument_fingerprint("45391488", "6467"), instrument_fingerprint("4539", "6467")
    ('453914:6467', None)
    """
    b, l4 = (bin or "").strip(), (last4 or "").strip()
    if 6 <= len(b) <= 8 and b.isascii() and b.isdigit() and len(l4) == 4 and l4.isascii() and l4.isdigit():
        return f"{b[:6]}:{l4}"
    return None


def mask_card(bin: str, last4: str) -> str:  # noqa: A002 - the API's name
    """A 16-character display form, e.g. "411111******1111"; parts that look wrong are starred.

    >>> mask_card("411111", "1111"), mask_card("", "1111")
    ('411111******1111', '************1111')
    """
    b, l4 = (bin or "").strip(), (last4 or "").strip()
    b = b if 6 <= len(b) <= 8 and b.isascii() and b.isdigit() else ""
    l4 = l4 if len(l4) == 4 and l4.isascii() and l4.isdigit() else "****"
    return b + "*" * (12 - len(b)) + l4


# What parts a card number's groups: in a message, spaces, dashes and dots; in what is stored,
# any punctuation (an address key folds "4111/1111/…" into spaces, a device id drops ":").
_CARD_GAP = re.compile(r"[\s.\-]+")
_ANY_GAP = re.compile(r"[\W_]+")
_MESSAGE_DIGITS = re.compile(rf"[0-9]+(?:{_CARD_GAP.pattern}[0-9]+)*")
_STORED_DIGITS = re.compile(rf"[0-9]+(?:{_ANY_GAP.pattern}[0-9]+)*")
# In an id, digits glued to a hex letter are part of a hex id (a UUID, a device serial), not a card.
_ID_DIGITS = re.compile(rf"(?<![0-9A-Fa-f]){_STORED_DIGITS.pattern}(?![0-9A-Fa-f])")
_TWELVE_DIGITS = re.compile(r"[0-9](?:[\W_]*[0-9]){11}")


_OTHER_DIGIT = re.compile(r"(?![0-9])\d")   # a decimal digit of another script: Arabic-Indic ٤, Devanagari ४


def plain_digits(text: str) -> str:
    """``text`` with digits of other forms as ASCII digits: fullwidth ４ and superscript ⁴ (NFKC),
    and the decimal digits of other scripts (٤ ४ ៤), which NFKC leaves. They are the same card
    number, and the address key folds them so anyway.

    >>> plain_digits("٤١١١ ４１１１ ⁴")
    '4111 4111 4'
    """
    if text.isascii():
        return text
    return _OTHER_DIGIT.sub(lambda m: str(unicodedata.decimal(m.group())), unicodedata.normalize("NFKC", text))


def may_hold_card_number(text: str) -> bool:
    """Whether ``text`` has twelve digits with nothing but punctuation between them: a quick
    test before the masking below, which most values need not go through."""
    return bool(_TWELVE_DIGITS.search(plain_digits(text)))


def _mask(text: str, runs: re.Pattern, is_card, longest: int = 19) -> str:
    """``text`` with the card numbers (``is_card``) in its runs of digits (``runs``) masked.

    Along a run, from each group on, the longest stretch of whole groups that is a card number
    (of ``longest`` digits at most) is masked, so digits beside it ("Flat 2, 4111 …") are
    neither taken into the mask nor left to show part of it, and the next card in the run is
    looked for after it.
    """
    def mask(m):
        run = m.group()
        groups = [g.span() for g in re.finditer(r"[0-9]+", run)]
        out, done, i = [], 0, 0
        while i < len(groups):
            digits, card = "", None
            for j in range(i, len(groups)):
                digits += run[slice(*groups[j])]
                if len(digits) > longest:
                    break
                if len(digits) >= 12 and is_card(digits):
                    card = (digits, j)
            if card is None:
                i += 1
                continue
            out += [run[done:groups[i][0]], mask_card(card[0][:6], card[0][-4:])]
            done, i = groups[card[1]][1], card[1] + 1
        return "".join(out) + run[done:]
    folded = plain_digits(text)
    if not may_hold_card_number(folded):
        return text
    masked = runs.sub(mask, folded)
    return text if masked == folded else masked   # digits of other forms are kept where no card was


def mask_card_numbers(text: str, checked: bool = True) -> str:
    """``text`` (a message, an error, a quarantined row) with each Luhn-valid 12–19 digit number
    masked, and, whatever punctuation parts its groups, each one a network issues
    (``mask_stored_text``).

    A card number can land outside ``card_number`` (a row shifted by a stray comma, a number
    typed into a free-text column, or as an id at the command line); it is shown masked there too.
    With ``checked=False`` any number of 12 digits or more is masked, however long: in a row whose
    values have left their columns, a card number with a typo, or with its expiry typed on, is
    still most of a card number.

    >>> mask_card_numbers("paid with 4539.1488.0343.6467 on 2025-10-04 12:30:00")
    'paid with 453914******6467 on 2025-10-04 12:30:00'
    >>> mask_card_numbers("4539 1488 0343 6468", checked=False), mask_card_numbers("amount '4111:1111:1111:1111'")
    ('453914******6468', "amount '411111******1111'")
    >>> mask_card_numbers("45395787636214861228", checked=False)
    '453957******1228'
    """
    if checked:
        return mask_stored_text(_mask(text, _MESSAGE_DIGITS, luhn_valid))
    return mask_stored_text(_mask(text, _MESSAGE_DIGITS, lambda digits: True, longest=len(text)))


def mask_stored_text(text: str) -> str:
    """Free text that is stored and shown (an address, a status, a case note) with each card
    number a network could have issued masked, whatever punctuation parts its groups. Only
    those: an address's locker code and street number pass Luhn together one time in ten.

    >>> mask_stored_text("Flat 2, 4111/1111/1111/1111 High St")
    'Flat 2, 411111******1111 High St'
    >>> mask_stored_text("Parcel Locker 13318 8396195425, 79 George St")
    'Parcel Locker 13318 8396195425, 79 George St'
    """
    return _mask(text, _STORED_DIGITS, issued_card_number)


_ID_PREFIX = re.compile(r"^[a-z][a-z0-9]{0,11}[:_]", re.IGNORECASE)


def mask_id(value: str) -> str:
    """A recognisable but partial id for reports: "card:3fa…9c1" (short ids show 1 char).

    >>> mask_id("card:3fa8b2c0d1e2f3a4b5c6d7e8f9a0b9c1")
    'card:3fa…9c1'
    >>> mask_id("pi_7")
    'pi_7…'
    """
    value = value or ""
    m = _ID_PREFIX.match(value)
    prefix, body = (m.group(), value[m.end():]) if m else ("", value)
    if len(body) <= 6:
        return prefix + body[:1] + "…"
    return f"{prefix}{body[:3]}…{body[-3:]}"
