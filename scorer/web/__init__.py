"""The reviewer's workbench (issue 12): `civscore serve`, a local web application to
score submissions, check and adjust the machine's proposal, and sign a scorecard.

Modules:
    actions   - the changes a reviewer can make, on a Review (scorer/review.py: the review
                model, its recompute and the one view of machine and review side by side)
    store     - the workbench's tables, in the same SQLite file as `civscore batch`
    security  - password hashing (scrypt), signed session cookies, CSRF tokens
    uploads   - turning uploaded bytes into a scored result, with Chinese error messages
    app       - the Starlette application (routes, pages)
    loop      - reviewers' decisions as labels (calibrate/diff --from-reviews)
    pool      - scoring in worker processes

`civscore serve` itself is scorer/cli/serve_cmds.py; nothing here imports the command line.
"""

from __future__ import annotations

__all__: list[str] = []
