"""Municipality names and the three-letter codes used in pseudonymous ids."""

from __future__ import annotations

from itertools import combinations

# The trial's four municipalities first, then the rest of Denmark's 98.
MUNICIPALITIES = (
    "Aarhus", "Halsnæs", "Kolding", "Lejre",
    "Albertslund", "Allerød", "Assens", "Ballerup", "Billund", "Bornholm", "Brøndby",
    "Brønderslev", "Dragør", "Egedal", "Esbjerg", "Fanø", "Favrskov", "Faxe", "Fredensborg",
    "Fredericia", "Frederiksberg", "Frederikshavn", "Frederikssund", "Furesø",
    "Faaborg-Midtfyn", "Gentofte", "Gladsaxe", "Glostrup", "Greve", "Gribskov", "Guldborgsund",
    "Haderslev", "Hedensted", "Helsingør", "Herlev", "Herning", "Hillerød", "Hjørring",
    "Holbæk", "Holstebro", "Horsens", "Hvidovre", "Høje-Taastrup", "Hørsholm", "Ikast-Brande",
    "Ishøj", "Jammerbugt", "Kalundborg", "Kerteminde", "København", "Køge", "Langeland",
    "Lemvig", "Lolland", "Lyngby-Taarbæk", "Læsø", "Mariagerfjord", "Middelfart", "Morsø",
    "Norddjurs", "Nordfyns", "Nyborg", "Næstved", "Odder", "Odense", "Odsherred", "Randers",
    "Rebild", "Ringkøbing-Skjern", "Ringsted", "Roskilde", "Rudersdal", "Rødovre", "Samsø",
    "Silkeborg", "Skanderborg", "Skive", "Slagelse", "Solrød", "Sorø", "Stevns", "Struer",
    "Svendborg", "Syddjurs", "Sønderborg", "Thisted", "Tønder", "Tårnby", "Vallensbæk",
    "Varde", "Vejen", "Vejle", "Vesthimmerland", "Viborg", "Vordingborg", "Ærø", "Aabenraa",
    "Aalborg",
)

_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "AE", "Ø": "OE", "Å": "AA"})


def fold(name: str) -> str:
    """Danish letters spelt out in ASCII: 'Halsnæs' -> 'Halsnaes'."""
    return name.translate(_FOLD)


def codes(names: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Unique three-letter codes: the first letters, else the first and two later ones."""
    taken: dict[str, str] = {}
    for name in names:
        letters = [c for c in fold(name).upper() if c.isalpha()]
        candidates = ["".join(letters[:1] + list(pair)) for pair in combinations(letters[1:], 2)]
        code = next((c for c in candidates if c not in taken.values()), None)
        if code is None:
            code = f"{letters[0]}{len(taken):02d}"
        taken[name] = code
    return taken
