"""`helpline worker --log-file`: routine lines go to the file, the terminal keeps problems."""

from __future__ import annotations

from pathlib import Path

from tests.live import run_python

SCRIPT = """
import logging, sys
from pathlib import Path
import worker

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
worker.log_routine_to(Path(sys.argv[1]))
logging.getLogger("rq.worker").info("helpline: Job OK (routine)")
logging.getLogger("helpline.queueing").warning("offer failed (a problem)")
"""


def test_routine_lines_go_to_the_file_and_problems_to_the_terminal(tmp_path: Path) -> None:
    """INFO reaches only the log file; WARNING reaches both."""
    log_file = tmp_path / "logs" / "worker.log"
    result = run_python(SCRIPT, str(log_file))
    assert "Job OK" not in result.stderr + result.stdout
    assert "offer failed" in result.stderr
    written = log_file.read_text(encoding="utf-8")
    assert "Job OK" in written and "offer failed" in written
