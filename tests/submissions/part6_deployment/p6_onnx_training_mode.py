"""Exports with training=TrainingMode.PRESERVE and no model.eval(): Dropout and BatchNorm go into the file in training mode.

expect_fail: onnx_eval_mode
"""
# %% onnx +
def export_onnx(model, example_input, path):
    torch.onnx.export(
        model, (example_input,), path, dynamo=False,
        training=torch.onnx.TrainingMode.PRESERVE,
        input_names=["input"], output_names=["output"],
        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
    )
