"""Runs the model on the example (still in train mode) to check it before exporting: BatchNorm statistics move.

expect_fail: onnx_eval_mode
"""
# %% onnx +
def export_onnx(model, example_input, path):
    print("salida de ejemplo:", tuple(model(example_input).shape))
    model.eval()
    torch.onnx.export(
        model, (example_input,), path, dynamo=False,
        input_names=["input"], output_names=["output"],
        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
    )
