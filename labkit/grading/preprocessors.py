"""nbgrader preprocessors used by the course's autograde pipeline."""
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

STDERR_MARK = "[stderr] "


class StderrToStdout(NbGraderPreprocessor):
    """Relabel stderr stream outputs of graded cells as stdout, marked ``[stderr]``.

    nbgrader scores a test cell 0 when it writes anything to stderr, so a correct answer would
    lose its points to a PyTorch ``UserWarning`` or a TensorFlow log line. The course's tests
    signal failure only by raising, so stderr carries no verdict: it stays visible in the
    feedback, but no longer decides the grade.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_grade(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    output["name"] = "stdout"
                    output["text"] = STDERR_MARK + output.get("text", "")
        return cell, resources
