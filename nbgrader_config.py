"""nbgrader configuration for Lab 08 (read by `nbgrader ...` run from this folder and by `labkit`)."""
import os

from labkit import settings  # every LAB08_* variable and timeout (stdlib only)

c = get_config()  # noqa: F821  (provided by nbgrader/traitlets when this file is loaded)

# --- course and folders -------------------------------------------------------------------
c.CourseDirectory.course_id = "lab08-frameworks"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# The course hands notebooks out as the student edition (`labkit publish`) and takes submissions from
# the LMS (`labkit grade --from class.zip`), so nbgrader's release/collect exchange is not used. It
# lives inside the course (created by the tooling; ignored by git) only so that formgrader finds a
# writable exchange and does not warn or disable itself.
c.Exchange.root = os.path.join(c.CourseDirectory.root, "exchange")
# files never copied into release/ or graded folders
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "runs",
                            "checkpoints", "*.keras", "*.onnx", "*.tflite", "lightning_logs"]
c.CourseDirectory.max_file_size = 100_000  # kB: submissions may not smuggle large files

# --- what students see in place of solutions ----------------------------------------------
c.ClearSolutions.code_stub = {"python": "# TU CÓDIGO AQUÍ\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "ESCRIBE AQUÍ TU RESPUESTA"
c.ClearSolutions.enforce_metadata = True

# --- execution during autograde and validate ----------------------------------------------
# seconds per cell (the whole notebook is budgeted at 60 s); LAB08_NOTEBOOK_TIMEOUT bounds the notebook
c.Execute.timeout = settings.CELL_TIMEOUT.get()  # LAB08_CELL_TIMEOUT, default 120
c.Execute.interrupt_on_timeout = True
c.Execute.iopub_timeout = settings.IOPUB_TIMEOUT  # a cell's last outputs after its reply (busy machines)
c.Execute.execute_retries = 0
c.Execute.shutdown_kernel = "immediate"  # outputs are all in by then; saves ~1.5 s a notebook
c.Autograde.create_student = True
# A test cell fails only by raising. nbgrader would also give 0 to a cell that merely writes to
# stderr (a framework warning or log line), so stderr in graded cells is relabelled as stdout
# (kept visible in the feedback) instead of nbgrader's IgnorePattern, which only drops matches.
# GuardedExecute (labkit/grading/run/execute.py) is nbgrader's Execute with the kernel in a sandbox
# (no network, no view of source/ or the gradebook, resource limits), tamper probes after every
# test cell, and a graceful end when the kernel dies or hangs (test cells that could not run get 0).
c.Autograde.autograde_preprocessors = [
    "labkit.grading.run.execute.GuardedExecute",
    "labkit.grading.run.preprocessors.StderrToStdout",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "labkit.grading.run.preprocessors.NeutralizeOutputs",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# --- what a student may receive -----------------------------------------------------------------
# The autograded notebook (what formgrader renders) holds no active content from student code
# (NeutralizeOutputs above). Feedback HTML shows each test's name, points and Spanish message,
# never the hidden test code or a traceback quoting it.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "labkit.grading.run.preprocessors.HideTestCode",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
