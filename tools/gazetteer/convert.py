#!/usr/bin/env python3
"""Make Ruam's bundled Thai gazetteer (crates/ruam-core/data/th-gazetteer.tsv) from the
npm package thai-address-database (ISC licence), whose database gives every sub-district
(tambon) with its district (amphoe), province and postcodes, in a compacted form (a word
dictionary and a lookup table).

    npm pack thai-address-database@0.0.30 && tar xzf thai-address-database-0.0.30.tgz
    python3 tools/gazetteer/convert.py package/database/db.json \
        > crates/ruam-core/data/th-gazetteer.tsv

One line a sub-district, sorted: province, district, sub-district, postcodes (comma
separated). The package's geographic variant also gives official codes, but some 135 of
them name two different sub-districts, so Ruam names a place by its three names.
"""
import json
import re
import sys


def main(path):
    with open(path, encoding="utf-8") as f:
        db = json.load(f)
    lookup = db["lookup"].split("|")
    words = db["words"].split("|")

    def word(m):
        ch = ord(m.group(0))
        return words[ch - 65 if ch < 97 else 26 + ch - 97]

    def text(value):
        if isinstance(value, int):
            value = lookup[value]
        return re.sub(r"[A-Za-z]", word, value)

    places = {}
    for province, amphoes in db["data"]:
        for amphoe, tambons in amphoes:
            for tambon, zips in tambons:
                key = (text(province), text(amphoe), text(tambon))
                codes = places.setdefault(key, set())
                codes.update(str(z) for z in (zips if isinstance(zips, list) else [zips]) if z)
    print(f"{len(places)} sub-districts", file=sys.stderr)
    out = sys.stdout
    out.write("# Thai provinces, districts and sub-districts with their postcodes, from the npm\n")
    out.write("# package thai-address-database 0.0.30 (ISC licence), by tools/gazetteer/convert.py.\n")
    for key in sorted(places):
        out.write("\t".join(key) + "\t" + ",".join(sorted(places[key])) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
