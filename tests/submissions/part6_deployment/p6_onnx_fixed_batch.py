"""No dynamic_axes: the exported graph only accepts batches the size of the example.

expect_fail: onnx_dynamic_batch
"""
# %% onnx +
def export_onnx(model, example_input, path):
    model.eval()
    torch.onnx.export(model, (example_input,), path, dynamo=False,
                      input_names=["input"], output_names=["output"])
