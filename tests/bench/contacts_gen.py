#!/usr/bin/env python3
"""Deterministic contacts for the list benchmark: N leads and contacts of one tenant as SQL.

   tests/bench/contacts_gen.py TENANT_ID [N]    (N = 100000; half leads, half contacts)

The same arguments always give the same rows (a fixed linear congruential
generator, no dependence on Python's random module or the clock). Rows go in
multi-row INSERTs of 1000 inside one transaction; every fourth record gets a tag.
"""
import sys

FIRST = ["Ana", "Bert", "Carla", "Dirk", "Eva", "Femke", "Gil", "Hugo", "Ines", "Jan", "Karin", "Luis",
         "Marta", "Nils", "Olga", "Pablo", "Quim", "Rosa", "Sven", "Tess", "Ugo", "Vera", "Wim", "Xenia",
         "Yara", "Zoe", "Lucía", "José", "Søren", "Anaïs"]
LAST = ["Garcia", "Martinez", "Lopez", "Sanchez", "Perez", "Gomez", "Jansen", "Bakker", "Visser", "Smit",
        "Muller", "Schmidt", "Schneider", "Fischer", "Weber", "Smith", "Jones", "Taylor", "Brown", "Wilson",
        "Dubois", "Laurent", "Moreau", "Rossi", "Russo", "Ferrari", "Esposito", "Nielsen", "Hansen",
        "Johansson", "Andersson", "Kowalski", "Nowak", "Novak", "Horvat", "Popescu", "Ionescu", "Silva",
        "Santos", "Ferreira", "Costa", "Oliveira", "Pereira", "Ramos", "Navarro", "Torres", "Dominguez",
        "Vazquez", "Castillo", "Romero"]
STATUS = ["prospect", "qualified", "negotiating", "won", "lost"]
STAGE = ["hot", "neutral", "cold"]
SOURCE = ["cold_calling", "incoming_call", "referral", "website", "social_media", "email_campaign",
          "incoming_mail", "in_person", "portal", "networking_event", "print", "partner", "outdoor",
          "radio_tv", "manual"]
LANG = ["es", "en", "nl", "de", "fr", "sv"]


class Lcg:
    def __init__(self, seed):
        self.s = seed

    def next(self, n):
        self.s = (self.s * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return (self.s >> 33) % n


def q(s):
    return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'"


def main():
    tenant = int(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    g = Lcg(20261202)
    out = sys.stdout
    out.write("SET NAMES utf8mb4;\nSTART TRANSACTION;\n")
    cols = ("tenant_id, kind, type, status, source, stage, first_name, last_name, email, email_norm,"
            " phone, phone_norm, language, budget_min, budget_max, score, created_at, updated_at")
    tags = []
    for start in range(0, n, 1000):
        rows = []
        for i in range(start, min(n, start + 1000)):
            kind = "lead" if i % 2 == 0 else "contact"
            fn, ln = FIRST[g.next(len(FIRST))], LAST[g.next(len(LAST))]
            email = f"{fn.lower()}.{ln.lower()}.{i}@example.com"
            digits = f"6{g.next(100000000):08d}"
            lo = 5000000 * (1 + g.next(100))
            day = g.next(730)
            secs = g.next(86400)
            created = f"DATE_ADD('2025-01-01', INTERVAL {day * 86400 + secs} SECOND)"
            rows.append("({t}, '{k}', '{ty}', '{st}', '{so}', '{sg}', {fn}, {ln}, {em}, {em}, '+34 {p}', '+34{p}',"
                        " '{la}', {lo}, {hi}, {sc}, {cr}, {cr})".format(
                            t=tenant, k=kind, ty=("buyer", "owner")[g.next(2)], st=STATUS[g.next(5)],
                            so=SOURCE[g.next(len(SOURCE))], sg=STAGE[g.next(3)], fn=q(fn), ln=q(ln),
                            em=q(email), p=digits, la=LANG[g.next(len(LANG))], lo=lo, hi=lo * 2,
                            sc=g.next(101), cr=created))
        out.write(f"INSERT INTO contacts ({cols}) VALUES\n" + ",\n".join(rows) + ";\n")
    out.write("INSERT INTO tags (tenant_id, entity, entity_id, tag) SELECT tenant_id, 'contact', id,"
              f" ELT(1 + id % 3, 'vip', 'investor', 'golf') FROM contacts WHERE tenant_id = {tenant} AND id % 4 = 0;\n")
    out.write("COMMIT;\n")


if __name__ == "__main__":
    main()
