"""Identifier cleaning: which spellings must meet under one key, and which must not."""

import hashlib
import hmac

import pytest

from graphfraud.normalise import (address_key, card_digits, card_instrument, device_id, email,
                                  instrument_fingerprint, ip_subnet, luhn_valid, mask_card, mask_id, postcode,
                                  promo_code, valid_ip)

# --------------------------------------------------------------------------- addresses, country by country

# Each list: ways one real-looking address gets typed; every spelling must give one key.
SAME_PLACE = {
    "US": ["123 North Main Street, Apt 4, Springfield, IL 62701",
           "123 N Main St #4, Springfield IL 62701-1234",
           "Apt. 4, 123 N. Main St., Springfield, IL 62701, USA",
           "123 n main st unit 4 springfield il 62701"],
    "GB": ["Flat 4, 12 High Street, London SW1A 1AA",
           "12 High St, Flat 4, London, sw1a1aa, UK",
           "F4 12 High St London SW1A 1AA United Kingdom",
           "Flat 4 12 High Street London SW1A1AA England",
           "Flat no. 4, 12 High Street, London SW1A 1AA"],
    "DE": ["Berliner Straße 12a, Whg 3, 10115 Berlin",
           "Berliner Str. 12 a, Wohnung 3, 10115 Berlin, Deutschland",
           "Berlinerstrasse 12-A Whg. 3 10115 Berlin Germany",
           "Whg 3, Berliner Strasse 12A, D-10115 Berlin, DE"],
    "FR": ["5 bis avenue des Champs-Élysées, Appt 12, 75008 Paris",
           "5bis av. des Champs Elysées appartement 12 75008 Paris France",
           "Appt 12, 5 bis Av des Champs-Elysees, Paris 75008",
           "N° 5 bis Avenue Champs Élysées apt 12 75008 PARIS"],
    "NL": ["Kalverstraat 12-A, 1012 AB Amsterdam",
           "Kalverstr. 12a, 1012AB Amsterdam, Nederland",
           "Kalver straat 12 A 1012 ab Amsterdam",
           "KALVERSTRAAT 12A 1012 AB AMSTERDAM NL"],
    "ES": ["Calle Mayor 5, 3º 2ª, 28013 Madrid",
           "C/ Mayor, 5, piso 3, puerta 2, 28013 Madrid, España",
           "C. Mayor nº 5 3 2 28013 Madrid",
           "Calle de Mayor 5, 3º-2ª, 28013 Madrid, Spain"],
    "IT": ["Via Roma 12, int. 5, 00184 Roma",
           "V. Roma, 12 interno 5 00184 Roma Italia",
           "Via Roma n. 12 int 5, 00184 Roma",
           "via roma 12 int5 00184 ROMA IT",
           "Via Roma 12, int. 5, 00184 Roma (RM)",
           "Via Roma 12 interno 5 00184 Roma RM"],
    "PL": ["ul. Marszałkowska 10/5, 00-950 Warszawa",
           "ulica Marszałkowska 10 m. 5, 00950 Warszawa, Polska",
           "ul Marszalkowska 10 lok. 5 00-950 Warszawa",
           "UL. MARSZAŁKOWSKA 10 M 5, 00-950 WARSZAWA, PL"],
    "CA": ["200-123 Main St, Ottawa, ON K1A 0B1",
           "123 Main Street, Suite 200, Ottawa ON K1A0B1, Canada",
           "Ste 200 123 Main St Ottawa ON k1a 0b1",
           "123 Main St. #200, Ottawa, ON K1A-0B1"],
    "AU": ["5/12 Smith St, Surry Hills NSW 2010",
           "Unit 5, 12 Smith Street, Surry Hills NSW 2010, Australia",
           "Apt 5 12 Smith St Surry Hills NSW 2010",
           "12 Smith St, Unit 5, Surry Hills, NSW, 2010",
           "U5 12 Smith St, Surry Hills NSW 2010",
           "U 5/12 Smith Street Surry Hills NSW 2010"],
}

# (first, second): one thing differs — the house number, the street or the unit.
DIFFERENT_PLACES = {
    "US": [("123 N Main St Apt 4, Springfield IL 62701", "125 N Main St Apt 4, Springfield IL 62701"),
           ("123 N Main St Apt 4, Springfield IL 62701", "123 N Oak St Apt 4, Springfield IL 62701"),
           ("123 N Main St Apt 4, Springfield IL 62701", "123 N Main St Apt 5, Springfield IL 62701"),
           ("123 N Main St, Springfield IL 62701", "123 S Main St, Springfield IL 62701")],
    "GB": [("Flat 4, 12 High Street, London SW1A 1AA", "Flat 4, 14 High Street, London SW1A 1AA"),
           ("Flat 4, 12 High Street, London SW1A 1AA", "Flat 4, 12 High Road, London SW1A 1AA"),
           ("Flat 4, 12 High Street, London SW1A 1AA", "Flat 5, 12 High Street, London SW1A 1AA")],
    "DE": [("Hauptstraße 5, 10115 Berlin", "Hauptstraße 7, 10115 Berlin"),
           ("Hauptstraße 5, 10115 Berlin", "Hauptweg 5, 10115 Berlin"),
           ("Hauptstraße 5, Whg 3, 10115 Berlin", "Hauptstraße 5, Whg 4, 10115 Berlin")],
    "FR": [("12 rue de la Paix, 75002 Paris", "14 rue de la Paix, 75002 Paris"),
           ("12 rue de la Paix, 75002 Paris", "12 avenue de la Paix, 75002 Paris"),
           ("12 rue de la Paix, appt 3, 75002 Paris", "12 rue de la Paix, appt 4, 75002 Paris"),
           ("12 rue de la Paix, 75002 Paris", "12 bis rue de la Paix, 75002 Paris")],
    "NL": [("Kalverstraat 12, 1012 AB Amsterdam", "Kalverstraat 14, 1012 AB Amsterdam"),
           ("Kalverstraat 12, 1012 AB Amsterdam", "Kalverlaan 12, 1012 AB Amsterdam"),
           ("Kalverstraat 12-A, 1012 AB Amsterdam", "Kalverstraat 12-B, 1012 AB Amsterdam")],
    "ES": [("Calle Mayor 5, 3º 2ª, 28013 Madrid", "Calle Mayor 7, 3º 2ª, 28013 Madrid"),
           ("Calle Mayor 5, 3º 2ª, 28013 Madrid", "Plaza Mayor 5, 3º 2ª, 28013 Madrid"),
           ("Calle Mayor 5, 3º 2ª, 28013 Madrid", "Calle Mayor 5, 3º 1ª, 28013 Madrid")],
    "IT": [("Via Roma 12, int. 5, 00184 Roma", "Via Roma 21, int. 5, 00184 Roma"),
           ("Via Roma 12, int. 5, 00184 Roma", "Viale Roma 12, int. 5, 00184 Roma"),
           ("Via Roma 12, int. 5, 00184 Roma", "Via Roma 12, int. 6, 00184 Roma")],
    "PL": [("ul. Marszałkowska 10/5, 00-950 Warszawa", "ul. Marszałkowska 12/5, 00-950 Warszawa"),
           ("ul. Marszałkowska 10/5, 00-950 Warszawa", "al. Marszałkowska 10/5, 00-950 Warszawa"),
           ("ul. Marszałkowska 10/5, 00-950 Warszawa", "ul. Marszałkowska 10/6, 00-950 Warszawa")],
    "CA": [("123 Main St, Suite 200, Ottawa ON K1A 0B1", "124 Main St, Suite 200, Ottawa ON K1A 0B1"),
           ("123 Main St, Suite 200, Ottawa ON K1A 0B1", "123 Main Ave, Suite 200, Ottawa ON K1A 0B1"),
           ("123 Main St, Suite 200, Ottawa ON K1A 0B1", "123 Main St, Suite 201, Ottawa ON K1A 0B1")],
    "AU": [("5/12 Smith St, Surry Hills NSW 2010", "5/14 Smith St, Surry Hills NSW 2010"),
           ("5/12 Smith St, Surry Hills NSW 2010", "5/12 Smith Rd, Surry Hills NSW 2010"),
           ("5/12 Smith St, Surry Hills NSW 2010", "6/12 Smith St, Surry Hills NSW 2010")],
}


@pytest.mark.parametrize("country", sorted(SAME_PLACE))
def test_spellings_of_one_address_meet(country):
    keys = {address_key(spelling, country) for spelling in SAME_PLACE[country]}
    assert len(keys) == 1, keys
    assert "" not in keys


@pytest.mark.parametrize("country,first,second",
                         [(cc, a, b) for cc, pairs in sorted(DIFFERENT_PLACES.items()) for a, b in pairs])
def test_different_number_street_or_unit_do_not_meet(country, first, second):
    assert address_key(first, country) != address_key(second, country)


def test_every_country_has_meeting_and_non_meeting_cases():
    countries = {"US", "GB", "DE", "FR", "NL", "ES", "IT", "PL", "CA", "AU"}
    assert set(SAME_PLACE) == set(DIFFERENT_PLACES) == countries
    assert all(len(v) >= 3 for v in SAME_PLACE.values()) and all(len(v) >= 3 for v in DIFFERENT_PLACES.values())


# --------------------------------------------------------------------------- addresses, rule by rule

def test_empty_or_blank_address_gives_empty_key():
    assert address_key("") == "" and address_key("   ", "DE") == "" and address_key(" , . ", "GB") == ""


def test_accents_and_letters_nfkd_keeps_meet_their_plain_spelling():
    assert address_key("ul. Piotrkowska 5, 90-001 Łódź", "PL") == address_key("ul. Piotrkowska 5, 90-001 Lodz", "PL")
    assert address_key("Søndergade 3", "DK") == address_key("Sondergade 3", "DK")
    assert address_key("Rue du Cœur 3", "FR") == address_key("rue du coeur 3", "FR")
    assert address_key("Ærøvej 3") == address_key("Aerovej 3")
    assert address_key("Đakovačka 3") == address_key("Dakovacka 3")
    assert address_key("ＭＡＩＮ ＳＴ １２", "US") == address_key("Main St 12", "US")  # NFKC: full-width forms


def test_eszett_and_german_umlauts_spelled_out_meet():
    assert address_key("Große Straße 1, 80331 München", "DE") == address_key("Grosse Str. 1, 80331 Muenchen", "DE")
    assert address_key("GROẞE STRAẞE 1", "DE") == address_key("grosse strasse 1", "DE")


def test_punctuation_and_whitespace_do_not_matter():
    assert address_key("12,  High   St.;London", "GB") == address_key("12 High St London", "GB")


def test_street_abbreviations_meet_in_english():
    for long, short in [("Road", "Rd"), ("Avenue", "Ave"), ("Avenue", "Av"), ("Boulevard", "Blvd"),
                        ("Drive", "Dr"), ("Lane", "Ln"), ("Court", "Ct"), ("Place", "Pl"), ("Square", "Sq"),
                        ("Crescent", "Cres"), ("Terrace", "Tce"), ("Highway", "Hwy"), ("Close", "Cl"),
                        ("Street", "St.")]:
        assert address_key(f"12 Oak {long}", "US") == address_key(f"12 Oak {short}", "US"), long
    assert address_key("12 Beach Parade, Manly NSW 2095", "AU") == address_key("12 Beach Pde Manly NSW 2095", "AU")
    assert address_key("1 Main St", "US") != address_key("1 Main Rd", "US")


def test_directionals_meet_their_initials_but_stay_apart_from_house_numbers():
    assert address_key("100 North 200 West", "US") == address_key("100 N 200 W", "US") == "100 n 200 w"
    assert address_key("12 NE Broadway", "US") == address_key("12 Northeast Broadway", "US")


def test_unit_markers_meet_before_or_after_the_street():
    keys = {address_key(a, "US") for a in ["Apt 4, 12 Main St", "12 Main St #4", "Unit 4 12 Main St",
                                           "12 Main St, Suite 4", "12 Main St Ste. 4", "#4 12 Main St",
                                           "12 Main St Apt #4", "12 Main St apt4"]}
    assert keys == {"unit 4 12 main st"}
    assert address_key("Flat 4, 12 High St", "GB") == address_key("12 High St F4", "GB") == "unit 4 12 high st"


def test_unit_letters_stay_with_their_unit():
    assert address_key("Flat F, 12 High St", "GB") == "unit f 12 high st"
    assert address_key("Apt B2, 12 Main St", "US") == address_key("12 Main St Apt B2", "US") == "unit b2 12 main st"
    assert address_key("12 Main St Apt 4 E", "US") == address_key("12 Main St Apt 4E", "US") == "unit 4e 12 main st"
    assert address_key("12 Main St Apt 4E", "US") != address_key("12 Main St Apt 4W", "US")


def test_suite_and_sainte_are_told_apart_in_canada():
    assert address_key("Ste 200, 123 Main St", "CA") == address_key("123 Main St Suite 200", "CA")
    assert address_key("1234 rue Ste-Catherine Ouest, Montréal QC H3G 1P1", "CA") == \
        address_key("1234 Rue Sainte-Catherine O, Montreal, QC H3G1P1", "CA")


def test_street_abbreviations_meet_in_german():
    key = address_key("Hauptstraße 5, 10115 Berlin", "DE")
    assert key == "hauptstr 5 berlin 10115"
    for spelling in ["Hauptstr. 5, 10115 Berlin", "Hauptstrasse 5 10115 Berlin", "Haupt-Straße 5, 10115 Berlin",
                     "Haupt Str 5, 10115 Berlin"]:
        assert address_key(spelling, "DE") == key, spelling
    assert address_key("Marienplatz 1, 80331 München", "DE") == address_key("Marien Pl. 1, 80331 München", "DE")
    assert address_key("Straße des 17. Juni 135", "DE") == address_key("Str. des 17. Juni 135", "DE")
    assert address_key("Am Weg 3", "DE") == "am weg 3", "a preposition is not joined to the street word"


def test_street_abbreviations_meet_in_french():
    assert address_key("12 rue de la Paix", "FR") == address_key("12 r. de la paix", "FR") == "12 rue paix"
    assert address_key("7 Boulevard Saint-Germain", "FR") == address_key("7 Bd St Germain", "FR") \
        == address_key("7 bld St-Germain", "FR")
    assert address_key("3 Place de la Concorde", "FR") == address_key("3 Pl. de la Concorde", "FR")
    assert address_key("3 rue de l'Église", "FR") == address_key("3 rue de l Eglise", "FR")


def test_bis_and_ter_are_kept_apart_from_the_plain_number_in_french():
    assert address_key("12bis rue X", "FR") == address_key("12 bis rue X", "FR") == "12 bis rue x"
    assert address_key("12 ter rue X", "FR") not in (address_key("12 rue X", "FR"), address_key("12 bis rue X", "FR"))


def test_house_number_letters_meet_in_dutch():
    assert {address_key(f"Damrak {n}", "NL") for n in ["12-A", "12a", "12 A", "12A", "12 - a"]} == {"damrak 12a"}
    assert address_key("Van Baerlestraat 27", "NL") == address_key("Van Baerle straat 27", "NL")


def test_floor_and_door_marks_meet_in_spanish():
    base = address_key("Calle Mayor 5, 3º 2ª", "ES")
    assert base == "calle mayor 5 3 2"
    assert address_key("C/ Mayor 5, piso 3 puerta 2", "ES") == base
    assert address_key("Avda. de la Constitución 10", "ES") == address_key("Avenida Constitucion 10", "ES")
    assert address_key("Pza. Mayor 1", "ES") == address_key("Plaza Mayor 1", "ES")
    assert address_key("P.º de la Castellana 100", "ES") == address_key("Paseo Castellana 100", "ES")
    assert address_key("Calle Luna s/n", "ES") == address_key("C/ Luna S/N", "ES")


def test_dotted_abbreviations_meet_in_italian():
    assert address_key("V.le Europa 3", "IT") == address_key("Viale Europa 3", "IT")
    piazza = address_key("Piazza Navona 1", "IT")
    assert address_key("P.zza Navona 1", "IT") == address_key("P.za Navona 1", "IT") == piazza
    assert address_key("C.so Buenos Aires 5", "IT") == address_key("Corso Buenos Aires 5", "IT")
    assert address_key("Via dell'Orso 7/A", "IT") == address_key("Via Orso 7a", "IT")


def test_street_types_and_flats_meet_in_polish():
    assert address_key("aleja Jerozolimskie 100", "PL") == address_key("Al. Jerozolimskie 100", "PL")
    assert address_key("plac Zbawiciela 1", "PL") == address_key("pl. Zbawiciela 1", "PL")
    assert address_key("osiedle Tysiąclecia 5", "PL") == address_key("os. Tysiaclecia 5", "PL")
    assert address_key("ul. Długa 10 mieszkanie 5", "PL") == address_key("ul. Długa 10/5", "PL") \
        == address_key("ul. Długa 10 lokal 5", "PL")


def test_country_name_at_the_end_is_dropped():
    key = address_key("Hauptstraße 5, 10115 Berlin", "DE")
    for tail in ["Germany", "DE", "Deutschland", "D.E."]:
        assert address_key(f"Hauptstraße 5, 10115 Berlin, {tail}", "DE") == key, tail
    gb = address_key("10 Downing Street, London SW1A 2AA", "GB")
    for tail in ["United Kingdom", "UK", "U.K.", "GB", "Great Britain"]:
        assert address_key(f"10 Downing Street, London SW1A 2AA, {tail}", "GB") == gb, tail


def test_us_state_ca_is_not_taken_for_canada():
    assert address_key("1 Market St, San Francisco, CA 94105", "US").endswith("san francisco ca 94105")


def test_country_can_be_given_as_a_name_or_inferred_from_the_address():
    key = address_key("Hauptstraße 5, 10115 Berlin", "DE")
    assert address_key("Hauptstraße 5, 10115 Berlin", "Deutschland") == key
    assert address_key("Hauptstraße 5, 10115 Berlin", "de") == key
    assert address_key("Hauptstr. 5, 10115 Berlin, Germany") == key
    assert address_key("Flat 4, 12 High St, London SW1A 1AA", "UK") == address_key("12 High St F4 London SW1A1AA", "GB")


def test_postcode_position_does_not_matter():
    assert address_key("12 rue de la Paix, 75002 Paris", "FR") == address_key("12 rue de la Paix, Paris 75002", "FR")


# --------------------------------------------------------------------------- postcodes

@pytest.mark.parametrize("country,raw,expected", [
    ("GB", "10 Downing Street, London SW1A 2AA", "sw1a2aa"),
    ("GB", "10 downing st london sw1a2aa", "sw1a2aa"),
    ("GB", "1 Chapel Hill, Bournemouth BH1 1AA", "bh11aa"),
    ("CA", "123 Main St, Ottawa ON K1A 0B1", "k1a0b1"),
    ("CA", "123 main st ottawa k1a0b1", "k1a0b1"),
    ("PL", "ul. Marszałkowska 10, 00-950 Warszawa", "00950"),
    ("PL", "ul. Marszałkowska 10, 00950 Warszawa", "00950"),
    ("NL", "Kalverstraat 12, 1012 AB Amsterdam", "1012ab"),
    ("NL", "Kalverstraat 12, 1012ab Amsterdam", "1012ab"),
    ("US", "1 Market St, San Francisco, CA 94105-1234", "94105"),
    ("US", "1 Market St, San Francisco, CA 94105", "94105"),
    ("DE", "Hauptstr. 5, D-10115 Berlin", "10115"),
    ("FR", "12 rue de la Paix, 75002 Paris", "75002"),
    ("ES", "Calle Mayor 5, 28013 Madrid", "28013"),
    ("IT", "Via Roma 12, 00184 Roma RM", "00184"),
    ("AU", "5/12 Smith St, Surry Hills NSW 2010", "2010"),
    (None, "Flat 4, 12 High St, London SW1A 1AA", "sw1a1aa"),
])
def test_postcode_is_found_and_normalised(country, raw, expected):
    assert postcode(raw, country) == expected


def test_house_numbers_are_not_taken_for_postcodes():
    assert postcode("12345 Main St, Springfield", "US") is None
    assert postcode("1234 Pacific Hwy, Pymble", "AU") is None
    assert postcode("Hauptstraße 5, Berlin", "DE") is None
    assert postcode("", "DE") is None


def test_us_zip_plus_four_meets_the_five_digit_zip():
    assert address_key("1 Market St, San Francisco, CA 94105-1234", "US") == \
        address_key("1 Market St, San Francisco, CA 94105", "US")


# --------------------------------------------------------------------------- devices

def test_device_id_casing_braces_and_quotes_do_not_matter():
    assert device_id(" {DEV-AB12} ") == device_id('"dev-ab12"') == device_id("dev-ab12") == "dev-ab12"


def test_uuid_and_mac_separators_are_formatting():
    uuid = "3F2504E0-4F89-11D3-9A0C-0305E82C3301"
    assert device_id(uuid) == device_id("{" + uuid.lower() + "}") == device_id(uuid.replace("-", "")) \
        == "3f2504e04f8911d39a0c0305e82c3301"
    assert device_id("AA:BB:CC:DD:EE:FF") == device_id("aa-bb-cc-dd-ee-ff") == "aabbccddeeff"


def test_hex_device_ids_keep_their_word_prefix():
    assert device_id("DEV-AB12-CD34") == device_id("dev_ab12cd34") == device_id("dev:AB12:CD34") == "dev_ab12cd34"
    assert device_id("idfa:3F2504E0-4F89-11D3-9A0C-0305E82C3301") == "idfa_3f2504e04f8911d39a0c0305e82c3301"


def test_device_ids_that_are_not_clearly_one_id_stay_apart():
    assert device_id("dev-ab12-cd34") != device_id("dev-ab12-cd35")
    assert device_id("DEV-AB12") != device_id("dev_ab12"), "4 hex digits are too few to call the separator formatting"
    assert device_id("devab12cd34") != device_id("dev_ab12cd34"), "no separator: the prefix cannot be told apart"
    assert device_id("android-pixel-7") != device_id("android_pixel_7")


# --------------------------------------------------------------------------- e-mail, IPs, promo codes

def test_gmail_ignores_dots_and_plus_tags():
    assert email(" J.Doe+shop@Gmail.com ") == email("jdoe@gmail.com") == email("j.d.o.e@googlemail.com") \
        == "jdoe@gmail.com"


def test_other_providers_keep_dots_but_drop_plus_tags():
    assert email("J.Doe+shop@Example.COM") == "j.doe@example.com"
    assert email("j.doe@example.com") != email("jdoe@example.com")
    assert email("not-an-email") == "not-an-email"


def test_ipv4_subnet_is_the_first_three_octets():
    assert ip_subnet("203.0.113.7") == ip_subnet(" 203.0.113.250 ") == "203.0.113"
    assert ip_subnet("::ffff:203.0.113.9") == "203.0.113"


def test_ipv6_subnet_is_the_first_four_hextets():
    assert ip_subnet("2001:db8:85a3:1:8a2e:370:7334:1") == ip_subnet("2001:0DB8:85A3:0001::1") == "2001:db8:85a3:1"


def test_invalid_ips_have_no_subnet():
    for bad in ["", "203.0.113", "203.0.113.256", "203.0.113.7:443", "10.0.0.0/8", "not an ip", "2001:db8::g"]:
        assert ip_subnet(bad) is None and not valid_ip(bad), bad
    assert valid_ip("203.0.113.7") and valid_ip("2001:db8::1")


def test_promo_codes_are_case_insensitive():
    assert promo_code(" welcome10 ") == promo_code("WELCOME10") == "WELCOME10"


# --------------------------------------------------------------------------- cards

VISA = "4111 1111 1111 1111"
KEY = b"k" * 32


def test_card_digits_drop_spaces_and_dashes_and_check_the_length():
    assert card_digits(VISA) == card_digits("4111-1111-1111-1111") == "4111111111111111"
    assert card_digits("4111 1111 111") is None                  # 11 digits
    assert card_digits("4" * 20) is None
    assert card_digits("4111.1111.1111.1111") is None
    assert card_digits("") is None


def test_luhn_accepts_real_numbers_and_rejects_typos():
    for good in ["4111111111111111", "5555555555554444", "378282246310005", "4539148803436467"]:
        assert luhn_valid(good), good
    for bad in ["4111111111111112", "4539148803436468", "", "4111x11111111111"]:
        assert not luhn_valid(bad), bad


def test_card_instrument_is_a_keyed_hash_with_bin_and_last4():
    instrument, bin_, last4 = card_instrument(VISA, KEY)
    expected = hmac.new(KEY, b"4111111111111111", hashlib.sha256).hexdigest()[:32]
    assert instrument == "card:" + expected
    assert (bin_, last4) == ("411111", "1111")
    assert card_instrument("4111-1111-1111-1111", KEY)[0] == instrument, "spellings of one card meet"


def test_different_keys_give_different_instrument_ids():
    assert card_instrument(VISA, KEY)[0] != card_instrument(VISA, b"another key")[0]
    plain = "card:" + hashlib.sha256(b"4111111111111111").hexdigest()[:32]
    assert card_instrument(VISA, KEY)[0] != plain, "an unkeyed hash of a card number can be brute-forced"


@pytest.mark.parametrize("raw", ["4111 1111 1111 1112", "4539-1488-0343-6468", "4111 1111 111", "4" * 20,
                                 "4111 1111 1111 111x"])
def test_invalid_card_errors_never_contain_the_number(raw):
    with pytest.raises(ValueError) as info:
        card_instrument(raw, KEY)
    message = " ".join([str(info.value), repr(info.value)])
    digits = "".join(ch for ch in raw if ch.isdigit())
    assert digits not in message and raw not in message
    for i in range(len(digits) - 3):  # no four consecutive digits of it either
        assert digits[i:i + 4] not in message
    assert "card_number" in str(info.value)


def test_an_empty_key_is_refused():
    with pytest.raises(ValueError, match="key"):
        card_instrument(VISA, b"")


def test_fingerprint_survives_retokenisation():
    instrument, bin_, last4 = card_instrument(VISA, KEY)
    assert instrument_fingerprint(bin_, last4) == instrument_fingerprint(" 411111 ", "1111") == "411111:1111"
    assert instrument_fingerprint("41111111", "1111") == "411111:1111", "an 8-digit BIN meets its 6-digit form"


def test_fingerprint_needs_a_plausible_bin_and_last4():
    for bin_, last4 in [("4111", "1111"), ("411111", "111"), ("", "1111"), ("411111", ""), ("41111a", "1111"),
                        ("411111111", "1111"), (None, None)]:
        assert instrument_fingerprint(bin_, last4) is None, (bin_, last4)


def test_masks_show_only_what_a_report_needs():
    assert mask_card("411111", "1111") == "411111******1111"
    assert mask_card("", "1111") == "************1111"
    assert mask_card("411111", "x") == "411111**********"
    assert mask_id("card:3fa8b2c0d1e2f3a4b5c6d7e8f9a0b9c1") == "card:3fa…9c1"
    assert mask_id("pi_777") == "pi_7…"
    assert mask_id("") == "…"


def test_an_address_naming_another_country_takes_that_countrys_rules():
    """An order from a German buyer shipped to London: British rules, as if given as GB."""
    assert address_key("Flat 4, 12 High Street, London SW1A 1AA, United Kingdom", "DE") == \
        address_key("12 High St, Flat 4, London, sw1a1aa", "GB")
    assert address_key("Hauptstraße 5, 10115 Berlin, Deutschland", "FR") == address_key("Hauptstr. 5, 10115 Berlin", "DE")
    # a region, not a country: New South Wales stays Australian
    assert address_key("5/12 Smith St, Surry Hills, New South Wales", "AU").startswith("unit 5 12 smith st")
