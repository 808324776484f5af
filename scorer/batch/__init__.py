"""Score a whole intake (issue 6): `civscore batch DIR --out reports/`.

Every supported report under DIR is scored in parallel worker processes (or on a
Dask cluster), results are committed to a SQLite store as they arrive (a group at most
half a second apart), and the
batch writes a scorecard per report, ranking.csv / ranking.xlsx and overview.pdf.

    from scorer.batch import BatchOptions, run_batch
    report = run_batch(BatchOptions(source=Path("intake"), out=Path("reports")))

Modules: `discover` (files and scorecard names), `worker` (what a worker process
does), `backends` (local pool, Dask), `store` (SQLite), `ranking` (order, CSV,
XLSX), `overview` (the summary PDF), `runner` (puts them together).
"""

from .runner import BatchOptions, BatchProgress, BatchReport, run_batch
from .store import ResultStore

__all__ = ["BatchOptions", "BatchProgress", "BatchReport", "ResultStore", "run_batch"]
