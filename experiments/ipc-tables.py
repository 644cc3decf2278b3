"""Prints the Markdown tables of docs/results/ipc.md from docs/results/ipc.csv (written by experiments/ipc.sh).
usage: python3 experiments/ipc-tables.py"""
import csv
import os

here = os.path.dirname(os.path.abspath(__file__))
rows = list(csv.DictReader(open(os.path.join(here, "..", "docs", "results", "ipc.csv"))))


def minutes(s):
    return "-" if s in ("-", "") else f"{float(s) / 60:.1f}"


def table(title, select, columns):
    print(f"\n{title}\n")
    print("| " + " | ".join(c[0] for c in columns) + " |")
    print("|" + "|".join("---" for _ in columns) + "|")
    for r in rows:
        if select(r):
            print("| " + " | ".join(c[1](r) for c in columns) + " |")


main = [("method", lambda r: r["method"]), ("setting", lambda r: r["setting"]), ("PSNR (dB)", lambda r: r["psnr"]),
        ("SSIM", lambda r: r["ssim"]), ("ms per signal", lambda r: r["ms_per_signal"]),
        ("training (min)", lambda r: minutes(r["train_seconds"]))]
probabilistic = [("model", lambda r: r["method"] + " " + r["setting"]), ("PSNR of the mean (dB)", lambda r: r["psnr"]),
                 ("NLL (nats per value)", lambda r: r["nll"]), ("within 1 sigma (%)", lambda r: r["within1"]),
                 ("within 2 sigma (%)", lambda r: r["within2"])]


def ponp(r):
    return r["method"].startswith("PONP")


for d, what in [("emoji", "Emoji 64x64 (100 test glyphs)"), ("fsdd", "FSDD, 4096 samples at 8 kHz (100 test clips), 3000 steps"),
                ("fsdd-peak", "FSDD, the same clips scaled to peak 1, 12000 steps"),
                ("photos", "Photo patches 64x64 (24 Kodak centre crops)")]:
    table(f"**{what}** — test set, evaluated once", lambda r, d=d: r["data"] == d and not ponp(r)
          and not r["setting"].startswith("deterministic"), main)
table("**Ablations on emoji** (1000 steps; validation split of the training glyphs)",
      lambda r: r["data"] == "emoji-validation" and not ponp(r), main)
table("**Probes on validation splits** (photos: 1000 steps, 10 held-out photos; FSDD: 100 of the 200 held-out clips, peak "
      "normalised; memorising: trained and scored on the same 50 clips)",
      lambda r: r["data"] in ("photos-validation", "fsdd-validation", "fsdd-train50"),
      [("data", lambda r: r["data"])] + main)
table("**PONP beta probe** (context 100 %, 1000 steps; validation split; the deterministic IPC at 1000 steps: layer 1 "
      "row above)", lambda r: r["data"] == "emoji-validation" and ponp(r), probabilistic)
table("**PONP-IPC on emoji** (2000 steps; test set)", lambda r: r["data"] == "emoji" and (ponp(r) or r["setting"].startswith("deterministic")),
      probabilistic)
table("**Photo patches, third session** (2000 steps, 20 training photos held out; three runs side by side, one thread "
      "each; the IPC rank chosen on validation, then the 24 Kodak crops once)",
      lambda r: r["data"] in ("photos-validation20", "photos-third"),
      [("split", lambda r: "validation" if r["data"] == "photos-validation20" else "test")] + main)
