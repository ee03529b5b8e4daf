"""Cold start depends on what inference imports: never scikit-learn; jieba only without rjieba."""

from __future__ import annotations

import subprocess
import sys

from models.tokenize import fast_available

SCRIPT = """
import sys
import models
assert "numpy" not in sys.modules and "sklearn" not in sys.modules, "import models must stay cheap"
model = models.load_model()
model.predict(["星河手机宣布召回部分充电宝"])
print("sklearn" in sys.modules, "jieba" in sys.modules)
"""


def test_inference_does_not_import_scikit_learn() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    sklearn_loaded, jieba_loaded = proc.stdout.split()
    assert sklearn_loaded == "False"
    if fast_available():
        assert jieba_loaded == "False"
