"""`civscore diff`, `suggest`, `calibrate`: tune a rubric against a folder of reports."""
