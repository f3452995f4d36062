"""Writes the digits pipeline's datasets from scikit-learn's digits: data/reference.csv (the rows
the model learned from so far) and data/current.csv (the newest batch, which the validate stage
checks against the reference before training). One column per pixel (0..16, named as sklearn
names them) and `target`. Border pixels blank in all but a few images are left out: they carry
nothing to learn, and a batch in which one happens to be blank throughout would fail the
validate stage's data-quality check as a constant column. The rows are shuffled with a fixed
seed, so every run writes the same bytes and the stages after this one stay cached until this
script changes.
"""
import os

import numpy as np
from sklearn.datasets import load_digits

digits = load_digits()
pixels = [j for j in range(64) if np.count_nonzero(digits.data[:, j]) >= len(digits.target) // 100]
names = [f"pixel_{j // 8}_{j % 8}" for j in pixels]
order = np.random.default_rng(0).permutation(len(digits.target))
split = len(order) * 6 // 10


def write(path, rows):
    # Written next to the final name first: a stopped run never leaves half a CSV behind.
    with open(path + ".tmp", "w") as f:
        f.write(",".join(names + ["target"]) + "\n")
        for i in rows:
            f.write(",".join(str(int(digits.data[i, j])) for j in pixels) + f",{digits.target[i]}\n")
    os.replace(path + ".tmp", path)


os.makedirs("data", exist_ok=True)
write("data/reference.csv", order[:split])
write("data/current.csv", order[split:])
print(f"wrote {split} reference rows and {len(order) - split} current rows of {len(names)} pixels to data/", flush=True)
