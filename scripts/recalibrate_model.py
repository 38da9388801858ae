"""Write a model card's calibration again (``models.export.recalibrate``).

Usage: python scripts/recalibrate_model.py MODEL.safetensors DATA_DIR
(the shipped band model: resources/weights/composer-band.safetensors and the band data it
was trained on, ``composer-gui dataset build --band``; about a minute on 2 cores).
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.export import recalibrate  # noqa: E402

if __name__ == "__main__":
    started = time.monotonic()
    calibration = recalibrate(Path(sys.argv[1]), Path(sys.argv[2]))
    ranked = calibration.get("ranked_candidate_quantiles")
    print(f"calibrated {sys.argv[1]} on {sys.argv[2]} ({time.monotonic() - started:.0f} s)")
    if ranked:
        print(f"the model's own candidates' ranking score, median {ranked[50]:.2f}")
