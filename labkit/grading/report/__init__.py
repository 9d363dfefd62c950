"""Stage 5, report: the score table and grades CSV, the class report, the LMS export and the
feedback zip."""
