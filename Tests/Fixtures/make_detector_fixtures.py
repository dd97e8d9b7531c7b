#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generates detectors.json: outcome streams and where river's detectors fire on them.

DDM (drift.binary.DDM), Page-Hinkley (drift.PageHinkley) and ADWIN (drift.ADWIN), river's
defaults, fed one value at a time; for every stream the indices of detections (drift_detected)
and, for DDM, of warnings (warning_detected).

    python3 Tests/Fixtures/make_detector_fixtures.py   # rewrites detectors.json (needs numpy, river)
"""
import json
import os

import numpy as np
import river
from river import drift


def run(stream, binary):
    detectors = {"page_hinkley": drift.PageHinkley(), "adwin": drift.ADWIN()}
    if binary:
        detectors["ddm"] = drift.binary.DDM()
    out = {name: {"detections": [], "warnings": []} for name in detectors}
    for i, x in enumerate(stream):
        for name, d in detectors.items():
            d.update(x)
            if d.drift_detected:
                out[name]["detections"].append(i)
            if getattr(d, "warning_detected", False):
                out[name]["warnings"].append(i)
    return out


def main():
    rng = np.random.default_rng(7)
    streams = {
        "abrupt_errors": [int(x) for x in np.concatenate([rng.random(1000) < 0.1, rng.random(1000) < 0.45])],
        "gradual_errors": [int(rng.random() < 0.05 + 0.4 * i / 3000) for i in range(3000)],
        "stable_errors": [int(x) for x in rng.random(3000) < 0.2],
        "flapping_errors": [int(x) for x in np.concatenate([rng.random(600) < 0.05, rng.random(600) < 0.5,
                                                             rng.random(600) < 0.05, rng.random(600) < 0.6])],
        "regression_abs_errors": [round(float(x), 6) for x in np.abs(np.concatenate([rng.normal(0, 1, 1500), rng.normal(0, 4, 1500)]))],
        "regression_level_shift": [round(float(x), 6) for x in np.abs(np.concatenate([rng.normal(2, 0.5, 1000), rng.normal(60, 5, 1000)]))],
    }
    cases = []
    for name, stream in streams.items():
        binary = not name.startswith("regression")
        cases.append({"name": name, "binary": binary, "stream": stream, "expected": run(stream, binary)})
    out = {"generator": "Tests/Fixtures/make_detector_fixtures.py", "river": river.__version__, "cases": cases}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "detectors.json")
    with open(path, "w") as f:
        json.dump(out, f, sort_keys=True)
        f.write("\n")
    for c in cases:
        print(c["name"], {k: (len(v["detections"]), v["detections"][:5]) for k, v in c["expected"].items()})


if __name__ == "__main__":
    main()
